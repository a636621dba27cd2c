"""Mastery per objective for a class (``tmvlearn results --objectives``): the counts on the simulated
class, learners checked by hand, the JSON written, and the report's learner-by-objective table (escaped,
with words as well as colours)."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pandas as pd
import pytest

from tmvlearn.cli import main
from tmvlearn.quiz.bank import lesson_ids, load_bank
from tmvlearn.quiz.objective_mastery import RULE
from tmvlearn.results import html_report, sample_class
from tmvlearn.results.objectives import class_mastery, sample_now

EVIL = '<script>alert("x")</script>'
ROW_KEYS = {"lesson", "objective", "text", "not_started", "learning", "secure", "learners"}


@pytest.fixture(scope="module")
def simulated():
    frame = sample_class()
    return frame, class_mastery(frame, now=sample_now(frame))


def test_every_objective_counts_every_learner_once(simulated):
    frame, result = simulated
    n = len(frame["learner"].cat.categories)
    assert result["learners"] == n == 120
    expected = [(lesson, o) for lesson in lesson_ids() for o in load_bank(lesson).objectives]
    assert [(r["lesson"], r["objective"]) for r in result["objectives"]] == expected
    for r in result["objectives"]:
        assert set(r) == ROW_KEYS
        assert r["not_started"] + r["learning"] + r["secure"] == r["learners"] == n
    assert {s for statuses in result["table"].values() for s in statuses.values()} == {
        "not started", "learning", "secure"}


def _latest_full(frame: pd.DataFrame, learner: str, qids: list[str]) -> list[bool]:
    """Per question: whether the learner's latest graded answer scored full marks (None: unanswered)."""
    mine = frame[(frame["learner"] == learner) & (frame["kind"] == "answer")
                 & frame["question_id"].isin(qids)]
    latest = mine.sort_values("time", kind="stable").groupby("question_id", observed=True).last()
    return [bool(latest.loc[q, "score"] >= 1) if q in latest.index else None for q in qids]


def test_learners_rows_agree_with_a_hand_check(simulated):
    """At the simulated "now" (a minute after the last attempt), lesson 08's answers are all under a day
    old, so none is due: an objective there is secure exactly when every question's latest answer is
    fully right. Lesson 00's answers are 16 days old and all due: started objectives are learning."""
    frame, result = simulated
    bank = load_bank("08_review_due")
    checked = 0
    for learner, statuses in list(result["table"].items())[:30]:
        answered = set(frame.loc[frame["learner"] == learner, "question_id"].astype(str))
        for objective in bank.objectives:
            qids = [q.id for q in bank.questions if q.objective == objective]
            latest = _latest_full(frame, learner, qids)
            if all(v is None for v in latest):
                expected = "not started"
            else:
                expected = "secure" if all(latest) else "learning"
            assert statuses[f"08_review_due {objective}"] == expected, (learner, objective)
            checked += expected == "secure"
        for objective in load_bank("00_start_here").objectives:
            status = statuses[f"00_start_here {objective}"]
            assert status == ("learning" if answered else "not started"), (learner, objective)
    assert checked >= 10, "the hand check saw secure objectives"


def test_not_started_learners_and_learners_who_stopped_early(simulated):
    frame, result = simulated
    lessons_done = frame.groupby("learner", observed=False)["lesson"].nunique()
    stopped = [name for name, k in lessons_done.items() if k == 2]
    idle = [name for name, k in lessons_done.items() if k == 0]
    assert len(stopped) == 10 and len(idle) == 4
    for name in idle:
        assert set(result["table"][name].values()) == {"not started"}
    for name in stopped:
        later = {s for key, s in result["table"][name].items() if key[:2] not in ("00", "01")}
        assert later == {"not started"}


def test_the_command_prints_the_counts_and_writes_them_into_the_json(tmp_path, capsys):
    target = tmp_path / "items.json"
    assert main(["results", "--sample", "--objectives", "--json", str(target), "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "Mastery per objective, 120 learners, as of 2026-01-28 19:01 UTC" in out
    assert "Rule: secure = every quiz question of the objective answered" in out
    header = next(line for line in out.splitlines() if line.startswith("lesson obj"))
    assert header.split()[2:5] == ["secure", "learning", "not"]
    o4 = next(line for line in out.splitlines() if line.startswith("08     O4"))
    data = json.loads(target.read_text(encoding="utf-8"))
    assert "lessons" in data, "the item analysis is still there"
    mastery = data["objectives"]
    assert mastery["rule"] == RULE and mastery["now"] == "2026-01-28T19:01:20+00:00"
    assert mastery["learners"] == 120 and all(set(r) == ROW_KEYS for r in mastery["objectives"])
    last = mastery["objectives"][-1]
    assert o4.split()[2:5] == [str(last["secure"]), str(last["learning"]), str(last["not_started"])]
    assert len(mastery["table"]) == 120


def _hostile_class() -> pd.DataFrame:
    bank = load_bank("01_biogenesis")
    rows = []
    start = pd.Timestamp("2026-02-02T10:00Z")
    for i, learner in enumerate([EVIL, "bea", "cy"]):
        for j, q in enumerate(bank.questions):
            if learner == "cy" and q.objective != "O5":
                continue
            right = learner != "bea" or q.objective != "O1"
            rows.append({"learner": learner, "lesson": bank.lesson, "question_id": q.id, "response": "null",
                         "score": float(right), "correct": right, "mode": "practice", "kind": "answer",
                         "take": 1, "time": start + pd.Timedelta(minutes=i * 30 + j)})
    frame = pd.DataFrame(rows)
    frame["learner"] = pd.Categorical(frame["learner"], categories=[EVIL, "bea", "cy", "dee"])
    for col in ("lesson", "question_id", "response", "mode", "kind"):
        frame[col] = frame[col].astype("category")
    return frame


class _Cells(HTMLParser):
    """The report's tags, text, and each grid cell's text (hidden words included)."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.cells: list[tuple[str, str]] = []
        self._cell: list[str] | None = None
        self._class = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        cls = dict(attrs).get("class") or ""
        if tag == "td" and cls.startswith("st-"):
            self._cell, self._class = [], cls

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.cells.append((self._class, "".join(self._cell)))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def test_the_report_shows_each_learner_by_objective_in_words_and_escapes_names():
    frame = _hostile_class()
    result = class_mastery(frame, now=pd.Timestamp("2026-02-02T12:00Z").to_pydatetime())
    page = html_report(frame, objectives=result)
    parsed = _Cells()
    parsed.feed(page)
    assert "script" not in parsed.tags, "a learner's name is never markup"
    text = "".join(parsed.text)
    assert EVIL in text, "the hostile name is shown as text"
    section = page[page.index('<section id="objectives">'):]
    assert "Legend:" in section and html.escape(RULE) in section
    n_objectives = sum(len(load_bank(lesson).objectives) for lesson in lesson_ids())
    assert len(parsed.cells) == 4 * n_objectives, "a cell per learner and objective"
    symbols = {"st-not-started": "○not started", "st-learning": "◐learning", "st-secure": "●secure"}
    for cls, shown in parsed.cells:
        assert shown == symbols[cls], "every cell has its symbol and its word, not only a colour"
    grid = section[section.index('class="mastery-grid"'):]
    rows = {m.group(1): m.group(2) for m in re.finditer(r'class="learner">(.*?)</th>(.*?)</tr>', grid)}
    assert set(rows) == {"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;", "bea", "cy", "dee"}
    first_lesson = lambda cells: re.findall(r'class="st-([a-z-]+)"', cells)[4:9]  # noqa: E731 (lesson 01)
    assert first_lesson(rows["bea"]) == ["learning", "secure", "secure", "secure", "secure"]
    assert first_lesson(rows["cy"]) == ["not-started"] * 4 + ["secure"]
    assert first_lesson(rows["dee"]) == ["not-started"] * 5
    assert "Mastery per objective" not in html_report(frame), "only when asked for"


def test_a_later_now_makes_the_class_learning_again():
    frame = _hostile_class()
    later = pd.Timestamp("2026-02-02T12:00Z").to_pydatetime() + timedelta(days=9)  # recall below 80%
    counts = {r["objective"]: r for r in class_mastery(frame, now=later)["objectives"]
              if r["lesson"] == "01_biogenesis"}
    assert counts["O5"]["secure"] == 0 and counts["O5"]["learning"] == 3 and counts["O5"]["not_started"] == 1

"""Item analysis and gradebook of tmvlearn.results: hand calculations, pingouin, the sample class."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

from tmvlearn.quiz.bank import load_bank
from tmvlearn.results import first_attempts, gradebook, item_analysis, sample_class
from tmvlearn.results.analysis import behind, items_table

T0 = pd.Timestamp("2026-02-02T10:00:00Z")


def _frame(rows: list[tuple], learners: list[str] | None = None) -> pd.DataFrame:
    """Attempts as collect() returns them, from (learner, lesson, question, response, score, minute,
    mode, kind, take) tuples."""
    frame = pd.DataFrame(
        rows,
        columns=["learner", "lesson", "question_id", "response", "score", "minute", "mode", "kind", "take"],
    )
    frame["time"] = T0 + pd.to_timedelta(frame.pop("minute"), unit="min")
    frame["correct"] = frame["score"] >= 1
    names = learners or sorted(set(frame["learner"]), key=str.casefold)
    frame["learner"] = pd.Categorical(frame["learner"], categories=names)
    for col in ("lesson", "question_id", "response", "mode", "kind"):
        frame[col] = frame[col].astype("category")
    return frame


# Five learners who answered all three questions of lesson "hand" (no bank: the items come from
# the data), and F who answered q1 only. First-attempt scores:
#        q1 q2 q3
#   A    1  1  1
#   B    1  0  1     (B: a reveal of q2 first, then a wrong answer, then a right retry)
#   C    0  1  0     (C: q3 wrong in practice, then right in test take 1, later)
#   D    1  0  0
#   E    0  0  0     (E: q3 right in test take 2 first: a retake is never a first attempt)
#   F    1  -  -
def _hand(extra: tuple = ()) -> pd.DataFrame:
    def a(who, q, score, minute, mode="practice", kind="answer", take=1):
        return (who, "hand", q, json.dumps("x"), score, minute, mode, kind, take)

    rows = [
        a("A", "q1", 1, 0),
        a("A", "q2", 1, 1),
        a("A", "q3", 1, 2),
        a("A", "q2", 1, 30),
        a("B", "q1", 1, 0),
        a("B", "q2", 0, 1, kind="reveal"),
        a("B", "q2", 0, 2),
        a("B", "q3", 1, 3),
        a("B", "q2", 1, 40),
        a("C", "q1", 0, 0),
        a("C", "q2", 1, 1),
        a("C", "q3", 0, 2),
        a("C", "q3", 1, 50, mode="test"),
        a("D", "q1", 1, 0),
        a("D", "q2", 0, 1),
        a("D", "q3", 0, 2),
        a("E", "q1", 0, 0),
        a("E", "q2", 0, 1),
        a("E", "q3", 1, 2, mode="test", take=2),
        a("E", "q3", 0, 5),
        a("F", "q1", 1, 0),
        a("F", "q9", 1, 1, mode="exercise"),
    ]
    return _frame(rows + list(extra))


def _items(analysis) -> dict[str, dict]:
    return {item["question_id"]: item for info in analysis["lessons"].values() for item in info["items"]}


def test_first_attempts_follow_the_documented_rule():
    first = first_attempts(_hand(), banks={})
    got = {(str(r.learner), str(r.question_id)): r.score for r in first.itertuples()}
    assert got[("B", "q2")] == 0  # the reveal is not an answer; the later right retry is not first
    assert got[("C", "q3")] == 0  # practice came first; the test take 1 came later
    assert got[("E", "q3")] == 0  # test take 2 is never a first attempt
    assert ("F", "q9") not in got  # exercises are not quiz questions
    assert len(first) == 16


def test_item_statistics_agree_with_hand_calculation():
    analysis = item_analysis(_hand(), banks={})
    lesson = analysis["lessons"]["hand"]
    items = _items(analysis)
    assert [i["question_id"] for i in lesson["items"]] == ["q1", "q2", "q3"]
    assert lesson["n_learners"] == 6 and lesson["n_complete"] == 5
    # q1: n = 6 (F included), p = 4/6. Rest score = mean of the learner's other answers:
    # A 1, B .5, C .5, D 0, E 0 (F has none: left out of r). x = 1,1,0,1,0 -> deviations .4,.4,-.6,.4,-.6;
    # rest deviations .6,.1,.1,-.4,-.4: sum of products .30, sums of squares 1.2 and .7.
    assert items["q1"]["n"] == 6
    assert items["q1"]["difficulty"] == pytest.approx(4 / 6, abs=1e-3)
    assert items["q1"]["discrimination"] == pytest.approx(0.30 / math.sqrt(1.2 * 0.7), abs=1e-3)
    # q3: x = 1,1,0,0,0; rest A 1, B .5, C .5, D .5, E 0 -> .5 / sqrt(1.2 * .5)
    assert items["q3"]["difficulty"] == pytest.approx(0.4, abs=1e-3)
    assert items["q3"]["discrimination"] == pytest.approx(0.5 / math.sqrt(1.2 * 0.5), abs=1e-3)
    # upper-lower, k = round(.27 * 5) = 1: q3's top learner by rest is A (1), bottom E (0): D = 1
    assert items["q3"]["upper_lower"] == pytest.approx(1.0)
    # alpha (KR-20) over A-E: item variances .3 each (ddof 1), totals 3,2,1,1,0 with variance 1.3
    assert lesson["alpha_kind"] == "KR-20"
    assert lesson["alpha"] == pytest.approx(1.5 * (1 - 0.9 / 1.3), abs=1e-3)
    # without q1: totals 2,1,1,0,0 (variance .7), item variances .3 + .3
    assert items["q1"]["alpha_if_deleted"] == pytest.approx(2 * (1 - 0.6 / 0.7), abs=1e-3)
    # six learners: figures shown, flags withheld
    assert all(item["flags"] == ["too few learners"] for item in lesson["items"])


def test_gradebook_first_best_answered_and_not_started():
    frame = _hand()
    frame["learner"] = frame["learner"].cat.add_categories(["Zed"])  # known, never answered
    book = gradebook(frame, banks={}).set_index("learner")
    b = book.loc["B"]
    assert (b["answered"], b["total"]) == (3, 3)
    assert b["first_score"] == pytest.approx(2 / 3, abs=1e-4)
    assert b["best_score"] == pytest.approx(1.0)
    assert b["attempts"] == 4  # graded answers; the reveal is not one
    assert book.loc["F", "answered"] == 1
    assert book.loc["Zed", "answered"] == 0 and pd.isna(book.loc["Zed", "first_score"])
    late = behind(gradebook(frame, banks={}))
    assert dict(zip(late["learner"], late["status"], strict=True)) == {"F": "behind", "Zed": "not started"}


def _choice_class(n: int, unknown: int = 0) -> tuple[pd.DataFrame, object]:
    """``n`` learners answering one shipped single-choice question; one distractor never chosen."""
    bank = load_bank("00_start_here")
    question = next(q for q in bank.questions if q.type == "single_choice")
    wrong = [o for o in question.options if o != question.answer]
    rows = []
    for i in range(n):
        pick = question.answer if i % 2 else wrong[i % 4 // 2]  # wrong[0] and wrong[1]; never wrong[2]
        if i < unknown:
            pick = "<b>an option that is not in the bank</b>"
        rows.append(
            (
                f"s{i:02d}",
                bank.lesson,
                question.id,
                json.dumps(pick),
                float(pick == question.answer),
                i,
                "practice",
                "answer",
                1,
            )
        )
    return _frame(rows), question


def test_option_shares_unpicked_distractor_and_unlisted_response():
    frame, question = _choice_class(24, unknown=1)
    item = _items(item_analysis(frame))[question.id]
    wrong = [o for o in question.options if o != question.answer]
    assert item["n"] == 24
    assert item["options"][question.answer] == pytest.approx(12 / 24, abs=1e-3)
    assert item["options"][wrong[2]] == 0
    assert sum(item["options"].values()) + sum(item["unlisted_responses"].values()) == pytest.approx(
        1, abs=1e-3
    )
    assert item["unlisted_responses"] == {
        "<b>an option that is not in the bank</b>": pytest.approx(1 / 24, abs=1e-3)
    }
    assert f"non-functioning distractor: {wrong[2]}" in item["flags"]
    assert item["key"] == [question.answer]


def test_flags_are_withheld_below_twenty_learners():
    frame, question = _choice_class(19)
    assert _items(item_analysis(frame))[question.id]["flags"] == ["too few learners"]
    frame, question = _choice_class(20)
    assert "too few learners" not in _items(item_analysis(frame))[question.id]["flags"]


@pytest.fixture(scope="module")
def simulated():
    frame = sample_class()
    return frame, item_analysis(frame)


def test_sample_class_is_seeded_and_labelled_simulated(simulated):
    frame, _ = simulated
    again = sample_class()
    assert frame.attrs["simulated"] is True
    pd.testing.assert_frame_equal(frame, again)
    assert set(frame["learner"].cat.categories) == {f"sim-{i:03d}" for i in range(1, 121)}
    assert (frame["source"] == "simulated").all()


def test_sample_class_miskeyed_item_has_negative_discrimination(simulated):
    frame, analysis = simulated
    info = frame.attrs["miskeyed"]
    item = _items(analysis)[info["question_id"]]
    assert item["discrimination"] < 0
    assert "negative discrimination: check the key" in item["flags"]
    # the option the able learners chose discriminates positively, the bank's key negatively
    assert item["option_discrimination"][info["simulated_key"]] > 0.2
    assert item["option_discrimination"][info["bank_key"]] < 0


def test_sample_class_unpicked_distractor_is_flagged(simulated):
    frame, analysis = simulated
    info = frame.attrs["unpicked"]
    item = _items(analysis)[info["question_id"]]
    assert item["options"][info["option"]] == 0
    assert f"non-functioning distractor: {info['option']}" in item["flags"]
    others = [i for i in _items(analysis).values() if "negative discrimination: check the key" in i["flags"]]
    assert [i["question_id"] for i in others] == [frame.attrs["miskeyed"]["question_id"]]


def test_alpha_agrees_with_pingouin_on_the_sample_class(simulated):
    pingouin = pytest.importorskip("pingouin")
    frame, analysis = simulated
    first = first_attempts(frame)
    checked = 0
    for lesson, info in analysis["lessons"].items():
        wide = first[first["lesson"] == lesson].pivot_table(
            index="learner", columns="question_id", values="score", observed=True
        )
        expected, _ = pingouin.cronbach_alpha(data=wide, nan_policy="listwise")
        assert info["alpha"] == pytest.approx(expected, abs=6e-4), lesson
        assert info["n_complete"] == len(wide.dropna())
        # alpha if deleted: pingouin's alpha of the other columns
        item = info["items"][0]
        without, _ = pingouin.cronbach_alpha(
            data=wide.drop(columns=item["question_id"]), nan_policy="listwise"
        )
        assert item["alpha_if_deleted"] == pytest.approx(without, abs=6e-4)
        checked += 1
    assert checked == len(analysis["lessons"]) >= 8


def test_items_table_and_json_shape(simulated):
    _, analysis = simulated
    json.dumps(analysis)  # JSON-safe: no NaN, no numpy types
    assert "NaN" not in json.dumps(analysis)
    for info in analysis["lessons"].values():
        assert isinstance(info["n_learners"], int)
        assert info["alpha"] is None or isinstance(info["alpha"], float)
        for item in info["items"]:
            assert {
                "question_id",
                "n",
                "difficulty",
                "discrimination",
                "upper_lower",
                "options",
                "flags",
            } <= set(item)
    table = items_table(analysis)
    assert len(table) == sum(len(v["items"]) for v in analysis["lessons"].values())


def test_flags_follow_the_figures_as_shown():
    """p = 0.19998 is shown as 0.200: it is not flagged "too hard" (p < 0.2), and the rules name r."""
    from tmvlearn.cli.results import format_items

    rows = [(f"s{i:02d}", "hand", "q1", json.dumps("x"), 1.0 if i < 5 else 0.0, i, "practice", "answer", 1)
            for i in range(25)]
    rows[4] = rows[4][:4] + (0.9995,) + rows[4][5:]
    rows += [(f"s{i:02d}", "hand", "q2", json.dumps("x"), float(i % 2), 30 + i, "practice", "answer", 1)
             for i in range(25)]
    analysis = item_analysis(_frame(rows), banks={})
    item = _items(analysis)["q1"]
    assert item["difficulty"] == 0.2 and "too hard" not in item["flags"]
    text = format_items(analysis)
    assert re.search(r"^\s+q1\s+25\s+0\.200\s", text, re.M)
    assert '"low discrimination" (0 <= discrimination r < 0.2)' in text
    assert '(discrimination r < 0)' in text
    rows[4] = rows[4][:4] + (0.99,) + rows[4][5:]
    rows[3] = rows[3][:4] + (0.9,) + rows[3][5:]  # p = 0.1956, shown 0.196: flagged
    item = _items(item_analysis(_frame(rows), banks={}))["q1"]
    assert item["difficulty"] == 0.196 and "too hard" in item["flags"]


def test_alpha_line_says_how_many_answered_every_question_and_why_none():
    from tmvlearn.cli.results import format_items

    def a(who, q):
        return (who, "hand", q, json.dumps("x"), 1.0, 0, "practice", "answer", 1)

    lesson = item_analysis(_frame([a("A", "q1"), a("A", "q2"), a("B", "q2"), a("B", "q3")]), banks={})
    info = lesson["lessons"]["hand"]
    assert (info["n_complete"], info["n_items_answered"], info["alpha"]) == (0, 3, None)
    assert info["alpha_note"] == "alpha needs 3 or more learners who answered all 3 questions; 0 did"
    text = format_items(lesson)
    assert ("hand: 2 learners, KR-20 = - (not computed: alpha needs 3 or more learners who answered all "
            "3 questions; 0 did)") in text
    one = format_items(item_analysis(_frame([a("A", "q1"), a("A", "q2")]), banks={}))
    assert "hand: 1 learner, KR-20 = - (not computed:" in one and "1 did" in one
    full = format_items(item_analysis(_hand(), banks={}))
    assert "hand: 6 learners, KR-20 = 0.46 (over the 5 who answered all 3 questions)" in full


def test_flashcard_rows_are_no_question_and_no_lesson():
    cards = [("A", "glossary", "card:APCs", json.dumps("knew it"), 1.0, 9, "flashcard", "answer", 1),
             ("A", "hand", "card:MVs", json.dumps("didn't"), 0.0, 9, "flashcard", "answer", 1),
             ("G", "glossary", "card:APCs", json.dumps("knew it"), 1.0, 9, "flashcard", "answer", 1)]
    frame = _hand(cards)
    book = gradebook(frame, banks={})
    assert set(book["lesson"]) == {"hand"}
    assert book.loc[book["learner"] == "A", "attempts"].item() == 4  # the quiz answers, not the cards
    assert book.loc[book["learner"] == "G", "answered"].item() == 0
    assert "G" in set(behind(book)["learner"])
    assert [i["question_id"] for i in item_analysis(frame, banks={})["lessons"]["hand"]["items"]] == [
        "q1", "q2", "q3"]
    assert not first_attempts(frame, banks={})["question_id"].astype(str).str.startswith("card:").any()
    from tmvlearn.results.analysis import flashcard_activity

    assert flashcard_activity(frame).to_dict() == {"A": 2, "B": 0, "C": 0, "D": 0, "E": 0, "F": 0, "G": 1}

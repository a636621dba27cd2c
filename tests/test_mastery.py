"""Mastery per learning objective as a learner meets it: each status reached and left on hand-made
histories, what counts, the table's shape, the lesson's display, ``tmvlearn progress --objectives``,
and the review asking first for the objectives held least securely.

The clock is fake: every attempt is recorded with its own time and ``now`` is chosen.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tmvlearn.cli import main
from tmvlearn.progress import FILENAME
from tmvlearn.quiz import ProgressStore, lesson_ids, load_bank, mastery, objective_status, review
from tmvlearn.quiz.bank import BankError
from tmvlearn.quiz.objective_mastery import COLUMNS, RULE, STYLE, objective_order

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)
BIO = "01_biogenesis"
# lesson 01's objective O5 has these two quiz questions; O4 has one (and an exercise)
O5 = ("bio-history-decade", "bio-poste-melanoma")
O4 = "bio-rhoa-route"


@pytest.fixture(autouse=True)
def private_state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("TMVLEARN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TMVLEARN_LEARNER", "ada")


@pytest.fixture
def store(tmp_path):
    (tmp_path / "home").mkdir()
    return ProgressStore(tmp_path / "home" / FILENAME)


def answer(store, qid: str, when: datetime, right: bool = True, *, score: float | None = None,
           lesson: str = BIO, **extra):
    store.record(lesson=lesson, question_id=qid, response="x", score=float(right) if score is None else score,
                 correct=right, learner="ada", time=when.isoformat(timespec="milliseconds"), **extra)


def row(store, now: datetime, objective: str, lesson: str = BIO) -> tuple[str, int, int]:
    table = mastery("ada", now=now, store=store)
    found = table[(table["lesson"] == lesson) & (table["objective"] == objective)]
    assert len(found) == 1
    return found["status"].iloc[0], int(found["answered"].iloc[0]), int(found["of"].iloc[0])


def test_each_status_is_reached_and_left(store):
    decade, poste = O5
    assert row(store, T0, "O5") == ("not started", 0, 2)
    answer(store, decade, T0, right=False)
    assert row(store, T0 + MINUTE, "O5") == ("learning", 1, 2), "a miss: started, not secure"
    answer(store, decade, T0 + MINUTE)
    assert row(store, T0 + 2 * MINUTE, "O5") == ("learning", 1, 2), "both questions are needed"
    answer(store, poste, T0 + 2 * MINUTE)
    assert row(store, T0 + 3 * MINUTE, "O5") == ("secure", 2, 2), "both answered, latest right, not due"
    # the missed-then-right question comes back after a day: then the objective is learning again
    assert row(store, T0 + DAY - MINUTE, "O5")[0] == "secure"
    assert row(store, T0 + DAY + 2 * MINUTE, "O5") == ("learning", 2, 2), "a question due for review"
    answer(store, decade, T0 + DAY + 2 * MINUTE)
    assert row(store, T0 + DAY + 3 * MINUTE, "O5")[0] == "secure", "answered right when due: secure again"
    answer(store, poste, T0 + DAY + 4 * MINUTE, right=False)
    assert row(store, T0 + DAY + 5 * MINUTE, "O5") == ("learning", 2, 2), "a later miss"
    assert row(store, T0 + DAY + 5 * MINUTE, "O4")[0] == "not started", "other objectives are untouched"


def test_a_right_first_answer_is_secure_for_about_a_week(store):
    answer(store, O4, T0)
    assert row(store, T0 + 2 * DAY + MINUTE, "O4")[0] == "secure", "due for review, still likely remembered"
    assert row(store, T0 + 7 * DAY, "O4")[0] == "secure"
    assert row(store, T0 + 8 * DAY, "O4")[0] == "learning", "predicted recall below 80% after a week"


def test_a_right_review_keeps_it_secure_for_about_a_month(store):
    answer(store, O4, T0)
    answer(store, O4, T0 + 2 * DAY)  # reviewed when due, right again
    assert row(store, T0 + 32 * DAY, "O4")[0] == "secure"
    assert row(store, T0 + 47 * DAY, "O4")[0] == "learning"


def test_partly_right_is_not_secure(store):
    answer(store, O4, T0, right=True, score=0.5)
    assert row(store, T0 + MINUTE, "O4") == ("learning", 1, 1)


def test_only_quiz_answers_count_not_exercises_reveals_or_flashcards(store):
    answer(store, "bio-ex-block-rhoa", T0, mode="exercise")  # O4's exercise
    answer(store, O4, T0, right=False, kind="reveal", score=0.0)
    answer(store, "card:ARF6", T0, lesson="glossary", mode="flashcard")
    answer(store, O4, T0 + MINUTE, mode="flashcard")  # a rating is never a quiz answer
    assert row(store, T0 + 2 * MINUTE, "O4") == ("not started", 0, 1)
    answer(store, O4, T0 + 3 * MINUTE, mode="test")
    assert row(store, T0 + 4 * MINUTE, "O4") == ("secure", 1, 1), "a test answer counts"


def test_an_answer_in_another_lessons_quiz_counts_for_the_questions_own_lesson(store):
    # lesson 07's cumulative quiz and the review ask lesson 01's questions
    answer(store, O4, T0, lesson="07_review")
    assert row(store, T0 + MINUTE, "O4")[0] == "secure"


def test_the_table_lists_every_objective_of_every_lesson_in_order():
    table = mastery("ada", now=T0)
    assert list(table.columns) == COLUMNS
    expected = [(lesson, objective) for lesson in lesson_ids()
                for objective in sorted(load_bank(lesson).objectives, key=objective_order)]
    assert list(zip(table["lesson"], table["objective"], strict=True)) == expected
    bank = load_bank(BIO)
    o2 = table[(table["lesson"] == BIO) & (table["objective"] == "O2")].iloc[0]
    assert o2["text"] == bank.objectives["O2"]
    assert o2["of"] == sum(q.objective == "O2" for q in bank.questions), "quiz questions, not exercises"
    assert table.attrs["rule"] == RULE and table.attrs["now"].startswith("2026-03-02T09:00")
    assert sorted(["O10", "O2", "O1"], key=objective_order) == ["O1", "O2", "O10"]


def test_a_learner_with_no_file_has_not_started_anything_and_no_file_is_made(tmp_path):
    table = mastery()
    assert set(table["status"]) == {"not started"} and table["answered"].sum() == 0
    assert "not created yet" in table.attrs["source"]
    assert not (tmp_path / "home").exists(), "reading creates nothing"


def test_now_defaults_to_the_current_time(store):
    answer(store, O4, datetime.now(timezone.utc) - MINUTE)
    assert row(store, datetime.now(timezone.utc), "O4")[0] == "secure"
    table = mastery("ada", store=store)
    assert table.set_index(["lesson", "objective"]).loc[(BIO, "O4"), "status"] == "secure"


def test_the_lessons_display_shows_each_objective_with_its_status_in_words(store):
    answer(store, O4, T0)
    answer(store, O5[0], T0, right=False)
    shown = objective_status(BIO, "ada", now=T0 + MINUTE, store=store)._repr_mimebundle_()
    text, page = shown["text/plain"], shown["text/html"]
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith("  O")}
    assert "secure" in lines["O4"] and "1 of 1" in lines["O4"]
    assert "learning" in lines["O5"] and "1 of 2" in lines["O5"]
    assert "not started" in lines["O1"]
    assert "Rule: secure = every quiz question" in text
    assert page.count("● secure") == 1 and page.count("◐ learning") == 1 and page.count("○ not started") == 3
    assert "Relate Rab22a to MV formation under hypoxia." in page


def test_an_unknown_lesson_names_the_known_ones():
    with pytest.raises(BankError, match="Lessons with a bank: 00_start_here, 01_biogenesis"):
        objective_status("99_nothing")


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("status", sorted(STYLE))
def test_status_colours_have_a_contrast_of_at_least_4_5(status):
    _, background, colour = STYLE[status]
    light, dark = sorted([_luminance(background), _luminance(colour)], reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5


# --- tmvlearn progress --objectives ----------------------------------------------------------------

def test_progress_objectives_prints_each_lesson_its_objectives_and_the_rule(store, capsys):
    now = datetime.now(timezone.utc)
    answer(store, O4, now - MINUTE)
    answer(store, O5[0], now - MINUTE, right=False)
    assert main(["progress", "--objectives"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Mastery per learning objective for learner 'ada' (read from ")
    assert "Rule: secure = every quiz question of the objective answered" in out
    lines = out.splitlines()
    start = lines.index("01_biogenesis (1 secure, 1 learning, 3 not started)")
    o4 = lines[start + 4]
    assert o4.split()[:5] == ["O4", "secure", "1", "of", "1"] and "RhoA route" in o4
    assert lines[start + 5].split()[:5] == ["O5", "learning", "1", "of", "2"]
    assert "00_start_here (4 not started)" in lines
    assert lines[-1].startswith(f"In all {len(mastery('ada'))} objectives: 1 secure, 1 learning,")
    assert all(len(line) <= 100 for line in lines[2:]), "objective texts are shortened to fit"


def test_progress_objectives_for_everyone_points_to_the_class_results(capsys):
    assert main(["progress", "--objectives", "--all"]) == 2
    assert "tmvlearn results PATH --objectives" in capsys.readouterr().err


# --- the review asks first for the objectives held least securely ---------------------------------

def test_the_review_asks_first_for_the_objective_with_fewer_secure_questions(store):
    """Two lesson-01 questions due at once: O1's (1 of its 3 questions secure) has waited longer than
    O3's (none of 2 secure), yet O3's comes first."""
    answer(store, "bio-ca-steps", T0)                      # O1: due at T0 + 2 days
    answer(store, "bio-ca-scramblase", T0 + DAY)           # O1: secure until T0 + 3 days
    answer(store, "bio-rab22a-condition", T0 + 2 * MINUTE)  # O3: due at T0 + 2 days + 2 minutes
    now = T0 + 2 * DAY + 5 * MINUTE
    ids = [q.id for q in review(n=5, now=now, store=store).questions]
    assert ids == ["bio-rab22a-condition", "bio-ca-steps"]
    answer(store, "bio-rab22a-breast", T0 + DAY)           # now O3 has 1 of 2 secure, O1 1 of 3
    ids = [q.id for q in review(n=5, now=now, store=store).questions]
    assert ids == ["bio-ca-steps", "bio-rab22a-condition"], "O1 (1 of 3 secure) before O3 (1 of 2)"


# --- each lesson's closing cell ---------------------------------------------------------------------

def test_a_printed_copy_lists_the_objectives_with_no_ones_status(store):
    answer(store, O4, T0)
    shown = objective_status(BIO, "ada", interactive=False, now=T0 + MINUTE, store=store)
    text, page = shown.to_text(), shown.to_html()
    assert text.startswith("Objectives of 01_biogenesis (a printed copy: run the lesson in JupyterLab")
    assert "  O4  1 question  Describe the RhoA route" in text
    for word in ("secure", "learning", "not started"):
        assert f"○ {word}" not in page and f"◐ {word}" not in page and f"● {word}" not in page


@pytest.mark.parametrize("lesson", lesson_ids())
def test_each_lesson_closes_with_its_objectives_and_the_stored_output_is_a_fresh_learners(lesson, tmp_path):
    import nbformat

    from tmvlearn._resources import notebooks_dir

    nb = nbformat.read(notebooks_dir() / f"{lesson}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    quiz_at = next(i for i, c in enumerate(code) if c.source.startswith(f'quiz.show("{lesson}"'))
    cell = code[quiz_at + 1]
    assert cell.source == f'quiz.objective_status("{lesson}", interactive=INTERACTIVE)', \
        "the cell after the lesson's quiz shows its objectives"
    before = nb.cells[nb.cells.index(cell) - 1].source
    assert all(f"**{word}**" in before for word in ("not started", "learning", "secure")), \
        "the text before it explains the three statuses"
    stored = "".join(cell.outputs[0]["data"]["text/plain"])
    fresh = objective_status(lesson, "ada", store=ProgressStore(tmp_path / "none" / FILENAME)).to_text()
    assert stored == fresh, f"re-run the lesson: tmvlearn lessons run {lesson[:2]}"
    rows = [line.split()[1:3] for line in stored.splitlines() if line.startswith("  O")]
    assert rows == [["not", "started"]] * len(load_bank(lesson).objectives)

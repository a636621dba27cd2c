"""Code-exercise checks are recorded (issue 25, item 4): one attempt of their own kind per graded
check (``mode="exercise"``, ``kind="answer"``, ``correct`` passed or not), never a quiz score.

Not recorded: ``None`` (not answered yet, as every headless run's answer cells hold), an answer that
only gets a hint, the same check repeated in one session. Shown by ``tmvlearn progress``,
``quiz.progress()`` and the class gradebook (passed/of per lesson, solutions shown), apart from scores.
"""

from __future__ import annotations

import json
import re
import sqlite3
import warnings

import pandas as pd
import pytest

from tmvlearn import progress, scheduler
from tmvlearn.cli import main
from tmvlearn.progress import FILENAME, ProgressStore
from tmvlearn.quiz import check_exercise, load_bank, solution
from tmvlearn.quiz import exercises as exercises_module
from tmvlearn.results import analysis
from tmvlearn.results.reader import check_row, known_items

LESSON = "01_biogenesis"
BANK = load_bank(LESSON)
COUNT, STEPS = BANK.exercises  # numeric (5), then a list of step names


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("TMVLEARN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TMVLEARN_LEARNER", "ada")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(exercises_module, "_LAST_RECORDED", {})
    return tmp_path / "home"


def kept(home) -> list[dict]:
    db = home / FILENAME
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM attempts ORDER BY id")]
    finally:
        conn.close()


def test_a_check_is_one_attempt_of_its_own_kind(home):
    wrong = check_exercise(LESSON, COUNT.id, 3)
    assert not wrong.correct and wrong.recorded
    right = check_exercise(LESSON, COUNT.id, COUNT.answer)
    assert right.correct and right.recorded
    rows = kept(home)
    columns = ("lesson", "question_id", "mode", "kind", "correct", "score")
    assert [tuple(r[c] for c in columns) for r in rows] == [
        (LESSON, COUNT.id, "exercise", "answer", 0, 0.0),
        (LESSON, COUNT.id, "exercise", "answer", 1, 1.0),
    ]
    assert json.loads(rows[1]["response"]) == COUNT.answer and rows[1]["learner"] == "ada"
    assert not any(scheduler.is_reviewed(r) for r in rows), "the review schedule leaves exercises out"
    assert scheduler.compute_states(rows) == {}


def test_the_graded_value_of_a_pandas_shape_is_kept(home):
    check_exercise(LESSON, COUNT.id, pd.Series([COUNT.answer]))  # a one-element Series is its value
    assert json.loads(kept(home)[0]["response"]) == COUNT.answer


@pytest.mark.parametrize("answer", [
    None,  # not answered yet
    pd.DataFrame({"a": [1, 2], "b": [3, 4]}),  # a whole table: a hint
    pd.Series([True, False, True]),  # a True/False mask: a hint
    (1, 2),  # a pair where one number is wanted: a hint
])
def test_none_and_hint_only_answers_record_nothing(home, answer):
    check = check_exercise(LESSON, COUNT.id, answer)
    assert not check.recorded and not check.correct
    assert kept(home) == [] and not (home / FILENAME).exists()


def test_a_percentage_hint_is_not_recorded(home):
    check = check_exercise("04_tumor_microenvironment", "tme-ex-transfer-rate", 52.0)
    assert "fraction" in repr(check) and not check.recorded
    assert kept(home) == []


def test_the_same_check_again_in_a_session_is_one_attempt_a_changed_answer_another(home, monkeypatch):
    for _ in range(3):  # the cell re-run, or Run All, with the answer unchanged
        check_exercise(LESSON, COUNT.id, 4)
    assert len(kept(home)) == 1
    check_exercise(LESSON, COUNT.id, 5)
    check_exercise(LESSON, COUNT.id, 4)  # back to the earlier answer: a new attempt
    assert [r["correct"] for r in kept(home)] == [0, 1, 0]
    monkeypatch.setattr(exercises_module, "_LAST_RECORDED", {})  # a new session (kernel restart)
    check_exercise(LESSON, COUNT.id, 4)
    assert len(kept(home)) == 4
    check_exercise(LESSON, COUNT.id, 4, learner="bo")  # another learner's check is theirs
    assert [r["learner"] for r in kept(home)][-1] == "bo"


def test_record_false_records_nothing(home):
    assert not check_exercise(LESSON, COUNT.id, 5, record=False).recorded
    assert kept(home) == []


def test_a_storage_fault_never_breaks_the_feedback(home, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk fell off")

    monkeypatch.setattr(progress.ProgressStore, "record", broken)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fault is told under the feedback, not raised or issued twice
        check = check_exercise(LESSON, COUNT.id, 5)
    assert check.correct
    text = repr(check)
    assert text.startswith("✓ Correct.") and "the disk fell off" in text
    assert "tmv-storage" in check._repr_mimebundle_()["text/html"]


def test_a_read_only_home_keeps_the_check_pending_and_says_where(home, tmp_path):
    home.mkdir(parents=True)
    (home / FILENAME).mkdir()  # a folder where the file should be: the database cannot be opened
    check = check_exercise(LESSON, COUNT.id, 5)
    assert check.correct and check.note and "not in the progress database yet" in check.note
    reading = ProgressStore().read("ada")
    assert reading.attempts["mode"].tolist() == ["exercise"], "kept in the pending journal, and read back"


def test_tmvlearn_progress_shows_exercises_and_solutions_shown(home, capsys):
    check_exercise(LESSON, COUNT.id, 5)
    check_exercise(LESSON, STEPS.id, ["nothing"])
    solution(LESSON, STEPS.id).reveal()
    for question in BANK.questions[:2]:
        progress.record_attempt(question, question.key_response())
    check_exercise("02_ev_types_isolation", "ev-overlap-nm", -1)  # a lesson with only a failed check
    summary = progress.progress().set_index("lesson")
    bio = summary.loc[LESSON]
    assert (bio["exercises_passed"], bio["exercises_total"], bio["solutions_revealed"]) == (1, 2, 1)
    assert (bio["questions_answered"], bio["attempts"], bio["first_score"]) == (2, 2, 1.0)
    ev = summary.loc["02_ev_types_isolation"]
    figures = ("questions_answered", "attempts", "exercises_passed", "exercises_total")
    assert tuple(ev[c] for c in figures) == (0, 0, 0, 2)
    assert pd.isna(ev["first_score"])
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.lstrip().startswith("lesson"))
    assert "exercises" in header and "solutions shown" in header
    assert re.search(r"01_biogenesis\s+2 of 12\s+100%\s+100%\s+2\s+1 of 2\s+1\s", out), out
    assert re.search(r"02_ev_types_isolation\s+0 of 15\s+-\s+-\s+0\s+0 of 2\s+0\s", out), out


def test_reveals_alone_show_in_progress(home):
    solution(LESSON, COUNT.id).reveal()
    row = progress.progress().iloc[0]
    figures = ("lesson", "solutions_revealed", "attempts", "exercises_passed")
    assert tuple(row[c] for c in figures) == (LESSON, 1, 0, 0)


def test_without_the_quiz_hook_a_lesson_counts_the_exercises_checked(home, monkeypatch):
    from tmvlearn.progress import reading

    check_exercise(LESSON, COUNT.id, 5)
    monkeypatch.setattr(reading, "_lesson_exercises", None)
    monkeypatch.setattr(reading, "_lesson_questions", None)
    row = progress.progress().iloc[0]
    assert (row["exercises_passed"], row["exercises_total"], row["questions_total"]) == (1, 1, 0)


# --- other readers: older tmvlearn versions, the class reader --------------------------------------------


def test_older_readers_accept_the_rows(home):
    """The rows use only values every schema-1 reader knows (mode "exercise" and kind "answer" have been
    in MODES and KINDS since schema version 1), so an older tmvlearn's class reader, journal reader and
    store read them, and its scheduler and scores leave them out as they always left exercises out."""
    check_exercise(LESSON, COUNT.id, 5)
    row = kept(home)[0]
    assert row["mode"] in ("practice", "test", "exercise") and row["kind"] in ("answer", "reveal")
    assert progress.clean_row(row)["mode"] == "exercise" and progress.clean_row(row)["kind"] == "answer"
    checked = check_row(row, known_items())
    assert isinstance(checked, tuple), checked
    assert dict(zip(progress.COLUMNS, checked, strict=True))["mode"] == "exercise"


def _class(tmp_path):
    """Two learners' folders: quiz answers, and (for ada) exercise checks and a reveal."""
    for name in ("ada", "bo"):
        store = ProgressStore(tmp_path / name / FILENAME)
        for i, question in enumerate(BANK.questions[:4]):
            response = question.key_response() if (i + len(name)) % 2 else question.distractor_responses()[0]
            progress.record_attempt(question, response, learner=name, store=store)
        store.close()
    return tmp_path / "ada" / FILENAME


def test_class_results_show_exercises_apart_from_scores(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(exercises_module, "_LAST_RECORDED", {})
    ada = _class(tmp_path)
    before = analysis.gradebook(_collect(tmp_path))
    items_before = analysis.item_analysis(_collect(tmp_path))
    monkeypatch.setenv("TMVLEARN_HOME", str(ada.parent))
    check_exercise(LESSON, COUNT.id, 4, learner="ada")
    check_exercise(LESSON, COUNT.id, 5, learner="ada")
    check_exercise(LESSON, STEPS.id, ["ERK"], learner="ada")
    solution(LESSON, STEPS.id, learner="ada").reveal()
    check_exercise("03_cargo_biomarkers", "cargo-ex-nucleic-rows", 19, learner="ada")  # exercises only
    progress.get_store().close()
    frame = _collect(tmp_path)
    assert frame.attrs["collection"].problems == [], "the class reader accepts every row"
    assert (frame["mode"] == "exercise").sum() == 5
    book = analysis.gradebook(frame).set_index(["learner", "lesson"])
    scores = ["answered", "total", "first_score", "best_score", "attempts"]
    assert book.loc[before.set_index(["learner", "lesson"]).index, scores].equals(
        before.set_index(["learner", "lesson"])[scores]), "no quiz score changes"
    assert analysis.item_analysis(frame) == items_before, "no item statistic changes"
    assert tuple(book.loc[("ada", LESSON), ["exercises_checked", "exercises_passed", "exercises_total",
                                             "solutions_revealed"]]) == (2, 1, 2, 1)
    assert tuple(book.loc[("bo", LESSON), ["exercises_passed", "exercises_total"]]) == (0, 2)
    cargo = book.loc[("ada", "03_cargo_biomarkers")]
    assert (cargo["answered"], cargo["exercises_passed"], cargo["exercises_total"]) == (0, 1, 3)
    wide = analysis.gradebook_wide(analysis.gradebook(frame)).set_index("learner")
    assert wide.loc["ada", f"{LESSON} exercises_passed"] == 1
    assert main(["results", "ada", "bo", "--html", "r.html"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.lstrip().startswith("learner"))
    assert header.split() == ["learner", "01", "03", "01", "ex", "03", "ex", "last", "activity"]
    assert re.search(r"^\s*ada\s+\S+ 4/12\s+-\s+1/2\*\s+1/3\s", out, re.M), out
    assert re.search(r"^\s*bo\s+\S+ 4/12\s+-\s+-\s+-\s", out, re.M), out
    assert "NN ex: code exercises passed/of" in out
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="exercises"' in page and "learners who passed all" in page and "1/2 (1 shown)" in page


def _collect(tmp_path):
    from tmvlearn.results import collect

    return collect([tmp_path / "ada", tmp_path / "bo"])


def test_the_simulated_class_checks_exercises_and_keeps_its_quiz_rows(monkeypatch):
    import dataclasses

    import tmvlearn.quiz.bank as bank_module
    from tmvlearn.results import sample_class

    frame = sample_class(n_learners=30)
    ex = frame[frame["mode"] == "exercise"]
    assert len(ex) and set(ex["kind"].astype(str)) == {"answer", "reveal"}
    quiz = frame[frame["mode"] != "exercise"].reset_index(drop=True)
    real = bank_module.load_bank
    monkeypatch.setattr(bank_module, "load_bank",
                        lambda lesson: dataclasses.replace(real(lesson), exercises=[]))
    alone = sample_class(n_learners=30)  # banks without exercises: the quiz rows come out the same
    assert (alone["mode"] != "exercise").all()
    columns = ["learner", "lesson", "question_id", "response", "score", "time", "kind"]
    assert quiz[columns].astype(str).equals(alone[columns].astype(str))
    monkeypatch.setattr(bank_module, "load_bank", real)
    book = analysis.gradebook(frame)
    assert book["exercises_total"].gt(0).all() and book["exercises_passed"].le(book["exercises_total"]).all()


# --- headless runs leave no trace -----------------------------------------------------------------------


@pytest.mark.notebooks
@pytest.mark.slow
def test_a_headless_lesson_run_records_nothing(tmp_path, monkeypatch):
    from tmvlearn.lessons import execute_notebook, lesson_paths

    home = tmp_path / "home"
    monkeypatch.setenv("TMVLEARN_HOME", str(home))
    path = next(p for p in lesson_paths() if p.stem == LESSON)
    done = execute_notebook(path, parameters={"INTERACTIVE": False, "QUIZ_MODE": "test"})
    outputs = [o for c in done.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any("Not answered yet" in str(o) for o in outputs)
    assert not home.exists() or not any(home.iterdir()), "no progress file, no journal"

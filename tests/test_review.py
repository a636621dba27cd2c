"""Spaced review as a learner meets it: when a question comes back, what the review shows, what the
command says, and that review states survive a restart, a migration, a pending journal and damage.

The clock is fake: every attempt is recorded with its own time and ``due(now=...)`` is asked at a
chosen moment.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tmvlearn.cli import main
from tmvlearn.progress import FILENAME, SCHEMA_VERSION
from tmvlearn.progress import store as store_module
from tmvlearn.quiz import ProgressStore, due, load_bank, review
from tmvlearn.quiz.review_quiz import mix_lessons
from tmvlearn.scheduler import compute_states, rating

VERSION_1 = Path(__file__).with_name("data") / "progress-v1.sqlite3"  # written by tmvlearn's schema-1 store
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
QID = "bio-ca-scramblase"


@pytest.fixture(autouse=True)
def private_state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("TMVLEARN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TMVLEARN_LEARNER", "ada")


def answer(store, when: datetime, correct: bool, qid: str = QID, lesson: str = "01_biogenesis", **extra):
    store.record(lesson=lesson, question_id=qid, response="x", score=1.0 if correct else 0.0,
                 correct=correct, learner="ada", time=when.isoformat(timespec="milliseconds"), **extra)


def due_at(store, qid: str = QID) -> datetime:
    frame = due("ada", upcoming=True, store=store)
    return frame.set_index("question_id").loc[qid, "due"].to_pydatetime()


def test_a_miss_comes_back_in_the_same_sitting_rights_push_it_to_weeks_and_a_miss_brings_it_back(tmp_path):
    store = ProgressStore(tmp_path / FILENAME)
    answer(store, T0, False)
    first = due_at(store)
    assert first == T0 + timedelta(minutes=10), "a miss is due again within the sitting"
    assert due("ada", now=T0 + timedelta(minutes=5), store=store).empty, "not due at once"
    assert due("ada", now=first, store=store)["question_id"].tolist() == [QID]

    when = first
    gaps = []
    for _ in range(4):  # four right answers in a row, each given when the question is due
        answer(store, when, True)
        nxt = due_at(store)
        gaps.append(nxt - when)
        when = nxt
    assert gaps[0] == timedelta(days=1), "a relearned question waits a day"
    assert gaps == sorted(gaps) and gaps[-1] >= timedelta(weeks=2), gaps

    answer(store, when, False)
    assert due_at(store) == when + timedelta(minutes=10), "a miss brings it back within the sitting"
    row = due("ada", upcoming=True, store=store).iloc[0]
    assert (row["last_result"], row["times_seen"], row["lesson"]) == ("missed", 6, "01_biogenesis")


def test_right_first_time_comes_back_after_days_not_minutes(tmp_path):
    store = ProgressStore(tmp_path / FILENAME)
    answer(store, T0, True)
    assert due_at(store) == T0 + timedelta(days=2)


def test_states_kept_under_an_older_rule_are_recomputed_not_trusted(tmp_path):
    """An older tmvlearn kept a miss due a day later (rules version 1, no 'rules' key): this one
    reads it as due after 10 minutes, and rewrites the state at its next write."""
    import sqlite3

    db = tmp_path / FILENAME
    store = ProgressStore(db)
    answer(store, T0, False)
    store.close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE review_state SET due = ?", ((T0 + timedelta(days=1)).isoformat(),))
    conn.execute("DELETE FROM review_meta WHERE key = 'rules'")
    conn.commit()
    conn.close()
    assert due_at(ProgressStore(db, read_only=True)) == T0 + timedelta(minutes=10), "read: recomputed"
    store = ProgressStore(db)
    answer(store, T0 + timedelta(hours=1), False, qid="bio-ca-steps")
    store.close()
    conn = sqlite3.connect(db)
    kept = dict(conn.execute("SELECT item, due FROM review_state"))
    rules = conn.execute("SELECT value FROM review_meta WHERE key = 'rules'").fetchone()
    conn.close()
    assert kept[QID] == (T0 + timedelta(minutes=10)).isoformat(timespec="seconds"), kept
    assert rules == (2,)


def test_the_grade_mapping():
    from fsrs import Rating

    assert rating(1.0, True) == Rating.Good
    assert rating(0.8, True) == Rating.Hard
    assert rating(0.5, False) == Rating.Again  # partly right is still a miss
    assert rating(0.0, False) == Rating.Again


def test_reveals_and_exercises_do_not_count_and_flashcards_have_their_own_ids(tmp_path):
    store = ProgressStore(tmp_path / FILENAME)
    answer(store, T0, False, qid="rev-ex-receptor-terms", lesson="07_review", mode="exercise", kind="reveal")
    answer(store, T0, True, qid="rev-ex-clinical-refs", lesson="07_review", mode="exercise")
    answer(store, T0, True, qid="card:EMMPRIN", lesson="glossary", mode="flashcard")
    frame = due("ada", upcoming=True, store=store)
    assert frame["question_id"].tolist() == ["card:EMMPRIN"] and frame["kind"].tolist() == ["flashcard"]
    assert due("ada", upcoming=True, cards=False, store=store).empty
    assert store.summary("ada")["lesson"].tolist() == ["07_review"], "flashcards are no lesson's quiz"


def test_the_stored_state_is_the_state_computed_from_the_attempts(tmp_path):
    db = tmp_path / FILENAME
    store = ProgressStore(db)
    for day, ok in enumerate([False, True, True, False, True]):
        answer(store, T0 + timedelta(days=3 * day), ok)
    attempts = store.attempts("ada")
    recomputed = compute_states(attempts.to_dict("records"))[("ada", QID)]
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT due, seen, card FROM review_state WHERE learner = 'ada' AND item = ?",
                          (QID,)).fetchone()
    conn.close()
    assert stored == (recomputed.due, recomputed.seen, recomputed.card)


def test_states_survive_a_kernel_restart(tmp_path):
    db = tmp_path / FILENAME
    answer(ProgressStore(db), T0, False)
    script = textwrap.dedent(f"""
        from datetime import datetime, timezone
        from tmvlearn.quiz import ProgressStore, due
        store = ProgressStore({str(db)!r}, read_only=True)
        frame = due("ada", now=datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc), store=store)
        print(frame["question_id"].tolist(), frame["last_result"].tolist())
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"['{QID}'] ['missed']"


def test_a_version_1_file_is_read_without_migrating_then_migrated_with_its_history(tmp_path):
    db = tmp_path / FILENAME
    shutil.copyfile(VERSION_1, db)
    before = db.read_bytes()
    read = due("ada", upcoming=True, store=ProgressStore(db, read_only=True))
    assert db.read_bytes() == before, "reading a version-1 file writes nothing"
    assert sorted(read["question_id"]) == ["bio-ca-scramblase", "cargo-id-markers"], "reveals left out"

    store = ProgressStore(db)
    answer(store, datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc), True, qid="cargo-id-markers",
           lesson="03_cargo_biomarkers")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    items = dict(conn.execute("SELECT item, seen FROM review_state WHERE learner = 'ada'").fetchall())
    assert conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == 7, "every old attempt kept"
    conn.close()
    assert items == {"bio-ca-scramblase": 3, "cargo-id-markers": 2}, "past attempts got their state"
    migrated = due("ada", upcoming=True, store=ProgressStore(db, read_only=True)).set_index("question_id")
    assert migrated.loc["bio-ca-scramblase", "due"] == read.set_index("question_id").loc[
        "bio-ca-scramblase", "due"], "the same state as computed from the history"
    assert len(due("bob", upcoming=True, store=ProgressStore(db, read_only=True))) == 1


def test_attempts_an_older_tmvlearn_added_are_caught_up(tmp_path):
    db = tmp_path / FILENAME
    store = ProgressStore(db)
    answer(store, T0, True)
    store.close()
    conn = sqlite3.connect(db)  # what a schema-1 tmvlearn does with a newer file: add the row, nothing else
    conn.execute("INSERT INTO attempts (learner, lesson, question_id, response, score, correct, time, uid) "
                 "VALUES ('ada', '01_biogenesis', ?, '\"x\"', 0, 0, ?, 'old-writer')",
                 (QID, (T0 + timedelta(days=2)).isoformat()))
    conn.commit()
    conn.close()
    reader = due("ada", upcoming=True, store=ProgressStore(db, read_only=True))
    assert reader.iloc[0]["last_result"] == "missed", "a reader already sees it"
    answer(ProgressStore(db), T0 + timedelta(days=2, hours=1), True, qid="bio-ca-steps")
    conn = sqlite3.connect(db)
    seen = conn.execute("SELECT seen, last_correct FROM review_state WHERE item = ?", (QID,)).fetchone()
    conn.close()
    assert seen == (2, 0), "the next write stores it"


def test_pending_attempts_count_at_once_and_update_the_state_when_replayed(tmp_path, monkeypatch):
    db = tmp_path / FILENAME
    store = ProgressStore(db)
    answer(store, T0, True)
    real = store_module.ProgressStore._insert
    def locked(self, rows):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store_module.ProgressStore, "_insert", locked)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answer(store, T0 + timedelta(days=2), False)
    assert db.with_name(FILENAME + ".pending").exists()
    frame = due("ada", upcoming=True, store=ProgressStore(db, read_only=True))
    assert frame.iloc[0]["last_result"] == "missed" and "waiting" in " ".join(frame.attrs["notes"])
    monkeypatch.setattr(store_module.ProgressStore, "_insert", real)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answer(ProgressStore(db), T0 + timedelta(days=2, minutes=5), True, qid="bio-ca-steps")
    assert not db.with_name(FILENAME + ".pending").exists()
    conn = sqlite3.connect(db)
    seen = conn.execute("SELECT seen, last_correct FROM review_state WHERE item = ?", (QID,)).fetchone()
    conn.close()
    assert seen == (2, 0), "the replayed attempt moved the stored state"


def test_a_failing_scheduler_never_costs_an_attempt(tmp_path, monkeypatch):
    import tmvlearn.progress.review_cache as review_cache

    db = tmp_path / FILENAME
    store = ProgressStore(db)
    monkeypatch.setattr(review_cache, "compute_states", lambda rows: 1 / 0)
    answer(store, T0, False)
    assert len(store.attempts("ada")) == 1
    monkeypatch.undo()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    answer(store, T0 + timedelta(hours=1), True, qid="bio-ca-steps")
    conn = sqlite3.connect(db)
    stored = sorted(r[0] for r in conn.execute("SELECT item FROM review_state"))
    conn.close()
    assert stored == sorted(["bio-ca-steps", QID]), "the missed state is stored at the next write"


def test_a_damaged_file_is_reviewed_from_what_can_be_read(tmp_path):
    db = tmp_path / FILENAME
    db.write_bytes(b"this is not a database" * 100)
    frame = due("ada", store=ProgressStore(db, read_only=True))
    assert frame.empty and "damaged" in " ".join(frame.attrs["notes"])
    assert db.read_bytes().startswith(b"this is not"), "reading moves nothing"


def test_the_review_mixes_lessons_oldest_due_first_and_labels_each_question(tmp_path):
    store = ProgressStore(tmp_path / FILENAME)
    cargo = [q.id for q in load_bank("03_cargo_biomarkers").questions][:3]
    bio = [q.id for q in load_bank("01_biogenesis").questions][:2]
    for i, qid in enumerate(cargo):
        answer(store, T0 + timedelta(minutes=i), False, qid=qid, lesson="03_cargo_biomarkers")
    for i, qid in enumerate(bio):
        answer(store, T0 + timedelta(minutes=10 + i), False, qid=qid, lesson="01_biogenesis")
    quiz = review(n=4, now=T0 + timedelta(days=2), store=store)
    ids = [q.id for q in quiz.questions]
    assert ids == [cargo[0], bio[0], cargo[1], bio[1]], "lessons in turn, oldest first within each"
    assert quiz.mode == "practice"
    assert "Lesson 3" in quiz.labels[cargo[0]] and "Source:" in quiz.labels[cargo[0]]
    assert "5 questions due" in quiz.intro_html
    assert "Here are 4 of them, taken in turn from each lesson" in quiz.intro_html
    assert quiz.widget is not None  # built: the label is shown above the prompt
    assert "Lesson 3" in quiz._panels[0].box.children[0].value
    assert quiz.kept_label.value == "", "no 'kept from before' line: every question here was answered before"


def test_mix_lessons_keeps_oldest_first_within_a_lesson():
    import pandas as pd

    frame = pd.DataFrame({"question_id": ["a1", "a2", "b1", "a3"], "lesson": ["A", "A", "B", "A"]})
    assert mix_lessons(frame, 3) == ["a1", "b1", "a2"]


def test_a_review_batch_is_drawn_in_turn_from_every_lesson_with_items_due():
    """26 due from 5 lessons, the 10 oldest all from two of them: ten are two from each lesson."""
    import pandas as pd

    counts = {"L0": 8, "L1": 8, "L2": 4, "L3": 3, "L4": 3}
    rows = [(f"{lesson}-{i}", lesson) for lesson, k in counts.items() for i in range(k)]  # oldest first
    frame = pd.DataFrame(rows, columns=["question_id", "lesson"])
    chosen = mix_lessons(frame, 10)
    assert len(chosen) == 10 and sorted({q.split("-")[0] for q in chosen}) == sorted(counts)
    assert all(sum(q.startswith(lesson) for q in chosen) == 2 for lesson in counts)
    assert chosen[:5] == ["L0-0", "L1-0", "L2-0", "L3-0", "L4-0"]


def test_the_printed_review_is_a_fixed_sample_never_the_learners_state(tmp_path):
    store = ProgressStore(tmp_path / FILENAME)
    fresh = review(n=5, seed=3, store=store).static_bundle()
    answer(store, T0, False)
    quiz = review(n=5, seed=3, now=T0 + timedelta(days=2), store=store)
    assert quiz.static_bundle() == fresh, "the static copy ignores the learner's history"
    assert "fixed sample" in fresh["text/plain"]
    assert review(n=5, seed=4, store=store).static_bundle() != fresh
    lessons = {q.lesson for q in review(n=8, store=store).sample}
    assert len(lessons) >= 4, "the sample mixes lessons"
    assert review(n=3, interactive=False, store=store).questions == []


def test_with_no_history_the_review_says_what_to_do_first(tmp_path):
    quiz = review(store=ProgressStore(tmp_path / FILENAME))
    assert quiz.questions == [] and "Nothing to review yet" in quiz.intro_html
    assert "01_biogenesis" in quiz.intro_html


@pytest.mark.parametrize("n", [0, -1, 2.5, True, "3"])
def test_a_bad_n_is_named(n):
    from tmvlearn.errors import UsageError

    with pytest.raises(UsageError, match=r"review\(n=...\)"):
        review(n=n)


def test_answers_in_the_review_are_recorded_and_move_the_question_on(tmp_path):
    store = ProgressStore(tmp_path / FILENAME)
    answer(store, T0, False)
    monkey_now = T0 + timedelta(days=2)
    quiz = review(n=3, now=monkey_now, store=store)
    question = quiz.questions[0]
    quiz.record = False  # grade through the quiz, keep the attempt with the fake clock below
    quiz._grade(question, question.key_response())
    answer(store, monkey_now, True)
    assert due_at(store) > monkey_now + timedelta(days=1)


def test_the_command_says_how_many_are_due_and_when_the_next_come(tmp_path, capsys):
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    assert "Nothing to review yet" in out and "not created yet" in out
    assert not (tmp_path / "home" / FILENAME).exists(), "the command creates nothing"
    store = store_module.get_store()
    now = datetime.now(timezone.utc)
    answer(store, now - timedelta(days=3), False)
    answer(store, now - timedelta(days=3), False, qid="bio-ca-steps")
    answer(store, now, True, qid="cargo-id-markers", lesson="03_cargo_biomarkers")
    store.close()
    assert main(["review", "--list"]) == 0
    out = capsys.readouterr().out
    assert "2 questions due for review now" in out and "Quiz questions due: 2 (from 01_biogenesis)" in out
    assert "next: 1 question becomes due from" in out and " UTC" in out and QID in out


def test_the_command_and_the_review_cell_count_alike_and_say_what_they_count(capsys):
    store = store_module.get_store()
    now = datetime.now(timezone.utc)
    answer(store, now - timedelta(days=3), False)  # due now
    answer(store, now - timedelta(minutes=5), True, qid="bio-ca-steps")  # later
    answer(store, now - timedelta(minutes=4), True, qid="cargo-id-markers", lesson="03_cargo_biomarkers")
    for term, knew in (("EV", True), ("MV", True), ("TMV", False)):
        store.record(lesson="glossary", question_id=f"card:{term}", response="x", score=float(knew),
                     correct=knew, learner="ada", mode="flashcard",
                     time=(now - timedelta(days=3 if not knew else 0)).isoformat(timespec="milliseconds"))
    store.close()
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    cell = review(n=5, now=now).intro_html
    for words in ("2 items (1 question, 1 flashcard) due for review now",
                  "4 items (2 questions, 2 flashcards) become due from",
                  "4 in the next 7 days; 4 items (2 questions, 2 flashcards) scheduled in all"):
        assert words in out and words in cell, (words, out, cell)
    assert " UTC" in cell


def test_the_command_on_an_unreadable_file_is_an_error(tmp_path, capsys):
    (tmp_path / "home" / FILENAME).mkdir(parents=True)
    assert main(["review"]) == 1
    assert "folder" in capsys.readouterr().err


def test_a_variant_question_gets_fresh_numbers_in_each_review(tmp_path):
    from tmvlearn.quiz.bank import all_questions

    variant = next((q for q in all_questions().values() if q.variant_info() is not None), None)
    if variant is None:
        pytest.skip("no bank question has a variant yet")
    store = ProgressStore(tmp_path / FILENAME)
    answer(store, T0, False, qid=variant.id, lesson=variant.lesson)
    seen = []
    for i in range(3):
        quiz = review(n=1, now=T0 + timedelta(days=3), store=store)
        quiz.widget  # noqa: B018  (each panel draws its numbers)
        assert [p.q.id for p in quiz._panels] == [variant.id]
        seen.append(tuple(sorted(quiz._panels[0].q.variant_values.items())))
        answer(store, T0 + timedelta(minutes=1 + i), False, qid="bio-ca-steps")  # one more answer since
    assert len(set(seen)) >= 2, "fresh numbers when the learner has answered since"
    assert review(n=1, now=T0 + timedelta(days=3), store=store).static_bundle() == \
        review(n=1, now=T0 + timedelta(days=3), store=store).static_bundle()


def test_a_migration_with_a_failing_scheduler_still_opens_and_catches_up_later(tmp_path, monkeypatch):
    import tmvlearn.progress.review_cache as review_cache

    db = tmp_path / FILENAME
    shutil.copyfile(VERSION_1, db)
    monkeypatch.setattr(review_cache, "compute_states", lambda rows, start=None: 1 / 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no attempt may go to a journal
        answer(ProgressStore(db), datetime(2026, 1, 5, tzinfo=timezone.utc), True)
    monkeypatch.undo()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    answer(ProgressStore(db), datetime(2026, 1, 6, tzinfo=timezone.utc), True, qid="bio-ca-steps")
    conn = sqlite3.connect(db)
    seen = dict(conn.execute("SELECT item, seen FROM review_state WHERE learner = 'ada'").fetchall())
    conn.close()
    assert seen == {QID: 4, "cargo-id-markers": 1, "bio-ca-steps": 1}

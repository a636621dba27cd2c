"""Kept progress as a learner and an instructor see it: the summary, schema versions, damage, faults
that can be made in-process (a lock held too long, no folder for a journal), exports and the command.

Faults that need the operating system (permissions as another user, a full disk, too many open
files, several processes) are in tests/test_faults.py.
"""

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pandas as pd
import pytest

from tmvlearn.cli import main
from tmvlearn.progress import FILENAME, SCHEMA_VERSION, ProgressError, faults
from tmvlearn.progress import journal as journal_module
from tmvlearn.progress import store as store_module
from tmvlearn.quiz import ProgressStore, ProgressWarning, export_progress, load_bank, progress, record_attempt

BANK = load_bank("01_biogenesis")
TF = BANK["bio-ca-scramblase"]  # answer: False
QUESTIONS = len(BANK.questions)
VERSION_0 = Path(__file__).with_name("data") / "progress-v0.sqlite3"  # written by tmvlearn 0.1.0


@pytest.fixture(autouse=True)
def private_state(tmp_path, monkeypatch):
    """Second-choice pending journals go to the user state folder: keep that inside the test."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("TMVLEARN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TMVLEARN_LEARNER", "ada")
    return tmp_path / "home"


def fill(store: ProgressStore, n: int, *, lesson: str = "01_biogenesis", prefix: str = "q", **extra) -> None:
    for i in range(n):
        store.record(lesson=lesson, question_id=f"{prefix}{i}", response="x" * 50, score=1, correct=True,
                     learner="ada", **extra)


def rows(db: Path, where: str = "") -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM attempts NOT INDEXED {where}").fetchone()[0]
    finally:
        conn.close()


def user_version(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def progress_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, ProgressWarning)]


# --- what the learner sees ----------------------------------------------------------------------

def test_attempts_are_kept_and_summarised_per_lesson(home):
    record_attempt(TF, True)   # wrong
    record_attempt(TF, False)  # right
    record_attempt(BANK["bio-history-decade"], "1980")  # wrong
    record_attempt(TF, "false", learner="grace")
    summary = progress()
    first = summary.to_dict("records")[0]
    assert first.pop("last_activity").startswith("20")
    assert first == {"lesson": "01_biogenesis", "questions_answered": 2, "questions_total": QUESTIONS,
                     "questions_correct": 1, "first_score": 0.0, "best_score": 0.5, "attempts": 3,
                     "exercises_passed": 0, "exercises_total": 2, "solutions_revealed": 0}
    assert summary.attrs["source"].startswith(str(home / FILENAME))
    assert progress("grace")["attempts"].tolist() == [1]
    # a fresh store (as after a kernel restart) sees the same file
    again = ProgressStore(home / FILENAME).attempts("ada")
    assert again["response"].tolist() == ["true", "false", '"1980"']
    assert again["correct"].tolist() == [False, True, False]
    assert again[["mode", "kind"]].drop_duplicates().values.tolist() == [["practice", "answer"]]
    assert again["take"].tolist() == [1, 1, 1]


def test_reading_never_creates_the_database(home):
    assert progress().empty
    assert not home.exists() or not (home / FILENAME).exists()


def test_reveals_test_takes_and_unknown_lessons_in_the_summary(tmp_path):
    store = ProgressStore(tmp_path / FILENAME)
    ids = [q.id for q in BANK.questions]

    def attempt(qid, score, **kw):
        store.record(lesson="01_biogenesis", question_id=qid, response=None, score=score, correct=score == 1,
                     learner="ada", **kw)

    attempt(ids[0], 0)
    attempt(ids[0], 1)
    attempt(ids[1], 1)
    attempt(ids[2], 0, kind="reveal")  # revealed on purpose: kept, but not an answer
    for qid, score in zip(ids[:3], (1, 0, 1), strict=True):  # the first completed test take
        attempt(qid, score, mode="test", take=1)
    for qid in ids[:3]:  # a retake, all right
        attempt(qid, 1, mode="test", take=2)
    store.record(lesson="99_custom", question_id="mine", response=1, score=0.5, correct=False, learner="ada")

    summary = store.summary("ada").set_index("lesson")
    bio = summary.loc["01_biogenesis"]
    assert (bio["questions_answered"], bio["questions_total"], bio["attempts"]) == (3, QUESTIONS, 9)
    assert bio["first_score"] == pytest.approx(2 / 3, abs=1e-3)  # q0 0, q1 1, q2 1 (its first answer)
    assert bio["best_score"] == 1.0
    assert bio["test_first_score"] == pytest.approx(2 / QUESTIONS, abs=1e-3)  # the first take, not the retake
    custom = summary.loc["99_custom"]  # no bank: what is there
    assert (custom["questions_answered"], custom["questions_total"]) == (1, 1)
    assert pd.isna(custom["test_first_score"])
    kept = store.attempts("ada")
    assert kept["kind"].tolist().count("reveal") == 1
    assert kept.loc[kept["mode"] == "test", "take"].tolist() == [1, 1, 1, 2, 2, 2]


def test_mode_kind_and_take_are_checked(tmp_path):
    store = ProgressStore(tmp_path / FILENAME)
    with pytest.raises(ProgressError, match="one of practice, test, exercise, flashcard, not 'exam'"):
        store.record(lesson="l", question_id="q", response=1, score=1, correct=True, mode="exam")
    with pytest.raises(ProgressError, match="kind must be one of answer, reveal"):
        record_attempt(TF, False, store=store, kind="peek")
    with pytest.raises(ProgressError, match="take must be a whole number of 1 or more"):
        record_attempt(TF, False, store=store, mode="test", take=0)
    assert record_attempt(TF, None, store=store, kind="reveal") is None  # a reveal is not graded
    assert store.attempts(all_learners=True)["kind"].tolist() == ["reveal"]


# --- schema versions ------------------------------------------------------------------------------

def test_a_version_0_database_is_migrated_and_keeps_every_attempt(tmp_path):
    db = tmp_path / FILENAME
    shutil.copyfile(VERSION_0, db)
    original = sqlite3.connect(VERSION_0).execute(
        "SELECT learner, lesson, question_id, response, score, correct, time FROM attempts ORDER BY id"
    ).fetchall()
    assert len(original) == 9 and user_version(db) == 0

    # reading does not migrate (or write anything)
    before = db.read_bytes()
    read = ProgressStore(db, read_only=True).read(all_learners=True)
    assert len(read.attempts) == 9 and set(read.attempts["mode"]) == {"practice"}
    assert db.read_bytes() == before and user_version(db) == 0

    store = ProgressStore(db)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        store.record(lesson="01_biogenesis", question_id="bio-ca-scramblase", response=False, score=1,
                     correct=True, learner="ada", mode="test", take=2)
    assert not progress_warnings(caught), "a migration is silent: nothing is wrong"
    assert user_version(db) == SCHEMA_VERSION
    assert not list(tmp_path.glob("*.corrupt-*"))
    migrated = sqlite3.connect(db).execute(
        "SELECT learner, lesson, question_id, response, score, correct, time, mode, kind, take FROM attempts "
        "ORDER BY id").fetchall()
    assert [r[:7] for r in migrated[:9]] == original, "every old attempt, unchanged"
    assert [r[7:] for r in migrated] == [("practice", "answer", 1)] * 9 + [("test", "answer", 2)]
    assert ProgressStore(db).summary("grace")["questions_answered"].tolist() == [2]


def test_a_database_from_a_newer_tmvlearn_is_read_and_added_to_never_moved(tmp_path):
    db = tmp_path / FILENAME
    fill(ProgressStore(db), 3)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE attempts ADD COLUMN confidence REAL NOT NULL DEFAULT 0.5")
    conn.execute("CREATE TABLE reviews (question_id TEXT, due TEXT)")
    conn.execute("INSERT INTO reviews VALUES ('q0', '2030-01-01')")
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()

    newer = ProgressStore(db)
    with pytest.warns(ProgressWarning, match=r"newer tmvlearn \(schema version 7; this one knows up to 2\)"):
        newer.record(lesson="01_biogenesis", question_id="new", response=1, score=1, correct=True,
                     learner="ada")
    assert user_version(db) == 7 and rows(db) == 4
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 1, "its own data is untouched"
    assert {r[1] for r in conn.execute("PRAGMA table_info(attempts)")} >= {"confidence"}
    conn.close()
    assert not list(tmp_path.glob("*.corrupt-*"))
    reading = ProgressStore(db, read_only=True).read("ada")
    assert len(reading.attempts) == 4 and any("newer tmvlearn" in note for note in reading.notes)


def test_a_table_that_is_not_ours_is_left_alone_and_the_attempt_waits(tmp_path):
    db = tmp_path / FILENAME
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE attempts (id INTEGER PRIMARY KEY, something TEXT)")
    conn.execute("INSERT INTO attempts (something) VALUES ('precious')")
    conn.commit()
    conn.close()
    with pytest.warns(ProgressWarning, match="is not a tmvlearn progress database .*kept in"):
        record_attempt(TF, False, store=ProgressStore(db), learner="ada")
    assert rows(db) == 1 and not list(tmp_path.glob("*.corrupt-*"))
    assert (tmp_path / (FILENAME + ".pending")).exists()


# --- damage SQLite proves ---------------------------------------------------------------------------

def corrupt_index(db: Path) -> None:
    """Overwrite the root page of the attempts index: SQLite's check fails, every row stays readable."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'attempts_learner'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(b"\xff" * size)


def test_a_truncated_database_is_moved_aside_and_its_readable_rows_kept(tmp_path):
    db = tmp_path / FILENAME
    store = ProgressStore(db)
    fill(store, 300)
    store.close()
    assert not (tmp_path / (FILENAME + "-wal")).exists()  # closing checkpointed the log into the file
    with open(db, "r+b") as fh:
        fh.truncate(db.stat().st_size // 2)
    half = db.read_bytes()
    expected = r"was damaged .*moved to .*corrupt-1 .*holding the (\d+) attempts"
    with pytest.warns(ProgressWarning, match=expected) as caught:
        store = ProgressStore(db)
        store.record(lesson="l", question_id="after", response=1, score=1, correct=True, learner="ada")
    salvaged = int(re.search(expected, str(caught[0].message)).group(1))
    assert 100 < salvaged < 300, "the first half of the rows is still readable"
    assert (tmp_path / (FILENAME + ".corrupt-1")).read_bytes() == half, "the damaged file is kept as it was"
    kept = store.attempts("ada")["question_id"].tolist()
    # every salvaged row (a damaged one may have lost its learner or time) and the new attempt
    assert len(store.attempts(all_learners=True)) == salvaged + 1 and kept[-1] == "after" and "q0" in kept


def test_a_damaged_index_loses_no_attempt(tmp_path):
    db = tmp_path / FILENAME
    store = ProgressStore(db)
    fill(store, 300)
    store.close()
    corrupt_index(db)
    with pytest.warns(ProgressWarning, match="holding the 300 attempts"):
        ProgressStore(db).record(lesson="l", question_id="after", response=1, score=1, correct=True,
                                 learner="ada")
    assert rows(db) == 301
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_garbage_file_is_moved_aside_and_kept(tmp_path):
    db = tmp_path / FILENAME
    db.write_bytes(b"this is not a database at all" * 100)
    with pytest.warns(ProgressWarning, match="file is not a database"):
        ProgressStore(db).record(lesson="l", question_id="q", response=None, score=0, correct=False,
                                 learner="a")
    assert (tmp_path / (FILENAME + ".corrupt-1")).read_bytes().startswith(b"this is not")
    assert rows(db) == 1


def test_an_open_store_never_writes_into_a_file_another_process_moved_aside(tmp_path):
    db = tmp_path / FILENAME
    kernel = ProgressStore(db)  # a notebook that has the file open
    fill(kernel, 300)
    corrupt_index(db)
    other = subprocess.run(
        [sys.executable, "-W", "always", "-c",
         "import sys; from tmvlearn.progress import ProgressStore; ProgressStore(sys.argv[1]).record("
         "lesson='l', question_id='other', response=0, score=1, correct=True, learner='ada')", str(db)],
        capture_output=True, text=True, timeout=120)
    assert other.returncode == 0 and "moved to" in other.stderr
    fill(kernel, 5, prefix="later")
    assert rows(db) == 306, "the open notebook's attempts went to the new file"
    assert rows(tmp_path / (FILENAME + ".corrupt-1")) == 300, "and none into the moved-aside one"


# --- faults that leave the file as it is --------------------------------------------------------------

def test_every_check_while_locked_says_where_the_attempt_waits_and_it_is_added_later(tmp_path, monkeypatch):
    monkeypatch.setattr(faults, "BUSY_MS", 20)
    db = tmp_path / FILENAME
    store = ProgressStore(db)
    fill(store, 5)
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(20):
            assert record_attempt(TF, False, store=store, learner="ada") is not None
    said = progress_warnings(caught)
    assert len(said) == 20, "every check says so, not only the first"
    journal = tmp_path / (FILENAME + ".pending")
    for n, message in enumerate(said, 1):
        assert "locked" in message and str(journal) in message and f"({n} attempt" in message
    assert rows(db) == 5 and not list(tmp_path.glob("*.corrupt-*")), "the file stays where it is"
    assert len(store.attempts("ada")) == 25, "reading includes the waiting attempts"
    locker.execute("ROLLBACK")
    locker.close()
    with pytest.warns(ProgressWarning, match="20 earlier attempts .* were added"):
        record_attempt(TF, False, store=ProgressStore(db), learner="ada")
    assert rows(db) == 26 and not journal.exists()


def test_with_no_folder_for_a_journal_every_check_says_the_attempts_are_in_memory_only(tmp_path, monkeypatch):
    db = tmp_path / FILENAME
    db.mkdir()  # the database path is unusable
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(store_module, "journal_paths", lambda path: [blocker / "journal"])
    store = ProgressStore(db)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(20):
            record_attempt(TF, False, store=store, learner="ada")
    said = progress_warnings(caught)
    assert len(said) == 20
    assert all("memory only" in m and "lost when the kernel stops" in m for m in said)
    assert "20 attempts are held" in said[-1]
    assert len(store.attempts("ada")) == 20
    db.rmdir()  # fixed
    monkeypatch.undo()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    with pytest.warns(ProgressWarning, match="20 earlier attempts"):
        record_attempt(TF, False, store=store, learner="ada")
    assert rows(db) == 21


def test_an_unusable_folder_keeps_attempts_in_the_state_folder_and_grading_still_works(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TMVLEARN_HOME", str(blocker / "home"))  # cannot be created
    monkeypatch.setenv("TMVLEARN_LEARNER", "ada")
    with pytest.warns(ProgressWarning, match=r"cannot create the folder .*kept in .*state") as caught:
        result = record_attempt(TF, False)
    assert result.correct and result.score == 1.0
    assert str(tmp_path / "state") in str(caught[0].message)
    with pytest.warns(ProgressWarning, match="waiting in"):  # the reader says where it found it
        assert progress()["attempts"].tolist() == [1]  # kept, and shown


def test_a_pending_journal_is_added_once_and_a_half_written_line_ignored(tmp_path):
    db = tmp_path / FILENAME
    fill(ProgressStore(db), 1)
    journal = tmp_path / (FILENAME + ".pending")
    line = {"v": 1, "db": str(db), "uid": "u1", "learner": "ada", "lesson": "l", "question_id": "j",
            "response": "1", "score": 1.0, "correct": 1, "time": "2030-01-01T00:00:00.000+00:00",
            "mode": "practice", "kind": "answer", "take": 1}
    foreign = dict(line, uid="u2", db=str(tmp_path / "another.sqlite3"))
    journal.write_text(json.dumps(line) + "\n" + json.dumps(line) + "\n" + json.dumps(foreign) + "\n"
                       + json.dumps(dict(line, uid="u3"))[:40], encoding="utf-8")
    with pytest.warns(ProgressWarning, match="1 earlier attempt that could not be saved at the time was"):
        fill(ProgressStore(db), 1, prefix="next")
    assert rows(db) == 3 and not journal.exists()
    journal.write_text(json.dumps(line) + "\n", encoding="utf-8")  # replayed again: still once
    fill(ProgressStore(db), 1, prefix="again")
    assert rows(db, "WHERE question_id = 'j'") == 1


# --- exports and the command ---------------------------------------------------------------------------

def test_export_csv_and_json(home, tmp_path):
    record_attempt(TF, "False")
    record_attempt(BANK["bio-ca-inner-lipids"], ["Phosphatidylserine"])
    csv_path = export_progress(tmp_path / "out.csv")
    frame = pd.read_csv(csv_path)
    assert list(frame.columns) == ["learner", "lesson", "question_id", "response", "score", "correct", "time",
                                   "mode", "kind", "take"]
    assert frame["question_id"].tolist() == ["bio-ca-scramblase", "bio-ca-inner-lipids"]
    data = json.loads(export_progress(tmp_path / "out.json").read_text())
    assert data["learner"] == "ada" and data["attempts"][1]["response"] == ["Phosphatidylserine"]
    assert data["summary"][0]["questions_correct"] == 1 and data["summary"][0]["questions_total"] == QUESTIONS
    with pytest.raises(ProgressError, match=r"\.csv or \.json"):
        export_progress(tmp_path / "out.xlsx")


def test_an_export_keeps_an_existing_file_unless_forced(home, tmp_path, capsys):
    record_attempt(TF, False)
    target = tmp_path / "results.csv"
    target.write_text("the teacher's own notes\n")
    assert main(["progress", "--csv", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tmvlearn progress: error: {target} already exists and was left as it is")
    assert "--force" in err and target.read_text() == "the teacher's own notes\n"
    assert main(["progress", "--csv", str(target), "--force"]) == 0
    assert pd.read_csv(target)["question_id"].tolist() == ["bio-ca-scramblase"]
    assert main(["progress", "--json", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["progress", "--csv", str(tmp_path / "missing-dir" / "x.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [], "no temporary left"


def test_the_command_shows_answered_n_of_m_scores_and_where_it_read(home, capsys):
    record_attempt(TF, True)
    record_attempt(TF, False)
    record_attempt(BANK["bio-history-decade"], "1980")
    assert main(["progress"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Quiz progress for learner 'ada' (read from {home / FILENAME} (read-only)):"
    header, row = out[1].split(), out[2].split()
    assert header[:6] == ["lesson", "answered", "first", "try", "best", "attempts"]
    assert row[:7] == ["01_biogenesis", "2", "of", str(QUESTIONS), "0%", "50%", "3"]
    assert main(["progress", "--learner", "nobody"]) == 0
    assert capsys.readouterr().out.startswith("No quiz attempts recorded for learner 'nobody' (read from ")


@pytest.mark.notebooks
@pytest.mark.slow  # starts a kernel
def test_headless_notebook_run_writes_no_database(tmp_path, monkeypatch):
    """nbval and papermill never click: building and showing a quiz must not create the database."""
    import nbformat
    from nbclient import NotebookClient

    home = tmp_path / "learner-home"
    monkeypatch.setenv("TMVLEARN_HOME", str(home))
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from tmvlearn import quiz\nquiz.show('01_biogenesis')"),
        nbformat.v4.new_code_cell("quiz.show('01_biogenesis', mode='test', shuffle=True, seed=3)"),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    assert not (home / FILENAME).exists()
    stored = json.dumps([c.outputs for c in nb.cells])
    assert "tmv-quiz-static" in stored
    for q in BANK:  # nor does any stored output carry an answer
        assert q.explanation not in stored


WRITER = textwrap.dedent(
    """
    import sys
    from tmvlearn.quiz import load_bank, ProgressStore
    q = load_bank("01_biogenesis")["bio-ca-scramblase"]
    store = ProgressStore(sys.argv[1])
    for i in range(500):
        store.record(lesson="01_biogenesis", question_id=q.id, response=i, score=1.0, correct=True,
                     learner=sys.argv[2])
    """
)


@pytest.mark.slow  # tests/test_faults.py runs four writers and a reader
def test_two_processes_writing_500_attempts_each_lose_none(tmp_path):
    db = tmp_path / FILENAME
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), name]) for name in ("p1", "p2")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    frame = ProgressStore(db).attempts(all_learners=True)
    assert len(frame) == 1000
    for name in ("p1", "p2"):
        got = sorted(int(r) for r in frame.loc[frame["learner"] == name, "response"])
        assert got == list(range(500))


def test_the_command_never_says_no_attempts_for_a_file_it_cannot_read(home, capsys):
    (home / FILENAME).mkdir(parents=True)
    assert main(["progress"]) == 1
    err = capsys.readouterr().err
    assert err == (f"tmvlearn progress: error: {home / FILENAME} is a folder, not a progress database; "
                   "move it away.\n")


def test_the_last_journal_is_a_private_folder_in_tmp_and_never_someone_elses(tmp_path, monkeypatch):
    import os
    import tempfile

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker / "state"))  # the state folder is unusable too
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(journal_module, "SYSTEM_TEMP_FOLDERS", [])  # this test's folder is the only one
    (tmp_path / "tmp").mkdir()
    store = ProgressStore(blocker / "home" / FILENAME)
    private = tmp_path / "tmp" / f"tmvlearn-{os.getuid()}"
    with pytest.warns(ProgressWarning, match=f"kept in {private}/"):
        record_attempt(TF, False, store=store, learner="ada")
    assert private.stat().st_mode & 0o777 == 0o700
    assert len(store.attempts("ada")) == 1
    shutil.rmtree(private)
    private.mkdir(mode=0o777)  # made by someone else, or open to all: not for a learner's answers
    private.chmod(0o777)
    with pytest.warns(ProgressWarning, match="memory only"):
        record_attempt(TF, False, store=store, learner="ada")
    assert not list(private.iterdir())

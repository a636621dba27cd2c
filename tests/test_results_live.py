"""The live poll (issue 25, item 3): reading learners' progress files while they write, read-only and
incrementally, and the spread of each learner's latest answer to one question since a start time.

Files are written by tmvlearn's own store (:class:`tmvlearn.progress.ProgressStore`), one folder per
learner as on a hub's course volume. Every test that opens hostile files runs under an alarm, so a
hang fails the test instead of stopping the run.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import stat
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from learner_kernel import answer_repeatedly
from ordinary_user import NOBODY, as_nobody

from tmvlearn.cli import main
from tmvlearn.errors import UsageError
from tmvlearn.progress import ProgressStore
from tmvlearn.results import live
from tmvlearn.results.live import LiveReader
from tmvlearn.results.poll import SNAPSHOT_KEYS, Poll, format_poll, parse_since, question_choices

QID = "start-run-keys"  # single choice: Enter, Shift+Enter (the key), Ctrl+S, Esc then D, D
LESSON = "00_start_here"
T0 = datetime(2026, 12, 7, 14, 0, tzinfo=timezone.utc)
ROOT = os.geteuid() == 0
LIMIT = 60

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file types, modes and signals")


@pytest.fixture(autouse=True)
def time_limit(request):
    def expired(signum, frame):
        raise TimeoutError(f"{request.node.name} took more than {LIMIT} s: a hang")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(LIMIT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture
def course():
    """A course folder every user can enter (not pytest's 0700 tmp), removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="tmvlearn-live-test-"))
    root.chmod(0o755)
    yield root / "course"
    shutil.rmtree(root, ignore_errors=True)


def answer(course: Path, learner: str, response, minutes: float = 0, *, qid: str = QID, lesson: str = LESSON,
           score: float | None = None, kind: str = "answer", mode: str = "practice") -> None:
    """``learner`` answers ``qid`` at T0 + ``minutes`` (scored as the key says unless ``score``)."""
    if score is None:
        score = 1.0 if response == "Shift+Enter" else 0.0
    store = ProgressStore(course / learner / "progress.sqlite3")
    try:
        store.record(lesson=lesson, question_id=qid, response=response, score=score, correct=score == 1,
                     learner=learner, kind=kind, mode=mode,
                     time=(T0 + timedelta(minutes=minutes)).isoformat(timespec="milliseconds"))
    finally:
        store.close()


def spread(snapshot: dict) -> dict[str, int]:
    return {a["answer"]: a["count"] for a in snapshot["answers"] if a["count"]}


# --- the model --------------------------------------------------------------------------------------


def test_the_snapshot_is_the_spread_of_answers_anonymous_in_the_options_order(course):
    answer(course, "ann", "Shift+Enter")
    answer(course, "ben", "Shift+Enter", 1)
    answer(course, "cai", "Enter", 2)
    with Poll(course, QID) as poll:
        snap = poll.snapshot()
    assert set(SNAPSHOT_KEYS) <= set(snap)
    assert snap["question_id"] == QID and snap["learners"] == 3 and snap["since"] is None
    assert snap["answers"] == [
        {"answer": "Enter", "count": 1, "correct": False},
        {"answer": "Shift+Enter", "count": 2, "correct": True},
        {"answer": "Ctrl+S", "count": 0, "correct": False},
        {"answer": "Esc then D, D", "count": 0, "correct": False},
    ], "every option, in the bank's order, the key marked"
    text = json.dumps(snap)
    assert not any(name in text for name in ("ann", "ben", "cai")), "no learner's name in the snapshot"
    shown = format_poll(snap, show_answer=False)
    assert "Shift+Enter" in shown and "67%" in shown and "(correct)" not in shown
    assert "(correct)" in format_poll(snap, show_answer=True)


def test_each_learner_counts_once_with_the_latest_graded_answer_since_the_start(course):
    answer(course, "ann", "Enter", 0)  # before the round
    answer(course, "ann", "Shift+Enter", 10)
    answer(course, "ann", "Ctrl+S", 12)  # her latest
    answer(course, "ben", "Enter", 11)
    answer(course, "ben", "Shift+Enter", 13, kind="reveal", score=0)  # a revealed answer is not one
    answer(course, "cai", "Enter", 1)  # only before the round: not counted
    answer(course, "dee", "Shift+Enter", 11, mode="test")  # test mode counts
    answer(course, "dee", "True", 11, qid="start-pp-scope", score=0)  # another question
    answer(course, "eve", "Enter", 11, mode="exercise", score=0)  # not a quiz answer
    with Poll(course, QID, since=T0 + timedelta(minutes=5)) as poll:
        snap = poll.snapshot()
        assert spread(snap) == {"Ctrl+S": 1, "Enter": 1, "Shift+Enter": 1}, snap
        assert snap["learners"] == 3
        poll.restart(T0 + timedelta(minutes=11.5))  # round 2 starts: only answers from then on
        assert spread(poll.snapshot()) == {"Ctrl+S": 1}
        poll.restart(T0 - timedelta(days=1))
        assert spread(poll.snapshot()) == {"Ctrl+S": 1, "Enter": 2, "Shift+Enter": 1}


def test_other_question_types_are_normalised_and_ranked_by_count(course):
    answer(course, "ann", " 3 ", qid="start-membrane-count", score=1.0)
    answer(course, "ben", 3, qid="start-membrane-count", score=1.0)
    answer(course, "cai", "2", qid="start-membrane-count", score=0.0)
    with Poll(course, "start-membrane-count") as poll:
        snap = poll.snapshot()
    assert snap["answers"] == [{"answer": "3", "count": 2, "correct": True},
                               {"answer": "2", "count": 1, "correct": False}], snap


def test_reading_is_incremental_only_new_rows_are_read(course, monkeypatch):
    for i, name in enumerate(("ann", "ben", "cai")):
        answer(course, name, "Enter", i)
    reader = LiveReader(course)
    try:
        first = reader.refresh()
        assert len(first.rows) == 3 and first.opened == 3 and reader.rows_read == 3
        racy = reader.refresh()  # files changed within RACY_SECONDS of the read: read again, nothing new
        assert racy.rows == [] and reader.rows_read == 3
        monkeypatch.setattr(live, "RACY_SECONDS", 0)
        reader.refresh()
        again = reader.refresh()
        assert again.rows == [] and again.opened == 0 and reader.rows_read == 3, "unchanged files: not opened"
        answer(course, "ben", "Shift+Enter", 5)
        answer(course, "ben", "Ctrl+S", 6)
        third = reader.refresh()
        assert third.opened == 1 and reader.rows_read == 5, "only ben's file, only the two new rows"
        assert [r.id for r in third.rows] == [2, 3] and {r.learner_key for r in third.rows} == {"ben"}
    finally:
        reader.close()


def test_a_refresh_keeps_to_its_time_budget_and_the_rest_follows(course):
    for i, name in enumerate(("ann", "ben", "cai")):
        answer(course, name, "Enter", i)
    with LiveReader(course, budget=0) as reader:  # one changed file per refresh
        got = [reader.refresh() for _ in range(4)]
    assert [len(r.rows) for r in got] == [1, 1, 1, 0], "each file in turn, the longest waiting first"
    assert got[0].notes == ["2 changed files left for the next refresh (time budget)"]
    assert {r.rows[0].learner_key for r in got[:3]} == {"ann", "ben", "cai"}


def test_a_writer_active_while_polling_every_attempt_is_seen_once(course):
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=answer_repeatedly,
                               args=(str(course / name), name, LESSON, QID, 60, 0.005))
               for name in ("ann", "ben")]
    for process in writers:
        process.start()
    seen: list[tuple] = []
    reader = LiveReader(course)
    try:
        refreshes = 0
        while any(p.is_alive() for p in writers) or refreshes < 2:
            done = reader.refresh()
            seen += [(r.learner_key, r.id) for r in done.rows]
            refreshes += 1
            time.sleep(0.01)
        for process in writers:
            process.join(30)
            assert process.exitcode == 0
        seen += [(r.learner_key, r.id) for r in reader.refresh().rows]
    finally:
        reader.close()
    assert refreshes > 3, "polled while the writers wrote"
    assert len(seen) == len(set(seen)), "no attempt read twice"
    assert sorted(seen) == sorted((n, i) for n in ("ann", "ben") for i in range(1, 61)), "every attempt seen"


# --- read-only, untrusted ---------------------------------------------------------------------------


def _listing(folder: Path) -> dict[str, tuple]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns, stat.S_IMODE(p.stat().st_mode))
            for p in sorted(folder.iterdir())}




def test_reading_changes_nothing_in_a_learners_folder_with_a_writer_open(course):
    """As on a hub: the learner's kernel holds the database open in WAL mode (its -wal holds the
    latest rows); the instructor has group read and no write. Nothing is created or changed."""
    answer(course, "ann", "Enter", 0)
    store = ProgressStore(course / "ann" / "progress.sqlite3")
    store.record(lesson=LESSON, question_id=QID, response="Shift+Enter", score=1, correct=True,
                 learner="ann", time=(T0 + timedelta(minutes=1)).isoformat())  # kept open: in the -wal
    folder = course / "ann"
    try:
        assert (folder / "progress.sqlite3-wal").stat().st_size > 0, "the latest answer is in the -wal"
        course.chmod(0o755)
        if ROOT:
            os.chown(folder, 4242, NOBODY)
            for path in folder.iterdir():
                os.chown(path, 4242, NOBODY)
                path.chmod(0o640)
        folder.chmod(0o2550 if ROOT else 0o550)  # nobody may write here, the learner's group may read
        before = _listing(folder)
        poll = Poll(course, QID, since=T0 + timedelta(seconds=30)) if not ROOT else None
        if ROOT:
            with as_nobody():
                poll = Poll(course, QID, since=T0 + timedelta(seconds=30))
                snap = poll.snapshot()
                poll.close()
        else:
            snap = poll.snapshot()
            poll.close()
        assert spread(snap) == {"Shift+Enter": 1}, "the answer still in the -wal is read"
        assert snap["notes"] == [], snap["notes"]
        assert _listing(folder) == before, "no file created, changed or re-moded in the learner's folder"
    finally:
        folder.chmod(0o755)
        store.close()


def test_hostile_and_vanishing_files_are_skipped_without_stalling(course, tmp_path):
    answer(course, "ann", "Shift+Enter")
    (course / "fifo").mkdir()
    os.mkfifo(course / "fifo" / "progress.sqlite3")
    outside = tmp_path / "elsewhere.sqlite3"
    answer(tmp_path, "x", "Enter")  # a real progress file, outside the course
    shutil.copy(tmp_path / "x" / "progress.sqlite3", outside)
    (course / "link").mkdir()
    os.symlink(outside, course / "link" / "progress.sqlite3")
    (course / "huge").mkdir()
    with open(course / "huge" / "progress.sqlite3", "wb") as fh:
        fh.truncate(65 * 2**20)  # sparse: larger than the bound
    (course / "junk").mkdir()
    (course / "junk" / "progress.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    answer(course, "gone", "Enter")
    started = time.monotonic()
    with Poll(course, QID) as poll:
        snap = poll.snapshot()
        assert spread(snap) == {"Shift+Enter": 1, "Enter": 1}
        assert snap["notes"] and snap["notes"][0].startswith("4 files not read this time"), snap["notes"]
        assert "FIFO" in snap["notes"][0] or "not a regular file" in snap["notes"][0]
        shutil.rmtree(course / "gone")  # a learner's folder removed between refreshes
        answer(course, "ben", "Enter", 1)
        snap = poll.snapshot()
        assert spread(snap) == {"Shift+Enter": 1, "Enter": 2}, "what was read is kept; ben is added"
    assert time.monotonic() - started < 10


def test_rows_naming_another_learner_than_the_folder_are_set_aside(course):
    answer(course, "mal", "Enter")
    store = ProgressStore(course / "mal" / "progress.sqlite3")
    for k in range(5):  # mal's file claims answers of five phantom learners
        store.record(lesson=LESSON, question_id=QID, response="Ctrl+S", score=0, correct=False,
                     learner=f"phantom{k}", time=T0.isoformat())
    store.close()
    with Poll(course, QID) as poll:
        snap = poll.snapshot()
    assert spread(snap) == {"Enter": 1} and snap["learners"] == 1
    assert "5 rows set aside" in snap["notes"][0]


# --- errors and the command line ----------------------------------------------------------------------


def test_unknown_questions_and_bad_times_are_named_with_how_to_fix_them(course):
    with pytest.raises(UsageError, match="close matches: start-run-keys"):
        Poll(course, "start-run-key")
    with pytest.raises(UsageError, match=r"--since 'yesterday' is not an ISO 8601 time; give e\.g\. --since"):
        parse_since("yesterday")
    assert parse_since("2026-12-07T14:00:00") == T0 and parse_since("2026-12-07T15:00:00+01:00") == T0
    assert parse_since("2026-12-07T14:00:00Z") == T0
    labels = dict(question_choices())
    assert any(v == QID and k.startswith(f"00 {QID}: You are in a code cell") for k, v in labels.items())
    assert all(len(k) <= 70 for k in labels)


def test_the_command_writes_one_snapshot_and_names_what_is_wrong(course, tmp_path, capsys):
    answer(course, "ann", "Shift+Enter", 0)
    answer(course, "ben", "Enter", 2)
    out = tmp_path / "poll.json"
    args = ["results", str(course), "--poll", QID, "--since", "2026-12-07T14:01:00", "--json", str(out)]
    assert main(args) == 0
    snap = json.loads(out.read_text())
    assert list(snap)[:4] == list(SNAPSHOT_KEYS)
    assert snap["since"] == "2026-12-07T14:01:00+00:00" and snap["learners"] == 1
    assert spread(snap) == {"Enter": 1}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, "results are the instructor's only"
    capsys.readouterr()
    cases = [
        (["--poll", QID, "--json", str(out)], "already exists and was left as it is; to replace it, use"),
        (["--poll", QID, "--since", "noon"], "--since 'noon' is not an ISO 8601 time; give e.g."),
        (["--poll", "start-runkeys"], "close matches: start-run-keys"),
        (["--live"], "--live needs a question: --live QUESTION_ID"),
        (["--live", QID, "--every", "5"], "--every must be more than 0 and at most 2 seconds"),
        (["--poll", QID, "--items", "--csv", "x.csv"], "write no gradebook; run --items --csv without them"),
    ]
    for extra, message in cases:
        assert main(["results", str(course), *extra]) == 2, extra
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (extra, err)
    assert main(["results", "--poll", QID]) == 2
    assert "need the PATH of the learners' progress files" in capsys.readouterr().err


def test_the_terminal_view_refreshes_until_interrupted(course, capsys, monkeypatch):
    answer(course, "ann", "Shift+Enter", 0)
    calls = {"n": 0}
    real_sleep = time.sleep

    def sleep(seconds):
        calls["n"] += 1
        if calls["n"] == 2:
            answer(course, "ben", "Enter", 1)
        if calls["n"] >= 3:
            raise KeyboardInterrupt
        real_sleep(min(seconds, 0.01))

    monkeypatch.setattr(time, "sleep", sleep)
    args = ["results", str(course), "--live", QID, "--since", "2026-12-07T13:00:00", "--every", "0.5"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Round 1: start-run-keys (00_start_here): 1 learner answered" in text
    assert "2 learners answered" in text, "refreshed"
    assert "(correct)" not in text, "the answer is shown only when asked for"


# --- the notebook's view ----------------------------------------------------------------------------


def test_the_view_runs_two_rounds_side_by_side_and_shows_the_answer_only_when_asked(course):
    pytest.importorskip("ipywidgets")
    from tmvlearn.results import live_poll

    view = live_poll(course, QID, interval=0.2)
    try:
        static = view._repr_mimebundle_()
        assert static["text/plain"].startswith(f"Live poll of {QID} (00_start_here). Press “Start round 1”")
        assert not view.running, "nothing polls before a button is pressed (headless runs stay still)"
        view.start1.click()
        assert view.running and view.start2.disabled is False
        for name, response in (("ann", "Shift+Enter"), ("ben", "Shift+Enter"), ("cai", "Enter")):
            _answer_now(course, name, response)
        deadline = time.monotonic() + 5
        while (view.snapshot() or {}).get("learners") != 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert spread(view.snapshot()) == {"Shift+Enter": 2, "Enter": 1}, "refreshed by the thread"
        panel = view.panels.children[0].value
        assert 'aria-live="polite"' in panel and "3 learners answered" in panel and "2 (67%)" in panel
        assert "correct answer" not in panel and "font-size:30px" in panel
        view.start2.click()
        _answer_now(course, "cai", "Shift+Enter")
        deadline = time.monotonic() + 5
        while (view.snapshot() or {}).get("learners") != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(view.panels.children) == 2, "round 1 and round 2 side by side"
        assert spread(view.snapshot(0)) == {"Shift+Enter": 2, "Enter": 1}, "round 1 stays as it was"
        assert spread(view.snapshot(1)) == {"Shift+Enter": 1}
        view.reveal.click()
        assert "&#10003; correct answer" in view.panels.children[1].value
        assert view.reveal.description == "Hide answer"
    finally:
        view.close()
    assert not view.running, "closing the view stops the refreshing"


def _answer_now(course: Path, learner: str, response: str) -> None:
    store = ProgressStore(course / learner / "progress.sqlite3")
    try:
        right = response == "Shift+Enter"
        store.record(lesson=LESSON, question_id=QID, response=response, score=float(right), correct=right,
                     learner=learner)
    finally:
        store.close()


def test_a_file_written_during_every_copy_waits_for_the_next_refresh(course, monkeypatch):
    answer(course, "ann", "Enter")
    answer(course, "ben", "Shift+Enter")
    real = live._identity
    calls = {"n": 0}

    def moving(path):  # ben's database seems to change between every look: a writer mid-commit
        found = real(path)
        if found is not None and "ben" in path and path.endswith("progress.sqlite3"):
            calls["n"] += 1
            return (found[0], found[1] + calls["n"], found[2])
        return found

    monkeypatch.setattr(live, "_identity", moving)
    with Poll(course, QID) as poll:
        snap = poll.snapshot()
        assert spread(snap) == {"Enter": 1}
        assert snap["notes"] == ["1 file not read this time: 1 being written (read next time)"], snap
        monkeypatch.setattr(live, "_identity", real)
        assert spread(poll.snapshot()) == {"Enter": 1, "Shift+Enter": 1}, "read at the next refresh"

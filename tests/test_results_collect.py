"""Collecting a class: every kind of file, read-only, de-duplicated, idempotent; the command's output."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest

from tmvlearn import progress
from tmvlearn.cli import main
from tmvlearn.progress.database import CREATE
from tmvlearn.quiz.bank import load_bank
from tmvlearn.results import collect

LESSON = "01_biogenesis"


def _rows(learner: str, n: int = 6, day: int = 1, offset: int = 0) -> list[dict]:
    """``n`` attempts of ``learner`` at the lesson's first questions (right for even positions)."""
    out = []
    for j, question in enumerate(load_bank(LESSON).questions[:n]):
        right = (j + offset) % 2 == 0
        response = question.key_response() if right else (question.distractor_responses() or ["?"])[0]
        out.append(
            {
                "learner": learner,
                "lesson": LESSON,
                "question_id": question.id,
                "response": json.dumps(response, ensure_ascii=False),
                "score": float(right),
                "correct": int(right),
                "time": f"2026-02-{day:02d}T10:{j:02d}:00.000+00:00",
                "mode": "practice",
                "kind": "answer",
                "take": 1,
                "uid": f"{learner}-{day}-{j}",
            }
        )
    return out


def _db(path: Path, rows: list[dict], version: int = 1, wal: bool = False) -> Path:
    """A progress database in the store's schema (``version`` 0: the old columns only; above 1: a
    newer file with an extra column and table)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    if version == 0:
        conn.execute(
            "CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, learner TEXT NOT NULL, "
            "lesson TEXT NOT NULL, question_id TEXT NOT NULL, response TEXT NOT NULL, score REAL NOT NULL, "
            "correct INTEGER NOT NULL, time TEXT NOT NULL)"
        )
        cols = progress.V0_COLUMNS
    else:
        conn.executescript(CREATE)
        cols = progress.COLUMNS + ["uid"]
        if version > 1:
            conn.execute("ALTER TABLE attempts ADD COLUMN confidence REAL")
            conn.execute("CREATE TABLE a_table_from_the_future (question_id TEXT, due TEXT)")
    conn.executemany(
        f"INSERT INTO attempts ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [[r[c] for c in cols] for r in rows],
    )
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return path


def _csv(path: Path, rows: list[dict], drop: tuple[str, ...] = ()) -> Path:
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows)[[c for c in progress.COLUMNS if c not in drop]]
    frame["correct"] = frame["correct"].astype(bool)
    frame.to_csv(path, index=False)
    return path


def _json(path: Path, rows: list[dict], learner: str, **extra) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    attempts = [
        {
            **{k: v for k, v in r.items() if k != "uid"},
            "response": json.loads(r["response"]),
            "correct": bool(r["correct"]),
        }
        for r in rows
    ]
    path.write_text(
        json.dumps({"learner": learner, "summary": [], "attempts": attempts, **extra}), encoding="utf-8"
    )
    return path


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def hub(tmp_path) -> tuple[Path, dict]:
    """A hub-like course volume: 50 user folders, every kind of file a collect meets."""
    root = tmp_path / "course"
    expect = {"attempts": 0, "learners": set(), "skipped": set(), "partly": set()}

    def count(learner, rows):
        expect["attempts"] += len(rows)
        expect["learners"].add(learner.lower())

    for i in range(36):  # progress databases, some in WAL mode
        name = f"user{i:02d}"
        rows = _rows(name, n=4 + i % 5, offset=i)
        _db(root / name / "progress.sqlite3", rows, wal=i % 3 == 0)
        count(name, rows)
    # a database written through the real store, with an attempt still in its pending journal
    home = root / "user36"
    store = progress.ProgressStore(home / "progress.sqlite3")
    question = load_bank(LESSON).questions[0]
    progress.record_attempt(question, question.key_response(), learner="user36", store=store)
    store.close()
    journal_row = _rows("user36", n=2, day=3)[1]
    in_db = progress.ProgressStore(home / "progress.sqlite3", read_only=True).read("user36").attempts.iloc[0]
    repeated = {**_rows("user36", n=1)[0], "time": in_db["time"], "response": in_db["response"], "uid": "x"}
    (home / "progress.sqlite3.pending").write_text(
        "".join(
            json.dumps({"v": 1, "db": str(home / "progress.sqlite3"), **r}) + "\n"
            for r in (repeated, journal_row)
        )
        + '{"half a line',
        encoding="utf-8",
    )
    count("user36", [in_db, journal_row])
    _db(root / "user37" / "progress.sqlite3", rows := _rows("user37", n=5), version=0)  # tmvlearn 0.1
    count("user37", rows)
    _db(
        root / "user38" / "progress.sqlite3",
        rows := _rows("user38", n=5),
        version=progress.SCHEMA_VERSION + 1,
    )  # a newer schema
    count("user38", rows)
    for i in range(39, 43):  # hand-ins: CSV and JSON exports
        name = f"user{i:02d}"
        rows = _rows(name, n=6, offset=i)
        if i % 2:
            _csv(root / name / "progress.csv", rows)
        else:
            _json(root / name / "progress.json", rows, name)
        count(name, rows)
    # the same learner exported twice (CSV and JSON of one database): counted once
    rows = _rows("user43", n=6)
    _db(root / "user43" / "progress.sqlite3", rows)
    _csv(root / "user43" / "export.csv", rows)
    _json(root / "user43" / "export.json", rows, "user43")
    count("user43", rows)
    # an export from a newer tmvlearn: a version it does not know, an extra field
    rows = _rows("user44", n=3)
    _json(
        root / "user44" / "progress.json",
        [{**r, "confidence": 0.5} for r in rows],
        "user44",
        schema_version=9,
    )
    count("user44", rows)
    # the same learner under another case in their own folder, with attempts of its own and one it
    # shares with user00's database
    shared = _rows("user00", n=1, offset=0)[0]
    rows = [{**shared, "learner": "USER00"}] + [{**r, "learner": "USER00"} for r in _rows("x", n=2, day=9)]
    _csv(root / "user00" / "upload.csv", rows)
    count("user00", rows[1:])
    # another learner's folder claiming user00's attempts: set aside, named, never merged
    _csv(root / "user45" / "progress.csv", [{**r, "learner": "USER00"} for r in _rows("x", n=2, day=8)])
    expect["skipped"].add(str(root / "user45" / "progress.csv"))
    # what cannot be read
    damaged = root / "user46" / "progress.sqlite3"
    damaged.parent.mkdir()
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x13" * 3000)
    expect["skipped"].add(str(damaged))
    _csv(root / "user47" / "progress.csv", _rows("user47"), drop=("score", "time"))
    expect["skipped"].add(str(root / "user47" / "progress.csv"))
    (root / "user48").mkdir()
    expect["skipped"].add(str(root / "user48"))
    # files that are not tmvlearn's: left alone, not reported
    (root / "user49").mkdir()
    (root / "user49" / "01_biogenesis.ipynb").write_text("{}", encoding="utf-8")
    (root / "user49" / "sizes.csv").write_text("diameter_nm,count\n100,3\n", encoding="utf-8")
    return root, expect


def test_hub_tree_is_collected_whole_read_only_and_idempotent(hub, tmp_path):
    root, expect = hub
    before = _snapshot(root)
    frame = collect(root, into=tmp_path / "gradebook.sqlite3")
    done = frame.attrs["collection"]
    assert _snapshot(root) == before, "learners' files are never changed, and nothing is added beside them"
    assert {p.path for p in done.problems if p.status == "skipped"} == expect["skipped"]
    assert {p.path for p in done.problems if p.status == "partly read"} == {
        str(root / "user36" / "progress.sqlite3.pending")
    } or not [p for p in done.problems if p.status != "skipped"]
    reasons = {
        Path(p.path).parent.name if p.path.endswith(("sqlite3", "csv")) else Path(p.path).name: p.reason
        for p in done.problems
        if p.status == "skipped"
    }
    assert "damaged" in reasons["user46"] or "not a database" in reasons["user46"]
    assert "missing columns score, time" in reasons["user47"]
    assert "empty folder" in reasons["user48"]
    assert "2 for another learner than the folder's ('user45') ('USER00')" in reasons["user45"]
    assert done.exit_code == 2
    assert len(frame) == expect["attempts"]
    assert len(frame["learner"].cat.categories) == len(expect["learners"])
    assert any("written by a newer tmvlearn" in n and "user38" in n for n in done.notes)
    assert any("newer tmvlearn (version 9)" in n for n in done.notes)
    assert any("'user00'" in n and "USER00" in n for n in done.notes)
    assert "user00" in set(frame["learner"]) and "USER00" not in set(frame["learner"])
    assert set(frame.loc[frame["learner"] == "user37", "mode"]) == {"practice"}  # v0 defaults
    # collecting again changes nothing
    conn = sqlite3.connect(tmp_path / "gradebook.sqlite3")
    first = conn.execute("SELECT * FROM attempts ORDER BY id").fetchall()
    conn.close()
    again = collect(root, into=tmp_path / "gradebook.sqlite3")
    assert again.attrs["collection"].attempts_new == 0
    conn = sqlite3.connect(tmp_path / "gradebook.sqlite3")
    assert conn.execute("SELECT * FROM attempts ORDER BY id").fetchall() == first
    conn.close()
    assert len(again) == len(frame)


def test_duplicates_across_database_journal_and_exports_are_counted_once(tmp_path):
    rows = _rows("ana", n=6)
    db = _db(tmp_path / "ana" / "progress.sqlite3", rows)
    csv = _csv(tmp_path / "ana.csv", rows)
    js = _json(tmp_path / "ana.json", rows, "ana")
    frame = collect([db, csv, js, db])
    done = frame.attrs["collection"]
    assert len(frame) == 6
    assert (done.attempts_read, done.attempts_new) == (24, 6)
    assert done.exit_code == 0
    # the response read back from a JSON export is the stored JSON text
    assert set(frame["response"]) == {r["response"] for r in rows}


def test_cli_output_format_and_exit_codes(hub, tmp_path, capsys, monkeypatch):
    root, expect = hub
    monkeypatch.chdir(tmp_path)
    code = main(["results", str(root)])
    out = capsys.readouterr().out.splitlines()
    assert code == 2
    assert re.fullmatch(
        r"Read \d+ files \(4 skipped, \d+ partly read\): \d+ attempts, "
        rf"{expect['attempts']} new, \d+ duplicates\.",
        out[0],
    )
    gradebook = tmp_path / "class-results.sqlite3"
    assert out[1] == (
        f"Gradebook {gradebook}: {len(expect['learners'])} learners, {expect['attempts']} attempts, 1 lesson."
    )
    assert out[2].startswith("Not read whole (")
    listed = [line for line in out if line.startswith("  ") and ": skipped: " in line]
    assert {line.split(": skipped: ")[0].strip() for line in listed} == expect["skipped"]
    assert "First-attempt score and questions answered, per lesson:" in out
    header = next(line for line in out if line.lstrip().startswith("learner"))
    assert header.split() == ["learner", "01", "last", "activity"]
    assert any(re.fullmatch(r"\s*user03\s+\d+% 7/12\s+2026-02-01 10:06", line) for line in out)
    # again, from the gradebook alone: no collect line, same counts, exit 0
    assert main(["results", "--csv", "grades.csv", "--limit", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"Gradebook {gradebook}: {len(expect['learners'])} learners")
    assert any(line.startswith("... and ") for line in out)
    import pandas as pd

    grades = pd.read_csv(tmp_path / "grades.csv")
    assert len(grades) == len(expect["learners"])
    assert {
        f"{LESSON} {c}" for c in ("answered", "total", "first_score", "best_score", "last_activity")
    } <= set(grades)
    # an existing output is kept unless --force, before anything is collected
    assert main(["results", "--csv", "grades.csv"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_cli_without_gradebook_or_paths_says_what_to_do(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["results"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "give the PATH" in captured.err and "--sample" in captured.err
    assert not (tmp_path / "class-results.sqlite3").exists()


def test_file_given_by_name_that_is_not_a_progress_file(tmp_path, capsys):
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    folder = tmp_path / "nothing"
    folder.mkdir()
    frame = collect([other, folder, tmp_path / "missing.sqlite3"])
    reasons = {Path(p.path).name: p.reason for p in frame.attrs["collection"].problems}
    assert set(reasons) == {"notes.txt", "nothing", "missing.sqlite3"}
    assert "no such file" in reasons["missing.sqlite3"]
    assert len(frame) == 0


def test_sample_from_the_command_line(capsys):
    assert main(["results", "--sample", "--items", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SIMULATED class (seed 14; not real learners): 120 learners, ")
    assert "negative discrimination: check the key" in out and "non-functioning distractor:" in out
    assert '"too few learners" (n < 20' in out


def test_attempts_still_in_a_wal_file_are_collected(tmp_path):
    rows = _rows("wal", n=4)
    path = _db(tmp_path / "wal" / "progress.sqlite3", rows[:2], wal=True)
    writer = sqlite3.connect(path)  # a learner's kernel still has the file open: the rest is in -wal
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    cols = progress.COLUMNS + ["uid"]
    writer.executemany(f"INSERT INTO attempts ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                       [[r[c] for c in cols] for r in rows[2:]])
    writer.commit()
    try:
        assert Path(f"{path}-wal").stat().st_size > 0
        frame = collect(tmp_path / "wal")
        assert len(frame) == 4 and frame.attrs["collection"].exit_code == 0
    finally:
        writer.close()


def test_instructor_notebook_is_shipped_outside_the_lesson_sequence(tmp_path, capsys):
    from tmvlearn._resources import notebooks_dir
    from tmvlearn.lessons import lesson_paths
    from tmvlearn.workspace import prepare_workspace

    shipped = notebooks_dir() / "instructor" / "class_results.ipynb"
    assert shipped.is_file()
    assert shipped not in lesson_paths() and all("instructor" not in p.parts for p in lesson_paths())
    notebook = json.loads(shipped.read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code), "every cell was run (nbval passes unrun cells silently)"
    assert "SIMULATED class" in json.dumps(notebook)
    prepare_workspace(tmp_path / "ws")
    assert not list((tmp_path / "ws").rglob("class_results.ipynb")), "not copied for learners"
    assert main(["results", "--notebook", str(tmp_path / "teach")]) == 0
    assert (tmp_path / "teach" / "class_results.ipynb").read_bytes() == shipped.read_bytes()
    assert "wrote" in capsys.readouterr().out


def test_other_programs_files_in_a_searched_home_are_left_alone(tmp_path):
    home = tmp_path / "home" / "ana"
    _db(home / ".local" / "share" / "tmvlearn" / "progress.sqlite3", _rows("ana", n=3))
    (home / ".local" / "share" / "jupyter").mkdir(parents=True)
    other = sqlite3.connect(home / ".local" / "share" / "jupyter" / "nbsignatures.db")
    other.execute("CREATE TABLE nbsignatures (id INTEGER)")
    other.close()
    (home / "work").mkdir()
    (home / "work" / ".tmvlearn-manifest.json").write_text('{"lessons": {}}', encoding="utf-8")
    (home / "work" / "big.csv").write_text("x,y\n" + "1,2\n" * 1000, encoding="utf-8")
    journal = home / ".local" / "state" / "tmvlearn" / "pending" / "0123456789abcdef.jsonl"
    journal.parent.mkdir(parents=True)
    journal.write_text(json.dumps(_rows("ana", n=4, day=5)[3]) + "\n", encoding="utf-8")
    frame = collect(tmp_path / "home")
    done = frame.attrs["collection"]
    assert done.problems == [] and done.exit_code == 0
    assert len(frame) == 4, "the three in the database and the one waiting in the state folder's journal"
    assert done.ignored == 3


def test_flashcards_exercises_and_reveals_stay_out_of_the_figures(tmp_path, capsys, monkeypatch):
    """Flashcard self-ratings (mode "flashcard", items card:<term>, lesson "glossary" or a lesson id)
    are kept in the gradebook file but are no lesson, no question and no first attempt."""
    monkeypatch.chdir(tmp_path)
    bank = load_bank(LESSON)
    ana = progress.ProgressStore(tmp_path / "ana" / "progress.sqlite3")
    for question in bank.questions[:3]:
        progress.record_attempt(question, question.key_response(), learner="ana", store=ana)
    progress.record_attempt(bank.questions[3], None, learner="ana", store=ana, kind="reveal")
    for lesson, term in (("glossary", "APCs"), ("glossary", "ESCRT"), (LESSON, "MVs")):
        ana.record(lesson=lesson, question_id=f"card:{term}", response="knew it", score=1.0, correct=True,
                   learner="ana", mode="flashcard")
    ana.record(lesson=LESSON, question_id="bio-own-exercise", response="x", score=1.0, correct=True,
               learner="ana", mode="exercise")
    ana.record(lesson="99_extra", question_id="extra-exercise", response="x", score=1.0, correct=True,
               learner="ana", mode="exercise")
    ana.close()
    bo = progress.ProgressStore(tmp_path / "bo" / "progress.sqlite3")  # flashcards only: not started
    for term in ("APCs", "exosome"):
        bo.record(lesson="glossary", question_id=f"card:{term}", response="didn't", score=0.0, correct=False,
                  learner="bo", mode="flashcard")
    bo.close()
    code = main(["results", "ana", "bo", "--items", "--json", "items.json", "--html", "r.html"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == 0
    # 01 and 99_extra (exercises only: a lesson with attempts, but no quiz, so no column); no glossary
    assert re.fullmatch(r"Gradebook .+: 2 learners, 11 attempts, 2 lessons\.", lines[1])
    header = next(line for line in lines if line.lstrip().startswith("learner"))
    assert header.split() == ["learner", "01", "flashcards", "last", "activity"]
    assert re.search(r"^\s*ana\s+100% 3/12\s+3\s", out, re.M)
    assert re.search(r"^\s*bo\s+-\s+2\s+-$", out, re.M)
    assert "lessons: 01 = 01_biogenesis" in lines
    assert "bo (not started)" in out
    body = "\n".join(lines[2:])  # (the gradebook's path names the test)
    assert "glossary" not in body and "card:" not in body and "exercise" not in body
    assert "01_biogenesis: 1 learner, KR-20" in out
    items = json.loads((tmp_path / "items.json").read_text(encoding="utf-8"))
    assert set(items["lessons"]) == {LESSON}
    answered = {i["question_id"]: i["n"] for i in items["lessons"][LESSON]["items"] if i["n"]}
    assert answered == {q.id: 1 for q in bank.questions[:3]}, "no card, no exercise, no reveal"
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "card:" not in page and "glossary" not in page
    assert "5 flashcard self-ratings by 2 learners" in page
    conn = sqlite3.connect(tmp_path / "class-results.sqlite3")
    assert conn.execute("SELECT count(*) FROM attempts WHERE mode = 'flashcard'").fetchone() == (5,)
    conn.close()


def test_database_side_files_are_not_other_files_and_those_left_alone_are_named(tmp_path, capsys):
    rows = _rows("wal", n=4)
    path = _db(tmp_path / "home" / "wal" / "progress.sqlite3", rows[:2], wal=True)
    writer = sqlite3.connect(path)  # an open kernel: -wal and -shm beside the database
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    cols = progress.COLUMNS + ["uid"]
    writer.executemany(f"INSERT INTO attempts ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                       [[r[c] for c in cols] for r in rows[2:]])
    writer.commit()
    try:
        assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
        (tmp_path / "home" / "wal" / "old.sqlite3-journal").write_bytes(b"")
        done = collect(tmp_path / "home").attrs["collection"]
        assert (done.ignored, done.ignored_files, done.attempts_read) == (0, [], 4)
        for name in ("a.ipynb", "b.txt", "c.png", "d.md"):
            (tmp_path / "home" / "wal" / name).write_text("x", encoding="utf-8")
        assert main(["results", str(tmp_path / "home"), "--into", str(tmp_path / "g.sqlite3")]) == 0
    finally:
        writer.close()
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note: ")]
    folder = tmp_path / "home" / "wal"
    assert notes == [
        "note: 4 other files in the folders (not progress files or exports) left alone: "
        f"{folder / 'a.ipynb'}, {folder / 'b.txt'}, {folder / 'c.png'} and 1 more."
    ]

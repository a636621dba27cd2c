"""A class's results when a learner's files are hostile or broken (issue 24, items 1-4).

On a hub every learner writes their own folder of the course volume and the instructor collects
all of them, so each learner's file is untrusted input. Each test below builds one hostile folder
(or loose file) beside an honest class of 20 learners and checks, under a time limit (``alarm``:
a hang fails the test instead of stopping the run), that

- the honest learners' grades are identical with and without it, and
- the hostile folder or file is named in what the collect reports (set aside or skipped, exit 2).

Where file modes matter the reader is an ordinary user: ``setpriv`` runs ``cat`` as another account,
and the whole hostile course is collected with the effective user switched to ``nobody`` (root
would read anything). The builders (``make_*``) are also used by ``benchmarks/results_faults.py``
for the before/after figures.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from ordinary_user import NOBODY, as_nobody

from tmvlearn.cli import main
from tmvlearn.quiz.bank import load_bank
from tmvlearn.results import analysis, collect
from tmvlearn.results import reader as rd

LESSON = "01_biogenesis"
QUESTIONS = load_bank(LESSON).questions
HONEST = [f"honest{i:02d}" for i in range(20)]
ROOT = os.geteuid() == 0
LIMIT = 30  # seconds a test may take before it counts as a hang

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file types, modes and signals")


@pytest.fixture(autouse=True)
def time_limit(request):
    """Fail (not hang) a test that takes longer than LIMIT seconds (slow ones: twice that)."""
    limit = LIMIT * (2 if request.node.get_closest_marker("slow") else 1)

    def expired(signum, frame):
        raise TimeoutError(f"{request.node.name} took more than {limit} s: a hang")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(limit)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


# --- an honest class ---------------------------------------------------------------------------------

COLS = ("learner", "lesson", "question_id", "response", "score", "correct", "time", "mode", "kind", "take")


def row(learner: str, j: int = 0, score: float = 1.0, **extra) -> dict:
    """An attempt of ``learner`` at the lesson's ``j``-th question."""
    question = QUESTIONS[j % len(QUESTIONS)]
    out = {
        "learner": learner, "lesson": LESSON, "question_id": question.id, "response": json.dumps("x"),
        "score": score, "correct": int(score == 1), "time": f"2026-02-01T10:{j % 60:02d}:00.000+00:00",
        "mode": "practice", "kind": "answer", "take": 1,
    }
    out.update(extra)
    return out


def write_db(path: Path, rows: list[dict], loose: bool = True) -> Path:
    """A database with an ``attempts`` table (``loose``: no column types or constraints, so any
    value a hostile file can hold is stored as it is)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    if loose:
        conn.execute(f"CREATE TABLE attempts ({', '.join(COLS)})")
    else:
        from tmvlearn.progress.database import CREATE

        conn.executescript(CREATE)
    conn.executemany(f"INSERT INTO attempts ({', '.join(COLS)}) VALUES ({', '.join('?' * len(COLS))})",
                     [[r.get(c) for c in COLS] for r in rows])
    conn.commit()
    conn.close()
    return path


def write_csv(path: Path, rows: list[dict]) -> Path:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=COLS)
        out.writeheader()
        out.writerows(rows)
    return path


def honest_class(course: Path) -> None:
    """20 learners, each with a database in their own folder, answering all 12 questions (each
    learner right on a different share of them)."""
    for i, name in enumerate(HONEST):
        rows = [row(name, j, float((i + 3 * j) % 4 != 0)) for j in range(len(QUESTIONS))]
        write_db(course / name / "progress.sqlite3", rows, loose=False)


def open_tree(root: Path) -> None:
    """Everyone may read ``root`` (learners' folders are read by an ordinary instructor account)."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink() or not (path.is_dir() or path.is_file()):
            continue
        path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.fixture(scope="module")
def template():
    root = Path(tempfile.mkdtemp(prefix="tmvlearn-results-faults-"))
    honest_class(root / "course")
    yield root / "course"
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def baseline(template):
    return grades(collect(template))


@pytest.fixture
def course(template):
    """A fresh copy of the honest class in a folder every user can enter (not pytest's 0700 tmp)."""
    root = Path(tempfile.mkdtemp(prefix="tmvlearn-results-faults-"))
    root.chmod(0o755)
    shutil.copytree(template, root / "course")
    yield root / "course"
    shutil.rmtree(root, ignore_errors=True)


def grades(frame):
    """The honest learners' gradebook rows (first and best score, answered) and item figures."""
    book = analysis.gradebook(frame)
    book = book[book["learner"].isin(HONEST)].reset_index(drop=True)
    return book[["learner", "lesson", "answered", "total", "first_score", "best_score", "attempts"]]


def collected(paths, **kwargs):
    """collect() and how long it took."""
    start = time.monotonic()
    frame = collect(paths, **kwargs)
    return frame, frame.attrs["collection"], time.monotonic() - start


def assert_same_grades(frame, baseline) -> None:
    import pandas as pd

    pd.testing.assert_frame_equal(grades(frame), baseline)


def named(done, path: Path | str, words: str = "") -> str:
    """The problem reported for ``path`` (it must be there, and say ``words``)."""
    found = [p for p in done.problems if p.path == str(path)]
    assert found, f"{path} is not named among {[str(p) for p in done.problems]}"
    assert words in found[0].reason, found[0].reason
    return found[0].reason


# --- the builders (also for benchmarks/results_faults.py) -------------------------------------------


def make_forged(folder: Path) -> Path:
    """A learner's folder whose database moves honest12's score: rows for "honest12", "HONEST12",
    " Honest12 " (and a no-break space, a zero-width space), all wrong, earlier than theirs."""
    names = ["honest12", "HONEST12", " Honest12 ", "honest12\u00a0", "honest\u200b12"]
    rows = [row(n, j, 0.0, time=f"2026-01-01T09:{j:02d}:00+00:00") for n in names for j in range(12)]
    return write_db(folder / "progress.sqlite3", rows + [row(folder.name, 0)])


def make_phantoms(folder: Path) -> Path:
    """One CSV in a learner's folder adding 7 phantom learners."""
    rows = [row(f"phantom{k}", j) for k in range(7) for j in range(12)]
    return write_csv(folder / "progress.csv", rows)


def make_fifo(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / name)
    return folder / name


def make_endless_view(folder: Path) -> Path:
    """``attempts`` is a view over a recursive query that never ends."""
    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(folder / "progress.sqlite3")
    conn.execute(
        "CREATE VIEW attempts AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT 'x' AS learner, 'l' AS lesson, 'q' || i AS question_id, '1' AS response, 1 AS score, "
        "1 AS correct, '2026-01-01T00:00:00' AS time FROM n"
    )
    conn.commit()
    conn.close()
    return folder / "progress.sqlite3"


def make_flood_view(folder: Path) -> Path:
    """A 4 KB database whose ``attempts`` view is a cross join of 10^7 rows of 400-byte responses."""
    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(folder / "progress.sqlite3")
    conn.execute("CREATE TABLE t (i)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(10)])
    joins = ", ".join(f"t t{k}" for k in range(7))
    conn.execute(
        f"CREATE VIEW attempts AS SELECT '{folder.name}' AS learner, '{LESSON}' AS lesson, "
        f"'{QUESTIONS[0].id}' AS question_id, hex(randomblob(200)) AS response, 1 AS score, 1 AS correct, "
        f"'2026-01-01T00:00:00' AS time FROM {joins}"
    )
    conn.commit()
    conn.close()
    return folder / "progress.sqlite3"


def make_bad_utf8(folder: Path) -> Path:
    """Rows whose learner name or lesson are not UTF-8 (bytes stored as TEXT)."""
    path = write_db(folder / "progress.sqlite3", [row(folder.name, 0)])
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO attempts SELECT CAST(X'6d616c6c6f7279ff' AS TEXT), lesson, question_id, "
                 "response, score, correct, '2026-03-01T00:00:00', mode, kind, take FROM attempts LIMIT 1")
    conn.execute("INSERT INTO attempts SELECT learner, CAST(X'3031ff' AS TEXT), question_id, response, "
                 "score, correct, '2026-03-02T00:00:00', mode, kind, take FROM attempts LIMIT 1")
    conn.commit()
    conn.close()
    return path


def make_scores(folder: Path, scores) -> Path:
    rows = [row(folder.name, j, 0.0) for j in range(len(scores))]
    for r, s in zip(rows, scores, strict=True):
        r["score"] = s
    return write_csv(folder / "progress.csv", rows)


def make_question_ids(folder: Path, n: int = 40_000) -> Path:
    rows = [row(folder.name, 0, question_id=f"made-up-{k}", time=f"2026-01-01T00:00:{k % 60:02d}+00:00")
            for k in range(n)]
    return write_db(folder / "progress.sqlite3", rows)


def make_lesson_ids(folder: Path, n: int = 300) -> Path:
    rows = [row(folder.name, 0, lesson=f"{k:03d}_made_up") for k in range(n)]
    return write_db(folder / "progress.sqlite3", rows)


def make_links(folder: Path, outside: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    links = []
    targets = (("progress.sqlite3", "/dev/zero"), ("a.csv", "/dev/zero"), ("b.json", "/dev/urandom"),
               ("c.csv", str(outside)))
    for name, target in targets:
        os.symlink(target, folder / name)
        links.append(folder / name)
    return links


def make_deep_json(folder: Path, depth: int = 200_000) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    deep = "[" * depth + "]" * depth
    (folder / "progress.json").write_text('{"learner": "x", "attempts": ' + deep + "}", encoding="utf-8")
    (folder / "progress.sqlite3.pending").write_text(
        json.dumps(row(folder.name, 1))[:-1] + ', "extra": ' + deep + "}\n", encoding="utf-8")
    return [folder / "progress.json", folder / "progress.sqlite3.pending"]


# --- 1. identity from where a file is -------------------------------------------------------------


def test_rows_for_another_learner_in_ones_folder_are_set_aside_and_named(course, baseline):
    evil = make_forged(course / "mallory")
    frame, done, _ = collected(course)
    assert_same_grades(frame, baseline)
    reason = named(done, evil, "60 rows set aside: 60 for another learner than the folder's ('mallory')")
    assert "'HONEST12'" in reason and "' Honest12 '" in reason
    assert set(frame["learner"]) == set(HONEST) | {"mallory"}
    assert done.exit_code == 2


def test_phantom_learners_from_one_csv_are_set_aside(course, baseline):
    evil = make_phantoms(course / "mallory")
    frame, done, _ = collected(course)
    assert_same_grades(frame, baseline)
    assert "phantom0" not in set(frame["learner"])
    named(done, evil, "84 rows set aside")
    assert [p.status for p in done.problems] == ["skipped"]


def test_names_compare_by_unicode_case_folding_and_spacing(tmp_path):
    """Loose hand-ins: "élodie", "Élodie" with a no-break space, "ÉLODIE" with a tab are one learner."""
    for k, name in enumerate(("élodie", "Élodie\u00a0", "\tÉLODIE", "e\u0301lodie")):
        write_csv(tmp_path / f"hand-in-{k}.csv", [row(name, k)])
    frame, done, _ = collected(sorted(tmp_path.glob("*.csv")))
    assert len(frame["learner"].cat.categories) == 1
    assert analysis.gradebook(frame)["answered"].tolist() == [4]
    assert any("counted as one learner" in n for n in done.notes)


def test_loose_file_naming_a_learner_with_a_folder_is_flagged_not_merged(course, baseline, tmp_path):
    loose = write_csv(tmp_path / "honest12.csv", [row("Honest12", j, 0.0, time="2026-01-01T00:00:00Z")
                                                  for j in range(12)])
    frame, done, _ = collected([course, loose])
    assert_same_grades(frame, baseline)
    named(done, loose, "naming a learner collected from their own folder: flagged, not merged")
    # also when the folder was collected into the gradebook before
    into = tmp_path / "g.sqlite3"
    collect(course, into=into)
    frame, done, _ = collected([loose], into=into)
    assert_same_grades(frame, baseline)
    named(done, loose, "flagged, not merged")


# --- 2. a reader that cannot be stalled or flooded --------------------------------------------------


@pytest.mark.parametrize("name", ["progress.csv", "progress.json", "progress.sqlite3.pending",
                                  "progress.sqlite3"])
def test_fifo_named_like_a_progress_file_is_skipped_at_once(course, baseline, name):
    fifo = make_fifo(course / "aaa-first", name)  # sorts first: it used to leave 0 attempts
    frame, done, took = collected(course)
    assert took < LIMIT
    assert_same_grades(frame, baseline)
    named(done, fifo, "not a regular file (a FIFO (named pipe))")


def test_attempts_view_over_an_endless_query_is_not_read(course, baseline):
    evil = make_endless_view(course / "mallory")
    frame, done, _ = collected(course)
    assert_same_grades(frame, baseline)
    named(done, evil, "its attempts is a view, not a table")


def test_small_view_that_would_flood_the_gradebook_is_not_read(course, baseline, tmp_path):
    evil = make_flood_view(course / "mallory")
    assert evil.stat().st_size <= 8192
    into = tmp_path / "g.sqlite3"
    frame, done, _ = collected(course, into=into)
    assert_same_grades(frame, baseline)
    named(done, evil, "view, not a table")
    assert into.stat().st_size < 2**20


def test_a_table_that_costs_more_than_the_budget_is_stopped(course, baseline, monkeypatch):
    evil = write_db(course / "mallory" / "progress.sqlite3", [row("mallory", j % 12) for j in range(5000)])
    monkeypatch.setattr(rd, "SQLITE_STEPS", 20_000)
    frame, done, _ = collected(course)
    named(done, evil, "SQLite steps")
    monkeypatch.undo()
    assert_same_grades(frame, baseline)  # the honest databases are small: well within the budget


def test_text_that_is_not_utf8_never_poisons_the_gradebook(course, baseline, tmp_path, monkeypatch, capsys):
    evil = make_bad_utf8(course / "mallory")
    monkeypatch.chdir(tmp_path)
    assert main(["results", str(course)]) == 2
    out = capsys.readouterr().out
    assert "mallory" in out
    # the next runs, from the gradebook alone, still work
    assert main(["results", "--items", "--json", "items.json"]) == 0
    frame, done, _ = collected(course)
    assert_same_grades(frame, baseline)
    reason = named(done, evil, "2 rows set aside")
    assert "lesson without a bank" in reason and "another learner" in reason


def test_non_finite_scores_are_set_aside_and_the_outputs_still_written(course, baseline, tmp_path,
                                                                      monkeypatch, capsys):
    evil = make_scores(course / "mallory", ["1e999", "Infinity", "-inf", "NaN", "1"])
    journal = course / "mallory" / "progress.sqlite3.pending"
    journal.write_text("".join(json.dumps(row("mallory", j, s)) + "\n"
                               for j, s in enumerate((float("inf"), float("nan"))))
                       .replace("Infinity", "1e999"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["results", str(course), "--items", "--json", "items.json"]) == 2
    out = capsys.readouterr().out
    assert "score not finite" in out and "no score (NaN)" in out
    items = json.loads((tmp_path / "items.json").read_text(encoding="utf-8"))
    assert items["lessons"][LESSON]["n_learners"] == 21  # mallory's one readable answer counts
    frame, done, _ = collected(course)
    assert_same_grades(frame, baseline)
    named(done, evil, "4 rows set aside")
    named(done, journal, "2 rows set aside")


def test_scores_outside_zero_to_one_are_set_aside(course, baseline):
    evil = make_scores(course / "mallory", ["-1e308", "1.5", "-0.0001", "0.5"])
    frame, done, _ = collected(course)
    assert_same_grades(frame, baseline)
    named(done, evil, "3 score outside [0, 1]")
    assert frame["score"].between(0, 1).all()


def test_made_up_question_ids_are_set_aside_not_analysed(course, baseline):
    evil = make_question_ids(course / "mallory")
    frame, done, took = collected(course)
    assert_same_grades(frame, baseline)
    named(done, evil, "40000 question not in its lesson's bank")
    assert frame["question_id"].nunique() == len(QUESTIONS)
    items = analysis.item_analysis(frame)
    assert len(items["lessons"][LESSON]["items"]) == len(QUESTIONS)


def test_made_up_lesson_ids_are_set_aside_not_reported(course, baseline):
    evil = make_lesson_ids(course / "mallory")
    frame, done, _ = collected(course)
    assert_same_grades(frame, baseline)
    named(done, evil, "300 lesson without a bank in this tmvlearn")
    assert set(frame["lesson"]) == {LESSON}


def test_links_to_devices_or_out_of_the_course_are_not_followed(course, baseline, tmp_path):
    outside = write_csv(tmp_path / "elsewhere.csv", [row("mallory", 0)])
    links = make_links(course / "mallory", outside)
    os.symlink(course / "honest01" / "progress.sqlite3", course / "mallory" / "inside.sqlite3")
    frame, done, took = collected(course)
    assert_same_grades(frame, baseline)
    for link in links:
        named(done, link, "a link leading outside the collected folder: not followed")
    named(done, course / "mallory" / "inside.sqlite3", "for another learner than the folder's")
    _, done, _ = collected([Path("/dev/zero"), links[0]])  # given by name: opened, but never read
    named(done, "/dev/zero", "not a regular file (a character device)")
    named(done, links[0], "not a regular file (a character device)")


def test_deep_json_and_lone_surrogates_give_no_traceback(course, baseline, tmp_path):
    deep = make_deep_json(course / "mallory")
    surrogate = course / "zed" / "progress.json"
    surrogate.parent.mkdir()
    attempt = {**row("zed", 2), "response": "\ud800 lone"}
    surrogate.write_text(json.dumps({"learner": "zed", "attempts": [attempt]}), encoding="utf-8")
    frame, done, _ = collected(course)
    assert_same_grades(frame, baseline)
    named(done, deep[0], f"JSON nested deeper than {rd.MAX_JSON_DEPTH} levels")
    named(done, deep[1], "1 row set aside: 1 a line that is not an attempt")
    assert set(frame.loc[frame["learner"] == "zed", "response"]) == {'"\ufffd lone"'}


def test_nan_score_or_empty_time_is_set_aside_and_counted_not_a_duplicate(course, baseline, tmp_path,
                                                                          monkeypatch, capsys):
    rows = [row("mallory", 0, float("nan")), row("mallory", 1, time=""), row("mallory", 2, score="")]
    evil = write_csv(course / "mallory" / "progress.csv", rows + [row("mallory", 3)])
    monkeypatch.chdir(tmp_path)
    assert main(["results", str(course)]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(", 0 duplicates.")
    assert any(line.startswith("Not read whole (1; 3 rows set aside):") for line in out)
    frame, done, _ = collected(course)
    assert (done.set_aside, done.duplicates) == (3, 0)
    named(done, evil, "3 rows set aside")
    assert_same_grades(frame, baseline)


def test_size_limits_per_file_per_row_and_per_learner(course, baseline, monkeypatch):
    big = course / "mallory" / "progress.csv"
    big.parent.mkdir()
    with open(big, "wb") as fh:  # sparse: 65 MiB that take no disk
        fh.truncate(rd.MAX_FILE_BYTES + 2**20)
    response = write_csv(course / "nia" / "progress.csv",
                         [row("nia", 0, response="x" * (rd.MAX_RESPONSE_CHARS + 1)), row("nia", 1)])
    many = write_db(course / "otto" / "progress.sqlite3",
                    [row("otto", j % 12, time=f"2026-01-01T00:{j // 60 % 60:02d}:{j % 60:02d}+00:00")
                     for j in range(1500)])
    monkeypatch.setattr(rd, "MAX_ROWS_PER_FILE", 1000)
    frame, done, _ = collected(course)
    named(done, big, "larger than 64 MiB")
    named(done, response, "response longer than 16,384 characters")
    named(done, many, "500 beyond the first 1,000 attempts in one file")
    monkeypatch.setattr(rd, "MAX_ROWS_PER_FILE", 100_000)
    monkeypatch.setattr(rd, "MAX_ATTEMPTS_PER_LEARNER", 1200)
    frame, done, _ = collected(course)
    named(done, many, "300 beyond 1,200 attempts for one learner")
    assert_same_grades(frame, baseline)


# --- 3. safe outputs ------------------------------------------------------------------------------------

FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", '=HYPERLINK("http://evil","x")', "\t=1", "\r=1"]


def test_csv_gradebook_cells_are_never_formulas(tmp_path, monkeypatch):
    for k, name in enumerate(FORMULAS):
        write_csv(tmp_path / "in" / f"{k}.csv", [row(name, k)])
    write_csv(tmp_path / "in" / "lesson.csv", [row("ok", 0, lesson="=1+1")])
    monkeypatch.chdir(tmp_path)
    assert main(["results", str(tmp_path / "in"), "--csv", "grades.csv"]) == 2  # the lesson row: set aside
    import csv

    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as fh:
        cells = list(csv.reader(fh))
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for line in cells for c in line)
    learners = {line[0] for line in cells[1:]}
    assert "'=cmd|' /C calc'!A0" in learners and "'-2+3" in learners
    from tmvlearn.results.safe_output import csv_cell

    assert (csv_cell("-0.25"), csv_cell(-0.25), csv_cell("-1e-3")) == ("-0.25", -0.25, "-1e-3")


def test_terminal_escapes_in_names_and_paths_are_shown_escaped(course, tmp_path, monkeypatch, capsys):
    evil = "\x1b[2J\x1b]0;owned\x07all learners passed\u202e"
    write_db(course / "m\x1b[31mallory" / "progress.sqlite3", [row(evil, 0)])
    write_csv(tmp_path / "in" / "x.csv", [row(evil, 1)])
    monkeypatch.chdir(tmp_path)
    assert main(["results", str(course), str(tmp_path / "in" / "x.csv"), "--limit", "0"]) == 2
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "m\\x1b[31mallory" in out and "\\x1b[2J\\x1b]0;owned\\x07all learners passed\\u202e" in out
    from tmvlearn.results.safe_output import shown

    assert shown("a\x9bb\u2066c\x7f\nd", lines=False) == "a\\x9bb\\u2066c\\x7f\\x0ad"


# --- 4. private by default --------------------------------------------------------------------------


def _can_read_as(path: Path, uid: int, gid: int) -> bool:
    done = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "cat", str(path)],
                          capture_output=True, timeout=LIMIT)
    return done.returncode == 0


@pytest.mark.skipif(not ROOT or not shutil.which("setpriv"), reason="reads as another account with setpriv")
def test_results_files_are_private_whatever_the_umask(course, monkeypatch):
    out = course.parent / "out"
    out.mkdir()
    out.chmod(0o755)
    monkeypatch.chdir(out)
    monkeypatch.delenv("TMVLEARN_RESULTS_GROUP", raising=False)
    old = os.umask(0o022)
    try:
        assert main(["results", str(course), "--csv", "g.csv", "--json", "i.json", "--html", "r.html"]) == 0
        files = ["class-results.sqlite3", "g.csv", "i.json", "r.html"]
        for name in files:
            assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
            assert not _can_read_as(out / name, NOBODY, NOBODY), f"a learner read {name}"
        # with the instructors' group: 0640, that group, readable by its members only
        monkeypatch.setenv("TMVLEARN_RESULTS_GROUP", "nogroup")
        assert main(["results", str(course), "--into", "g2.sqlite3", "--csv", "g2.csv", "--force"]) == 0
        for name in ("g2.sqlite3", "g2.csv"):
            st = (out / name).stat()
            assert (stat.S_IMODE(st.st_mode), st.st_gid) == (0o640, NOBODY), name
            assert _can_read_as(out / name, NOBODY, NOBODY), "an instructor (in the group) reads it"
            assert not _can_read_as(out / name, NOBODY, 4242), "a learner (not in the group) cannot"
        # an existing gradebook left 0644 by an older tmvlearn is narrowed on the next collect
        monkeypatch.delenv("TMVLEARN_RESULTS_GROUP")
        (out / "class-results.sqlite3").chmod(0o644)
        assert main(["results"]) == 0
        assert stat.S_IMODE((out / "class-results.sqlite3").stat().st_mode) == 0o600
    finally:
        os.umask(old)


# --- all of it, collected by an ordinary instructor account ----------------------------------------




@pytest.mark.skipif(not ROOT, reason="switches the effective user to nobody (needs root)")
def test_a_hostile_course_collected_by_an_ordinary_user(course, baseline, tmp_path):
    outside = write_csv(tmp_path / "elsewhere.csv", [row("mallory", 0)])
    hostile = {
        "aaa": make_fifo(course / "aaa", "progress.sqlite3"),
        "forged": make_forged(course / "forged"),
        "phantoms": make_phantoms(course / "phantoms"),
        "view": make_endless_view(course / "view"),
        "flood": make_flood_view(course / "flood"),
        "utf8": make_bad_utf8(course / "utf8"),
        "ids": make_question_ids(course / "ids", 2000),
        "links": make_links(course / "links", outside)[0],
        "deep": make_deep_json(course / "deep", 5000)[0],
    }
    secret = write_db(course / "secret" / "progress.sqlite3", [row("secret", 0)])
    open_tree(course)
    secret.chmod(0o600)  # a learner's file the instructor may not read: named, the rest collected
    out = course.parent / "out"
    out.mkdir()
    os.chown(out, NOBODY, NOBODY)
    collect(course)  # as root first: every module the collect needs is imported
    with as_nobody():
        frame, done, took = collected(course, into=out / "g.sqlite3")
    assert_same_grades(frame, baseline)
    for path in hostile.values():
        named(done, path)
    named(done, secret, "cannot be read: Permission denied")
    assert stat.S_IMODE((out / "g.sqlite3").stat().st_mode) == 0o600
    assert took < LIMIT


def test_generated_columns_many_files_and_text_per_learner_are_bounded(course, baseline, monkeypatch):
    """A tiny table whose response is computed on read, a folder of many files, and a learner whose
    text adds up beyond the per-learner bound: refused, left out, set aside, each named."""
    folder = course / "mallory"
    folder.mkdir()
    conn = sqlite3.connect(folder / "progress.sqlite3")
    conn.execute(f"CREATE TABLE attempts ({', '.join(c for c in COLS if c != 'response')}, "
                 "response TEXT GENERATED ALWAYS AS (hex(zeroblob(8000))) VIRTUAL)")
    conn.execute("INSERT INTO attempts (learner, lesson, question_id, score, correct, time) "
                 f"VALUES ('mallory', '{LESSON}', '{QUESTIONS[0].id}', 1, 1, '2026-01-01T00:00:00')")
    conn.commit()
    conn.close()
    for k in range(12):
        write_csv(course / "nia" / f"part{k:02d}.csv", [row("nia", k, response="y" * 1000)])
    monkeypatch.setattr(rd, "MAX_FILES_PER_LEARNER", 10)
    monkeypatch.setattr(rd, "MAX_BYTES_PER_LEARNER", 5000)
    frame, done, _ = collected(course)
    named(done, folder / "progress.sqlite3", "computed (generated) columns")
    named(done, str(course / "nia"), "12 progress files in one learner's folder: the first 10 read")
    named(done, course / "nia" / "part04.csv", "beyond 5,000 characters of text for one learner")
    assert (frame["learner"] == "nia").sum() == 4
    assert_same_grades(frame, baseline)

"""Every reader of outside files holds its bounds (issue 24, item 6): one test per traceback or hang
the issue lists. Each hang runs under a time limit (``signal.alarm``), so a regression fails instead
of stalling the run; the reading functions are the ones the commands use.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3

import pytest
from test_workspace import notebook, shipped, write  # noqa: F401  (shipped: the fixture)

from tmvlearn import workspace
from tmvlearn.cli import main

DEEP = 100_000
posix = pytest.mark.skipif(os.name != "posix", reason="FIFOs, /dev/zero and SIGALRM")


@contextlib.contextmanager
def time_limit(seconds: int):
    def stop(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


# --- tmvlearn lab --update: the lesson copies and the workspace record ------------------------------

def _hostile(path, how: str) -> None:
    path.unlink(missing_ok=True)
    if how == "deep":
        path.write_text("[" * DEEP + "]" * DEEP)
    elif how == "dev-zero":
        path.symlink_to("/dev/zero")
    elif how == "fifo":
        os.mkfifo(path)
    elif how == "not-an-object":
        path.write_text('[1, {"cells": 3}]')


@posix
@pytest.mark.parametrize("how", ["deep", "dev-zero", "fifo", "not-an-object"])
def test_lab_update_keeps_a_hostile_lesson_and_says_so(shipped, tmp_path, capsys, how):  # noqa: F811
    ws = tmp_path / "ws"
    assert main(["lab", str(ws), "--prepare-only"]) == 0
    write(shipped / "00_start_here.ipynb", notebook(2))
    lesson = ws / "01_biogenesis.ipynb"
    _hostile(lesson, how)
    capsys.readouterr()
    with time_limit(20):
        assert main(["lab", str(ws), "--prepare-only", "--update"]) == 0
    out = capsys.readouterr().out
    assert "updated 1" in out and "01_biogenesis.ipynb" in out, out
    assert os.path.lexists(lesson) and (how != "dev-zero" or lesson.is_symlink()), "kept as it is"
    if how != "not-an-object":
        assert "not read: 01_biogenesis.ipynb" in out, out


@posix
@pytest.mark.parametrize("how", ["deep", "dev-zero", "fifo", "not-an-object"])
def test_lab_update_rebuilds_a_hostile_workspace_record(shipped, tmp_path, capsys, how):  # noqa: F811
    ws = tmp_path / "ws"
    assert main(["lab", str(ws), "--prepare-only"]) == 0
    record = ws / workspace.MANIFEST
    _hostile(record, how)
    capsys.readouterr()
    with time_limit(20):
        assert main(["lab", str(ws), "--prepare-only", "--update"]) == 0
    assert "was missing or damaged; it was rebuilt" in capsys.readouterr().out
    assert json.loads(record.read_text())["format"] == workspace.MANIFEST_FORMAT and not record.is_symlink()


# --- tmvlearn review / quiz.due(): a garbage review cache ---------------------------------------------

GARBAGE = [("review_state", "due", "garbage"), ("review_state", "due", 12),
           ("review_state", "due", "9999-12-31"), ("review_state", "due", "2026-W01-1T00:00:00+00:00"),
           ("review_state", "seen", "abc"), ("review_state", "seen", 1e999), ("review_state", "seen", -5),
           ("review_meta", "upto", "abc"), ("review_meta", "upto", 1e999), ("review_meta", "upto", 10**18)]


def _history(db) -> list[str]:
    from tmvlearn.quiz import ProgressStore, load_bank

    ids = [q.id for q in load_bank("01_biogenesis").questions][:3]
    store = ProgressStore(db)
    for i in range(6):
        store.record(lesson="01_biogenesis", question_id=ids[i % 3], response=i, score=i % 2,
                     correct=bool(i % 2), learner="ada")
    store.close()
    return ids


@pytest.mark.parametrize("table, column, value", GARBAGE, ids=[f"{c}={v!r}" for _, c, v in GARBAGE])
def test_review_on_a_garbage_review_cache_recomputes_and_says_so(tmp_path, monkeypatch, capsys, table,
                                                                 column, value):
    from tmvlearn.progress import ProgressStore
    from tmvlearn.quiz import due

    monkeypatch.setenv("TMVLEARN_HOME", str(tmp_path))
    db = tmp_path / "progress.sqlite3"
    _history(db)
    clean = due("ada", upcoming=True, store=ProgressStore(db, read_only=True))
    conn = sqlite3.connect(db)
    if table == "review_meta":
        conn.execute("UPDATE review_meta SET value = ? WHERE key = ?", (value, column))
    else:
        conn.execute(f"UPDATE review_state SET {column} = ?", (value,))
    conn.commit()
    conn.close()
    frame = due("ada", upcoming=True, store=ProgressStore(db, read_only=True))
    assert frame.drop(columns="due").equals(clean.drop(columns="due")) and len(frame) == 3
    assert any("recomputed from your attempts" in note for note in frame.attrs["notes"]), frame.attrs
    assert main(["review", "--learner", "ada"]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "Note: The review schedule stored" in out.out
    from tmvlearn.quiz import load_bank, record_attempt

    store = ProgressStore(db)  # the next answer stores the recomputed states again
    record_attempt(load_bank("01_biogenesis").questions[5], None, store=store, learner="ada")
    store.close()
    assert not due("ada", upcoming=True, store=ProgressStore(db, read_only=True)).attrs["notes"]


# --- GIFT and jupyterquiz import ---------------------------------------------------------------------

def _import(tmp_path, capsys, name: str, text: str, fmt: str) -> tuple[int, str]:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    with time_limit(60):
        code = main(["quiz", "import", str(source), "--format", fmt, "--out", str(tmp_path / "90_x.yaml")])
    return code, one_line(capsys)


IMPORTS = [
    ("deep.gift", "// tmvlearn: " + '{"a":' * DEEP + "1" + "}" * DEEP + "\n::T:: Is it? {T}\n", "gift",
     "deep.gift line 2: its // tmvlearn: comment: JSON nested deeper than 32 levels"),
    ("surrogate.gift", '// tmvlearn: {"note": "\\ud800"}\n::T:: Is it? {T}\n', "gift",
     "surrogate.gift line 2: its // tmvlearn: comment: a lone surrogate (\\ud800)"),
    ("deep.json", "[" * DEEP + "]" * DEEP, "jupyterquiz", "deep.json: JSON nested deeper than 32 levels"),
    ("deep-as.gift", "[" * DEEP + "]" * DEEP, "gift", "deep-as.gift looks like JSON, not GIFT"),
    ("surrogate.json", json.dumps([{"question": "Is it \ud800?", "type": "multiple_choice", "answers": [
        {"answer": "yes", "correct": True}, {"answer": "no", "correct": False}]}]), "jupyterquiz",
     "surrogate.json question #1: a lone surrogate (\\ud800)"),
]


@pytest.mark.parametrize("name, text, fmt, said", IMPORTS, ids=[case[0] for case in IMPORTS])
def test_import_of_a_hostile_file_is_one_line_naming_it_and_exit_2(tmp_path, capsys, name, text, fmt, said):
    code, err = _import(tmp_path, capsys, name, text, fmt)
    assert code == 2 and said in err, err


@posix
@pytest.mark.parametrize("fmt", ["gift", "jupyterquiz"])
def test_import_of_a_fifo_is_refused_not_waited_for(tmp_path, fmt):
    from tmvlearn.quiz.lms import LmsError, import_gift, import_jupyterquiz

    os.mkfifo(tmp_path / "quiz.txt")
    with time_limit(20), pytest.raises(LmsError, match="not a regular file \\(a FIFO"):
        (import_gift if fmt == "gift" else import_jupyterquiz)(tmp_path / "quiz.txt", tmp_path / "90_x.yaml")


def test_equal_titles_get_short_distinct_ids_in_linear_time():
    from tmvlearn.quiz.lms import _unique_id

    taken: dict[str, int] = {"gift-same-x2": 0}
    with time_limit(20):  # 100,000 equal titles: quadratic before (6,000 took 47 s)
        ids = [_unique_id("gift-same", taken) for _ in range(100_000)]
    assert len(set(ids)) == 100_000
    assert ids[:4] == ["gift-same", "gift-same-x", "gift-same-x3", "gift-same-x4"]  # -x2 was taken
    assert max(map(len, ids)) == len("gift-same-x100000")


@pytest.mark.slow
def test_import_of_6000_questions_with_one_title(tmp_path, capsys):
    text = "\n\n".join(f"::Same title:: Is {i} even? {{T}}" for i in range(6000)) + "\n"
    source = tmp_path / "many.gift"
    source.write_text(text)
    with time_limit(120):
        code = main(["quiz", "import", str(source), "--format", "gift", "--out", str(tmp_path / "90_x.yaml")])
    assert code == 0 and "6000 imported, 0 skipped" in capsys.readouterr().out


# --- quiz check: variant ranges and templates that cost more than the budget ------------------------

BANK = "02_ev_types_isolation.yaml"
COSTLY = [
    ("k: {min: 40, max: 250, step: 2}", "k: {min: 40, max: 1.0e+300, step: 1.0e-300}",
     "variant.params.k.step: min to max in steps of 1e-300 is about 1e600 values; at most 1,000,000"),
    ("How\n      many **hours**", "How {{k:>2000000000}}\n      many **hours**",
     "prompt: {{k:>2000000000}}: '>2000000000' asks for a field 2,000,000,000 characters wide; at most 100"),
    ("(about {{minutes:.0f}} min)", "(about {{answer:.999999999f}} min)",
     "explanation: {{answer:.999999999f}}: '.999999999f' asks for 999,999,999 digits; at most 20"),
    ("k: {min: 40, max: 250, step: 2}", "k: {min: 40, max: 250, step: 2, format: '.999999999f'}",
     "variant.params.k.format: '.999999999f' asks for 999,999,999 digits; at most 20"),
]


@pytest.mark.parametrize("old, new, said", COSTLY, ids=["1e600 steps", "2 GB width", "91 s precision",
                                                        "param format"])
def test_quiz_check_refuses_what_costs_more_than_the_budget(tmp_path, capsys, old, new, said):
    from tmvlearn.quiz.bank import bank_paths

    text = next(p for p in bank_paths() if p.name == BANK).read_text(encoding="utf-8")
    assert old in text
    bank = tmp_path / BANK
    bank.write_text(text.replace(old, new), encoding="utf-8")
    with time_limit(30):
        code = main(["quiz", "check", str(bank)])
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.err
    assert f"{bank}: question ev-kfactor-hours: {said}" in out.out + out.err


def test_rendering_an_unchecked_costly_template_leaves_it_as_written():
    from tmvlearn.quiz.variants import fill

    with time_limit(10):
        assert fill("{{k:>2000000000}} and {{answer:.999999999f}}", {"k": 3, "answer": 1.5}) == \
            "{{k:>2000000000}} and {{answer:.999999999f}}"
    assert fill("{{k:>5}}", {"k": 3}) == "    3"

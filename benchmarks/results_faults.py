"""Before/after figures for issue 24 (items 1-4): each hostile case of tests/test_results_faults.py
collected by ``tmvlearn results`` from a given source tree, in a child process with a time limit,
an address-space cap and a file-size cap (so an old version's hang or flood cannot hurt the machine).

    python benchmarks/results_faults.py --src src                 # this tree
    python benchmarks/results_faults.py --src /tmp/before/src     # e.g. `git archive` of an older commit

Prints one line per case: seconds, exit status, peak memory, gradebook size, honest12's first
score, learners, and what the output says about the hostile file (or the last line of stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import test_results_faults as t  # noqa: E402

CAP_AS = 4 * 2**30  # address space of the child
CAP_FSIZE = 512 * 2**20  # largest file the child may write


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_AS, CAP_AS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (CAP_FSIZE, CAP_FSIZE))
    os.umask(0o022)


def run(src: str, args: list[str], cwd: Path, timeout: float) -> dict:
    """The command in a child process (capped); its time, exit status, peak memory and output."""
    env = dict(os.environ, PYTHONPATH=src, PYTHONDONTWRITEBYTECODE="1")
    env.pop("TMVLEARN_RESULTS_GROUP", None)
    out_path, err_path = cwd / ".bench-out", cwd / ".bench-err"
    start = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tmvlearn.cli", "results", *args], cwd=cwd, env=env,
                                stdout=out, stderr=err, preexec_fn=_limits)
        stopped = []
        timer = threading.Timer(timeout, lambda: (stopped.append(1), proc.kill()))
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    took = time.monotonic() - start
    code = f"stopped after {timeout:g} s" if stopped else proc.returncode
    text = {p: p.read_bytes().decode("utf-8", "backslashreplace") for p in (out_path, err_path)}
    out_path.unlink()
    err_path.unlink()
    return {"s": round(took, 2), "exit": code, "out": text[out_path], "err": text[err_path],
            "peak_mb": round(usage.ru_maxrss / 1024)}


def honest12(gradebook: Path) -> str:
    if not gradebook.exists():
        return "-"
    try:
        conn = sqlite3.connect(gradebook)
        rows = conn.execute("SELECT learner_key, question_id, score FROM attempts ORDER BY time").fetchall()
        learners = conn.execute("SELECT count(DISTINCT learner_key) FROM attempts").fetchone()[0]
        conn.close()
    except sqlite3.Error as exc:
        return f"unreadable ({exc})"
    first: dict[str, float] = {}
    for key, qid, score in rows:
        if key == "honest12":
            first.setdefault(qid, score)
    mean = sum(first.values()) / len(first) if first else float("nan")
    return f"honest12 first {mean:.0%}, {learners} learners"


def cases(outside: Path):
    yield "forged rows for honest12 (5 spellings)", lambda c: t.make_forged(c / "mallory"), []
    yield "7 phantom learners in one CSV", lambda c: t.make_phantoms(c / "mallory"), []
    for name in ("progress.csv", "progress.json", "progress.sqlite3.pending", "progress.sqlite3"):
        yield f"FIFO {name} (folder sorts first)", lambda c, n=name: t.make_fifo(c / "aaa", n), []
    yield "attempts VIEW, endless recursive query", lambda c: t.make_endless_view(c / "mallory"), []
    yield "4 KB attempts VIEW (10^7 rows)", lambda c: t.make_flood_view(c / "mallory"), []
    yield "non-UTF-8 learner and lesson", lambda c: t.make_bad_utf8(c / "mallory"), ["+again"]
    yield "scores 1e999/Infinity/NaN, --items --json", (
        lambda c: t.make_scores(c / "mallory", ["1e999", "Infinity", "NaN", "1"])
    ), ["--items", "--json", "i.json"]
    yield "score -1e308", lambda c: t.make_scores(c / "mallory", ["-1e308"]), ["--items"]
    yield "40,000 made-up question ids, --items", lambda c: t.make_question_ids(c / "mallory"), ["--items"]
    yield "40,000 question ids in a lesson with no bank, --items", (
        lambda c: t.write_db(c / "mallory" / "progress.sqlite3",
                             [t.row("mallory", 0, lesson="99_made_up", question_id=f"q{k}")
                              for k in range(40_000)])
    ), ["--items"]
    yield "300 made-up lesson ids, --html", lambda c: t.make_lesson_ids(c / "mallory"), ["--html", "r.html"]
    yield "links to /dev/zero, /dev/urandom, outside", lambda c: t.make_links(c / "mallory", outside), []
    yield "JSON 200,000 deep (export, journal)", lambda c: t.make_deep_json(c / "mallory"), []

    def surrogate(c):
        (c / "zed").mkdir()
        attempt = {**t.row("zed", 2), "response": "\ud800"}
        (c / "zed" / "progress.json").write_text(json.dumps({"learner": "zed", "attempts": [attempt]}))
    yield "lone surrogate in a JSON export", surrogate, []
    yield "NaN score / empty time rows", lambda c: t.write_csv(
        c / "mallory" / "progress.csv", [t.row("mallory", 0, float("nan")), t.row("mallory", 1, time="")]), []

    def big_response(c):
        t.write_csv(c / "mallory" / "progress.csv", [t.row("mallory", 0, response="x" * 20_000_000)])
    yield "one 20 MB response", big_response, []
    yield "formula names, --csv", lambda c: [t.write_csv(c / f"f{k}.csv", [t.row(n, k)])
                                              for k, n in enumerate(t.FORMULAS)], ["--csv", "g.csv"]
    yield "terminal escapes in a name and a folder", lambda c: t.write_db(
        c / "m\x1b[31mallory" / "progress.sqlite3", [t.row("\x1b[2J\x1b]0;owned\x07", 0)]), []
    yield "modes under umask 022", lambda c: None, ["--csv", "g.csv", "--json", "i.json"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", required=True)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("-k", default="")
    args = parser.parse_args()
    src = str(Path(args.src).resolve())
    base = Path(tempfile.mkdtemp(prefix="tmvlearn-results-bench-"))
    template = base / "template"
    t.honest_class(template)
    outside = t.write_csv(base / "elsewhere.csv", [t.row("mallory", 0)])
    try:
        for name, build, extra in cases(outside):
            if args.k and args.k not in name:
                continue
            work = base / "work"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            course = work / "course"
            shutil.copytree(template, course)
            build(course)
            again = "+again" in extra
            extra = [e for e in extra if e != "+again"]
            got = run(src, [str(course), *extra], work, args.timeout)
            line = [name, f"{got['s']} s", f"exit {got['exit']}", f"peak {got['peak_mb']} MB"]
            gradebook = work / "class-results.sqlite3"
            if gradebook.exists():
                line.append(f"gradebook {gradebook.stat().st_size / 2**20:.1f} MB")
                line.append(honest12(gradebook))
            if again:
                second = run(src, [], work, args.timeout)
                line.append(f"next run without paths: exit {second['exit']} "
                            f"{(second['err'].strip().splitlines() or [''])[-1][:100]}")
            said = [x for x in got["out"].splitlines() if x.startswith("  ") and ": " in x][:3]
            last_err = (got["err"].strip().splitlines() or [""])[-1][:150]
            line.append(" / ".join(s.strip()[-150:] for s in said) or last_err)
            if "mode" in name or "formula" in name:
                files = [p for p in sorted(work.iterdir())
                         if p.is_file() and not p.name.endswith(("-wal", "-shm"))]
                line.append(", ".join(f"{p.name} {oct(p.stat().st_mode & 0o777)}" for p in files))
            if "formula" in name and (work / "g.csv").exists():
                line.append(repr((work / "g.csv").read_text().splitlines()[1:4]))
            if "escape" in name:
                line.append("raw ESC printed" if "\x1b" in got["out"] else "ESC shown as \\x1b")
            print(" | ".join(line), flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

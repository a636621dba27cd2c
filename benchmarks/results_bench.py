"""Class results at scale: collect a class's progress databases and analyse them.

Builds (once, in a temporary folder) a SIMULATED hub-like course volume: one folder per learner,
each with a ``progress.sqlite3`` in the store's schema holding one first attempt per question at
``--questions`` questions of the shipped banks (default 10,000 learners x 100 questions =
1,000,000 attempts). Then prints, each measured in a fresh process so the memory figures are the
phase's own:

- **baseline**: pandas alone reading the same rows (``pd.read_sql_query`` of every file's
  ``attempts`` table, then ``pd.concat``);
- **collect**: ``tmvlearn.results.collect(folder, into=gradebook)``: find the files, read them
  read-only into a new gradebook file, de-duplicate, and return the attempts as a DataFrame;
- **analysis**: ``gradebook(frame)`` plus ``item_analysis(frame)`` on that DataFrame;
- the peak resident memory of the collect-and-analyse process (``ru_maxrss``).

Targets (issue 14): analysis under 2 s, collect under 3x the pandas read, under 1 GB peak.

    python benchmarks/results_bench.py [--learners 10000] [--questions 100] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def build(root: Path, learners: int, questions: int, seed: int = 0) -> int:
    """Write the simulated class under ``root``; the number of attempts."""
    import numpy as np

    from tmvlearn.progress.database import CREATE
    from tmvlearn.quiz.bank import lesson_ids, load_bank

    picked = [
        (
            q.lesson,
            q.id,
            json.dumps(q.key_response(), ensure_ascii=False),
            json.dumps((q.distractor_responses() or [None])[0], ensure_ascii=False),
        )
        for lesson in lesson_ids()
        for q in load_bank(lesson).questions
    ][:questions]
    # beyond the shipped banks' questions: a lesson with no bank (analysed from the data alone)
    picked += [("99_extra", f"extra-{k}", '"yes"', '"no"') for k in range(questions - len(picked))]
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=learners)
    b = rng.normal(size=len(picked))
    right = rng.random((learners, len(picked))) < 1 / (1 + np.exp(-(theta[:, None] - b[None, :])))
    for i in range(learners):
        folder = root / f"learner{i:05d}"  # one folder per learner, named as the learner (a hub account)
        folder.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(folder / "progress.sqlite3")
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(CREATE)
        conn.execute("PRAGMA user_version = 1")
        name = f"learner{i:05d}"
        rows = [
            (
                name,
                lesson,
                qid,
                key if right[i, j] else wrong,
                float(right[i, j]),
                int(right[i, j]),
                f"2026-03-{1 + j % 28:02d}T{9 + i % 10:02d}:{j % 60:02d}:{i % 60:02d}.000+00:00",
                "practice",
                "answer",
                1,
                f"{i:08x}{j:08x}",
            )
            for j, (lesson, qid, key, wrong) in enumerate(picked)
        ]
        conn.executemany(
            "INSERT INTO attempts (learner, lesson, question_id, response, score, correct, time, "
            "mode, kind, take, uid) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        conn.commit()
        conn.close()
    return learners * len(picked)


def phase_baseline(root: Path) -> dict:
    import pandas as pd

    start, cpu = time.perf_counter(), time.process_time()
    frames = []
    for path in sorted(root.glob("*/progress.sqlite3")):
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        frames.append(pd.read_sql_query("SELECT * FROM attempts", conn))
        conn.close()
    frame = pd.concat(frames, ignore_index=True)
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "rows": len(frame),
        "peak_mb": _peak_mb(),
    }


def phase_collect(root: Path, into: Path) -> dict:
    from tmvlearn.results import collect, first_attempts, gradebook, item_analysis
    from tmvlearn.results.analysis import question_banks

    start, cpu = time.perf_counter(), time.process_time()
    frame = collect(root, into=into)
    collect_s, collect_cpu = time.perf_counter() - start, time.process_time() - cpu
    banks = question_banks(map(str, frame["lesson"].unique()))  # bank loading, outside the timed analysis
    start, cpu = time.perf_counter(), time.process_time()
    first = first_attempts(frame, banks)
    book = gradebook(frame, banks, first=first)
    items = item_analysis(frame, banks, first=first)
    analysis_s, analysis_cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "collect_seconds": collect_s,
        "collect_cpu": collect_cpu,
        "analysis_seconds": analysis_s,
        "analysis_cpu": analysis_cpu,
        "rows": len(frame),
        "learners": int(book["learner"].nunique()),
        "items": sum(len(v["items"]) for v in items["lessons"].values()),
        "problems": len(frame.attrs["collection"].problems),
        "peak_mb": _peak_mb(),
    }


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def _child(phase: str, root: Path, into: Path | None = None) -> dict:
    command = [sys.executable, __file__, "--phase", phase, "--root", str(root)]
    if into is not None:
        command += ["--into", str(into)]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--keep", metavar="DIR", help="build the class in DIR (reused if already there)")
    parser.add_argument("--phase", choices=["baseline", "collect"], help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--into", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "baseline":
        print(json.dumps(phase_baseline(Path(args.root))))
        return
    if args.phase == "collect":
        print(json.dumps(phase_collect(Path(args.root), Path(args.into))))
        return
    with tempfile.TemporaryDirectory(prefix="tmvlearn-results-bench-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp) / "course"
        if not (root / "learner00000" / "progress.sqlite3").exists():
            start = time.perf_counter()
            n = build(root, args.learners, args.questions)
            print(
                f"built a simulated class: {args.learners} learners x {args.questions} questions = {n} "
                f"attempts in {args.learners} SQLite files ({time.perf_counter() - start:.1f} s, not part of "
                "the figures)"
            )
        load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
        base = _child("baseline", root)
        into = Path(tmp) / "gradebook.sqlite3"
        got = _child("collect", root, into)
        ratio = got["collect_seconds"] / base["seconds"]
        print(
            f"load average before the runs: {load}  (the machine is shared: wall times grow with it; "
            "CPU times much less)"
        )
        print(
            f"pandas alone, read_sql_query + concat : {base['seconds']:6.2f} s wall, "
            f"{base['cpu']:6.2f} s CPU  "
            f"({base['rows']} rows, peak {base['peak_mb']:.0f} MB)"
        )
        print(
            f"collect (files -> gradebook -> frame)  : {got['collect_seconds']:6.2f} s wall, "
            f"{got['collect_cpu']:6.2f} s CPU  = {ratio:.2f} x pandas (target < 3 x)  ({got['rows']} rows, "
            f"{got['learners']} learners, {got['problems']} problems)"
        )
        print(
            f"analysis (first attempts + gradebook + item analysis): {got['analysis_seconds']:6.2f} s wall, "
            f"{got['analysis_cpu']:6.2f} s CPU  (target < 2 s; {got['items']} items)"
        )
        print(f"peak memory, collect + analysis process: {got['peak_mb']:6.0f} MB (target < 1024 MB)")
        print(f"gradebook file: {into.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    main()

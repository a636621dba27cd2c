"""Progress store speed: recording attempts and summarising them, next to bare SQLite.

Prints, for one run on this machine:

- the time to record N attempts (default 1,000) through ``ProgressStore.record``, one durable
  transaction each, next to a bare ``sqlite3`` loop that inserts the same rows the same way
  (WAL, ``BEGIN IMMEDIATE`` ... ``COMMIT`` per row) into a fresh file, once with
  ``synchronous=NORMAL`` (no flush to disk per commit) and once with ``synchronous=FULL`` (a flush
  per commit, as the store does since it must not lose an attempt to a power cut);
- the time to summarise M attempts (default 10,000, over the shipped lessons) with
  ``ProgressStore.summary``, in a fresh store (so the file is opened, checked and read), next to a
  bare ``sqlite3`` read of the same rows followed by a plain pandas ``groupby``;
- the time to open a store and read it read-only, as ``tmvlearn progress`` does (when the store
  has a ``read_only`` mode).

Every figure is the median of ``--repeat`` runs (default 5), each in a fresh temporary folder.

    python benchmarks/progress_bench.py [--attempts 1000] [--summarise 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

LESSONS = ["00_start_here", "01_biogenesis", "02_ev_types_isolation", "03_cargo_biomarkers",
           "04_tumor_microenvironment", "05_immune_interactions", "06_clinical_uses", "07_review"]


def _rows(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        score = rng.choice([0.0, 0.5, 1.0])
        rows.append({"lesson": rng.choice(LESSONS), "question_id": f"q{rng.randrange(12)}",
                     "response": rng.choice([True, "1970", ["a", "b"], i]), "score": score,
                     "correct": score == 1.0, "learner": rng.choice(["ada", "grace", "alan"])})
    return rows


def _median(times: list[float]) -> float:
    return statistics.median(times) * 1000


def bare_insert(path: Path, rows: list[dict], synchronous: str = "NORMAL") -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, learner TEXT, lesson TEXT, "
                 "question_id TEXT, response TEXT, score REAL, correct INTEGER, time TEXT)")
    start = time.perf_counter()
    for row in rows:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO attempts (learner, lesson, question_id, response, score, correct, time) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (row["learner"], row["lesson"], row["question_id"], json.dumps(row["response"]),
                      row["score"], int(row["correct"]), "2025-01-01T00:00:00.000+00:00"))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def store_insert(path: Path, rows: list[dict]) -> float:
    from tmvlearn.quiz import ProgressStore

    store = ProgressStore(path)
    start = time.perf_counter()
    for row in rows:
        store.record(**row)
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed


def bare_summary(path: Path) -> float:
    import pandas as pd

    start = time.perf_counter()
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT learner, lesson, question_id, score, correct, time FROM attempts "
                        "WHERE learner = ? ORDER BY time, id", ("ada",)).fetchall()
    conn.close()
    frame = pd.DataFrame(rows, columns=["learner", "lesson", "question_id", "score", "correct", "time"])
    frame.groupby(["lesson", "question_id"]).agg(best=("score", "max"), n=("score", "size")) \
        .groupby(level="lesson").agg(answered=("best", "size"), best=("best", "mean"), attempts=("n", "sum"))
    return time.perf_counter() - start


def store_summary(path: Path, **options) -> float:
    from tmvlearn.quiz import ProgressStore

    start = time.perf_counter()
    store = ProgressStore(path, **options)
    summary = store.summary("ada")
    elapsed = time.perf_counter() - start
    assert len(summary) == len(LESSONS), summary
    store.close()
    return elapsed


def fill(path: Path, rows: list[dict]) -> None:
    """Write ``rows`` into a store file in one transaction (setup, not timed)."""
    from tmvlearn.quiz import ProgressStore

    store = ProgressStore(path)
    store.record(**rows[0])  # creates the file with the current schema
    store.close()
    conn = sqlite3.connect(path)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(attempts)")]
    extra = {"mode": "practice", "kind": "answer", "take": 1} if "mode" in columns else {}
    names = ["learner", "lesson", "question_id", "response", "score", "correct", "time", *extra]
    with conn:
        conn.executemany(
            f"INSERT INTO attempts ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [(r["learner"], r["lesson"], r["question_id"], json.dumps(r["response"]), r["score"],
              int(r["correct"]), f"2025-01-01T00:00:{i % 60:02d}.000+00:00", *extra.values())
             for i, r in enumerate(rows[1:])])
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1000)
    parser.add_argument("--summarise", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ["TMVLEARN_HOME"] = tempfile.mkdtemp(prefix="tmvlearn-bench-")  # never a real database
    from tmvlearn.quiz import ProgressStore

    read_only = "read_only" in ProgressStore.__init__.__code__.co_varnames

    rows = _rows(args.attempts)
    bare, bare_full, ours = [], [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            bare.append(bare_insert(Path(tmp) / "bare.sqlite3", rows))
            bare_full.append(bare_insert(Path(tmp) / "bare-full.sqlite3", rows, "FULL"))
            ours.append(store_insert(Path(tmp) / "progress.sqlite3", rows))
    print(f"record {args.attempts:,} attempts, one transaction each: ProgressStore.record "
          f"{_median(ours):.0f} ms ({_median(ours) / args.attempts * 1000:.0f} us each); "
          f"bare sqlite3 loop {_median(bare):.0f} ms (synchronous=NORMAL), "
          f"{_median(bare_full):.0f} ms (synchronous=FULL)")

    many = _rows(args.summarise, seed=1)
    bare, ours, ro = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "progress.sqlite3"
        fill(path, many)
        store_summary(path)  # warm the bank cache and the page cache, as a running kernel has them
        for _ in range(args.repeat):
            bare.append(bare_summary(path))
            ours.append(store_summary(path))
            if read_only:
                ro.append(store_summary(path, read_only=True))
    line = (f"summarise {args.summarise:,} attempts (open, check, read, per-lesson summary): "
            f"ProgressStore.summary {_median(ours):.0f} ms")
    if ro:
        line += f", read-only (tmvlearn progress) {_median(ro):.0f} ms"
    print(line + f"; bare sqlite3 read + pandas groupby {_median(bare):.0f} ms")
    print(f"(median of {args.repeat} runs each, same machine, same run)")


if __name__ == "__main__":
    main()

"""Spaced review speed: ``due()`` for a learner with many attempts, next to a plain SELECT.

Builds one progress file with N attempts (default 10,000) of one learner over the shipped banks'
question ids (plus 2,000 of another learner), written as a schema-1 file and migrated by opening it
for writing (so the migration, which computes every review state from the history, is timed too).
Then prints, each the median of ``--repeat`` runs:

- ``due()`` through a fresh read-only store (open the file, read the stored states, check for
  attempts they do not cover, any pending journal, build the DataFrame): the figure with the
  target of 50 ms;
- the baseline: a plain ``sqlite3`` read-only connection and ``SELECT`` of the same rows of
  ``review_state``;
- what a file without stored states costs: every state computed from the N attempts (FSRS replay),
  as a reader of a schema-1 file does;
- one ``record()`` (a durable transaction that also updates the item's review state) next to the
  same insert without the review tables (a schema-1 file opened by this version would migrate, so
  the insert is timed on a bare table of the same shape).

    python benchmarks/review_bench.py [--attempts 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def build(path: Path, n: int, ids: list[tuple[str, str]], seed: int = 0) -> None:
    """A schema-1 progress file with ``n`` attempts of "ada" and 2,000 of "grace", over a month."""
    from tmvlearn.progress import V0_COLUMNS

    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, learner TEXT NOT NULL,
            lesson TEXT NOT NULL, question_id TEXT NOT NULL, response TEXT NOT NULL, score REAL NOT NULL,
            correct INTEGER NOT NULL, time TEXT NOT NULL, mode TEXT NOT NULL DEFAULT 'practice',
            kind TEXT NOT NULL DEFAULT 'answer', take INTEGER NOT NULL DEFAULT 1, uid TEXT);
        CREATE INDEX attempts_learner ON attempts (learner, lesson, question_id);
        CREATE UNIQUE INDEX attempts_uid ON attempts (uid);
        PRAGMA user_version = 1;
    """)
    rows = []
    for learner, count in (("ada", n), ("grace", 2000)):
        for i in range(count):
            lesson, qid = rng.choice(ids)
            ok = rng.random() < 0.7
            when = start + timedelta(seconds=i * 30 * 24 * 3600 / count)
            rows.append((learner, lesson, qid, '"x"', 1.0 if ok else 0.0, int(ok),
                         when.isoformat(timespec="milliseconds"), uuid.uuid4().hex))
    rows.sort(key=lambda r: r[6])
    conn.executemany(f"INSERT INTO attempts ({', '.join(V0_COLUMNS)}, uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     rows)
    conn.commit()
    conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    from tmvlearn.progress import ProgressStore
    from tmvlearn.progress.rows import query_attempts
    from tmvlearn.quiz.bank import lesson_ids, load_bank
    from tmvlearn.quiz.review_quiz import due
    from tmvlearn.scheduler import compute_states

    ids = [(lesson, q.id) for lesson in lesson_ids() for q in load_bank(lesson).questions]
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_STATE_HOME"] = folder
        db = Path(folder) / "progress.sqlite3"
        build(db, args.attempts, ids)

        started = time.perf_counter()
        writer = ProgressStore(db)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            writer.record(lesson=ids[0][0], question_id=ids[0][1], response=1, score=1, correct=True,
                          learner="ada")
        migrate_ms = (time.perf_counter() - started) * 1000
        items = sqlite3.connect(db).execute("SELECT count(*) FROM review_state WHERE learner = 'ada'")
        n_items = items.fetchone()[0]

        due_times, select_times, replay_times = [], [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            frame = due("ada", upcoming=True, store=ProgressStore(db, read_only=True))
            due_times.append(time.perf_counter() - t)
            assert len(frame) == n_items

            t = time.perf_counter()
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            got = conn.execute("SELECT learner, item, lesson, due, last_correct, last_time, seen, card "
                               "FROM review_state WHERE learner = ?", ("ada",)).fetchall()
            conn.close()
            select_times.append(time.perf_counter() - t)
            assert len(got) == n_items

        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        history = query_attempts(conn, "ada")
        conn.close()
        for _ in range(max(1, args.repeat // 3)):
            t = time.perf_counter()
            compute_states(history)
            replay_times.append(time.perf_counter() - t)

        record_times, bare_times = [], []
        bare = sqlite3.connect(Path(folder) / "bare.sqlite3", isolation_level=None)
        bare.execute("PRAGMA journal_mode = WAL")
        bare.execute("PRAGMA synchronous = FULL")
        bare.execute("CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, learner TEXT, "
                     "lesson TEXT, question_id TEXT, response TEXT, score REAL, correct INTEGER, time TEXT, "
                     "mode TEXT, kind TEXT, take INTEGER, uid TEXT)")
        for i in range(args.repeat * 3):
            lesson, qid = ids[i % len(ids)]
            t = time.perf_counter()
            writer.record(lesson=lesson, question_id=qid, response=1, score=1, correct=True, learner="ada")
            record_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            bare.execute("BEGIN IMMEDIATE")
            bare.execute("INSERT INTO attempts (learner, lesson, question_id, response, score, correct, "
                         "time, mode, kind, take, uid) "
                         "VALUES ('ada', ?, ?, '1', 1, 1, ?, 'practice', 'answer', 1, ?)",
                         (lesson, qid, datetime.now(timezone.utc).isoformat(), uuid.uuid4().hex))
            bare.execute("COMMIT")
            bare_times.append(time.perf_counter() - t)
        bare.close()
        writer.close()

    print(f"review_bench: {args.attempts:,} attempts of one learner over {n_items} questions "
          f"(+2,000 of another); median of {args.repeat} runs; Python {sys.version.split()[0]}")
    print(f"  due(), fresh read-only store       {_median_ms(due_times):8.1f} ms   (target < 50 ms)")
    print(f"  baseline: plain SELECT of the rows {_median_ms(select_times):8.1f} ms")
    print(f"  states computed from all attempts  {_median_ms(replay_times):8.1f} ms   (schema-1 file)")
    print(f"  migration 1 -> 2 (+ first record)  {migrate_ms:8.1f} ms   (once per file)")
    print(f"  record() incl. review state        {_median_ms(record_times):8.1f} ms")
    print(f"  baseline: bare durable INSERT      {_median_ms(bare_times):8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The review-state cache: each learner's review state per item, kept beside the attempts.

Schema version 2 adds the tables ``review_state`` (one row per learner and reviewed item: its
lesson, when it is due, the last result, how often it was answered and the FSRS card; see
:mod:`tmvlearn.scheduler`) and ``review_meta`` (``upto``: the last attempt id the states account
for; ``rules``: the scheduler's :data:`~tmvlearn.scheduler.RULES` they were computed under, none
meaning version 1), and an index on ``attempts (learner, question_id)``. States computed under other
rules are recomputed from every attempt at the next write, and ignored by readers until then. The
review state is derived from the attempts, never the other way round: every transaction that adds
attempts (an answer, a pending journal replayed, a migration from version 1) recomputes, from their
whole history, the state of every item with an attempt past ``upto``, so attempts added by an older
tmvlearn, which does not know the tables, are caught up at the next write. If that step fails the
attempt is still committed, and the state follows at the next write. A reader of a version-1 file,
or of a damaged one, computes the states from the attempts it can read, without writing.
"""

from __future__ import annotations

import contextlib
import sqlite3

from tmvlearn.progress.faults import is_locked, proves_corrupt
from tmvlearn.progress.rows import item_history, query_attempts, rows_after
from tmvlearn.scheduler import RULES, ItemState, compute_states

REVIEW_TABLES = """
CREATE TABLE IF NOT EXISTS review_state (
    learner TEXT NOT NULL,
    item TEXT NOT NULL,
    lesson TEXT NOT NULL,
    due TEXT NOT NULL,
    last_correct INTEGER NOT NULL,
    last_time TEXT NOT NULL,
    seen INTEGER NOT NULL,
    card TEXT NOT NULL,
    PRIMARY KEY (learner, item)
);
CREATE INDEX IF NOT EXISTS review_due ON review_state (learner, due);
CREATE TABLE IF NOT EXISTS review_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_item ON attempts (learner, question_id);
"""
REVIEW_COLUMNS = ["learner", "item", "lesson", "due", "last_correct", "last_time", "seen", "card"]


def has_review_tables(conn: sqlite3.Connection) -> bool:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"review_state", "review_meta"} <= tables


def _stored_states(conn: sqlite3.Connection, keys) -> dict:
    out = {}
    sql = f"SELECT {', '.join(REVIEW_COLUMNS)} FROM review_state WHERE learner = ? AND item = ?"
    for key in keys:
        found = conn.execute(sql, key).fetchone()
        if found:
            row = dict(zip(REVIEW_COLUMNS, found, strict=True))
            row["last_correct"] = bool(row["last_correct"])
            out[key] = ItemState(**row)
    return out


def _meta(conn: sqlite3.Connection, key: str, default: int) -> int:
    found = conn.execute("SELECT value FROM review_meta WHERE key = ?", (key,)).fetchone()
    try:
        return int(found[0]) if found else default
    except (TypeError, ValueError):  # a damaged value: as if absent
        return default


def _current_rules(conn: sqlite3.Connection) -> bool:
    """Whether the stored states were computed under this tmvlearn's scheduling rules."""
    return _meta(conn, "rules", 1) == RULES


def refresh_review(conn: sqlite3.Connection) -> None:
    """Recompute, inside the caller's transaction, the review state of every item with an attempt
    past ``review_meta.upto``, from that item's whole history; then move ``upto`` on. States kept
    under other rules (an older tmvlearn's) are all recomputed first."""
    if not _current_rules(conn):
        conn.execute("DELETE FROM review_state")
        conn.execute("INSERT OR REPLACE INTO review_meta (key, value) VALUES ('upto', 0)")
        conn.execute("INSERT OR REPLACE INTO review_meta (key, value) VALUES ('rules', ?)", (RULES,))
    upto = _meta(conn, "upto", 0)
    top = conn.execute("SELECT max(id) FROM attempts").fetchone()[0] or 0
    if top <= upto:
        return
    new = rows_after(conn, upto)
    stored = _stored_states(conn, {(r["learner"], r["question_id"]) for r in new})
    # An item whose new attempts all come after its stored state's last one continues from it (one
    # step per answer); any other (a journal replaying older attempts, no state yet) replays all.
    late: dict[tuple[str, str], bool] = {}
    for row in new:
        key = (row["learner"], row["question_id"])
        late[key] = late.get(key, True) and key in stored and str(row["time"]) >= stored[key].last_time
    rows = [row for row in new if late[(row["learner"], row["question_id"])]]
    replay: dict[str, list[str]] = {}
    for (learner, item), ok in late.items():
        if not ok:
            replay.setdefault(learner, []).append(item)
    rows += [row for learner, items in replay.items() for row in item_history(conn, learner, items)]
    states = compute_states(rows, start={k: v for k, v in stored.items() if late.get(k)})
    sql = (f"INSERT OR REPLACE INTO review_state ({', '.join(REVIEW_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(REVIEW_COLUMNS))})")
    conn.executemany(sql, [state.row() for state in states.values()])
    conn.execute("INSERT OR REPLACE INTO review_meta (key, value) VALUES ('upto', ?)", (top,))


def refresh_review_safely(conn: sqlite3.Connection) -> None:
    """:func:`refresh_review` in a savepoint: if it fails, the attempts still commit (the states
    catch up at the next write, since ``upto`` did not move)."""
    conn.execute("SAVEPOINT review")
    try:
        refresh_review(conn)
    except Exception as exc:
        if proves_corrupt(exc) or is_locked(exc) and isinstance(exc, sqlite3.Error):
            raise
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK TO review")
    with contextlib.suppress(sqlite3.Error):
        conn.execute("RELEASE review")


def review_query(conn: sqlite3.Connection, learner: str | None, extra_items=()) -> tuple[dict, list]:
    """(stored review states of ``learner``, attempt rows to compute states from): the rows are the
    whole history of every item whose stored state is behind, and of ``extra_items``. A file without
    the review tables (version 1 or older) gives no stored states and every attempt."""
    if learner is None or not has_review_tables(conn) or not _current_rules(conn):
        return {}, query_attempts(conn, learner)
    stored = {}
    for values in conn.execute(f"SELECT {', '.join(REVIEW_COLUMNS)} FROM review_state WHERE learner = ?",
                               (learner,)):
        row = dict(zip(REVIEW_COLUMNS, values, strict=True))
        row["last_correct"] = bool(row["last_correct"])
        stored[(learner, row["item"])] = ItemState(**row)
    upto = _meta(conn, "upto", 0)
    items = {r[0] for r in conn.execute("SELECT DISTINCT question_id FROM attempts WHERE id > ? AND "
                                        "learner = ?", (upto, learner))}
    return stored, item_history(conn, learner, sorted(items | set(extra_items)))

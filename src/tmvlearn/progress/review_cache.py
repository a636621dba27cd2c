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

The cache is checked as it is read (:func:`usable_state`): a stored state whose due date, time, count
or card cannot be read, or an ``upto`` that is not an attempt id of the file, is never used; those
items (or, for ``upto``, all) are recomputed from their attempts, a reader says so in its notes, and
the next write stores the recomputed states.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from datetime import datetime

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
#: A stored state's plausible bounds: times seen, and the years a due date may fall in (pandas'
#: timestamps end in 2262; the schedule's longest interval is a hundred years).
MAX_SEEN = 10**9
DUE_YEARS = (1900, 2200)
#: A due date as the scheduler writes it (UTC, to the second).
_DUE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}")


def usable_state(row: dict) -> bool:
    """Whether a stored ``review_state`` row (a dict of :data:`REVIEW_COLUMNS`) can be used as it is."""
    text = ("learner", "item", "lesson", "due", "last_time", "card")
    if not all(isinstance(row[key], str) for key in text) or row["last_correct"] not in (0, 1):
        return False
    seen = row["seen"]
    if type(seen) is not int or not 0 <= seen <= MAX_SEEN:
        return False
    if not _DUE.fullmatch(row["due"]):
        return False
    try:
        due = datetime.fromisoformat(row["due"])
    except ValueError:
        return False
    return due.tzinfo is not None and DUE_YEARS[0] <= due.year <= DUE_YEARS[1]


def _damaged(notes: list[str] | None, what: str) -> None:
    if notes is not None:
        notes.append(f"The review schedule stored in the progress database is damaged ({what}); it was "
                     "recomputed from your attempts (and is stored again at your next answer).")


def has_review_tables(conn: sqlite3.Connection) -> bool:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"review_state", "review_meta"} <= tables


def _stored_states(conn: sqlite3.Connection, keys) -> dict:
    from fsrs import Card

    out = {}
    sql = f"SELECT {', '.join(REVIEW_COLUMNS)} FROM review_state WHERE learner = ? AND item = ?"
    for key in keys:
        found = conn.execute(sql, key).fetchone()
        if found:
            row = dict(zip(REVIEW_COLUMNS, found, strict=True))
            if not usable_state(row):
                continue  # damaged: the item's whole history is replayed
            try:
                Card.from_json(row["card"])
            except Exception:  # a card that cannot be read: replayed as well
                continue
            row["last_correct"] = bool(row["last_correct"])
            out[key] = ItemState(**row)
    return out


def _damaged_keys(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """Remove every stored state that cannot be used (:func:`usable_state`); their (learner, item)."""
    keys, gone = set(), []
    for rowid, *values in conn.execute(f"SELECT rowid, {', '.join(REVIEW_COLUMNS)} FROM review_state"):
        row = dict(zip(REVIEW_COLUMNS, values, strict=True))
        if not usable_state(row):
            gone.append((rowid,))
            if isinstance(row["learner"], str) and isinstance(row["item"], str):
                keys.add((row["learner"], row["item"]))
    conn.executemany("DELETE FROM review_state WHERE rowid = ?", gone)
    return keys


def _meta(conn: sqlite3.Connection, key: str, default: int) -> int:
    found = conn.execute("SELECT value FROM review_meta WHERE key = ?", (key,)).fetchone()
    try:
        return int(found[0]) if found else default
    except (TypeError, ValueError, OverflowError):  # a damaged value: as if absent
        return default


def _upto(conn: sqlite3.Connection, top: int) -> int | None:
    """``review_meta.upto``: the last attempt id the states account for (0 when absent); None when it
    is damaged (not a whole number from 0 to ``top``, the file's last attempt id)."""
    found = conn.execute("SELECT value FROM review_meta WHERE key = 'upto'").fetchone()
    if found is None:
        return 0
    value = found[0]
    return value if type(value) is int and 0 <= value <= top else None


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
    top = conn.execute("SELECT max(id) FROM attempts").fetchone()[0] or 0
    upto = _upto(conn, top)
    if upto is None:  # damaged: every state recomputed, as for other rules
        conn.execute("DELETE FROM review_state")
        upto = 0
    damaged = _damaged_keys(conn)  # removed, and replayed from their whole history below
    if top <= upto and not damaged:
        return
    new = rows_after(conn, upto) if top > upto else []
    stored = _stored_states(conn, {(r["learner"], r["question_id"]) for r in new} - damaged)
    # An item whose new attempts all come after its stored state's last one continues from it (one
    # step per answer); any other (a journal replaying older attempts, no state yet) replays all.
    late: dict[tuple[str, str], bool] = dict.fromkeys(damaged, False)
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


def review_query(conn: sqlite3.Connection, learner: str | None, extra_items=(),
                 notes: list[str] | None = None) -> tuple[dict, list]:
    """(stored review states of ``learner``, attempt rows to compute states from): the rows are the
    whole history of every item whose stored state is behind or damaged, and of ``extra_items``. A
    file without the review tables (version 1 or older), or whose ``upto`` is damaged, gives no stored
    states and every attempt; damage is said in ``notes``."""
    if learner is None or not has_review_tables(conn) or not _current_rules(conn):
        return {}, query_attempts(conn, learner)
    top = conn.execute("SELECT max(id) FROM attempts").fetchone()[0] or 0
    upto = _upto(conn, top)
    if upto is None:
        _damaged(notes, "the position it was computed up to cannot be read")
        return {}, query_attempts(conn, learner)
    stored, damaged = {}, set()
    for values in conn.execute(f"SELECT {', '.join(REVIEW_COLUMNS)} FROM review_state WHERE learner = ?",
                               (learner,)):
        row = dict(zip(REVIEW_COLUMNS, values, strict=True))
        if not usable_state(row):
            damaged.add(str(row["item"]))
            continue
        row["last_correct"] = bool(row["last_correct"])
        stored[(learner, row["item"])] = ItemState(**row)
    if damaged:
        _damaged(notes, f"{len(damaged)} item{'s' if len(damaged) != 1 else ''} with a due date, time or "
                        "count that cannot be read")
    items = {r[0] for r in conn.execute("SELECT DISTINCT question_id FROM attempts WHERE id > ? AND "
                                        "learner = ?", (upto, learner))}
    return stored, item_history(conn, learner, sorted(items | damaged | set(extra_items)))

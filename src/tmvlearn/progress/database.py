"""The progress database: where the file is, its tables and schema versions, and opening it for writing.

The file is ``progress.sqlite3`` in ``$TMVLEARN_HOME`` when set, otherwise in
``platformdirs.user_data_dir("tmvlearn")``. WAL mode and a busy timeout let several notebooks write
at once; each attempt is one transaction, flushed to disk (``synchronous = FULL``).

The file's ``PRAGMA user_version`` says which schema it holds; opening it for writing migrates it
forward (:data:`MIGRATIONS`), in one transaction. Every migration only adds columns with defaults
(or tables), so a file written by a *newer* tmvlearn is still read with the columns this version
knows and new attempts are added with them; it is never moved or rewritten, and a warning says so.

Schema version 1 adds to version 0's ``attempts`` table ``mode`` (practice, test, exercise; and
from version 2 flashcard), ``kind`` (answer, or reveal for a solution or explanation revealed on
purpose; a code exercise's check is ``mode="exercise"``, ``kind="answer"``, so every reader since
version 1 accepts it and leaves it out of quiz scores and reviews), ``take`` (the test take, 1 for
the first) and ``uid``. Grading never depends on any of
this. Schema version 2 (this one) adds the review-state cache (:mod:`.review_cache`).
"""

from __future__ import annotations

import getpass
import os
import sqlite3
from pathlib import Path

import tmvlearn.progress.faults as faults  # faults.BUSY_MS is read when used: tests shorten it
from tmvlearn.progress.faults import Corrupt, Unavailable, describe_fault, proves_corrupt, retry_while_locked
from tmvlearn.progress.review_cache import REVIEW_TABLES, has_review_tables, refresh_review_safely
from tmvlearn.progress.rows import COLUMNS, V0_COLUMNS

FILENAME = "progress.sqlite3"
SCHEMA_VERSION = 2

CREATE = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    learner TEXT NOT NULL,
    lesson TEXT NOT NULL,
    question_id TEXT NOT NULL,
    response TEXT NOT NULL,
    score REAL NOT NULL,
    correct INTEGER NOT NULL,
    time TEXT NOT NULL,
    mode TEXT NOT NULL DEFAULT 'practice',
    kind TEXT NOT NULL DEFAULT 'answer',
    take INTEGER NOT NULL DEFAULT 1,
    uid TEXT
);
CREATE INDEX IF NOT EXISTS attempts_learner ON attempts (learner, lesson, question_id);
CREATE UNIQUE INDEX IF NOT EXISTS attempts_uid ON attempts (uid);
""" + REVIEW_TABLES


#: ``MIGRATIONS[n]`` takes a version-``n`` file to version ``n + 1``. Only add columns with
#: defaults or new tables: older tmvlearn versions keep reading and adding to a newer file.
MIGRATIONS: dict[int, list[str]] = {
    # version 0 (tmvlearn 0.1): learner, lesson, question_id, response, score, correct, time
    0: [
        "ALTER TABLE attempts ADD COLUMN mode TEXT NOT NULL DEFAULT 'practice'",
        "ALTER TABLE attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'answer'",
        "ALTER TABLE attempts ADD COLUMN take INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE attempts ADD COLUMN uid TEXT",
        "UPDATE attempts SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL",
        "CREATE UNIQUE INDEX IF NOT EXISTS attempts_uid ON attempts (uid)",
    ],
    # version 1: review_state, review_meta (filled from the attempts by refresh_review, same transaction)
    1: [statement for statement in REVIEW_TABLES.split(";") if statement.strip()],
}


def home_dir() -> Path:
    """``$TMVLEARN_HOME`` if set, else the platform's user data folder for tmvlearn."""
    env = os.environ.get("TMVLEARN_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("tmvlearn", appauthor=False))


def default_learner() -> str:
    """``$TMVLEARN_LEARNER``, else the operating-system user name."""
    name = os.environ.get("TMVLEARN_LEARNER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser() or "learner"
    except Exception:  # no user name in some containers
        return "learner"


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``: a store checks it still holds the file found there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def connect(target: str) -> sqlite3.Connection:
    """A connection for writing (autocommit: each write is its own ``BEGIN IMMEDIATE ... COMMIT``)."""
    conn = sqlite3.connect(target, timeout=faults.BUSY_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {faults.BUSY_MS}")
    return conn


def open_for_writing(path: Path, notes: list[str]) -> tuple[sqlite3.Connection, bool]:
    """The file at ``path`` open for writing: WAL, checked, created or migrated (:func:`prepare_schema`);
    and whether it has the review tables. Raises :class:`Corrupt` or :class:`Unavailable`."""
    if path.is_dir():
        raise Unavailable(f"{path} is a folder, not a file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Unavailable(f"cannot create the folder {path.parent}: {describe_fault(exc)}") from None
    conn = None
    try:
        conn = connect(str(path))
        # Switching to WAL can answer "locked" at once, without waiting, while another process
        # creates the same file: retry it (the mode then stays in the file).
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            retry_while_locked(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
        conn.execute("PRAGMA synchronous = FULL")  # a committed attempt survives a power cut too
        check = conn.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise Corrupt(check_failure(check))
        review = prepare_schema(conn, str(path), notes)
    except Corrupt:
        conn.close()
        raise
    except Unavailable:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        if proves_corrupt(exc):
            raise Corrupt(str(exc)) from None
        raise Unavailable(f"cannot open {path}: {describe_fault(exc, path)}") from None
    return conn, review


def prepare_schema(conn: sqlite3.Connection, location: str, notes: list[str]) -> bool:
    """Create the tables in a new file, migrate an older one, accept a newer one; whether the file
    has the review tables (``location`` names it in messages)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return True
    if version > SCHEMA_VERSION:
        present = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
        missing = [c for c in COLUMNS + ["uid"] if c not in present]
        if missing:
            raise Unavailable(f"{location} has schema version {version} but lacks "
                              f"{', '.join(missing)}")
        notes.append(f"the progress database {location} was written by a newer tmvlearn (schema "
                     f"version {version}; this one knows up to {SCHEMA_VERSION}): attempts are read and "
                     "added with the columns this version knows, and nothing in it is changed or moved. "
                     "Update tmvlearn (pip install -U tmvlearn) to see everything.")
        return has_review_tables(conn)

    def migrate():
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may be first
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if current == 0 and "attempts" not in tables:
                for statement in CREATE.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif current < SCHEMA_VERSION:
                present = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
                missing = [c for c in V0_COLUMNS if c not in present]
                if missing:
                    raise Unavailable(f"{location} is not a tmvlearn progress database (its "
                                      f"attempts table lacks {', '.join(missing)}); move it away, or "
                                      "set TMVLEARN_HOME to another folder")
                for step in range(current, SCHEMA_VERSION):
                    for statement in MIGRATIONS[step]:
                        conn.execute(statement)
                refresh_review_safely(conn)  # the past attempts' review states, in this transaction
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    retry_while_locked(migrate)
    return True


def check_failure(check: list[tuple]) -> str:
    """What ``PRAGMA quick_check`` found, in one line."""
    lines = [line.strip() for row in check for line in str(row[0]).splitlines()
             if line.strip() and not line.startswith("***")]
    return "the integrity check failed: " + "; ".join(lines[:2]) + ("; ..." if len(lines) > 2 else "")

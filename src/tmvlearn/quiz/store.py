"""Kept progress: every checked answer, in a SQLite file in the user's data folder.

The file is ``progress.sqlite3`` in ``$TMVLEARN_HOME`` when set, otherwise in
``platformdirs.user_data_dir("tmvlearn")``. It is opened lazily, the first time something is
recorded, so building or displaying a quiz (as nbval and papermill do) never creates it; reading
(:func:`progress`, :func:`attempts`, ``tmvlearn progress``) opens it read-only and never creates,
migrates or repairs it. WAL mode and a busy timeout let several notebooks write at once; each
attempt is one transaction.

Nothing a learner did is discarded:

- **Schema versions.** The file's ``PRAGMA user_version`` says which schema it holds; opening it
  for writing migrates it forward (:data:`MIGRATIONS`), in one transaction. Every migration only
  adds columns with defaults (or tables), so a file written by a *newer* tmvlearn is still read
  with the columns this version knows and new attempts are added with them; it is never moved or
  rewritten, and a warning says so.
- **Only proven damage moves a file.** A file is moved aside (``progress.sqlite3.corrupt-N``) only
  when SQLite itself says it is damaged (``PRAGMA quick_check`` fails, "database disk image is
  malformed", "file is not a database"), and only after its readable rows have been copied into the
  pending journal, which the new file then takes in. The move happens under the file's write lock,
  and every writer checks, inside each write transaction, that the file it holds is still the one
  at the path: no process writes into a moved-aside file.
- **Every other fault keeps the attempt pending.** Locked, busy, read-only, permissions, disk full,
  too many open files, an I/O error: the file stays where it is, and the attempt goes to a pending
  journal (JSON lines, flushed to disk) beside the database (``progress.sqlite3.pending``), else in
  the user state folder (``platformdirs.user_state_dir``), else in a private folder in the
  temporary folder, else (nothing on disk can be written) in memory, with one file descriptor kept
  in reserve so that running out of them still leaves a journal. The next time a process writes to
  the database it adds every pending attempt first (each attempt has a unique id, so nothing is
  added twice), and at exit a process tries once more with what it holds in memory. Every check
  made while attempts are not in the database issues a :class:`ProgressWarning` that says where
  they are and how many are waiting.

Schema version 1 adds to version 0's ``attempts`` table ``mode`` (practice, test, exercise; and
from version 2 flashcard), ``kind`` (answer, or reveal for a solution or explanation revealed on
purpose), ``take`` (the test take, 1 for the first) and ``uid``. Grading never depends on any of this.

Schema version 2 (this one) adds the tables ``review_state`` (one row per learner and reviewed item:
its lesson, when it is due, the last result, how often it was answered and the FSRS card; see
:mod:`.spaced`) and ``review_meta`` (``upto``: the last attempt id the states account for), and an
index on ``attempts (learner, question_id)``. The review state is derived from the attempts, never
the other way round: every transaction that adds attempts (an answer, a pending journal replayed,
a migration from version 1) recomputes, from their whole history, the state of every item with an
attempt past ``upto``, so attempts added by an older tmvlearn, which does not know the tables, are
caught up at the next write. If that step fails the attempt is still committed, and the state
follows at the next write. A reader of a version-1 file, or of a damaged one, computes the states
from the attempts it can read, without writing.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import getpass
import hashlib
import json
import math
import os
import random
import sqlite3
import tempfile
import threading
import time
import uuid
import warnings
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tmvlearn.errors import TmvlearnError

__all__ = [
    "ProgressError",
    "ProgressWarning",
    "ProgressStore",
    "Reading",
    "Saved",
    "SCHEMA_VERSION",
    "default_learner",
    "home_dir",
    "get_store",
    "record_attempt",
    "attempts",
    "progress",
    "summarize",
    "export_progress",
]

FILENAME = "progress.sqlite3"
PENDING_SUFFIX = ".pending"
SCHEMA_VERSION = 2
MODES = ("practice", "test", "exercise", "flashcard")
KINDS = ("answer", "reveal")
V0_COLUMNS = ["learner", "lesson", "question_id", "response", "score", "correct", "time"]
COLUMNS = V0_COLUMNS + ["mode", "kind", "take"]
DEFAULTS: dict[str, Any] = {"mode": "practice", "kind": "answer", "take": 1}
BUSY_MS = 30_000
SALVAGE_PROBE_LIMIT = 2_000_000  # row ids probed one by one when a damaged table cannot be scanned

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
    # version 1: review_state, review_meta (filled from the attempts by _refresh_review, same transaction)
    1: [statement for statement in REVIEW_TABLES.split(";") if statement.strip()],
}

# SQLite's primary result codes (the low byte of an extended code)
_CORRUPT, _NOTADB = 11, 26
_EXPLAINED = {
    3: "permission denied", 5: "another program kept it locked", 6: "another program kept it locked",
    8: "the file or its folder is read-only", 10: "a disk read or write failed", 13: "the disk is full",
    14: "the file cannot be opened",
}


class ProgressWarning(UserWarning):
    """Progress is not (yet) kept where expected, or was repaired; the message says where it is."""


class ProgressError(TmvlearnError, ValueError):
    """A progress request that cannot be carried out (a bad argument, an export that cannot be written)."""


class _Unavailable(Exception):
    """The database cannot be used now (locked, read-only, full...); the file stays as it is."""


class _Corrupt(Exception):
    """SQLite itself proves the file damaged."""


@dataclass(frozen=True)
class Saved:
    """Where :meth:`ProgressStore.record` kept an attempt.

    ``in_database``: in the progress database. ``durable``: on disk (the database or a pending
    journal). ``where``: that file, or ``"memory"``. ``message``: what the learner was told (also
    issued as a :class:`ProgressWarning`), or ``None`` when all went as usual.
    """

    in_database: bool
    durable: bool
    where: str
    message: str | None = None


@dataclass
class Reading:
    """What a read found: ``attempts`` (one row per attempt), ``source`` (where it was read from, in
    words), ``notes`` (anything the reader should be told: a newer or damaged file, attempts
    still pending) and ``readable``."""

    attempts: Any
    source: str
    notes: list[str] = field(default_factory=list)
    #: False when the file exists but nothing in it could be read (permissions, damage, a folder)
    readable: bool = True


def _retry_while_locked(step, seconds: float | None = None):
    """Run ``step``, retrying for up to the busy timeout while SQLite says the file is locked."""
    deadline = time.monotonic() + (BUSY_MS / 1000 if seconds is None else seconds)
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005 + random.random() * 0.02)


def _code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    return None if code is None else code & 0xFF


def _is_locked(exc: BaseException) -> bool:
    code = _code(exc)
    if code is not None:
        return code in (5, 6)
    return "locked" in str(exc) or "busy" in str(exc)


def _proves_corrupt(exc: BaseException) -> bool:
    code = _code(exc)
    if code is not None:
        return code in (_CORRUPT, _NOTADB)
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def _describe(exc: BaseException, path: Path | None = None) -> str:
    """A learner-readable reason for a SQLite or OS error, with the real cause where it can be found."""
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        return exc.strerror or str(exc)
    code = _code(exc)
    text = str(exc)
    if code == 14 and path is not None:  # "unable to open database file": ask the OS why
        for target in (path, path.parent):
            try:
                fd = os.open(target, os.O_RDONLY)
            except OSError as why:
                if why.errno == errno.ENOENT and target == path:
                    continue
                return f"{why.strerror} ({text})"
            else:
                os.close(fd)
    if code in (10, 13) or (code is None and "disk" in text.lower()):
        with contextlib.suppress(OSError, AttributeError):  # an I/O error is often a full disk
            folder = path.parent if path is not None else None
            if folder is not None and os.statvfs(folder).f_bavail == 0:
                return f"the disk is full: no space left in {folder} ({text})"
        with contextlib.suppress(ImportError, OSError, ValueError):  # or a file-size limit (ulimit -f)
            import resource

            limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
            if limit != resource.RLIM_INFINITY and path is not None and any(
                    os.path.getsize(f) >= limit for f in (path, Path(f"{path}-wal")) if os.path.exists(f)):
                return f"a file reached this process's file-size limit of {limit} bytes (ulimit -f) ({text})"
    explained = _EXPLAINED.get(code) if code is not None else None
    if explained is None:
        lowered = text.lower()
        explained = next((words for key, words in (("full", "the disk is full"),
                                                   ("readonly", "the file or its folder is read-only"),
                                                   ("locked", _EXPLAINED[5]), ("disk i/o", _EXPLAINED[10]))
                          if key in lowered.replace(" ", "").replace("-", "") or key in lowered), None)
    if explained == _EXPLAINED[5]:
        explained += f" for over {BUSY_MS / 1000:g} s"
    return f"{explained} ({text})" if explained and explained not in text else text


def _warn(message: str) -> None:
    warnings.warn(message, ProgressWarning, stacklevel=4)


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


def _jsonable(value: Any) -> Any:
    """A JSON-safe copy of a learner's response (sets sorted, odd objects as text)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value if not isinstance(value, str) else value[:2000]
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in list(value.items())[:100]}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value[:100]]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in list(value)[:100]), key=str)
    try:
        return repr(value)[:2000]
    except Exception:
        return f"<{type(value).__name__}>"


def _ident(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _stable_uid(row: dict[str, Any], rowid: Any) -> str:
    """An id for a row that has none (salvaged from a version-0 file): the same every time."""
    text = json.dumps([rowid] + [row.get(c) for c in COLUMNS], default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """A row read back from a damaged file, a journal or a newer file, with every column usable."""
    out: dict[str, Any] = {}
    for col in ("learner", "lesson", "question_id", "time"):
        value = row.get(col)
        out[col] = "" if value is None else str(value)
    response = row.get("response")
    out["response"] = response if isinstance(response, str) else json.dumps(_jsonable(response))
    try:
        score = float(row.get("score"))
        out["score"] = score if math.isfinite(score) else 0.0
    except (TypeError, ValueError):
        out["score"] = 0.0
    out["correct"] = 1 if row.get("correct") in (1, True, "1", "true", "True") else 0
    for col in ("mode", "kind"):
        value = row.get(col)
        out[col] = str(value) if isinstance(value, str) and value else DEFAULTS[col]
    try:
        out["take"] = int(row.get("take", 1))
    except (TypeError, ValueError):
        out["take"] = 1
    out["uid"] = str(row["uid"]) if row.get("uid") else uuid.uuid4().hex
    return out


# --- the pending journal ------------------------------------------------------------------------

def _lock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _unlock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


class _Journal:
    """Attempts waiting for the database: one JSON object per line, each access under an exclusive lock.

    A reader (replay) removes the file under the lock once its attempts are in the database; a
    writer that opened it just before checks, once it holds the lock, that the file it holds is
    still the one at the path, and opens it again if not.
    """

    def __init__(self, path: Path, db: Path):
        self.path, self.db = path, db
        temp = _private_temp_folder()
        self.shared = temp is not None and path.parent == temp  # in the machine's temporary folder

    def prepare(self) -> None:
        """Create the journal's folder if needed (private, in a shared temporary folder)."""
        self.path.parent.mkdir(mode=0o700 if self.shared else 0o777, parents=True, exist_ok=True)
        if self.shared and not _ours_alone(self.path.parent):
            raise PermissionError(errno.EPERM, "the folder is not this user's alone", str(self.path.parent))

    def trusted(self) -> bool:
        return not self.shared or _ours_alone(self.path.parent)

    @contextlib.contextmanager
    def _locked(self, create: bool) -> Iterator[int]:
        flags = os.O_RDWR | os.O_APPEND | getattr(os, "O_BINARY", 0) | (os.O_CREAT if create else 0)
        for _ in range(100):
            fd = os.open(self.path, flags, 0o600)
            try:
                _lock_fd(fd)
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(self.path))
                except FileNotFoundError:
                    same = False
            except BaseException:
                os.close(fd)
                raise
            if same:
                break
            _unlock_fd(fd)
            os.close(fd)
            if not create:
                raise FileNotFoundError(errno.ENOENT, "removed while waiting", str(self.path))
        else:  # pragma: no cover - a journal replaced a hundred times in a row
            raise OSError(errno.EAGAIN, "the pending journal keeps changing", str(self.path))
        try:
            yield fd
        finally:
            _unlock_fd(fd)
            os.close(fd)

    def append(self, rows: list[dict[str, Any]]) -> int:
        """Add ``rows`` durably (written and flushed to disk); the number of attempts now waiting here."""
        data = b"".join(json.dumps({"v": 1, "db": str(self.db), **row}, ensure_ascii=False).encode("utf-8")
                        + b"\n" for row in rows)
        existed = self.path.exists()
        with self._locked(create=True) as fd:
            size = os.fstat(fd).st_size
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            except OSError:
                with contextlib.suppress(OSError):  # no half line left behind
                    os.ftruncate(fd, size)
                    if not existed:
                        os.unlink(self.path)
                raise
            if not existed:
                _fsync_folder(self.path.parent)
            os.lseek(fd, 0, os.SEEK_SET)
            return _count_lines(fd)

    def read(self) -> list[dict[str, Any]]:
        """The complete, well-formed attempts in the journal (no lock: for display only)."""
        if not self.trusted():
            return []
        try:
            raw = self.path.read_bytes()
        except OSError:
            return []
        return self._parse(raw)

    def _parse(self, raw: bytes) -> list[dict[str, Any]]:
        rows = []
        for line in raw.split(b"\n")[:-1]:  # a last line without its newline was never finished
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and row.get("uid") and row.get("db", str(self.db)) == str(self.db):
                rows.append(_clean(row))
        return rows

    def drain(self, insert) -> int:
        """Pass every attempt to ``insert`` (which commits them), then remove the journal. Locked."""
        if not self.trusted():
            return 0
        with self._locked(create=False) as fd:
            os.lseek(fd, 0, os.SEEK_SET)
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            rows = self._parse(b"".join(chunks))
            added = insert(rows) if rows else 0
            try:
                os.unlink(self.path)
            except OSError:  # Windows cannot remove an open file: empty it instead
                os.ftruncate(fd, 0)
            return added


def _count_lines(fd: int) -> int:
    count = 0
    while chunk := os.read(fd, 1 << 20):
        count += chunk.count(b"\n")
    return count


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _private_temp_folder() -> Path | None:
    """``$TMPDIR/tmvlearn-<uid>`` (not created here); None when there is no usable temporary folder."""
    owner = os.getuid() if hasattr(os, "getuid") else default_learner()
    try:
        return Path(tempfile.gettempdir()) / f"tmvlearn-{owner}"
    except OSError:  # "no usable temporary directory", as when no file can be opened
        return None


def _ours_alone(folder: Path) -> bool:
    """A shared temporary folder holds a learner's answers only in a folder that is theirs alone."""
    if not hasattr(os, "getuid"):
        return True
    try:
        st = folder.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o077


def journal_paths(db: Path) -> list[Path]:
    """Where attempts for the database ``db`` wait when it cannot be written, in order of preference:
    beside it, in the user state folder, in a private temporary folder. Nothing is created here."""
    beside = db.with_name(db.name + PENDING_SUFFIX)
    digest = hashlib.sha256(str(db.absolute()).encode("utf-8")).hexdigest()[:16]
    paths = [beside]
    try:
        import platformdirs

        state = Path(platformdirs.user_state_dir("tmvlearn", appauthor=False)) / "pending"
        if state != db.parent:
            paths.append(state / f"{digest}.jsonl")
    except Exception:  # no home folder
        pass
    temp = _private_temp_folder()
    if temp is not None:
        paths.append(temp / f"{digest}.jsonl")
    return paths


class _SpareDescriptor:
    """One file descriptor held in reserve from import on: when the process has run out of them
    (a leak elsewhere in the kernel), it is given up for a moment so a pending journal can still be
    written."""

    def __init__(self):
        self.fd: int | None = None
        self.lock = threading.Lock()
        self.take()

    def take(self) -> None:
        if self.fd is None:
            try:
                self.fd = os.open(os.devnull, os.O_RDONLY)
            except OSError:
                self.fd = None

    @contextlib.contextmanager
    def released(self) -> Iterator[bool]:
        with self.lock:
            had = self.fd is not None
            if had:
                os.close(self.fd)
                self.fd = None
            try:
                yield had
            finally:
                self.take()


_SPARE = _SpareDescriptor()


def _append_even_without_descriptors(journal: _Journal, rows: list[dict[str, Any]]) -> int:
    try:
        return journal.append(rows)
    except OSError as exc:
        if exc.errno not in (errno.EMFILE, errno.ENFILE):
            raise
        with _SPARE.released() as had:
            if not had:
                raise
            return journal.append(rows)


# --- the store ----------------------------------------------------------------------------------

_LIVE: weakref.WeakSet[ProgressStore] = weakref.WeakSet()


class ProgressStore:
    """Attempts kept in one SQLite file (or in memory when ``path`` is ``":memory:"``).

    ``read_only=True``: a store that only reads (``tmvlearn progress`` uses one); it never creates,
    migrates, repairs or writes the file, and :meth:`record` refuses.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path not in (None, ":memory:") else None
        self._memory = path == ":memory:"
        self.read_only = read_only
        self._conn: sqlite3.Connection | None = None
        self._ident: tuple[int, int] | None = None
        self._columns: list[str] = COLUMNS
        self._review = False  # the file has the review tables (schema version 2 or newer)
        self._held: list[dict[str, Any]] = []  # attempts kept in memory only (nowhere on disk)
        self._salvaged: set[str] = set()  # ids of attempts copied out of a damaged file by this store
        self._behind = False  # attempts of this store wait in a journal or in memory
        self._lock = threading.RLock()
        _LIVE.add(self)

    # -- where ----------------------------------------------------------------------------------
    @property
    def location(self) -> str:
        """The database file (or ``":memory:"``)."""
        return ":memory:" if self._memory else str(self._path())

    def _path(self) -> Path:
        return self.path or home_dir() / FILENAME

    def _journals(self) -> list[_Journal]:
        db = self._path()
        return [_Journal(p, db) for p in journal_paths(db)]

    # -- opening for writing ----------------------------------------------------------------------
    def _writer(self, notes: list[str]) -> sqlite3.Connection:
        """The open connection for writing, opening (migrating, repairing) and catching up as needed."""
        if self._conn is not None:
            if self._memory or _ident(self._path()) == self._ident:
                if self._behind:  # this store put attempts aside earlier: the file takes them now
                    self._catch_up(notes)
                return self._conn
            self.close()  # the file was moved aside or replaced by another process: use the new one
        if self._memory:
            self._conn = self._connect(":memory:")
            self._schema(self._conn, notes)
            return self._conn
        path = self._path()
        for _ in range(3):
            try:
                self._conn = self._open(path, notes)
                break
            except _Corrupt as exc:
                self._repair(path, str(exc), notes)
        else:
            raise _Unavailable(f"{path} is damaged and could not be repaired")
        self._catch_up(notes)
        return self._conn

    @staticmethod
    def _connect(target: str) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        return conn

    def _open(self, path: Path, notes: list[str]) -> sqlite3.Connection:
        if path.is_dir():
            raise _Unavailable(f"{path} is a folder, not a file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _Unavailable(f"cannot create the folder {path.parent}: {_describe(exc)}") from None
        conn = None
        try:
            conn = self._connect(str(path))
            # Switching to WAL can answer "locked" at once, without waiting, while another process
            # creates the same file: retry it (the mode then stays in the file).
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                _retry_while_locked(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
            conn.execute("PRAGMA synchronous = FULL")  # a committed attempt survives a power cut too
            check = conn.execute("PRAGMA quick_check").fetchall()
            if check != [("ok",)]:
                raise _Corrupt(_check_failure(check))
            self._schema(conn, notes)
            self._ident = _ident(path)
        except _Corrupt:
            conn.close()
            raise
        except _Unavailable:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            if _proves_corrupt(exc):
                raise _Corrupt(str(exc)) from None
            raise _Unavailable(f"cannot open {path}: {_describe(exc, path)}") from None
        return conn

    def _schema(self, conn: sqlite3.Connection, notes: list[str]) -> None:
        """Create the tables in a new file, migrate an older one, accept a newer one."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            self._columns = COLUMNS
            self._review = True
            return
        if version > SCHEMA_VERSION:
            present = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
            missing = [c for c in COLUMNS + ["uid"] if c not in present]
            if missing:
                raise _Unavailable(f"{self.location} has schema version {version} but lacks "
                                   f"{', '.join(missing)}")
            self._columns = COLUMNS
            self._review = _has_review_tables(conn)
            notes.append(f"the progress database {self.location} was written by a newer tmvlearn (schema "
                         f"version {version}; this one knows up to {SCHEMA_VERSION}): attempts are read and "
                         "added with the columns this version knows, and nothing in it is changed or moved. "
                         "Update tmvlearn (pip install -U tmvlearn) to see everything.")
            return

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
                        raise _Unavailable(f"{self.location} is not a tmvlearn progress database (its "
                                           f"attempts table lacks {', '.join(missing)}); move it away, or "
                                           "set TMVLEARN_HOME to another folder")
                    for step in range(current, SCHEMA_VERSION):
                        for statement in MIGRATIONS[step]:
                            conn.execute(statement)
                    _refresh_review_safely(conn)  # the past attempts' review states, in this transaction
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

        _retry_while_locked(migrate)
        self._columns = COLUMNS
        self._review = True

    # -- repairing a damaged file ------------------------------------------------------------------
    def _repair(self, path: Path, reason: str, notes: list[str]) -> None:
        """Move a file SQLite proves damaged aside, its readable rows first copied into the journal.

        Under the file's write lock where SQLite can still take one (so no other process is writing
        it), and only if the file at ``path`` is still the one found damaged.
        """
        before = _ident(path)
        conn = self._connect(str(path))
        try:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                if not _proves_corrupt(exc):  # busy or unreadable: not proven now, leave it
                    raise _Unavailable(f"{path} looks damaged ({reason}) but cannot be checked now: "
                                       f"{_describe(exc, path)}") from None
            if _ident(path) != before:
                return  # another process repaired it meanwhile: open the new file
            try:
                check = conn.execute("PRAGMA quick_check").fetchall()
                if check == [("ok",)]:
                    return  # not damaged after all (it changed under us): open it again
            except sqlite3.DatabaseError as exc:
                if not _proves_corrupt(exc):
                    raise _Unavailable(f"cannot check {path}: {_describe(exc, path)}") from None
            rows = _salvage(conn)
            self._salvaged |= {row["uid"] for row in rows}
            if rows:
                try:
                    self._journals()[0].append(rows)
                except OSError as exc:
                    raise _Unavailable(f"{path} is damaged ({reason}), and its {len(rows)} readable "
                                       f"attempts cannot be copied out now ({_describe(exc)}); it is left "
                                       "as it is") from None
            try:
                aside = _move_aside(path)
            except OSError as exc:
                raise _Unavailable(f"{path} is damaged ({reason}) and cannot be moved aside: "
                                   f"{_describe(exc)}") from None
        finally:
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            conn.close()
        notes.append(f"the progress database {path} was damaged ({reason}); it was moved to {aside} and a "
                     f"new one started, holding the {len(rows)} attempts that could still be read from it.")

    # -- catching up with attempts kept elsewhere -------------------------------------------------------
    def _catch_up(self, notes: list[str]) -> None:
        """Add attempts from the pending journals and from memory to the database; never raises.

        Whatever cannot be added now stays where it is, and ``_behind`` says to try again.
        """
        def insert(rows: list[dict[str, Any]]) -> int:
            # attempts salvaged from a damaged file are announced as such, not as "earlier attempts"
            return self._insert(rows) - sum(row["uid"] in self._salvaged for row in rows)

        added = 0
        self._behind = False
        for journal in self._journals():
            if not journal.path.exists():
                continue
            try:
                added += max(0, journal.drain(insert))
            except (OSError, sqlite3.Error, _Moved):
                self._behind = True  # still pending: tried again at the next check
        if self._held:
            try:
                added += self._insert(self._held)
                self._held = []
            except (sqlite3.Error, _Moved):
                self._behind = True
        if added:
            notes.append(f"{added} earlier attempt{'s' if added != 1 else ''} that could not be saved at "
                         f"the time {'were' if added != 1 else 'was'} added to {self.location}.")

    def _insert(self, rows: list[dict[str, Any]]) -> int:
        """Insert ``rows`` in one transaction into the file this store holds (checked inside it)."""
        conn = self._conn
        assert conn is not None
        names = self._columns + ["uid"]
        sql = f"INSERT OR IGNORE INTO attempts ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        _retry_while_locked(lambda: conn.execute("BEGIN IMMEDIATE"))
        try:
            if not self._memory and _ident(self._path()) != self._ident:
                raise _Moved()
            before = conn.total_changes
            conn.executemany(sql, [tuple(row[c] for c in names) for row in rows])
            added = conn.total_changes - before
            if self._review:
                _refresh_review_safely(conn)
            conn.execute("COMMIT")
            return added
        except BaseException:
            if conn.in_transaction:  # SQLite rolls back by itself after "disk full"
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close the database (attempts still pending stay in their journal)."""
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.close()
                self._conn = None
                self._ident = None

    # -- writing -------------------------------------------------------------------------------------
    def record(self, *, lesson: str, question_id: str, response: Any, score: float, correct: bool,
               learner: str | None = None, time: str | None = None, mode: str = "practice",
               kind: str = "answer", take: int = 1) -> Saved:
        """Store one attempt, in its own transaction; say where it went.

        ``mode``: ``"practice"``, ``"test"`` or ``"exercise"``; ``kind``: ``"answer"`` (graded) or
        ``"reveal"`` (the learner revealed a solution or explanation); ``take``: in test mode, 1 for
        the first completed take of the lesson's test, 2, 3... for retakes. When the database cannot
        be written the attempt is kept in a pending journal (or, failing that, in memory) and a
        :class:`ProgressWarning` says where; it is added to the database at the next successful open.
        """
        if self.read_only:
            raise ProgressError(f"this progress store reads {self.location} only; open it without "
                                "read_only=True to record attempts")
        if mode not in MODES:
            raise ProgressError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if kind not in KINDS:
            raise ProgressError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if isinstance(take, bool) or not isinstance(take, int) or take < 1:
            raise ProgressError(f"take must be a whole number of 1 or more, not {take!r}")
        row = {
            "learner": learner or default_learner(),
            "lesson": lesson or "",
            "question_id": str(question_id),
            "response": json.dumps(_jsonable(response), ensure_ascii=False),
            "score": float(score),
            "correct": int(bool(correct)),
            "time": time or datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "mode": mode, "kind": kind, "take": int(take),
            "uid": uuid.uuid4().hex,
        }
        with self._lock:
            return self._save(row)

    def _save(self, row: dict[str, Any]) -> Saved:
        notes: list[str] = []
        reason = ""
        for _ in range(3):
            try:
                self._writer(notes)
                self._insert([row])
            except _Moved:
                self.close()  # another process moved the file aside under us: take the new one
                continue
            except _Unavailable as exc:
                reason = str(exc)
                break
            except OSError as exc:  # the folder itself cannot be looked into, say
                reason = f"cannot use {self.location}: {_describe(exc)}"
                self.close()
                break
            except sqlite3.Error as exc:
                reason = f"cannot write {self.location}: {_describe(exc, self._path())}"
                if _proves_corrupt(exc) or not _is_locked(exc) and _code(exc) != 13:
                    self.close()  # opened again (and checked) next time
                if _proves_corrupt(exc):
                    continue
                break
            message = " ".join(notes) or None
            if message:
                _warn("tmvlearn: " + message)
            return Saved(True, True, self.location, message)
        else:
            reason = reason or f"{self.location} keeps being replaced by another process"
        return self._keep_pending(row, reason, notes)

    def _keep_pending(self, row: dict[str, Any], reason: str, notes: list[str]) -> Saved:
        if self._memory:
            self._held.append(row)
            message = f"tmvlearn: this attempt could not be saved ({reason}); it is held in memory."
            _warn(message)
            return Saved(False, False, "memory", message)
        rows = self._held + [row]
        failures = []
        for journal in self._journals():
            try:
                journal.prepare()
                waiting = _append_even_without_descriptors(journal, rows)
            except OSError as exc:
                failures.append(f"{journal.path}: {_describe(exc)}")
                continue
            self._held = []
            self._behind = True
            message = (f"tmvlearn: this attempt is not in the progress database yet ({reason}). It is kept "
                       f"in {journal.path} ({waiting} attempt{'s' if waiting != 1 else ''} waiting), and "
                       "will be added the next time the database can be opened.")
            message = " ".join([message, *notes])
            _warn(message)
            return Saved(False, True, str(journal.path), message)
        self._held = rows
        self._behind = True
        n = len(rows)
        message = (f"tmvlearn: this attempt could not be saved anywhere ({reason}; "
                   f"{'; '.join(failures) or 'no folder for a pending journal'}). {n} attempt"
                   f"{'s are' if n != 1 else ' is'} held in this session's memory only and will be lost "
                   "when the kernel stops: free some disk space or file handles, or fix the folder's "
                   "permissions (or set TMVLEARN_HOME to a writable folder), then check an answer again.")
        message = " ".join([message, *notes])
        _warn(message)
        return Saved(False, False, "memory", message)

    def flush(self) -> int:
        """Try once more to put attempts held in memory on disk; how many are still held only in memory."""
        with self._lock:
            if not self._held or self.read_only:
                return len(self._held)
            notes: list[str] = []
            try:
                self._writer(notes)
            except (_Unavailable, _Moved, sqlite3.Error, OSError):
                held, self._held = self._held, []
                for journal in self._journals():
                    try:
                        journal.prepare()
                        _append_even_without_descriptors(journal, held)
                        return 0
                    except OSError:
                        continue
                self._held = held
            return len(self._held)

    # -- reading ---------------------------------------------------------------------------------------
    def read(self, learner: str | None = None, *, all_learners: bool = False) -> Reading:
        """Every attempt (of ``learner``, default the current one) with where it was read from.

        Reading never writes: the file is opened read-only (``mode=ro``; ``immutable`` when even the
        lock files cannot be made), a damaged file is read as far as it can be, and attempts still
        waiting in a pending journal or in memory are included (and counted in ``notes``).
        """
        with self._lock:
            who = None if all_learners else (learner or default_learner())
            notes: list[str] = []
            rows: list[dict[str, Any]] | None = None
            if self._memory or (self._conn is not None and _ident(self._path()) == self._ident):
                with contextlib.suppress(sqlite3.Error):
                    rows = _query(self._conn or self._writer(notes), who)
                    source = self.location
            if rows is None:
                rows, source = _read_file(self._path(), who, notes)
            seen = {r["uid"] for r in rows if r.get("uid")}
            pending: list[dict[str, Any]] = []
            for journal in ([] if self._memory else self._journals()):
                found = [row for row in journal.read()
                         if row["uid"] not in seen and (who is None or row["learner"] == who)]
                seen.update(row["uid"] for row in found)
                pending += found
                if found:
                    notes.append(f"{len(found)} attempt{'s are' if len(found) != 1 else ' is'} waiting in "
                                 f"{journal.path} to be added to the database (included here).")
            held = [r for r in self._held if r["uid"] not in seen and (who is None or r["learner"] == who)]
            if held and not self._memory:
                notes.append(f"{len(held)} attempt{'s are' if len(held) != 1 else ' is'} held in memory only "
                             "(included here).")
            readable = not source.endswith(("(a folder)", "(damaged)", "(unreadable)"))
            return Reading(_frame(rows + pending + held), source, notes, readable)

    def attempts(self, learner: str | None = None, *, all_learners: bool = False):
        """Every attempt (one row each) as a DataFrame, oldest first.

        ``.attrs["source"]`` says where it was read from and ``.attrs["notes"]`` anything to tell
        (attempts still pending, a damaged or newer file); :meth:`summary` issues those as warnings.
        """
        reading = self.read(learner, all_learners=all_learners)
        reading.attempts.attrs.update(source=reading.source, notes=list(reading.notes))
        return reading.attempts

    def summary(self, learner: str | None = None, *, all_learners: bool = False):
        """One row per (learner,) lesson: see :func:`summarize`. ``.attrs["source"]`` says where from."""
        reading = self.read(learner, all_learners=all_learners)
        for note in reading.notes:
            _warn("tmvlearn: " + note)
        out = summarize(reading.attempts, by_learner=all_learners)
        out.attrs["source"] = reading.source
        return out

    def review_states(self, learner: str | None = None) -> tuple[list, str, list[str]]:
        """(the review states of ``learner``, where they were read from, notes); read-only.

        The stored states, with those of items that have attempts the stored states do not yet
        account for (still pending, or added by an older tmvlearn) computed afresh from the attempts.
        """
        from tmvlearn.quiz.spaced import compute_states

        with self._lock:
            who = learner or default_learner()
            notes: list[str] = []
            pending: list[dict[str, Any]] = []
            for journal in ([] if self._memory else self._journals()):
                found = [row for row in journal.read() if row["learner"] == who]
                if found:
                    pending += found
                    notes.append(f"{len(found)} attempt{'s are' if len(found) != 1 else ' is'} waiting in "
                                 f"{journal.path} to be added to the database (included here).")
            pending += [r for r in self._held if r["learner"] == who]
            extra = {r["question_id"] for r in pending}
            result = None
            if self._memory or (self._conn is not None and _ident(self._path()) == self._ident):
                with contextlib.suppress(sqlite3.Error):
                    result = _review_query(self._conn or self._writer(notes), who, extra)
                    source = self.location
            if result is None:
                result, source = _read_file(self._path(), who, notes,
                                            reader=lambda conn, w: _review_query(conn, w, extra),
                                            from_rows=lambda rows: ({}, rows))
            stored, rows = result
            seen: set[str] = set()
            merged = []
            for row in rows + pending:
                if row.get("uid") and row["uid"] in seen:
                    continue
                seen.add(row.get("uid") or "")
                merged.append(row)
            stored.update(compute_states(merged))
            return list(stored.values()), source, notes


def _check_failure(check: list[tuple]) -> str:
    lines = [line.strip() for row in check for line in str(row[0]).splitlines()
             if line.strip() and not line.startswith("***")]
    return "the integrity check failed: " + "; ".join(lines[:2]) + ("; ..." if len(lines) > 2 else "")


class _Moved(Exception):
    """The file this store holds is no longer the one at its path."""


def _move_aside(path: Path) -> Path:
    n = 1
    while path.with_name(f"{path.name}.corrupt-{n}").exists():
        n += 1
    aside = path.with_name(f"{path.name}.corrupt-{n}")
    path.rename(aside)
    for suffix in ("-wal", "-shm", "-journal"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            try:
                extra.rename(aside.with_name(aside.name + suffix))
            except OSError:  # a stale log must never be applied to the new file
                with contextlib.suppress(OSError):
                    extra.unlink()
    return aside


def _salvage(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every row of a damaged file's attempts table that SQLite can still read, with a stable id.

    Reads only. ``writable_schema`` lets SQLite read a file shorter than its header says (a
    truncated file), as ``.recover`` does; nothing is written through this connection.
    """
    try:
        conn.execute("PRAGMA writable_schema = ON")
        try:
            return _salvage_rows(conn)
        finally:
            conn.execute("PRAGMA writable_schema = OFF")
    except sqlite3.DatabaseError:
        return []


def _salvage_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    try:
        present = [r[1] for r in conn.execute("PRAGMA table_info(attempts)")]
    except sqlite3.DatabaseError:
        return []
    if not present:
        return []
    names = [c for c in COLUMNS + ["uid"] if c in present]
    select = f"SELECT id, {', '.join(names)} FROM attempts"
    found: dict[int, tuple] = {}

    def scan(sql: str, args: tuple = ()) -> bool:
        try:
            for item in conn.execute(sql, args):
                found[item[0]] = item
        except sqlite3.DatabaseError:
            return False
        return True

    if not scan(select + " ORDER BY id"):
        scan(select + " ORDER BY id DESC")
        top = max(found, default=0)
        with contextlib.suppress(sqlite3.DatabaseError):
            seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'attempts'").fetchone()
            top = max(top, int(seq[0]) if seq else 0)
        for rowid in range(1, min(top, SALVAGE_PROBE_LIMIT) + 1):
            if rowid not in found:
                scan(select + " WHERE id = ?", (rowid,))
    rows = []
    for rowid in sorted(found):
        row = dict(zip(names, found[rowid][1:], strict=True))
        row["uid"] = row.get("uid") or _stable_uid(row, rowid)
        rows.append(_clean(row))
    return rows


# --- review states (derived from the attempts; see the module docstring and .review) -------------

def _has_review_tables(conn: sqlite3.Connection) -> bool:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"review_state", "review_meta"} <= tables


def _history(conn: sqlite3.Connection, learner: str, items) -> list[dict[str, Any]]:
    """Every attempt of ``learner`` at each of ``items``, as :func:`_query` gives them."""
    present = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
    names = [c for c in COLUMNS + ["uid"] if c in present]
    sql = f"SELECT {', '.join(names)} FROM attempts WHERE learner = ? AND question_id = ? ORDER BY time, id"
    rows = []
    for item in items:
        for values in conn.execute(sql, (learner, item)):
            row = dict(zip(names, values, strict=True))
            for col, default in DEFAULTS.items():
                row.setdefault(col, default)
            rows.append(row)
    return rows


def _rows_after(conn: sqlite3.Connection, upto: int) -> list[dict[str, Any]]:
    present = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
    names = [c for c in COLUMNS + ["uid"] if c in present]
    rows = []
    for values in conn.execute(f"SELECT {', '.join(names)} FROM attempts WHERE id > ? ORDER BY time, id",
                               (upto,)):
        row = dict(zip(names, values, strict=True))
        for col, default in DEFAULTS.items():
            row.setdefault(col, default)
        rows.append(row)
    return rows


def _stored_states(conn: sqlite3.Connection, keys) -> dict:
    from tmvlearn.quiz.spaced import ItemState

    out = {}
    sql = f"SELECT {', '.join(REVIEW_COLUMNS)} FROM review_state WHERE learner = ? AND item = ?"
    for key in keys:
        found = conn.execute(sql, key).fetchone()
        if found:
            row = dict(zip(REVIEW_COLUMNS, found, strict=True))
            row["last_correct"] = bool(row["last_correct"])
            out[key] = ItemState(**row)
    return out


def _refresh_review(conn: sqlite3.Connection) -> None:
    """Recompute, inside the caller's transaction, the review state of every item with an attempt
    past ``review_meta.upto``, from that item's whole history; then move ``upto`` on."""
    from tmvlearn.quiz.spaced import compute_states

    found = conn.execute("SELECT value FROM review_meta WHERE key = 'upto'").fetchone()
    upto = int(found[0]) if found else 0
    top = conn.execute("SELECT max(id) FROM attempts").fetchone()[0] or 0
    if top <= upto:
        return
    new = _rows_after(conn, upto)
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
    rows += [row for learner, items in replay.items() for row in _history(conn, learner, items)]
    states = compute_states(rows, start={k: v for k, v in stored.items() if late.get(k)})
    sql = (f"INSERT OR REPLACE INTO review_state ({', '.join(REVIEW_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(REVIEW_COLUMNS))})")
    conn.executemany(sql, [state.row() for state in states.values()])
    conn.execute("INSERT OR REPLACE INTO review_meta (key, value) VALUES ('upto', ?)", (top,))


def _refresh_review_safely(conn: sqlite3.Connection) -> None:
    """:func:`_refresh_review` in a savepoint: if it fails, the attempts still commit (the states
    catch up at the next write, since ``upto`` did not move)."""
    conn.execute("SAVEPOINT review")
    try:
        _refresh_review(conn)
    except Exception as exc:
        if _proves_corrupt(exc) or _is_locked(exc) and isinstance(exc, sqlite3.Error):
            raise
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK TO review")
    with contextlib.suppress(sqlite3.Error):
        conn.execute("RELEASE review")


def _review_query(conn: sqlite3.Connection, learner: str | None, extra_items=()) -> tuple[dict, list]:
    """(stored review states of ``learner``, attempt rows to compute states from): the rows are the
    whole history of every item whose stored state is behind, and of ``extra_items``. A file without
    the review tables (version 1 or older) gives no stored states and every attempt."""
    from tmvlearn.quiz.spaced import ItemState

    if learner is None or not _has_review_tables(conn):
        return {}, _query(conn, learner)
    stored = {}
    for values in conn.execute(f"SELECT {', '.join(REVIEW_COLUMNS)} FROM review_state WHERE learner = ?",
                               (learner,)):
        row = dict(zip(REVIEW_COLUMNS, values, strict=True))
        row["last_correct"] = bool(row["last_correct"])
        stored[(learner, row["item"])] = ItemState(**row)
    found = conn.execute("SELECT value FROM review_meta WHERE key = 'upto'").fetchone()
    upto = int(found[0]) if found else 0
    items = {r[0] for r in conn.execute("SELECT DISTINCT question_id FROM attempts WHERE id > ? AND "
                                        "learner = ?", (upto, learner))}
    return stored, _history(conn, learner, sorted(items | set(extra_items)))


def _query(conn: sqlite3.Connection, learner: str | None) -> list[dict[str, Any]]:
    present = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
    if not present:
        return []
    names = [c for c in COLUMNS + ["uid"] if c in present]
    sql = f"SELECT {', '.join(names)} FROM attempts"
    args: tuple = ()
    if learner is not None:
        sql += " WHERE learner = ?"
        args = (learner,)
    rows = []
    for item in conn.execute(sql + " ORDER BY time, id", args):
        row = dict(zip(names, item, strict=True))
        for col, default in DEFAULTS.items():
            row.setdefault(col, default)
        rows.append(row)
    return rows


def _read_file(path: Path, learner: str | None, notes: list[str], reader=None,
               from_rows=None) -> tuple[Any, str]:
    """The attempts in the file at ``path``, read without writing anything; and where from, in words.

    ``reader(conn, learner)`` reads something else from the open file (default: :func:`_query`);
    ``from_rows(rows)`` then turns the attempts read from a damaged file (or none) into its kind.
    """
    reader = reader or _query
    from_rows = from_rows or (lambda rows: rows)
    try:
        if not os.path.lexists(path):
            return from_rows([]), f"{path} (not created yet)"
        if path.is_dir():
            notes.append(f"{path} is a folder, not a progress database; move it away.")
            return from_rows([]), f"{path} (a folder)"
        os.stat(path)
    except OSError as exc:  # a folder on the way that this user may not enter
        notes.append(f"{path} cannot be read: {_describe(exc)}.")
        return from_rows([]), f"{path} (unreadable)"
    uri = "file:" + quote(str(path.absolute()))
    last: sqlite3.Error | None = None
    # mode=ro first; immutable (no lock files needed) only when that cannot open, as in a read-only folder
    for options, how in (("?mode=ro", "read-only"), ("?mode=ro&immutable=1", "read-only, immutable")):
        if last is not None and _is_locked(last):
            break  # a writer holds it: reading it as immutable could see a half-written change
        conn = None
        try:
            conn = sqlite3.connect(uri + options, uri=True, timeout=BUSY_MS / 1000, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            try:
                rows = reader(conn, learner)
            except sqlite3.DatabaseError as exc:
                if not _proves_corrupt(exc):
                    raise
                salvaged = [r for r in _salvage(conn) if learner is None or r["learner"] == learner]
                rows = from_rows(salvaged)
                notes.append(f"{path} is damaged ({exc}); the {len(salvaged)} attempts that can still be "
                             "read are shown. The next quiz check will move it aside and keep those "
                             "attempts.")
            if version > SCHEMA_VERSION:
                notes.append(f"{path} was written by a newer tmvlearn (schema version {version}); only the "
                             "columns this version knows are shown. Update tmvlearn to see everything.")
            wal = path.with_name(path.name + "-wal")
            if "immutable" in options and wal.exists() and wal.stat().st_size > 0:
                notes.append(f"{wal} could not be read in this read-only folder, so the latest attempts "
                             "may be missing.")
            return rows, f"{path} ({how})"
        except sqlite3.DatabaseError as exc:
            last = exc
            if _proves_corrupt(exc):
                notes.append(f"{path} is damaged ({exc}) and nothing in it can be read; the next quiz "
                             "check will move it aside and start a new one.")
                return from_rows([]), f"{path} (damaged)"
        finally:
            if conn is not None:
                conn.close()
    notes.append(f"{path} cannot be read: {_describe(last, path) if last else 'unknown error'}.")
    return from_rows([]), f"{path} (unreadable)"


def _frame(rows: list[dict[str, Any]]):
    import pandas as pd

    frame = pd.DataFrame([[r.get(c, DEFAULTS.get(c)) for c in COLUMNS] for r in rows], columns=COLUMNS)
    frame = frame.sort_values("time", kind="stable").reset_index(drop=True) if len(frame) else frame
    frame["score"] = frame["score"].astype("float64")
    frame["correct"] = frame["correct"].astype(bool)
    frame["take"] = frame["take"].astype("Int64")
    for col in ("learner", "lesson", "question_id", "response", "time", "mode", "kind"):
        frame[col] = frame[col].astype("string")
    return frame


# --- the summary --------------------------------------------------------------------------------

def _question_ids(lesson: str) -> list[str] | None:
    """The ids of the lesson bank's quiz questions, or None when the bank cannot be loaded."""
    try:
        from tmvlearn.quiz.bank import load_bank

        return [q.id for q in load_bank(lesson).questions]
    except Exception:  # an unknown lesson, a damaged bank: count what is there
        return None


def summarize(frame, by_learner: bool = False):
    """Per (learner and) lesson, from graded answers only (``kind == "answer"``; reveals not counted):

    ``questions_answered`` of ``questions_total`` (the lesson bank's question count; the questions
    answered when the bank cannot be loaded), ``questions_correct`` (answered right at least once),
    ``first_score`` (mean over the answered questions of each one's first attempt),
    ``best_score`` (mean of each one's best), ``attempts``, ``last_activity``; and, where any test
    was taken, ``test_first_score``: the first completed take in test mode, as a fraction of the
    lesson's questions.
    """
    import pandas as pd

    keys = ["learner", "lesson"] if by_learner else ["lesson"]
    columns = keys + ["questions_answered", "questions_total", "questions_correct", "first_score",
                      "best_score", "attempts", "last_activity"]
    answers = frame[(frame["kind"] == "answer") & (frame["mode"] != "flashcard")] if len(frame) else frame
    if answers.empty:
        out = pd.DataFrame({c: pd.Series(dtype="string" if c in keys + ["last_activity"] else "Int64")
                            for c in columns})
        for col in ("first_score", "best_score"):
            out[col] = out[col].astype("float64")
        return out
    ordered = answers.reset_index(drop=True)  # oldest first, as read
    banks = {lesson: _question_ids(lesson) for lesson in ordered["lesson"].unique()}
    records = []
    for key, group in ordered.groupby(keys, sort=True, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        lesson = key[-1]
        ids = banks.get(lesson)
        quiz = group[group["mode"] != "exercise"]
        if ids is not None:
            quiz = quiz[quiz["question_id"].isin(ids)]
        per_q = quiz.groupby("question_id", sort=False, observed=True)["score"]
        answered = int(quiz["question_id"].nunique())
        total = len(ids) if ids is not None else answered
        record = dict(zip(keys, key, strict=True))
        record.update(
            questions_answered=answered, questions_total=total,
            questions_correct=int(quiz.groupby("question_id", observed=True)["correct"].any().sum()),
            first_score=float(per_q.first().mean()) if answered else math.nan,
            best_score=float(per_q.max().mean()) if answered else math.nan,
            attempts=len(group), last_activity=group["time"].max(),
        )
        tests = quiz[quiz["mode"] == "test"]
        if len(tests):
            first_take = tests[tests["take"] == tests["take"].min()]
            scores = first_take.groupby("question_id", sort=False, observed=True)["score"].first()
            record["test_first_score"] = float(scores.sum()) / (total or len(scores))
        records.append(record)
    out = pd.DataFrame(records)
    if "test_first_score" in out:
        columns.append("test_first_score")
    out = out[columns]
    for col in ("questions_answered", "questions_total", "questions_correct", "attempts"):
        out[col] = out[col].astype("Int64")
    for col in ("first_score", "best_score", "test_first_score"):
        if col in out:
            out[col] = out[col].astype("float64").round(3)
    for col in keys + ["last_activity"]:
        out[col] = out[col].astype("string")
    return out.reset_index(drop=True)


# --- the session's store and the functions the quiz calls -------------------------------------------

_STORE: ProgressStore | None = None
_STORE_KEY: str | None = None


def get_store() -> ProgressStore:
    """The session's store for the current ``TMVLEARN_HOME`` (reopened if it changes)."""
    global _STORE, _STORE_KEY
    key = os.environ.get("TMVLEARN_HOME", "")
    if _STORE is None or key != _STORE_KEY:
        if _STORE is not None:
            _STORE.flush()
            _STORE.close()
        _STORE, _STORE_KEY = ProgressStore(), key
    return _STORE


def record_attempt(question, response: Any, result=None, *, learner: str | None = None,
                   store: ProgressStore | None = None, mode: str = "practice", kind: str = "answer",
                   take: int = 1):
    """Grade ``response`` to ``question`` (unless ``result`` is given) and keep the attempt.

    ``mode``, ``kind`` and ``take`` are as in :meth:`ProgressStore.record`; a ``kind="reveal"``
    row (the learner revealed the solution or explanation) is kept with score 0 and is not graded
    (then ``result`` may stay ``None`` and is returned as it is). Returns the
    :class:`~tmvlearn.quiz.questions.Result`. Storage trouble is a :class:`ProgressWarning`, never an
    error: the learner still gets the grade.
    """
    if kind == "reveal":
        score, correct = 0.0, False
    else:
        result = result if result is not None else question.check(response)
        score, correct = result.score, result.correct
    target = store or get_store()
    try:
        target.record(lesson=question.lesson or "", question_id=question.id, response=response,
                      score=score, correct=correct, learner=learner, mode=mode, kind=kind, take=take)
    except ProgressError:
        raise  # a wrong argument is the caller's to fix
    except Exception as exc:  # a fault no path above foresaw: keep the quiz going, and say so
        warnings.warn(f"tmvlearn: this attempt was not saved ({exc}).", ProgressWarning, stacklevel=2)
    return result


def attempts(learner: str | None = None, *, all_learners: bool = False):
    """Every recorded attempt of ``learner`` (default: the current learner); read-only."""
    return get_store().attempts(learner, all_learners=all_learners)


def progress(learner: str | None = None, *, all_learners: bool = False):
    """Per-lesson summary DataFrame of ``learner``'s attempts (default: the current learner); read-only.

    ``.attrs["source"]`` names the file it was read from.
    """
    return get_store().summary(learner, all_learners=all_learners)


def export_progress(path: str | Path, learner: str | None = None, *, all_learners: bool = False,
                    force: bool = False, store: ProgressStore | None = None) -> Path:
    """Write the attempts to ``path``: ``.csv`` (one row per attempt) or ``.json``
    (``{"learner", "summary", "attempts"}``). Returns the path.

    The file is written under a temporary name beside ``path`` and renamed into place once
    complete, so an interrupted or failed export (a full disk) leaves any old file untouched. An
    existing file is kept unless ``force=True``. Raises :class:`ProgressError` naming the file and
    the operating system's reason.
    """
    from tmvlearn._files import write_atomically

    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise ProgressError(f"cannot write {path}: it is a folder; give a file name inside it, such as "
                            f"{path / 'progress.csv'}")
    if suffix not in (".csv", ".json"):
        raise ProgressError(f"cannot export to {path.name!r}: use a file name ending in .csv or .json")
    reading = (store or get_store()).read(learner, all_learners=all_learners)
    frame = reading.attempts
    if suffix == ".csv":
        text = frame.to_csv(index=False)
    else:
        summary = summarize(frame, by_learner=all_learners)
        payload = {
            "learner": None if all_learners else (learner or default_learner()),
            "summary": json.loads(summary.to_json(orient="records")),
            "attempts": json.loads(frame.to_json(orient="records")),
        }
        for row in payload["attempts"]:
            row["response"] = json.loads(row["response"])
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    return write_atomically(path, text, force=force, error=ProgressError)


@atexit.register
def _flush_at_exit() -> None:
    """Last chance for attempts held in memory: the database or a journal; else say what is lost."""
    import sys

    for store in list(_LIVE):
        try:
            left = store.flush()
        except Exception:
            left = len(store._held)
        if left:
            print(f"tmvlearn: {left} quiz attempt{'s' if left != 1 else ''} could not be saved to "
                  f"{store.location} or any pending journal and {'are' if left != 1 else 'is'} lost.",
                  file=sys.stderr)


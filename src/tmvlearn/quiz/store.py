"""Kept progress: every checked answer, in a SQLite file in the user's data folder.

The file is ``progress.sqlite3`` in ``$TMVLEARN_HOME`` when set, otherwise in
``platformdirs.user_data_dir("tmvlearn")``. It is opened lazily, the first
time something is recorded or read, so building or displaying a quiz (as
nbval and papermill do) never creates it. WAL mode and a busy timeout let
several notebooks write at once; each attempt is one transaction. A corrupt or
unreadable file is renamed ``progress.sqlite3.corrupt-N`` with a warning and a
new one started; a folder that cannot be written falls back to an in-memory
store with a warning. Grading never depends on any of this.
"""

from __future__ import annotations

import getpass
import json
import math
import os
import random
import sqlite3
import threading
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = [
    "ProgressWarning",
    "ProgressStore",
    "default_learner",
    "home_dir",
    "get_store",
    "record_attempt",
    "attempts",
    "progress",
    "export_progress",
]

FILENAME = "progress.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    learner TEXT NOT NULL,
    lesson TEXT NOT NULL,
    question_id TEXT NOT NULL,
    response TEXT NOT NULL,
    score REAL NOT NULL,
    correct INTEGER NOT NULL,
    time TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_learner ON attempts (learner, lesson, question_id);
"""
COLUMNS = ["learner", "lesson", "question_id", "response", "score", "correct", "time"]
BUSY_MS = 30_000


def _retry_while_locked(step, seconds: float | None = None):
    """Run ``step``, retrying for up to the busy timeout while SQLite says the file is locked."""
    deadline = time.monotonic() + (BUSY_MS / 1000 if seconds is None else seconds)
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not ("locked" in str(exc) or "busy" in str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(0.005 + random.random() * 0.02)


class ProgressWarning(UserWarning):
    """Progress could not be kept where expected; the quiz goes on."""


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


class ProgressStore:
    """Attempts kept in one SQLite file (or in memory when ``path`` is ``":memory:"``)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path not in (None, ":memory:") else None
        self._default = path is None
        self._memory = path == ":memory:"
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    # -- opening ---------------------------------------------------------------
    @property
    def location(self) -> str:
        if self._memory:
            return ":memory:"
        return str(self.path or home_dir() / FILENAME)

    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        if self._memory:
            self._conn = self._open(":memory:")
            return self._conn
        path = self.path or home_dir() / FILENAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not os.access(path.parent, os.W_OK):
                raise PermissionError(f"{path.parent} is not writable")
        except OSError as exc:
            return self._fallback(f"cannot use the folder {path.parent} ({exc})")
        for attempt in range(2):
            try:
                self._conn = self._open(path)
                self.path = path
                return self._conn
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise
                reason = str(exc)
            except sqlite3.DatabaseError as exc:  # not a database, malformed
                reason = str(exc)
            if attempt == 0 and self._move_aside(path, reason):
                continue
            break
        return self._fallback(f"cannot open {path} ({reason})")

    @staticmethod
    def _open(target: str | Path) -> sqlite3.Connection:
        conn = sqlite3.connect(str(target), timeout=BUSY_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            if target != ":memory:":
                # Switching to WAL can answer "locked" at once, without waiting, while another
                # process creates the same file: retry it (the mode then stays in the file).
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    _retry_while_locked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
                conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; an app crash loses nothing
            check = conn.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check[0] if check else 'no answer'}")
            _retry_while_locked(lambda: conn.executescript(SCHEMA))
            missing = set(COLUMNS) - {row[1] for row in conn.execute("PRAGMA table_info(attempts)")}
            if missing:
                raise sqlite3.DatabaseError(f"the attempts table lacks {', '.join(sorted(missing))}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _move_aside(self, path: Path, reason: str) -> bool:
        n = 1
        while path.with_name(f"{path.name}.corrupt-{n}").exists():
            n += 1
        aside = path.with_name(f"{path.name}.corrupt-{n}")
        try:
            if path.exists():
                path.rename(aside)
            for suffix in ("-wal", "-shm", "-journal"):
                extra = path.with_name(path.name + suffix)
                if extra.exists():
                    extra.rename(aside.with_name(aside.name + suffix))
        except OSError:
            return False
        warnings.warn(
            f"tmvlearn: the progress database {path} could not be read ({reason}); "
            f"it was moved to {aside} and a new one started.",
            ProgressWarning,
            stacklevel=4,
        )
        return True

    def _fallback(self, reason: str) -> sqlite3.Connection:
        warnings.warn(
            f"tmvlearn: {reason}. Quiz progress is kept in memory for this session only; "
            "set TMVLEARN_HOME to a writable folder to keep it.",
            ProgressWarning,
            stacklevel=4,
        )
        self._memory = True
        self._conn = self._open(":memory:")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- writing and reading ----------------------------------------------------
    def record(self, *, lesson: str, question_id: str, response: Any, score: float, correct: bool,
               learner: str | None = None, time: str | None = None) -> None:
        """Store one attempt, in its own transaction."""
        row = (
            learner or default_learner(),
            lesson or "",
            question_id,
            json.dumps(_jsonable(response), ensure_ascii=False),
            float(score),
            int(bool(correct)),
            time or datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        )
        with self._lock:
            conn = self._connect()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(f"INSERT INTO attempts ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _exists(self) -> bool:
        return self._conn is not None or self._memory or (self.path or home_dir() / FILENAME).exists()

    def attempts(self, learner: str | None = None, *, all_learners: bool = False):
        """Every attempt (one row each) as a DataFrame, oldest first."""
        import pandas as pd

        rows: list[tuple] = []
        if self._exists():  # reading never creates the database
            with self._lock:
                conn = self._connect()
                sql = f"SELECT {', '.join(COLUMNS)} FROM attempts"
                args: tuple = ()
                if not all_learners:
                    sql += " WHERE learner = ?"
                    args = (learner or default_learner(),)
                rows = conn.execute(sql + " ORDER BY time, id", args).fetchall()
        frame = pd.DataFrame(rows, columns=COLUMNS)
        frame["score"] = frame["score"].astype("float64")
        frame["correct"] = frame["correct"].astype(bool)
        for col in ("learner", "lesson", "question_id", "response", "time"):
            frame[col] = frame[col].astype("string")
        return frame

    def summary(self, learner: str | None = None, *, all_learners: bool = False):
        """One row per (learner,) lesson: questions attempted and right, mean best score, last attempt."""
        return summarize(self.attempts(learner, all_learners=all_learners), by_learner=all_learners)


def summarize(frame, by_learner: bool = False):
    import pandas as pd

    keys = ["learner", "lesson"] if by_learner else ["lesson"]
    columns = keys + ["questions_attempted", "questions_correct", "attempts", "best_score", "last_attempt"]
    if frame.empty:
        out = pd.DataFrame({c: pd.Series(dtype="string" if c in keys + ["last_attempt"] else "Int64")
                            for c in columns})
        out["best_score"] = out["best_score"].astype("float64")
        return out
    per_q = frame.groupby(keys + ["question_id"], observed=True).agg(
        best=("score", "max"), right=("correct", "any"), n=("score", "size"), last=("time", "max")
    )
    out = per_q.groupby(level=keys, observed=True).agg(
        questions_attempted=("best", "size"),
        questions_correct=("right", "sum"),
        attempts=("n", "sum"),
        best_score=("best", "mean"),
        last_attempt=("last", "max"),
    ).reset_index()
    for col in ("questions_attempted", "questions_correct", "attempts"):
        out[col] = out[col].astype("Int64")
    out["best_score"] = out["best_score"].astype("float64").round(3)
    return out[columns]


_STORE: ProgressStore | None = None
_STORE_KEY: str | None = None


def get_store() -> ProgressStore:
    """The session's store for the current ``TMVLEARN_HOME`` (reopened if it changes)."""
    global _STORE, _STORE_KEY
    key = os.environ.get("TMVLEARN_HOME", "")
    if _STORE is None or key != _STORE_KEY:
        if _STORE is not None:
            _STORE.close()
        _STORE, _STORE_KEY = ProgressStore(), key
    return _STORE


def record_attempt(question, response: Any, result=None, *, learner: str | None = None,
                   store: ProgressStore | None = None):
    """Grade ``response`` to ``question`` (unless ``result`` is given) and keep the attempt.

    Returns the :class:`~tmvlearn.quiz.questions.Result`. Storage trouble is a
    warning, never an error: the learner still gets the grade.
    """
    result = result if result is not None else question.check(response)
    try:
        (store or get_store()).record(
            lesson=question.lesson or "", question_id=question.id, response=response,
            score=result.score, correct=result.correct, learner=learner,
        )
    except Exception as exc:  # locked for too long, disk full: keep the quiz going
        warnings.warn(f"tmvlearn: this attempt was not saved ({exc}).", ProgressWarning, stacklevel=2)
    return result


def attempts(learner: str | None = None, *, all_learners: bool = False):
    """Every recorded attempt of ``learner`` (default: the current learner)."""
    return get_store().attempts(learner, all_learners=all_learners)


def progress(learner: str | None = None, *, all_learners: bool = False):
    """Per-lesson summary DataFrame of ``learner``'s attempts (default: the current learner)."""
    return get_store().summary(learner, all_learners=all_learners)


def export_progress(path: str | Path, learner: str | None = None, *, all_learners: bool = False) -> Path:
    """Write the attempts to ``path``: ``.csv`` (one row per attempt) or ``.json``
    (``{"learner", "summary", "attempts"}``). Returns the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ValueError(f"cannot export to {path.name!r}: use a file name ending in .csv or .json")
    frame = attempts(learner, all_learners=all_learners)
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        summary = summarize(frame, by_learner=all_learners)
        payload = {
            "learner": None if all_learners else (learner or default_learner()),
            "summary": json.loads(summary.to_json(orient="records")),
            "attempts": json.loads(frame.to_json(orient="records")),
        }
        for row in payload["attempts"]:
            row["response"] = json.loads(row["response"])
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path

"""The progress store: every checked answer kept, in the database or, failing that, somewhere durable.

:class:`ProgressStore` opens the database lazily, the first time something is recorded, so building
or displaying a quiz (as nbval and papermill do) never creates it; reading opens it read-only
(:mod:`.reading`). Each attempt is one transaction; when the database cannot take it (locked,
read-only, full...), the attempt waits in a pending journal (:mod:`.journal`), else in memory, and
every check made meanwhile issues a :class:`ProgressWarning` that says where it is and how many are
waiting. A file SQLite proves damaged is salvaged and moved aside (:mod:`.salvage`). The next time a
process writes to the database it adds every pending attempt first, and at exit a process tries once
more with what it holds in memory.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import sqlite3
import threading
import uuid
import warnings
import weakref
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tmvlearn.progress.database import (
    FILENAME,
    connect,
    default_learner,
    file_identity,
    home_dir,
    open_for_writing,
    prepare_schema,
)
from tmvlearn.progress.faults import (
    Corrupt,
    Moved,
    ProgressError,
    ProgressWarning,
    Unavailable,
    describe_fault,
    error_code,
    is_locked,
    proves_corrupt,
    retry_while_locked,
    warn,
)
from tmvlearn.progress.journal import Journal, append_even_without_descriptors, journal_paths
from tmvlearn.progress.reading import Reading, attempts_frame, read_file, summarize, write_export
from tmvlearn.progress.review_cache import refresh_review_safely, review_query
from tmvlearn.progress.rows import COLUMNS, KINDS, MODES, jsonable, query_attempts
from tmvlearn.progress.salvage import repair
from tmvlearn.scheduler import compute_states


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

    def _journals(self) -> list[Journal]:
        db = self._path()
        return [Journal(p, db) for p in journal_paths(db)]

    # -- opening for writing ----------------------------------------------------------------------
    def _writer(self, notes: list[str]) -> sqlite3.Connection:
        """The open connection for writing, opening (migrating, repairing) and catching up as needed."""
        if self._conn is not None:
            if self._memory or file_identity(self._path()) == self._ident:
                if self._behind:  # this store put attempts aside earlier: the file takes them now
                    self._catch_up(notes)
                return self._conn
            self.close()  # the file was moved aside or replaced by another process: use the new one
        if self._memory:
            self._conn = connect(":memory:")
            self._review = prepare_schema(self._conn, self.location, notes)
            return self._conn
        path = self._path()
        for _ in range(3):
            try:
                self._conn, self._review = open_for_writing(path, notes)
                self._ident = file_identity(path)
                break
            except Corrupt as exc:
                repair(path, str(exc), notes, copy_out=lambda rows: self._journals()[0].append(rows),
                       salvaged=self._salvaged)
        else:
            raise Unavailable(f"{path} is damaged and could not be repaired")
        self._catch_up(notes)
        return self._conn

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
            except (OSError, sqlite3.Error, Moved):
                self._behind = True  # still pending: tried again at the next check
        if self._held:
            try:
                added += self._insert(self._held)
                self._held = []
            except (sqlite3.Error, Moved):
                self._behind = True
        if added:
            notes.append(f"{added} earlier attempt{'s' if added != 1 else ''} that could not be saved at "
                         f"the time {'were' if added != 1 else 'was'} added to {self.location}.")

    def _insert(self, rows: list[dict[str, Any]]) -> int:
        """Insert ``rows`` in one transaction into the file this store holds (checked inside it)."""
        conn = self._conn
        assert conn is not None
        names = COLUMNS + ["uid"]
        sql = f"INSERT OR IGNORE INTO attempts ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        retry_while_locked(lambda: conn.execute("BEGIN IMMEDIATE"))
        try:
            if not self._memory and file_identity(self._path()) != self._ident:
                raise Moved()
            before = conn.total_changes
            conn.executemany(sql, [tuple(row[c] for c in names) for row in rows])
            added = conn.total_changes - before
            if self._review:
                refresh_review_safely(conn)
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

        ``mode``: ``"practice"``, ``"test"``, ``"exercise"`` (a code exercise's check, or its solution
        revealed) or ``"flashcard"``; ``kind``: ``"answer"`` (graded) or ``"reveal"`` (the learner
        revealed a solution or explanation); ``take``: in test mode, 1 for
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
            "response": json.dumps(jsonable(response), ensure_ascii=False),
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
            except Moved:
                self.close()  # another process moved the file aside under us: take the new one
                continue
            except Unavailable as exc:
                reason = str(exc)
                break
            except OSError as exc:  # the folder itself cannot be looked into, say
                reason = f"cannot use {self.location}: {describe_fault(exc)}"
                self.close()
                break
            except sqlite3.Error as exc:
                reason = f"cannot write {self.location}: {describe_fault(exc, self._path())}"
                if proves_corrupt(exc) or not is_locked(exc) and error_code(exc) != 13:
                    self.close()  # opened again (and checked) next time
                if proves_corrupt(exc):
                    continue
                break
            message = " ".join(notes) or None
            if message:
                warn("tmvlearn: " + message)
            return Saved(True, True, self.location, message)
        else:
            reason = reason or f"{self.location} keeps being replaced by another process"
        return self._keep_pending(row, reason, notes)

    def _keep_pending(self, row: dict[str, Any], reason: str, notes: list[str]) -> Saved:
        if self._memory:
            self._held.append(row)
            message = f"tmvlearn: this attempt could not be saved ({reason}); it is held in memory."
            warn(message)
            return Saved(False, False, "memory", message)
        rows = self._held + [row]
        failures = []
        for journal in self._journals():
            try:
                journal.prepare()
                waiting = append_even_without_descriptors(journal, rows)
            except OSError as exc:
                failures.append(f"{journal.path}: {describe_fault(exc)}")
                continue
            self._held = []
            self._behind = True
            message = (f"tmvlearn: this attempt is not in the progress database yet ({reason}). It is kept "
                       f"in {journal.path} ({waiting} attempt{'s' if waiting != 1 else ''} waiting), and "
                       "will be added the next time the database can be opened.")
            if journal.shared:
                message += (" That is a temporary folder, which the system may empty when the machine "
                            "restarts: free some space where the database is before then.")
            message = " ".join([message, *notes])
            warn(message)
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
        warn(message)
        return Saved(False, False, "memory", message)

    def flush(self) -> int:
        """Try once more to put attempts held in memory on disk; how many are still held only in memory."""
        with self._lock:
            if not self._held or self.read_only:
                return len(self._held)
            notes: list[str] = []
            try:
                self._writer(notes)
            except (Unavailable, Moved, sqlite3.Error, OSError):
                held, self._held = self._held, []
                for journal in self._journals():
                    try:
                        journal.prepare()
                        append_even_without_descriptors(journal, held)
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
            if self._memory or (self._conn is not None and file_identity(self._path()) == self._ident):
                with contextlib.suppress(sqlite3.Error):
                    rows = query_attempts(self._conn or self._writer(notes), who)
                    source = self.location
            if rows is None:
                rows, source = read_file(self._path(), who, notes)
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
            return Reading(attempts_frame(rows + pending + held), source, notes, readable)

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
            warn("tmvlearn: " + note)
        out = summarize(reading.attempts, by_learner=all_learners)
        out.attrs["source"] = reading.source
        return out

    def review_states(self, learner: str | None = None) -> tuple[list, str, list[str]]:
        """(the review states of ``learner``, where they were read from, notes); read-only.

        The stored states, with those of items that have attempts the stored states do not yet
        account for (still pending, or added by an older tmvlearn) computed afresh from the attempts.
        """
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
            if self._memory or (self._conn is not None and file_identity(self._path()) == self._ident):
                with contextlib.suppress(sqlite3.Error):
                    result = review_query(self._conn or self._writer(notes), who, extra, notes)
                    source = self.location
            if result is None:
                result, source = read_file(self._path(), who, notes,
                                           reader=lambda conn, w: review_query(conn, w, extra, notes),
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
    return write_export(path, lambda: (store or get_store()).read(learner, all_learners=all_learners),
                        learner=learner, all_learners=all_learners, force=force)


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

"""Reading a class's progress files again and again while learners' kernels write them (the live poll).

:class:`LiveReader` follows the rules of :mod:`tmvlearn.results.reader` for every file, as a collect
does: learners' files are untrusted and only read. A file is found by
:func:`tmvlearn.results.finding.find_files` (so it is whose folder it is in), opened only if it is a
regular file (``O_NONBLOCK | O_NOFOLLOW``, no link out of the folder given, at most
:data:`~tmvlearn.results.reader.MAX_FILE_BYTES`), and a SQLite database is **never opened where it
is**: it and its ``-wal`` are copied through that check into a private temporary folder and read
there, query-only, with a step budget and at most :data:`LIVE_SECONDS` seconds. So nothing is created
in a learner's folder (no ``-shm``, no lock): an instructor account with group read and no write
permission reads everything a writer has committed. Each row is checked with
:func:`~tmvlearn.results.reader.check_row`; rows naming another learner than the folder's are set aside.

**Incremental.** Per file it remembers the (size, mtime_ns, inode) of the database and of its
``-wal`` and the highest attempt ``id`` read: an unchanged file is not opened at all, a changed one is
copied and read with ``WHERE id > last``. A database replaced by another file (a new inode) is read
from the start again (the poll keeps one answer per learner, so nothing counts twice).

**A copy that is consistent.** A writer may commit, or checkpoint its ``-wal`` into the database,
while the two files are copied. The ``-wal`` header (its checkpoint sequence and salts) is read
before the database is copied and compared with the copied ``-wal``'s; both files' identities are
compared before and after. If either moved, the copy is taken again (up to :data:`COPY_TRIES` times),
else the file is left for the next refresh, its last ``id`` unchanged, so no committed row is skipped.

**Never stalled, never crashed by one file.** A file that vanishes, is being written, locked,
damaged or hostile (a FIFO, a link out, a file over the size bound, a view or a virtual table for
``attempts``) is skipped for this refresh and counted in :attr:`Refresh.notes`; the rest is read.
Pending journals (``progress.sqlite3.pending``) are read too, whole, when they change.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import time as _time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tmvlearn import progress
from tmvlearn.results import reader as _reader
from tmvlearn.results.finding import find_files
from tmvlearn.results.reader import Refused, clean_text, learner_key

__all__ = ["LiveReader", "Refresh", "LiveRow", "LIVE_SECONDS", "COPY_TRIES"]

#: Seconds of SQLite work allowed for one file in one refresh (a hostile file cannot hold the view).
LIVE_SECONDS = 2.0
#: Times a database and its -wal are copied again when a writer changed them during the copy.
COPY_TRIES = 3
#: Seconds one refresh may spend opening files; changed files beyond it are left for the next refresh
#: (those waiting longest go first), so a refresh of a large or busy class stays short.
REFRESH_SECONDS = 0.8
#: A file changed less than this long before it was read is read again at the next refresh even if its
#: size, time and inode look unchanged: a file's time has a coarse granularity (a commit in the same
#: tick as the read, into a -wal that does not grow, would otherwise go unseen: "racy" as git says).
RACY_SECONDS = 1.0
#: Bytes of the -wal header compared before and after a copy (magic, version, page size,
#: checkpoint sequence, salts, checksums).
WAL_HEADER = 32


@dataclass(frozen=True)
class LiveRow:
    """One checked attempt: the learner's key (the folder's), the row in
    :data:`tmvlearn.progress.COLUMNS` order, and where it came from (file, attempt id or None)."""

    learner_key: str
    row: tuple
    source: str
    id: int | None = None

    @property
    def question_id(self) -> str:
        return self.row[2]

    def get(self, column: str) -> Any:
        return self.row[progress.COLUMNS.index(column)]


@dataclass
class Refresh:
    """What one refresh read: the new rows, how many files were looked at, opened and skipped."""

    rows: list[LiveRow] = field(default_factory=list)
    files: int = 0  # progress files found
    opened: int = 0  # changed since the last refresh: copied and read
    skipped: Counter = field(default_factory=Counter)  # reason -> files
    skipped_files: list[str] = field(default_factory=list)
    deferred: int = 0  # changed files left for the next refresh (the time budget was spent)
    set_aside: Counter = field(default_factory=Counter)  # reason -> rows
    seconds: float = 0.0

    @property
    def notes(self) -> list[str]:
        """Short notes: files skipped (and why) and rows set aside in this refresh."""
        out = []
        if self.skipped:
            n = sum(self.skipped.values())
            reasons = "; ".join(f"{k} {r}" for r, k in self.skipped.most_common(3))
            out.append(f"{n} file{'s' if n != 1 else ''} not read this time: {reasons}")
        if self.set_aside:
            n = sum(self.set_aside.values())
            reasons = "; ".join(f"{k} {r}" for r, k in self.set_aside.most_common(3))
            out.append(f"{n} row{'s' if n != 1 else ''} set aside: {reasons}")
        if self.deferred:
            out.append(f"{self.deferred} changed file{'s' if self.deferred != 1 else ''} left for the next "
                       "refresh (time budget)")
        return out


def _identity(path: str) -> tuple[int, int, int] | None:
    """(size, mtime_ns, inode) of the file at ``path`` (links followed: stat never opens it), or None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _head(path: str, root: Path | None) -> bytes | None:
    """The first bytes of a -wal (None: there is none), read under the reader's rules."""
    if not os.path.lexists(path):
        return None
    try:
        return _reader.read_regular(Path(path), root, limit=WAL_HEADER)
    except Refused:
        return b"?"


@dataclass
class _File:
    """What is known of one progress file between refreshes."""

    identity: tuple | None = None  # of the database (or journal)
    wal: tuple | None = None
    last_id: int = 0
    refused: str | None = None  # why it was not read at this identity (not tried again until it changes)
    racy: bool = False  # changed just before it was read: read again next time
    read_at: float = float("-inf")  # when it was last looked at (monotonic): the longest waiting go first


class _Busy(Exception):
    """The file changed during every copy: read it next time."""


class LiveReader:
    """Read the progress files under ``paths`` again and again, each time only what is new.

    ``paths`` are as for ``tmvlearn results`` (a course folder: one subfolder per learner; a learner's
    own folder; a database). :meth:`refresh` returns a :class:`Refresh` with the rows added since the
    previous call. ``rows_read`` counts every row read from a database (for tests and benchmarks: an
    unchanged file adds nothing). Use as a context manager, or call :meth:`close`, to remove the
    private folder of copies.
    """

    def __init__(self, paths, *, seconds: float = LIVE_SECONDS,
                 budget: float | None = REFRESH_SECONDS) -> None:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        self.paths = [str(p) for p in paths]
        self.seconds = seconds
        self.budget = budget  # seconds per refresh for opening files (None: no limit, read all)
        self.rows_read = 0
        self.refreshes = 0
        self._files: dict[str, _File] = {}
        self._scratch: Path | None = None

    def __enter__(self) -> LiveReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def _copy_dir(self) -> Path:
        if self._scratch is None or not self._scratch.is_dir():
            shm = "/dev/shm"  # in memory where there is one: the copies are written and removed often
            where = shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None
            self._scratch = Path(tempfile.mkdtemp(prefix="tmvlearn-live-", dir=where))  # 0700: the copies
        return self._scratch

    # -- one refresh ---------------------------------------------------------------------------------
    def refresh(self) -> Refresh:
        """Read what was added since the last refresh (the first reads everything)."""
        started = _time.perf_counter()
        result = Refresh()
        sources, problems, _ = find_files(self.paths)
        for problem in problems:
            if problem.status == "skipped" and not problem.reason.startswith("empty folder"):
                result.skipped[_short(problem.reason)] += 1
                result.skipped_files.append(problem.path)
        known = _reader.known_items()
        seen = set()
        sources = [s for s in sources if s.kind in ("sqlite", "journal")]  # exports are hand-ins, not live
        states = [self._files.setdefault(str(s.path), _File()) for s in sources]
        for source, state in sorted(zip(sources, states, strict=True), key=lambda pair: pair[1].read_at):
            result.files += 1
            name = str(source.path)
            seen.add(name)
            spent = self.budget is not None and _time.perf_counter() - started > self.budget
            if spent and result.opened and _changed(source, state):  # at least one file per refresh
                result.deferred += 1
                continue
            state.read_at = _time.monotonic()
            try:
                if source.kind == "sqlite":
                    rows = self._database(source, state, result)
                else:
                    rows = self._journal(source, state, result)
            except Refused as exc:
                result.skipped[_short(str(exc))] += 1
                result.skipped_files.append(name)
                continue
            except _Busy:
                result.skipped["being written (read next time)"] += 1
                result.skipped_files.append(name)
                continue
            except (OSError, sqlite3.Error, MemoryError) as exc:  # whatever one file does, the rest is read
                result.skipped[_short(f"cannot be read ({exc})")] += 1
                result.skipped_files.append(name)
                continue
            self._take(source, rows, known, result)
        for gone in set(self._files) - seen:
            del self._files[gone]  # vanished: if it comes back, it is read from the start
        self.refreshes += 1
        result.seconds = _time.perf_counter() - started
        return result

    def _take(self, source, rows, known, result: Refresh) -> None:
        for ident, row in rows:
            checked = _reader.check_row(row, known)
            if isinstance(checked, str):
                result.set_aside[checked] += 1
                continue
            key = learner_key(checked[0])
            if source.learner is not None and key != source.key:
                result.set_aside["for another learner than the folder's"] += 1
                continue
            result.rows.append(LiveRow(key, checked, str(source.path), ident))

    # -- a database ----------------------------------------------------------------------------------
    def _database(self, source, state: _File, result: Refresh) -> list[tuple[int | None, dict]]:
        path = str(source.path)
        wal_path = f"{path}-wal"
        identity, wal = _identity(path), _identity(wal_path)
        if identity is None:
            raise Refused("vanished")
        if identity == state.identity and wal == state.wal and not state.racy:
            if state.refused:
                raise Refused(state.refused)
            return []  # unchanged: not opened
        if state.identity is not None and identity[2] != state.identity[2]:
            state.last_id = 0  # another file at this path now (moved aside, replaced): from the start
        state.refused = None
        result.opened += 1
        try:
            rows, identity, wal = self._read_copy(source, state.last_id)
        except Refused as exc:
            if _time.time_ns() - max(identity[1], wal[1] if wal else 0) < RACY_SECONDS * 1e9:
                state.identity = state.wal = None  # just written (a copy mid-checkpoint?): again next time
            else:
                state.identity, state.wal, state.refused = identity, wal, str(exc)  # not until it changes
            raise
        state.identity, state.wal = identity, wal
        newest = max(identity[1], wal[1] if wal else 0)
        state.racy = _time.time_ns() - newest < RACY_SECONDS * 1e9
        if rows:
            state.last_id = max(state.last_id, max(i for i, _ in rows))
        return rows

    def _read_copy(self, source, last: int):
        """The rows with ``id > last`` of a consistent private copy; and the identities it was taken at."""
        path = str(source.path)
        wal_path = f"{path}-wal"
        copy = self._copy_dir() / "live.sqlite3"
        for _ in range(COPY_TRIES):
            identity, wal = _identity(path), _identity(wal_path)
            head = _head(wal_path, source.root)
            self._remove(copy)
            _reader.copy_regular(source.path, copy, source.root)
            if head is not None:
                try:
                    _reader.copy_regular(Path(wal_path), Path(f"{copy}-wal"), source.root)
                except Refused as exc:
                    if os.path.lexists(wal_path):
                        raise Refused(f"its -wal file: {exc}") from None
                    continue  # checkpointed and removed meanwhile (the last writer closed): again
            copied_head = _head(f"{copy}-wal", None)
            if (copied_head or b"")[:WAL_HEADER] != (head or b"")[:WAL_HEADER] or \
                    _identity(path) != identity or _identity(wal_path) != wal:
                continue  # a commit or a checkpoint during the copy
            try:
                return self._select(copy, last), identity, wal
            finally:
                self._remove(copy)
        raise _Busy

    def _select(self, copy: Path, last: int) -> list[tuple[int, dict]]:
        conn, budget = _reader.open_copy(copy, read_only=True)  # closing it writes nothing
        budget.deadline = _time.monotonic() + self.seconds
        try:
            kind, why = _reader.attempts_table(conn)
            if kind is None:
                raise Refused("no attempts table: not a tmvlearn progress database")
            if kind != "table":
                raise Refused(why)
            present = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
            missing = [c for c in progress.V0_COLUMNS if c not in present]
            if missing:
                raise Refused(f"its attempts table lacks {', '.join(missing)}")
            cols = [c for c in progress.COLUMNS if c in present]
            query = (f"SELECT id, {', '.join(f'[{c}]' for c in cols)} FROM attempts WHERE id > ? "
                     f"ORDER BY id LIMIT {_reader.MAX_ROWS_PER_FILE}")
            try:
                fetched = conn.execute(query, (last,)).fetchall()
            except sqlite3.OperationalError as exc:
                if "decode" not in str(exc) or budget.spent:
                    raise
                conn.text_factory = clean_text  # text that is not UTF-8: read leniently
                fetched = conn.execute(query, (last,)).fetchall()
        except sqlite3.DatabaseError as exc:
            if budget.spent:
                raise Refused(f"more than {self.seconds:g} s of SQLite work: stopped") from None
            raise Refused(f"cannot be read: {progress.describe_fault(exc)}") from None
        finally:
            conn.close()
        self.rows_read += len(fetched)
        out = []
        for record in fetched:
            ident = record[0]
            if not isinstance(ident, int):
                continue
            out.append((ident, dict(zip(cols, record[1:], strict=True))))
        return out

    @staticmethod
    def _remove(copy: Path) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(f"{copy}{suffix}")

    # -- a pending journal ---------------------------------------------------------------------------
    def _journal(self, source, state: _File, result: Refresh) -> list[tuple[None, dict]]:
        identity = _identity(str(source.path))
        if identity is None:
            raise Refused("vanished")
        if identity == state.identity:
            if state.refused:
                raise Refused(state.refused)
            return []
        result.opened += 1
        try:
            raw = _reader.read_regular(source.path, source.root)
        except Refused as exc:
            state.identity, state.refused = identity, str(exc)
            raise
        state.identity, state.refused = identity, None
        rows = []
        for line in raw.split(b"\n")[:-1][: _reader.MAX_ROWS_PER_FILE]:  # an unfinished last line: not yet
            try:
                item = _reader.load_json(clean_text(line))
            except Refused:
                result.set_aside["a journal line that is not an attempt"] += 1
                continue
            if isinstance(item, dict) and all(c in item for c in progress.V0_COLUMNS):
                rows.append((None, {c: item[c] for c in progress.COLUMNS if c in item}))
            else:
                result.set_aside["a journal line that is not an attempt"] += 1
        return rows


def _changed(source, state: _File) -> bool:
    """Whether ``source`` looks changed since it was read (it would be opened)."""
    path = str(source.path)
    if state.racy or _identity(path) != state.identity:
        return True
    return source.kind == "sqlite" and _identity(f"{path}-wal") != state.wal


def _short(reason: str) -> str:
    """A reason cut to its first clause, so that notes group by kind (not by every file's detail)."""
    text = reason.split(":")[0].strip() if reason.startswith("not a regular file") else reason
    return text if len(text) <= 70 else text[:67] + "..."

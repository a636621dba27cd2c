"""The pending journal: where an attempt waits, durably, while the database cannot take it.

Every fault that is not proven damage (locked, busy, read-only, permissions, disk full, too many
open files, an I/O error) leaves the file where it is, and the attempt goes to a pending journal
(JSON lines, flushed to disk) beside the database (``progress.sqlite3.pending``), else in the user
state folder (``platformdirs.user_state_dir``), else in a private folder ``tmvlearn-<uid>`` in the
first temporary folder that takes it: ``$TMPDIR``, ``$TEMP``, ``$TMP``, then the system's (``/tmp``,
``/var/tmp``, ``/usr/tmp``) (:func:`journal_paths`). Every process looks in all of these places, so
a journal written in the last of them, when the others were full, is found again by the next session;
when none takes it the learner is told the attempt is held in memory only. One file descriptor is
kept in reserve so that running out of them still leaves a journal. The next process to write the
database adds every pending attempt first (each has a unique id, so nothing is added twice).

Modes: a journal beside the database gets the database's own mode (as SQLite gives its ``-wal``),
or, with no database yet, 0644 under the umask as a new database would (0640 under a hub's umask
027, so the instructors' group can collect it); anywhere else it is 0600, in a folder of the
learner's own.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tmvlearn.progress.database import default_learner
from tmvlearn.progress.rows import clean_row

PENDING_SUFFIX = ".pending"
#: A new journal beside a database not yet created: what SQLite gives a new database (0644, less the
#: umask: 0640 under a hub's umask 027).
DEFAULT_MODE = 0o644
#: The system's temporary folders, after the environment's (as :mod:`tempfile` tries them).
SYSTEM_TEMP_FOLDERS = ([r"%SYSTEMROOT%\Temp", r"c:\temp", r"c:\tmp", r"\temp", r"\tmp"] if os.name == "nt"
                       else ["/tmp", "/var/tmp", "/usr/tmp"])


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


class Journal:
    """Attempts waiting for the database: one JSON object per line, each access under an exclusive lock.

    A reader (replay) removes the file under the lock once its attempts are in the database; a
    writer that opened it just before checks, once it holds the lock, that the file it holds is
    still the one at the path, and opens it again if not.
    """

    def __init__(self, path: Path, db: Path):
        self.path, self.db = path, db
        self.shared = path.parent in _private_temp_folders()  # in a temporary folder of the machine
        self.beside = path == db.with_name(db.name + PENDING_SUFFIX)

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
        mode = self._mode()
        for _ in range(100):
            fd = os.open(self.path, flags, DEFAULT_MODE if mode is None else mode)
            try:
                if create and mode is not None and hasattr(os, "fchmod"):
                    st = os.fstat(fd)
                    mine = st.st_uid == getattr(os, "getuid", int)()
                    if st.st_size == 0 and st.st_mode & 0o777 != mode and mine:
                        os.fchmod(fd, mode)  # as SQLite does for its -wal: the database's mode exactly
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

    def _mode(self) -> int | None:
        """The mode a new journal gets: beside the database, the database's (and always read-write for
        the learner; None: no database yet, :data:`DEFAULT_MODE` under the umask); elsewhere 0600."""
        if not self.beside:
            return 0o600
        try:
            return os.stat(self.db).st_mode & 0o666 | 0o600  # always the learner's to append to
        except OSError:
            return None

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
                rows.append(clean_row(row))
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


def _private_temp_folders() -> list[Path]:
    """``<temporary folder>/tmvlearn-<uid>`` for every temporary folder a journal may be written in,
    in order of preference (none created here): ``tempfile.gettempdir()``, ``$TMPDIR``, ``$TEMP``,
    ``$TMP``, then the system's. The order of the environment's folders is tempfile's, but all are
    kept: a journal written in ``/tmp`` while ``$TMPDIR`` was full is found by the next session."""
    owner = os.getuid() if hasattr(os, "getuid") else default_learner()
    folders: list[str] = []
    with contextlib.suppress(OSError):  # "no usable temporary directory", as when no file can be opened
        folders.append(tempfile.gettempdir())
    folders += [os.environ[name] for name in ("TMPDIR", "TEMP", "TMP") if os.environ.get(name)]
    folders += [os.path.expandvars(folder) for folder in SYSTEM_TEMP_FOLDERS]
    out: list[Path] = []
    for folder in folders:
        path = Path(os.path.abspath(folder)) / f"tmvlearn-{owner}"
        if path not in out:
            out.append(path)
    return out


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
    beside it, in the user state folder, in a private folder in each temporary folder
    (:func:`_private_temp_folders`). Every reader looks in all of them. Nothing is created here."""
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
    paths += [temp / f"{digest}.jsonl" for temp in _private_temp_folders()]
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


def append_even_without_descriptors(journal: Journal, rows: list[dict[str, Any]]) -> int:
    """:meth:`Journal.append`, with the spare descriptor given up for it if the process has none left."""
    try:
        return journal.append(rows)
    except OSError as exc:
        if exc.errno not in (errno.EMFILE, errno.ENFILE):
            raise
        with _SPARE.released() as had:
            if not had:
                raise
            return journal.append(rows)

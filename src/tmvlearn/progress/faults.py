"""What can go wrong with the progress file, in words a learner can act on.

The progress errors and warning; SQLite's faults sorted into *locked* (wait, then keep the attempt
pending), *proven damaged* (salvage, move aside) and the rest (keep it pending); their causes
explained (a full disk, a file-size limit, permissions).
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import sqlite3
import time
import warnings
from pathlib import Path

from tmvlearn.errors import TmvlearnError

BUSY_MS = 30_000  # how long a locked file is waited for

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


class Unavailable(Exception):
    """The database cannot be used now (locked, read-only, full...); the file stays as it is."""


class Corrupt(Exception):
    """SQLite itself proves the file damaged."""


class Moved(Exception):
    """The file a store holds is no longer the one at its path."""


def retry_while_locked(step, seconds: float | None = None):
    """Run ``step``, retrying for up to the busy timeout while SQLite says the file is locked."""
    deadline = time.monotonic() + (BUSY_MS / 1000 if seconds is None else seconds)
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not is_locked(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005 + random.random() * 0.02)


def error_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    return None if code is None else code & 0xFF


def is_locked(exc: BaseException) -> bool:
    code = error_code(exc)
    if code is not None:
        return code in (5, 6)
    return "locked" in str(exc) or "busy" in str(exc)


def proves_corrupt(exc: BaseException) -> bool:
    code = error_code(exc)
    if code is not None:
        return code in (_CORRUPT, _NOTADB)
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def describe_fault(exc: BaseException, path: Path | None = None) -> str:
    """A learner-readable reason for a SQLite or OS error, with the real cause where it can be found."""
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        return exc.strerror or str(exc)
    code = error_code(exc)
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


def warn(message: str) -> None:
    warnings.warn(message, ProgressWarning, stacklevel=4)

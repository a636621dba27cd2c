"""Writing a file so that a reader never sees half of it, and nothing already there is lost by accident.

:func:`write_atomically` writes under a fresh temporary name in the target's folder, flushes it to
disk, and only then renames it into place: a full disk, a permission problem or a crash leaves any
old file exactly as it was. An existing file is kept unless ``force`` is true.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from pathlib import Path

from tmvlearn.errors import TmvlearnError

__all__ = ["write_atomically", "temporary_sibling", "install"]

_UMASK_LOCK = threading.Lock()


def _new_file_mode() -> int:
    """The permissions a new file gets under the process's umask (mkstemp's 0600 is too narrow)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def temporary_sibling(path: Path, error: type[TmvlearnError] = TmvlearnError) -> Path:
    """A new, empty, uniquely named file beside ``path`` (same folder, so a rename is atomic)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise error(f"cannot write {path}: {_reason(exc)}") from None
    os.close(fd)
    return Path(name)


def install(tmp: Path, path: Path, *, force: bool, error: type[TmvlearnError] = TmvlearnError,
            mode: int | None = None, gid: int = -1) -> Path:
    """Rename the finished file ``tmp`` to ``path``; without ``force``, never replace an existing file.

    The file gets ``mode`` (and the group ``gid``) when given, whatever the umask and whatever an
    older file had; else an existing file's mode, or the umask's. ``tmp`` is removed whatever happens.
    """
    try:
        if mode is None:
            mode = path.stat().st_mode & 0o7777 if force and path.exists() else _new_file_mode()
        if gid != -1:
            os.chown(tmp, -1, gid)
        os.chmod(tmp, mode)
        if force:
            os.replace(tmp, path)
            return path
        try:
            os.link(tmp, path)  # fails if path exists: no window in which another file is replaced
        except FileExistsError:
            raise error(f"{path} already exists and was left as it is; to replace it, use --force "
                        "(force=True)") from None
        except OSError:  # a file system without hard links
            if path.exists():
                raise error(f"{path} already exists and was left as it is; to replace it, use --force "
                            "(force=True)") from None
            os.rename(tmp, path)
        return path
    except OSError as exc:
        raise error(f"cannot write {path}: {_reason(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_atomically(path: str | os.PathLike, data: str | bytes, *, force: bool = False,
                     error: type[TmvlearnError] = TmvlearnError, mode: int | None = None,
                     gid: int = -1) -> Path:
    """Write ``data`` (text is UTF-8) to ``path`` all at once; return ``path``.

    ``mode``: the new file's permissions whatever the umask (e.g. 0o600 for a file only its owner
    may read; it is never readable by others while being written: the temporary file is 0600);
    ``gid``: its group (-1: the default). Without ``mode``: the umask's, or a replaced file's.

    Raises ``error`` with one sentence naming the file: it is a folder, its folder does not exist,
    it exists and ``force`` is false, or the operating system refused (disk full, permission),
    in which case any old file is untouched.
    """
    path = Path(path)
    if path.is_dir():
        raise error(f"cannot write {path}: it is a folder; give a file name inside it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise error(f"cannot write {path}: the folder {folder} does not exist; create it first")
    if path.exists() and not force:
        raise error(f"{path} already exists and was left as it is; to replace it, use --force (force=True)")
    existed = path.exists()
    tmp = temporary_sibling(path, error)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with open(tmp, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        kept = "the existing file is unchanged" if existed else "nothing was written"
        raise error(f"cannot write {path}: {_reason(exc)}; {kept}") from None
    return install(tmp, path, force=force, error=error, mode=mode, gid=gid)

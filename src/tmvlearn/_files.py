"""Files in and out: reading a file someone else may have made, and writing one that no reader sees half of.

Reading (:func:`read_regular`, :func:`load_json`): a file from outside the package (a learner's
progress file, a bank or quiz to import, a lesson copy in a workspace) may be a FIFO, a device, a
link to ``/dev/zero``, huge or nested without end. Only regular files are opened (non-blocking, no
link followed out of a given folder), at most :data:`MAX_FILE_BYTES` are read, and JSON nested
deeper than a bound is refused; every refusal is :class:`Refused`, with the reason in words.

Writing: :func:`write_atomically` writes under a fresh temporary name in the target's folder, flushes it to
disk, and only then renames it into place: a full disk, a permission problem or a crash leaves any
old file exactly as it was. An existing file is kept unless ``force`` is true.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import threading
from pathlib import Path
from typing import Any

from tmvlearn.errors import TmvlearnError

__all__ = ["write_atomically", "temporary_sibling", "install", "Refused", "MAX_FILE_BYTES", "MAX_JSON_DEPTH",
           "check_path", "inside", "read_regular", "json_depth_ok", "load_json", "lone_surrogate"]

#: Largest file read from outside (a progress database, a journal, an export, a notebook, a quiz file).
MAX_FILE_BYTES = 64 * 2**20
#: Deepest JSON nesting read from outside, unless a reader says otherwise.
MAX_JSON_DEPTH = 32


class Refused(Exception):
    """A file that is not read at all; the message says why, in words."""


# --- reading a file from outside -------------------------------------------------------------------


_TYPES = {
    stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder", stat.S_IFLNK: "a symbolic link",
}


def _what(mode: int) -> str:
    return _TYPES.get(stat.S_IFMT(mode), "not a regular file")


def inside(path: Path, root: Path | None) -> bool:
    """Whether ``path`` (links resolved) stays inside ``root`` (links resolved); no root: yes."""
    if root is None:
        return True
    try:
        real, top = os.path.realpath(path), os.path.realpath(root)
    except OSError:
        return False
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def check_path(path: Path, root: Path | None = None) -> Path:
    """The path to open for ``path``: itself, or a link's target when it stays inside ``root`` (no
    root: a file given by name, whose link is followed).

    Raises :class:`Refused` for a link leaving ``root``, a dangling link, or anything that is not
    a regular file (decided without opening it)."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise Refused(f"cannot be read: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        if root is not None and not inside(path, root):  # a link given by name is followed
            raise Refused("a link leading outside the collected folder: not followed")
        target = Path(os.path.realpath(path))
        try:
            st = os.lstat(target)
        except OSError:
            raise Refused("a link to nothing") from None
        path = target
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"not a regular file ({_what(st.st_mode)}): not opened")
    return path


def _open(path: Path) -> tuple[int, os.stat_result]:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Refused(f"cannot be read: {exc.strerror}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise Refused(f"not a regular file ({_what(st.st_mode)}): not opened")
    if st.st_size > MAX_FILE_BYTES:
        os.close(fd)
        raise Refused(f"larger than {MAX_FILE_BYTES // 2**20} MiB ({st.st_size:,} bytes): not read")
    return fd, st


def read_regular(path: Path, root: Path | None = None, limit: int | None = None) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most :data:`MAX_FILE_BYTES` (or ``limit``
    bytes read from its start); never blocks on a FIFO or device, never follows a link out of
    ``root``. Raises :class:`Refused`."""
    fd, _ = _open(check_path(path, root))
    try:
        want = MAX_FILE_BYTES + 1 if limit is None else limit
        chunks, got = [], 0
        while got < want:
            chunk = os.read(fd, min(1 << 20, want - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as exc:
        raise Refused(f"cannot be read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if limit is None and got > MAX_FILE_BYTES:
        raise Refused(f"larger than {MAX_FILE_BYTES // 2**20} MiB: not read")
    return b"".join(chunks)


def json_depth_ok(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``value`` (parsed JSON) nests at most ``limit`` deep (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


def lone_surrogate(value: Any) -> str | None:
    """The first lone surrogate (``\\ud800``...: half of a pair, not text) in parsed JSON, or None."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"\\u{ord(exc.object[exc.start]):04x}"
    return None


def load_json(text: str | bytes, depth: int = MAX_JSON_DEPTH, *, text_only: bool = False) -> Any:
    """Parsed JSON, or :class:`Refused` (not JSON, nested deeper than ``depth``; with ``text_only``,
    a string holding a lone surrogate, which no UTF-8 file can hold)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise Refused(f"JSON nested deeper than {depth} levels: not read") from None
    except ValueError as exc:
        raise Refused(f"not readable JSON ({' '.join(str(exc).split())[:200]})") from None
    if not json_depth_ok(value, depth):
        raise Refused(f"JSON nested deeper than {depth} levels: not read")
    if text_only and (half := lone_surrogate(value)):
        raise Refused(f"a lone surrogate ({half}) in a JSON string, not text: not read")
    return value


# --- writing -------------------------------------------------------------------------------------------

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

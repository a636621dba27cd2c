"""Finding the files of a class's results: which files under the paths given are tmvlearn's, what
each holds (a progress database, a pending journal, an export), and whose it is (the learner's
folder it sits in, or none for a loose file). Used by :mod:`tmvlearn.results.collection`.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tmvlearn import progress
from tmvlearn.results import reader as _reader
from tmvlearn.results.reader import Refused, learner_key

__all__ = ["Problem", "Source", "find_files", "sniff"]

SKIPPED_DIRS = {".ipynb_checkpoints", "__pycache__", ".git", "node_modules"}
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class Problem:
    """A file that could not be read (``status="skipped"``) or was read only in part
    (``"partly read"``: some rows set aside), with the reason in words."""

    path: str
    status: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.status}: {self.reason}"



@dataclass
class Source:
    """One file to read: what it holds, and whose it is."""

    path: Path
    kind: str  # sqlite, journal, csv, json
    searched: bool  # found in a searched folder (not given by name)
    root: Path | None  # the folder it was found in (links may not leave it)
    folder: str | None = None  # the learner's folder it is in (None: a loose file)
    learner: str | None = None  # that folder's learner, as the folder is named

    @property
    def key(self) -> str | None:
        return learner_key(self.learner) if self.learner is not None else None


def _db_part(name: str) -> bool:
    """A SQLite database's own side file (``-wal``, ``-shm``, ``-journal``): read with the database."""
    return name.lower().endswith(("-wal", "-shm", "-journal"))


def _kind(path: Path) -> str | None:
    """What ``path`` holds, from its name: sqlite, journal, csv, json or None."""
    name = path.name.lower()
    if name.endswith(progress.PENDING_SUFFIX) or (name.endswith(".jsonl") and path.parent.name == "pending"):
        return "journal"  # beside the database, or in the user state folder's pending/
    if _db_part(name) or ".tmp" in name:
        return None  # part of a database, or an export being written
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".sqlite3", ".sqlite", ".db")) or ".sqlite3.corrupt-" in name:
        return "sqlite"
    return None


def sniff(path: Path) -> str | None:
    """'sqlite' when the file starts with SQLite's header, else None (never blocks: see the reader)."""
    try:
        return "sqlite" if _reader.read_regular(path, None, limit=16) == SQLITE_MAGIC else None
    except Refused:
        return None


def _home_owner(folder: Path) -> str | None:
    """The learner of ``~/.local/share/tmvlearn`` or ``~/.local/state/tmvlearn``: the home's name."""
    parts = folder.absolute().parts
    if len(parts) >= 4 and parts[-3:] in ((".local", "share", "tmvlearn"), (".local", "state", "tmvlearn")):
        return parts[-4]
    return None


def _is_learner_home(folder: Path) -> bool:
    """A learner's own progress folder (``TMVLEARN_HOME``): it holds their database or journal."""
    if _home_owner(folder) is not None:
        return True
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    return any(
        n == "progress.sqlite3" or n == "progress.sqlite3" + progress.PENDING_SUFFIX
        or n.startswith("progress.sqlite3.corrupt-") for n in names
    )


def _learner_name(folder: Path) -> str:
    return _home_owner(folder) or folder.absolute().name


def find_files(paths, skip: set[str] | None = None) -> tuple[list[Source], list[Problem], list[str]]:
    """The files to read under ``paths`` (with whose they are), the problems met looking, and the
    files left alone.

    A file given by name is read whatever its name (SQLite is recognised by its header); in a
    folder only files named as tmvlearn names them are taken. A database's ``-wal``/``-shm``/
    ``-journal`` files are part of it, never counted as left alone. An empty folder is a problem.
    Folders are searched without following links to folders.
    """
    found: list[Source] = []
    problems: list[Problem] = []
    ignored: list[str] = []
    skip = skip or set()
    for raw in paths:
        path = Path(raw).expanduser()
        if not os.path.lexists(path):
            problems.append(Problem(str(path), "skipped", "no such file or folder"))
            continue
        if not path.is_dir():
            if str(path.resolve()) in skip:
                continue
            kind = _kind(path) or sniff(path)
            if kind is None:
                try:
                    _reader.check_path(path)
                except Refused as exc:
                    problems.append(Problem(str(path), "skipped", str(exc)))
                    continue
                problems.append(
                    Problem(
                        str(path),
                        "skipped",
                        "not a progress database, journal, or .csv/.json progress export",
                    )
                )
            else:
                found.append(Source(path, kind, False, None))
            continue
        home = _is_learner_home(path)
        has_files: dict[str, bool] = {}
        for folder, dirs, files in os.walk(
            path,
            topdown=False,
            onerror=lambda exc: problems.append(
                Problem(str(exc.filename), "skipped", f"folder cannot be read: {exc.strerror}")
            ),
        ):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
            has_files[folder] = bool(files) or any(
                has_files.get(os.path.join(folder, d), False) for d in dirs
            )
            for name in sorted(files):
                file = Path(folder, name)
                kind = _kind(file)
                if kind is None:
                    if not _db_part(name):
                        ignored.append(str(file))
                    continue
                if str(file.resolve()) in skip:
                    continue
                source = Source(file, kind, True, path)
                relative = file.relative_to(path).parts
                if home:
                    source.folder, source.learner = str(path), _learner_name(path)
                elif len(relative) >= 2:
                    source.folder = str(path / relative[0])
                    source.learner = _learner_name(path / relative[0])
                found.append(source)
        empty = [
            f
            for f, full in has_files.items()
            if not full and has_files.get(os.path.dirname(f), True) and f != os.path.dirname(f)
        ]
        if not has_files.get(str(path), True):
            empty = [str(path)]
        for folder in sorted(empty):
            problems.append(
                Problem(
                    folder,
                    "skipped",
                    "empty folder: no progress database or export in it (has this learner started?)",
                )
            )
    found.sort(key=lambda item: str(item.path))
    per_folder: Counter[str] = Counter()
    kept: list[Source] = []
    for source in found:
        if source.folder is not None:
            per_folder[source.folder] += 1
            if per_folder[source.folder] > _reader.MAX_FILES_PER_LEARNER:
                continue
        kept.append(source)
    for folder, n in sorted(per_folder.items()):
        if n > _reader.MAX_FILES_PER_LEARNER:
            most = _reader.MAX_FILES_PER_LEARNER
            problems.append(Problem(folder, "partly read", f"{n} progress files in one learner's folder: "
                                    f"the first {most} read, {n - most} left out"))
    return kept, problems, ignored

"""Copy the shipped lessons into a learner's workspace and start JupyterLab there.

The lessons ship inside the package. ``prepare_workspace`` copies them into a folder the learner
owns and records a fingerprint of each copy in ``.tmvlearn-manifest.json``. A copy whose
fingerprint no longer matches has been edited by the learner and is never overwritten:
``update=True`` refreshes only untouched copies and reports what it skipped.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tmvlearn.errors import TmvlearnError
from tmvlearn.lessons import lesson_paths

DEFAULT_DIR = "tmvlearn-workbook"
MANIFEST = ".tmvlearn-manifest.json"
FIRST_LESSON = "00_start_here.ipynb"


class WorkspaceError(TmvlearnError):
    """The workspace cannot be prepared or JupyterLab cannot start; the message says why and what to do."""


@dataclass
class WorkspaceReport:
    """What ``prepare_workspace`` did to each lesson file."""

    directory: Path
    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{label} {len(names)}" for label, names in (
            ("copied", self.copied), ("updated", self.updated),
            ("up to date", self.unchanged), ("kept (edited by you)", self.kept_edited)) if names]
        lines = [f"Workspace {self.directory}: " + ", ".join(parts or ["nothing to do"]) + "."]
        if self.kept_edited:
            lines.append("Not overwritten because you edited them: " + ", ".join(self.kept_edited)
                         + ". Rename or delete a file to get a fresh copy.")
        return "\n".join(lines)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare_workspace(directory: str | os.PathLike = DEFAULT_DIR, *, update: bool = False) -> WorkspaceReport:
    """Copy the lessons into ``directory`` (created if needed), never overwriting an edited copy.

    Without ``update`` an existing copy is left as it is. With ``update`` a copy the learner has
    not touched is replaced by the shipped version when that differs; edited copies are kept and
    listed in ``kept_edited``.
    """
    target = Path(directory).expanduser().resolve()
    try:
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target, prefix=".tmvlearn-write-test-"):
            pass
    except OSError as exc:
        raise WorkspaceError(
            f"cannot write to {target} ({exc.strerror or exc}); choose a folder you can write to, "
            f"e.g. `tmvlearn lab ~/{DEFAULT_DIR}`"
        ) from None

    manifest_path = target / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}  # missing or damaged: treat every existing file as the learner's own
    report = WorkspaceReport(target)
    for lesson in lesson_paths():
        dest = target / lesson.name
        shipped = _digest(lesson)
        if not dest.exists():
            shutil.copyfile(lesson, dest)
            manifest[lesson.name] = shipped
            report.copied.append(lesson.name)
            continue
        current = _digest(dest)
        if current != manifest.get(lesson.name):
            report.kept_edited.append(lesson.name)
        elif not update or current == shipped:
            report.unchanged.append(lesson.name)
        else:
            shutil.copyfile(lesson, dest)
            manifest[lesson.name] = shipped
            report.updated.append(lesson.name)
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(manifest_path)
    return report


def _requested_port(options: list[str]) -> int | None:
    for i, opt in enumerate(options):
        for prefix in ("--port", "--ServerApp.port"):
            if opt.startswith(prefix + "="):
                return int(opt.split("=", 1)[1])
            if opt == prefix and i + 1 < len(options):
                return int(options[i + 1])
    return None


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def lab_command(directory: Path, options: list[str]) -> list[str]:
    """The JupyterLab command line that ``launch`` runs (checked, not started)."""
    if importlib.util.find_spec("jupyterlab") is None:
        raise WorkspaceError(
            f"JupyterLab is not installed in this environment ({sys.executable}); "
            "install it with `pip install jupyterlab` (or reinstall tmvlearn)"
        )
    try:
        port = _requested_port(options)
    except ValueError:
        raise WorkspaceError("--port needs a whole number, e.g. --port 8890") from None
    if port is not None and _port_in_use(port):
        raise WorkspaceError(f"port {port} is already in use; choose another with --port, or leave "
                             "it out to let JupyterLab pick a free one")
    opens = [] if any(not o.startswith("-") for o in options) else (
        [FIRST_LESSON] if (directory / FIRST_LESSON).exists() else [])
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={directory}", *options, *opens]


def launch(directory: str | os.PathLike = DEFAULT_DIR, options: list[str] | None = None, *,
           update: bool = False) -> int:
    """Prepare the workspace, print what was done, and run JupyterLab in it until it stops."""
    report = prepare_workspace(directory, update=update)
    print(report.summary(), flush=True)
    command = lab_command(report.directory, list(options or []))
    return subprocess.call(command, cwd=report.directory)

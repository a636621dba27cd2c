"""Copy the shipped lessons into a learner's workspace and start JupyterLab there, offline.

The lessons ship inside the package. ``prepare_workspace`` copies an edition of them into a folder
the learner owns: the **student** edition (the default) leaves out the cells tagged ``instructor``
and the stored outputs of the cells tagged ``solution`` (the collapsed solution code stays, so a
learner who is stuck can open it and run it); the **instructor** edition is the lessons as shipped.

``.tmvlearn-manifest.json`` records a fingerprint of each copy: a hash of its cells' types and
sources, nothing else. Opening a lesson in JupyterLab rewrites metadata (the kernel's display name,
language versions), and running it fills in outputs; neither is an edit. A copy whose sources
differ from the recorded fingerprint is the learner's and is never overwritten; ``update=True``
refreshes only untouched copies. A missing or damaged record is rebuilt from the files themselves:
a copy whose sources match an installed edition is recognised as untouched; any other is kept and
reported as not recognised (not as "edited by you": tmvlearn cannot know who changed it).

``launch`` starts JupyterLab with no outbound requests: the extension manager is read-only (no
PyPI), the news feed and the update check are off on the server, and the front end's announcements
plugin (which would ask each learner about fetching news) is disabled through a page config that
tmvlearn puts on JupyterLab's config path for that run only.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from tmvlearn._files import Refused, load_json, read_regular
from tmvlearn.errors import TmvlearnError
from tmvlearn.lessons import lesson_paths

DEFAULT_DIR = "tmvlearn-workbook"
MANIFEST = ".tmvlearn-manifest.json"
MANIFEST_FORMAT = 2
FIRST_LESSON = "00_start_here.ipynb"
EDITIONS = ("student", "instructor")
STUDENT_DROPPED = "instructor"  # cells with this tag are left out of the student edition
INSTRUCTOR_NOTEBOOK = "instructor/class_results.ipynb"  # the instructor edition gets it too (kept once there)
STUDENT_NO_OUTPUTS = "solution"  # cells with this tag keep their code but lose their outputs
#: JupyterLab options that keep it from reaching the network: no PyPI extension manager, no news
#: feed, no update check (the announcements the front end would otherwise ask the server for).
OFFLINE_OPTIONS = (
    "--LabApp.extension_manager=readonly",
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
)
#: Front-end plugins turned off through a page config on JupyterLab's config path: the announcements
#: plugin, which would ask every learner whether to fetch news from the internet and check for updates.
DISABLED_PLUGINS = ("@jupyterlab/apputils-extension:announcements",)
LAB_STATE_DIR = ".tmvlearn-lab"  # this workspace's own JupyterLab state (open tabs, layout); hidden
#: Deepest JSON nesting read from a lesson copy (the shipped lessons nest 7 deep); deeper is not a lesson.
MAX_NOTEBOOK_DEPTH = 100
STOP_TIMEOUT_S = 20  # how long JupyterLab gets to shut its kernels down before it is killed


class WorkspaceError(TmvlearnError):
    """The workspace cannot be prepared or JupyterLab cannot start; the message says why and what to do."""


@dataclass
class WorkspaceReport:
    """What ``prepare_workspace`` did to each lesson file."""

    directory: Path
    edition: str = "student"
    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)
    newer_available: list[str] = field(default_factory=list)  # untouched, older than installed
    other_edition: list[str] = field(default_factory=list)  # untouched copies of the other edition
    unrecognised: list[str] = field(default_factory=list)  # the record was lost; content differs
    not_read: dict[str, str] = field(default_factory=dict)  # kept unread (a FIFO, too deep...): why
    rebuilt_record: bool = False

    def summary(self) -> str:
        parts = [f"{label} {len(names)}" for label, names in (
            ("copied", self.copied), ("updated", self.updated), ("up to date", self.unchanged),
            ("newer version installed", self.newer_available),
            (f"{_other(self.edition)} edition", self.other_edition),
            ("kept (edited by you)", self.kept_edited),
            ("kept (not recognised)", self.unrecognised)) if names]
        lines = [f"Workspace {self.directory} ({self.edition} edition): "
                 + ", ".join(parts or ["nothing to do"]) + "."]
        if self.rebuilt_record:
            lines.append(f"The workspace record ({MANIFEST}) was missing or damaged; it was rebuilt from the "
                         "lessons' contents.")
        flag = " --instructor" if self.edition == "instructor" else ""
        if self.newer_available:
            lines.append("A newer version is installed of: " + ", ".join(self.newer_available)
                         + f". Run `tmvlearn lab{flag} --update` to refresh them (lessons you edited are "
                         "kept).")
        if self.other_edition:
            lines.append(f"These are copies of the {_other(self.edition)} edition: "
                         + ", ".join(self.other_edition) + f". Run `tmvlearn lab{flag} --update` to switch "
                         f"the ones you have not edited to the {self.edition} edition.")
        if self.kept_edited:
            lines.append("Not overwritten because you edited them: " + ", ".join(self.kept_edited)
                         + ". Rename or delete a file to get a fresh copy.")
        if self.not_read:
            lines.append("Kept as they are, not read: " + "; ".join(
                f"{name}: {why}" for name, why in self.not_read.items())
                + ". Rename or delete a file to get a fresh copy.")
        if self.unrecognised:
            lines.append("Kept as they are, since they differ from the installed lessons and there was no "
                         "record of the copies: " + ", ".join(self.unrecognised)
                         + ". Rename or delete a file to get a fresh copy.")
        return "\n".join(lines)


def _other(edition: str) -> str:
    return "instructor" if edition == "student" else "student"


# --- editions and fingerprints ------------------------------------------------------------------

def _read_notebook(path: Path, why: dict[str, str] | None = None) -> dict:
    """The notebook at ``path`` as JSON; ``{}`` (matching no fingerprint, so the file is kept) when it
    is not a notebook: not JSON, nested deeper than :data:`MAX_NOTEBOOK_DEPTH`, or not a regular file
    (a FIFO, a device, a link to one: never opened, so nothing blocks), the reason in ``why[name]``.
    :class:`WorkspaceError` when the file cannot be read at all (a folder, no permission)."""
    if path.is_dir():
        raise WorkspaceError(f"{path} is a folder, not a lesson notebook; rename or remove it, then run "
                             "`tmvlearn lab` again to get a fresh copy")
    try:
        notebook = load_json(read_regular(path), MAX_NOTEBOOK_DEPTH)
    except Refused as exc:
        reason = str(exc)
        if reason.startswith("cannot be read"):
            raise WorkspaceError(f"cannot read {path} ({reason.partition(': ')[2]}); fix its permissions "
                                 "(e.g. `chmod u+rw` on it) or move it out of the workspace") from None
        if why is not None:
            why[path.name] = reason
        return {}  # not a notebook (any more): its fingerprint matches nothing, so it is kept
    return notebook if isinstance(notebook, dict) else {}


def _cells(notebook: dict) -> list[dict]:
    cells = notebook.get("cells")
    return [cell for cell in cells if isinstance(cell, dict)] if isinstance(cells, list) else []


def edition_of(notebook: dict, edition: str) -> dict:
    """``notebook`` (JSON) as the ``edition`` gives it to a learner; the input is not changed."""
    if edition not in EDITIONS:
        raise WorkspaceError(f"unknown edition {edition!r}; choose one of: {', '.join(EDITIONS)}")
    if edition == "instructor":
        return notebook
    out = dict(notebook)
    cells = []
    for cell in notebook.get("cells", []):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if STUDENT_DROPPED in tags:
            continue
        if STUDENT_NO_OUTPUTS in tags and cell.get("cell_type") == "code":
            cell = {**cell, "outputs": [], "execution_count": None}
        cells.append(cell)
    out["cells"] = cells
    return out


def fingerprint(notebook: dict) -> str:
    """A hash of the notebook's cell types and sources: what a learner edits (not metadata or outputs)."""
    def source(cell) -> str:
        text = cell.get("source", "")
        return text if isinstance(text, str) else "".join(map(str, text)) if isinstance(text, list) else ""

    cells = [[str(c.get("cell_type", "")), source(c)] for c in _cells(notebook)]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8")).hexdigest()


def _notebook_text(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"  # as nbformat writes it


def _edition_text(lesson: Path, wanted: dict, edition: str) -> str:
    """The file text of ``edition``: the shipped file as it is for the instructor edition."""
    return _notebook_text(wanted) if edition == "student" else lesson.read_text(encoding="utf-8")


def _write(path: Path, text: str) -> None:
    try:
        tmp = path.with_name(f".{path.name}.tmvlearn-tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise WorkspaceError(f"cannot write {path} ({exc.strerror or exc}); check the folder's permissions "
                             "and free space") from None


def _load_manifest(path: Path) -> tuple[dict | None, str | None]:
    """(the recorded fingerprints by lesson, the recorded edition); (None, None) when missing or damaged."""
    if path.is_dir():
        raise WorkspaceError(f"the workspace record {path} is a folder; rename or remove it (tmvlearn "
                             "rebuilds the record from the lessons)")
    if not path.exists() and not path.is_symlink():
        return None, None
    try:
        data = load_json(read_regular(path))
    except Refused as exc:  # not JSON, too deep, a FIFO or a device: rebuilt from the lessons
        reason = str(exc)
        if reason.startswith("cannot be read") and path.exists():
            raise WorkspaceError(f"cannot read the workspace record {path} ({reason.partition(': ')[2]}); "
                                 "fix its permissions or remove it (tmvlearn rebuilds it)") from None
        return None, None
    if (isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT
            and isinstance(data.get("lessons"), dict)
            and all(isinstance(v, str) for v in data["lessons"].values())):
        return dict(data["lessons"]), data.get("edition")
    return None, None  # an older format or a damaged file: rebuilt from content


def prepare_workspace(directory: str | os.PathLike = DEFAULT_DIR, *, update: bool = False,
                      edition: str = "student") -> WorkspaceReport:
    """Copy the ``edition`` of the lessons into ``directory`` (created if needed), never overwriting an edit.

    Without ``update`` an existing copy is left as it is (and reported when a newer version is
    installed). With ``update`` a copy whose sources the learner has not touched is replaced by the
    installed version when that differs; edited copies are kept and listed in ``kept_edited``.
    """
    if edition not in EDITIONS:
        raise WorkspaceError(f"unknown edition {edition!r}; choose one of: {', '.join(EDITIONS)}")
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
    recorded, _ = _load_manifest(manifest_path)
    report = WorkspaceReport(target, edition=edition)
    rebuilt = recorded is None and any((target / p.name).exists() for p in lesson_paths())
    report.rebuilt_record = rebuilt
    recorded = recorded or {}
    manifest: dict[str, str] = {}
    for lesson in lesson_paths():
        dest = target / lesson.name
        shipped = _read_notebook(lesson)
        wanted = edition_of(shipped, edition)
        wanted_print = fingerprint(wanted)
        if not dest.exists() and not dest.is_symlink():
            _write(dest, _edition_text(lesson, wanted, edition))
            manifest[lesson.name] = wanted_print
            report.copied.append(lesson.name)
            continue
        current = fingerprint(_read_notebook(dest, report.not_read))
        if lesson.name in recorded:
            untouched = current == recorded[lesson.name]
        else:  # no record of this copy: untouched only if it is an installed edition as it is
            untouched = current in {fingerprint(edition_of(shipped, e)) for e in EDITIONS}
        if not untouched:
            if lesson.name not in report.not_read:
                kept = report.unrecognised if lesson.name not in recorded else report.kept_edited
                kept.append(lesson.name)
            if lesson.name in recorded:
                manifest[lesson.name] = recorded[lesson.name]
            continue
        if current == wanted_print:
            report.unchanged.append(lesson.name)
            manifest[lesson.name] = current
        elif update:
            _write(dest, _edition_text(lesson, wanted, edition))
            manifest[lesson.name] = wanted_print
            report.updated.append(lesson.name)
        elif current == fingerprint(edition_of(shipped, _other(edition))):
            report.other_edition.append(lesson.name)
            manifest[lesson.name] = current
        else:
            report.newer_available.append(lesson.name)
            manifest[lesson.name] = current
    if edition == "instructor":  # the class-results notebook, in its own folder; a copy there is kept
        from tmvlearn._resources import notebooks_dir

        source = notebooks_dir() / INSTRUCTOR_NOTEBOOK
        dest = target / INSTRUCTOR_NOTEBOOK
        if source.is_file() and not dest.exists() and not dest.is_symlink():
            dest.parent.mkdir(exist_ok=True)
            _write(dest, source.read_text(encoding="utf-8"))
            report.copied.append(INSTRUCTOR_NOTEBOOK)
    _write(manifest_path, json.dumps({"format": MANIFEST_FORMAT, "edition": edition, "lessons": manifest},
                                     indent=1, sort_keys=True) + "\n")
    return report


# --- launching JupyterLab -------------------------------------------------------------------------

def _requested_port(options: list[str]) -> int | None:
    for i, opt in enumerate(options):
        for prefix in ("--port", "--ServerApp.port"):
            value = None
            if opt.startswith(prefix + "="):
                value = opt.split("=", 1)[1]
            elif opt == prefix and i + 1 < len(options):
                value = options[i + 1]
            if value is not None:
                try:
                    port = int(value)
                except ValueError:
                    raise WorkspaceError(f"{prefix} needs a whole number from 1 to 65535, e.g. {prefix}=8890 "
                                         f"(got {value!r})") from None
                check_port(port)
                return port
    return None


def check_port(port: int) -> int:
    """``port`` if a server can listen on it (1-65535), else :class:`WorkspaceError`."""
    if not 1 <= port <= 65535:
        raise WorkspaceError(f"--port must be a whole number from 1 to 65535 (got {port}); leave it out to "
                             "let JupyterLab pick a free one")
    return port


def _port_in_use(port: int) -> bool:
    """Whether JupyterLab could not listen on ``port``. It binds with SO_REUSEADDR (tornado's
    ``bind_sockets``), so a port held only by TIME-WAIT connections of a lab that just stopped is free."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def in_container() -> bool:
    """Whether this process runs in a container (Docker, Podman, Kubernetes, LXC...)."""
    marker = os.environ.get("container")  # noqa: SIM112 - the name systemd and Podman set
    if marker or Path("/.dockerenv").exists() or Path("/run/.containerenv").exists():
        return True
    try:
        cgroup = Path("/proc/1/cgroup").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(word in cgroup for word in ("docker", "kubepods", "containerd", "lxc", "libpod"))


def _allows_root(options: list[str]) -> bool:
    return any(o in ("--allow-root", "--ServerApp.allow_root=True", "--NotebookApp.allow_root=True")
               for o in options)


def lab_command(directory: Path, options: list[str], *, allow_root: bool | None = None) -> list[str]:
    """The JupyterLab command line that ``launch`` runs (checked, not started).

    Raises :class:`WorkspaceError` for a bad port, a port in use, a lesson to open that is not in
    the workspace, or root without ``--allow-root`` outside a container (inside one, where root is
    the norm, ``--allow-root`` is added).
    """
    if importlib.util.find_spec("jupyterlab") is None:
        raise WorkspaceError(
            f"JupyterLab is not installed in this environment ({sys.executable}); "
            "install it with `pip install jupyterlab` (or reinstall tmvlearn)"
        )
    port = _requested_port(options)
    if port is not None and _port_in_use(port):
        raise WorkspaceError(f"port {port} is already in use; choose another with --port, or leave "
                             "it out to let JupyterLab pick a free one")
    options = list(options)
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if is_root and not _allows_root(options):
        if allow_root or (allow_root is None and in_container()):
            options.append("--allow-root")
        else:
            raise WorkspaceError("JupyterLab will not run as root; run `tmvlearn lab` as a normal user, "
                                 "or add --allow-root if you really mean to run it as root")
    to_open = [o for o in options if not o.startswith("-") and not _is_option_value(options, o)]
    for name in to_open:
        path = (directory / name)
        if not path.exists():
            lessons = ", ".join(p.name for p in sorted(directory.glob("[0-9][0-9]_*.ipynb")))
            raise WorkspaceError(f"there is no {name} in {directory} to open; the lessons there are: "
                                 f"{lessons}")
    opens = [] if to_open else ([FIRST_LESSON] if (directory / FIRST_LESSON).exists() else [])
    own = [*_workspace_state_options(directory, options), *_start_page_options(to_open or opens, options)]
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={directory}", *OFFLINE_OPTIONS,
            *own, *options, *opens]


def _given(options: list[str], *names: str) -> bool:
    return any(o == n or o.startswith(n + "=") for o in options for n in names)


def _workspace_state_options(directory: Path, options: list[str]) -> list[str]:
    """JupyterLab keeps its open tabs and layout (its "workspace") in one file per user by default, so
    two ``tmvlearn lab`` folders would restore each other's tabs and kernels; each folder gets its own.
    An explicit ``--LabApp.workspaces_dir`` or ``$JUPYTERLAB_WORKSPACES_DIR`` is left to win."""
    if _given(options, "--LabApp.workspaces_dir") or os.environ.get("JUPYTERLAB_WORKSPACES_DIR"):
        return []
    return [f"--LabApp.workspaces_dir={directory / LAB_STATE_DIR}"]


def _start_page_options(to_open: list[str], options: list[str]) -> list[str]:
    """The page JupyterLab opens (and prints, with ``--no-browser``): the lesson to open, not the Launcher."""
    if not to_open or _given(options, "--LabApp.default_url", "--ServerApp.default_url"):
        return []
    return [f"--LabApp.default_url=/lab/tree/{urllib.parse.quote(Path(to_open[0]).as_posix())}"]


def _is_option_value(options: list[str], item: str) -> bool:
    """Whether ``item`` is the value of the option before it (``--port 8890``), not a file to open."""
    i = options.index(item)
    return i > 0 and options[i - 1] in ("--port", "--ServerApp.port") and "=" not in options[i - 1]


def terminal_shell(env: dict | None = None) -> list[str]:
    """The shell a JupyterLab terminal runs: the learner's own, interactive but not a login shell.

    Started without a terminal, jupyter_server_terminals adds ``-l``, and a login shell's
    ``/etc/profile`` resets ``PATH``: the terminal could not find ``tmvlearn`` or this environment's
    ``python``. A non-login shell keeps the lab's ``PATH`` (and still reads ``~/.bashrc``)."""
    env = os.environ if env is None else env
    return [env.get("SHELL") or shutil.which("sh") or "/bin/sh"]


def kernel_encryption_available() -> bool:
    """Whether the kernels JupyterLab starts can have their channels encrypted with CurveZMQ: a
    jupyter_client with ``KernelManager.transport_encryption`` (8.9 and later) and a libzmq with curve.

    A kernel's channels are TCP ports on 127.0.0.1, open to every user of the machine (a one-server
    class hub): without encryption anyone there can subscribe to a learner's outputs, and ipykernel
    7.3 and later warns of it at every kernel start. With ``transport_encryption = "auto"`` each kernel
    whose kernel spec says it supports curve (ipykernel's does) gets a key pair in its private
    connection file; other kernels start as before. (Read from the installed version, not by importing
    jupyter_server: that takes a second.)"""
    from importlib.metadata import PackageNotFoundError, version

    try:
        import zmq

        release = tuple(int(part) for part in re.findall(r"\d+", version("jupyter_client"))[:2])
    except (ImportError, PackageNotFoundError):
        return False
    return bool(zmq.has("curve")) and release >= (8, 9)


def lab_config_dir(folder: Path) -> Path:
    """Write tmvlearn's JupyterLab configuration under ``folder``; return it.

    A page config turns :data:`DISABLED_PLUGINS` off; a server config starts terminals with
    :func:`terminal_shell`, saves lessons with their static views
    (:func:`tmvlearn.lessons.keep_static_views`), so that a reopened lesson reads without a kernel, and,
    where this JupyterLab can (:func:`kernel_encryption_available`), encrypts what passes between it
    and its kernels.
    The folder goes on ``JUPYTER_CONFIG_PATH``, after the learner's own configuration (which wins
    where both set something): nothing of theirs is changed, and a plain ``jupyter lab`` is not affected.
    """
    labconfig = folder / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {p: True for p in DISABLED_PLUGINS}}, indent=1), encoding="utf-8")
    server = {"ServerApp": {"terminado_settings": {"shell_command": terminal_shell()}},
              "ContentsManager": {"pre_save_hook": "tmvlearn.lessons.keep_static_views"}}
    if kernel_encryption_available():
        server["KernelManager"] = {"transport_encryption": "auto"}
    (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=1), encoding="utf-8")
    return folder


def lab_environment(config_dir: Path, base: dict | None = None) -> dict:
    """The environment JupyterLab runs in: ``config_dir`` first on ``JUPYTER_CONFIG_PATH``, and this
    Python's ``bin`` folder first on ``PATH``, so that a terminal or a ``!tmvlearn`` cell finds the
    ``tmvlearn`` that started the lab even when its virtual environment was not activated."""
    env = dict(os.environ if base is None else base)
    paths = (str(config_dir), env.get("JUPYTER_CONFIG_PATH"))
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(p for p in paths if p)
    scripts = str(Path(sys.executable).parent)
    path = env.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        env["PATH"] = os.pathsep.join(p for p in (scripts, path) if p)
    return env


def run_lab(command: list[str], cwd: Path, env: dict | None = None) -> int:
    """Run JupyterLab until it stops; SIGINT, SIGTERM or SIGHUP to this process stop it and its kernels.

    JupyterLab runs in its own session, so a Ctrl-C in the terminal reaches only tmvlearn (and not
    JupyterLab's "Shutdown this Jupyter server (y/[n])?" prompt): tmvlearn then asks JupyterLab to
    stop with SIGTERM, on which it shuts its kernels down and exits; one that has not stopped after
    :data:`STOP_TIMEOUT_S` seconds is killed. The exit code is JupyterLab's, or 128 + the signal.
    """
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    received: list[int] = []

    def forward(signum, _frame):
        if not received:
            received.append(signum)
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)

    # SIGHUP too: JupyterLab in its own session would outlive a closed terminal
    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        while True:
            try:
                code = process.wait(timeout=STOP_TIMEOUT_S if received else None)
                break
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 + received[0] if received else code


def launch(directory: str | os.PathLike = DEFAULT_DIR, options: list[str] | None = None, *,
           update: bool = False, edition: str = "student", allow_root: bool | None = None) -> int:
    """Prepare the workspace, print what was done, and run JupyterLab in it until it stops."""
    options = list(options or [])
    _requested_port(options)  # a bad port is refused before anything is copied
    report = prepare_workspace(directory, update=update, edition=edition)
    print(report.summary(), flush=True)
    command = lab_command(report.directory, options, allow_root=allow_root)
    if "--allow-root" in command and not _allows_root(options):
        print("Running as root inside a container: JupyterLab is started with --allow-root.", flush=True)
    with tempfile.TemporaryDirectory(prefix="tmvlearn-lab-config-") as folder:
        return run_lab(command, report.directory, env=lab_environment(lab_config_dir(Path(folder))))


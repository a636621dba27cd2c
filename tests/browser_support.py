"""The real-browser tests' one set-up: JupyterLab, Chromium, and what a page may load and say.

Every browser test (``test_browser*.py``, ``test_hub_e2e.py``, ``test_results_report.py``) uses this
module and the fixtures built on it in ``tests/conftest.py``:

- :func:`running_lab`: ``tmvlearn lab --no-browser`` on 127.0.0.1, a free port and a token, with its
  own Jupyter config, data, runtime, settings and workspaces folders under a temporary folder
  (``--allow-root`` as root); ready when ``/api/status`` answers; stopped by signalling its process
  group (the server and its kernels). tmvlearn's own offline options (news off, the extension
  manager read-only) are what it runs with: nothing here turns them on.
- :func:`launched_browser`: Debian's Chromium through Playwright's ``executable_path``, headless.
- :func:`new_page`: a fresh context and page; every request that leaves the machine is blocked and
  recorded (``page.outside_requests``), and so is every console error (``page.console_errors``) and
  uncaught page error (``page.page_errors``); :func:`assert_clean` fails on the first two.
- :func:`menu`, :func:`wait_idle`, :func:`open_notebook`, :func:`run_all`, :func:`screenshot`:
  driving JupyterLab as a learner would, and keeping what it showed in ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("TMVLEARN_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
TMVLEARN = shutil.which("tmvlearn", path=str(Path(sys.executable).parent))
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync", "--disable-quic")
LOOPBACK = ("127.0.0.1", "localhost")
LOCAL_SCHEMES = ("data", "blob", "file")
# every cell rendered (no windowing), so that selectors see the whole lesson
NO_WINDOWING = {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"}}
PROMPTS = "[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
IDLE = re.compile(r"\|\s*Idle")


def require_browser(*, lab: bool = True):
    """Playwright's sync API, or skip the module (fail it in CI) when Chromium, or for a JupyterLab
    test the installed ``tmvlearn`` command, is missing. Call at module level."""
    if not CHROMIUM or (lab and not TMVLEARN):
        reason = ("the browser test needs Chromium (apt-get install chromium)"
                  + (" and the tmvlearn command in this environment" if lab else ""))
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason.replace("the browser test needs", "needs"), allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")


def artifacts(folder: str) -> Path:
    """``test-artifacts/<folder>/`` (or under ``$TMVLEARN_ARTIFACTS``), made if missing."""
    path = ARTIFACTS / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def screenshot(target, folder: str, name: str, **options) -> Path:
    """A screenshot of a page or a locator into ``test-artifacts/<folder>/<name>.png``."""
    path = artifacts(folder) / f"{name}.png"
    target.screenshot(path=path, **options)
    return path


def free_ports(n: int = 1) -> list[int]:
    """``n`` distinct free TCP ports on loopback."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


# --- JupyterLab -----------------------------------------------------------------------------------

@dataclass
class Lab:
    """A running ``tmvlearn lab``: where it listens, its token, its folders and its log."""

    base: str
    token: str
    root: Path
    workbook: Path
    progress: Path
    log: Path
    started: float  # time.perf_counter() when the command was started
    ready_s: float = 0.0
    kernels: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        """End every kernel's session through the REST API, as closing its tab would."""
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def add_kernel(self, name: str, env: dict[str, str]) -> str:
        """A Python kernel spec ``name`` in this server's data folder whose kernels run with ``env``
        (e.g. another learner's TMVLEARN_LEARNER and TMVLEARN_HOME); a notebook whose metadata
        names it opens with it."""
        spec = self.root / "data" / "kernels" / name
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": f"Python 3 ({name})", "language": "python", "env": env,
            "metadata": {"debugger": True}}), encoding="utf-8")
        self.kernels.append(name)
        return name

    def lesson_as(self, lesson: str, learner: str, progress: Path) -> str:
        """A copy of the workbook's ``lesson`` in a folder of its own (named after ``learner``) whose
        kernel runs as ``learner`` with the progress store in ``progress``: a learner of their own
        beside the session's. Returns its path for :func:`open_notebook`."""
        kernel = self.add_kernel(f"tmvlearn-{learner}", {"TMVLEARN_LEARNER": learner,
                                                         "TMVLEARN_HOME": str(progress)})
        nb = json.loads((self.workbook / lesson).read_text(encoding="utf-8"))
        nb["metadata"]["kernelspec"] = {"name": kernel, "display_name": f"Python 3 ({kernel})",
                                        "language": "python"}
        folder = self.workbook / learner
        folder.mkdir()
        (folder / lesson).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return f"{folder.name}/{lesson}"


def write_settings(folder: Path, settings: dict[str, dict]) -> None:
    """JupyterLab user settings, one ``<plugin>.jupyterlab-settings`` file per plugin."""
    for plugin, values in settings.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


@contextlib.contextmanager
def running_lab(root: Path, *, env: dict[str, str] | None = None, settings: dict[str, dict] = NO_WINDOWING,
                args: tuple[str, ...] = (), timeout: float = 60):
    """``tmvlearn lab --no-browser <root>/workbook``, ready; stopped (its process group) at the end.

    Its Jupyter folders are under ``root``, its progress store is ``<root>/progress`` and its learner
    ``browser-test`` unless ``env`` says otherwise."""
    root.mkdir(parents=True, exist_ok=True)
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_DATA_DIR": str(root / "data"),
           "JUPYTER_RUNTIME_DIR": str(root / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           "TMVLEARN_HOME": str(root / "progress"), "TMVLEARN_LEARNER": "browser-test", **(env or {})}
    write_settings(root / "settings", settings)
    (port,), token = free_ports(1), secrets.token_hex(16)
    command = [TMVLEARN, "lab", str(root / "workbook"), "--no-browser", "--port", str(port),
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = root / "server.log"
    lab = Lab(base=f"http://127.0.0.1:{port}", token=token, root=root, workbook=root / "workbook",
              progress=Path(env["TMVLEARN_HOME"]), log=log_path, started=time.perf_counter())
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{lab.base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + log_path.read_text()) from None
                time.sleep(0.2)
        lab.ready_s = time.perf_counter() - lab.started
        yield lab
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)  # the whole group: the server and its kernels
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- Chromium -------------------------------------------------------------------------------------

@contextlib.contextmanager
def launched_browser():
    """Headless Chromium (Debian's, no browser download) through Playwright; closed at the end."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def new_page(browser, *, width: int = 1280, height: int = 1400, hosts: tuple[str, ...] = LOOPBACK,
             schemes: tuple[str, ...] = LOCAL_SCHEMES, timeout: int = 30_000, **context_options):
    """A page in a fresh context. Requests to ``hosts`` or of ``schemes`` go through; any other is
    blocked and kept in ``page.outside_requests``. Console errors are kept in ``page.console_errors``
    and uncaught page errors in ``page.page_errors``."""
    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    try:
        page = context.new_page()
        page.set_default_timeout(timeout)
        page.outside_requests, page.console_errors, page.page_errors = [], [], []

        def route(route):
            url = urlparse(route.request.url)
            if url.scheme in schemes or url.hostname in hosts:
                route.continue_()
            else:
                page.outside_requests.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: page.page_errors.append(str(exc)))
        yield page
    finally:
        context.close()


def assert_clean(page, what: str = "") -> None:
    """Nothing left the machine and the console showed no error."""
    where = f"{what}: " if what else ""
    assert not page.outside_requests, f"{where}requests left the machine: {page.outside_requests[:5]}"
    assert not page.console_errors, f"{where}console errors: {page.console_errors[:5]}"


# --- driving JupyterLab ---------------------------------------------------------------------------

def menu(page, name: str, item: str) -> None:
    """Choose ``item`` from the menu bar's ``name`` menu."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{name}$")).click()
    page.get_by_role("menuitem", name=re.compile(f"^{re.escape(item)}")).first.click()


def wait_idle(page, timeout: int = 60_000) -> None:
    """Until the status bar says the kernel is idle."""
    page.get_by_text(IDLE).first.wait_for(timeout=timeout)


def open_notebook(page, lab: Lab, path: str) -> None:
    """Open one notebook alone (``reset``: no tabs restored), the previous ones' kernels shut down,
    and wait for its first cell and an idle kernel."""
    lab.shut_down_kernels()
    page.goto(lab.url(f"lab/tree/{path}?reset"))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    wait_idle(page)


def run_all(page, timeout: int = 180_000, idle_timeout: int = 60_000) -> None:
    """Clear the stored outputs (so a finished run is visible), run every cell, and wait until every
    visible prompt has its number and the kernel is idle."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"{PROMPTS}.every(e => !/\\d/.test(e.textContent))")
    # Collapsed (solution) cells show no prompt; every visible prompt must get its number.
    visible = page.evaluate(f"{PROMPTS}.filter(e => e.textContent.trim()).length")
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(f"n => {PROMPTS}.filter(e => /\\[\\d+\\]/.test(e.textContent)).length === n",
                           arg=visible, timeout=timeout)
    wait_idle(page, idle_timeout)


def restart_kernel(page) -> None:
    menu(page, "Kernel", "Restart Kernel")
    page.locator(".jp-Dialog .jp-mod-accept").click()  # "Restart"
    wait_idle(page)


def assert_no_error_outputs(page, name: str) -> None:
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, f"{name}: error output: {errors.first.inner_text()[:500]}"


def cells(page) -> int:
    return page.locator(".jp-Notebook .jp-Cell").count()

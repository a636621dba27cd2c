"""What a learner sees in JupyterLab: every explorer, sharp and readable; sliders that reach the
values a lesson names; no news pop-up; and a lesson opened, run and autosaved still counts as
untouched, so `tmvlearn lab --update` refreshes it.

`tmvlearn lab` starts JupyterLab (its own offline settings: nothing here turns the news off), and
Playwright drives Debian's Chromium. Screenshots of each explorer go to
``test-artifacts/browser-lessons/`` (look at them). Any request that leaves the machine fails.
"""

from __future__ import annotations

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
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tmvlearn import workspace

pytestmark = [pytest.mark.browser, pytest.mark.notebooks, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("TMVLEARN_ARTIFACTS", ROOT / "test-artifacts")) / "browser-lessons"
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
TMVLEARN = shutil.which("tmvlearn", path=str(Path(sys.executable).parent))
# lessons with explorers, and how many each shows
EXPLORER_LESSONS = {"00_start_here": 1, "01_biogenesis": 2, "02_ev_types_isolation": 2,
                    "03_cargo_biomarkers": 1, "04_tumor_microenvironment": 1, "05_immune_interactions": 2,
                    "06_clinical_uses": 1}
OLDER = "older wording, as an earlier tmvlearn shipped it"

if not CHROMIUM or not TMVLEARN:
    if os.environ.get("CI"):
        pytest.fail("the browser test needs Chromium (apt-get install chromium) and the tmvlearn "
                    "command in this environment", pytrace=False)
    pytest.skip("needs Chromium and an installed tmvlearn command", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _make_older_copy(ws: Path, name: str) -> None:
    """Make ``name`` in the workspace look like an untouched copy of an older release."""
    path = ws / name
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = nb["cells"][0]
    first["source"] = "".join(first["source"]) + f"\n\n({OLDER})"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    record = ws / workspace.MANIFEST
    manifest = json.loads(record.read_text(encoding="utf-8"))
    manifest["lessons"][name] = workspace.fingerprint(nb)
    record.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-lessons")
    ws = root / "workbook"
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           "TMVLEARN_HOME": str(root / "progress"), "TMVLEARN_LEARNER": "browser-test"}
    # only windowing off (so selectors see every cell); the news and update checks are tmvlearn's to turn off
    tracker = root / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}), encoding="utf-8")
    workspace.prepare_workspace(ws)
    _make_older_copy(ws, "01_biogenesis.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    command = [TMVLEARN, "lab", str(ws), "--no-browser", "--port", str(port), "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={token}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    with open(root / "server.log", "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log = (root / "server.log").read_text()
                    raise RuntimeError("JupyterLab did not start:\n" + log) from None
                time.sleep(0.2)
        yield {"base": base, "token": token, "ws": ws, "log": root / "server.log"}
    finally:
        server.send_signal(signal.SIGTERM)  # tmvlearn stops JupyterLab and its kernels
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 2000}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.outside_requests, page.console_errors = [], []

    def route(route):
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob") or url.hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            page.outside_requests.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    yield page
    assert not page.outside_requests, f"requests left the machine: {page.outside_requests[:5]}"
    context.close()


def _shut_down_kernels(lab) -> None:
    auth = {"Authorization": f"token {lab['token']}"}
    with urllib.request.urlopen(urllib.request.Request(f"{lab['base']}/api/sessions", headers=auth)) as reply:
        sessions = json.load(reply)
    for session in sessions:
        request = urllib.request.Request(f"{lab['base']}/api/sessions/{session['id']}", method="DELETE",
                                         headers=auth)
        urllib.request.urlopen(request).close()


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.get_by_role("menuitem", name=re.compile(f"^{re.escape(item)}")).first.click()


PROMPTS = "[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"


def _open_and_run(page, lab, name: str) -> None:
    _shut_down_kernels(lab)
    page.goto(f"{lab['base']}/lab/tree/{name}.ipynb?reset&token={lab['token']}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=60_000)
    _menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"{PROMPTS}.every(e => !/\\d/.test(e.textContent))")
    visible = page.evaluate(f"{PROMPTS}.filter(e => e.textContent.trim()).length")
    _menu(page, "Run", "Run All Cells")
    page.wait_for_function(f"n => {PROMPTS}.filter(e => /\\[\\d+\\]/.test(e.textContent)).length === n",
                           arg=visible, timeout=180_000)
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=60_000)
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, f"{name}: error output: {errors.first.inner_text()[:500]}"


def _image_sizes(image) -> dict:
    return image.evaluate("img => ({natural: img.naturalWidth, shown: img.getBoundingClientRect().width, "
                          "naturalH: img.naturalHeight, shownH: img.getBoundingClientRect().height})")


def test_every_explorer_is_sharp_readable_and_reaches_the_lessons_values(lab, page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, expected in EXPLORER_LESSONS.items():
        _open_and_run(page, lab, name)
        explorers = page.locator(".jp-OutputArea .tmv-explorer")
        assert explorers.count() == expected, f"{name}: explorers shown"
        for i in range(expected):
            explorer = explorers.nth(i)
            explorer.scroll_into_view_if_needed()
            image = explorer.locator("img").first
            image.wait_for()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
            sizes = _image_sizes(image)
            assert abs(sizes["shown"] - sizes["natural"]) <= 1, f"{name}: figure {i} is scaled: {sizes}"
            assert abs(sizes["shownH"] - sizes["naturalH"]) <= 1, f"{name}: figure {i} is scaled: {sizes}"
            image.screenshot(path=ARTIFACTS / f"{name}-explorer-{i}.png")  # the figure, as shown
        if name == "00_start_here":
            _drag_the_size_window_to_the_exosome_range(page, explorers.first)
            figure = explorers.first.locator("img").first
            figure.screenshot(path=ARTIFACTS / f"{name}-explorer-0-40-160nm.png")
        if name == "02_ev_types_isolation":
            force = explorers.nth(1).locator(".tmv-centrifuge-rcf-g")
            assert force.locator(".widget-readout").inner_text().strip() == "20,000", "the lesson's 20,000 g"
        # no news prompt or pop-up: tmvlearn lab turns the news feed off
        assert not page.get_by_text(re.compile("official Jupyter news", re.I)).count()
    assert not page.console_errors, f"console errors: {page.console_errors[:5]}"


def _drag_the_size_window_to_the_exosome_range(page, explorer) -> None:
    """As lesson 0 asks: window 40-160 nm, by keyboard on the slider handles; the figure agrees."""
    def move(control: str, target: str) -> None:
        slider = explorer.locator(f".tmv-size-{control}")
        handle = slider.locator(".noUi-handle").first
        readout = slider.locator(".widget-readout")
        handle.focus()
        for _ in range(40):
            current = float(readout.inner_text().replace(",", ""))
            if current == float(target):
                return
            before = readout.inner_text().strip()
            handle.press("ArrowLeft" if current > float(target) else "ArrowRight")
            page.wait_for_function("([r, before]) => r.textContent.trim() !== before",
                                   arg=[readout.element_handle(), before], timeout=5_000)
        raise AssertionError(f"{control} never showed {target}: it shows {readout.inner_text()}")

    move("window-min-nm", "40")
    move("window-max-nm", "160")
    caption = explorer.locator(".tmv-size-alt")
    caption.filter(has_text="from 40 to 160 nm").wait_for(timeout=15_000)
    assert "keeps 13% of microvesicles" in caption.inner_text(), caption.inner_text()


def test_a_lesson_opened_run_and_saved_is_still_refreshed_by_update(lab, page):
    lesson = lab["ws"] / "01_biogenesis.ipynb"
    _open_and_run(page, lab, "01_biogenesis")
    _menu(page, "File", "Save Notebook")

    def saved_run():  # the file as JupyterLab saved it after the run: live widget views in outputs
        try:
            nb = json.loads(lesson.read_text(encoding="utf-8"))
        except ValueError:  # caught mid-write
            return None
        views = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
                 if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        return nb if views else None

    # wait through Playwright, never time.sleep: the page's requests (the save's PUT among them) pass
    # through this process's route handler, which runs only while Playwright is handling events
    deadline = time.monotonic() + 60
    while (saved := saved_run()) is None:
        if time.monotonic() > deadline:
            page.screenshot(path=ARTIFACTS / "FAILED-01_biogenesis-save.png")
            shutil.copy(lab["log"], ARTIFACTS / "FAILED-server.log")
            nb = json.loads(lesson.read_text(encoding="utf-8"))
            kinds = sorted({k for c in nb["cells"] for o in c.get("outputs", []) for k in o.get("data", {})})
            raise AssertionError(f"JupyterLab never saved the run lesson (mtime {lesson.stat().st_mtime}, "
                                 f"now {time.time()}; output kinds in the file: {kinds})")
        page.wait_for_timeout(300)
    assert OLDER in "".join(saved["cells"][0]["source"])
    report = workspace.prepare_workspace(lab["ws"], update=True)
    assert "01_biogenesis.ipynb" in report.updated, report.summary()
    assert "01_biogenesis.ipynb" not in report.kept_edited
    assert OLDER not in lesson.read_text(encoding="utf-8")

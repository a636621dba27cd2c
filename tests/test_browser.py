"""The workbook in a real browser: `tmvlearn lab`, JupyterLab and Chromium, fully offline.

Playwright (Python) drives Debian's Chromium through ``executable_path`` (no browser download).
For every lesson: open it, run all cells, find no error output, move a control of every explorer
and see its figure change, answer a quiz question by mouse and another by keyboard alone and see
feedback. Lesson 0 also shows that recorded progress survives a kernel restart. Any request that
leaves the machine, or any console error, fails the test. Screenshots and timings are written to
``test-artifacts/browser/`` (look at them).
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

from tmvlearn.lessons import lesson_paths

pytestmark = [pytest.mark.browser, pytest.mark.notebooks, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("TMVLEARN_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
LESSONS = [p.name for p in lesson_paths()]
TIMINGS: dict[str, float] = {}

if not CHROMIUM or not shutil.which("tmvlearn", path=str(Path(sys.executable).parent)):
    if os.environ.get("CI"):
        pytest.fail("the browser test needs Chromium (apt-get install chromium) and the tmvlearn "
                    "command in this environment", pytrace=False)
    pytest.skip("needs Chromium and an installed tmvlearn command", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_settings(settings: Path) -> None:
    """No news pop-up, and every cell rendered (no windowing) so selectors see the whole lesson."""
    for plugin, values in {
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`tmvlearn lab --no-browser` in a fresh workspace, on loopback with a token; stopped at the end."""
    root = tmp_path_factory.mktemp("lab")
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           "TMVLEARN_HOME": str(root / "progress"), "TMVLEARN_LEARNER": "browser-test"}
    _write_settings(root / "settings")
    port, token = _free_port(), secrets.token_hex(16)
    command = [str(Path(sys.executable).with_name("tmvlearn")), "lab", str(root / "workbook"),
               "--no-browser", "--port", str(port), "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={token}", "--LabApp.extension_manager=readonly",
               "--ServerApp.allow_root=True"]
    with open(root / "server.log", "w") as log:
        started = time.perf_counter()
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("JupyterLab did not start:\n"
                                           + (root / "server.log").read_text()) from None
                    time.sleep(0.2)
            TIMINGS["server_ready_s"] = time.perf_counter() - started
            yield {"base": base, "token": token, "started": started, "workbook": root / "workbook"}
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # the whole group: the server and its kernels
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


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
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.outside_requests, page.console_errors = [], []

    def route(route):
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob", "file") or url.hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            page.outside_requests.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    yield page
    context.close()


# --- driving JupyterLab -----------------------------------------------------------------------

def _shut_down_kernels(lab) -> None:
    """End the previous lesson's kernel through the REST API, as closing its tab would."""
    auth = {"Authorization": f"token {lab['token']}"}
    with urllib.request.urlopen(urllib.request.Request(f"{lab['base']}/api/sessions", headers=auth)) as reply:
        sessions = json.load(reply)
    for session in sessions:
        request = urllib.request.Request(f"{lab['base']}/api/sessions/{session['id']}", method="DELETE",
                                         headers=auth)
        urllib.request.urlopen(request).close()


def _open(page, lab, name: str) -> None:
    """Open one lesson alone (``reset``: no tabs restored from the previous lesson)."""
    _shut_down_kernels(lab)
    page.goto(f"{lab['base']}/lab/tree/{name}?reset&token={lab['token']}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=60_000)


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.get_by_role("menuitem", name=re.compile(f"^{re.escape(item)}")).first.click()


PROMPTS = "[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"


def _run_all(page) -> None:
    """Clear the stored outputs (so a finished run is visible), run every cell, wait for the last."""
    _menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"{PROMPTS}.every(e => !/\\d/.test(e.textContent))")
    # Collapsed (solution) cells show no prompt; every visible prompt must get its number.
    visible = page.evaluate(f"{PROMPTS}.filter(e => e.textContent.trim()).length")
    _menu(page, "Run", "Run All Cells")
    page.wait_for_function(f"n => {PROMPTS}.filter(e => /\\[\\d+\\]/.test(e.textContent)).length === n",
                           arg=visible, timeout=180_000)
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=60_000)


def _assert_no_error_outputs(page, name: str) -> None:
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, f"{name}: error output: {errors.first.inner_text()[:500]}"


def _move_a_control(explorer) -> None:
    control = explorer.locator(".tmv-control").first
    if control.locator("select").count():
        select = control.locator("select").first
        options = select.locator("option")
        current = select.evaluate("s => s.selectedIndex")
        select.select_option(index=(current + 1) % options.count())
    elif control.locator(".noUi-handle, .ui-slider-handle").count():
        handle = control.locator(".noUi-handle, .ui-slider-handle").first
        handle.focus()
        for _ in range(3):
            handle.press("ArrowRight")
    elif control.locator("input[type=checkbox]").count():
        control.locator("input[type=checkbox]").first.click()
    elif control.locator("input[type=text], input[type=number], textarea").count():
        box = control.locator("input[type=text], input[type=number], textarea").first
        box.fill("EGFR")
        box.press("Enter")
    elif control.locator("button").count() > 1:
        control.locator("button").nth(1).click()
    else:
        raise AssertionError(f"do not know how to move control {control.get_attribute('class')}")


def _explorers_react(page, name: str) -> int:
    explorers = page.locator(".jp-OutputArea .tmv-explorer")
    for i in range(explorers.count()):
        explorer = explorers.nth(i)
        explorer.scroll_into_view_if_needed()
        image = explorer.locator("img").first
        image.wait_for()
        before = image.get_attribute("src")
        _move_a_control(explorer)
        page.wait_for_function("([img, before]) => img.getAttribute('src') !== before",
                               arg=[image.element_handle(), before], timeout=15_000)
    return explorers.count()


def _radio_questions(page):
    quiz = page.locator(".jp-OutputArea .tmv-quiz").last
    questions = quiz.locator(".tmv-question").filter(has=page.locator("input[type=radio]"))
    assert questions.count() >= 2, "the quiz has at least two choice questions"
    return questions


def _qid(question) -> str:
    return next(c[len("tmv-q-"):] for c in question.get_attribute("class").split() if c.startswith("tmv-q-"))


def _answer_by_click(page, question) -> str:
    qid = _qid(question)
    question.scroll_into_view_if_needed()
    question.locator("label", has=page.locator("input[type=radio]")).first.click()
    question.locator(f".tmv-check-{qid}").click()
    return _feedback(page, qid)


def _answer_by_keyboard(page, question) -> str:
    qid = _qid(question)
    question.scroll_into_view_if_needed()
    question.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")  # select the focused option
    for _ in range(12):  # Tab on to the Check button
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.closest('.tmv-check-{qid}') !== null"):
            break
    else:
        raise AssertionError(f"{qid}: Tab never reached the Check button")
    page.keyboard.press("Enter")
    return _feedback(page, qid)


def _feedback(page, qid: str) -> str:
    feedback = page.locator(f".tmv-feedback-{qid}")
    feedback.filter(has_text=re.compile(r"Correct|Not right")).wait_for(timeout=15_000)
    return feedback.inner_text()


def _progress_output(page) -> str:
    cell = page.locator(".jp-Notebook .jp-CodeCell", has_text="quiz.progress()").first
    return cell.locator(".jp-OutputArea").inner_text()


# --- the test -----------------------------------------------------------------------------------

def test_every_lesson_runs_and_responds_in_jupyterlab(lab, page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    suite_start = time.perf_counter()
    copied = sorted(p.name for p in lab["workbook"].glob("*.ipynb"))
    assert copied == LESSONS, "tmvlearn lab copied every lesson"
    for name in LESSONS:
        try:
            _check_lesson(page, lab, name)
        except Exception:
            page.screenshot(path=ARTIFACTS / f"FAILED-{name[:-6]}.png")
            raise
    TIMINGS["all_lessons_s"] = time.perf_counter() - suite_start
    timings = {k: round(v, 2) for k, v in TIMINGS.items()}
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=1))


def _check_lesson(page, lab, name: str) -> None:
    """Run one lesson in the browser and use its explorers and quiz as a learner would."""
    _open(page, lab, name)
    if name == LESSONS[0]:
        TIMINGS["lab_to_first_rendered_cell_s"] = time.perf_counter() - lab["started"]
    start = time.perf_counter()
    _run_all(page)
    _assert_no_error_outputs(page, name)
    count = _explorers_react(page, name)
    questions = _radio_questions(page)
    by_click = _answer_by_click(page, questions.nth(0))
    by_keys = _answer_by_keyboard(page, questions.nth(1))
    assert by_click and by_keys
    if name.startswith("00_"):
        assert "00_start_here" not in _progress_output(page)
        _menu(page, "Kernel", "Restart Kernel")
        page.locator(".jp-Dialog .jp-mod-accept").click()  # "Restart"
        page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=60_000)
        _run_all(page)
        assert "00_start_here" in _progress_output(page), "progress survives a kernel restart"
    questions.nth(0).screenshot(path=ARTIFACTS / f"{name[:-6]}-quiz.png")
    explorer = page.locator(".jp-OutputArea .tmv-explorer").first
    if count:
        explorer.screenshot(path=ARTIFACTS / f"{name[:-6]}-explorer.png")
    page.screenshot(path=ARTIFACTS / f"{name[:-6]}.png")
    TIMINGS[f"{name[:-6]}_run_and_interact_s"] = time.perf_counter() - start
    assert not page.outside_requests, f"{name}: requests left the machine: {page.outside_requests[:5]}"
    assert not page.console_errors, f"{name}: console errors: {page.console_errors[:5]}"


# --- a quiz taken as a learner: every type, the keyboard, one attempt per check, a lost kernel -----

LESSON_WITH_EVERY_TYPE = "01_biogenesis.ipynb"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]}


def _cells(page) -> int:
    return page.locator(".jp-Notebook .jp-Cell").count()


def _active_cell(page) -> int:
    return page.evaluate("[...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
                         ".findIndex(c => c.classList.contains('jp-mod-active'))")


def _tab_to(page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.closest({json.dumps(selector)}) !== null"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _serious(violations) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in violations
            if v.get("impact") in ("serious", "critical")]


def test_a_quiz_of_every_type_by_mouse_and_keyboard(lab, page):
    """Lesson 1's quiz has a question of every type: answer each, three by keyboard alone (arrow
    keys included), and see that keys typed in the quiz never reach JupyterLab (no cell added, the
    selected cell unchanged), that a double click on Check records one attempt, that the quiz says
    so after a kernel restart, and that axe-core finds no serious WCAG 2.1 AA violation in it."""
    import pandas as pd

    from tmvlearn.quiz import load_bank

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    bank = load_bank("01_biogenesis")
    by_type = {}
    for question in bank:
        by_type.setdefault(question.type, question)
    _open(page, lab, LESSON_WITH_EVERY_TYPE)
    _run_all(page)
    quiz = page.locator(".jp-OutputArea .tmv-quiz").last
    quiz.wait_for()
    quiz.locator(".tmv-question").first.scroll_into_view_if_needed()
    cells_before = _cells(page)

    def box(question):
        return quiz.locator(f".tmv-q-{question.id}")

    def feedback(question) -> str:
        return _feedback(page, question.id)

    # 1. single choice, keyboard alone: focus the first option, ArrowDown moves the choice
    sc = by_type["single_choice"]
    box(sc).locator("input[type=radio]").first.focus()
    active = _active_cell(page)
    page.keyboard.press("ArrowDown")
    assert box(sc).locator("input[type=radio]").nth(1).is_checked(), "ArrowDown moved to the next option"
    assert _active_cell(page) == active, "ArrowDown stayed in the quiz: the selected cell did not move"
    _tab_to(page, f".tmv-check-{sc.id}")
    page.keyboard.press("Enter")
    assert feedback(sc)

    # 2. numeric, keyboard alone: Tab from the question into its box, type, Tab to Check, Enter
    num = by_type["numeric"]
    box(num).locator("input[type=text]").first.focus()
    page.keyboard.type(str(int(num.answer)))
    _tab_to(page, f".tmv-check-{num.id}")
    page.keyboard.press("Enter")
    assert "✔" in feedback(num)

    # 3. ordering, keyboard alone: each dropdown chosen with arrow keys; "b" typed there adds no cell
    order = by_type["ordering"]
    selects = box(order).locator("select")
    # ipywidgets writes option labels with no-break spaces
    options = selects.first.locator("option").evaluate_all(
        "els => els.map(e => e.textContent.replace(/\\u00a0/g, ' ').trim())")[1:]
    selects.first.focus()
    page.keyboard.press("b")
    for i, item in enumerate(order.items):
        selects.nth(i).focus()
        steps = options.index(item) + 1 - selects.nth(i).evaluate("s => s.selectedIndex")
        for _ in range(abs(steps)):
            page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    _tab_to(page, f".tmv-check-{order.id}")
    page.keyboard.press("Enter")
    assert "✔" in feedback(order)
    assert _cells(page) == cells_before, "keys typed in the quiz added no cell"

    # 4. the other types by mouse: true/false, multiple select, short text, matching
    tf = by_type["true_false"]
    box(tf).locator("label", has_text=re.compile(f"^{tf.answer_text()}$")).click()
    ms = by_type["multiple_select"]
    for option in ms.answer:
        box(ms).locator("label", has_text=option).first.click()
    st = by_type["short_text"]
    box(st).locator("input[type=text]").fill(st.accepted[0] + ".")  # a trailing full stop is forgiven
    mt = by_type["matching"]
    for i, pair in enumerate(mt.pairs):
        box(mt).locator("select").nth(i).select_option(label=pair["right"])
    for question in (tf, ms, st, mt):
        box(question).locator(f".tmv-check-{question.id}").click()
        assert "✔" in feedback(question), question.id

    # 5. a double click on Check records one attempt
    import sqlite3

    store = Path(lab["workbook"]).parent / "progress" / "progress.sqlite3"

    def recorded() -> int:  # every lesson's run shares this store: count this question's attempts
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
            return len(pd.read_sql("SELECT id FROM attempts WHERE question_id = ?", conn, params=(tf.id,)))

    before = recorded()
    box(tf).locator(f".tmv-retry-{tf.id}").click()
    box(tf).locator("label", has_text=re.compile(f"^{tf.answer_text()}$")).click()
    box(tf).locator(f".tmv-check-{tf.id}").dblclick()
    feedback(tf)
    page.wait_for_timeout(1500)
    quiz.screenshot(path=ARTIFACTS / "quiz-every-type.png")
    assert recorded() == before + 1, "a double click on Check recorded one attempt"

    # 6. accessibility of the quiz: no serious or critical WCAG 2.1 AA violation
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=".tmv-quiz", options=WCAG)
    assert not _serious(results.response["violations"]), _serious(results.response["violations"])

    # 7. after a kernel restart the quiz says it has lost its kernel, and how to get it back; clicks
    # on its dead buttons end in no uncaught page error; the advice, followed literally, works
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    _menu(page, "Kernel", "Restart Kernel")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=60_000)
    box(sc).locator(f".tmv-retry-{sc.id}").click()
    stale = quiz.locator(".tmv-stale")
    stale.wait_for(timeout=10_000)
    advice = stale.inner_text()
    assert "Run All Cells" in advice and "kept" in advice, advice
    quiz.screenshot(path=ARTIFACTS / "quiz-stale-kernel.png")
    box(tf).locator(f".tmv-retry-{tf.id}").click()
    page.wait_for_timeout(500)
    assert not page_errors, page_errors[:3]
    _run_all(page)  # "Run the lesson from the top (Run menu, Run All Cells)"
    quiz.wait_for(timeout=60_000)
    assert not page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                            has_text="NameError").count(), "no cell failed after the restart"
    kept = quiz.locator(".tmv-kept").inner_text().lower()
    assert "kept" in kept, "the answers from before the restart are kept"
    box(tf).locator("label", has_text=re.compile(f"^{tf.answer_text()}$")).click()
    box(tf).locator(f".tmv-check-{tf.id}").click()
    assert "✔" in feedback(tf), "the quiz works again"
    assert not page_errors, page_errors[:3]
    assert not page.outside_requests, page.outside_requests[:5]


def test_a_handout_reads_offline_runs_no_script_and_passes_axe(page, tmp_path):
    """A student handout (lesson 0, HTML) opened from disk: no request, no console error, its policy
    forbids scripts, and axe-core finds no serious WCAG 2.1 AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    from tmvlearn.handouts import build_handouts

    files = build_handouts(["00"], edition="student", fmt="html", out=tmp_path, report=None)
    lesson = next(f for f in files if f.name.startswith("00_"))
    page.goto(lesson.resolve().as_uri())
    page.locator(".tmv-quiz-static").first.wait_for()
    assert page.evaluate("document.scripts.length") == 0
    results = Axe().run(page, options=WCAG)
    assert not _serious(results.response["violations"]), _serious(results.response["violations"])
    page.screenshot(path=ARTIFACTS / "handout-00-student.png", full_page=False)
    assert not page.outside_requests, page.outside_requests[:5]
    assert not page.console_errors, page.console_errors[:5]

"""Lesson 8 in a real browser, by keyboard alone: a review of a learner's due questions and a few
flashcards, in JupyterLab in Chromium, offline.

A learner with three questions missed two days ago opens lesson 8 and runs it: the review shows
those questions (with their lessons), one is answered with Space, Tab and Enter; then flashcards are
flipped with F and marked with K and D. The keys never reach JupyterLab (no cell deleted or moved),
every answer is recorded, nothing leaves the machine and the console stays clean. Screenshots go to
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
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.notebooks, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("TMVLEARN_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
LESSON = "08_review_due.ipynb"
LEARNER = "browser-review"

if not CHROMIUM or not shutil.which("tmvlearn", path=str(Path(sys.executable).parent)):
    if os.environ.get("CI"):
        pytest.fail("the browser test needs Chromium (apt-get install chromium) and the tmvlearn "
                    "command in this environment", pytrace=False)
    pytest.skip("needs Chromium and an installed tmvlearn command", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def _missed_questions() -> list[tuple[str, str]]:
    """Three choice questions from three lessons (answered by radio buttons)."""
    from tmvlearn.quiz import load_bank

    out = []
    for lesson in ("01_biogenesis", "03_cargo_biomarkers", "05_immune_interactions"):
        q = next(q for q in load_bank(lesson).questions if q.type in ("single_choice", "true_false"))
        out.append((lesson, q.id))
    return out


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`tmvlearn lab --no-browser` for a learner with three misses from two days ago."""
    from tmvlearn.quiz import ProgressStore

    root = tmp_path_factory.mktemp("lab-review")
    progress = root / "progress"
    store = ProgressStore(progress / "progress.sqlite3")
    when = datetime.now(timezone.utc) - timedelta(days=2)
    for i, (lesson, qid) in enumerate(_missed_questions()):
        store.record(lesson=lesson, question_id=qid, response="(earlier)", score=0, correct=False,
                     learner=LEARNER, time=(when + timedelta(minutes=i)).isoformat())
    store.close()
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           "TMVLEARN_HOME": str(progress), "TMVLEARN_LEARNER": LEARNER}
    for plugin, values in {
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }.items():
        path = root / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(16)
    command = [str(Path(sys.executable).with_name("tmvlearn")), "lab", str(root / "workbook"),
               "--no-browser", "--port", str(port), "--ServerApp.ip=127.0.0.1",
               f"--IdentityProvider.token={token}", "--LabApp.extension_manager=readonly",
               "--ServerApp.allow_root=True"]
    with open(root / "server.log", "w") as log:
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
            yield {"base": base, "token": token, "db": progress / "progress.sqlite3"}
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # the server and its kernels
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


@pytest.fixture
def page(lab):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--no-first-run"])
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
        browser.close()


PROMPTS = "[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"


def _run_all(page) -> None:
    def menu(name: str, item: str) -> None:
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{name}$")).click()
        page.get_by_role("menuitem", name=re.compile(f"^{re.escape(item)}")).first.click()

    menu("Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"{PROMPTS}.every(e => !/\\d/.test(e.textContent))")
    visible = page.evaluate(f"{PROMPTS}.filter(e => e.textContent.trim()).length")
    menu("Run", "Run All Cells")
    page.wait_for_function(f"n => {PROMPTS}.filter(e => /\\[\\d+\\]/.test(e.textContent)).length === n",
                           arg=visible, timeout=180_000)
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=60_000)


def _recorded(db: Path) -> list[tuple[str, str, int]]:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT question_id, mode, correct FROM attempts WHERE learner = ? ORDER BY id",
                            (LEARNER,)).fetchall()
    finally:
        conn.close()


def _cells(page) -> int:
    return page.locator(".jp-Notebook .jp-Cell").count()


def test_a_review_and_flashcards_by_keyboard_alone(lab, page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{lab['base']}/lab/tree/{LESSON}?reset&token={lab['token']}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=60_000)
    _run_all(page)
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, errors.first.inner_text()[:500] if errors.count() else ""
    cells = _cells(page)

    # The review: the learner's three misses, from three lessons, each labelled
    review = page.locator(".jp-OutputArea .tmv-quiz").filter(has=page.locator(".tmv-review-plan")).first
    review.scroll_into_view_if_needed()
    assert "3 questions due for review now" in review.locator(".tmv-review-plan").inner_text()
    labels = review.locator(".tmv-review-label").all_inner_texts()
    assert len(labels) == 3 and all("Source:" in t for t in labels)
    assert [re.search(r"Lesson (\d)", t).group(1) for t in labels] == ["1", "3", "5"]
    review.screenshot(path=ARTIFACTS / "08-review.png")

    first = review.locator(".tmv-question").first
    qid = next(c[len("tmv-q-"):] for c in first.get_attribute("class").split() if c.startswith("tmv-q-"))
    first.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.closest('.tmv-check-{qid}') !== null"):
            break
    else:
        raise AssertionError("Tab never reached the Check button")
    page.keyboard.press("Enter")
    page.locator(f".tmv-feedback-{qid}").filter(has_text=re.compile(r"Correct|Not right")).wait_for()
    assert _cells(page) == cells

    # Flashcards: F flips, K "knew it", D "didn't"; a K before flipping asks to flip first
    deck = page.locator(".jp-OutputArea .tmv-cards").first
    deck.scroll_into_view_if_needed()
    deck.locator(".tmv-card-flip").focus()
    count = deck.locator(".tmv-card-count")
    assert "Card 1 of 8" in count.inner_text()
    term = deck.locator(".tmv-card-term").inner_text()
    page.keyboard.press("k")
    deck.locator(".tmv-card-flip-first").wait_for()
    page.keyboard.press("f")
    deck.locator(".tmv-card-definition").wait_for()
    deck.screenshot(path=ARTIFACTS / "08-flashcard-flipped.png")
    page.keyboard.press("k")
    deck.locator(".tmv-card-count", has_text="Card 2 of 8").wait_for()
    assert deck.locator(".tmv-card-term").inner_text() != term
    page.keyboard.press("f")
    deck.locator(".tmv-card-definition").wait_for()
    page.keyboard.press("d")
    deck.locator(".tmv-card-count", has_text="Card 3 of 8").wait_for()
    page.keyboard.press("d")  # unflipped: only the reminder, and JupyterLab sees no "D D"
    page.keyboard.press("d")
    deck.locator(".tmv-card-flip-first").wait_for()
    page.keyboard.press(" ")  # Space flips too
    deck.locator(".tmv-card-definition").wait_for()
    deck.screenshot(path=ARTIFACTS / "08-flashcards.png")
    assert _cells(page) == cells, "no key reached JupyterLab's notebook shortcuts"

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        rows = _recorded(lab["db"])
        if len(rows) == 6:
            break
        time.sleep(0.3)
    assert rows[3][0] == qid and rows[3][1] == "practice", rows
    assert [(r[1], r[2]) for r in rows[4:]] == [("flashcard", 1), ("flashcard", 0)], rows
    page.screenshot(path=ARTIFACTS / "08_review_due.png", full_page=True)
    assert not page.outside_requests, page.outside_requests[:5]
    assert not page.console_errors, page.console_errors[:5]


def test_flashcard_keys_right_after_shift_enter_stay_in_the_deck(lab, page):
    """Shift+Enter on a flashcards cell, then at once the deck's own keys: the deck has taken the focus
    and says so, F/K/D work it, and none of them reaches JupyterLab (D D would delete a cell)."""
    workbook = Path(lab["db"]).parent.parent / "workbook"
    cells = [{"cell_type": "code", "id": "imp", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "import tmvlearn"},
             {"cell_type": "code", "id": "deck", "metadata": {}, "execution_count": None, "outputs": [],
              "source": 'tmvlearn.flashcards("glossary", n=3, record=False)'},
             {"cell_type": "markdown", "id": "end", "metadata": {}, "source": "The end."}]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                            "language": "python"}}}
    (workbook / "keys_after_run.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    page.goto(f"{lab['base']}/lab/tree/keys_after_run.ipynb?reset&token={lab['token']}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=60_000)
    page.locator(".jp-Notebook .jp-Cell").first.locator(".jp-InputPrompt").click()  # command mode
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")  # runs the deck's cell; JupyterLab selects the next one
    deck = page.locator(".jp-OutputArea .tmv-cards").first
    deck.locator(".tmv-cards-keys", has_text="Keys on").wait_for(timeout=60_000)
    count = _cells(page)
    assert count == 3
    page.keyboard.press("f")
    deck.locator(".tmv-card-definition").wait_for()
    page.keyboard.press("k")
    deck.locator(".tmv-card-count", has_text="Card 2 of 3").wait_for()
    page.keyboard.press("d")  # not flipped yet: the deck asks to flip first; JupyterLab sees nothing
    page.keyboard.press("d")
    deck.locator(".tmv-card-flip-first").wait_for()
    assert _cells(page) == count, "no key reached JupyterLab's notebook shortcuts"
    deck.screenshot(path=ARTIFACTS / "flashcards-keys-on.png")
    page.locator(".jp-Notebook .jp-MarkdownCell").first.click()  # the learner moves away
    deck.locator(".tmv-cards-keys", has_text="Keys off").wait_for()
    deck.screenshot(path=ARTIFACTS / "flashcards-keys-off.png")
    assert not page.outside_requests, page.outside_requests[:5]
    assert not page.console_errors, page.console_errors[:5]


def test_a_saved_lesson_reopens_readable_without_a_kernel(lab, page):
    """Run lesson 0, save, close it and shut its kernel down, open it again: every explorer and quiz
    shows its static version (never "Error displaying widget: model not found"), the console stays
    clean, and the file holds no widget view (so a server restart shows the same). Running it again
    brings the live widgets back."""
    lesson = "00_start_here.ipynb"
    page.goto(f"{lab['base']}/lab/tree/{lesson}?reset&token={lab['token']}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=60_000)
    _run_all(page)
    page.locator(".jp-OutputArea .tmv-quiz").first.wait_for()
    live_figures = page.locator(".jp-OutputArea .tmv-explorer").count()
    assert live_figures, "lesson 0 shows an explorer"
    page.keyboard.press("Control+s")
    page.locator(".jp-mod-dirty").wait_for(state="detached", timeout=30_000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^File$")).click()
    page.get_by_role("menuitem", name=re.compile(r"^Close and Shut Down Notebook")).first.click()
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.locator(".jp-Notebook").wait_for(state="detached", timeout=30_000)

    saved = json.loads((Path(lab["db"]).parent.parent / "workbook" / lesson).read_text(encoding="utf-8"))
    views = [o for c in saved["cells"] for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert not views, f"{len(views)} widget views saved: a reopened lesson would show 'model not found'"

    page.goto(f"{lab['base']}/lab/tree/{lesson}?token={lab['token']}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.locator(".jp-OutputArea .tmv-quiz-static").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # any widget error would render by now
    assert not page.get_by_text("Error displaying widget").count()
    assert page.locator(".jp-OutputArea img").count() >= live_figures, "the figures are there, static"
    page.screenshot(path=ARTIFACTS / "00-reopened.png")
    assert not page.console_errors, page.console_errors[:5]
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=60_000)
    _run_all(page)
    page.locator(".jp-OutputArea .tmv-quiz").first.wait_for()
    assert page.locator(".jp-OutputArea .tmv-explorer").count() == live_figures, "live again"
    assert not page.outside_requests, page.outside_requests[:5]

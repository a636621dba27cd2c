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
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import browser_support as bs
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.notebooks, pytest.mark.slow]

FOLDER = "browser"  # test-artifacts/browser/
LESSON = "08_review_due.ipynb"
LEARNER = "browser-review"

bs.require_browser()


def _missed_questions() -> list[tuple[str, str]]:
    """Three choice questions from three lessons (answered by radio buttons)."""
    from tmvlearn.quiz import load_bank

    out = []
    for lesson in ("01_biogenesis", "03_cargo_biomarkers", "05_immune_interactions"):
        q = next(q for q in load_bank(lesson).questions if q.type in ("single_choice", "true_false"))
        out.append((lesson, q.id))
    return out


@pytest.fixture(scope="module")
def review_lesson(lab):
    """Lesson 8 of the session's `tmvlearn lab`, for a learner with three misses from two days ago:
    a copy of the workbook's lesson in a folder of its own whose kernel runs as that learner, with
    that learner's own progress store (a kernel spec with TMVLEARN_LEARNER and TMVLEARN_HOME)."""
    from tmvlearn.quiz import ProgressStore

    progress = lab.root / "progress-review"
    store = ProgressStore(progress / "progress.sqlite3")
    when = datetime.now(timezone.utc) - timedelta(days=2)
    for i, (lesson, qid) in enumerate(_missed_questions()):
        store.record(lesson=lesson, question_id=qid, response="(earlier)", score=0, correct=False,
                     learner=LEARNER, time=(when + timedelta(minutes=i)).isoformat())
    store.close()
    return {"path": lab.lesson_as(LESSON, LEARNER, progress), "db": progress / "progress.sqlite3"}


def _recorded(db: Path) -> list[tuple[str, str, int]]:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT question_id, mode, correct FROM attempts WHERE learner = ? ORDER BY id",
                            (LEARNER,)).fetchall()
    finally:
        conn.close()


def test_a_review_and_flashcards_by_keyboard_alone(lab, review_lesson, page):
    bs.open_notebook(page, lab, review_lesson["path"])
    bs.run_all(page)
    bs.assert_no_error_outputs(page, LESSON)
    cells = bs.cells(page)

    # The review: the learner's three misses, from three lessons, each labelled
    review = page.locator(".jp-OutputArea .tmv-quiz").filter(has=page.locator(".tmv-review-plan")).first
    review.scroll_into_view_if_needed()
    assert "3 questions due for review now" in review.locator(".tmv-review-plan").inner_text()
    labels = review.locator(".tmv-review-label").all_inner_texts()
    assert len(labels) == 3 and all("Source:" in t for t in labels)
    assert [re.search(r"Lesson (\d)", t).group(1) for t in labels] == ["1", "3", "5"]
    bs.screenshot(review, FOLDER, "08-review")

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
    assert bs.cells(page) == cells

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
    bs.screenshot(deck, FOLDER, "08-flashcard-flipped")
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
    bs.screenshot(deck, FOLDER, "08-flashcards")
    assert bs.cells(page) == cells, "no key reached JupyterLab's notebook shortcuts"

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        rows = _recorded(review_lesson["db"])
        if len(rows) == 6:
            break
        time.sleep(0.3)
    assert rows[3][0] == qid and rows[3][1] == "practice", rows
    assert [(r[1], r[2]) for r in rows[4:]] == [("flashcard", 1), ("flashcard", 0)], rows
    bs.screenshot(page, FOLDER, "08_review_due", full_page=True)
    bs.assert_clean(page)


def _notebook(path: Path, sources: list[str]) -> None:
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
              "source": source} for i, source in enumerate(sources)]
    cells.append({"cell_type": "markdown", "id": "end", "metadata": {}, "source": "The end."})
    path.parent.mkdir(parents=True, exist_ok=True)
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": cells,
                                "metadata": {"kernelspec": kernel}}), encoding="utf-8")


def test_flashcard_keys_right_after_shift_enter_stay_in_the_deck(lab, page):
    """Shift+Enter on a flashcards cell, then at once the deck's own keys: the deck has taken the focus
    and says so, F/K/D work it, and none of them reaches JupyterLab (D D would delete a cell)."""
    _notebook(lab.workbook / "keys" / "keys_after_run.ipynb",
              ["import tmvlearn", 'tmvlearn.flashcards("glossary", n=3, record=False)'])
    bs.open_notebook(page, lab, "keys/keys_after_run.ipynb")
    page.locator(".jp-Notebook .jp-Cell").first.locator(".jp-InputPrompt").click()  # command mode
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")  # runs the deck's cell; JupyterLab selects the next one
    deck = page.locator(".jp-OutputArea .tmv-cards").first
    deck.locator(".tmv-cards-keys", has_text="Keys on").wait_for(timeout=60_000)
    count = bs.cells(page)
    assert count == 3
    page.keyboard.press("f")
    deck.locator(".tmv-card-definition").wait_for()
    page.keyboard.press("k")
    deck.locator(".tmv-card-count", has_text="Card 2 of 3").wait_for()
    page.keyboard.press("d")  # not flipped yet: the deck asks to flip first; JupyterLab sees nothing
    page.keyboard.press("d")
    deck.locator(".tmv-card-flip-first").wait_for()
    assert bs.cells(page) == count, "no key reached JupyterLab's notebook shortcuts"
    bs.screenshot(deck, FOLDER, "flashcards-keys-on")
    page.locator(".jp-Notebook .jp-MarkdownCell").first.click()  # the learner moves away
    deck.locator(".tmv-cards-keys", has_text="Keys off").wait_for()
    bs.screenshot(deck, FOLDER, "flashcards-keys-off")
    bs.assert_clean(page)


def test_a_saved_lesson_reopens_readable_without_a_kernel(lab, page):
    """Run lesson 0, save, close it and shut its kernel down, open it again: every explorer and quiz
    shows its static version (never "Error displaying widget: model not found"), the console stays
    clean, and the file holds no widget view (so a server restart shows the same). Running it again
    brings the live widgets back."""
    lesson = "reopen/00_start_here.ipynb"
    (lab.workbook / "reopen").mkdir(exist_ok=True)
    (lab.workbook / lesson).write_text((lab.workbook / "00_start_here.ipynb").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    bs.open_notebook(page, lab, lesson)
    bs.run_all(page)
    page.locator(".jp-OutputArea .tmv-quiz").first.wait_for()
    live_figures = page.locator(".jp-OutputArea .tmv-explorer").count()
    assert live_figures, "lesson 0 shows an explorer"
    page.keyboard.press("Control+s")
    page.locator(".jp-mod-dirty").wait_for(state="detached", timeout=30_000)
    bs.menu(page, "File", "Close and Shut Down Notebook")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.locator(".jp-Notebook").wait_for(state="detached", timeout=30_000)

    saved = json.loads((lab.workbook / lesson).read_text(encoding="utf-8"))
    views = [o for c in saved["cells"] for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert not views, f"{len(views)} widget views saved: a reopened lesson would show 'model not found'"

    page.goto(lab.url(f"lab/tree/{lesson}"))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.locator(".jp-OutputArea .tmv-quiz-static").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # any widget error would render by now
    assert not page.get_by_text("Error displaying widget").count()
    figures = page.locator(".jp-OutputArea figure.tmv-figure img")
    assert figures.count() >= live_figures, "the figures are there, static"
    assert all(figures.nth(i).get_attribute("alt") for i in range(figures.count())), "with alt text"
    bs.screenshot(page, FOLDER, "00-reopened")
    bs.assert_clean(page)
    bs.wait_idle(page)
    bs.run_all(page)
    page.locator(".jp-OutputArea .tmv-quiz").first.wait_for()
    assert page.locator(".jp-OutputArea .tmv-explorer").count() == live_figures, "live again"
    bs.assert_clean(page)


def test_typed_then_enter_at_once_grades_what_was_typed(lab, page):
    """A learner types an answer and presses Enter at once, five times over (Try again between): each
    check grades the text on screen, never a value still on its way to the kernel."""
    _notebook(lab.workbook / "typed" / "typed.ipynb",
              ['from tmvlearn import quiz\nquiz.show(["bio-history-decade"], record=False)'])
    bs.open_notebook(page, lab, "typed/typed.ipynb")
    bs.run_all(page)
    qid = "bio-history-decade"
    box = page.locator(f".tmv-q-{qid} input[type=text]")
    feedback = page.locator(f".tmv-feedback-{qid}")
    for typed, right in [("1980", False), ("1970s", True), ("1960", False), ("the 1970s", True)]:
        box.click()
        box.press("Control+a")
        page.keyboard.type(typed, delay=0)
        page.keyboard.press("Enter")
        feedback.filter(has_text=re.compile("Correct|Not right")).wait_for()
        assert ("✔" in feedback.inner_text()) is right, (typed, feedback.inner_text())
        page.locator(f".tmv-retry-{qid}").click()
        feedback.filter(has_text=re.compile("Correct|Not right")).wait_for(state="detached")
    bs.assert_clean(page)

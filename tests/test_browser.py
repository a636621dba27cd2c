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
import re
import time

import browser_support as bs
import pytest

from tmvlearn.lessons import lesson_paths

pytestmark = [pytest.mark.browser, pytest.mark.notebooks, pytest.mark.slow]

FOLDER = "browser"  # test-artifacts/browser/
LESSONS = [p.name for p in lesson_paths()]
TIMINGS: dict[str, float] = {}

bs.require_browser()


# --- driving JupyterLab (opening, running, menus: tests/browser_support.py) -------------------------

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
    TIMINGS["server_ready_s"] = lab.ready_s
    suite_start = time.perf_counter()
    copied = sorted(p.name for p in lab.workbook.glob("*.ipynb"))
    assert copied == LESSONS, "tmvlearn lab copied every lesson"
    for name in LESSONS:
        try:
            _check_lesson(page, lab, name)
        except Exception:
            bs.screenshot(page, FOLDER, f"FAILED-{name[:-6]}")
            raise
    TIMINGS["all_lessons_s"] = time.perf_counter() - suite_start
    timings = {k: round(v, 2) for k, v in TIMINGS.items()}
    (bs.artifacts(FOLDER) / "timings.json").write_text(json.dumps(timings, indent=1))


def _check_lesson(page, lab, name: str) -> None:
    """Run one lesson in the browser and use its explorers and quiz as a learner would."""
    bs.open_notebook(page, lab, name)
    if name == LESSONS[0]:
        TIMINGS["lab_to_first_rendered_cell_s"] = time.perf_counter() - lab.started
    start = time.perf_counter()
    bs.run_all(page)
    bs.assert_no_error_outputs(page, name)
    count = _explorers_react(page, name)
    questions = _radio_questions(page)
    by_click = _answer_by_click(page, questions.nth(0))
    by_keys = _answer_by_keyboard(page, questions.nth(1))
    assert by_click and by_keys
    if name.startswith("00_"):
        assert "00_start_here" not in _progress_output(page)
        bs.restart_kernel(page)
        bs.run_all(page)
        assert "00_start_here" in _progress_output(page), "progress survives a kernel restart"
    bs.screenshot(questions.nth(0), FOLDER, f"{name[:-6]}-quiz")
    explorer = page.locator(".jp-OutputArea .tmv-explorer").first
    if count:
        bs.screenshot(explorer, FOLDER, f"{name[:-6]}-explorer")
    bs.screenshot(page, FOLDER, name[:-6])
    TIMINGS[f"{name[:-6]}_run_and_interact_s"] = time.perf_counter() - start
    bs.assert_clean(page, name)


# --- a quiz taken as a learner: every type, the keyboard, one attempt per check, a lost kernel -----

LESSON_WITH_EVERY_TYPE = "01_biogenesis.ipynb"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]}


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
    so after a kernel restart, that run again it marks the questions answered before and counts
    them in its score, and that axe-core finds no serious WCAG 2.1 AA violation in it."""
    import pandas as pd

    from tmvlearn.quiz import load_bank

    bank = load_bank("01_biogenesis")
    by_type = {}
    for question in bank:
        by_type.setdefault(question.type, question)
    # a learner of its own: the session's learner answered two of this quiz's questions above, and a
    # re-run quiz shows those as answered before, locked
    progress = lab.root / "progress-every-type"
    bs.open_notebook(page, lab, lab.lesson_as(LESSON_WITH_EVERY_TYPE, "every-type", progress))
    bs.run_all(page)
    quiz = page.locator(".jp-OutputArea .tmv-quiz").last
    quiz.wait_for()
    quiz.locator(".tmv-question").first.scroll_into_view_if_needed()
    cells_before = bs.cells(page)

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
    assert bs.cells(page) == cells_before, "keys typed in the quiz added no cell"

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

    store = progress / "progress.sqlite3"

    def recorded() -> int:  # this question's attempts
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
            return len(pd.read_sql("SELECT id FROM attempts WHERE question_id = ?", conn, params=(tf.id,)))

    before = recorded()
    box(tf).locator(f".tmv-retry-{tf.id}").click()
    box(tf).locator("label", has_text=re.compile(f"^{tf.answer_text()}$")).click()
    box(tf).locator(f".tmv-check-{tf.id}").dblclick()
    feedback(tf)
    page.wait_for_timeout(1500)
    bs.screenshot(quiz, FOLDER, "quiz-every-type")
    assert recorded() == before + 1, "a double click on Check recorded one attempt"

    # 6. accessibility of the quiz: no serious or critical WCAG 2.1 AA violation
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=".tmv-quiz", options=WCAG)
    assert not _serious(results.response["violations"]), _serious(results.response["violations"])

    # 7. after a kernel restart the quiz says it has lost its kernel, and how to get it back; clicks
    # on its dead buttons end in no uncaught page error; the advice, followed literally, works
    bs.restart_kernel(page)
    box(sc).locator(f".tmv-retry-{sc.id}").click()
    stale = quiz.locator(".tmv-stale")
    stale.wait_for(timeout=10_000)
    advice = stale.inner_text()
    assert "Run All Cells" in advice and "kept" in advice, advice
    bs.screenshot(quiz, FOLDER, "quiz-stale-kernel")
    box(tf).locator(f".tmv-retry-{tf.id}").click()
    page.wait_for_timeout(500)
    assert not page.page_errors, page.page_errors[:3]
    bs.run_all(page)  # "Run the lesson from the top (Run menu, Run All Cells)"
    quiz.wait_for(timeout=60_000)
    bs.assert_no_error_outputs(page, "after the restart")
    kept = quiz.locator(".tmv-kept").inner_text().lower()
    assert "kept" in kept, "the answers from before the restart are kept"
    # the re-run quiz marks the seven questions answered before, with their latest answers, and its
    # score counts them (issue 22, item 3)
    answered = (sc, num, order, tf, ms, st, mt)
    for question in answered:
        assert "Answered before" in feedback(question), question.id
    assert box(num).locator("input[type=text]").input_value() == str(int(num.answer))
    assert box(num).locator("input[type=text]").is_disabled(), "locked, as after Check"
    score = quiz.locator(".tmv-score").inner_text()
    assert f"{len(answered)} of {len(bank.questions)} checked" in score, score
    bs.screenshot(quiz, FOLDER, "quiz-rerun-marked")
    box(tf).locator(f".tmv-retry-{tf.id}").click()  # practice: answered again after Try again
    box(tf).locator("label", has_text=re.compile(f"^{tf.answer_text()}$")).click()
    box(tf).locator(f".tmv-check-{tf.id}").click()
    quiz.locator(".tmv-feedback-" + tf.id, has_text="✔").wait_for(timeout=15_000)
    assert "Answered before" not in feedback(tf) and "✔" in feedback(tf), "the quiz works again"
    assert f"{len(answered)} of {len(bank.questions)} checked" in quiz.locator(".tmv-score").inner_text()
    assert not page.page_errors, page.page_errors[:3]
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
    bs.screenshot(page, FOLDER, "handout-00-student", full_page=False)
    bs.assert_clean(page)

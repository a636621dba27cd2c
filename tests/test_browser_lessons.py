"""What a learner sees in JupyterLab: every explorer, sharp and readable; sliders that reach the
values a lesson names; no news pop-up; and a lesson opened, run and autosaved still counts as
untouched, so `tmvlearn lab --update` refreshes it.

`tmvlearn lab` starts JupyterLab (its own offline settings: nothing here turns the news off), and
Playwright drives Debian's Chromium. Screenshots of each explorer go to
``test-artifacts/browser-lessons/`` (look at them). Any request that leaves the machine fails.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import browser_support as bs
import pytest

from tmvlearn import workspace

pytestmark = [pytest.mark.browser, pytest.mark.notebooks, pytest.mark.slow]

FOLDER = "browser-lessons"  # test-artifacts/browser-lessons/
# lessons with explorers, and how many each shows
EXPLORER_LESSONS = {"00_start_here": 1, "01_biogenesis": 2, "02_ev_types_isolation": 2,
                    "03_cargo_biomarkers": 1, "04_tumor_microenvironment": 1, "05_immune_interactions": 2,
                    "06_clinical_uses": 1}
OLDER = "older wording, as an earlier tmvlearn shipped it"

bs.require_browser()


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


@pytest.fixture
def page(browser):
    """Taller than the default page, at scale 1 (figures are compared pixel for pixel)."""
    with bs.new_page(browser, height=2000, schemes=("data", "blob"), device_scale_factor=1) as page:
        yield page
        assert not page.outside_requests, f"requests left the machine: {page.outside_requests[:5]}"


def _open_and_run(page, lab, name: str) -> None:
    bs.open_notebook(page, lab, f"{name}.ipynb")
    bs.run_all(page)
    bs.assert_no_error_outputs(page, name)


def _image_sizes(image) -> dict:
    return image.evaluate("img => ({natural: img.naturalWidth, shown: img.getBoundingClientRect().width, "
                          "naturalH: img.naturalHeight, shownH: img.getBoundingClientRect().height})")


def test_every_explorer_is_sharp_readable_and_reaches_the_lessons_values(lab, page):
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
            # shown at half its pixel size, never stretched: two image pixels to a CSS pixel, sharp on a
            # HiDPI screen (device pixel ratio 2) and in print
            assert abs(2 * sizes["shown"] - sizes["natural"]) <= 2, f"{name}: figure {i} is scaled: {sizes}"
            assert abs(2 * sizes["shownH"] - sizes["naturalH"]) <= 2, f"{name}: figure {i} is scaled: {sizes}"
            bs.screenshot(image, FOLDER, f"{name}-explorer-{i}")  # the figure, as shown
        if name == "00_start_here":
            _drag_the_size_window_to_the_exosome_range(page, explorers.first)
            figure = explorers.first.locator("img").first
            bs.screenshot(figure, FOLDER, f"{name}-explorer-0-40-160nm")
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
    # a workbook of its own inside the session's (which the other tests only read), served by it
    ws = lab.workbook / "update-check"
    workspace.prepare_workspace(ws)
    _make_older_copy(ws, "01_biogenesis.ipynb")
    lesson = ws / "01_biogenesis.ipynb"
    copied = lesson.stat().st_mtime_ns
    _open_and_run(page, lab, f"{ws.name}/01_biogenesis")
    bs.menu(page, "File", "Save Notebook")

    def saved_run():  # the file as JupyterLab saved it after the run (a new write, whole)
        if lesson.stat().st_mtime_ns == copied:
            return None
        try:
            return json.loads(lesson.read_text(encoding="utf-8"))
        except ValueError:  # caught mid-write
            return None

    # wait through Playwright, never time.sleep: the page's requests (the save's PUT among them) pass
    # through this process's route handler, which runs only while Playwright is handling events
    deadline = time.monotonic() + 60
    while (saved := saved_run()) is None:
        if time.monotonic() > deadline:
            bs.screenshot(page, FOLDER, "FAILED-01_biogenesis-save")
            shutil.copy(lab.log, bs.artifacts(FOLDER) / "FAILED-server.log")
            nb = json.loads(lesson.read_text(encoding="utf-8"))
            kinds = sorted({k for c in nb["cells"] for o in c.get("outputs", []) for k in o.get("data", {})})
            raise AssertionError(f"JupyterLab never saved the run lesson (mtime {lesson.stat().st_mtime}, "
                                 f"now {time.time()}; output kinds in the file: {kinds})")
        page.wait_for_timeout(300)
    assert OLDER in "".join(saved["cells"][0]["source"])
    views = [o for c in saved["cells"] for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert not views, "saved with the static versions only (tmvlearn lab's pre-save hook)"
    report = workspace.prepare_workspace(ws, update=True)
    assert "01_biogenesis.ipynb" in report.updated, report.summary()
    assert "01_biogenesis.ipynb" not in report.kept_edited
    assert OLDER not in lesson.read_text(encoding="utf-8")

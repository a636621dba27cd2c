"""Fixtures of the real-browser tests (built on tests/browser_support.py).

One Chromium and one ``tmvlearn lab`` serve the whole session (each test gets a fresh page), and the
tests that use them run last, together: a live Playwright marks its event loop as running in this
thread, which the kernels' clients of the other tests (nbval, papermill, handouts) need not see.
"""

from __future__ import annotations

import browser_support
import pytest


def pytest_collection_modifyitems(config, items):
    """The tests that use the browser move to the end, in their order."""
    in_browser = [item for item in items if "browser" in getattr(item, "fixturenames", ())]
    if in_browser:
        others = [item for item in items if "browser" not in getattr(item, "fixturenames", ())]
        items[:] = others + in_browser


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the session."""
    if not browser_support.CHROMIUM:
        pytest.skip("needs Chromium (apt-get install chromium)")
    with browser_support.launched_browser() as browser:
        yield browser


@pytest.fixture
def page(browser):
    """A fresh page (1280x1400) in its own context: outside requests blocked and recorded, console
    errors recorded (see browser_support.new_page)."""
    with browser_support.new_page(browser) as page:
        yield page


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """`tmvlearn lab --no-browser` in a fresh workbook for learner ``browser-test``, for the session.

    Tests only open and run lessons in it; one that changes a lesson file does so in a folder of its
    own (tests/test_browser_lessons.py)."""
    if not browser_support.TMVLEARN:
        pytest.skip("needs an installed tmvlearn command")
    with browser_support.running_lab(tmp_path_factory.mktemp("lab")) as lab:
        yield lab

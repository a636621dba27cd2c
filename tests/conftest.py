"""Fixtures of the real-browser tests (built on tests/browser_support.py).

One Chromium and one ``tmvlearn lab`` serve the tests that use them (each test gets a fresh page).
Those tests run first, together, and the browser and JupyterLab are closed as soon as the last of
them is done: a live Playwright marks its event loop as running in this thread, and the quiz's
widgets defer a check to a running loop (tmvlearn.quiz.display.after_inputs), so the other tests
must never run beside it. First, because they are the longest: with pytest-xdist (``--dist
loadfile``, in collection order) their files start at once while the other workers share out the rest;
each worker that runs one has its own browser and JupyterLab.
"""

from __future__ import annotations

import browser_support
import pytest

SHARED = ("lab", "browser")  # session fixtures closed as soon as no further test needs them


def _in_browser(item) -> bool:
    return "browser" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    """The tests that use the browser move to the front, in their order."""
    items[:] = [item for item in items if _in_browser(item)] + [i for i in items if not _in_browser(i)]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last test that uses the browser (and the lab), close them."""
    result = yield
    if _in_browser(item) and (nextitem is None or not _in_browser(nextitem)):
        for name in SHARED:
            for fixturedef in item._fixtureinfo.name2fixturedefs.get(name, ()):
                fixturedef.finish(item._request)
    return result


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


@pytest.fixture
def learner_ada(tmp_path, monkeypatch):
    """Learner "ada", with progress and pending attempts in this test's own folders (used by the quiz
    tests: ``pytestmark = pytest.mark.usefixtures("learner_ada")``)."""
    monkeypatch.setenv("TMVLEARN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TMVLEARN_LEARNER", "ada")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

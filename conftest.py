"""Shared test setup for tests/ and the lesson notebooks.

No windows, and never the learner's real progress database: kernels started by nbval or papermill
inherit TMVLEARN_HOME, so they record (if anything) into a throwaway folder.
"""

import os
import tempfile

import matplotlib
import pytest

matplotlib.use("Agg")  # this process only; kernels keep Jupyter's inline backend
os.environ["TMVLEARN_HOME"] = tempfile.mkdtemp(prefix="tmvlearn-test-home-")
# Where the progress store keeps attempts it cannot put in the database: never the real one.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="tmvlearn-test-state-")


NOTEBOOK_MARKS = ("notebooks", "slow")  # what every lesson cell nbval collects is marked with


def pytest_collection_modifyitems(config, items):
    """Lesson cells collected by nbval run in a kernel: the `notebooks` and `slow` tiers."""
    for item in items:
        if item.path.suffix == ".ipynb":
            for mark in NOTEBOOK_MARKS:
                item.add_marker(mark)


def pytest_ignore_collect(collection_path, config):
    """A lesson whose cells ``-m`` rules out (``-m "not slow"``) is not read at all: nbval's reading
    of the lessons cost every xdist worker 0.7 s, only for their cells to be deselected."""
    if collection_path.suffix != ".ipynb" or not config.option.markexpr:
        return None
    try:
        from _pytest.mark.expression import Expression
    except ImportError:  # (a pytest without it: collected, then deselected as before)
        return None
    wanted = Expression.compile(config.option.markexpr).evaluate(lambda name, **_: name in NOTEBOOK_MARKS)
    return None if wanted else True


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (pyproject.toml): a worker per CPU for the whole suite or a tier of it; tests named
    on the command line run in this process, with no workers to start (PYTEST_XDIST_AUTO_NUM_WORKERS
    or ``-n N`` still choose)."""
    named = config.args_source == pytest.Config.ArgsSource.ARGS
    if named and not os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return 0
    return None  # pytest-xdist's own choice: the CPU count

"""Loaded by every test run (``-p lean_processes`` in pyproject.toml): test processes that do not
repeat work. ``benchmarks/tests_bench.py`` times the fast tier with and without it.

- **Byte-code caches** (``__pycache__``, which git ignores) even where ``PYTHONDONTWRITEBYTECODE`` is
  set, as in many Docker images and this project's sandbox: without them every xdist worker rewrites
  the asserts of all the test modules again (2.5 s of its 3-5 s collection), and every kernel and
  command the tests start compiles the package again.
- **A frozen heap once the tests are done.** A worker holds 300-560 thousand objects by then; pytest
  closes with two ``gc_collect_harder`` (five full collections each) and the interpreter with one more,
  and the controller waits for every worker to exit: 2-2.6 s from the last worker's last test to the
  end. One full collection first (so unreachable objects are finalised now and pytest still reports
  an error raised on the way), then ``gc.freeze()``: the closing passes skip what is frozen.
"""

from __future__ import annotations

import gc
import os
import sys

import pytest


def pytest_configure(config):
    # before the test modules are imported, and (in the controller) before xdist starts the workers,
    # which inherit the environment, as do kernels and commands
    sys.dont_write_bytecode = False
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    gc.collect()
    gc.freeze()

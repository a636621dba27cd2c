"""The examples in the docstrings of the models and the dataset API run and print what they show.

``doctest.testmod`` on each module as installed, rather than pytest's ``--doctest-modules``: CI
installs the package non-editable, and collecting the files under src/ would clash with that copy.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import tmvlearn.models

# the dataset API and every models module (a new model comes with examples, or this test fails)
MODULES = ["tmvlearn.datasets"] + sorted(f"tmvlearn.models.{info.name}"
                                         for info in pkgutil.iter_modules(tmvlearn.models.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    failed, attempted = doctest.testmod(module, report=False)
    assert attempted > 0, f"{name} has no docstring examples"
    assert failed == 0, f"{failed} of {attempted} examples in {name} failed (see the captured output)"

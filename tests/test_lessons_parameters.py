"""Lesson parameters are checked first, and the headless runner says what went wrong and where.

Each lesson's cell after its parameters cell calls ``check_parameters(SEED, QUIZ_MODE, INTERACTIVE)``,
so a bad value stops the lesson at once with one message naming the parameter and the values it
accepts. ``execute_notebook`` checks injected parameters against the lesson's declared ones before a
kernel starts, names a cell that runs too long, and explains a kernel that cannot start.
"""

from __future__ import annotations

import doctest
import sys

import nbformat
import numpy as np
import pytest

from tmvlearn import lessons
from tmvlearn.lessons import (
    CellTimeout,
    KernelStartError,
    LessonError,
    ParameterError,
    check_parameters,
    check_run_parameters,
    declared_parameters,
    execute_notebook,
    lesson_paths,
)

LESSONS = lesson_paths()
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def test_good_parameters_pass():
    assert check_parameters(0, "practice", True) is None
    assert check_parameters(7, "test", False) is None
    assert check_parameters(np.int64(3), "test", False) is None  # a numpy integer is a whole number


@pytest.mark.parametrize(("args", "named"), [
    (("x", "practice", True), "SEED must be a whole number of 0 or more, such as 0 or 7, not 'x' (str)"),
    ((1.5, "practice", True), "SEED must be a whole number of 0 or more, such as 0 or 7, not 1.5 (float)"),
    ((-1, "practice", True), "not -1 (int)"),
    ((True, "practice", True), "SEED must be a whole number"),
    ((0, 5, True), "QUIZ_MODE must be 'practice' (feedback at once) or 'test' (feedback at the end), "
                   "not 5 (int)"),
    ((0, "exam", True), "QUIZ_MODE must be 'practice'"),
    ((0, "practice", "maybe"), "INTERACTIVE must be True (widgets) or False (static figures and printed "
                               "quizzes), not 'maybe' (str)"),
    ((0, "practice", 1), "INTERACTIVE must be True"),
])
def test_each_bad_parameter_is_named_with_the_values_it_accepts(args, named):
    with pytest.raises(ParameterError) as err:
        check_parameters(*args)
    message = str(err.value)
    assert named in message
    assert message.startswith("lesson parameter ") and "-p SEED 7" in message
    assert isinstance(err.value, ValueError), "callers catching ValueError keep working"


def test_every_bad_parameter_is_named_in_one_message():
    with pytest.raises(ParameterError, match=r"^lesson parameters SEED .*; QUIZ_MODE .*; INTERACTIVE "):
        check_parameters("x", 5, "maybe")


def test_the_docstring_examples_run():
    failed, attempted = doctest.testmod(lessons, report=False)
    assert attempted > 0 and failed == 0


# --- the runner checks what it injects against the lesson's declared parameters -------------------

@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_declared_parameters_match_papermill(path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    expected = {name: info["default"] for name, info in papermill.inspect_notebook(str(path)).items()}
    with_papermill = declared_parameters(path)
    assert {k: repr(v) for k, v in with_papermill.items()} == {k: repr(eval(v)) for k, v in expected.items()}
    monkeypatch.setitem(sys.modules, "papermill", None)  # as when papermill is not installed
    assert declared_parameters(path) == with_papermill
    assert {"SEED": 0, "QUIZ_MODE": "practice", "INTERACTIVE": True}.items() <= with_papermill.items()


@pytest.mark.parametrize(("parameters", "message"), [
    ({"INTERACTIV": False}, "lesson 01_biogenesis has no parameter INTERACTIV; its parameters are: SEED, "
                            "QUIZ_MODE, INTERACTIVE"),
    ({"INTERACTIVE": "maybe"}, "parameter INTERACTIVE takes a bool (default True), not 'maybe' (str)"),
    ({"SEED": "x"}, "parameter SEED takes a int (default 0), not 'x' (str)"),
    ({"QUIZ_MODE": 5}, "parameter QUIZ_MODE takes a str (default 'practice'), not 5 (int)"),
    ({"QUIZ_MODE": "exam"}, "lesson 01_biogenesis: lesson parameter QUIZ_MODE must be 'practice'"),
    ({"SEED": -3}, "SEED must be a whole number of 0 or more"),
])
def test_the_runner_refuses_bad_parameters_before_any_kernel_starts(parameters, message, monkeypatch):
    path = next(p for p in LESSONS if p.stem.startswith("01"))

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr("nbclient.NotebookClient.execute", no_kernel)
    with pytest.raises(ParameterError) as err:
        execute_notebook(path, parameters=parameters)
    assert message in str(err.value)
    check_run_parameters(path, {"INTERACTIVE": False, "SEED": 7, "QUIZ_MODE": "test"})  # fine


def _notebook(tmp_path, *sources: str, params: str = "SEED = 0\nQUIZ_MODE = 'practice'\nINTERACTIVE = True"):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": KERNELSPEC})
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Lesson 0: Tiny"), cell,
                *(nbformat.v4.new_code_cell(s) for s in sources)]
    path = tmp_path / "00_tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_kernel_without_loopback_says_so_at_once(tmp_path, monkeypatch):
    import socket

    class NoLoopback(socket.socket):
        def connect(self, address):
            raise OSError(101, "Network is unreachable")

    monkeypatch.setattr(lessons.socket, "socket", NoLoopback)
    with pytest.raises(KernelStartError, match=r"no working loopback network interface \(127\.0\.0\.1: "
                                               r"Network is unreachable\).*ip link set lo up"):
        execute_notebook(_notebook(tmp_path, "print(1)"))


def test_a_kernel_that_does_not_exist_is_explained(tmp_path, monkeypatch):
    monkeypatch.setattr(lessons, "KERNEL", "no-such-kernel-here")
    expected = r"lesson 00_tiny: the Jupyter kernel 'no-such-kernel-here' did not start .*ipykernel"
    with pytest.raises(KernelStartError, match=expected):
        execute_notebook(_notebook(tmp_path, "print(1)"))


@pytest.mark.slow
def test_injected_parameters_reach_the_lesson_and_a_failing_cell_is_named(tmp_path):
    path = _notebook(tmp_path, "from tmvlearn.lessons import check_parameters\n"
                               "check_parameters(SEED, QUIZ_MODE, INTERACTIVE)\n"
                               "print(SEED, QUIZ_MODE, INTERACTIVE)",
                     "x = 1\n1 / 0")
    with pytest.raises(LessonError) as err:
        execute_notebook(path, parameters={"SEED": 7, "INTERACTIVE": False})
    assert str(err.value) == ("lesson 00_tiny failed to execute at cell 4 ('x = 1'): ZeroDivisionError: "
                              "division by zero")


@pytest.mark.slow
def test_a_cell_that_never_ends_is_reported_as_timed_out_at_that_cell(tmp_path):
    path = _notebook(tmp_path, "x = 1", "import time\ntime.sleep(3600)", "print('never')")
    with pytest.raises(CellTimeout) as err:
        execute_notebook(path, timeout=3, parameters={"SEED": 1})
    assert str(err.value).startswith("lesson 00_tiny timed out after 3 s at cell 4 ('import time'); ")
    assert "KeyboardInterrupt" not in str(err.value)


@pytest.mark.slow
@pytest.mark.notebooks
@pytest.mark.parametrize(("name", "value"), [("SEED", "x"), ("QUIZ_MODE", 5), ("INTERACTIVE", "maybe")])
def test_a_lesson_run_by_papermill_stops_at_its_check_naming_the_parameter(name, value, tmp_path):
    papermill = pytest.importorskip("papermill")
    path = LESSONS[0]
    with pytest.raises(papermill.PapermillExecutionError) as err:
        papermill.execute_notebook(str(path), str(tmp_path / path.name), parameters={name: value},
                                   kernel_name="python3", cwd=str(tmp_path), progress_bar=False)
    assert err.value.ename == "ParameterError"
    assert f"lesson parameter {name} must be" in err.value.evalue
    executed = nbformat.read(tmp_path / path.name, as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    failed = next(i for i, c in enumerate(code) if any(o.output_type == "error" for o in c.outputs))
    assert "check_parameters(SEED, QUIZ_MODE, INTERACTIVE)" in code[failed].source
    assert failed <= 2, "stops in the cell right after the parameters (and papermill's injected) cells"

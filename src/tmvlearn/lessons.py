"""Find, list and run the lesson notebooks headless; check the lessons' parameters.

Maintainers re-execute the lessons in place before committing them (nbval then checks that a fresh
run reproduces every stored text output)::

    tmvlearn lessons                  # list the lessons and their titles
    tmvlearn lessons run              # re-execute every lesson, in place
    tmvlearn lessons run 01 03        # lessons whose name starts with 01 or 03

(``python -m tmvlearn.lessons 01 03`` is an alias of ``tmvlearn lessons run 01 03``.)

Outputs are written without widget state, widget views or timing metadata, so a re-run does not
churn git: a widget view holds a random model id and shows nothing until its cell runs again, while
the static fallback every explorer and quiz carries (figure, alt text, printed questions) reads
anywhere.

Every lesson has the same three parameters (its cell tagged ``parameters``): ``SEED``,
``QUIZ_MODE`` and ``INTERACTIVE``. Its next cell calls :func:`check_parameters`, so a run with a
bad value (``papermill -p SEED x``) stops there with one message naming the parameter and the
values it accepts. :func:`execute_notebook` also checks, before starting a kernel, the parameters
it is asked to inject against the lesson's declared ones (names and types, as papermill's
``inspect_notebook`` reports them).
"""

from __future__ import annotations

import ast
import contextlib
import json
import numbers
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tmvlearn._resources import notebooks_dir
from tmvlearn.errors import TmvlearnError

KERNEL = "python3"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


DEFAULT_TIMEOUT = 600  # seconds a single cell may run (a generous limit: lessons' cells take seconds)
QUIZ_MODES = ("practice", "test")  # a quiz's modes, everywhere (answers in both count as quiz answers)


class LessonError(TmvlearnError, ValueError):
    """No lesson matches what was asked for, a lesson file cannot be read, or a lesson failed to run;
    the message says which lesson (and cell) and what to do."""


class ParameterError(LessonError):
    """A lesson parameter has a value the lesson cannot use; the message names it and the allowed values."""


class KernelStartError(LessonError):
    """The Jupyter kernel that runs a lesson could not start; the message says why and what to check."""


class CellTimeout(LessonError):
    """A cell ran longer than the time limit; the message names the lesson, the cell and the limit."""


def check_parameters(SEED: Any, QUIZ_MODE: Any, INTERACTIVE: Any) -> None:  # named as the lessons name them
    """Stop a lesson at once when a parameter cannot be used, naming it and the values it accepts.

    ``SEED``: a whole number of 0 or more; ``QUIZ_MODE``: ``"practice"`` or ``"test"``;
    ``INTERACTIVE``: ``True`` or ``False``. Every lesson calls this in the cell after its
    parameters cell. Raises :class:`ParameterError` (every bad parameter in one message); returns
    nothing.

    >>> check_parameters(7, "test", False)
    >>> check_parameters("x", "test", False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tmvlearn.lessons.ParameterError: lesson parameter SEED must be a whole number of 0 or more, ...
    """
    problems = []
    if isinstance(SEED, bool) or not isinstance(SEED, numbers.Integral) or SEED < 0:
        problems.append(f"SEED must be a whole number of 0 or more, such as 0 or 7, not {_shown(SEED)}")
    if not isinstance(QUIZ_MODE, str) or QUIZ_MODE not in QUIZ_MODES:
        problems.append(f"QUIZ_MODE must be 'practice' (feedback at once) or 'test' (feedback at the end), "
                        f"not {_shown(QUIZ_MODE)}")
    if not isinstance(INTERACTIVE, bool):
        problems.append(f"INTERACTIVE must be True (widgets) or False (static figures and printed quizzes), "
                        f"not {_shown(INTERACTIVE)}")
    if problems:
        them = "them" if len(problems) > 1 else "it"
        raise ParameterError(
            f"lesson parameter{'s' if len(problems) > 1 else ''} " + "; ".join(problems)
            + f". Set {them} in the lesson's parameters cell, or give {them} to papermill as -p NAME VALUE "
            "(for example -p SEED 7 -p QUIZ_MODE test -p INTERACTIVE False)."
        )


def _shown(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def lesson_paths(folder: Path | None = None) -> list[Path]:
    """The lesson notebooks (``NN_name.ipynb``) in ``folder`` (default: the shipped lessons), in order."""
    return sorted((folder or notebooks_dir()).glob("[0-9][0-9]_*.ipynb"))


def select_lessons(prefixes: list[str], folder: Path | None = None) -> list[Path]:
    """Lessons whose file name starts with one of ``prefixes`` (all lessons when empty)."""
    paths = lesson_paths(folder)
    if not prefixes:
        return paths
    chosen = [p for p in paths if any(p.name.startswith(pre) for pre in prefixes)]
    unknown = [pre for pre in prefixes if not any(p.name.startswith(pre) for p in paths)]
    if unknown:
        names = ", ".join(p.stem for p in paths)
        raise LessonError(f"no lesson matches {', '.join(unknown)}; the lessons are: {names}")
    return chosen


def notebook_title(notebook: Mapping[str, Any]) -> str:
    """The lesson's title: the first ``# `` heading of its markdown cells ("Lesson" if there is none).

    ``notebook`` is an ``nbformat.NotebookNode`` or the notebook's JSON as read by :mod:`json`.
    """
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            for line in (source if isinstance(source, str) else "".join(source)).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Lesson"


def lesson_title(path: Path) -> str:
    """The title of the lesson notebook at ``path`` (read as plain JSON: fast, no nbformat)."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LessonError(f"cannot read the lesson {path}: {exc}") from None
    return notebook_title(notebook)


def declared_parameters(path: Path) -> dict[str, Any]:
    """The parameters a notebook declares in its cell tagged ``parameters``: name -> default value.

    Read with papermill's ``inspect_notebook`` when papermill is installed (so a run checks exactly
    what papermill would inject into), else from the cell's plain assignments. A default that is not
    a plain literal is given as its source text.
    """
    try:
        import papermill
    except ImportError:
        papermill = None
    if papermill is not None:
        found = papermill.inspect_notebook(str(path))
        return {name: _literal(info.get("default")) for name, info in found.items()}
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    cell = next((c for c in notebook.cells if c.cell_type == "code"
                 and "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        return {}
    out = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out[node.targets[0].id] = _literal(ast.get_source_segment(cell.source, node.value))
    return out


class _Expression(str):
    """A default that is not a plain literal (its source text): its type is unknown."""


def _literal(source: Any) -> Any:
    try:
        return ast.literal_eval(source) if isinstance(source, str) else source
    except (ValueError, SyntaxError):
        return _Expression(source)


def check_run_parameters(path: Path, parameters: Mapping[str, Any]) -> None:
    """Refuse, before any kernel starts, parameters that ``path`` does not declare or of another type.

    papermill only warns about an unknown name (and the lesson then runs with its default); this
    raises :class:`ParameterError` naming the lesson, the parameter and what it accepts. The three
    standard parameters are also checked with :func:`check_parameters`.
    """
    declared = declared_parameters(path)
    name = Path(path).stem
    if not declared:
        raise ParameterError(f"lesson {name} has no cell tagged 'parameters', so it cannot be run with "
                             f"{', '.join(parameters)}; tag its parameters cell 'parameters'")
    for key, value in parameters.items():
        if key not in declared:
            raise ParameterError(f"lesson {name} has no parameter {key}; its parameters are: "
                                 f"{', '.join(declared)}")
        default = declared[key]
        if default is None or isinstance(default, _Expression):
            continue  # no type to compare with
        expected = type(default)
        fits = (isinstance(value, expected) and isinstance(value, bool) == isinstance(default, bool)
                or expected is float and isinstance(value, int) and not isinstance(value, bool))
        if not fits:
            raise ParameterError(f"lesson {name}: parameter {key} takes a {expected.__name__} "
                                 f"(default {default!r}), not {_shown(value)}")
    standard = {"SEED", "QUIZ_MODE", "INTERACTIVE"}
    if standard <= set(declared):
        merged = {k: declared[k] for k in standard} | {k: v for k, v in parameters.items() if k in standard}
        try:
            check_parameters(**merged)
        except ParameterError as exc:
            raise ParameterError(f"lesson {name}: {exc}") from None


def inject_parameters(notebook, parameters: Mapping[str, Any]) -> None:
    """Add a cell tagged ``injected-parameters`` after the ``parameters`` cell, as papermill does."""
    from nbformat.v4 import new_code_cell

    lines = ["# Parameters injected by tmvlearn"]
    lines += [f"{key} = {value!r}" for key, value in parameters.items()]
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            injected = new_code_cell("\n".join(lines))
            injected.metadata["tags"] = ["injected-parameters"]
            notebook.cells.insert(index + 1, injected)
            return
    raise ParameterError("the lesson has no cell tagged 'parameters' to inject parameters after")


def check_loopback() -> None:
    """Jupyter kernels talk to their runner over 127.0.0.1: say so at once if that cannot work."""
    try:  # binding alone succeeds while the interface is down; a connection does not
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server, \
                socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            client.settimeout(5)
            client.connect(server.getsockname())
    except OSError as exc:
        raise KernelStartError(
            f"the Jupyter kernel cannot start: this machine has no working loopback network interface "
            f"(127.0.0.1: {exc.strerror or exc}). Kernels talk to the program that runs them over "
            "127.0.0.1; bring the interface up (as root: ip link set lo up) or run outside the sandbox "
            "that removed it."
        ) from None


def _cell_label(notebook, index: int) -> str:
    """'cell N (first line)', N counting the cells as the author wrote them (injected ones not counted)."""
    cells = notebook.cells
    number = sum(1 for c in cells[:index + 1] if "injected-parameters" not in c.metadata.get("tags", []))
    first = next((line for line in cells[index].source.splitlines() if line.strip()), "")
    return f"cell {number} ({first[:60]!r})"


def execute_notebook(path: Path, *, notebook=None, timeout: int = DEFAULT_TIMEOUT, cwd: Path | None = None,
                     parameters: Mapping[str, Any] | None = None):
    """Execute a notebook headless and return it (an ``nbformat.NotebookNode``), outputs filled in.

    ``notebook`` is the already-read (possibly modified) content of ``path``; by default it is read
    from ``path``. ``parameters`` are checked against the ones ``path`` declares
    (:func:`check_run_parameters`) and injected after its parameters cell. Cells run in ``cwd``
    (default: the notebook's folder, as nbval and JupyterLab do); each may run ``timeout`` seconds.
    Widget state and per-cell timings are not stored.

    Raises a :class:`LessonError` naming the lesson and cell: :class:`ParameterError`,
    :class:`KernelStartError` (the kernel did not start, with the reason), :class:`CellTimeout`
    ("timed out after N s at cell K"), or ``LessonError`` for a cell that failed (that cell keeps its
    error output, so :func:`failed_cell` names it) or a kernel that died.
    """
    import atexit

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    if parameters:
        check_run_parameters(path, parameters)
    if notebook is None:
        notebook = nbformat.read(path, as_version=4)
    if parameters:
        inject_parameters(notebook, parameters)
    check_loopback()
    started: list[int] = []
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name=KERNEL, record_timing=False,
        store_widget_state=False, resources={"metadata": {"path": str(cwd or path.parent)}},
        on_cell_start=lambda cell, cell_index: started.append(cell_index),
    )
    name = path.stem
    try:
        # The kernel's own stderr holds only start-up chatter; cell errors arrive through outputs.
        client.execute(stderr=subprocess.DEVNULL)
    except CellTimeoutError:
        where = _cell_label(notebook, started[-1]) if started else "a cell"
        raise CellTimeout(f"lesson {name} timed out after {timeout:g} s at {where}; make that cell "
                          "faster, or allow more time (tmvlearn handouts --timeout SECONDS)") from None
    except CellExecutionError:
        raise LessonError(f"lesson {name} failed to execute at {failed_cell(notebook)}") from None
    except DeadKernelError as exc:
        where = _cell_label(notebook, started[-1]) if started else "start-up"
        raise LessonError(f"lesson {name}: the kernel died at {where} ({exc}); it may have run out of "
                          "memory") from None
    except Exception as exc:
        if started:
            raise LessonError(f"lesson {name} stopped at {_cell_label(notebook, started[-1])}: "
                              f"{type(exc).__name__}: {exc}") from None
        with contextlib.suppress(Exception):
            atexit.unregister(client._cleanup_kernel)  # nothing to clean up: no noise at exit
        raise KernelStartError(
            f"lesson {name}: the Jupyter kernel {KERNEL!r} did not start ({type(exc).__name__}: {exc}). "
            "Check that ipykernel is installed in this environment (python -m ipykernel install --user) "
            "and that nothing blocks connections to 127.0.0.1."
        ) from None
    return notebook


def failed_cell(notebook) -> str:
    """'cell N (first line of its code): ErrorName: message' for the first cell with an error output.

    N counts the cells of the lesson as its author wrote it (injected parameter cells not counted).
    """
    cells = [c for c in notebook.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    for index, cell in enumerate(cells, 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first = next((line for line in cell.source.splitlines() if line.strip()), "")
                return f"cell {index} ({first[:60]!r}): {output.get('ename')}: {output.get('evalue')}"
    return "a cell (no error output was recorded)"


def drop_widget_views(notebook) -> None:
    """Remove widget views from every output; the static fallbacks beside them stay."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)


#: What a saved output must hold besides the widget view for the view to be left out of the file.
STATIC_VIEWS = ("text/html", "image/png", "image/svg+xml", "text/markdown")


def keep_static_views(model: dict, **_context) -> None:
    """jupyter_server's ``ContentsManager.pre_save_hook``: save each explorer, quiz and flashcard deck
    as its static version, not as a view of a live widget.

    JupyterLab shows a saved widget view whose kernel is gone as "Error displaying widget: model not
    found" even when the same output holds a static version (jupyterlab#15361, ipywidgets#3773). So
    the file keeps the static version (figure, quiz as text) and the live widget stays on screen until
    the lesson is closed; running the cell again brings it back. Outputs with no static version (a
    plain widget) are saved as they are. ``tmvlearn lab`` and the hub configure this hook.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    for cell in model["content"].get("cells", []):
        for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
            data = output.get("data") if isinstance(output, dict) else None
            if isinstance(data, dict) and WIDGET_VIEW in data and any(k in data for k in STATIC_VIEWS):
                del data[WIDGET_VIEW]


def rerun_in_place(path: Path, *, timeout: int = DEFAULT_TIMEOUT) -> None:
    """Execute the lesson at ``path`` headless and write it back without widget views.

    Raises a :class:`LessonError` naming the cell when one fails (the file is then left as it was).
    The new content is written under a temporary name and renamed into place.
    """
    import nbformat

    from tmvlearn._files import write_atomically

    notebook = execute_notebook(path, timeout=timeout)
    drop_widget_views(notebook)
    text = nbformat.writes(notebook)
    write_atomically(path, text if text.endswith("\n") else text + "\n", force=True, error=LessonError)


if __name__ == "__main__":  # python -m tmvlearn.lessons ARGS: an alias of `tmvlearn lessons run ARGS`
    from tmvlearn.cli import main

    sys.exit(main(["lessons", "run", *sys.argv[1:]]))

"""Find, list and run the lesson notebooks headless.

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
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tmvlearn._resources import notebooks_dir
from tmvlearn.errors import TmvlearnError

KERNEL = "python3"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class LessonError(TmvlearnError, ValueError):
    """No lesson matches what was asked for, or a lesson file cannot be read; the message says which."""


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


def execute_notebook(path: Path, *, notebook=None, timeout: int = 600, cwd: Path | None = None):
    """Execute a notebook headless and return it (an ``nbformat.NotebookNode``), outputs filled in.

    ``notebook`` is the already-read (possibly modified) content of ``path``; by default it is read
    from ``path``. Cells run in ``cwd`` (default: the notebook's folder, as nbval and JupyterLab
    do). Widget state and per-cell timings are not stored. Raises
    ``nbclient.exceptions.CellExecutionError`` when a cell fails; the failing cell keeps its error
    output, so :func:`failed_cell` can name it.
    """
    import nbformat
    from nbclient import NotebookClient

    if notebook is None:
        notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name=KERNEL, record_timing=False,
        store_widget_state=False, resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    # The kernel's own stderr holds only start-up chatter; cell errors arrive through outputs.
    client.execute(stderr=subprocess.DEVNULL)
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


def rerun_in_place(path: Path, *, timeout: int = 600) -> None:
    """Execute the lesson at ``path`` headless and write it back without widget views.

    Raises ``nbclient.exceptions.CellExecutionError`` when a cell fails (the file is then left as
    it was).
    """
    import nbformat

    notebook = execute_notebook(path, timeout=timeout)
    drop_widget_views(notebook)
    nbformat.write(notebook, path)


if __name__ == "__main__":  # python -m tmvlearn.lessons ARGS: an alias of `tmvlearn lessons run ARGS`
    from tmvlearn.cli import main

    sys.exit(main(["lessons", "run", *sys.argv[1:]]))

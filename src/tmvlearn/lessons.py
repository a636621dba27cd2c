"""Find and run the lesson notebooks headless.

Maintainers re-execute the lessons in place before committing them (nbval then checks that a fresh
run reproduces every stored text output)::

    python -m tmvlearn.lessons            # every lesson, in place
    python -m tmvlearn.lessons 01 03      # lessons whose name starts with 01 or 03

Outputs are written without widget state or timing metadata, so a re-run does not churn git.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tmvlearn._resources import notebooks_dir

KERNEL = "python3"


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
        raise ValueError(f"no lesson matches {', '.join(unknown)}; the lessons are: {names}")
    return chosen


def execute_notebook(path: Path, *, timeout: int = 600, cwd: Path | None = None):
    """Execute a notebook headless and return it (an ``nbformat.NotebookNode``), outputs filled in.

    Cells run in ``cwd`` (default: the notebook's folder, as nbval and JupyterLab do). Widget state
    and per-cell timings are not stored. Raises ``nbclient.exceptions.CellExecutionError`` (which
    names the cell and shows its traceback) when a cell fails.
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name=KERNEL, record_timing=False,
        store_widget_state=False, resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    client.execute()
    return notebook


def main(argv: list[str] | None = None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(prog="python -m tmvlearn.lessons", description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson name prefixes, e.g. 01 (default: all)")
    args = parser.parse_args(argv)
    try:
        paths = select_lessons(args.lessons)
    except ValueError as exc:
        parser.error(str(exc))
    for path in paths:
        start = time.perf_counter()
        notebook = execute_notebook(path)
        nbformat.write(notebook, path)
        print(f"{path.name}: executed in {time.perf_counter() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The `tmvlearn` command as a whole: one error line per failure, light start-up, lessons listed and run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tmvlearn import cli, lessons
from tmvlearn.cli import main
from tmvlearn.errors import TmvlearnError, UsageError


def test_every_subcommand_is_listed_in_the_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for name in cli.SUBCOMMANDS:
        assert f"    {name} " in out, name


def test_help_loads_no_heavy_library():
    code = ("import sys; from tmvlearn.cli import build_parser; build_parser(); "
            "print([m for m in ('matplotlib', 'ipywidgets', 'networkx', 'nbformat', 'nbclient', 'nbconvert', "
            "'IPython', 'yaml', 'pydantic', 'tmvlearn.quiz', 'tmvlearn.workspace', 'tmvlearn.handouts') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


HELP_COMMANDS = [["--help"], *([name, "--help"] for name in cli.SUBCOMMANDS),
                 ["quiz", "check", "--help"], ["lessons", "run", "--help"], ["--version"]]


def test_help_and_version_import_neither_pandas_nor_numpy():
    """`tmvlearn --help`, every `tmvlearn COMMAND --help` and `--version`, in one fresh interpreter:
    the first command that loads pandas or numpy is named."""
    code = (
        "import contextlib, io, sys\n"
        "from tmvlearn.cli import main\n"
        f"for argv in {HELP_COMMANDS!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        main(argv)\n"
        "    loaded = [m for m in ('pandas', 'numpy', 'matplotlib') if m in sys.modules]\n"
        "    if loaded:\n"
        "        print(' '.join(argv), 'loads', loaded)\n"
        "        break\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_import_tmvlearn_is_light_and_its_api_loads_on_first_use():
    code = (
        "import sys, tmvlearn\n"
        "light = ('pandas', 'numpy', 'tmvlearn.datasets', 'importlib.metadata')\n"
        "print([m for m in light if m in sys.modules])\n"
        "from tmvlearn import DatasetError, load_dataset\n"
        "print(tmvlearn.load_dataset is load_dataset, issubclass(DatasetError, ValueError), "
        "type(tmvlearn.__version__).__name__, tmvlearn.datasets.list_datasets is tmvlearn.list_datasets, "
        "'pandas' in sys.modules)\n"
        "print(set(tmvlearn.__all__) <= set(dir(tmvlearn)))\n"
        "print(hasattr(tmvlearn, 'no_such_name'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "True True str True True", "True", "False"]


def test_a_package_error_is_one_line_with_its_exit_code(monkeypatch, capsys):
    def broken(folder=None):
        raise TmvlearnError("the lessons folder is damaged:\n  reinstall tmvlearn", exit_code=5)

    monkeypatch.setattr(lessons, "lesson_paths", broken)
    assert main(["lessons"]) == 5
    err = capsys.readouterr().err
    assert err == "tmvlearn lessons: error: the lessons folder is damaged: reinstall tmvlearn\n"
    assert UsageError("x").exit_code == 2 and TmvlearnError("x").exit_code == 2


def test_ctrl_c_exits_130(monkeypatch):
    def interrupted(folder=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(lessons, "lesson_paths", interrupted)
    assert main(["lessons"]) == 130


def test_output_piped_into_head_ends_quietly():
    # `tmvlearn ... | head`: the reader stops early; no traceback, the shell's SIGPIPE code.
    proc = subprocess.Popen([sys.executable, "-m", "tmvlearn.cli", "results", "--sample", "--items",
                             "--limit", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_every_domain_error_is_a_tmvlearn_error():
    from tmvlearn.datasets import DatasetError
    from tmvlearn.handouts import HandoutError
    from tmvlearn.lessons import LessonError
    from tmvlearn.models.networks import NetworkError
    from tmvlearn.workspace import WorkspaceError

    for error in (DatasetError, HandoutError, LessonError, NetworkError, WorkspaceError):
        assert issubclass(error, TmvlearnError), error
    for error in (DatasetError, LessonError, NetworkError):
        assert issubclass(error, ValueError), error  # callers catching ValueError keep working
    assert HandoutError("x").exit_code == 1 and DatasetError("x").exit_code == 2


# --- tmvlearn lessons -------------------------------------------------------------------------

def test_lessons_lists_every_lesson_with_its_title(capsys):
    assert main(["lessons"]) == 0
    out = capsys.readouterr().out.splitlines()
    paths = lessons.lesson_paths()
    assert len(out) == len(paths)
    for line, path in zip(out, paths, strict=True):
        stem, title = line.split(None, 1)
        assert stem == path.stem
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first_markdown = next(cell for cell in cells if cell["cell_type"] == "markdown")
        assert "".join(first_markdown["source"]).startswith(f"# {title}\n")
    assert out[0].startswith("00_start_here") and "Lesson 0" in out[0]


def test_lessons_run_reruns_the_chosen_lessons_in_place(monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(lessons, "rerun_in_place", lambda path, **options: ran.append(path))
    assert main(["lessons", "run", "01", "03"]) == 0
    assert [p.name[:2] for p in ran] == ["01", "03"]
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == [p.name for p in ran]
    assert all(" executed in " in line and line.endswith(" s") for line in out)


def test_lessons_run_names_an_unknown_prefix(capsys):
    assert main(["lessons", "run", "99"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tmvlearn lessons: error: no lesson matches 99; the lessons are: 00_start_here,")
    assert err.count("\n") == 1


def test_python_m_tmvlearn_lessons_is_an_alias_of_lessons_run():
    def alias(*args):
        command = [sys.executable, "-m", "tmvlearn.lessons", *args]
        return subprocess.run(command, capture_output=True, text=True)

    done = alias("99")
    assert done.returncode == 2
    assert done.stderr.startswith("tmvlearn lessons: error: no lesson matches 99")
    usage = alias("--help")
    assert usage.returncode == 0 and usage.stdout.startswith("usage: tmvlearn lessons run")


@pytest.mark.notebooks
@pytest.mark.slow  # starts a kernel
def test_rerun_in_place_writes_outputs_without_widget_views(tmp_path):
    import nbformat

    path = tmp_path / "00_tiny.ipynb"
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": kernel})
    view = {lessons.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
            "text/plain": "the static fallback"}
    notebook.cells = [nbformat.v4.new_markdown_cell("# Lesson 0: Tiny"),
                      nbformat.v4.new_code_cell(f"print(6 * 7)\ndisplay({view!r}, raw=True)")]
    nbformat.write(notebook, path)
    lessons.rerun_in_place(path)
    printed, shown = nbformat.read(path, as_version=4).cells[1].outputs
    assert printed["text"] == "42\n"
    assert shown["data"] == {"text/plain": "the static fallback"}, "no widget view; its fallback stays"
    assert lessons.lesson_title(path) == "Lesson 0: Tiny"


@pytest.mark.slow
def test_lessons_run_names_a_failing_cell_in_one_line_and_leaves_the_file(tmp_path, monkeypatch, capsys):
    import nbformat

    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": kernel})
    notebook.cells = [nbformat.v4.new_markdown_cell("# Lesson 0: Broken"),
                      nbformat.v4.new_code_cell("x = 1\n1 / 0")]
    path = tmp_path / "00_broken.ipynb"
    nbformat.write(notebook, path)
    before = path.read_bytes()
    monkeypatch.setattr(lessons, "notebooks_dir", lambda: tmp_path)
    assert main(["lessons", "run", "00"]) == 2
    err = capsys.readouterr().err
    assert err == ("tmvlearn lessons: error: lesson 00_broken failed to execute at cell 2 ('x = 1'): "
                   "ZeroDivisionError: division by zero\n")
    assert path.read_bytes() == before

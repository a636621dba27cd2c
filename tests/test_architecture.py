"""The package's shape: every module imports on its own, dependencies point one way, and only the
question types know the concrete question classes."""

import ast
import functools
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import tmvlearn
from tmvlearn.quiz.questions import QUESTION_TYPES

PACKAGE = Path(tmvlearn.__file__).parent
MODULES = sorted(m.name for m in pkgutil.walk_packages([str(PACKAGE)], "tmvlearn.")
                 if not m.name.endswith("__main__"))  # running those starts the command
TYPE_MODULES = "tmvlearn.quiz.questions"


@functools.cache
def _imports(module: str) -> tuple[frozenset[str], frozenset[str]]:
    """(modules imported, names imported from tmvlearn modules) by one module's source."""
    path = PACKAGE.joinpath(*module.split(".")[1:])
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules, names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            if node.module.startswith("tmvlearn"):
                names |= {alias.name for alias in node.names}
    return frozenset(modules), frozenset(names)


@pytest.mark.slow  # a fresh interpreter imports every module anew: seconds
def test_every_module_imports_alone_in_a_fresh_interpreter():
    """An import cycle shows up as an ImportError when the cycle is entered from one of its modules:
    each module is imported first, with no tmvlearn module loaded before it."""
    code = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {MODULES!r}:\n"
        "    for loaded in [m for m in sys.modules if m == 'tmvlearn' or m.startswith('tmvlearn.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {type(exc).__name__}: {exc}')\n"
        "print('\\n'.join(failed))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", done.stdout
    assert len(MODULES) > 30, MODULES


def test_nothing_imports_up_into_the_command_line():
    for module in MODULES:
        if module == "tmvlearn.cli" or module.startswith("tmvlearn.cli."):
            continue
        imported, _ = _imports(module)
        upward = {m for m in imported if m == "tmvlearn.cli" or m.startswith("tmvlearn.cli.")}
        if module == "tmvlearn.lessons":  # its `python -m` alias, inside `if __name__ == "__main__"` only
            source = (PACKAGE / "lessons.py").read_text(encoding="utf-8")
            main_block = source.split('if __name__ == "__main__":', 1)[-1]
            assert all(f"import {m.split('.')[-1]}" in main_block or m in main_block for m in upward)
            continue
        assert not upward, f"{module} imports {upward}"


def test_only_the_question_types_name_the_concrete_question_classes():
    classes = {cls.__name__ for cls in QUESTION_TYPES.values()}
    for module in MODULES:
        if module == TYPE_MODULES or module.startswith(TYPE_MODULES + "."):
            continue
        _, names = _imports(module)
        assert not names & classes, f"{module} imports {names & classes}: ask the question type instead"


def test_models_depend_on_no_plotting_widget_or_quiz_code():
    for module in MODULES:
        if module.startswith("tmvlearn.models"):
            imported, _ = _imports(module)
            bad = {m for m in imported if m.split(".")[0] in ("matplotlib", "ipywidgets")
                   or m.startswith(("tmvlearn.explorers", "tmvlearn.quiz", "tmvlearn.plots"))}
            assert not bad, f"{module} imports {bad}"

"""The package's shape: every module imports on its own, no module imports in a circle, none is over
700 lines, dependencies point one way, and only the question types know the concrete question classes."""

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

import tmvlearn
from tmvlearn.quiz.questions import QUESTION_TYPES

PACKAGE = Path(tmvlearn.__file__).parent
# every module, read from the files (pkgutil.walk_packages would import each package to find its
# modules: matplotlib, pandas and networkx in every pytest worker, at collection); not __main__, whose
# running starts the command
MODULES = sorted(".".join(("tmvlearn", *file.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
    ".__init__") for file in PACKAGE.rglob("*.py") if file.stem != "__main__")
TYPE_MODULES = "tmvlearn.quiz.questions"
MAX_LINES = 700


@functools.cache
def _tree(module: str) -> ast.Module:
    """One module's syntax tree, parsed once for every test here (read, never changed)."""
    return ast.parse(_source(module).read_text(encoding="utf-8"))


@functools.cache
def _imports(module: str) -> tuple[frozenset[str], frozenset[str]]:
    """(modules imported, names imported from tmvlearn modules) by one module's source."""
    modules, names = set(), set()
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            if node.module.startswith("tmvlearn"):
                names |= {alias.name for alias in node.names}
    return frozenset(modules), frozenset(names)


def _source(module: str) -> Path:
    path = PACKAGE.joinpath(*module.split(".")[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _is_main_block(test: ast.expr) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def _imported_modules(module: str) -> set[str]:
    """The tmvlearn modules ``module`` imports, at module level or inside functions alike; not those
    only imported for type checkers (``if TYPE_CHECKING:``) or when run as a script (``if __name__ ==
    "__main__":``). Relative imports are resolved; ``from package import name`` counts the
    submodule ``package.name`` when there is one, else ``package``. Importing a module runs the
    packages above it first, so they count too, except ``module``'s own (already being imported)."""
    known = set(MODULES) | {"tmvlearn"}
    is_package = _source(module).name == "__init__.py"
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and (_is_type_checking(node.test) or _is_main_block(node.test)):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                while name not in known and "." in name:
                    name = name.rsplit(".", 1)[0]
                if name in known:
                    found.add(name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    found.add(f"{base}.{alias.name}")
                elif base in known:
                    found.add(base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(_tree(module))
    parts = module.split(".")
    own = {".".join(parts[:n]) for n in range(1, len(parts) + 1)}
    above = {".".join(name.split(".")[:n]) for name in found for n in range(1, name.count(".") + 1)}
    return (found | above) - own


def import_graph() -> dict[str, set[str]]:
    """Every tmvlearn module -> the tmvlearn modules it imports (see :func:`_imported_modules`)."""
    return {module: _imported_modules(module) for module in ["tmvlearn", *MODULES]}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(found)


def _a_path(graph: dict[str, set[str]], component: list[str]) -> str:
    """One circle through the component, as "a -> b -> a", to say where to cut it."""
    members = set(component)
    start = component[0]
    path, seen = [start], {start}
    while True:
        nxt = sorted(n for n in graph[path[-1]] if n in members)
        back = [n for n in nxt if n == start]
        if back and len(path) > 1:
            return " -> ".join(path + [start])
        fresh = [n for n in nxt if n not in seen]
        if not fresh:  # closes on a module other than the start
            closing = next(n for n in nxt if n in seen)
            return " -> ".join(path[path.index(closing):] + [closing])
        path.append(fresh[0])
        seen.add(fresh[0])


def test_the_circle_finder_finds_circles_and_only_circles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e", "f"}, "f": set()}
    assert circles(graph) == [["a", "b", "c"]]
    assert _a_path(graph, ["a", "b", "c"]) == "a -> b -> c -> a"
    assert circles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_counts_function_level_imports_and_the_packages_run_on_the_way():
    graph = import_graph()
    assert "tmvlearn.progress.store" in graph["tmvlearn.progress"], "a package's own modules count"
    assert "tmvlearn.progress" in graph["tmvlearn.quiz.display"], "imports inside functions count"
    assert "tmvlearn.scheduler" in graph["tmvlearn.progress.review_cache"]
    assert "tmvlearn.cli" not in graph["tmvlearn.lessons"], "a __main__ block is no import"
    assert "tmvlearn.quiz" in graph["tmvlearn.results.sample"], "importing a module runs its package"
    assert "tmvlearn.progress" not in graph["tmvlearn.progress.store"], "but not the importer's own"


def test_no_module_imports_itself_through_others():
    graph = import_graph()
    found = circles(graph)
    assert not found, "import circles:\n" + "\n".join(
        f"  {', '.join(c)}: {_a_path(graph, c)}" for c in found)


def test_no_module_is_over_700_lines():
    sizes = {path.relative_to(PACKAGE.parent).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
             for path in sorted(PACKAGE.rglob("*.py"))}
    over = {path: n for path, n in sizes.items() if n > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines (split them by concern): " + ", ".join(
        f"{path} ({n})" for path, n in sorted(over.items(), key=lambda item: -item[1]))


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


#: The package's layers, top to bottom (README, "Repository layout"): a module imports only from its
#: own layer and the layers below it.
LAYERS = ["cli", "workspace", "handouts", "results", "quiz", "progress", "scheduler", "explorers", "plots",
          "models", "datasets", "lessons", "shield", "_files", "errors", "_resources"]


def test_every_import_points_down_the_layers():
    def layer(name: str) -> str | None:
        parts = name.split(".")
        return parts[1] if len(parts) > 1 and parts[0] == "tmvlearn" and parts[1] in LAYERS else None

    upward = []
    for module in MODULES:
        mine = layer(module)
        if mine is None:
            continue
        imported, _ = _imports(module)
        if module == "tmvlearn.lessons":  # `python -m tmvlearn.lessons` runs the CLI (the main block only)
            imported = {m for m in imported if layer(m) != "cli"}
        for other in imported:
            theirs = layer(other)
            if theirs is not None and LAYERS.index(theirs) < LAYERS.index(mine):
                upward.append(f"{module} imports {other}")
    assert not upward, upward
    top_level = {p.stem for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert top_level - {"__init__", "__main__"} <= set(LAYERS), top_level - set(LAYERS)

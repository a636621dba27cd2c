"""Structure of every lesson: what a learner and an instructor rely on, checked without running it.

(nbval re-runs each lesson and compares its outputs; tests/test_lessons_papermill.py runs each
one with other parameters.)
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from tmvlearn.lessons import lesson_paths
from tmvlearn.quiz import load_bank

LESSONS = lesson_paths()
PARAMETERS = {"SEED", "QUIZ_MODE", "INTERACTIVE"}


def test_the_sequence_is_complete_and_numbered_in_order():
    names = [p.stem for p in LESSONS]
    assert names[:1] == ["00_start_here"], names
    assert [int(n[:2]) for n in names] == list(range(len(names)))
    assert len(names) >= 8


@pytest.fixture(params=LESSONS, ids=lambda p: p.stem)
def lesson(request):
    return request.param.stem, nbformat.read(request.param, as_version=4)


def _markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`$]", "", text)).strip().lower()


def test_opens_with_objectives_matching_the_bank_prerequisites_and_time(lesson):
    name, nb = lesson
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "lesson opens with its title"
    section = first.source.split("## Learning objectives", 1)
    assert len(section) == 2, "the first cell has a '## Learning objectives' section"
    listed = re.findall(r"^\s*\d+\.\s+(.+)$", section[1].split("\n#", 1)[0], flags=re.M)
    bank = load_bank(name)
    assert [_norm(x) for x in listed] == [_norm(x) for x in bank.objectives.values()], \
        "the objectives listed in the lesson are the bank's, in order"
    assert "**Prerequisites:**" in first.source
    minutes = re.search(r"\*\*Estimated time:\*\*\s*(\d+)", first.source)
    assert minutes and 20 <= int(minutes.group(1)) <= 40


def test_parameters_cell_holds_plain_literals_only(lesson):
    _, nb = lesson
    tagged = [c for c in _code(nb) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell is tagged 'parameters'"
    names = set()
    for node in ast.parse(tagged[0].source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, ast.dump(node)
        ast.literal_eval(node.value)  # raises unless the value is a plain literal
        names.add(node.targets[0].id)
    assert names >= PARAMETERS


def test_checks_its_parameters_first(lesson):
    """A bad -p value stops the lesson in the next cell, naming the parameter (tmvlearn.lessons)."""
    _, nb = lesson
    code = _code(nb)
    index = next(i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", []))
    following = code[index + 1].source
    assert "from tmvlearn.lessons import check_parameters" in following
    calls = [node for node in ast.walk(ast.parse(following)) if isinstance(node, ast.Call)
             and getattr(node.func, "id", None) == "check_parameters"]
    assert calls and [a.id for a in calls[0].args] == ["SEED", "QUIZ_MODE", "INTERACTIVE"], \
        "the cell after the parameters cell calls check_parameters(SEED, QUIZ_MODE, INTERACTIVE)"
    before = following.split("check_parameters(SEED", 1)[0]
    assert "load_dataset" not in before and "explorers." not in before, "before any other work"


def test_closes_with_summary_quiz_and_a_link_onward(lesson):
    name, nb = lesson
    text = _markdown(nb)
    assert "## Summary" in text and "## Quiz" in text
    quiz_cells = [c for c in _code(nb) if f'quiz.show("{name}"' in c.source]
    assert quiz_cells, f'the lesson shows its own quiz with quiz.show("{name}", ...)'
    assert "mode=QUIZ_MODE" in quiz_cells[0].source and "interactive=INTERACTIVE" in quiz_cells[0].source
    index = [p.stem for p in LESSONS].index(name)
    if index + 1 < len(LESSONS):
        assert f"({LESSONS[index + 1].name})" in nb.cells[-1].source, "the last cell links to the next lesson"


def test_bank_has_enough_varied_questions_and_an_exercise(lesson):
    name, nb = lesson
    bank = load_bank(name)
    assert len(bank.questions) >= 8
    assert len({q.type for q in bank.questions}) >= 3
    assert bank.exercises, "at least one hands-on exercise with a checked answer"
    pattern = rf'check_exercise\("{name}",\s*"([^"]+)"'
    checked = {m for c in _code(nb) for m in re.findall(pattern, c.source)}
    assert checked == {q.id for q in bank.exercises}, "every exercise in the bank is checked in the lesson"


def test_solution_cells_only_offer_the_solution(lesson):
    """A solution cell holds no solution: it shows a "Show solution" button (quiz.solution), and the
    worked solution lives in the lesson's bank (tests/test_quiz_fairness.py checks none is stored)."""
    name, nb = lesson
    cells = [c for c in _code(nb) if "solution" in c.metadata.get("tags", [])]
    assert cells, "every lesson's exercises have their solution cells"
    for cell in cells:
        assert cell.source.startswith(f'quiz.solution("{name}", ') and cell.source.count("\n") == 0


def test_committed_executed_in_order_without_errors(lesson):
    _, nb = lesson
    counts = [c.execution_count for c in _code(nb)]
    assert None not in counts, "every code cell was run (nbval silently passes unrun cells)"
    assert counts == list(range(1, len(counts) + 1)), "run top to bottom in one fresh kernel"
    for cell in _code(nb):
        for out in cell.outputs:
            assert out.output_type != "error", cell.source[:80]
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"stderr in: {cell.source[:80]}"
    assert "widgets" not in nb.metadata, "no widget state in git"


def test_nbval_markers_are_ones_nbval_reads(lesson):
    # nbval honours a marker only as a comment line holding the marker alone: anything after it
    # on the line silently turns it off.
    from nbval.plugin import comment_markers

    _, nb = lesson
    for cell in _code(nb):
        for line in cell.source.splitlines():
            words = line.lstrip("#").split()
            if line.strip().startswith("#") and words and any(w.startswith(m) for w in words[:1]
                                                              for m in comment_markers):
                assert line.lstrip("#").strip() in comment_markers, \
                    f"{line.strip()!r}: put the nbval marker alone on its line"


def test_every_figure_has_alt_text(lesson):
    _, nb = lesson
    for cell in _code(nb):
        for out in cell.outputs:
            data = out.get("data", {})
            if "image/png" in data:
                alt = data.get("text/plain", "")
                assert alt and not alt.startswith("<Figure"), \
                    f"figure without alt text in: {cell.source[:80]}"


def test_cites_its_sources(lesson):
    _, nb = lesson
    text = _markdown(nb)
    assert re.search(r"Zhu et al\.? 2021|Pucci (&|and) Pittet 2013", text)
    assert re.search(r"refs? \d+", text), "facts cite the review's reference numbers"

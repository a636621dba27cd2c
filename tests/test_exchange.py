"""The neutral exchange form (tmvlearn.quiz.exchange): every question type describes itself in it and
reads itself back, and the format modules know nothing but it."""

import ast
from pathlib import Path

import pytest

import tmvlearn
from tmvlearn.quiz.bank import bank_paths, load_bank
from tmvlearn.quiz.exchange import KINDS, Exported, Item
from tmvlearn.quiz.questions import EXCHANGE_TYPES, QUESTION_TYPES, question_from_dict

PACKAGE = Path(tmvlearn.__file__).parent
FORMAT_MODULES = sorted((PACKAGE / "quiz" / "formats").glob("*.py"))  # gift, qti, jupyterquiz...
QUESTION_MODULES = sorted((PACKAGE / "quiz" / "questions").glob("*.py"))


def _imported(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
    return out


def test_a_format_module_needs_nothing_from_the_question_classes():
    """A new format is one module: it reads and writes the exchange form and never the question types."""
    assert {p.stem for p in FORMAT_MODULES} >= {"gift", "moodle_xml", "qti", "jupyterquiz"}
    for path in FORMAT_MODULES:
        used = {m for m in _imported(path) if m.startswith("tmvlearn.")}
        assert not {m for m in used if m.startswith("tmvlearn.quiz.questions")}, path.name
        # only the exchange form, the formats' own helpers, markup and the bounded reading of outside
        # text (tmvlearn._files); never the package joining formats to question types (tmvlearn.quiz.lms)
        assert all(m.startswith(("tmvlearn.quiz.exchange", "tmvlearn.quiz.formats", "tmvlearn.quiz.markup",
                                 "tmvlearn._files")) for m in used), (path.name, used)


def test_the_question_types_import_no_format():
    for path in QUESTION_MODULES:
        used = _imported(path)
        formats = {m for m in used if m.startswith(("tmvlearn.quiz.formats", "tmvlearn.quiz.lms"))}
        assert not formats, (path.name, formats)


def test_every_type_has_one_exchange_kind():
    assert sorted(EXCHANGE_TYPES) == sorted(KINDS)
    assert {cls.KIND for cls in QUESTION_TYPES.values()} == set(KINDS)
    for kind, cls in EXCHANGE_TYPES.items():
        assert kind == cls.KIND


def _shipped():
    out = []
    for path in bank_paths():
        for q in load_bank(path).questions:
            out.append(q.worked())  # a question whose numbers vary goes as its worked variant
    return out


SHIPPED = _shipped()


@pytest.mark.parametrize("q", SHIPPED, ids=[q.id for q in SHIPPED])
def test_every_shipped_question_goes_to_the_exchange_form_and_back_unchanged(q):
    item = q.to_exchange()
    assert isinstance(item, Item) and item.kind == q.KIND and item.id == q.id and item.type == q.type
    cls = EXCHANGE_TYPES[item.kind]
    entry = {"id": item.id, "type": cls.type_name(), "prompt": item.prompt, **cls.from_exchange(item),
             "explanation": item.explanation, "source": item.source, "objective": item.objective,
             "difficulty": item.difficulty}
    entry.update({k: v for k, v in (("note", item.note), ("solution", item.solution)) if v})
    back = question_from_dict(entry, q.lesson)
    assert back.model_dump(exclude={"variant"}) == q.model_dump(exclude={"variant"})


def test_a_toy_format_is_one_function_of_the_item():
    """What a new format writes from: every shipped question in neutral form, nothing else."""
    def export(item: Item) -> Exported:
        if item.kind == "ordering":
            return Exported(None, "toy has no ordering")
        return Exported(f"{item.kind}: {item.stem} [{len(item.answers) + len(item.pairs)}]",
                        "; ".join(item.losses) or None)

    written = [export(q.to_exchange()) for q in SHIPPED]
    assert sum(w.data is None for w in written) == sum(q.type == "ordering" for q in SHIPPED)
    assert all(w.data.startswith(q.KIND) for w, q in zip(written, SHIPPED, strict=True) if w.data)

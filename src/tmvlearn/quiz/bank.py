"""Question banks: one YAML file per lesson, validated in full.

A bank is checked against ``data/quizzes/bank.schema.json`` (jsonschema), then
by plain Python for what a schema cannot say (an answer among the options, an
objective that exists, every objective assessed, ids unique across banks,
patterns that compile, a key that grades correct). Every problem is reported,
each with its file, question id, field and, where known, line.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tmvlearn._resources import data_dir
from tmvlearn.quiz.questions import Question, question_from_dict

__all__ = [
    "Bank",
    "BankError",
    "Problem",
    "bank_paths",
    "lesson_ids",
    "load_bank",
    "load_questions",
    "validate_files",
]

LESSONS = (
    "00_start_here",
    "01_biogenesis",
    "02_ev_types_isolation",
    "03_cargo_biomarkers",
    "04_tumor_microenvironment",
    "05_immune_interactions",
    "06_clinical_uses",
    "07_review",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bank file."""

    file: str
    question: str  # the question id, "#N" when it has none, or "-" for the file itself
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.file}: question {self.question}: {self.field}: {self.message}{where}"


class BankError(ValueError):
    """A bank is missing or invalid; ``problems`` lists everything found."""

    def __init__(self, problems: Sequence[Problem] | str):
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            super().__init__(problems)
        else:
            self.problems = list(problems)
            lines = "\n".join(f"  {p}" for p in self.problems)
            super().__init__(f"{len(self.problems)} problem(s) in the question bank(s):\n{lines}")


@dataclass
class Bank:
    """A validated lesson bank."""

    lesson: str
    title: str
    objectives: dict[str, str]
    questions: list[Question]
    exercises: list[Question] = field(default_factory=list)
    path: Path | None = None
    _by_id: dict[str, Question] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {q.id: q for q in self.questions}

    def __getitem__(self, qid: str) -> Question:
        return self._by_id[qid]

    def exercise(self, exercise_id: str) -> Question:
        """The exercise ``exercise_id``; a clear error lists the lesson's exercises otherwise."""
        for question in self.exercises:
            if question.id == exercise_id:
                return question
        known = ", ".join(q.id for q in self.exercises) or "none"
        raise BankError(f"lesson {self.lesson!r} has no exercise {exercise_id!r}; its exercises: {known}.")

    def __iter__(self):
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)


def quizzes_dir() -> Path:
    return data_dir() / "quizzes"


def bank_paths() -> list[Path]:
    """The shipped bank files, in lesson order."""
    return sorted(p for p in quizzes_dir().glob("*.yaml"))


def lesson_ids() -> list[str]:
    """Lessons that have a bank."""
    return [p.stem for p in bank_paths()]


def _import_jsonschema():
    """jsonschema, imported without its optional IRI format checker.

    Where JupyterLab is installed, jsonschema's import pulls in rfc3987_syntax, which builds
    parsers for a second or more; every lesson would pay it on its first quiz. Banks use no
    "format" keywords, so that checker is never needed here.
    """
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # makes its import fail fast; jsonschema copes
        try:
            __import__("jsonschema")
        finally:
            del sys.modules["rfc3987_syntax"]
    import jsonschema

    return jsonschema


@cache
def _known_fields() -> frozenset[str]:
    """Every field name that some question type of the schema defines."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(_schema_validator().schema["$defs"])
    return frozenset(names)


@cache
def _schema_validator():
    jsonschema = _import_jsonschema()
    schema = json.loads((quizzes_dir() / "bank.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


# --- reading YAML with line numbers ------------------------------------------------


def _read_yaml(path: Path, name: str) -> tuple[Any, Any, list[Problem]]:
    """(data, node tree, problems). Syntax errors become problems with a line."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return None, None, [Problem(name, "-", "file", f"cannot read the file: {reason}")]
    # One parse gives both the node tree (for line numbers) and the data; libyaml when available.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(exc, "problem", None) or str(exc)
        return None, None, [Problem(name, "-", "yaml", f"not valid YAML: {what}", line)]
    finally:
        loader.dispose()
    problems = list(_duplicate_keys(node, name, data))
    return data, node, problems


def _node_at(node: Any, path: Iterable[Any]) -> Any:
    """The YAML node at a JSON path (keys and indices), or the deepest one found."""
    import yaml

    for step in path:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == str(step) or k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            nxt = node.value[step]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
    return node


def _line(node: Any, path: Iterable[Any]) -> int | None:
    if node is None:
        return None
    found = _node_at(node, path)
    return found.start_mark.line + 1 if found is not None else None


def _duplicate_keys(node: Any, name: str, data: Any, qid: str = "-") -> Iterable[Problem]:
    """PyYAML keeps the last of two equal keys silently; a hand-edited bank wants to know."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                yield Problem(name, qid, str(key.value), "this key appears twice; keep one", key.start_mark.line + 1)
            seen.add(key.value)
            yield from _duplicate_keys(value, name, data, qid)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            child_id = qid
            if isinstance(child, yaml.MappingNode):
                child_id = next((v.value for k, v in child.value if k.value == "id"), qid)
            yield from _duplicate_keys(child, name, data, child_id if isinstance(child_id, str) else qid)


# --- validation --------------------------------------------------------------------


SECTIONS = ("questions", "exercises")  # quiz questions, then code-exercise answers


def _qid(data: Any, index: int, section: str = "questions") -> str:
    try:
        qid = data[section][index]["id"]
        return qid if isinstance(qid, str) and qid else f"#{index + 1}"
    except (KeyError, IndexError, TypeError):
        return f"#{index + 1}"


def _field(path: Sequence[Any]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "-"


def _schema_problems(data: Any, node: Any, name: str) -> list[Problem]:
    problems = []
    errors = sorted(_schema_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    # When a field of a question fails, JSON Schema also calls its valid fields "unevaluated":
    # for such a question only keys that no question type knows are reported as typos.
    other_errors = set()
    for error in errors:
        path = list(error.absolute_path)
        if path[:1] and path[0] in SECTIONS and len(path) >= 2 and error.validator != "unevaluatedProperties":
            other_errors.add((path[0], path[1]))
    for error in errors:
        path = list(error.absolute_path)
        qid, rest = "-", path
        if path[:1] and path[0] in SECTIONS and len(path) >= 2:
            qid, rest = _qid(data, path[1], path[0]), path[2:]
            if error.validator == "unevaluatedProperties" and (path[0], path[1]) in other_errors:
                if isinstance(error.instance, dict) and not set(error.instance) - _known_fields():
                    continue
        message = error.message
        if error.validator == "required":
            missing = [r for r in error.validator_value if not isinstance(error.instance, dict) or r not in error.instance]
            for name_ in missing:
                problems.append(Problem(name, qid, _field(rest + [name_]), "missing (required)", _line(node, path)))
            continue
        if error.validator == "unevaluatedProperties" and isinstance(error.instance, dict):
            failed_elsewhere = len(path) >= 2 and (path[0], path[1]) in other_errors
            for key in error.instance:
                if failed_elsewhere and key in _known_fields():
                    continue
                if key not in error.schema.get("properties", {}) and key in message:
                    hint = "not a field of this question type (a typo?)"
                    problems.append(Problem(name, qid, _field(rest + [key]), hint, _line(node, path + [key])))
            continue
        if error.validator == "enum" and rest == ["type"]:
            message = f"unknown type {error.instance!r}; use one of: {', '.join(error.validator_value)}"
        elif error.validator == "minimum" and rest and str(rest[-1]).endswith("tolerance"):
            message = f"{error.instance} is below zero; a tolerance must be 0 or more"
        elif error.validator == "type" and isinstance(error.instance, (bool, int, float)) and "string" in str(error.validator_value):
            message += " (YAML read it as a number or yes/no: put it in quotes)"
        problems.append(Problem(name, qid, _field(rest), message, _line(node, path)))
    return list(dict.fromkeys(problems))  # one line per problem, though several schema branches saw it


def _semantic_problems(data: dict[str, Any], node: Any, name: str, stem: str | None,
                       grade_keys: bool = True) -> list[Problem]:
    problems: list[Problem] = []

    def add(qid: str, path: list[Any], message: str) -> None:
        problems.append(Problem(name, qid, _field(path[2:] if qid != "-" else path), message, _line(node, path)))

    if stem is not None and data.get("lesson") != stem:
        add("-", ["lesson"], f"is {data.get('lesson')!r} but must equal the file name {stem!r}")
    objectives = data.get("objectives") or {}
    assessed: set[str] = set()
    seen: dict[str, int] = {}
    for section, i, q in _entries(data):
        if not isinstance(q, dict):
            continue  # the schema check has reported it
        qid = _qid(data, i, section)
        base = [section, i]
        if q.get("id") in seen:
            add(qid, base + ["id"], f"duplicate id (also question #{seen[q['id']] + 1} of this file)")
        seen.setdefault(q.get("id"), i)
        if "objective" in q and q.get("objective") not in objectives:
            add(qid, base + ["objective"], f"{q.get('objective')!r} is not among the objectives ({', '.join(objectives)})")
        if section == "questions":  # exercises practise an objective; the quiz must assess it
            assessed.add(q.get("objective"))
        kind, feedback = q.get("type"), q.get("feedback") or {}
        if kind in ("single_choice", "multiple_select"):
            options = q.get("options") or []
            answers = q.get("answer") if kind == "multiple_select" else [q.get("answer")]
            for j, answer in enumerate(answers or []):
                if answer not in options:
                    path = base + ["answer", j] if kind == "multiple_select" else base + ["answer"]
                    add(qid, path, f"{answer!r} is not among the options")
            allowed = set(options) | ({"correct"} if kind == "multiple_select" else set())
            for key in feedback:
                if key not in allowed:
                    add(qid, base + ["feedback", key], "feedback for an option that does not exist")
        elif kind == "numeric":
            for j, case in enumerate(q.get("cases") or []):
                rng = case.get("range")
                if isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, (int, float)) for v in rng) and not rng[0] < rng[1]:
                    add(qid, base + ["cases", j, "range"], "a range must be [low, high) with low < high")
        elif kind == "short_text":
            for j, pattern in enumerate(q.get("patterns") or []):
                try:
                    re.compile(pattern)
                except (re.error, TypeError) as exc:
                    add(qid, base + ["patterns", j], f"not a valid regular expression: {exc}")
        elif kind == "matching":
            lefts = [p.get("left") for p in q.get("pairs") or [] if isinstance(p, dict)]
            if len(set(lefts)) != len(lefts):
                add(qid, base + ["pairs"], "each left item must appear once")
            rights = {p.get("right") for p in q.get("pairs") or [] if isinstance(p, dict)}
            for j, extra in enumerate(q.get("extra_right") or []):
                if extra in rights:
                    add(qid, base + ["extra_right", j], "a decoy must not also be a right answer")
    for objective in objectives:
        if objective not in assessed:
            add("-", ["objectives", objective], "no question assesses this objective")
    if grade_keys and not problems:  # the bank is well formed: the key must grade right, distractors wrong
        for section, i, q in _entries(data):
            question = question_from_dict(q, data["lesson"])
            result = question.check(question.key_response())
            if not result.correct:
                add(question.id, [section, i, "answer"], f"the key does not grade correct: {result.feedback}")
            for wrong in question.distractor_responses():
                if question.check(wrong).correct:
                    add(question.id, [section, i], f"the wrong response {wrong!r} grades correct")
    return problems


def _entries(data: dict[str, Any]) -> Iterable[tuple[str, int, Any]]:
    """(section, index, entry) for every quiz question and exercise of a bank."""
    for section in SECTIONS:
        for i, entry in enumerate(data.get(section) or []):
            yield section, i, entry


def _check_file(path: Path, display: str | None = None) -> tuple[dict[str, Any] | None, list[Problem]]:
    name = display or str(path)
    data, node, problems = _read_yaml(path, name)
    if data is None and not problems:
        problems = [Problem(name, "-", "file", "the file is empty")]
    if problems and data is None:
        return None, problems
    if not isinstance(data, dict):
        return None, problems + [Problem(name, "-", "-", "a bank must be a mapping with lesson, title, objectives, questions")]
    schema = _schema_problems(data, node, name)
    problems += schema
    problems += _semantic_problems(data, node, name, path.stem, grade_keys=not schema)
    problems.sort(key=lambda p: p.line or 0)  # in file order, as an editor shows them
    return (data if not problems else None), problems


def validate_files(paths: Iterable[str | Path]) -> list[Problem]:
    """Every problem in these bank files, including ids repeated across them."""
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    for raw in paths:
        path = Path(raw)
        data, found = _check_file(path)
        problems += found
        if data is None:
            continue
        for _, _, q in _entries(data):
            if q["id"] in owners and owners[q["id"]] != str(path):
                problems.append(Problem(str(path), q["id"], "id", f"duplicate id: also in {owners[q['id']]}"))
            owners.setdefault(q["id"], str(path))
    return problems


_CACHE: dict[Path, tuple[float, Bank]] = {}


def load_bank(lesson_or_path: str | Path) -> Bank:
    """A validated bank, by lesson id (``"01_biogenesis"``) or path to a YAML file.

    Raises :class:`BankError` listing every problem when the bank is invalid.
    """
    path = _resolve(lesson_or_path)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0
    cached = _CACHE.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    data, problems = _check_file(path)
    if problems:
        raise BankError(problems)
    bank = Bank(
        lesson=data["lesson"],
        title=data["title"],
        objectives=dict(data["objectives"]),
        questions=[question_from_dict(q, data["lesson"]) for q in data["questions"]],
        exercises=[question_from_dict(q, data["lesson"]) for q in data.get("exercises") or []],
        path=path,
    )
    _CACHE[path] = (mtime, bank)
    return bank


def _resolve(lesson_or_path: str | Path) -> Path:
    if isinstance(lesson_or_path, Path) or str(lesson_or_path).endswith((".yaml", ".yml")):
        path = Path(lesson_or_path)
        if not path.is_file():
            raise BankError(f"no bank file at {path}: check the path.")
        return path
    if not isinstance(lesson_or_path, str):
        raise BankError(f"expected a lesson id such as '01_biogenesis' or a .yaml path, got {lesson_or_path!r}")
    path = quizzes_dir() / f"{lesson_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(lesson_ids()) or "none"
        hint = " (that lesson has no quiz yet)" if lesson_or_path in LESSONS else ""
        raise BankError(f"no question bank for lesson {lesson_or_path!r}{hint}. Lessons with a bank: {known}.")
    return path


def all_questions() -> dict[str, Question]:
    """Every shipped question by id; raises BankError if a bank is invalid or ids repeat across banks."""
    out: dict[str, Question] = {}
    owner: dict[str, Path] = {}
    problems = []
    for path in bank_paths():
        bank = load_bank(path)  # validated once, then cached
        for q in bank.questions + bank.exercises:
            if q.id in out:
                problems.append(Problem(str(path), q.id, "id", f"duplicate id: also in {owner[q.id]}"))
            out[q.id], owner[q.id] = q, path
    if problems:
        raise BankError(problems)
    return out


def load_questions(spec: Any) -> tuple[str, list[Question]]:
    """(title, questions) from a lesson id, a bank path, a Bank, question ids or Question objects."""
    if isinstance(spec, Bank):
        return spec.title, list(spec.questions)
    if isinstance(spec, (str, Path)):
        bank = load_bank(spec)
        return bank.title, list(bank.questions)
    if isinstance(spec, Question):
        spec = [spec]
    if isinstance(spec, (list, tuple)) and spec:
        if all(isinstance(q, Question) for q in spec):
            return "Quiz", list(spec)
        if all(isinstance(q, str) for q in spec):
            known = all_questions()
            missing = [q for q in spec if q not in known]
            if missing:
                import difflib

                close = difflib.get_close_matches(missing[0], list(known), n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise BankError(f"unknown question id(s): {', '.join(missing)}.{hint}")
            return "Quiz", [known[q] for q in spec]
    raise BankError(
        "give a lesson id (e.g. '01_biogenesis'), a bank .yaml path, or a non-empty list of "
        f"question ids or Question objects; got {spec!r:.80}"
    )

"""Question banks: one YAML file per lesson, validated in full.

A bank is validated by :class:`BankFile`, whose question entries are the question types
themselves (pydantic models told apart by ``type``); ``data/quizzes/bank.schema.json`` is
generated from the same classes for editors (:func:`bank_schema`). Plain Python then checks what a
schema cannot say: each type's own checks (an answer among the options, patterns that compile),
an objective that exists, every objective assessed, ids unique across banks, a key that grades
correct. Every problem is reported once, in file order, with its file, question id, field and line.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.json_schema import GenerateJsonSchema

from tmvlearn._resources import data_dir
from tmvlearn.errors import TmvlearnError
from tmvlearn.quiz.questions import QUESTION_TYPES, AnyQuestion, Question, Text, question_from_dict
from tmvlearn.quiz.variants import TAGS as VARIANT_TAGS

__all__ = [
    "Bank",
    "BankError",
    "BankFile",
    "Problem",
    "bank_paths",
    "bank_schema",
    "lesson_ids",
    "load_bank",
    "load_questions",
    "validate_files",
]

SCHEMA_FILE = "bank.schema.json"
MAX_BANK_BYTES = 5_000_000  # the largest shipped bank is about 40 kB
MAX_BANK_VALUES = 200_000  # YAML values once aliases are expanded; a shipped bank has a few thousand


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


class BankError(TmvlearnError, ValueError):
    """A bank is missing or invalid; ``problems`` lists everything found."""

    def __init__(self, problems: Sequence[Problem] | str):
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            super().__init__(problems)
        else:
            self.problems = list(problems)
            lines = "\n".join(f"  {p}" for p in self.problems)
            super().__init__(f"{len(self.problems)} problem(s) in the question bank(s):\n{lines}")


class BankFile(BaseModel):
    """One lesson's quiz questions and exercise answers (data/quizzes/<lesson>.yaml).

    Generated from tmvlearn's question types; `tmvlearn quiz check` also checks what a schema cannot
    say (answer among the options, objective defined, every objective assessed, ids unique across
    banks, patterns compile, the key grades correct).
    """

    model_config = ConfigDict(extra="forbid", strict=True, title="tmvlearn question bank")

    lesson: Annotated[str, Field(pattern=r"^[0-9]{2}_[a-z0-9_]+$",
                                 description="The lesson id: the file name without .yaml.")]
    title: Text
    objectives: Annotated[dict[Annotated[str, Field(pattern=r"^O[0-9]+$")], Text], Field(
        min_length=1, description="The lesson's learning objectives: objective id (O1, O2, ...) to text. "
        "The lesson notebook shows them from here.")]
    questions: Annotated[list[AnyQuestion], Field(min_length=1)]
    exercises: Annotated[list[AnyQuestion], Field(
        description="Answers to the lesson's hands-on code exercises, in the same format as questions; "
        "checked in the notebook with tmvlearn.quiz.check_exercise(lesson, id, answer), "
        "never shown in the quiz."
    )] = []


class _NoTitles(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def bank_schema() -> dict[str, Any]:
    """The JSON Schema of a bank file, generated from :class:`BankFile` and the question types."""
    schema = BankFile.model_json_schema(schema_generator=_NoTitles)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://github.com/tmvlearn/tmvlearn/data/quizzes/bank.schema.json", **schema}


def bank_schema_text() -> str:
    """:func:`bank_schema` as the text of ``data/quizzes/bank.schema.json``."""
    return json.dumps(bank_schema(), indent=2, ensure_ascii=False) + "\n"


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


# --- reading YAML with line numbers ------------------------------------------------


def _read_yaml(path: Path, name: str) -> tuple[Any, Any, list[Problem]]:
    """(data, node tree, problems). Syntax errors become problems with a line."""
    import yaml

    try:
        if path.stat().st_size > MAX_BANK_BYTES:
            too_big = f"the file is over {MAX_BANK_BYTES // 1_000_000} MB; a bank is a few dozen questions"
            return None, None, [Problem(name, "-", "file", too_big)]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return None, None, [Problem(name, "-", "file", f"cannot read the file: {reason}")]
    # One parse gives both the node tree (for line numbers) and the data; libyaml when available.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node) > MAX_BANK_VALUES:
            return None, None, [Problem(
                name, "-", "yaml", f"the file expands to more than {MAX_BANK_VALUES:,} values through YAML "
                "aliases (&anchor / *alias); write the repeated parts out, or use fewer aliases")]
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


def _expanded_size(root: Any) -> int:
    """How many values the YAML node graph holds once every alias is expanded (in linear time:
    an alias is the same node object, so each node's size is counted once)."""
    import yaml

    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            sizes[id(node)] = 1
            continue
        if children_done:
            sizes[id(node)] = min(1 + sum(sizes[id(c)] for c in children), MAX_BANK_VALUES + 1)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


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
                yield Problem(name, qid, str(key.value), "this key appears twice; keep one",
                              key.start_mark.line + 1)
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
_YAML_HINT = " (YAML read it as a number or yes/no: put it in quotes)"


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


def _message(error: dict[str, Any], in_question: bool, rest: list[Any]) -> str:
    kind, value = error["type"], error.get("input")
    if kind in ("missing", "union_tag_not_found"):
        return "missing (required)"
    if kind == "union_tag_invalid":
        return f"unknown type {error['ctx']['tag']!r}; use one of: {', '.join(QUESTION_TYPES)}"
    if kind == "extra_forbidden":
        return "not a field of this question type (a typo?)" if in_question and len(rest) == 1 else \
            "not a field here (a typo?)"
    if kind == "greater_than_equal" and rest and str(rest[-1]).endswith("tolerance"):
        return f"{value} is below zero; a tolerance must be 0 or more"
    if kind == "greater_than_equal" and rest and rest[-1] == "fuzzy_threshold":
        return (f"{value} would accept unrelated words as right; use {error['ctx']['ge']} or more "
                "(or leave fuzzy matching out)")
    if kind == "finite_number":
        return f"{value} is not a finite number; give a real value (a tolerance of .inf accepts anything)"
    message = error["msg"].removeprefix("Value error, ")
    if kind == "string_type" and isinstance(value, (bool, int, float)):
        message += _YAML_HINT
    return message


def _validation_problems(exc: ValidationError, data: dict[str, Any], node: Any,
                         name: str) -> tuple[list[Problem], set[tuple[str, int]]]:
    """Problems from pydantic's errors, and the (section, index) of every entry that has one."""
    problems, failed = [], set()
    errors = []
    for error in exc.errors(include_url=False):
        errors.append(error)
        loc = error["loc"]
        if error["type"] in ("union_tag_invalid", "union_tag_not_found") and len(loc) == 2:
            errors += [{**e, "loc": (*loc, *e["loc"])} for e in _common_field_problems(data[loc[0]][loc[1]])]
    for error in errors:
        path = list(error["loc"])
        qid, rest, in_question = "-", path, False
        if path[:1] and path[0] in SECTIONS and len(path) >= 2 and isinstance(path[1], int):
            section, index = path[0], path[1]
            failed.add((section, index))
            entry = data[section][index]
            rest = path[2:]
            if rest and isinstance(entry, dict) and rest[0] == entry.get("type"):
                rest = rest[1:]  # the type name pydantic adds to locate the union member
            if rest[:2] == ["variant", "params"] and len(rest) > 3 and rest[3] in VARIANT_TAGS:
                rest = rest[:3] + rest[4:]  # a variant parameter's form (range or fixed value)
            if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
                rest = ["type"]
            qid, in_question, path = _qid(data, index, section), True, [section, index, *rest]
        message = _message(error, in_question, rest)
        if rest and rest[-1] == "[key]":  # a key of a mapping is at fault
            rest, path = rest[:-1], [p for p in path if p != "[key]"]
            message = f"the key {error.get('input')!r}: {message}"
        problems.append(Problem(name, qid, _field(rest), message, _line(node, path)))
    return list(dict.fromkeys(problems)), failed


def _loose_problems(data: dict[str, Any], node: Any, name: str, failed: set[tuple[str, int]],
                    found: list[Problem]) -> list[Problem]:
    """A malformed entry's own type checks, as far as they can run on it unvalidated.

    Fields that validation already faulted are left out, so each problem is reported once.
    """
    problems = []
    for section, i in sorted(failed):
        entry = data[section][i]
        cls = QUESTION_TYPES.get(entry.get("type")) if isinstance(entry, dict) else None
        if cls is None:
            continue
        qid = _qid(data, i, section)
        faulted = {p.field.split("[")[0].split(".")[0] for p in found if p.question == qid}
        try:
            own = cls.model_construct(**entry).bank_problems()
        except Exception:  # too malformed for the checks to run: validation has said why
            continue
        for path, message in own:
            if str(path[0]) not in faulted:
                problems.append(Problem(name, qid, _field(path), message, _line(node, [section, i, *path])))
    return problems


def _common_field_problems(entry: Any) -> list[dict[str, Any]]:
    """For an entry whose type is unknown or missing: the errors in the fields every type has."""
    if not isinstance(entry, dict):
        return []
    try:
        Question.model_validate({**entry, "type": "-"})
    except ValidationError as exc:
        return [e for e in exc.errors(include_url=False) if e["type"] != "extra_forbidden"]
    return []


def _missing_bank_fields(data: dict[str, Any], node: Any, name: str) -> list[Problem]:
    """Fields a bank entry must give although Python code may build a question without them."""
    problems = []
    for section, i, q in _entries(data):
        if isinstance(q, dict):
            for key in Question.BANK_REQUIRED:
                if key not in q:
                    problems.append(Problem(name, _qid(data, i, section), key, "missing (required)",
                                            _line(node, [section, i])))
    return problems


def _semantic_problems(data: dict[str, Any], node: Any, name: str, stem: str | None,
                       built: dict[tuple[str, int], Question]) -> list[Problem]:
    problems: list[Problem] = []

    def add(qid: str, path: list[Any], message: str) -> None:
        problems.append(Problem(name, qid, _field(path[2:] if qid != "-" else path), message,
                                _line(node, path)))

    if stem is not None and data.get("lesson") != stem:
        add("-", ["lesson"], f"is {data.get('lesson')!r} but must equal the file name {stem!r}")
    objectives = data.get("objectives") or {}
    assessed: set[str] = set()
    seen: dict[str, int] = {}
    for section, i, q in _entries(data):
        if not isinstance(q, dict):
            continue  # validation has reported it
        qid = _qid(data, i, section)
        base = [section, i]
        if q.get("id") in seen:
            add(qid, base + ["id"], f"duplicate id (also question #{seen[q['id']] + 1} of this file)")
        seen.setdefault(q.get("id"), i)
        if "objective" in q and q.get("objective") not in objectives:
            add(qid, base + ["objective"],
                f"{q.get('objective')!r} is not among the objectives ({', '.join(objectives)})")
        if section == "questions":  # exercises practise an objective; the quiz must assess it
            assessed.add(q.get("objective"))
        if (section, i) in built:
            for path, message in built[section, i].bank_problems():
                add(qid, base + list(path), message)
    for objective in objectives:
        if objective not in assessed:
            add("-", ["objectives", objective], "no question assesses this objective")
    return problems


def _key_problems(data: dict[str, Any], node: Any, name: str,
                  built: dict[tuple[str, int], Question]) -> list[Problem]:
    """The key must grade right and every distractor wrong."""
    problems = []
    for (section, i), question in built.items():
        result = question.check(question.key_response())
        if not result.correct:
            problems.append(Problem(name, question.id, "answer",
                                    f"the key does not grade correct: {result.feedback}",
                                    _line(node, [section, i, "answer"])))
        for wrong in question.distractor_responses():
            if question.check(wrong).correct:
                problems.append(Problem(name, question.id, "-",
                                        f"the wrong response {wrong!r} grades correct",
                                        _line(node, [section, i])))
    return problems


def _entries(data: dict[str, Any]) -> Iterable[tuple[str, int, Any]]:
    """(section, index, entry) for every quiz question and exercise of a bank."""
    for section in SECTIONS:
        for i, entry in enumerate(data.get(section) or []):
            yield section, i, entry


def _check_file(path: Path, display: str | None = None) -> tuple[BankFile | None, Any, list[Problem]]:
    """(the validated bank or None, the raw data, every problem in file order)."""
    name = display or str(path)
    data, node, problems = _read_yaml(path, name)
    if data is None and not problems:
        problems = [Problem(name, "-", "file", "the file is empty")]
    if problems and data is None:
        return None, data, problems
    if not isinstance(data, dict):
        return None, data, problems + [
            Problem(name, "-", "-", "a bank must be a mapping with lesson, title, objectives, questions")]
    lesson = data.get("lesson") if isinstance(data.get("lesson"), str) else None
    bank, failed = None, set()
    try:
        bank = BankFile.model_validate(data, context={"lesson": lesson})
    except ValidationError as exc:
        found, failed = _validation_problems(exc, data, node, name)
        problems += found
    problems += _missing_bank_fields(data, node, name)
    if bank is not None:
        built = {**{("questions", i): q for i, q in enumerate(bank.questions)},
                 **{("exercises", i): q for i, q in enumerate(bank.exercises)}}
    else:  # check what can be checked of the entries that are well formed
        built = {}
        for section, i, entry in _entries(data):
            if (section, i) not in failed and isinstance(entry, dict):
                # an error above the entries made the whole list fail
                with contextlib.suppress(ValidationError):
                    built[section, i] = question_from_dict(entry, lesson)
        problems += _loose_problems(data, node, name, failed, problems)
    problems += _semantic_problems(data, node, name, path.stem, built)
    if not problems:
        problems += _key_problems(data, node, name, built)
    problems.sort(key=lambda p: p.line or 0)  # in file order, as an editor shows them
    return (bank if not problems else None), data, problems


def validate_files(paths: Iterable[str | Path]) -> list[Problem]:
    """Every problem in these bank files, including ids repeated across them."""
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    for raw in paths:
        path = Path(raw)
        bank, _, found = _check_file(path)
        problems += found
        if bank is None:
            continue
        for q in bank.questions + bank.exercises:
            if q.id in owners and owners[q.id] != str(path):
                problems.append(Problem(str(path), q.id, "id", f"duplicate id: also in {owners[q.id]}"))
            owners.setdefault(q.id, str(path))
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
    checked, _, problems = _check_file(path)
    if problems or checked is None:
        raise BankError(problems)
    bank = Bank(lesson=checked.lesson, title=checked.title, objectives=dict(checked.objectives),
                questions=list(checked.questions), exercises=list(checked.exercises), path=path)
    _CACHE[path] = (mtime, bank)
    return bank


def _resolve(lesson_or_path: str | Path) -> Path:
    if isinstance(lesson_or_path, Path) or str(lesson_or_path).endswith((".yaml", ".yml")):
        path = Path(lesson_or_path)
        if not path.is_file():
            raise BankError(f"no bank file at {path}: check the path.")
        return path
    if not isinstance(lesson_or_path, str):
        raise BankError(
            f"expected a lesson id such as '01_biogenesis' or a .yaml path, got {lesson_or_path!r}")
    path = quizzes_dir() / f"{lesson_or_path}.yaml"
    by_prefix = [lesson for lesson in lesson_ids() if lesson_or_path and lesson.startswith(lesson_or_path)]
    if not path.is_file() and len(by_prefix) == 1:  # a lesson's number, as the other commands take it
        path = quizzes_dir() / f"{by_prefix[0]}.yaml"
    if not path.is_file() and len(by_prefix) > 1:
        raise BankError(f"{lesson_or_path!r} starts {len(by_prefix)} lessons' names "
                        f"({', '.join(by_prefix)}): give a two-digit number such as {by_prefix[0][:2]!r}.")
    if not path.is_file():
        known = ", ".join(lesson_ids()) or "none"
        from tmvlearn.lessons import lesson_paths

        hint = " (that lesson has no quiz yet)" if lesson_or_path in {p.stem for p in lesson_paths()} else ""
        raise BankError(
            f"no question bank for lesson {lesson_or_path!r}{hint}. Lessons with a bank: {known}.")
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

"""What every question type shares: the common fields, the grading contract and the hooks.

A question type is one class. It declares its bank fields (pydantic, so the bank schema is
generated from them) and owns everything that differs by type: grading (``_check``), its bank
checks (``bank_problems``), the instruction line, what the learner picks from
(``display_options``), its static body (``body_html``, ``body_markdown``), its widget inputs and
how a response is read back (``make_inputs``, ``read_response``, ``blank_input``), and its neutral
exchange form (``to_exchange`` / ``from_exchange``, see :mod:`tmvlearn.quiz.exchange`), from which
every exchange format (GIFT, Moodle XML, QTI, jupyterquiz) is written and read. Renderers, the
widget and the formats call these; nothing outside the question types branches on a concrete
class, and the question types import no format.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
)
from typing_extensions import NotRequired, TypedDict

from tmvlearn.quiz.exchange import Exported, Item
from tmvlearn.quiz.markup import inline_html

__all__ = ["Exported", "Question", "Result", "Source", "Text", "format_source"]

MAX_TEXT = 500  # longest text response graded; longer ones are refused politely
BLANK = "________"
CHOOSE = "— choose —"  # the empty entry of a dropdown
DIFFICULTY = {"easy": 1, "medium": 2, "hard": 3}

Text = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]
"""Bank text: Markdown, not empty or blank; inline ``$math$`` allowed."""


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{value!r} appears more than once; each must be different")
        seen.add(value)
    return values


def unique_texts(min_length: int, description: str | None = None) -> Any:
    """A list of distinct bank texts, at least ``min_length`` long."""
    return Annotated[list[Text], AfterValidator(_unique),
                     Field(min_length=min_length, description=description,
                           json_schema_extra={"uniqueItems": True})]


class Source(TypedDict):
    """Where a fact comes from: a source document, its section or table, its reference numbers."""

    __pydantic_config__ = ConfigDict(extra="forbid", strict=True)  # type: ignore[misc]
    document: Annotated[str, Field(
        pattern=r"^[a-z0-9_]+$",
        description="Source document id: zhu2021 or pucci2013 (others allowed for instructors' own banks).")]
    section: Text
    table: NotRequired[Text]
    refs: Annotated[list[Annotated[int, Field(ge=1)]],
                    Field(description="The review's reference numbers, as printed.")]


@dataclass(frozen=True)
class Result:
    """The outcome of grading one response."""

    correct: bool
    score: float
    feedback: str
    details: dict[str, Any] = field(default_factory=dict)


def invalid(message: str, **details: Any) -> Result:
    """A response that cannot be graded yet (nothing chosen, not a number...): no score, no record."""
    return Result(False, 0.0, message, {"invalid": True, **details})


def short(value: Any, limit: int = 60) -> str:
    """``value`` as a short text for a message, whatever it is."""
    try:
        text = value if isinstance(value, str) else repr(value)
    except Exception:  # a hostile __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cache
def _document_names() -> dict[str, str]:
    from tmvlearn.datasets import sources

    return {s["id"]: s["citation"] for s in sources()}


def format_source(source: Mapping[str, Any] | None) -> str:
    """``{"document": "zhu2021", "section": ..., "refs": [18]}`` -> a citation line."""
    if not source:
        return ""
    document = source.get("document", "")
    parts = [_document_names().get(document, document)]
    for key in ("section", "table"):
        if source.get(key):
            parts.append(str(source[key]))
    refs = source.get("refs") or []
    if refs:
        parts.append(("ref " if len(refs) == 1 else "refs ") + ",".join(str(r) for r in refs))
    return ", ".join(p for p in parts if p)


def _bank_schema(schema: dict[str, Any], cls: type) -> None:
    """The generated JSON Schema of a type: the fields a bank must give are required there
    (Python code may build a question without them), and no ``null`` defaults are advertised."""
    properties = schema.get("properties", {})
    for prop in properties.values():
        if prop.get("default", 0) is None:
            del prop["default"]
    for name in ("type", *Question.BANK_REQUIRED):
        properties.get(name, {}).pop("default", None)
    required = schema.get("required", [])
    head = ["id", "type", "prompt", *Question.BANK_REQUIRED]
    schema["required"] = head + [r for r in required if r not in head]


class Question(BaseModel):
    """Fields common to every question type."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_bank_schema)

    # Fields a bank entry must give; a question built in Python may leave them out.
    BANK_REQUIRED: ClassVar[tuple[str, ...]] = ("explanation", "source", "objective", "difficulty")
    instruction: ClassVar[str] = ""  # the line under the prompt: how to answer
    blank_input: ClassVar[Any] = None  # the value an input widget is cleared to
    KIND: ClassVar[str] = ""  # its kind in the neutral exchange form (tmvlearn.quiz.exchange)

    type: str
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
                             description="Stable, unique across all banks: "
                             "lowercase letters, digits and hyphens.")]
    prompt: Annotated[Text, Field(description="Markdown; inline $math$ allowed.")]
    explanation: Text = ""
    source: Source = Field(default_factory=dict)  # type: ignore[assignment]
    objective: Annotated[str, Field(description="An id from the bank's objectives.")] = None  # type: ignore[assignment]
    difficulty: Annotated[Literal[1, 2, 3, "easy", "medium", "hard"], Field(
        description="1 = recall, 2 = understand, 3 = analyse (or easy / medium / hard).")] = None  # type: ignore[assignment]
    feedback: dict[str, Text] = {}
    note: Annotated[Text, Field(
        description="A flag for the instructor, e.g. where the source contradicts itself.")] = None  # type: ignore[assignment]
    solution: Annotated[Text, Field(description=(
        "A worked solution (Markdown; code in ``` fences), for exercises: shown to a learner only when "
        "they ask for it (the reveal is noted in their progress), and in the instructor's key."))] = None  # type: ignore[assignment]

    _lesson: str | None = PrivateAttr(default=None)

    @field_validator("difficulty")
    @classmethod
    def _difficulty_number(cls, value: Any) -> Any:
        return DIFFICULTY.get(value, value)

    def model_post_init(self, context: Any) -> None:
        if isinstance(context, Mapping):
            self._lesson = context.get("lesson")

    @property
    def lesson(self) -> str | None:
        """The lesson whose bank holds this question (None for a question built in Python)."""
        return self._lesson

    @classmethod
    def type_name(cls) -> str:
        return cls.model_fields["type"].default

    # -- grading ---------------------------------------------------------------------------
    def check(self, response: Any) -> Result:
        """Grade ``response``; never raises."""
        try:
            return self._check(response)
        except Exception as exc:  # a safety net: grading must not break a quiz
            return invalid(f"This response could not be graded ({type(exc).__name__}). Try again.",
                           internal_error=repr(exc))

    def _check(self, response: Any) -> Result:  # pragma: no cover - every type defines it
        raise NotImplementedError

    def _right(self, default: str = "Correct.", **details: Any) -> Result:
        return Result(True, 1.0, self.feedback.get("correct", default), details)

    def _wrong(self, message: str | None = None, score: float = 0.0, **details: Any) -> Result:
        return Result(False, score, message or self.feedback.get("wrong", "Not quite."), details)

    def key_response(self) -> Any:
        """A response that grades correct."""
        raise NotImplementedError

    def distractor_responses(self) -> list[Any]:
        """Plausible wrong responses (every distractor offered) that must grade wrong."""
        raise NotImplementedError

    def answer_text(self) -> str:
        """The answer, as a line of text for the instructor's key."""
        raise NotImplementedError

    def key_text(self, shown: list[str]) -> str:
        """The answer for marking a printed sheet whose options (or choices, or steps) are ``shown``
        in that order, lettered (a), (b)... as the sheet letters them."""
        return self.answer_text()

    def secret_texts(self) -> list[str]:
        """Texts that give the answer away: never in a student rendering."""
        texts = [self.explanation, self.note or "", self.solution or ""] + list(self.feedback.values())
        return [t for t in texts if t and t.strip()]

    @property
    def source_text(self) -> str:
        return format_source(self.source)

    # -- fresh numbers (tmvlearn.quiz.variants) ---------------------------------------------
    def instantiate(self, seed: Any = None) -> Question:
        """The concrete question a learner answers for ``seed``: the question itself, unless its
        numbers vary (a ``variant``), then one with values drawn for that seed."""
        return self

    def worked(self) -> Question:
        """The fixed worked variant (print, headless runs, exports): itself when nothing varies."""
        return self

    def variant_info(self) -> Any:
        """A :class:`~tmvlearn.quiz.variants.VariantInfo` when this question's numbers vary, else None."""
        return None

    @property
    def variant_values(self) -> dict[str, Any] | None:
        """The parameter values of a concrete variant (what the learner saw), else None."""
        return None

    # -- bank checks -----------------------------------------------------------------------
    def bank_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        """What a schema cannot say about this entry: ``(path within the entry, message)`` pairs."""
        return []

    # -- what the learner sees -------------------------------------------------------------
    def instruction_text(self) -> str:
        return self.instruction

    def instruction_line(self) -> str:
        """The instruction to show under the prompt: none when the prompt already says it
        ("... Select all that apply." needs no second "Select all that apply.")."""
        def words(text: str) -> str:
            return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))

        line = self.instruction_text()
        return "" if line and words(line) in words(self.prompt) else line

    def display_options(self, shuffle: bool = False, seed: int | str = 0) -> list[str]:
        """What the learner picks from, in display order (nothing for typed answers)."""
        return []

    def display_order(self, seq: list[str], seed: int | str = 0, *, avoid: list[str] | None = None,
                      pinned: Iterable[str] = ()) -> list[str]:
        """``seq`` shuffled by a generator seeded from ``seed`` and the question id: the same order on
        every run for the same seed (a lesson's SEED, with the learner's name in the widget).

        Items in ``pinned`` keep their listed place (a "None of the above" stays last). With
        ``avoid``, the result differs from that order (so a shuffled ordering question never
        shows its answer).
        """
        rng = random.Random(f"{seed}:{self.id}")
        fixed = {i: item for i, item in enumerate(seq) if item in set(pinned)}
        movable = [item for i, item in enumerate(seq) if i not in fixed]
        out = list(seq)
        for _ in range(20):
            rng.shuffle(movable)
            rest = iter(movable)
            out = [fixed[i] if i in fixed else next(rest) for i in range(len(seq))]
            if avoid is None or out != list(avoid) or len(set(movable)) < 2:
                break
        return out

    def body_html(self, options: list[str]) -> list[str]:
        """The static answer area (options, blanks) as HTML lines; never the answer."""
        return [f'<p class="tmv-blank">Answer: {BLANK}</p>']

    def body_markdown(self, options: list[str]) -> list[str]:
        return [f"Answer: {BLANK}"]

    def make_inputs(self, w: Any, options: list[str]) -> list[Any]:
        """The ipywidgets (module ``w``) the learner answers with."""
        raise NotImplementedError

    def input_box(self, w: Any, inputs: list[Any]) -> Any:
        """The box that lays out :meth:`make_inputs`' widgets: one under another."""
        return w.VBox(inputs)

    def read_response(self, inputs: list[Any], options: list[str]) -> Any:
        """The response the inputs hold, in the form :meth:`check` grades."""
        return inputs[0].value

    # -- the neutral exchange form (tmvlearn.quiz.exchange) ----------------------------------
    def to_exchange(self) -> Item:
        """This question in the neutral form every exchange format writes from."""
        raise NotImplementedError

    @classmethod
    def from_exchange(cls, item: Item) -> dict[str, Any]:
        """The type-specific fields of a bank entry read from a neutral ``item`` (its id, prompt and
        metadata are the reader's). Raises ``ValueError`` saying what is wrong with ``item``."""
        raise NotImplementedError

    def _item(self, **fields: Any) -> Item:
        """An exchange item of this question: its kind, prompt and metadata, and ``fields``."""
        fields.setdefault("kept", {})
        fields["kept"] = {k: v for k, v in fields["kept"].items() if v not in (None, [], {}, "")}
        return Item(id=self.id, kind=self.KIND, prompt=self.prompt, type=self.type,
                    explanation=self.explanation, source_text=self.source_text, lesson=self.lesson,
                    objective=self.objective, difficulty=self.difficulty, source=self.source,
                    note=self.note, solution=self.solution, worked=self.variant_values, **fields)

    @staticmethod
    def _with_kept(fields: dict[str, Any], item: Item, *own: str) -> dict[str, Any]:
        """``fields`` with the bank fields ``item`` kept for a round trip (those in ``own`` this type
        has read itself): a kept mapping adds to the field's, anything else replaces it."""
        for key, value in item.kept.items():
            if key in own:
                continue
            if isinstance(value, dict) and isinstance(fields.get(key), dict):
                fields[key] = {**fields[key], **value}
            else:
                fields[key] = value
        return fields

    @staticmethod
    def _overall(feedback: Mapping[str, Any]) -> dict[str, Any]:
        """The overall right / wrong feedback of a feedback mapping."""
        return {k: feedback[k] for k in ("correct", "wrong") if feedback.get(k)}


# --- small pieces the types share --------------------------------------------------------------

def letters(n: int) -> list[str]:
    return [chr(ord("a") + i) for i in range(n)]


def lettered_html(options: list[str]) -> str:
    return "".join(f"<li>({c}) {inline_html(o)}</li>"
                   for c, o in zip(letters(len(options)), options, strict=True))


def lettered_markdown(options: list[str]) -> list[str]:
    return [f"- ({c}) {o}" for c, o in zip(letters(len(options)), options, strict=True)]


def unit_suffix(unit: str | None, escape: bool) -> str:
    return f" {html.escape(unit) if escape else unit}" if unit else ""


WIDE = {"width": "auto"}
LABELS = {"description_width": "initial"}


def dropdowns(w: Any, options: list[str], labels: list[str]) -> list[Any]:
    """One dropdown per label, each offering ``options`` after an empty entry that shows "— choose —"
    (its value is "", read back as nothing chosen; a None value would show an empty box)."""
    choices = [(CHOOSE, "")] + [(o, o) for o in options]
    return [w.Dropdown(options=choices, value="", description=label, layout=w.Layout(**WIDE), style=LABELS)
            for label in labels]


def text_box(w: Any, label: str, placeholder: str) -> Any:
    """A one-line answer box. Its value reaches the kernel when the learner leaves the box or presses
    Enter, in one message: sent at every keystroke, the last keys could still be queued behind the
    throttle when a quick Tab and Enter on Check arrives, and the check would grade a cut answer."""
    return w.Text(value="", description=label, placeholder=placeholder, style=LABELS, continuous_update=False)


def text_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value)

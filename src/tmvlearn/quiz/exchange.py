"""The neutral exchange model: one format-free form of a question, which every exchange format reads
and writes.

It is modelled on what Moodle's question model, GIFT and Canvas's QTI share: a *kind* of question
(single or multiple choice, true/false, short answer, numerical, matching, ordering), a prompt,
answers each with a credit fraction and feedback (a text, or a number with a tolerance or a range),
pairs to match, an order, the general feedback (explanation and source) and the overall right /
wrong feedback; plus the metadata that travels with a question (lesson, objective, difficulty,
source) and notes on what an LMS question cannot hold.

Each question type describes itself once in this form (``Question.to_exchange()``) and builds its
bank fields back from it (``Question.from_exchange(item)``); the type registry
(``tmvlearn.quiz.questions.EXCHANGE_TYPES``) maps exchange kinds to types. Each format module of
:mod:`tmvlearn.quiz.formats` (gift, moodle_xml, qti, jupyterquiz) writes from and reads into an
:class:`Item` only, and never imports the question classes; the question types never import a
format; :mod:`tmvlearn.quiz.lms` joins the two. **A new format is one module; a new type is one
class plus its neutral form.**
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["ALIKE", "KINDS", "POSITION", "Answer", "Exported", "Item", "Pair", "join_notes"]

KINDS = ("single_choice", "multiple_choice", "true_false", "short_answer", "numerical", "matching",
         "ordering")

# Kinds that one LMS question form stands for: a choice question's "one answer / several" is a flag,
# and a format without ordering writes an ordering as a matching (of POSITION to step). A question
# read as one of them may be built as another when its tmvlearn metadata names that type.
ALIKE: dict[str, frozenset[str]] = {
    "single_choice": frozenset({"single_choice", "multiple_choice"}),
    "multiple_choice": frozenset({"single_choice", "multiple_choice"}),
    "matching": frozenset({"matching", "ordering"}),
    "ordering": frozenset({"matching", "ordering"}),
}

POSITION = "Position {}"
"""The left items of an ordering written as a matching: ``Position 1``, ``Position 2``..."""


class Exported(NamedTuple):
    """A question in another format: ``data`` (None when the format cannot hold it) and a ``note``
    on what was lost or why it was skipped (None when nothing was)."""

    data: Any
    note: str | None = None


@dataclass(frozen=True)
class Answer:
    """One answer: a text (Markdown; ``"*"`` is "any other answer") or a number (``value`` ±
    ``tolerance``, or the range ``low``..``high``), the credit it earns (-1..1) and its feedback."""

    text: str = ""
    fraction: float = 0.0
    feedback: str | None = None
    value: float | None = None
    tolerance: float = 0.0
    low: float | None = None
    high: float | None = None
    match_case: bool = False  # this answer must be typed in its case (even if the question ignores case)

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def right(self) -> bool:
        return self.fraction > 0


@dataclass(frozen=True)
class Pair:
    """A left item, the right choice it matches, and feedback when it is matched wrongly."""

    left: str
    right: str
    feedback: str | None = None


@dataclass(frozen=True)
class Item:
    """One question in neutral form. Texts are bank Markdown (inline ``$maths$``)."""

    id: str
    kind: str  # one of KINDS
    prompt: str
    type: str | None = None  # the tmvlearn type it was written from (formats with room carry it)
    answers: tuple[Answer, ...] = ()
    pairs: tuple[Pair, ...] = ()
    decoys: tuple[str, ...] = ()  # right-hand choices that match no left item
    order: tuple[str, ...] = ()  # the steps, first to last
    shown: tuple[str, ...] = ()  # the choices (matching) or steps (ordering) in the order shown
    feedback: Mapping[str, str] = field(default_factory=dict)  # overall: "correct", "wrong"
    unit: str | None = None  # numerical: the unit, written after the prompt where a format has none
    precision: int | None = None  # numerical: significant digits compared
    match_case: bool = False  # short answer: case counts for every answer
    fuzzy: float | None = None  # short answer: near-misses this similar count
    patterns: tuple[str, ...] = ()  # short answer: regular expressions that also count
    # general feedback and the metadata that travels
    explanation: str = ""
    source_text: str = ""  # the source as a citation line
    lesson: str | None = None
    objective: str | None = None
    difficulty: int | None = None
    source: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None
    solution: str | None = None
    worked: Mapping[str, Any] | None = None  # the values of a varying question written as its worked one
    # what an LMS question cannot hold
    kept: Mapping[str, Any] = field(default_factory=dict)  # bank fields, for a format with room (a comment)
    exact: Mapping[str, Any] = field(default_factory=dict)  # exact numbers, for a format that rounds them
    losses: tuple[str, ...] = ()  # notes: what an LMS question (GIFT, Moodle XML, QTI) loses
    caveats: tuple[str, ...] = ()  # notes for every format, after its own

    @property
    def stem(self) -> str:
        """The prompt as a format writes it: a numerical question's unit after it."""
        return f"{self.prompt} (in {self.unit})" if self.unit else self.prompt

    @property
    def right_texts(self) -> list[str]:
        return [a.text for a in self.answers if a.right]

    @property
    def rights(self) -> list[str]:
        """Every choice on the right of a matching, each once."""
        return list(dict.fromkeys([p.right for p in self.pairs] + list(self.decoys)))


def join_notes(*groups: Any) -> str | None:
    """Notes (lists of texts) as one note, or None when there are none."""
    notes = [n for group in groups for n in group if n]
    return "; ".join(notes) or None

"""Question types: one class each, registered by their ``type`` name.

Every type owns its fields, grading, bank checks, rendering, widget inputs and its neutral exchange
form (see :mod:`.base` and :mod:`tmvlearn.quiz.exchange`); :data:`EXCHANGE_TYPES` maps exchange
kinds to types. Grading is pure Python and never raises: a response of the wrong kind gets a
:class:`Result` whose feedback says what was expected.

Scoring: single choice, true/false, numeric and short text are right or wrong (score 1 or 0).
Multiple select is all-or-nothing too, but the result keeps the partial-credit information
(``hits``, ``missed``, ``false_picks``, ``partial_credit``). Matching and ordering score the
fraction of pairs or positions that are right; ``correct`` is True only when all are.

>>> q = question_from_dict({"id": "demo", "type": "true_false", "prompt": "Is 2 > 1?", "answer": True})
>>> q.check("yes").correct, q.check(False).score
(True, 0.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from operator import or_
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from tmvlearn.quiz.exchange import ALIKE, Exported
from tmvlearn.quiz.questions.arranged import Matching, Ordering
from tmvlearn.quiz.questions.base import Question, Result, Source, Text, format_source
from tmvlearn.quiz.questions.choice import MultipleSelect, SingleChoice, TrueFalse
from tmvlearn.quiz.questions.short_text import ShortText
from tmvlearn.quiz.questions.typed import Numeric

__all__ = [
    "QUESTION_TYPES",
    "AnyQuestion",
    "Exported",
    "Question",
    "Result",
    "Source",
    "Text",
    "format_source",
    "EXCHANGE_TYPES",
    "exchange_type",
    "question_from_dict",
]

_TYPES = (SingleChoice, MultipleSelect, TrueFalse, Numeric, ShortText, Matching, Ordering)
QUESTION_TYPES: dict[str, type[Question]] = {cls.type_name(): cls for cls in _TYPES}

AnyQuestion = Annotated[reduce(or_, _TYPES), Field(discriminator="type")]
"""Any question, told apart by its ``type`` field (the form of one bank entry)."""

_ADAPTER: TypeAdapter[Question] = TypeAdapter(AnyQuestion)


def question_from_dict(data: Mapping[str, Any], lesson: str | None = None) -> Question:
    """A question from one bank entry; raises ``pydantic.ValidationError`` if the entry is invalid."""
    return _ADAPTER.validate_python(data, context={"lesson": lesson})


EXCHANGE_TYPES: dict[str, type[Question]] = {cls.KIND: cls for cls in _TYPES}
"""Exchange kind (:data:`tmvlearn.quiz.exchange.KINDS`) -> the question type that reads it."""


def exchange_type(kind: str, named: str | None = None) -> type[Question]:
    """The question type to build from an exchange item of ``kind``: the type ``named`` (by its
    tmvlearn metadata) when it reads an alike kind, else the kind's own type. Raises ``ValueError``
    for a kind no type reads."""
    chosen = QUESTION_TYPES.get(named) if isinstance(named, str) else None
    if chosen is not None and chosen.KIND in ALIKE.get(kind, {kind}):
        return chosen
    if kind not in EXCHANGE_TYPES:
        raise ValueError(f"{kind} questions are not imported")
    return EXCHANGE_TYPES[kind]

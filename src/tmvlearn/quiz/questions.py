"""Question types and their grading: pure Python, no widgets, never raises.

Every question has ``check(response) -> Result``. A response of the wrong kind
(None, a string for a numeric question, an unknown option, nested junk) gets a
``Result`` whose feedback says what was expected; it never raises.

Scoring: single choice, true/false, numeric and short text are right or wrong
(score 1 or 0). Multiple select is all-or-nothing too, but the result keeps the
partial-credit information (``hits``, ``missed``, ``false_picks``,
``partial_credit``). Matching and ordering score the fraction of pairs or
positions that are right; ``correct`` is True only when all are.
"""

from __future__ import annotations

import math
import numbers
import random
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

__all__ = ["Result", "Question", "QUESTION_TYPES", "question_from_dict", "format_source"]

MAX_TEXT = 500  # longest text response graded; longer ones are refused politely
DOCUMENTS = {"zhu2021": "Zhu et al. 2021", "pucci2013": "Pucci & Pittet 2013"}


@dataclass(frozen=True)
class Result:
    """The outcome of grading one response."""

    correct: bool
    score: float
    feedback: str
    details: dict[str, Any] = field(default_factory=dict)


def _invalid(message: str, **details: Any) -> Result:
    return Result(False, 0.0, message, {"invalid": True, **details})


def _short(value: Any, limit: int = 60) -> str:
    try:
        text = value if isinstance(value, str) else repr(value)
    except Exception:  # a hostile __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_text_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, set, frozenset)) and all(
        isinstance(v, str) for v in value
    )


def format_source(source: Mapping[str, Any] | None) -> str:
    """``{"document": "zhu2021", "section": ..., "refs": [18]}`` -> a citation line."""
    if not source:
        return ""
    parts = [DOCUMENTS.get(source.get("document", ""), source.get("document", ""))]
    for key in ("section", "table"):
        if source.get(key):
            parts.append(str(source[key]))
    refs = source.get("refs") or []
    if refs:
        parts.append(("ref " if len(refs) == 1 else "refs ") + ",".join(str(r) for r in refs))
    return ", ".join(p for p in parts if p)


@dataclass
class Question:
    """Fields common to every question type; subclasses add their own and grade."""

    type: ClassVar[str] = ""
    id: str
    prompt: str
    explanation: str = ""
    source: dict[str, Any] = field(default_factory=dict)
    objective: str | None = None
    difficulty: int | None = None
    feedback: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    lesson: str | None = None

    def check(self, response: Any) -> Result:
        """Grade ``response``; never raises."""
        try:
            return self._check(response)
        except Exception as exc:  # a safety net: grading must not break a quiz
            return _invalid(
                f"This response could not be graded ({type(exc).__name__}). Try again.",
                internal_error=repr(exc),
            )

    def _check(self, response: Any) -> Result:  # pragma: no cover - abstract
        raise NotImplementedError

    def _right(self, default: str = "Correct.", **details: Any) -> Result:
        return Result(True, 1.0, self.feedback.get("correct", default), details)

    def _wrong(self, message: str | None = None, score: float = 0.0, **details: Any) -> Result:
        return Result(False, score, message or self.feedback.get("wrong", "Not quite."), details)

    # What the key, the tests and the renderers need from every type.
    def key_response(self) -> Any:
        """A response that grades correct."""
        raise NotImplementedError

    def distractor_responses(self) -> list[Any]:
        """Plausible wrong responses (every distractor offered) that must grade wrong."""
        raise NotImplementedError

    def answer_text(self) -> str:
        """The answer, as a line of text for the instructor's key."""
        raise NotImplementedError

    def secret_texts(self) -> list[str]:
        """Texts that give the answer away: never in a student rendering."""
        texts = [self.explanation, self.note or ""] + list(self.feedback.values())
        return [t for t in texts if t and t.strip()]

    def display_order(self, seq: list[str], seed: int | str = 0, *, avoid: list[str] | None = None) -> list[str]:
        """``seq`` shuffled by a generator seeded from the question id (stable across runs).

        With ``avoid``, the result differs from that order (so a shuffled ordering
        question never shows its answer).
        """
        rng = random.Random(f"{seed}:{self.id}")
        out = list(seq)
        for _ in range(20):
            rng.shuffle(out)
            if avoid is None or out != avoid or len(set(out)) < 2:
                break
        return out

    @property
    def source_text(self) -> str:
        return format_source(self.source)


@dataclass
class _Choice(Question):
    options: list[str] = field(default_factory=list)

    def _option(self, value: Any) -> str | None:
        if isinstance(value, str):
            text = value.strip()
            return text if text in self.options else None
        return None


@dataclass
class SingleChoice(_Choice):
    type: ClassVar[str] = "single_choice"
    answer: str = ""

    def _check(self, response: Any) -> Result:
        if response is None or (isinstance(response, str) and not response.strip()):
            return _invalid("No option chosen: pick one of the options.")
        if not isinstance(response, str):
            return _invalid(f"Pick one option by its text, not {_short(response)}.")
        choice = self._option(response)
        if choice is None:
            return _invalid(f"{_short(response)!r} is not one of the options: pick one of them.")
        if choice == self.answer:
            return Result(True, 1.0, self.feedback.get(choice, "Correct."), {"choice": choice})
        return Result(False, 0.0, self.feedback.get(choice, "Not quite."), {"choice": choice})

    def key_response(self) -> str:
        return self.answer

    def distractor_responses(self) -> list[str]:
        return [o for o in self.options if o != self.answer]

    def answer_text(self) -> str:
        return self.answer


@dataclass
class MultipleSelect(_Choice):
    type: ClassVar[str] = "multiple_select"
    answer: list[str] = field(default_factory=list)

    def _check(self, response: Any) -> Result:
        if isinstance(response, str):
            response = [response] if response.strip() else []
        if response is None:
            response = []
        if not _is_text_list(response):
            return _invalid("Give the options you select as a list of option texts.")
        picked, unknown = set(), []
        for value in response:
            option = self._option(value)
            if option is None:
                unknown.append(value)
            else:
                picked.add(option)
        if unknown:
            shown = ", ".join(repr(_short(u, 40)) for u in unknown[:3])
            return _invalid(f"Not among the options: {shown}. Select only listed options.")
        if not picked:
            return _invalid("Nothing selected: select every option that applies.")
        key = set(self.answer)
        hits, missed, false_picks = picked & key, key - picked, picked - key
        partial = max(0.0, (len(hits) - len(false_picks)) / len(key))
        details = {
            "hits": sorted(hits),
            "missed": sorted(missed),
            "false_picks": sorted(false_picks),
            "partial_credit": partial,
        }
        if not missed and not false_picks:
            return Result(True, 1.0, self.feedback.get("correct", "Correct: all and only the right options."), details)
        lines = [
            f"Not quite: {len(hits)} of your picks are right, {len(false_picks)} wrong, "
            f"and {len(missed)} right option(s) are missing."
        ]
        lines += [self.feedback[o] for o in self.options if o in false_picks and o in self.feedback]
        return Result(False, 0.0, " ".join(lines), details)

    def key_response(self) -> list[str]:
        return list(self.answer)

    def distractor_responses(self) -> list[list[str]]:
        wrong = [o for o in self.options if o not in self.answer]
        out = [list(self.answer) + [w] for w in wrong]
        if len(self.answer) > 1:
            out.append(list(self.answer[1:]))
        return out + [[w] for w in wrong]

    def answer_text(self) -> str:
        return "; ".join(self.answer)


_TRUE = {"true", "t", "yes"}
_FALSE = {"false", "f", "no"}


@dataclass
class TrueFalse(Question):
    type: ClassVar[str] = "true_false"
    answer: bool = True

    def _check(self, response: Any) -> Result:
        value: bool | None = None
        if type(response).__name__ in ("bool", "bool_"):
            value = bool(response)
        elif isinstance(response, str) and len(response) <= MAX_TEXT:
            word = response.strip().lower()
            value = True if word in _TRUE else False if word in _FALSE else None
        if value is None:
            return _invalid("Answer True or False.")
        if value == self.answer:
            return self._right(choice=value)
        return self._wrong(choice=value)

    def key_response(self) -> bool:
        return self.answer

    def distractor_responses(self) -> list[bool]:
        return [not self.answer]

    def answer_text(self) -> str:
        return "True" if self.answer else "False"


def _round_sig(x: float, digits: int | None) -> float:
    return x if not digits else float(f"{x:.{digits}g}")


@dataclass
class Numeric(Question):
    """A number, right within ``tolerance`` (absolute) or ``rel_tolerance`` (relative).

    ``cases`` (jupyterquiz style) are checked in order after the main answer:
    each is ``{"value": x}`` or ``{"range": [lo, hi]}`` (lo included, hi
    excluded) with ``correct`` and ``feedback``. ``precision`` rounds the
    response and the answer to that many significant digits first.
    """

    type: ClassVar[str] = "numeric"
    answer: float = 0.0
    tolerance: float = 0.0
    rel_tolerance: float = 0.0
    unit: str | None = None
    precision: int | None = None
    cases: list[dict[str, Any]] = field(default_factory=list)

    def parse(self, response: Any) -> float | str:
        """The response as a float, or a message saying why it is not a number."""
        if isinstance(response, bool) or type(response).__name__ == "bool_":
            return "Enter a number, not True or False."
        if isinstance(response, numbers.Real):
            try:
                value = float(response)
            except (OverflowError, ValueError, TypeError):
                return "Enter a number of ordinary size."
        elif isinstance(response, str):
            text = response.strip().replace("\u2212", "-").replace(" ", "")
            if not text:
                return "Enter a number."
            if len(text) > 100:
                return "That is too long to be a number: enter just the number."
            if self.unit:
                unit = self.unit.replace(" ", "")
                if unit and text.lower().endswith(unit.lower()):
                    text = text[: -len(unit)]
            try:
                value = float(Fraction(text)) if "/" in text else float(text)
            except (ValueError, ZeroDivisionError, OverflowError):
                return f"{_short(response)!r} is not a number: enter digits such as 12.5 or 1e3."
        else:
            return "Enter a number."
        if not math.isfinite(value):
            return "Enter a finite number."
        return value

    def _close(self, value: float) -> bool:
        value, answer = _round_sig(value, self.precision), _round_sig(self.answer, self.precision)
        allowed = max(self.tolerance, self.rel_tolerance * abs(answer))
        slack = 1e-9 * max(1.0, abs(answer))  # floating-point noise
        return abs(value - answer) <= allowed + slack

    def _check(self, response: Any) -> Result:
        value = self.parse(response)
        if isinstance(value, str):
            return _invalid(value)
        if self._close(value):
            return self._right(value=value)
        rounded = _round_sig(value, self.precision)
        for case in self.cases:
            if "value" in case:
                hit = rounded == _round_sig(float(case["value"]), self.precision)
            else:
                lo, hi = case["range"]
                hit = lo <= rounded < hi
            if hit:
                good = bool(case.get("correct", False))
                default = "Correct." if good else self.feedback.get("wrong", "Not quite.")
                return Result(good, float(good), case.get("feedback") or default, {"value": value})
        side = "too_low" if value < self.answer else "too_high"
        return self._wrong(self.feedback.get(side) or self.feedback.get("wrong"), value=value)

    def key_response(self) -> float:
        return self.answer

    def distractor_responses(self) -> list[float]:
        out = []
        for case in self.cases:
            if not case.get("correct"):
                out.append(case["value"] if "value" in case else case["range"][0])
        width = max(self.tolerance, self.rel_tolerance * abs(self.answer), 1e-6 * max(1.0, abs(self.answer)))
        out += [self.answer + 3 * width + 1, self.answer - 3 * width - 1]
        return [v for v in out if not self._close(v)]

    def answer_text(self) -> str:
        text = f"{self.answer:g}"
        if self.tolerance:
            text += f" ± {self.tolerance:g}"
        elif self.rel_tolerance:
            text += f" ± {self.rel_tolerance:.0%}"
        return f"{text} {self.unit}" if self.unit else text

    def secret_texts(self) -> list[str]:
        cases = [c.get("feedback", "") for c in self.cases]
        return super().secret_texts() + [f"{self.answer:g}"] + [c for c in cases if c]


def _normal(text: str, match_case: bool) -> str:
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    return text if match_case else text.casefold()


def _similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / longer length (jupyterquiz's fuzzy ratio)."""
    if not a and not b:
        return 1.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1 - prev[-1] / max(len(a), len(b))


@dataclass
class ShortText(Question):
    """Free text, right when it equals an accepted answer or fully matches a pattern.

    Comparison ignores case (unless ``match_case``) and extra whitespace.
    ``wrong_answers`` give feedback for anticipated mistakes; ``fuzzy_threshold``
    (0-1) also accepts near-misses, as jupyterquiz does.
    """

    type: ClassVar[str] = "short_text"
    accepted: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    match_case: bool = False
    fuzzy_threshold: float | None = None
    wrong_answers: list[dict[str, str]] = field(default_factory=list)

    def _check(self, response: Any) -> Result:
        if isinstance(response, numbers.Number) and not isinstance(response, bool):
            response = str(response)
        if not isinstance(response, str):
            return _invalid("Type your answer as text.")
        if len(response) > MAX_TEXT:
            return _invalid(f"That answer is over {MAX_TEXT} characters: a word or short phrase is enough.")
        given = _normal(response, self.match_case)
        if not given:
            return _invalid("Type an answer first.")
        if any(given == _normal(a, self.match_case) for a in self.accepted):
            return self._right(text=given)
        flags = 0 if self.match_case else re.IGNORECASE
        if any(re.fullmatch(p, given, flags) for p in self.patterns):
            return self._right(text=given)
        for wrong in self.wrong_answers:
            if given == _normal(wrong["answer"], self.match_case):
                return self._wrong(wrong.get("feedback"), text=given)
        if self.fuzzy_threshold:
            for accepted in self.accepted:
                if _similarity(given, _normal(accepted, self.match_case)) >= self.fuzzy_threshold:
                    return self._right(f"Close enough (check the spelling: {accepted}).", text=given)
        return self._wrong(text=given)

    def key_response(self) -> str:
        return self.accepted[0]

    def distractor_responses(self) -> list[str]:
        return [w["answer"] for w in self.wrong_answers] + ["zzzz"]

    def answer_text(self) -> str:
        text = " / ".join(self.accepted)
        if self.patterns:
            text += " (or matching: " + ", ".join(f"`/{p}/`" for p in self.patterns) + ")"  # code: no Markdown
        return text

    def secret_texts(self) -> list[str]:
        wrong = [w.get("feedback", "") for w in self.wrong_answers]
        return super().secret_texts() + list(self.accepted) + [w for w in wrong if w]


@dataclass
class Matching(Question):
    """Match each left item to a right item; ``extra_right`` adds decoys."""

    type: ClassVar[str] = "matching"
    pairs: list[dict[str, str]] = field(default_factory=list)
    extra_right: list[str] = field(default_factory=list)

    @property
    def lefts(self) -> list[str]:
        return [p["left"] for p in self.pairs]

    @property
    def rights(self) -> list[str]:
        """Every choice on the right, each once."""
        return list(dict.fromkeys([p["right"] for p in self.pairs] + list(self.extra_right)))

    def _check(self, response: Any) -> Result:
        if isinstance(response, (list, tuple)) and all(
            isinstance(p, (list, tuple)) and len(p) == 2 for p in response
        ):
            try:
                response = dict(response)
            except TypeError:  # unhashable keys
                return _invalid("Give your matches as {left item: right item}.")
        if not isinstance(response, Mapping):
            return _invalid("Give your matches as {left item: right item}.")
        lefts, rights = set(self.lefts), set(self.rights)
        bad_left = [k for k in response if not (isinstance(k, str) and k.strip() in lefts)]
        if bad_left:
            return _invalid(f"{_short(bad_left[0])} is not an item to match.")
        given = {k.strip(): v for k, v in response.items()}
        bad_right = [v for v in given.values() if v is not None and not (isinstance(v, str) and v.strip() in rights)]
        if bad_right:
            return _invalid(f"{_short(bad_right[0])} is not one of the choices.")
        if not any(v is not None for v in given.values()):
            return _invalid("Nothing matched yet: choose a match for each item.")
        right_lefts = [p["left"] for p in self.pairs if (given.get(p["left"]) or "").strip() == p["right"]]
        wrong = [p for p in self.pairs if p["left"] not in right_lefts]
        score = len(right_lefts) / len(self.pairs)
        details = {"right": right_lefts, "wrong": [p["left"] for p in wrong]}
        if not wrong:
            return self._right("Correct: every match is right.", **details)
        lines = [f"{len(right_lefts)} of {len(self.pairs)} matches are right."]
        lines += [p["feedback"] for p in wrong if p.get("feedback") and given.get(p["left"])]
        return self._wrong(" ".join(lines), score=score, **details)

    def key_response(self) -> dict[str, str]:
        return {p["left"]: p["right"] for p in self.pairs}

    def distractor_responses(self) -> list[dict[str, str]]:
        key = self.key_response()
        out = []
        if len(self.pairs) > 1:  # rotate the right column by one
            rights = [p["right"] for p in self.pairs]
            rotated = rights[1:] + rights[:1]
            if rotated != rights:
                out.append(dict(zip(self.lefts, rotated)))
        for extra in self.extra_right:
            out.append({**key, self.lefts[0]: extra})
        return out

    def answer_text(self) -> str:
        return "; ".join(f"{p['left']} → {p['right']}" for p in self.pairs)

    def secret_texts(self) -> list[str]:
        fb = [p.get("feedback", "") for p in self.pairs]
        return super().secret_texts() + [f for f in fb if f]


@dataclass
class Ordering(Question):
    """Put ``items`` (listed in the right order) back in order."""

    type: ClassVar[str] = "ordering"
    items: list[str] = field(default_factory=list)

    def _check(self, response: Any) -> Result:
        if not isinstance(response, (list, tuple)) or not all(isinstance(v, str) or v is None for v in response):
            return _invalid("Give the items as a list, first to last.")
        given = [v.strip() if isinstance(v, str) else None for v in response]
        if any(v is None for v in given) or len(given) != len(self.items):
            return _invalid(f"Place all {len(self.items)} items, each once.")
        if sorted(given) != sorted(self.items):
            unknown = [v for v in given if v not in self.items]
            if unknown:
                return _invalid(f"{_short(unknown[0])!r} is not one of the items.")
            return _invalid("Use each item exactly once.")
        in_place = sum(g == k for g, k in zip(given, self.items))
        details = {"in_place": in_place}
        if in_place == len(self.items):
            return self._right(**details)
        message = f"{in_place} of {len(self.items)} items are in the right place."
        extra = self.feedback.get("wrong")
        return self._wrong(f"{message} {extra}" if extra else message, score=in_place / len(self.items), **details)

    def key_response(self) -> list[str]:
        return list(self.items)

    def distractor_responses(self) -> list[list[str]]:
        swapped = list(self.items)
        swapped[0], swapped[1] = swapped[1], swapped[0]
        return [list(reversed(self.items)), swapped]

    def answer_text(self) -> str:
        return " → ".join(f"({i}) {item}" for i, item in enumerate(self.items, 1))

    def secret_texts(self) -> list[str]:
        return super().secret_texts() + [self.answer_text()]


QUESTION_TYPES: dict[str, type[Question]] = {
    cls.type: cls for cls in (SingleChoice, MultipleSelect, TrueFalse, Numeric, ShortText, Matching, Ordering)
}

_COMMON = {"id", "prompt", "explanation", "source", "objective", "difficulty", "feedback", "note"}
_DIFFICULTY = {"easy": 1, "medium": 2, "hard": 3}


def question_from_dict(data: Mapping[str, Any], lesson: str | None = None) -> Question:
    """Build a question from one bank entry (assumed already validated)."""
    cls = QUESTION_TYPES[data["type"]]
    kwargs = {k: v for k, v in data.items() if k != "type"}
    kwargs["lesson"] = lesson
    difficulty = kwargs.get("difficulty")
    if isinstance(difficulty, str):
        kwargs["difficulty"] = _DIFFICULTY.get(difficulty)
    kwargs["feedback"] = {str(k): v for k, v in (kwargs.get("feedback") or {}).items()}
    if cls is Numeric:
        for key in ("answer", "tolerance", "rel_tolerance"):
            if key in kwargs:
                kwargs[key] = float(kwargs[key])
    return cls(**kwargs)

"""Questions answered by typing a number (a word or short phrase: :mod:`.short_text`)."""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import replace
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, ConfigDict, Field, PrivateAttr, model_validator
from typing_extensions import NotRequired, TypedDict

import tmvlearn.quiz.variants as variants
from tmvlearn.quiz.exchange import Answer, Item
from tmvlearn.quiz.questions.base import (
    BLANK,
    Question,
    Result,
    Text,
    _bank_schema,
    invalid,
    short,
    text_box,
    unit_suffix,
)
from tmvlearn.quiz.units import UnitError, convert
from tmvlearn.quiz.variants import VariantSpec

__all__ = ["Numeric", "ShortText"]  # ShortText lives in .short_text

Feedback = dict[Literal["correct", "wrong"], Text]
Finite = Annotated[float, Field(allow_inf_nan=False)]


def _unit(text: str) -> str:
    if not re.search(r"[^\W\d_]|[%°]", text) or text[0].isdigit() or re.search(r"[<>\"'&{}\\]", text):
        raise ValueError(f"{text!r} is not a unit: write one such as min, nm or % (letters, no number "
                         "first, no markup characters)")
    return text


Unit = Annotated[Text, AfterValidator(_unit), Field(description=(
    "The answer's unit (min, h, nm, µm, %, S, x g, rpm...); a learner may write a unit of the same kind "
    "after the number and it is converted."))]


class Case(TypedDict):
    """A further value, or a ``[low, high)`` range, right or wrong, with its own feedback."""

    __pydantic_config__ = ConfigDict(  # type: ignore[misc]
        extra="forbid", strict=True,
        json_schema_extra={"oneOf": [{"required": ["value"]}, {"required": ["range"]}]})
    value: NotRequired[int | Finite]
    range: NotRequired[Annotated[list[int | Finite], Field(min_length=2, max_length=2)]]
    correct: bool
    feedback: NotRequired[Text]


# A number (thousands grouped by commas or spaces, or not at all; a fraction; an exponent) and what
# follows it, which should be a unit.
_NUMBER = re.compile(
    r"(?P<number>[-+]?(?:\d{1,3}(?:[,\s]\d{3})+(?!\d)|\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?"
    r"(?:\s*/\s*\d+(?:\.\d+)?)?)(?P<unit>.*)", re.S)


# What may follow a factor ("9x", "9 times", "9-fold"); none of them is a unit.
_TIMES = {"x", "×", "times", "fold", "-fold", "- fold", "times faster", "times as fast", "times more"}


def _round_sig(x: float, digits: int | None) -> float:
    return x if not digits else float(f"{x:.{digits}g}")


def _computed(x: float) -> str:
    """A key computed by a model, as the instructor's key prints it (4 significant digits)."""
    from tmvlearn.quiz.variants import nice

    text = nice(x, 4)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _numeric_schema(schema: dict[str, Any], cls: type) -> None:
    _bank_schema(schema, cls)
    schema["anyOf"] = [{"required": ["answer"]}, {"required": ["variant"]}]


class Numeric(Question):
    """A number, right within ``tolerance`` (absolute) or ``rel_tolerance`` (relative).

    ``cases`` (jupyterquiz style) are checked in order after the main answer: each is
    ``{value: x}`` or ``{range: [lo, hi]}`` (lo included, hi excluded) with ``correct`` and
    ``feedback``. ``precision`` rounds the response and the answer to that many significant digits
    first.

    With a ``variant`` (see :mod:`tmvlearn.quiz.variants`) the numbers are drawn per learner and the key
    is computed by a named model function: :meth:`instantiate` gives the concrete question for a seed,
    :meth:`worked` the fixed one, which this question grades, prints and exports as.
    """

    model_config = ConfigDict(json_schema_extra=_numeric_schema)
    blank_input: ClassVar[Any] = ""
    KIND: ClassVar[str] = "numerical"

    type: Literal["numeric"] = "numeric"
    answer: Annotated[Finite, Field(description=(
        "The key; leave it out when a variant computes it."))] = None  # type: ignore[assignment]
    tolerance: Annotated[Finite, Field(ge=0, description="Absolute tolerance, >= 0.")] = 0.0
    rel_tolerance: Annotated[Finite, Field(ge=0, description="Relative tolerance (0.05 = 5%), >= 0.")] = 0.0
    unit: Unit = None  # type: ignore[assignment]
    precision: Annotated[int, Field(ge=1, description="Round to this many significant digits before comparing.")] = None  # type: ignore[assignment]  # noqa: E501
    cases: Annotated[list[Case], Field(description=(
        "Further values or [low, high) ranges, checked in order after the answer, each right or wrong "
        "with its own feedback."))] = []
    feedback: Annotated[dict[Literal["correct", "wrong", "too_low", "too_high"], Text], Field(
        description="Feedback: correct, wrong, and too_low / too_high "
        "for a wrong number on either side.")] = {}
    variant: Annotated[VariantSpec, Field(description=(
        "Fresh numbers: the key comes from a named model function and the values are drawn per learner "
        "within params; prompt, explanation and feedback are templates ({{name}}, {{answer}})."))] = None  # type: ignore[assignment]  # noqa: E501

    _values: dict[str, Any] | None = PrivateAttr(default=None)
    _worked: Numeric | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _worked_key(self) -> Numeric:
        if self.variant is not None and self.answer is None:
            fixed = variants.worked(self.variant)
            # set past pydantic, so `answer` stays out of the fields the bank gave
            object.__setattr__(self, "answer", fixed.answer if fixed is not None else math.nan)
        return self

    def _variant_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        if self.variant is None:
            return [] if self.answer is not None else [
                (("answer",), "missing (required): give the key, or a variant whose model computes it")]
        out: list[tuple[tuple[Any, ...], str]] = []
        fixed = variants.worked(self.variant)
        if "answer" in self.model_fields_set:
            gives = f" (it gives {fixed.answer:g})" if fixed is not None else ""
            out.append((("answer",), f"leave it out: the model computes the key from variant.worked{gives}"))
        if self.cases:
            out.append((("cases",), "the wrong values of a variant vary too: list them as variant.mistakes "
                                    "(outputs of the model), not as fixed cases"))
        if not (self.tolerance or self.rel_tolerance or self.precision):
            out.append((("rel_tolerance",), "a computed key needs a tolerance: give rel_tolerance "
                                            "(e.g. 0.02) or tolerance"))
        texts: dict[Any, str | None] = {"prompt": self.prompt, "explanation": self.explanation,
                                        "note": self.note, "solution": self.solution}
        texts.update({("feedback", k): v for k, v in self.feedback.items()})
        texts.update({("variant", "mistakes", j, "feedback"): m["feedback"]
                      for j, m in enumerate(self.variant.mistakes)})
        return out + variants.spec_problems(self.variant, texts, self.id, self._grading_faults)

    def _grading_faults(self, drawn: Any) -> list[str]:
        """What goes wrong when the variant ``drawn`` is graded: its key must grade right; a value
        off by three tolerances (or 10% without one) and every mistake must grade wrong."""
        q = self._concrete(drawn)
        if not q.check(q.answer).correct:
            return [f"the key {q.answer:g} does not grade correct"]
        width = max(q.tolerance, q.rel_tolerance * abs(q.answer))
        near = [q.answer + 3 * width, q.answer - 3 * width] if width else [q.answer * 1.1, q.answer * 0.9]
        for wrong in near + q.distractor_responses():
            if q.check(wrong).correct:
                return [f"the wrong value {wrong:g} grades correct (key {q.answer:g})"]
        return []

    # -- fresh numbers ---------------------------------------------------------------------
    def instantiate(self, seed: Any = None) -> Numeric:
        """The question with values drawn for ``seed`` (None: the worked variant); itself when nothing
        varies. Deterministic: the same seed and id give the same values."""
        if self.variant is None:
            return self
        if seed is None:
            return self.worked()
        return self._concrete(variants.draw(self.variant, seed, self.id))

    def worked(self) -> Numeric:
        if self.variant is None:
            return self
        if self._worked is None:
            fixed = variants.worked(self.variant)
            if fixed is None:
                raise ValueError(f"question {self.id}: the worked variant gives no usable key; "
                                 "run `tmvlearn quiz check`")
            self._worked = self._concrete(fixed)
        return self._worked

    def variant_info(self) -> Any:
        if self.variant is None:
            return None
        return variants.info(self.variant, self.prompt)

    @property
    def variant_values(self) -> dict[str, Any] | None:
        return None if self._values is None else dict(self._values)

    def _concrete(self, drawn: Any) -> Numeric:
        """This question with the templates filled and the key, and mistakes as cases, of ``drawn``."""
        names = variants.names_for(drawn)

        def fill(text: str | None) -> str | None:
            return variants.fill(text, names)
        cases: list[Case] = []
        allowed = max(self.tolerance, self.rel_tolerance * abs(drawn.answer))
        key = self.model_copy(update={"variant": None, "answer": drawn.answer, "cases": []})
        for mistake in self.variant.mistakes:  # each within the answer's own tolerance of its value
            value = {**drawn.values, **drawn.outputs}.get(mistake["output"])
            if isinstance(value, str) or value is None or not math.isfinite(value):
                continue
            if key._close(value):
                continue  # this variant's mistake grades right: nothing to tell apart
            width = max(self.tolerance, self.rel_tolerance * abs(value), 1e-9 * max(1.0, abs(value)))
            # narrowed where it would reach into the accepted range (which is checked first anyway)
            width = min(width, abs(value - drawn.answer) - allowed)
            if width <= 0:
                continue
            cases.append({"range": [value - width, value + width], "correct": False,
                          "feedback": fill(mistake["feedback"])})
        q = self.model_copy(update={
            "variant": None, "answer": drawn.answer, "prompt": fill(self.prompt),
            "explanation": fill(self.explanation), "note": fill(self.note), "solution": fill(self.solution),
            "feedback": {k: fill(v) for k, v in self.feedback.items()}, "cases": cases})
        q._values, q._worked = dict(drawn.values), None
        return q

    def parse(self, response: Any) -> float | str:
        """The response as a float in the question's unit, or a message saying why it is not one.

        Text may use thousands separators (``1,000``, ``10 000``), a fraction (``500/2``) and a
        unit after the number, converted when the question's unit is of the same kind
        (``2 hours`` for minutes).
        """
        if isinstance(response, bool) or type(response).__name__ == "bool_":
            return "Enter a number, not True or False."
        if isinstance(response, numbers.Real):
            try:
                value = float(response)
            except (OverflowError, ValueError, TypeError):
                return "Enter a number of ordinary size."
        elif isinstance(response, str):
            value_or_message = self._parse_text(response)
            if isinstance(value_or_message, str):
                return value_or_message
            value = value_or_message
        else:
            return "Enter a number."
        if not math.isfinite(value):
            return "Enter a finite number."
        return value

    def _parse_text(self, response: str) -> float | str:
        text = unicodedata.normalize("NFKC", response).replace("\u2212", "-").strip()
        if not self.unit and re.fullmatch(r"(?i)the\s+\d{3}0['’]?s", text):
            text = text[4:].lstrip()  # "the 1970s"
        if not text:
            return "Enter a number."
        if len(text) > 100:
            return "That is too long to be a number: enter just the number."
        if re.match(r"[-+]?\d+,\d{1,2}(?![\d,])", text):
            return (f"{short(response)!r}: write decimals with a point (1.5), not a comma; "
                    "commas only group thousands (1,000).")
        match = _NUMBER.match(text)
        not_a_number = (f"{short(response)!r} is not a number: enter digits such as 12.5 or 1e3"
                        f"{self._unit_hint()}.")
        if not match or not re.search(r"\d", match["number"]):
            return not_a_number
        number, unit = match["number"], match["unit"].strip().rstrip(".").strip()
        digits = re.sub(r"[,\s]", "", number)
        try:
            value = float(Fraction(digits)) if "/" in digits else float(digits)
        except (ValueError, ZeroDivisionError, OverflowError):
            return not_a_number
        if unit.casefold() in _TIMES and (not self.unit or unit.casefold() in _TIMES):
            return value  # "9x", "9 times", "9-fold": a factor is a plain number
        if unit in ("s", "'s", "’s") and not self.unit and digits.isdigit() and digits.endswith("0"):
            return value  # "1970s": a decade, named by its first year
        if not unit:
            if self.unit == "%" and self.answer is not None and 0 < abs(value) < 1 <= abs(self.answer):
                return (f"{short(response)!r} looks like a proportion; this box takes a percentage: "
                        f"write {value * 100:g} for {value:g}.")
            return value
        if not self.unit:
            return f"Give just the number, without a unit ({short(unit, 20)!r})."
        try:
            return convert(value, unit, self.unit)
        except UnitError as exc:
            return f"{exc}."

    def _unit_hint(self) -> str:
        return f", in {self.unit}" if self.unit else ""

    def _close(self, value: float) -> bool:
        value, answer = _round_sig(value, self.precision), _round_sig(self.answer, self.precision)
        allowed = max(self.tolerance, self.rel_tolerance * abs(answer))
        slack = 1e-9 * max(1.0, abs(answer))  # floating-point noise
        return abs(value - answer) <= allowed + slack

    def _check(self, response: Any) -> Result:
        if self.variant is not None:
            return self.worked()._check(response)
        result = self._grade(response)
        if self._values is not None:  # which numbers the learner saw, kept with the result
            result.details["variant"] = dict(self._values)
        return result

    def _grade(self, response: Any) -> Result:
        value = self.parse(response)
        if isinstance(value, str):
            return invalid(value)
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
        return self.worked().answer

    def distractor_responses(self) -> list[float]:
        if self.variant is not None:
            return self.worked().distractor_responses()
        out = []
        for case in self.cases:
            if not case.get("correct"):
                out.append(case["value"] if "value" in case else case["range"][0])
        width = max(self.tolerance, self.rel_tolerance * abs(self.answer), 1e-6 * max(1.0, abs(self.answer)))
        right = [c["range"] for c in self.cases if c.get("correct") and "range" in c]
        far = [self.answer + 3 * width + 1, self.answer - 3 * width - 1]
        for lo, hi in right:  # past a right range around the key (an imported half-open one)
            if any(lo <= v < hi for v in far):
                far = [hi + (hi - lo) + 1, lo - (hi - lo) - 1]
        out += [v for v in far if not any(lo <= v < hi for lo, hi in right)]
        return [v for v in out if not self._close(v)]

    def answer_text(self) -> str:
        if self.variant is not None:
            return self.worked().answer_text()
        text = f"{self.answer:g}" if self._values is None else _computed(self.answer)
        if self.tolerance:
            text += f" ± {self.tolerance:g}"
        elif self.rel_tolerance:
            text += f" ± {self.rel_tolerance:.0%}"
        return f"{text} {self.unit}" if self.unit else text

    def secret_texts(self) -> list[str]:
        cases = [c.get("feedback", "") for c in self.cases]
        extra = self.worked().secret_texts() if self.variant is not None else []
        computed = [_computed(self.answer)] if self._values is not None else []
        return super().secret_texts() + [f"{self.answer:g}"] + computed + [c for c in cases if c] + extra

    def bank_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        problems = self._variant_problems()
        for j, case in enumerate(self.cases):
            if ("value" in case) == ("range" in case):
                problems.append((("cases", j), "give either a value or a range, not both or neither"))
            elif "range" in case and not case["range"][0] < case["range"][1]:
                problems.append((("cases", j, "range"), "a range must be [low, high) with low < high"))
        return problems

    def instruction_text(self) -> str:
        return "Enter a number" + (f" (in {self.unit})." if self.unit else ".")

    def body_html(self, options: list[str]) -> list[str]:
        return [f'<p class="tmv-blank">Answer: {BLANK}{unit_suffix(self.unit, escape=True)}</p>']

    def body_markdown(self, options: list[str]) -> list[str]:
        return [f"Answer: {BLANK}{unit_suffix(self.unit, escape=False)}"]

    def make_inputs(self, w: Any, options: list[str]) -> list[Any]:
        label = f"Answer ({self.unit}):" if self.unit else "Answer:"
        return [text_box(w, label, "a number")]

    # -- the neutral exchange form (a variant goes as its worked variant) ----------------------
    def lms_prompt(self) -> str:
        return f"{self.prompt} (in {self.unit})" if self.unit else self.prompt

    def lms_width(self) -> float:
        """The tolerance as an absolute one (a relative tolerance times the answer)."""
        return max(self.tolerance, self.rel_tolerance * abs(self.answer))

    def to_exchange(self) -> Item:
        if self.variant is not None:
            item = self.worked().to_exchange()
            fixed = (f"its numbers vary per learner in tmvlearn; exported with the worked values "
                     f"({self.variant_info().worked_text()})")
            return replace(item, caveats=(*item.caveats, fixed))
        answers = [Answer(value=self.answer, tolerance=self.lms_width(), fraction=1.0,
                          feedback=self.feedback.get("correct"))]
        for case in self.cases:
            bounds = ({"value": case["value"]} if "value" in case
                      else {"low": case["range"][0], "high": case["range"][1]})
            answers.append(Answer(fraction=1.0 if case.get("correct") else 0.0, feedback=case.get("feedback"),
                                  **bounds))
        losses, kept = [], {}
        sides = {k: self.feedback[k] for k in ("too_low", "too_high") if self.feedback.get(k)}
        if sides:
            losses.append("the feedback for a number too low / too high is not kept (the LMS has one "
                          "feedback for any other number)")
            kept["feedback"] = sides
        if any("range" in c for c in self.cases):
            losses.append("a wrong range [low, high) includes its high end in the LMS")
        if self.precision:
            losses.append(f"rounding to {self.precision} significant digits is not kept (the tolerance is)")
            kept["precision"] = self.precision
        if self.rel_tolerance:
            kept.update(rel_tolerance=self.rel_tolerance, tolerance=self.tolerance)
        if self.unit:
            losses.append("the unit is written in the prompt; the LMS grades the number alone")
            kept["unit"] = self.unit
        return self._item(answers=tuple(answers), feedback=self._overall(self.feedback), unit=self.unit,
                          precision=self.precision, kept=kept, losses=tuple(losses),
                          exact={"answer": self.answer, "tolerance": self.tolerance, "cases": self.cases})

    @classmethod
    def from_exchange(cls, item: Item) -> dict[str, Any]:
        """The first answer worth full credit is the key (a range as its middle and half-width); the
        others are cases: a range, a value, or a value with a tolerance as its range."""
        main, cases, feedback = None, [], {}
        for a in item.answers:
            if main is None and a.fraction >= 1:
                main = a
                if a.feedback is not None:
                    feedback["correct"] = a.feedback
                continue
            width = a.tolerance
            case: dict[str, Any] = ({"range": [a.low, a.high]} if a.is_range else {"value": a.value}
                                    if not width else {"range": [a.value - width, a.value + width]})
            case["correct"] = a.fraction >= 1
            if a.feedback is not None:
                case["feedback"] = a.feedback
            cases.append(case)
        if main is None:
            raise ValueError("no number is worth 100%")
        if item.feedback.get("wrong") is not None:
            feedback["wrong"] = item.feedback["wrong"]
        out = {"answer": main.value, "tolerance": main.tolerance, "cases": cases, "feedback": feedback}
        if item.precision is not None:
            out["precision"] = item.precision
        return cls._with_kept(out, item)


from tmvlearn.quiz.questions.short_text import ShortText  # noqa: E402  (it was defined here)

"""Questions answered by typing: a number, or a word or short phrase."""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, ConfigDict, Field, PrivateAttr, model_validator
from typing_extensions import NotRequired, TypedDict

from tmvlearn.quiz.questions.base import (
    BLANK,
    MAX_TEXT,
    Exported,
    Question,
    Result,
    Text,
    _bank_schema,
    answers_list,
    invalid,
    number,
    short,
    text_box,
    unit_suffix,
)
from tmvlearn.quiz.units import UnitError, convert
from tmvlearn.quiz.variants import VariantSpec

__all__ = ["Numeric", "ShortText"]

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
    JUPYTERQUIZ: ClassVar[tuple[str, ...]] = ("numeric",)
    GIFT: ClassVar[tuple[str, ...]] = ("numerical",)

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
            from tmvlearn.quiz import variants

            fixed = variants.worked(self.variant)
            # set past pydantic, so `answer` stays out of the fields the bank gave
            object.__setattr__(self, "answer", fixed.answer if fixed is not None else math.nan)
        return self

    def _variant_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        if self.variant is None:
            return [] if self.answer is not None else [
                (("answer",), "missing (required): give the key, or a variant whose model computes it")]
        from tmvlearn.quiz import variants

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
        from tmvlearn.quiz import variants

        return self._concrete(variants.draw(self.variant, seed, self.id))

    def worked(self) -> Numeric:
        if self.variant is None:
            return self
        if self._worked is None:
            from tmvlearn.quiz import variants

            fixed = variants.worked(self.variant)
            if fixed is None:
                raise ValueError(f"question {self.id}: the worked variant gives no usable key; "
                                 "run `tmvlearn quiz check`")
            self._worked = self._concrete(fixed)
        return self._worked

    def variant_info(self) -> Any:
        if self.variant is None:
            return None
        from tmvlearn.quiz import variants

        return variants.info(self.variant, self.prompt)

    @property
    def variant_values(self) -> dict[str, Any] | None:
        return None if self._values is None else dict(self._values)

    def _concrete(self, drawn: Any) -> Numeric:
        """This question with the templates filled and the key, and mistakes as cases, of ``drawn``."""
        from tmvlearn.quiz import variants

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

    def export(self, fmt: str) -> Exported:
        if self.variant is None:
            return super().export(fmt)
        data, note = self.worked().export(fmt)
        fixed = (f"its numbers vary per learner in tmvlearn; exported with the worked values "
                 f"({self.variant_info().worked_text()})")
        return Exported(data, f"{note}; {fixed}" if note else fixed)

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
        if not unit:
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
        out += [self.answer + 3 * width + 1, self.answer - 3 * width - 1]
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

    def to_jupyterquiz(self) -> Exported:
        width = max(self.tolerance, self.rel_tolerance * abs(self.answer))
        if width:
            main: dict[str, Any] = {"type": "range", "range": [self.answer - width, self.answer + width],
                                    "correct": True}
        else:
            main = {"type": "value", "value": self.answer, "correct": True}
        main["feedback"] = self.feedback.get("correct", "Correct.")
        answers = [main]
        for case in self.cases:
            entry: dict[str, Any] = ({"type": "value", "value": case["value"]} if "value" in case
                                     else {"type": "range", "range": list(case["range"])})
            entry["correct"] = bool(case.get("correct"))
            if case.get("feedback"):
                entry["feedback"] = case["feedback"]
            answers.append(entry)
        if self.feedback.get("wrong"):
            answers.append({"type": "default", "feedback": self.feedback["wrong"]})
        prompt = self.prompt if not self.unit else f"{self.prompt} (in {self.unit})"
        out: dict[str, Any] = {"question": prompt, "type": "numeric", "answers": answers}
        if self.precision:
            out["precision"] = self.precision
        return Exported(out)

    @classmethod
    def from_jupyterquiz(cls, item: Mapping[str, Any]) -> dict[str, Any]:
        precision = item.get("precision")
        if precision is not None and (
                isinstance(precision, bool) or not isinstance(precision, int) or precision < 1):
            raise ValueError("'precision' must be a positive integer")
        cases, default = [], None
        for j, a in enumerate(answers_list(item)):
            kind = a.get("type") or ("value" if "value" in a else "range" if "range" in a else None)
            if kind == "default":
                default = a.get("feedback")
                continue
            case: dict[str, Any] = {"correct": a.get("correct") is True}
            if kind == "value":
                case["value"] = number(a.get("value"), f"answers[{j}].value")
            elif kind == "range":
                rng = a.get("range")
                if not (isinstance(rng, list) and len(rng) == 2):
                    raise ValueError(f"answers[{j}].range must be [low, high]")
                case["range"] = [number(rng[0], f"answers[{j}].range[0]"),
                                 number(rng[1], f"answers[{j}].range[1]")]
                if not case["range"][0] < case["range"][1]:
                    raise ValueError(f"answers[{j}].range must have low < high")
            else:
                raise ValueError(f"answers[{j}] is not a value, range or default answer")
            if isinstance(a.get("feedback"), str):
                case["feedback"] = a["feedback"]
            cases.append(case)
        main = next((c for c in cases if c["correct"]), None)
        if main is None:
            raise ValueError("no value or range is marked correct")
        cases.remove(main)
        if "value" in main:
            answer, tolerance = main["value"], 0.0
        else:  # the range's midpoint and half-width (its high end, excluded in jupyterquiz, now counts)
            lo, hi = main["range"]
            answer, tolerance = (lo + hi) / 2, (hi - lo) / 2
        feedback: dict[str, str] = {}
        if "feedback" in main:
            feedback["correct"] = main["feedback"]
        if default:
            feedback["wrong"] = default
        out = {"answer": answer, "tolerance": tolerance, "cases": cases, "feedback": feedback}
        if precision is not None:
            out["precision"] = precision
        return out

    # -- LMS formats (tmvlearn.quiz.lms; a variant reaches these as its worked variant via export) --
    def _lms_losses(self) -> tuple[list[str], dict[str, Any]]:
        """What an LMS numeric question cannot hold, and those fields for the GIFT comment."""
        notes, extras = [], {}
        sides = {k: self.feedback[k] for k in ("too_low", "too_high") if self.feedback.get(k)}
        if sides:
            notes.append("the feedback for a number too low / too high is not kept (the LMS has one "
                         "feedback for any other number)")
            extras["feedback"] = sides
        if any("range" in c for c in self.cases):
            notes.append("a wrong range [low, high) includes its high end in the LMS")
        if self.precision:
            notes.append(f"rounding to {self.precision} significant digits is not kept (the tolerance is)")
            extras["precision"] = self.precision
        if self.rel_tolerance:
            extras.update(rel_tolerance=self.rel_tolerance, tolerance=self.tolerance)
        if self.unit:
            notes.append("the unit is written in the prompt; the LMS grades the number alone")
            extras["unit"] = self.unit
        return notes, extras

    def lms_prompt(self) -> str:
        return f"{self.prompt} (in {self.unit})" if self.unit else self.prompt

    def lms_width(self) -> float:
        """The tolerance as an absolute one (a relative tolerance times the answer)."""
        return max(self.tolerance, self.rel_tolerance * abs(self.answer))

    def to_gift(self) -> Exported:
        from tmvlearn.quiz.lms import gift

        num = gift.format_number
        value, width = gift.short_tolerance(self.answer, self.lms_width())  # no float noise, never narrower
        answers = ["#", f"=%100%{num(value)}:{num(width)}" + gift.feedback_part(self.feedback.get("correct"))]
        rounded = value != self.answer or width != self.lms_width()
        for case in self.cases:
            lo, hi = (case["value"],) * 2 if "value" in case else gift.short_range(*case["range"])
            rounded = rounded or ("range" in case and [lo, hi] != list(case["range"]))
            body = f"{num(lo)}:0" if "value" in case else f"{num(lo)}..{num(hi)}"
            answers.append(f"={'%100%' if case.get('correct') else '%0%'}{body}"
                           + gift.feedback_part(case.get("feedback")))
        if self.feedback.get("wrong"):
            answers.append("~#" + gift.html(self.feedback["wrong"]))
        notes, extras = self._lms_losses()
        if rounded:  # the exact numbers, for a round trip through tmvlearn
            extras.update(answer=self.answer, tolerance=self.tolerance, cases=self.cases)
        return self._gift(answers, notes, extras, prompt=self.lms_prompt())

    def _lms_cases(self) -> list[tuple[float, float, bool, str | None]]:
        """The cases as (low, high, correct, feedback) intervals."""
        return [((c["value"], c["value"]) if "value" in c else tuple(c["range"])) + (bool(c.get("correct")),
                c.get("feedback")) for c in self.cases]  # type: ignore[misc]

    def to_moodle_xml(self) -> Exported:
        from tmvlearn.quiz.lms import moodle_xml as mx
        from tmvlearn.quiz.lms.gift import format_number as num
        from tmvlearn.quiz.lms.gift import short_tolerance

        value, width = short_tolerance(self.answer, self.lms_width())
        answers = [mx.plain_answer(1.0, num(value), self.feedback.get("correct"), tolerance=num(width))]
        for lo, hi, correct, feedback in self._lms_cases():  # a range as its middle and half-width
            value, width = short_tolerance((lo + hi) / 2, (hi - lo) / 2, (lo, hi))
            answers.append(mx.plain_answer(1.0 if correct else 0.0, num(value), feedback,
                                           tolerance=num(width)))
        if self.feedback.get("wrong"):
            answers.append(mx.plain_answer(0.0, "*", self.feedback["wrong"], tolerance="0"))
        units = [mx.simple("unitgradingtype", "0"), mx.simple("unitpenalty", "0"),
                 mx.simple("showunits", "3"), mx.simple("unitsleft", "0")]
        notes, _ = self._lms_losses()
        return self._moodle("numerical", answers + units, notes, prompt=self.lms_prompt())

    def to_qti(self) -> Exported:
        from tmvlearn.quiz.lms import qti

        width = self.lms_width()
        parts = qti.numeric((self.answer - width, self.answer + width), self._lms_cases(),
                            self.feedback.get("correct"))
        notes, _ = self._lms_losses()
        if self.cases:
            notes.append("Canvas may drop the feedback for particular wrong numbers")
        return self._qti("numerical_question", parts, notes, prompt=self.lms_prompt())

    @classmethod
    def from_gift(cls, q: Any) -> dict[str, Any]:
        from tmvlearn.quiz.lms.gift import numeric_answer

        if q.kind != "numerical":
            raise ValueError(f"a {q.kind} question is not a numerical question")
        main, cases, feedback = None, [], {}
        for a in q.answers:
            if a.prefix == "other":
                if a.feedback:
                    feedback["wrong"] = q.markdown(a.feedback)
                continue
            value, width, rng = numeric_answer(a)
            if main is None and a.fraction >= 1:
                main = (value, width)
                if a.feedback:
                    feedback["correct"] = q.markdown(a.feedback)
                continue
            case: dict[str, Any] = ({"range": list(rng)} if rng else {"value": value} if not width
                                    else {"range": [value - width, value + width]})
            case["correct"] = a.fraction >= 1
            if a.feedback:
                case["feedback"] = q.markdown(a.feedback)
            cases.append(case)
        if main is None:
            raise ValueError("no number is worth 100%")
        return {"answer": main[0], "tolerance": main[1], "cases": cases, "feedback": feedback}


# Characters a keyboard or a copy from a PDF may give in place of the plain ones.
_LOOKALIKES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2010": "-",
                             "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
                             "\u00b5": "\u03bc"})
_EDGES = " .,;:!?'\"`"  # punctuation around an answer ("Annexin V.") is not part of it
_WITH_ABBREVIATION = re.compile(r"(?P<outer>.+?)\s*\((?P<inner>[^()]+)\)")
PATTERN_SECONDS = 0.05  # longest a bank pattern may take on one answer
FUZZY_MIN = 0.75  # a lower similarity lets one letter in four be wrong: "cat" would pass for "car"


def _normal(text: str, match_case: bool) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_LOOKALIKES)
    text = " ".join(text.split()).strip(_EDGES)
    return text if match_case else text.casefold()


def _fullmatch(pattern: str, text: str, match_case: bool) -> bool:
    """Whether ``pattern`` matches all of ``text``, giving up (no match) after PATTERN_SECONDS."""
    import regex

    try:
        return regex.fullmatch(pattern, text, 0 if match_case else regex.IGNORECASE | regex.V0,
                               timeout=PATTERN_SECONDS) is not None
    except (TimeoutError, regex.error):
        return False


def _slow_pattern(pattern: str) -> bool:
    """Whether ``pattern`` takes over PATTERN_SECONDS on a short answer built from its own letters
    (nested repetition such as ``(a+)+$`` backtracks exponentially)."""
    import regex

    letters = list(dict.fromkeys(c for c in pattern.casefold() if c.isalnum()))[:8] or ["a"]
    for letter in letters:
        try:
            regex.fullmatch(pattern, letter * 28 + "!", regex.IGNORECASE, timeout=PATTERN_SECONDS)
        except TimeoutError:
            return True
        except regex.error:
            return False
    return False


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


class WrongAnswer(TypedDict):
    """An anticipated wrong answer and the feedback it gets."""

    __pydantic_config__ = ConfigDict(extra="forbid", strict=True)  # type: ignore[misc]

    answer: Text
    feedback: Text


class ShortText(Question):
    """Free text, right when it equals an accepted answer or fully matches a pattern.

    Comparison ignores case (unless ``match_case``) and extra whitespace. ``wrong_answers`` give
    feedback for anticipated mistakes; ``fuzzy_threshold`` (0-1) also accepts near-misses, as
    jupyterquiz does.
    """

    instruction: ClassVar[str] = "Type a word or short phrase."
    blank_input: ClassVar[Any] = ""
    JUPYTERQUIZ: ClassVar[tuple[str, ...]] = ("string",)
    GIFT: ClassVar[tuple[str, ...]] = ("shortanswer",)

    type: Literal["short_text"] = "short_text"
    accepted: Annotated[list[Text], Field(min_length=1)]
    patterns: Annotated[list[Text], Field(
        description="Regular expressions that must match the whole (whitespace-normalised) answer.")] = []
    match_case: bool = False
    case_sensitive: Annotated[list[Text], Field(description=(
        "Accepted answers that must be typed in exactly this case even when match_case is false "
        "(jupyterquiz's per-answer match_case)."))] = []
    fuzzy_threshold: Annotated[float, Field(ge=FUZZY_MIN, le=1, description=(
        f"Also accept answers this similar ({FUZZY_MIN}-1, Levenshtein ratio); below {FUZZY_MIN} "
        "unrelated words would pass."))] = None  # type: ignore[assignment]
    wrong_answers: list[WrongAnswer] = []
    feedback: Feedback = {}

    def _check(self, response: Any) -> Result:
        if isinstance(response, numbers.Number) and not isinstance(response, bool):
            response = str(response)
        if not isinstance(response, str):
            return invalid("Type your answer as text.")
        if len(response) > MAX_TEXT:
            return invalid(f"That answer is over {MAX_TEXT} characters: a word or short phrase is enough.")
        given = _normal(response, self.match_case)
        if not given:
            return invalid("Type an answer first.")
        if self._accepts(given, _normal(response, True)):
            return self._right(text=given)
        for wrong in self.wrong_answers:
            if given == _normal(wrong["answer"], self.match_case):
                return self._wrong(wrong.get("feedback"), text=given)
        both = _WITH_ABBREVIATION.fullmatch(given)  # "Full name (ABBR)": either part may be the answer
        if both:
            parts = [_normal(both["outer"], self.match_case), _normal(both["inner"], self.match_case)]
            if any(self._accepts(p) for p in parts) and not any(self._listed_wrong(p) for p in parts):
                return self._right(text=given)
        if self.fuzzy_threshold:
            for accepted in self.accepted:
                if _similarity(given, _normal(accepted, self.match_case)) >= self.fuzzy_threshold:
                    return self._right(f"Close enough (check the spelling: {accepted}).", text=given)
        return self._wrong(text=given)

    def _accepts(self, given: str, exact: str | None = None) -> bool:
        """Whether ``given`` (normalised) is right; ``exact`` is it with its case kept, for the
        case-sensitive answers (without it, ``given`` is used)."""
        exact = given if exact is None else exact
        plain = [a for a in self.accepted if a not in self.case_sensitive]
        return (any(given == _normal(a, self.match_case) for a in plain)
                or any(exact == _normal(a, True) for a in self.case_sensitive)
                or any(_fullmatch(p, given, self.match_case) for p in self.patterns))

    def _listed_wrong(self, given: str) -> bool:
        return any(given == _normal(w["answer"], self.match_case) for w in self.wrong_answers)

    def key_response(self) -> str:
        return self.accepted[0]

    def distractor_responses(self) -> list[str]:
        return [w["answer"] for w in self.wrong_answers] + ["zzzz"]

    def answer_text(self) -> str:
        text = " / ".join(self.accepted)
        if self.patterns:
            # code: no Markdown
            text += " (or matching: " + ", ".join(f"`/{p}/`" for p in self.patterns) + ")"
        return text

    def secret_texts(self) -> list[str]:
        wrong = [w.get("feedback", "") for w in self.wrong_answers]
        return super().secret_texts() + list(self.accepted) + [w for w in wrong if w]

    def bank_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        import regex

        problems = []
        for j, pattern in enumerate(self.patterns):
            try:
                regex.compile(pattern, regex.V0)
            except (regex.error, TypeError) as exc:
                problems.append((("patterns", j), f"not a valid regular expression: {exc}"))
                continue
            if _slow_pattern(pattern):
                problems.append((("patterns", j), "this pattern can take exponential time on some "
                                 "answers (nested repetition such as (a+)+): rewrite it without repeating "
                                 "a repetition"))
        problems += [(("case_sensitive", j), f"{text!r} is not among the accepted answers")
                     for j, text in enumerate(self.case_sensitive) if text not in self.accepted]
        return problems

    def make_inputs(self, w: Any, options: list[str]) -> list[Any]:
        return [text_box(w, "Answer:", "a word or short phrase")]

    def to_jupyterquiz(self) -> Exported:
        answers = []
        for text in self.accepted:
            entry: dict[str, Any] = {"answer": text, "correct": True,
                                     "match_case": self.match_case or text in self.case_sensitive}
            if self.feedback.get("correct"):
                entry["feedback"] = self.feedback["correct"]
            if self.fuzzy_threshold:
                entry["fuzzy_threshold"] = self.fuzzy_threshold
            answers.append(entry)
        for wrong in self.wrong_answers:
            answers.append({"answer": wrong["answer"], "correct": False, "feedback": wrong["feedback"],
                            "match_case": self.match_case})
        if self.feedback.get("wrong"):
            answers.append({"type": "default", "feedback": self.feedback["wrong"]})
        note = ("written without its patterns (jupyterquiz has none); only the accepted answers count"
                if self.patterns else None)
        return Exported({"question": self.prompt, "type": "string", "answers": answers}, note)

    @classmethod
    def from_jupyterquiz(cls, item: Mapping[str, Any]) -> dict[str, Any]:
        accepted, wrong, feedback = [], [], {}
        cased: dict[str, bool] = {}  # correct answer -> its match_case, where given
        fuzzy = None
        for j, a in enumerate(answers_list(item)):
            if a.get("type") == "default":
                if isinstance(a.get("feedback"), str):
                    feedback["wrong"] = a["feedback"]
                continue
            text = a.get("answer")
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"answers[{j}] has no 'answer' text")
            if a.get("correct") is True:
                accepted.append(text)
                if isinstance(a.get("feedback"), str) and "correct" not in feedback:
                    feedback["correct"] = a["feedback"]
                if "match_case" in a:
                    cased[text] = bool(a["match_case"])
                if a.get("fuzzy_threshold") is not None:
                    fuzzy = number(a["fuzzy_threshold"], f"answers[{j}].fuzzy_threshold")
            else:
                wrong.append({"answer": text, "feedback": a.get("feedback") or "Not quite."})
        if not accepted:
            raise ValueError("no answer is marked correct")
        # One rule for all when the answers agree; else case-insensitive, with the answers that
        # asked for their case listed in case_sensitive.
        agree = len(set(cased.values())) <= 1
        match_case = agree and any(cased.values())
        out: dict[str, Any] = {"accepted": accepted, "match_case": match_case, "wrong_answers": wrong,
                               "feedback": feedback}
        if not agree:
            out["case_sensitive"] = [t for t in accepted if cased.get(t)]
        if fuzzy is not None:
            out["fuzzy_threshold"] = fuzzy
        return out

    # -- LMS formats (tmvlearn.quiz.lms) ---------------------------------------------------------
    def _lms_losses(self) -> tuple[list[str], dict[str, Any]]:
        from tmvlearn.quiz.lms.gift import lossy_plain

        notes, extras = [], {}
        if self.patterns:
            notes.append("written without its patterns (the LMS matches listed answers only)")
            extras["patterns"] = self.patterns
        if self.fuzzy_threshold:
            notes.append("near-misses (fuzzy_threshold) are not accepted by the LMS")
            extras["fuzzy_threshold"] = self.fuzzy_threshold
        if self.case_sensitive:
            extras["case_sensitive"] = self.case_sensitive
        texts = list(self.accepted) + [w["answer"] for w in self.wrong_answers]
        if any(lossy_plain(t) for t in texts):
            notes.append("an answer has a backslash before one of ~=#{}:n, which GIFT cannot carry")
        return notes, extras

    def to_gift(self) -> Exported:
        from tmvlearn.quiz.lms import gift

        right = gift.feedback_part(self.feedback.get("correct"))
        answers = [f"=%100%{gift.text(a)}{right}" for a in self.accepted]
        answers += [f"=%0%{gift.text(w['answer'])}{gift.feedback_part(w['feedback'])}"
                    for w in self.wrong_answers]
        if self.feedback.get("wrong"):
            answers.append("=%0%*" + gift.feedback_part(self.feedback["wrong"]))  # "any other answer"
        notes, extras = self._lms_losses()
        if any("->" in a for a in answers):  # Moodle reads "=" with "->" as a matching question
            notes.append("an answer or feedback holds '->', which makes Moodle read this as matching: "
                         "use Moodle XML")
        if self.match_case or self.case_sensitive:
            notes.append("GIFT cannot ask for exact case: Moodle will accept any case (Moodle XML keeps it)")
            extras["match_case"] = self.match_case or None
        return self._gift(answers, notes, extras)

    def to_moodle_xml(self) -> Exported:
        from tmvlearn.quiz.lms import moodle_xml as mx

        answers = [mx.plain_answer(1.0, a, self.feedback.get("correct")) for a in self.accepted]
        answers += [mx.plain_answer(0.0, w["answer"], w["feedback"]) for w in self.wrong_answers]
        if self.feedback.get("wrong"):
            answers.append(mx.plain_answer(0.0, "*", self.feedback["wrong"]))
        notes, _ = self._lms_losses()
        if self.case_sensitive:
            notes.append("Moodle has one case rule per question: exact case is asked for all answers or none")
        usecase = self.match_case or bool(self.case_sensitive)
        return self._moodle("shortanswer", [mx.simple("usecase", "1" if usecase else "0"), *answers], notes)

    def to_qti(self) -> Exported:
        from tmvlearn.quiz.lms import qti

        wrong = [(w["answer"], w["feedback"]) for w in self.wrong_answers]
        parts = qti.short_answer(list(self.accepted), wrong, self.feedback.get("correct"))
        notes, _ = self._lms_losses()
        if self.match_case or self.case_sensitive:
            notes.append("Canvas short answers ignore case")
        return self._qti("short_answer_question", parts, notes)

    @classmethod
    def from_gift(cls, q: Any) -> dict[str, Any]:
        import regex

        if q.kind != "shortanswer":
            raise ValueError(f"a {q.kind} question is not a short answer question")
        accepted, patterns, wrong, feedback = [], [], [], {}
        for a in q.answers:
            text = " ".join(a.text.split())
            if text == "*":
                if a.feedback:
                    feedback["wrong"] = q.markdown(a.feedback)
            elif a.fraction >= 1:
                if "*" in text:  # Moodle's wildcard: any characters
                    patterns.append(".*".join(regex.escape(part) for part in text.split("*")))
                    text = text.replace("*", " ").strip()
                if text and text not in accepted:
                    accepted.append(text)
                if a.feedback and "correct" not in feedback:
                    feedback["correct"] = q.markdown(a.feedback)
            elif text:
                feedback_text = q.markdown(a.feedback) if a.feedback else "Not quite."
                wrong.append({"answer": text, "feedback": feedback_text})
        if not accepted:
            raise ValueError("no answer is worth 100%")
        out: dict[str, Any] = {"accepted": accepted, "wrong_answers": wrong, "feedback": feedback}
        if patterns:
            out["patterns"] = patterns
        return out

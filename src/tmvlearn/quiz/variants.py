"""Fresh numbers: numeric questions whose values vary by learner, keyed by a named model function.

A bank's numeric question may carry a ``variant``: the model function that computes its key (from
:data:`MODELS`, a small registry over :mod:`tmvlearn.models`), the range of each parameter, and
one fixed ``worked`` set of values, used wherever the quiz is printed or run headless::

    variant:
      model: sedimentation.pelleting_time_h
      params:
        k: {min: 100, max: 250, step: 2}
        s_svedberg: {min: 40, max: 400, step: 5}
      worked: {k: 124, s_svedberg: 62}
      key_range: [0.25, 5]          # optional: only variants whose key falls here are shown
      mistakes:                     # optional: wrong values the model also computes, with feedback
        - {output: k_times_s, feedback: The time is k divided by S, not k times S.}

The prompt, explanation, feedback, note and solution are templates: ``{{k}}`` is a parameter as
the learner sees it, ``{{answer}}`` the key, ``{{name:,.0f}}`` any value with a Python format spec.
:meth:`Question.instantiate(seed) <tmvlearn.quiz.questions.Question.instantiate>` gives the concrete
question for a seed (the widget uses the lesson's SEED, the learner and the question id; a review adds
its own counter), and ``worked()`` the fixed one. A drawn variant whose key is not finite, or falls
outside the model's or the bank's ``key_range``, is never shown: the next seed is tried, and after
:data:`MAX_TRIES` the worked variant is used.

>>> pick = MODELS["sedimentation.pelleting_time_h"]
>>> pick({"k": 124, "s_svedberg": 62})["answer"]
2.0
>>> fill("t = {{k}} / {{s}} = {{answer:.1f}} h", {"k": "124", "s": "62", "answer": 2.0})
't = 124 / 62 = 2.0 h'
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
)
from typing_extensions import TypedDict

from tmvlearn.quiz.costs import format_cost, format_problem, range_cost
from tmvlearn.quiz.variant_models import MODELS, ModelFunction, Parameter, model_names

__all__ = [
    "MAX_TRIES", "MODELS", "Drawn", "ModelFunction", "Parameter", "ParamRange", "VariantInfo", "VariantSpec",
    "draw", "fill", "model_names", "spec_problems",
]

MAX_TRIES = 25  # draws tried before falling back to the worked variant
SAMPLE_SEEDS = 40  # draws `quiz check` tries (and grades) for each variant question; the tests try 200
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::([^{}]*))?\}\}")
Finite = Annotated[float, Field(allow_inf_nan=False)]


# --- the bank form --------------------------------------------------------------------------------

def _known_model(name: str) -> str:
    if name not in MODELS:
        import difflib

        close = difflib.get_close_matches(name, list(MODELS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown model function {name!r}{hint}; use one of: {', '.join(MODELS)}")
    return name


Value = int | Finite | Annotated[str, Field(min_length=1)]
Name = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]


class ParamRange(BaseModel):
    """The values one parameter takes: ``min`` to ``max`` in steps of ``step``, or a list of ``values``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    min: int | Finite = None  # type: ignore[assignment]
    max: int | Finite = None  # type: ignore[assignment]
    step: Annotated[int | Finite, Field(gt=0, description="Values are min, min + step, ... up to max.")] = None  # type: ignore[assignment]  # noqa: E501
    values: Annotated[list[Value], Field(min_length=1)] = None  # type: ignore[assignment]
    format: Annotated[str, Field(description=(
        "How the value is written in the prompt: a Python format spec such as ',.0f' or '.2f' "
        "(default: the step's decimals, thousands grouped)."))] = None  # type: ignore[assignment]

    def choices(self) -> list[Any]:
        """Every value this parameter can take (a range's values computed exactly to its decimals)."""
        if self.values is not None:
            return list(self.values)
        places = max(_places(self.min), _places(self.step))
        n = int(math.floor((self.max - self.min) / self.step + 1e-9)) + 1
        return [_tidy(round(self.min + i * self.step, places)) for i in range(min(n, 100_000))]

    def count(self) -> int:
        if self.values is not None:
            return len(self.values)
        return int(math.floor((self.max - self.min) / self.step + 1e-9)) + 1

    def pick(self, rng: random.Random) -> Any:
        if self.values is not None:
            return rng.choice(self.values)
        places = max(_places(self.min), _places(self.step))
        return _tidy(round(self.min + rng.randrange(self.count()) * self.step, places))

    def text(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if self.format and not format_cost(self.format):  # a costly one is refused by `quiz check`
            return format(value, self.format)
        places = max(_places(self.min), _places(self.step)) if self.values is None else _places(value)
        return f"{value:,.{places}f}"


# A parameter is a range or list (a mapping) or one fixed value; told apart by that, so an error in a
# range is reported once, at its field (the tags are dropped from the reported path, see TAGS).
TAGS = ("range", "fixed")
def _one_value(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)) or (
            isinstance(value, float) and not math.isfinite(value)) or value == "":
        raise ValueError(f"{value!r} is not one value: give a number or a text, or write a range as "
                         "{min, max, step} or a list as {values: [...]}")
    return value


Fixed = Annotated[Any, BeforeValidator(_one_value),
                  WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "minLength": 1}]})]
ParamEntry = Annotated[Annotated[ParamRange, Tag("range")] | Annotated[Fixed, Tag("fixed")],
                       Discriminator(lambda v: "range" if isinstance(v, (dict, ParamRange)) else "fixed")]


class Mistake(TypedDict):
    """A wrong value the model also computes (an ``output``), graded wrong with this feedback."""

    __pydantic_config__ = ConfigDict(extra="forbid", strict=True)  # type: ignore[misc]
    output: Name
    feedback: Annotated[str, Field(min_length=1, pattern=r"\S")]


class VariantSpec(BaseModel):
    """Fresh numbers for this question: its key comes from a named model function, its values are drawn
    per learner from ``params``; ``worked`` is the fixed variant shown in print and headless runs."""

    model_config = ConfigDict(extra="forbid", strict=True)

    model: Annotated[str, AfterValidator(_known_model), Field(
        description="A model function of tmvlearn.quiz.variants.MODELS.",
        json_schema_extra={"enum": list(MODELS)})]
    params: Annotated[dict[Name, ParamEntry], Field(min_length=1, description=(
        "Each parameter: a range {min, max, step}, a list {values: [...]}, or one fixed value."))]
    worked: Annotated[dict[Name, Value], Field(description=(
        "The worked variant: a value for every parameter that varies (one of its values)."))]
    key_range: Annotated[list[int | Finite], Field(min_length=2, max_length=2, description=(
        "Show only variants whose key lies in [low, high] (keeps the numbers sensible)."))] = None  # type: ignore[assignment]  # noqa: E501
    mistakes: list[Mistake] = []

    @property
    def function(self) -> ModelFunction:
        return MODELS[self.model]

    def varying(self) -> dict[str, ParamRange]:
        return {n: p for n, p in self.params.items() if isinstance(p, ParamRange)}

    def fixed(self) -> dict[str, Any]:
        return {n: p for n, p in self.params.items() if not isinstance(p, ParamRange)}


def _places(x: Any) -> int:
    if x is None or isinstance(x, str):
        return 0
    exponent = Decimal(repr(float(x))).normalize().as_tuple().exponent
    return max(0, -int(exponent)) if isinstance(exponent, int) else 0


def _tidy(x: float) -> int | float:
    return int(x) if float(x).is_integer() and abs(x) < 1e15 else x


# --- drawing a variant ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Drawn:
    """One variant: the parameter ``values``, the model's ``outputs`` (``answer`` among them), the texts
    the templates fill in, and whether it is the worked variant."""

    values: dict[str, Any]
    outputs: dict[str, float]
    texts: dict[str, str]
    worked: bool = False

    @property
    def answer(self) -> float:
        return self.outputs["answer"]


def evaluate(spec: VariantSpec, values: Mapping[str, Any]) -> Drawn | None:
    """The variant for these values of the varying parameters, or None when its key is not usable
    (the model refuses the values, or the key is not finite or outside the key ranges)."""
    model = spec.function
    args = {**spec.fixed(), **values}
    try:
        outputs = model(args)
    except (ValueError, ZeroDivisionError, TypeError, ArithmeticError, KeyError):
        return None
    key = outputs.get("answer", math.nan)
    lo, hi = model.key_range
    if not math.isfinite(key) or not lo <= key <= hi:
        return None
    if spec.key_range and not spec.key_range[0] <= key <= spec.key_range[1]:
        return None
    varying = spec.varying()
    texts = {n: varying[n].text(v) if n in varying else _value_text(v) for n, v in args.items()}
    return Drawn(dict(args), outputs, texts)


def worked(spec: VariantSpec) -> Drawn | None:
    drawn = evaluate(spec, spec.worked)
    return None if drawn is None else Drawn(drawn.values, drawn.outputs, drawn.texts, worked=True)


def draw(spec: VariantSpec, seed: Any, question_id: str) -> Drawn:
    """The variant for ``seed`` (a string naming the learner, and a review's counter): deterministic; a
    draw with no usable key is never returned (the next of :data:`MAX_TRIES` is tried, then the worked
    variant)."""
    varying = spec.varying()
    for attempt in range(MAX_TRIES):
        rng = random.Random(f"{seed}:{question_id}:{attempt}")
        drawn = evaluate(spec, {name: p.pick(rng) for name, p in varying.items()})
        if drawn is not None:
            return drawn
    fallback = worked(spec)
    if fallback is None:
        raise ValueError(f"question {question_id}: the worked variant gives no usable key; "
                         "run `tmvlearn quiz check`")
    return fallback


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return f"{value:,}" if isinstance(value, int) else f"{value:,g}"


def nice(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits, thousands grouped, never in exponent form."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    places = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{round(x, places):,.{places}f}"


def fill(text: str | None, names: Mapping[str, Any]) -> str | None:
    """``text`` with each ``{{name}}`` or ``{{name:spec}}`` replaced (strings as they are, numbers to 3
    significant digits unless a format spec is given); unknown names are left as written."""
    if text is None:
        return None

    def one(match: re.Match) -> str:
        name, spec = match[1], match[2]
        if name not in names:
            return match[0]
        value = names[name]
        if isinstance(value, str):
            return value
        return match[0] if spec and format_cost(spec) else format(value, spec) if spec else nice(value)
    return PLACEHOLDER.sub(one, text)


def names_for(drawn: Drawn) -> dict[str, Any]:
    """What a template may name: the parameters as shown, then the model's outputs (numbers)."""
    return {**drawn.outputs, **drawn.texts}


def placeholders(text: str | None) -> list[tuple[str, str | None]]:
    return [(m[1], m[2]) for m in PLACEHOLDER.finditer(text or "")]


# --- what renderers show ----------------------------------------------------------------------------

@dataclass(frozen=True)
class VariantInfo:
    """What a rendering says about a question whose numbers vary."""

    model: str
    signature: str
    description: str
    ranges: list[tuple[str, str, str]]  # (parameter meaning, its span as text, its step or values)
    worked_values: list[tuple[str, str]]  # (parameter meaning, the worked value)
    template: str  # the prompt with each placeholder shown as ⟨parameter⟩

    def ranges_text(self, steps: bool = False) -> str:
        """Each varying parameter and its span (``steps``: and its step or list of values; the
        student's line leaves them out, so no listed value can be taken for the answer)."""
        return "; ".join(f"{what}: {span}" + (f" ({step})" if steps and step else "")
                         for what, span, step in self.ranges)

    def worked_text(self) -> str:
        return ", ".join(f"{what} {value}" for what, value in self.worked_values)

    def student_line(self) -> str:
        return ("Fresh numbers: in the interactive quiz each learner gets their own values "
                f"({self.ranges_text()}); printed here is one worked example.")


def info(spec: VariantSpec, prompt: str) -> VariantInfo:
    model = spec.function
    ranges, worked_values = [], []
    for name, p in spec.varying().items():
        param = model.params.get(name)
        what = param.description if param else name
        unit = "" if not (param and param.unit) else param.unit if param.unit == "%" else f" {param.unit}"
        if p.values is not None and any(isinstance(v, str) for v in p.values):
            ranges.append((what, "one of " + ", ".join(p.text(v) for v in p.values), ""))
        elif p.values is not None:
            ranges.append((what, f"{p.text(min(p.values))} to {p.text(max(p.values))}{unit}",
                           "one of " + ", ".join(p.text(v) for v in p.values)))
        else:
            ranges.append((what, f"{p.text(p.min)} to {p.text(p.max)}{unit}",
                           f"in steps of {p.text(p.step)}"))
        if name in spec.worked:
            worked_values.append((what, p.text(spec.worked[name]) + unit))

    def shown(match: re.Match) -> str:
        param = model.params.get(match[1])
        return f"⟨{param.description if param else match[1]}⟩"
    return VariantInfo(spec.model, model.signature(), model.description, ranges, worked_values,
                       PLACEHOLDER.sub(shown, prompt))


# --- bank checks ----------------------------------------------------------------------------------

def spec_problems(spec: VariantSpec, texts: Mapping[str, str | None], qid: str,
                  grades: Callable[[Drawn], list[str]] | None = None) -> list[tuple[tuple[Any, ...], str]]:
    """What is wrong with a variant (paths within the question entry): parameters the model lacks or
    needs, ranges that are empty or outside what the model accepts, a worked variant off its ranges
    or with no usable key, templates naming unknown values, and (``grades``: a drawn variant -> what
    went wrong when it is graded) the keys of sampled seeds."""
    model = spec.function
    out: list[tuple[tuple[Any, ...], str]] = []
    base = ("variant",)
    for name, p in spec.params.items():
        where = (*base, "params", name)
        if name not in model.params:
            listed = ", ".join(f"{n} ({q.unit or q.description})" for n, q in model.params.items())
            out.append((where, f"{model.name} has no parameter {name!r}; its parameters: {listed}"))
            continue
        param = model.params[name]
        if isinstance(p, ParamRange):
            given = [k for k in ("min", "max", "step") if getattr(p, k) is not None]
            if p.values is not None and given:
                out.append((where, "give either values or min, max and step, not both"))
                continue
            if p.values is None and len(given) < 3:
                missing = [k for k in ("min", "max", "step") if getattr(p, k) is None]
                out.append((where, f"a range needs min, max and step (missing: {', '.join(missing)})"))
                continue
            if p.values is None and p.min > p.max:
                out.append(((*where, "min"), f"min ({p.min:g}) is above max ({p.max:g}): the range is empty"))
                continue
            if p.format and (why := format_problem(p.format, " (try ',.0f')")):
                out.append(((*where, "format"), why))
            if p.values is None and (why := range_cost(p.min, p.max, p.step)):
                out.append(((*where, "step"), why))
                continue
            ends = ([("values", v) for v in p.values] if p.values is not None
                    else [("min", p.min), ("max", p.max)])
            for key, value in ends:
                why = param.problem(value)
                if why:
                    out.append(((*where, key), why))
                    break
        else:
            why = param.problem(p)
            if why:
                out.append((where, why))
    for name, param in model.params.items():
        if param.default is None and name not in spec.params:
            out.append(((*base, "params"), f"{model.name} needs the parameter {name!r} "
                                           f"({param.description}, {param.domain_text()})"))
    if out:
        return out
    varying = spec.varying()
    for name, p in varying.items():
        if name not in spec.worked:
            out.append(((*base, "worked"), f"give the worked value of {name!r}, which varies"))
        elif spec.worked[name] not in p.choices():
            out.append(((*base, "worked", name),
                        f"{spec.worked[name]!r} is not among the values of params.{name}"))
    for name in spec.worked:
        if name not in varying:
            out.append(((*base, "worked", name), f"{name!r} is not a parameter that varies"))
    if spec.key_range and not spec.key_range[0] < spec.key_range[1]:
        out.append(((*base, "key_range"), "must be [low, high] with low < high"))
    known = {*model.params, "answer", *model.outputs}
    for j, mistake in enumerate(spec.mistakes):
        if mistake["output"] not in known - {"answer"}:
            out.append(((*base, "mistakes", j, "output"),
                        f"{mistake['output']!r} is not a parameter or output of {model.name}; "
                        f"use one of: {', '.join(sorted(known - {'answer'}))}"))
    for path, text in texts.items():
        for name, fmt in placeholders(text):
            if name not in known:
                out.append(((path,) if isinstance(path, str) else path,
                            f"{{{{{name}}}}} is not a parameter or output of {model.name}; "
                            f"use one of: {', '.join(sorted(known))}"))
            elif fmt and (why := format_problem(fmt)):
                out.append(((path,) if isinstance(path, str) else path, f"{{{{{name}:{fmt}}}}}: {why}"))
    shown = {name for name, _ in placeholders(texts.get("prompt"))}
    for name in varying:
        if name not in shown:
            out.append((("prompt",),
                        f"does not show {{{{{name}}}}}, which varies: the learner could not answer"))
    if out:
        return out
    fixed = worked(spec)
    if fixed is None:
        return [((*base, "worked"), f"{model.name} gives no usable key for these values "
                                    "(not finite, refused by the model, or outside key_range)")]
    usable = 0
    for i in range(SAMPLE_SEEDS):
        rng = random.Random(f"check:{qid}:{i}")
        drawn = evaluate(spec, {n: p.pick(rng) for n, p in varying.items()})
        if drawn is None:
            continue
        usable += 1
        for message in (grades(drawn) if grades else []):
            return [((*base, "params"), f"with {_values_text(drawn)}: {message}")]
    for message in (grades(fixed) if grades else []):
        return [((*base, "worked"), message)]
    if usable < SAMPLE_SEEDS // 2:
        out.append(((*base, "params"), f"only {usable} of {SAMPLE_SEEDS} drawn variants give a usable key; "
                                       "narrow the ranges (or widen key_range) so most do"))
    return out


def _values_text(drawn: Drawn) -> str:
    return ", ".join(f"{n} = {t}" for n, t in drawn.texts.items())

"""The budget of a bank's numbers: what a template or a parameter range may cost to render or draw.

A bank is outside input (a teacher's file, an imported one), and Python's format specs and float
ranges do whatever they are asked: ``{{k:>2000000000}}`` builds a 2 GB string and
``{{answer:.999999999f}}`` takes minutes, and a range of 1e600 steps cannot even be counted.
``quiz check`` refuses them (naming the file, the question and the field), and rendering a bank
that was never checked leaves such a placeholder as written instead of paying for it.
"""

from __future__ import annotations

import math
import re

__all__ = ["MAX_FORMAT_WIDTH", "MAX_FORMAT_PRECISION", "MAX_RANGE_STEPS", "format_cost", "format_problem",
           "range_cost"]

#: Widest field a format spec may ask for (characters).
MAX_FORMAT_WIDTH = 100
#: Most digits after the point (or significant digits) a format spec may ask for; a float has 17.
MAX_FORMAT_PRECISION = 20
#: Most values a parameter range ``{min, max, step}`` may have.
MAX_RANGE_STEPS = 1_000_000

# Python's format spec: [[fill]align][sign][z][#][0][width][grouping][.precision][grouping][type]
_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d*))?[,_]?[a-zA-Z%]?",
                   re.S)


def _number(digits: str | None) -> int:
    return int(digits) if digits and len(digits) <= 18 else (10**18 if digits else 0)


def format_cost(spec: str) -> str | None:
    """Why rendering with the format ``spec`` would cost more than the budget, or None."""
    found = _SPEC.fullmatch(spec)
    if found is None:  # not a spec Python reads the usual way: no number in it may be large
        width = max((_number(d) for d in re.findall(r"\d+", spec)), default=0)
        precision = 0
    else:
        width, precision = _number(found["width"]), _number(found["precision"])
    if width > MAX_FORMAT_WIDTH:
        return (f"{spec!r} asks for a field {width:,} characters wide; at most {MAX_FORMAT_WIDTH} "
                "(MAX_FORMAT_WIDTH)")
    if precision > MAX_FORMAT_PRECISION:
        return (f"{spec!r} asks for {precision:,} digits; at most {MAX_FORMAT_PRECISION} "
                "(MAX_FORMAT_PRECISION)")
    return None


def format_problem(spec: str, hint: str = "") -> str | None:
    """What is wrong with the format ``spec``: too costly (:func:`format_cost`, checked first, without
    rendering) or not a Python format spec (then ``hint`` follows); None when it is usable."""
    costly = format_cost(spec)
    if costly:
        return costly
    try:
        format(1.5, spec)
    except ValueError:
        return f"{spec!r} is not a Python format spec{hint}"
    return None


def range_cost(low: float, high: float, step: float) -> str | None:
    """Why the range ``low`` to ``high`` in steps of ``step`` has too many values, or None."""
    steps = (high - low) / step
    if math.isfinite(steps) and steps < MAX_RANGE_STEPS:
        return None
    try:
        magnitude = f"1e{round(math.log10(high - low) - math.log10(step))}"
    except (ValueError, OverflowError):
        magnitude = "more than can be counted"
    return (f"min to max in steps of {step:g} is about {magnitude} values; at most {MAX_RANGE_STEPS:,} "
            "(MAX_RANGE_STEPS): give a larger step or a narrower range")

"""Numbers as the LMS formats write them: full precision as Moodle reads it, ranges and tolerances
rounded outward to few significant digits, and the grades Moodle's forms offer."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

__all__ = ["PARTIAL", "format_number", "grade", "shares", "short_range", "short_tolerance", "weight"]


def format_number(x: float) -> str:
    """A number as Moodle reads it (PHP ``is_numeric``): no thousands separators, full precision."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def _sig(x: float, digits: int, rounding: str) -> Decimal:
    """``x`` (as its shortest repr, which reads back as the same float) to ``digits`` significant digits."""
    d = Decimal(repr(float(x)))
    return d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1), rounding=rounding) if d else d


def short_range(lo: float, hi: float) -> tuple[float, float]:
    """[lo, hi] with its ends rounded outward to 6 significant digits, or more where that would widen
    it by over 1% of its width: the LMS never accepts less than tmvlearn, and hardly more."""
    allowed = 0.01 * (hi - lo)
    for digits in range(6, 18):
        a, b = float(_sig(lo, digits, ROUND_FLOOR)), float(_sig(hi, digits, ROUND_CEILING))
        if lo - a <= allowed and b - hi <= allowed:
            return a, b
    return lo, hi


def short_tolerance(value: float, width: float,
                    bounds: tuple[float, float] | None = None) -> tuple[float, float]:
    """(value, tolerance) with 6 significant digits, or more where needed, such that value ± tolerance
    (worked out in floating point, as an LMS does) covers ``bounds`` (default ``value ± width``) and
    widens it by at most 1% of ``width``."""
    lo, hi = bounds or (value - width, value + width)
    for digits in range(6, 18):
        v = float(_sig(value, digits, ROUND_HALF_EVEN))
        need = width + abs(v - value)
        for rounding in (ROUND_HALF_EVEN, ROUND_CEILING):  # the nearer one if it still covers
            t = float(_sig(need, digits, rounding))
            if t - width <= 0.01 * width and v - t <= lo and v + t >= hi:
                return v, t
    return value, width


# Moodle's importer accepts only the grades its forms offer (or the nearest, if asked).
_GRADES = [0, 100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667,
           14.28571, 12.5, 11.11111, 10, 5]


def grade(fraction: float) -> float:
    """``fraction`` (-1..1) rounded to the nearest grade Moodle lists, keeping its sign."""
    nearest = min(_GRADES, key=lambda g: abs(g - abs(fraction) * 100))
    return (-nearest if fraction < 0 else nearest) / 100


def weight(fraction: float) -> str:
    """``fraction`` (-1..1) as a GIFT weight such as ``%33.33333%``, the nearest grade Moodle lists."""
    nearest = min(_GRADES, key=lambda g: abs(g - abs(fraction) * 100))
    return f"%{'-' if fraction < 0 else ''}{nearest:.7g}%"


PARTIAL = ("Moodle gives partial credit for a partly right selection (each right option adds its share, "
           "each wrong one takes it away); tmvlearn scores all or nothing")


def shares(fractions: list[float]) -> tuple[list[float], list[str]]:
    """Moodle grades for the answers of a multiple-select question (right ones have a fraction > 0),
    the right ones adding to exactly 100%, and notes on what differs from tmvlearn.

    Up to 10 right options each get an equal share from Moodle's grade list; 11 to 20 get the
    nearest valid set, 10% and 5% (11: nine of 10%, two of 5%), noted; past 20 each gets 5%, over
    100%, noted. A wrong option takes away the nearest grade to one equal share."""
    n = sum(1 for f in fractions if f > 0)
    notes = [PARTIAL]
    if n <= 10:
        right = [grade(1 / n)] * n
    elif n <= 20:
        right = [0.1] * (20 - n) + [0.05] * (2 * n - 20)
        notes.append(f"Moodle's grades cannot split 100% into {n} equal shares: {20 - n} right options are "
                     f"worth 10% and {2 * n - 20} (the last) 5%")
    else:
        right = [0.05] * n
        notes.append(f"Moodle's grades cannot split 100% into {n} shares: each right option is worth 5%, "
                     f"{5 * n}% in all")
    wrong = grade(-1 / n) if n else 0.0
    rights = iter(right)
    return [next(rights) if f > 0 else (wrong if f < 0 else 0.0) for f in fractions], notes

"""Units a learner may write after a number, and how to convert between those of one kind.

A bank's numeric question names its unit (``unit: min``); a learner who answers "2 hours" gets
the value converted to minutes, and one who writes a unit of another kind is told which unit is
expected. Symbols are matched exactly first (``S`` is the svedberg, ``s`` the second), then
written-out names without regard to case.

>>> convert(2, "hours", "min")
120.0
>>> convert(250, "nm", "µm")
0.25
"""

from __future__ import annotations

import unicodedata

__all__ = ["UnitError", "convert", "same_unit", "lookup"]

# symbol or name -> (kind, size in the kind's base unit)
_SYMBOLS = {
    "s": ("time", 1.0), "min": ("time", 60.0), "h": ("time", 3600.0), "d": ("time", 86400.0),
    "nm": ("length", 1e-9), "µm": ("length", 1e-6), "mm": ("length", 1e-3), "cm": ("length", 1e-2),
    "m": ("length", 1.0),
    "S": ("sedimentation", 1.0),
    "g": ("relative force", 1.0), "xg": ("relative force", 1.0),
    "rpm": ("rotor speed", 1.0),
    "%": ("percentage", 1.0),
    "°C": ("temperature", 1.0),
    "mL": ("volume", 1e-3), "L": ("volume", 1.0), "µL": ("volume", 1e-6),
}
_NAMES = {
    "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "mins": "min", "minute": "min", "minutes": "min",
    "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "day": "d", "days": "d",
    "um": "µm", "micrometre": "µm", "micrometer": "µm", "micrometres": "µm", "micrometers": "µm",
    "nanometre": "nm", "nanometer": "nm", "nanometres": "nm", "nanometers": "nm",
    "millimetre": "mm", "millimeter": "mm", "centimetre": "cm", "centimeter": "cm",
    "metre": "m", "meter": "m", "metres": "m", "meters": "m",
    "svedberg": "S", "svedbergs": "S",
    "x g": "xg", "×g": "xg", "× g": "xg", "*g": "xg",
    "percent": "%", "per cent": "%",
    "ml": "mL", "l": "L", "ul": "µL", "µl": "µL",
}


class UnitError(ValueError):
    """A unit that is not known, or cannot be converted to the one asked for."""


def _tidy(unit: str) -> str:
    text = unicodedata.normalize("NFKC", unit).strip().replace("μ", "µ")  # Greek mu -> micro sign
    return " ".join(text.split())


def lookup(unit: str) -> tuple[str, str, float] | None:
    """``(symbol, kind, size)`` for a unit symbol or name, or None when it is not known."""
    text = _tidy(unit)
    symbol = text if text in _SYMBOLS else _NAMES.get(text.lower()) or (
        text.lower() if text.lower() in _SYMBOLS and len(text) > 1 else None)
    if symbol is None:
        return None
    kind, size = _SYMBOLS[symbol]
    return symbol, kind, size


def same_unit(a: str, b: str) -> bool:
    """Whether two spellings name the same unit ("min" and "minutes"; "nm" and "NM")."""
    found_a, found_b = lookup(a), lookup(b)
    if found_a and found_b:
        return found_a[0] == found_b[0]
    return _tidy(a).casefold() == _tidy(b).casefold()


def convert(value: float, given: str, wanted: str) -> float:
    """``value`` in unit ``given`` expressed in unit ``wanted``; raises :class:`UnitError`."""
    if same_unit(given, wanted):
        return float(value)
    found, target = lookup(given), lookup(wanted)
    if found is None:
        raise UnitError(f"{given!r} is not a unit tmvlearn knows: give the number in {wanted}")
    if target is None or found[1] != target[1]:
        raise UnitError(f"{given} cannot be converted to {wanted}: give the number in {wanted}")
    return float(value) * found[2] / target[2]

"""What ``tmvlearn results`` shows and writes, made safe for whoever reads it.

- :func:`shown`: text for a terminal, with control characters (C0, DEL, C1, so ESC sequences),
  bidirectional overrides and line/paragraph separators written as visible escapes (``\\x1b``,
  ``\\u202e``): a learner's name or file name cannot clear the screen, set the window title or
  reorder what the instructor reads. The one helper every printed name and path goes through.
- :func:`csv_cell` / :func:`csv_safe`: spreadsheet formula injection neutralised (OWASP's rule: a
  cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``);
  numbers, negative ones included, stay numbers.
- :func:`output_mode`: the permissions of the gradebook, CSV, JSON and report: owner-only (0600)
  whatever the umask, or 0640 with the instructors' group (``--group``/``$TMVLEARN_RESULTS_GROUP``).
"""

from __future__ import annotations

import os
import re
from typing import Any

__all__ = ["shown", "csv_cell", "csv_safe", "output_mode", "GROUP_ENV", "PRIVATE_MODE", "GROUP_MODE"]

#: Environment variable naming the instructors' group that may read the results (as ``--group``).
GROUP_ENV = "TMVLEARN_RESULTS_GROUP"
PRIVATE_MODE = 0o600
GROUP_MODE = 0o640

# C0 controls, DEL, C1 controls; bidi embeddings/overrides/isolates and marks; line/paragraph
# separators; the BOM/zero-width no-break space (invisible in names).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_UNSAFE_KEEP_LINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: Any, *, lines: bool = True) -> str:
    """``text`` safe to print on a terminal: control and bidi characters as visible escapes.

    ``lines``: keep newlines (for a block of the command's own output); ``False`` escapes them too
    (one name or path)."""
    text = str(text)
    # lone surrogates (from a file name the OS could not decode) cannot be printed: escape them
    text = text.encode("utf-8", "backslashreplace").decode("utf-8") if _has_surrogate(text) else text
    return (_UNSAFE_KEEP_LINES if lines else _UNSAFE).sub(_escape, text)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting with ``= + - @``, tab or carriage return
    gets a leading ``'`` (OWASP CSV injection); numbers (also as text, e.g. ``-0.5``) are kept."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_safe(frame):
    """``frame`` (a DataFrame) with every text cell and column name passed through :func:`csv_cell`."""
    from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

    out = frame.copy()
    out.columns = [csv_cell(str(c)) for c in out.columns]
    for j in range(out.shape[1]):
        values = out.iloc[:, j]
        if not (is_numeric_dtype(values) or is_bool_dtype(values) or is_datetime64_any_dtype(values)):
            out.isetitem(j, values.astype(object).map(csv_cell))
    return out


def output_mode(group: str | None = None) -> tuple[int, int]:
    """(mode, gid) for the results files: (0600, -1), or (0640, the group's id) when ``group`` (else
    ``$TMVLEARN_RESULTS_GROUP``) names the instructors' group. An unknown group is an error."""
    group = group if group is not None else os.environ.get(GROUP_ENV, "").strip() or None
    if not group:
        return PRIVATE_MODE, -1
    import grp

    from tmvlearn.errors import UsageError

    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        try:
            gid = grp.getgrgid(int(group)).gr_gid
        except (KeyError, ValueError):
            raise UsageError(
                f"there is no group {group!r} (--group or ${GROUP_ENV}); give the instructors' group, "
                "e.g. tmvlearn-instructors, or leave it unset for files only you can read"
            ) from None
    return GROUP_MODE, gid

"""Reading learners' files as untrusted input: nothing in one can stall, flood or forge a collect.

On a hub every learner writes their own folder and the instructor reads all of them, so each file
is read under these rules (``docs/class-results.md``, "Limits", lists them for instructors):

- **Only regular files are opened**: ``open(O_RDONLY | O_NONBLOCK | O_NOFOLLOW)``, then ``fstat``
  must say a regular file (so a FIFO, a device, a socket is refused without blocking), no larger
  than :data:`MAX_FILE_BYTES`. In a searched folder a symbolic link is followed only when it stays
  inside that folder (never to ``/dev/zero`` or another learner's files).
- **SQLite files are never opened where they are**: the file (and its ``-wal``) is copied through
  that check into a private temporary folder and read from the copy, only from a real ``attempts``
  table (not a view, not a virtual table, no generated columns), read-only, with at most
  :data:`SQLITE_STEPS` virtual machine steps and :data:`SQLITE_SECONDS` seconds, text decoded
  leniently.
- **Bounded**: at most :data:`MAX_ROWS_PER_FILE` attempts per file,
  :data:`MAX_ATTEMPTS_PER_LEARNER` attempts and :data:`MAX_BYTES_PER_LEARNER` of text per learner in
  one collect, :data:`MAX_FILES_PER_LEARNER` files per learner's folder, names, ids and times of at most
  :data:`MAX_NAME_CHARS` characters, responses of at most :data:`MAX_RESPONSE_CHARS`, JSON nested at
  most :data:`MAX_JSON_DEPTH` deep.
- **Each row checked** (:func:`check_row`): score a finite number in [0, 1], a time in ISO 8601, a
  known mode and kind, a quiz answer only to a question of its lesson's bank; text with invalid
  UTF-8 or lone surrogates kept with U+FFFD in their place. A row that fails is set aside with its
  reason, counted and named; the file's other rows are read.

Identity (:func:`learner_key`): names are compared after NFKC normalisation, removing invisible
format characters, collapsing whitespace and Unicode case folding; they are shown as written.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import time as _time
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

from tmvlearn import _files, progress
from tmvlearn._files import Refused, check_path, inside, json_depth_ok, load_json, read_regular
from tmvlearn.lessons import QUIZ_MODES

# ``Refused``, ``check_path``, ``inside``, ``read_regular``, ``json_depth_ok`` and ``load_json`` live in
# :mod:`tmvlearn._files` (the workspace and the quiz importers read outside files through them too).

__all__ = [
    "BOUNDS", "MAX_FILE_BYTES", "MAX_ROWS_PER_FILE", "MAX_ATTEMPTS_PER_LEARNER", "MAX_NAME_CHARS",
    "MAX_RESPONSE_CHARS", "MAX_JSON_DEPTH", "MAX_BYTES_PER_LEARNER", "MAX_FILES_PER_LEARNER",
    "SQLITE_STEPS", "SQLITE_SECONDS",
    "Refused", "learner_key", "clean_text", "read_regular", "copy_regular", "check_row", "known_items",
    "json_depth_ok", "load_json", "check_path", "inside",
]

# --- the bounds (one place; docs/class-results.md "Limits" repeats them) ----------------------------
#: Largest file read (a progress database, its -wal, a journal, an export): 64 MiB.
MAX_FILE_BYTES = _files.MAX_FILE_BYTES
#: Most attempts read from one file; the rest are set aside and counted.
MAX_ROWS_PER_FILE = 100_000
#: Most attempts taken for one learner in one collect (over all their files).
MAX_ATTEMPTS_PER_LEARNER = 100_000
#: Most text (responses, names, ids) taken for one learner in one collect: 64 MiB.
MAX_BYTES_PER_LEARNER = 64 * 2**20
#: Most progress files (databases, journals, exports) read from one learner's folder.
MAX_FILES_PER_LEARNER = 200
#: Longest learner name, lesson id, question id, time, mode or kind (characters).
MAX_NAME_CHARS = 200
#: Longest stored response (characters; the store itself keeps at most 2,000 per text).
MAX_RESPONSE_CHARS = 16_384
#: Deepest nesting of a JSON export or journal line.
MAX_JSON_DEPTH = _files.MAX_JSON_DEPTH
#: SQLite virtual-machine steps allowed for reading one database (checked every 1,000 steps).
SQLITE_STEPS = 200_000_000
#: Seconds allowed for reading one database.
SQLITE_SECONDS = 20.0
#: Longest take number accepted (a test retaken more often is not a learner's).
MAX_TAKE = 1_000

BOUNDS = {
    "file size": f"{MAX_FILE_BYTES // 2**20} MiB",
    "attempts per file": f"{MAX_ROWS_PER_FILE:,}",
    "attempts per learner (one collect)": f"{MAX_ATTEMPTS_PER_LEARNER:,}",
    "text per learner (one collect)": f"{MAX_BYTES_PER_LEARNER // 2**20} MiB",
    "progress files per learner's folder": str(MAX_FILES_PER_LEARNER),
    "name, lesson id, question id, time": f"{MAX_NAME_CHARS} characters",
    "response": f"{MAX_RESPONSE_CHARS:,} characters",
    "JSON depth": str(MAX_JSON_DEPTH),
    "SQLite work per database": f"{SQLITE_STEPS:,} steps or {SQLITE_SECONDS:g} s",
}

_SURROGATE = re.compile("[\ud800-\udfff]")
_TEXT = ("learner", "lesson", "question_id", "time", "mode", "kind")


# --- names ------------------------------------------------------------------------------------------


def clean_text(value: Any) -> str:
    """``value`` as text that can be stored and printed: invalid UTF-8 bytes and lone surrogates
    become U+FFFD; NUL becomes U+FFFD."""
    if isinstance(value, str) and value.isascii():  # the common case, quickly
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, (bytes, bytearray, memoryview)):
        text = bytes(value).decode("utf-8", "replace")
    else:
        text = value if isinstance(value, str) else str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = _SURROGATE.sub("\ufffd", text)
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


@functools.lru_cache(maxsize=65536)
def learner_key(name: str) -> str:
    """The name learners are compared by: NFKC, invisible format characters removed, whitespace
    collapsed and trimmed, Unicode case folding ("Élodie", " ÉLODIE\\u00a0" and "élodie" are one)."""
    text = unicodedata.normalize("NFKC", clean_text(name))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split()).casefold()


def display_name(name: str) -> str:
    """A name as written, trimmed (whitespace at either end is never part of it)."""
    return clean_text(name).strip()


# --- opening files ----------------------------------------------------------------------------------

def copy_regular(path: Path, target: Path, root: Path | None = None) -> None:
    """Copy ``path`` (checked as by :func:`read_regular`: a regular file, no link out of ``root``, at
    most :data:`MAX_FILE_BYTES`) to ``target``, a new private file; by the kernel where it can
    (``os.sendfile``), so a large file is not held in memory."""
    fd, _ = _files._open(check_path(path, root))
    try:
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            copied = 0
            while copied <= MAX_FILE_BYTES:
                want = MAX_FILE_BYTES + 1 - copied
                try:
                    sent = os.sendfile(out, fd, None, min(want, 1 << 24))
                except (AttributeError, OSError):  # no sendfile here: through memory
                    chunk = os.read(fd, min(want, 1 << 20))
                    sent = os.write(out, chunk) if chunk else 0
                if not sent:
                    break
                copied += sent
        except OSError as exc:
            raise Refused(f"cannot be read: {exc.strerror}") from None
        finally:
            os.close(out)
    finally:
        os.close(fd)
    if copied > MAX_FILE_BYTES:
        raise Refused(f"larger than {MAX_FILE_BYTES // 2**20} MiB: not read")


# --- SQLite -----------------------------------------------------------------------------------------


class _Budget:
    """A progress handler: stop the statement after :data:`SQLITE_STEPS` steps or
    :data:`SQLITE_SECONDS` seconds (the statement then fails with "interrupted")."""

    EVERY = 1000

    def __init__(self) -> None:
        self.calls = 0
        self.deadline = _time.monotonic() + SQLITE_SECONDS
        self.spent = False

    def __call__(self) -> int:
        self.calls += 1
        if self.calls * self.EVERY > SQLITE_STEPS or _time.monotonic() > self.deadline:
            self.spent = True
            return 1
        return 0


def open_copy(copy: Path, read_only: bool = False):
    """A connection to the private copy ``copy`` of a learner's database: query-only, lenient text,
    bounded string length, a step/time budget (``conn.budget``). ``read_only``: opened read-only
    (``mode=ro``), so closing it does not checkpoint the copy's -wal into it (the live poll)."""
    import sqlite3
    from urllib.parse import quote

    target = f"file:{quote(str(copy))}?mode=ro" if read_only else str(copy)
    conn = sqlite3.connect(target, timeout=0, check_same_thread=False, uri=read_only)
    # text is decoded strictly (fast); a caller meeting text that is not UTF-8 sets
    # ``conn.text_factory = clean_text`` and reads again
    with contextlib.suppress(AttributeError):  # Python 3.11+
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 4 * MAX_RESPONSE_CHARS + 1024)
    budget = _Budget()
    conn.set_progress_handler(budget, _Budget.EVERY)
    conn.execute("PRAGMA query_only = 1")
    conn.execute("PRAGMA trusted_schema = 0")
    return conn, budget


def attempts_table(conn) -> tuple[str | None, str]:
    """("table", "") when ``attempts`` is a real table; else (its type or None, why not)."""
    rows = conn.execute(
        "SELECT type, coalesce(sql, '') FROM sqlite_master WHERE lower(name) = 'attempts'"
    ).fetchall()
    if not rows:
        return None, "no attempts table"
    kind, sql = rows[0]
    if kind != "table":
        return kind, f"its attempts is a {kind}, not a table: not read (a progress database has a table)"
    if sql.lstrip().upper().startswith("CREATE VIRTUAL"):
        return "virtual", "its attempts is a virtual table, not a table: not read"
    if any(r[6] for r in conn.execute("PRAGMA table_xinfo(attempts)")):  # hidden: 2, 3 = generated
        return "generated", "its attempts table has computed (generated) columns: not read"
    return "table", ""


# --- JSON ---------------------------------------------------------------------------------------------


# --- rows ---------------------------------------------------------------------------------------------

class _Banks(dict):
    """Per lesson with a bank in this tmvlearn: (quiz question ids, exercise ids), each bank loaded
    when a row first names its lesson; ``get`` gives None for a lesson without a (loadable) bank."""

    def __init__(self) -> None:
        super().__init__()
        from tmvlearn.quiz.bank import lesson_ids

        self.lessons = frozenset(lesson_ids())

    def get(self, lesson, default=None):
        found = dict.get(self, lesson)
        if found is not None:
            return found
        if lesson not in self and lesson in self.lessons:
            from tmvlearn.quiz.bank import load_bank

            try:
                bank = load_bank(lesson)
                self[lesson] = (frozenset(q.id for q in bank.questions),
                                frozenset(q.id for q in bank.exercises))
            except Exception:  # noqa: BLE001 - a shipped bank with problems: its answers cannot be checked
                self[lesson] = None
        found = super().get(lesson) if lesson in self.lessons else None
        return default if found is None else found


_KNOWN: _Banks | None = None


def known_items() -> _Banks:
    """Per lesson with a bank in this tmvlearn: (quiz question ids, exercise ids), loaded on demand."""
    global _KNOWN
    if _KNOWN is None:
        _KNOWN = _Banks()
    return _KNOWN


def _score(value: Any) -> float | str:
    if isinstance(value, bool) or value is None:
        return "no score" if value is None else "score not a number"
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = clean_text(value).strip()
        if not text:
            return "no score"
        if len(text) > 40:
            return "score not a number"
        try:
            number = float(text)
        except ValueError:
            return "score not a number"
    if math.isnan(number):
        return "no score (NaN)"
    if not math.isfinite(number):
        return "score not finite"
    if not 0.0 <= number <= 1.0:
        return "score outside [0, 1]"
    return number


def _time_ok(text: str) -> bool:
    if len(text) < 10 or not text[:4].isdigit():
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def check_row(row: dict[str, Any], known=None) -> tuple | str:
    """One attempt as a tuple in :data:`tmvlearn.progress.COLUMNS` order (text cleaned), or the
    reason it is set aside (a short phrase that counts group by)."""
    known = known_items() if known is None else known
    out: dict[str, Any] = {}
    for col in _TEXT:
        value = row.get(col)
        if value is None or (isinstance(value, str) and not value.strip()):
            if col in progress.DEFAULTS:
                value = progress.DEFAULTS[col]
            else:
                missing = {"learner": "no learner name", "time": "no time"}
                return missing.get(col, f"no {col.replace('_', ' ')}")
        if not isinstance(value, (str, bytes)):
            return f"{col.replace('_', ' ')} not text"
        value = clean_text(value)
        if len(value) > MAX_NAME_CHARS:
            return f"{col.replace('_', ' ')} longer than {MAX_NAME_CHARS} characters"
        out[col] = value
    out["learner"] = out["learner"].strip()
    if not learner_key(out["learner"]):
        return "no learner name"
    out["time"] = out["time"].strip()
    if not _time_ok(out["time"]):
        return "time not in ISO 8601"
    if out["mode"] not in progress.MODES:
        return "unknown mode"
    if out["kind"] not in progress.KINDS:
        return "unknown kind"
    response = row.get("response")
    if response is None:
        return "no response"
    response = clean_text(response)
    if len(response) > MAX_RESPONSE_CHARS:
        return f"response longer than {MAX_RESPONSE_CHARS:,} characters"
    out["response"] = response
    score = _score(row.get("score"))
    if isinstance(score, str):
        return score
    out["score"] = score
    out["correct"] = 1 if row.get("correct") in (1, True, "1", "true", "True", "TRUE", 1.0) else 0
    take = row.get("take", 1)
    try:
        take = int(take) if not isinstance(take, float) or take.is_integer() else -1
    except (TypeError, ValueError, OverflowError):
        take = -1
    if not 1 <= take <= MAX_TAKE:
        return "take not a whole number from 1 to 1000"
    out["take"] = take
    if out["mode"] in QUIZ_MODES:  # a quiz answer: the question must be in its lesson's bank
        lesson = known.get(out["lesson"])
        if lesson is None:
            return "lesson without a bank in this tmvlearn"
        if out["question_id"] not in lesson[0] and out["question_id"] not in lesson[1]:
            return "question not in its lesson's bank"
    return tuple(out[c] for c in progress.COLUMNS)

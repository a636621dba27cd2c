"""Attempt rows: the columns of the ``attempts`` table, a learner's response made JSON-safe, a row
from a damaged file, a journal or a newer file made usable, and rows read back from the table."""

from __future__ import annotations

import json
import math
import sqlite3
import uuid
from typing import Any

MODES = ("practice", "test", "exercise", "flashcard")
KINDS = ("answer", "reveal")
V0_COLUMNS = ["learner", "lesson", "question_id", "response", "score", "correct", "time"]
COLUMNS = V0_COLUMNS + ["mode", "kind", "take"]
DEFAULTS: dict[str, Any] = {"mode": "practice", "kind": "answer", "take": 1}


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of a learner's response (sets sorted, odd objects as text)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value if not isinstance(value, str) else value[:2000]
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in list(value.items())[:100]}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value[:100]]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in list(value)[:100]), key=str)
    try:
        return repr(value)[:2000]
    except Exception:
        return f"<{type(value).__name__}>"


def clean_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row read back from a damaged file, a journal or a newer file, with every column usable."""
    out: dict[str, Any] = {}
    for col in ("learner", "lesson", "question_id", "time"):
        value = row.get(col)
        out[col] = "" if value is None else str(value)
    response = row.get("response")
    out["response"] = response if isinstance(response, str) else json.dumps(jsonable(response))
    try:
        score = float(row.get("score"))
        out["score"] = score if math.isfinite(score) else 0.0
    except (TypeError, ValueError):
        out["score"] = 0.0
    out["correct"] = 1 if row.get("correct") in (1, True, "1", "true", "True") else 0
    for col in ("mode", "kind"):
        value = row.get(col)
        out[col] = str(value) if isinstance(value, str) and value else DEFAULTS[col]
    try:
        out["take"] = int(row.get("take", 1))
    except (TypeError, ValueError):
        out["take"] = 1
    out["uid"] = str(row["uid"]) if row.get("uid") else uuid.uuid4().hex
    return out


# --- reading rows back from the attempts table ---------------------------------------------------

def query_attempts(conn: sqlite3.Connection, learner: str | None) -> list[dict[str, Any]]:
    """Every attempt (of ``learner``, or everyone's when None), oldest first, with the columns this
    version knows (defaults for those an older file lacks)."""
    present = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
    if not present:
        return []
    names = [c for c in COLUMNS + ["uid"] if c in present]
    sql = f"SELECT {', '.join(names)} FROM attempts"
    args: tuple = ()
    if learner is not None:
        sql += " WHERE learner = ?"
        args = (learner,)
    rows = []
    for item in conn.execute(sql + " ORDER BY time, id", args):
        row = dict(zip(names, item, strict=True))
        for col, default in DEFAULTS.items():
            row.setdefault(col, default)
        rows.append(row)
    return rows


def item_history(conn: sqlite3.Connection, learner: str, items) -> list[dict[str, Any]]:
    """Every attempt of ``learner`` at each of ``items``, as :func:`query_attempts` gives them."""
    present = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
    names = [c for c in COLUMNS + ["uid"] if c in present]
    sql = f"SELECT {', '.join(names)} FROM attempts WHERE learner = ? AND question_id = ? ORDER BY time, id"
    rows = []
    for item in items:
        for values in conn.execute(sql, (learner, item)):
            row = dict(zip(names, values, strict=True))
            for col, default in DEFAULTS.items():
                row.setdefault(col, default)
            rows.append(row)
    return rows


def rows_after(conn: sqlite3.Connection, upto: int) -> list[dict[str, Any]]:
    """Every attempt with an id past ``upto``, oldest first."""
    present = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
    names = [c for c in COLUMNS + ["uid"] if c in present]
    rows = []
    for values in conn.execute(f"SELECT {', '.join(names)} FROM attempts WHERE id > ? ORDER BY time, id",
                               (upto,)):
        row = dict(zip(names, values, strict=True))
        for col, default in DEFAULTS.items():
            row.setdefault(col, default)
        rows.append(row)
    return rows

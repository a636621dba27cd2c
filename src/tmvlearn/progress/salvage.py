"""Salvage of a damaged progress file: only proven damage moves a file, and nothing readable is lost.

A file is moved aside (``progress.sqlite3.corrupt-N``) only when SQLite itself says it is damaged
(``PRAGMA quick_check`` fails, "database disk image is malformed", "file is not a database"), and
only after its readable rows have been copied into the pending journal, which the new file then
takes in. The move happens under the file's write lock, and every writer checks, inside each write
transaction, that the file it holds is still the one at the path: no process writes into a
moved-aside file. Readers (:func:`salvage`) read a damaged file as far as SQLite can.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tmvlearn.progress.database import connect, file_identity
from tmvlearn.progress.faults import Unavailable, describe_fault, proves_corrupt
from tmvlearn.progress.rows import COLUMNS, clean_row

SALVAGE_PROBE_LIMIT = 2_000_000  # row ids probed one by one when a damaged table cannot be scanned


def _stable_uid(row: dict[str, Any], rowid: Any) -> str:
    """An id for a row that has none (salvaged from a version-0 file): the same every time."""
    text = json.dumps([rowid] + [row.get(c) for c in COLUMNS], default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def repair(path: Path, reason: str, notes: list[str], *, copy_out: Callable[[list[dict[str, Any]]], Any],
           salvaged: set[str]) -> None:
    """Move a file SQLite proves damaged aside, its readable rows first copied into the journal
    (``copy_out(rows)``; their ids are added to ``salvaged``).

    Under the file's write lock where SQLite can still take one (so no other process is writing
    it), and only if the file at ``path`` is still the one found damaged.
    """
    before = file_identity(path)
    conn = connect(str(path))
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            if not proves_corrupt(exc):  # busy or unreadable: not proven now, leave it
                raise Unavailable(f"{path} looks damaged ({reason}) but cannot be checked now: "
                                  f"{describe_fault(exc, path)}") from None
        if file_identity(path) != before:
            return  # another process repaired it meanwhile: open the new file
        try:
            check = conn.execute("PRAGMA quick_check").fetchall()
            if check == [("ok",)]:
                return  # not damaged after all (it changed under us): open it again
        except sqlite3.DatabaseError as exc:
            if not proves_corrupt(exc):
                raise Unavailable(f"cannot check {path}: {describe_fault(exc, path)}") from None
        rows = salvage(conn)
        salvaged.update(row["uid"] for row in rows)
        if rows:
            try:
                copy_out(rows)
            except OSError as exc:
                raise Unavailable(f"{path} is damaged ({reason}), and its {len(rows)} readable "
                                  f"attempts cannot be copied out now ({describe_fault(exc)}); it is left "
                                  "as it is") from None
        try:
            aside = move_aside(path)
        except OSError as exc:
            raise Unavailable(f"{path} is damaged ({reason}) and cannot be moved aside: "
                              f"{describe_fault(exc)}") from None
    finally:
        with contextlib.suppress(sqlite3.Error):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        conn.close()
    notes.append(f"the progress database {path} was damaged ({reason}); it was moved to {aside} and a "
                 f"new one started, holding the {len(rows)} attempts that could still be read from it.")


def move_aside(path: Path) -> Path:
    n = 1
    while path.with_name(f"{path.name}.corrupt-{n}").exists():
        n += 1
    aside = path.with_name(f"{path.name}.corrupt-{n}")
    path.rename(aside)
    for suffix in ("-wal", "-shm", "-journal"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            try:
                extra.rename(aside.with_name(aside.name + suffix))
            except OSError:  # a stale log must never be applied to the new file
                with contextlib.suppress(OSError):
                    extra.unlink()
    return aside


def salvage(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every row of a damaged file's attempts table that SQLite can still read, with a stable id.

    Reads only. ``writable_schema`` lets SQLite read a file shorter than its header says (a
    truncated file), as ``.recover`` does; nothing is written through this connection.
    """
    try:
        conn.execute("PRAGMA writable_schema = ON")
        try:
            return _salvage_rows(conn)
        finally:
            conn.execute("PRAGMA writable_schema = OFF")
    except sqlite3.DatabaseError:
        return []


def _salvage_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    try:
        present = [r[1] for r in conn.execute("PRAGMA table_info(attempts)")]
    except sqlite3.DatabaseError:
        return []
    if not present:
        return []
    names = [c for c in COLUMNS + ["uid"] if c in present]
    select = f"SELECT id, {', '.join(names)} FROM attempts"
    found: dict[int, tuple] = {}

    def scan(sql: str, args: tuple = ()) -> bool:
        try:
            for item in conn.execute(sql, args):
                found[item[0]] = item
        except sqlite3.DatabaseError:
            return False
        return True

    if not scan(select + " ORDER BY id"):
        scan(select + " ORDER BY id DESC")
        top = max(found, default=0)
        with contextlib.suppress(sqlite3.DatabaseError):
            seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'attempts'").fetchone()
            top = max(top, int(seq[0]) if seq else 0)
        for rowid in range(1, min(top, SALVAGE_PROBE_LIMIT) + 1):
            if rowid not in found:
                scan(select + " WHERE id = ?", (rowid,))
    rows = []
    for rowid in sorted(found):
        row = dict(zip(names, found[rowid][1:], strict=True))
        row["uid"] = row.get("uid") or _stable_uid(row, rowid)
        rows.append(clean_row(row))
    return rows

"""Collect a class's attempts into one gradebook file.

Inputs are any mix of what learners hand in or what a hub holds: progress databases
(``progress.sqlite3``, any schema version; a moved-aside ``progress.sqlite3.corrupt-N``), their
pending journals (``progress.sqlite3.pending``, JSON lines), progress exports
(``tmvlearn progress --csv/--json``), other gradebooks, and folders searched recursively.

Learners' files are untrusted and only read, through :mod:`tmvlearn.results.reader`: only regular
files, bounded in size, rows and field length; SQLite files are copied (through the same check)
into a private temporary folder and read there from a real ``attempts`` table with a step/time
budget, so nothing is created, locked, migrated or repaired in a learner's folder. Only the columns
this version knows (:data:`tmvlearn.progress.COLUMNS`) are read; extra columns and tables (a
newer schema) are ignored. Each row is checked (:func:`tmvlearn.results.reader.check_row`); a row
that fails is set aside, counted and named, never silently dropped.

**Who an attempt belongs to comes from where the file is**, not from what it says. In a folder
collected as a course (``PATH/<learner>/...``: every file under a subfolder of PATH), and in a
learner's own folder given as PATH (one holding ``progress.sqlite3``, or ``~/.local/share/tmvlearn``),
the folder is the learner: rows naming anyone else are set aside and named. Loose files (given by
name, or directly in PATH) are attributed to the learner they name, unless that learner was
collected from their own folder (now or before, into the same gradebook): then they are set aside
and flagged, not merged. Names are compared by :func:`tmvlearn.results.reader.learner_key`
(Unicode case folding and whitespace normalisation) and shown as written.

The gradebook is a SQLite file with an ``attempts`` table like the progress store's, plus
``learner_key`` and ``source``; ``learner_folders`` records which learners came from their own
folder. An attempt that arrives twice (the same learner, question, time and response, e.g. from a
database and its pending journal, or from a database and an export) is kept once:
``UNIQUE (learner_key, question_id, time, response)`` with ``INSERT OR IGNORE``. Nothing else in the
gradebook depends on when it was collected, so collecting the same files again changes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tmvlearn import progress
from tmvlearn.results import DEFAULT_GRADEBOOK
from tmvlearn.results import reader as _reader
from tmvlearn.results.finding import Problem, Source, find_files, sniff
from tmvlearn.results.reader import Refused, clean_text, learner_key

__all__ = ["Collection", "Problem", "collect", "collect_into", "read_gradebook", "DEFAULT_GRADEBOOK"]

#: Columns an attempt must have (schema version 0); ``mode``, ``kind``, ``take`` default as in the store.
REQUIRED = list(progress.V0_COLUMNS)
KNOWN = list(progress.COLUMNS)
DEFAULTS = dict(progress.DEFAULTS)
GRADEBOOK_TABLE = "tmvlearn_results"  # marks a file as a gradebook

SCHEMA = """
CREATE TABLE IF NOT EXISTS tmvlearn_results (key TEXT PRIMARY KEY, value TEXT);
INSERT OR IGNORE INTO tmvlearn_results VALUES ('format', '1');
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    learner TEXT NOT NULL,
    learner_key TEXT NOT NULL,
    lesson TEXT NOT NULL,
    question_id TEXT NOT NULL,
    response TEXT NOT NULL,
    score REAL NOT NULL,
    correct INTEGER NOT NULL,
    time TEXT NOT NULL,
    mode TEXT NOT NULL DEFAULT 'practice',
    kind TEXT NOT NULL DEFAULT 'answer',
    take INTEGER NOT NULL DEFAULT 1,
    source TEXT NOT NULL,
    UNIQUE (learner_key, question_id, time, response)
);
CREATE TABLE IF NOT EXISTS learners (learner_key TEXT PRIMARY KEY, learner TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS learner_folders (learner_key TEXT PRIMARY KEY, folder TEXT NOT NULL);
"""

_INSERT = (
    "INSERT OR IGNORE INTO attempts (learner, lesson, question_id, response, score, correct, time, mode, "
    "kind, take, learner_key, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass
class Collection:
    """What a collect did: files read, attempts read and newly added, rows set aside, problems, notes."""

    into: str
    files_read: int = 0
    attempts_read: int = 0
    attempts_new: int = 0
    set_aside: int = 0  # rows read but not taken (each file's problem says which and why)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored: int = 0  # files in searched folders that are not tmvlearn's (notebooks, datasets...)
    ignored_files: list[str] = field(default_factory=list)  # their paths, in the order met

    def ignore(self, path: str | Path) -> None:
        """Count ``path``, a file in a searched folder that is not tmvlearn's, as left alone."""
        self.ignored += 1
        self.ignored_files.append(str(path))

    @property
    def duplicates(self) -> int:
        return self.attempts_read - self.attempts_new

    @property
    def exit_code(self) -> int:
        """0 when every file was read whole; 2 when some were skipped or read in part."""
        return 2 if self.problems else 0


# --- the gradebook --------------------------------------------------------------------------------


def open_gradebook(path: str | Path | None, mode: int | None = None, gid: int = -1) -> sqlite3.Connection:
    """The gradebook at ``path`` opened for writing (created if needed; ``None``: in memory).

    ``mode``/``gid``: the permissions a new gradebook gets whatever the umask (an existing one of
    ours is narrowed to them; default: :func:`tmvlearn.results.safe_output.output_mode`, 0600 or
    0640 with ``$TMVLEARN_RESULTS_GROUP``); SQLite gives its ``-wal``/``-shm`` files the same."""
    target = ":memory:" if path is None else str(Path(path))
    if path is not None:
        existing = Path(path)
        if existing.exists() and existing.stat().st_size and sniff(existing) != "sqlite":
            from tmvlearn.errors import UsageError

            raise UsageError(
                f"{path} is not a gradebook (not a SQLite file); give --into a new file "
                f"name such as {DEFAULT_GRADEBOOK}"
            )
        if mode is None:
            from tmvlearn.results.safe_output import output_mode

            mode, gid = output_mode()
        _restrict(existing, mode, gid)
    conn = sqlite3.connect(target, uri=False, timeout=30, check_same_thread=False)
    conn.text_factory = _reader.clean_text  # a gradebook written by an older tmvlearn stays readable
    conn.execute("PRAGMA journal_mode = WAL" if path is not None else "PRAGMA journal_mode = MEMORY")
    conn.execute("PRAGMA synchronous = NORMAL")
    try:
        conn.executescript(SCHEMA)
    except sqlite3.DatabaseError as exc:
        from tmvlearn.errors import UsageError

        conn.close()
        raise UsageError(
            f"{path} cannot be used as a gradebook ({exc}); give --into a new file name"
        ) from None
    return conn


def _restrict(path: Path, mode: int, gid: int) -> None:
    """Create ``path`` with ``mode`` if it is new; narrow an existing file of ours (and its -wal,
    -shm) to ``mode``. Someone else's file is left as it is."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            st = os.lstat(file)
        except OSError:
            continue
        if st.st_uid != os.geteuid() or not os.path.isfile(file) or os.path.islink(file):
            continue
        with contextlib.suppress(OSError):
            if gid != -1 and st.st_gid != gid:
                os.chown(file, -1, gid)
            if st.st_mode & 0o777 != mode:
                os.chmod(file, mode)


# --- reading one file -----------------------------------------------------------------------------


class _Ignored(Exception):
    """Not tmvlearn's file (in a searched folder): left alone, counted."""


def _sqlite_rows(source: Source, scratch: Path, result: Collection) -> list[dict[str, Any]]:
    """The attempts of a database, read from a private copy (with its -wal)."""
    copy = scratch / "db.sqlite3"  # one learner's copy at a time, removed after reading
    wal = Path(f"{source.path}-wal")
    try:
        _reader.copy_regular(source.path, copy, source.root)
        if os.path.lexists(wal):
            try:
                _reader.copy_regular(wal, Path(f"{copy}-wal"), source.root)
            except Refused as exc:
                raise Refused(f"its -wal file: {exc}") from None
        conn, budget = _reader.open_copy(copy)
    except sqlite3.Error as exc:
        raise Refused(f"cannot be read: {progress.describe_fault(exc, source.path)}") from None
    try:
        try:
            try:
                return _sqlite_read(conn, source, result)
            except sqlite3.OperationalError as exc:
                if "decode" not in str(exc) or budget.spent:
                    raise
                conn.text_factory = _reader.clean_text  # text that is not UTF-8: read it leniently
                return _sqlite_read(conn, source, result)
        except sqlite3.DatabaseError as exc:
            if budget.spent:
                raise Refused(
                    f"reading it needed more than {_reader.SQLITE_STEPS:,} SQLite steps or "
                    f"{_reader.SQLITE_SECONDS:g} s: stopped, nothing taken"
                ) from None
            if not progress.proves_corrupt(exc):
                raise Refused(f"cannot be read: {progress.describe_fault(exc, source.path)}") from None
            conn.close()
            return _salvaged(copy, exc, source, result)
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(f"{copy}{suffix}")


def _sqlite_read(conn: sqlite3.Connection, source: Source, result: Collection) -> list[dict[str, Any]]:
    kind, why = _reader.attempts_table(conn)
    if kind is None:
        if source.searched:
            raise _Ignored  # some other program's database in a searched folder
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        raise Refused("no attempts table: not a tmvlearn progress database" if tables
                      else "an empty database (no tables)")
    if kind != "table":
        raise Refused(why)
    present = {r[1] for r in conn.execute("PRAGMA table_info(attempts)")}
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise Refused(f"its attempts table lacks the column{plural} {', '.join(missing)}")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    is_gradebook = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = ?", (GRADEBOOK_TABLE,)
    ).fetchone()[0]
    if version > progress.SCHEMA_VERSION and not is_gradebook:
        result.notes.append(
            f"{source.path} was written by a newer tmvlearn (schema version {version}); its "
            "attempts were read with the columns this version knows."
        )
    cols = [c for c in KNOWN if c in present]
    cursor = conn.execute(
        f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM attempts LIMIT {_reader.MAX_ROWS_PER_FILE + 1}"
    )
    rows = [dict(zip(cols, r, strict=True)) for r in cursor]
    if len(rows) > _reader.MAX_ROWS_PER_FILE:
        total = conn.execute("SELECT count(*) FROM attempts").fetchone()[0]
        rows = rows[: _reader.MAX_ROWS_PER_FILE]
        rows.append({"__beyond__": total - _reader.MAX_ROWS_PER_FILE})
    return rows


def _salvaged(copy: Path, exc: Exception, source: Source, result: Collection) -> list[dict[str, Any]]:
    """A damaged file: what the store's own salvage can still read (from the private copy)."""
    notes: list[str] = []
    try:
        rows, _ = progress.read_file(copy, None, notes)
    except Exception:  # noqa: BLE001 - whatever a damaged file does, the class is still collected
        rows = []
    if not rows:
        raise Refused(f"damaged ({exc}); nothing in it can be read")
    result.problems.append(
        Problem(str(source.path), "partly read",
                f"damaged ({exc}); the attempts SQLite could still read were collected")
    )
    return list(rows)[: _reader.MAX_ROWS_PER_FILE]


def _json_rows(source: Source, result: Collection) -> tuple[list[dict[str, Any]], Any]:
    """The attempts of a JSON export, and the learner it names."""
    data = _reader.load_json(clean_text(_reader.read_regular(source.path, source.root)))
    if not isinstance(data, dict) or not isinstance(data.get("attempts"), list):
        if source.searched:
            raise _Ignored  # some other JSON file in a searched folder (settings, a manifest...)
        raise Refused('not a progress export (no "attempts" list; write one with tmvlearn progress --json)')
    version = _newer(data)
    if version is not None:
        result.notes.append(
            f"{source.path} was written by a newer tmvlearn (version {version}); its attempts were "
            "read with the fields this version knows."
        )
    rows: list[dict[str, Any]] = []
    for item in data["attempts"][: _reader.MAX_ROWS_PER_FILE]:
        if not isinstance(item, dict):
            rows.append({"__bad__": "an entry that is not an attempt"})
            continue
        row = {c: item.get(c) for c in KNOWN if c in item}
        if "response" in item:  # exports hold the response parsed; the store keeps it as JSON text
            row["response"] = json.dumps(progress.jsonable(item["response"]), ensure_ascii=False)
        rows.append(row)
    beyond = len(data["attempts"]) - _reader.MAX_ROWS_PER_FILE
    if beyond > 0:
        rows.append({"__beyond__": beyond})
    return rows, data.get("learner")


def _csv_rows(source: Source, result: Collection) -> list[dict[str, Any]]:
    import csv
    import io

    text = clean_text(_reader.read_regular(source.path, source.root))
    table = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(table, [])]
    except csv.Error as exc:
        raise Refused(f"not readable CSV ({exc})") from None
    if not set(REQUIRED) <= set(header):
        if source.searched and not {"learner", "question_id"} & set(header):
            raise _Ignored  # some other table in a searched folder, not an export
        missing = [c for c in REQUIRED if c not in header]
        raise Refused(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            "(write exports with tmvlearn progress --csv)"
        )
    extra = [c for c in header if c not in KNOWN and c != "uid"]
    if extra:
        shown = ", ".join(c[:40] for c in extra[:5])
        result.notes.append(
            f"{source.path} has columns this version does not know ({shown}); they were left out."
        )
    where = {c: header.index(c) for c in KNOWN if c in header}
    rows: list[dict[str, Any]] = []
    beyond = 0
    try:
        for record in table:
            if not record:
                continue
            if len(rows) >= _reader.MAX_ROWS_PER_FILE:
                beyond += 1
                continue
            if len(record) != len(header):
                rows.append({"__bad__": "a line with the wrong number of fields"})
                continue
            rows.append({c: record[j] for c, j in where.items()})
    except csv.Error as exc:
        rows.append({"__bad__": f"unreadable CSV from line {table.line_num} on ({exc})"})
    if beyond:
        rows.append({"__beyond__": beyond})
    return rows


def _journal_rows(source: Source) -> list[dict[str, Any]]:
    raw = _reader.read_regular(source.path, source.root)
    rows: list[dict[str, Any]] = []
    lines = raw.split(b"\n")[:-1]  # a last line without its newline was never finished
    for line in lines[: _reader.MAX_ROWS_PER_FILE]:
        try:
            row = _reader.load_json(clean_text(line))
        except Refused:
            rows.append({"__bad__": "a line that is not an attempt"})
            continue
        if isinstance(row, dict) and all(c in row for c in REQUIRED):
            rows.append({c: row[c] for c in KNOWN if c in row})
        else:
            rows.append({"__bad__": "a line that is not an attempt"})
    if len(lines) > _reader.MAX_ROWS_PER_FILE:
        rows.append({"__beyond__": len(lines) - _reader.MAX_ROWS_PER_FILE})
    return rows


def _newer(data: dict[str, Any]) -> int | None:
    for key in ("schema_version", "version", "format"):
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > progress.SCHEMA_VERSION:
            return value
    return None


# --- taking rows: identity, bounds, checks --------------------------------------------------------


class _Aside:
    """Rows set aside from one file: per reason, how many and the names they carried."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.names: dict[str, list[str]] = {}

    def add(self, reason: str, name: str | None = None, n: int = 1) -> None:
        self.counts[reason] += n
        if name is not None:
            seen = self.names.setdefault(reason, [])
            if name not in seen and len(seen) < 5:
                seen.append(name)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def describe(self) -> str:
        parts = []
        for reason, n in self.counts.most_common():
            names = self.names.get(reason)
            parts.append(f"{n} {reason}" + (f" ({', '.join(repr(x[:60]) for x in names)})" if names else ""))
        total = self.total
        return f"{total} row{'s' if total != 1 else ''} set aside: " + "; ".join(parts)


@dataclass
class _State:
    """What one collect knows across files: learners with folders, attempts taken per learner."""

    folders: dict[str, str] = field(default_factory=dict)  # learner key -> their folder
    taken: Counter = field(default_factory=Counter)
    text: Counter = field(default_factory=Counter)  # characters taken per learner


def _take(
    conn: sqlite3.Connection, source: Source, rows: list[dict[str, Any]], state: _State, result: Collection,
    named: Any = None,
) -> None:
    """Check ``rows`` (from one file), insert those that pass, set the others aside with reasons."""
    aside = _Aside()
    good: list[tuple] = []
    where = clean_text(str(source.path))
    known = _reader.known_items()
    cap = _reader.MAX_ATTEMPTS_PER_LEARNER
    for row in rows:
        if "__beyond__" in row:
            aside.add(f"beyond the first {_reader.MAX_ROWS_PER_FILE:,} attempts in one file",
                      n=row["__beyond__"])
            continue
        if "__bad__" in row:
            aside.add(row["__bad__"])
            continue
        checked = _reader.check_row(row, known)
        if isinstance(checked, str):
            aside.add(checked)
            continue
        name = clean_text(row.get("learner"))  # as written, for naming it
        key = learner_key(checked[0])
        if source.learner is not None:
            if key != source.key:
                aside.add(f"for another learner than the folder's ({source.learner!r})", name)
                continue
        elif key in state.folders:
            aside.add("naming a learner collected from their own folder: flagged, not merged", name)
            continue
        if state.taken[key] >= cap:
            aside.add(f"beyond {cap:,} attempts for one learner", name)
            continue
        size = sum(len(v) for v in checked if isinstance(v, str))
        if state.text[key] + size > _reader.MAX_BYTES_PER_LEARNER:
            aside.add(f"beyond {_reader.MAX_BYTES_PER_LEARNER:,} characters of text for one learner", name)
            continue
        state.taken[key] += 1
        state.text[key] += size
        good.append((*checked, key, where))
    before = conn.total_changes
    conn.executemany(_INSERT, good)
    new = conn.total_changes - before
    if named is not None and isinstance(named, str):
        _add_learner(conn, named, source, aside)
    if source.learner is not None and good:
        conn.execute("INSERT OR IGNORE INTO learner_folders VALUES (?, ?)",
                     (source.key, clean_text(source.folder)))
    conn.commit()
    result.files_read += 1
    result.attempts_read += len(good)
    result.attempts_new += new
    if aside.total:
        result.set_aside += aside.total
        status = "partly read" if good or not rows else "skipped"
        result.problems.append(Problem(str(source.path), status, aside.describe()))


def _add_learner(conn: sqlite3.Connection, name: str, source: Source, aside: _Aside) -> None:
    """The learner an export names (also with no attempts), if it may be theirs."""
    shown = _reader.display_name(name)
    key = learner_key(shown)
    if not key or len(shown) > _reader.MAX_NAME_CHARS:
        return
    if source.learner is not None and key != source.key:
        aside.add(f"learner name for another learner than the folder's ({source.learner!r})", shown)
        return
    conn.execute("INSERT OR IGNORE INTO learners VALUES (?, ?)", (key, shown))


def _read_one(conn, source: Source, scratch: Path, state: _State, result: Collection) -> None:
    named = None
    try:
        if source.kind == "sqlite":
            rows = _sqlite_rows(source, scratch, result)
        elif source.kind == "journal":
            rows = _journal_rows(source)
        elif source.kind == "json":
            rows, named = _json_rows(source, result)
        else:
            rows = _csv_rows(source, result)
    except _Ignored:
        result.ignore(source.path)
        return
    except Refused as exc:
        result.problems.append(Problem(str(source.path), "skipped", str(exc)))
        return
    except MemoryError:
        result.problems.append(Problem(str(source.path), "skipped", "too large to read"))
        return
    _take(conn, source, rows, state, result, named)


def collect_into(
    paths, into: str | Path | None = DEFAULT_GRADEBOOK, conn: sqlite3.Connection | None = None
) -> Collection:
    """Read every file under ``paths`` into the gradebook ``into`` (``None``: in memory, or ``conn``).

    Never stops at a file it cannot read: each is listed in :attr:`Collection.problems` with the
    reason, as is each file with rows set aside. Returns what was done.
    """
    own = conn is None
    skip: set[str] = set()
    if into is not None:
        target = Path(into).resolve()
        skip = {str(target)} | {f"{target}{s}" for s in ("-wal", "-shm", "-journal")}
    conn = conn if conn is not None else open_gradebook(into)
    result = Collection(into=str(into) if into is not None else ":memory:")
    scratch = Path(tempfile.mkdtemp(prefix="tmvlearn-results-"))  # private (0700): database copies
    try:
        explicit = {str(Path(p).expanduser()) for p in paths}
        files, result.problems, left_alone = find_files(paths, skip)
        for file in left_alone:
            result.ignore(file)
        state = _State()
        state.folders.update(dict(conn.execute("SELECT learner_key, folder FROM learner_folders")))
        for source in files:
            if source.learner is not None:
                earlier = state.folders.setdefault(source.key, clean_text(source.folder))
                if earlier != clean_text(source.folder):
                    note = (f"the folders {earlier} and {source.folder} are both learner {source.learner!r}: "
                            "counted as one learner")
                    if note not in result.notes:
                        result.notes.append(note)
        for source in files:
            source.searched = str(source.path) not in explicit and source.searched
            _read_one(conn, source, scratch, state, result)
        conn.execute(
            "INSERT OR IGNORE INTO learners SELECT learner_key, min(learner) FROM attempts "
            "GROUP BY learner_key"
        )
        conn.commit()
        result.notes += _case_notes(conn)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if own:
            conn.close()
    return result


def _case_notes(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT learner_key, group_concat(learner, ', ') FROM (SELECT DISTINCT learner_key, "
        "learner FROM attempts ORDER BY learner) GROUP BY learner_key HAVING count(*) > 1"
    )
    return [
        f"the names {names} differ only in case or spacing: counted as one learner ({key!r})"
        for key, names in rows
    ]


# --- reading a gradebook back ---------------------------------------------------------------------

CATEGORIES = ("learner", "lesson", "question_id", "response", "mode", "kind", "source")


def read_gradebook(conn: sqlite3.Connection, chunk: int = 250_000):
    """The gradebook's attempts as a compact DataFrame (text columns categorical), oldest first.

    ``learner`` is the learner's display name (the spelling seen most often; names that differ only
    in case are one learner; its categories are every learner known, also those with no attempt);
    ``time`` is a UTC timestamp.
    """
    import numpy as np
    import pandas as pd
    from pandas.api.types import union_categoricals

    names: dict[str, str] = {}
    for key, name, _ in conn.execute(
        "SELECT learner_key, learner, count(*) AS n FROM attempts WHERE score BETWEEN 0 AND 1 "
        "GROUP BY learner_key, learner ORDER BY learner_key, n DESC, learner"
    ):
        names.setdefault(key, name)  # the spelling seen most often (then the first in sort order)
    for key, name in conn.execute("SELECT learner_key, learner FROM learners"):
        names.setdefault(key, name)
    cols = [*KNOWN, "source"]  # ``learner`` is read as its case-folded key
    cursor = conn.execute(
        # BETWEEN: a gradebook written by an older tmvlearn may hold scores a file made up
        f"SELECT learner_key, {', '.join(cols[1:])} FROM attempts WHERE score BETWEEN 0 AND 1 ORDER BY id"
    )
    parts: dict[str, list] = {c: [] for c in cols}
    while True:
        rows = cursor.fetchmany(chunk)
        if not rows:
            break
        for name, values in zip(cols, zip(*rows, strict=True), strict=True):
            if name in CATEGORIES:
                parts[name].append(pd.Categorical(values))
            elif name == "time":
                parts[name].append(np.array(values, dtype=object))
            else:
                parts[name].append(np.array(values, dtype="float64" if name == "score" else "int64"))
        del rows
    data: dict[str, Any] = {}
    for name in cols:
        if not parts[name]:
            data[name] = (
                pd.Categorical([])
                if name in CATEGORIES
                else np.array([], dtype="float64" if name == "score" else object)
            )
        elif name in CATEGORIES:
            data[name] = union_categoricals(parts[name]) if len(parts[name]) > 1 else parts[name][0]
        else:
            data[name] = np.concatenate(parts[name])
        parts[name] = []
    frame = pd.DataFrame(data)
    known = frame["learner"].array
    missing = sorted(set(names) - set(map(str, known.categories)))
    if missing:  # learners with no attempts (an export with none) stay in the categories
        frame["learner"] = known.add_categories(missing)
    shown = [names.get(k, k) for k in frame["learner"].cat.categories]
    frame["learner_key"] = frame["learner"]
    frame["learner"] = (
        frame["learner"].cat.rename_categories(shown)
        if len(set(shown)) == len(shown)
        else frame["learner"].astype(str).map(names).astype("category")
    )
    frame["time"] = pd.to_datetime(frame["time"], utc=True, format="ISO8601", errors="coerce")
    order = np.argsort(frame["time"].to_numpy(dtype="datetime64[ns]").view("int64"), kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)  # oldest first (a time that cannot be read: first)
    frame["correct"] = frame["correct"].astype(bool)
    frame["take"] = frame["take"].astype("int32")
    return frame


def collect(paths, into: str | Path | None = None):
    """Collect ``paths`` (files and folders) and return every attempt in the gradebook as a DataFrame.

    ``into``: the gradebook file to add them to (``None``: a gradebook in memory, nothing written).
    ``.attrs["collection"]`` is the :class:`Collection` (problems, notes, counts).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    conn = open_gradebook(into)
    try:
        result = collect_into(list(paths), into, conn=conn)
        frame = read_gradebook(conn)
    finally:
        conn.close()
    frame.attrs["collection"] = result
    return frame

"""Collect a class's attempts into one gradebook file.

Inputs are any mix of what learners hand in or what a hub holds: progress databases
(``progress.sqlite3``, any schema version; a moved-aside ``progress.sqlite3.corrupt-N``), their
pending journals (``progress.sqlite3.pending``, JSON lines), progress exports
(``tmvlearn progress --csv/--json``), other gradebooks, and folders searched recursively.

Learners' files are only read: SQLite files are opened read-only (``mode=ro``; ``immutable`` when
a read-only folder leaves no other way), never created, migrated or repaired. Only the
``attempts`` table and the columns this version knows (:data:`tmvlearn.progress.COLUMNS`) are
read; extra columns and tables (a newer schema) are ignored.

The gradebook is a SQLite file with an ``attempts`` table like the progress store's, plus
``learner_key`` (the learner's name trimmed and lower-cased: names that differ only in case are one
learner) and ``source``. An attempt that arrives twice (the same learner, question, time and
response, e.g. from a database and its pending journal, or from a database and an export) is kept
once: ``UNIQUE (learner_key, question_id, time, response)`` with ``INSERT OR IGNORE``. Nothing else
in the gradebook depends on when it was collected, so collecting the same files again changes
nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tmvlearn import progress
from tmvlearn.results import DEFAULT_GRADEBOOK

__all__ = ["Collection", "Problem", "collect", "collect_into", "read_gradebook", "DEFAULT_GRADEBOOK"]

#: Columns an attempt must have (schema version 0); ``mode``, ``kind``, ``take`` default as in the store.
REQUIRED = list(progress.V0_COLUMNS)
KNOWN = list(progress.COLUMNS)
DEFAULTS = dict(progress.DEFAULTS)
GRADEBOOK_TABLE = "tmvlearn_results"  # marks a file as a gradebook
SKIPPED_DIRS = {".ipynb_checkpoints", "__pycache__", ".git", "node_modules"}
SQLITE_MAGIC = b"SQLite format 3\x00"

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
"""

# One attempt's columns as SQL over a staged row: names trimmed, numbers cast, defaults filled in.
_INSERT = """
INSERT OR IGNORE INTO attempts (learner, learner_key, lesson, question_id, response, score, correct,
                                time, mode, kind, take, source)
SELECT trim(learner), lower(trim(learner)), lesson, question_id, response, CAST(score AS REAL),
       CASE WHEN correct IN (1, '1', 'true', 'True', 'TRUE') THEN 1 ELSE 0 END,
       time, mode, kind, CAST(take AS INTEGER), ?
FROM ({select}) WHERE trim(learner) <> '' AND question_id <> '' AND time <> ''
"""


@dataclass
class Problem:
    """A file that could not be read (``status="skipped"``) or was read only in part
    (``"partly read"``), with the reason in words."""

    path: str
    status: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.status}: {self.reason}"


@dataclass
class Collection:
    """What a collect did: files read, attempts read and newly added, problems and notes."""

    into: str
    files_read: int = 0
    attempts_read: int = 0
    attempts_new: int = 0
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


# --- finding the files ----------------------------------------------------------------------------


def _db_part(name: str) -> bool:
    """A SQLite database's own side file (``-wal``, ``-shm``, ``-journal``): read with the database."""
    return name.lower().endswith(("-wal", "-shm", "-journal"))


def _kind(path: Path) -> str | None:
    """What ``path`` holds, from its name (and first bytes): sqlite, journal, csv, json or None."""
    name = path.name.lower()
    if name.endswith(progress.PENDING_SUFFIX) or (name.endswith(".jsonl") and path.parent.name == "pending"):
        return "journal"  # beside the database, or in the user state folder's pending/
    if _db_part(name) or ".tmp" in name:
        return None  # part of a database, or an export being written
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".sqlite3", ".sqlite", ".db")) or ".sqlite3.corrupt-" in name:
        return "sqlite"
    return None


def _sniff(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return "sqlite" if handle.read(16) == SQLITE_MAGIC else None
    except OSError:
        return None


def find_files(
    paths, skip: set[str] | None = None
) -> tuple[list[tuple[Path, str]], list[Problem], list[str]]:
    """The (file, kind) pairs under ``paths``, the problems met looking, and the files left alone.

    A file given by name is read whatever its name (SQLite is recognised by its header); in a
    folder only files named as tmvlearn names them are taken. A database's ``-wal``/``-shm``/
    ``-journal`` files are part of it, never counted as left alone. An empty folder is a problem.
    """
    found: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    ignored: list[str] = []
    skip = skip or set()
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            problems.append(Problem(str(path), "skipped", "no such file or folder"))
            continue
        if path.is_file():
            if str(path.resolve()) in skip:
                continue
            kind = _kind(path) or _sniff(path)
            if kind is None:
                problems.append(
                    Problem(
                        str(path),
                        "skipped",
                        "not a progress database, journal, or .csv/.json progress export",
                    )
                )
            else:
                found.append((path, kind))
            continue
        has_files: dict[str, bool] = {}
        for folder, dirs, files in os.walk(
            path,
            topdown=False,
            onerror=lambda exc: problems.append(
                Problem(str(exc.filename), "skipped", f"folder cannot be read: {exc.strerror}")
            ),
        ):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
            has_files[folder] = bool(files) or any(
                has_files.get(os.path.join(folder, d), False) for d in dirs
            )
            for name in sorted(files):
                file = Path(folder, name)
                kind = _kind(file)
                if kind is None:
                    if not _db_part(name):
                        ignored.append(str(file))
                elif str(file.resolve()) not in skip:
                    found.append((file, kind))
        empty = [
            f
            for f, full in has_files.items()
            if not full and has_files.get(os.path.dirname(f), True) and f != os.path.dirname(f)
        ]
        if not has_files.get(str(path), True):
            empty = [str(path)]
        for folder in sorted(empty):
            problems.append(
                Problem(
                    folder,
                    "skipped",
                    "empty folder: no progress database or export in it (has this learner started?)",
                )
            )
    found.sort(key=lambda item: str(item[0]))
    return found, problems, ignored


# --- the gradebook --------------------------------------------------------------------------------


def _uri(path: Path, options: str) -> str:
    return "file:" + quote(str(path.absolute())) + options


def open_gradebook(path: str | Path | None) -> sqlite3.Connection:
    """The gradebook at ``path`` opened for writing (created if needed; ``None``: in memory)."""
    target = ":memory:" if path is None else str(Path(path))
    if path is not None:
        existing = Path(path)
        if existing.exists() and existing.stat().st_size and _sniff(existing) != "sqlite":
            from tmvlearn.errors import UsageError

            raise UsageError(
                f"{path} is not a gradebook (not a SQLite file); give --into a new file "
                f"name such as {DEFAULT_GRADEBOOK}"
            )
    conn = sqlite3.connect(target, uri=False, timeout=30, check_same_thread=False)
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


def _columns_sql(present: set[str], table: str) -> str:
    parts = []
    for col in KNOWN:
        if col in present:
            fill = repr(DEFAULTS[col]) if col in DEFAULTS else "''"
            parts.append(f"COALESCE({col}, {fill}) AS {col}")
        else:
            parts.append(f"{DEFAULTS[col]!r} AS {col}")
    return f"SELECT {', '.join(parts)} FROM {table}"


def _add_sqlite(conn: sqlite3.Connection, path: Path, result: Collection, searched: bool = False) -> None:
    last: Exception | None = None
    # Without a -wal file nothing is waiting outside the main file: read it as immutable, which
    # creates no -wal/-shm beside it (SQLite's read-only mode would, in a writable folder, and they
    # would then belong to whoever collects). With a -wal file, read through it (mode=ro).
    wal = Path(f"{path}-wal")
    plan = ("?mode=ro", "?mode=ro&immutable=1") if wal.exists() else ("?mode=ro&immutable=1",)
    for options in plan:
        try:
            conn.execute("ATTACH DATABASE ? AS src", (_uri(path, options),))
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            present = {r[1] for r in conn.execute("PRAGMA src.table_info(attempts)")}
            if not present and searched:
                result.ignore(path)  # some other program's database in a searched folder
                return
            if not present:
                tables = conn.execute("SELECT count(*) FROM src.sqlite_master").fetchone()[0]
                result.problems.append(
                    Problem(
                        str(path),
                        "skipped",
                        "no attempts table: not a tmvlearn progress database"
                        if tables
                        else "an empty database (no tables)",
                    )
                )
                return
            missing = [c for c in REQUIRED if c not in present]
            if missing:
                result.problems.append(
                    Problem(
                        str(path),
                        "skipped",
                        f"its attempts table lacks the column"
                        f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                    )
                )
                return
            version = conn.execute("PRAGMA src.user_version").fetchone()[0]
            is_gradebook = conn.execute(
                "SELECT count(*) FROM src.sqlite_master WHERE name = ?", (GRADEBOOK_TABLE,)
            ).fetchone()[0]
            if version > progress.SCHEMA_VERSION and not is_gradebook:
                result.notes.append(
                    f"{path} was written by a newer tmvlearn (schema version {version}); its "
                    "attempts were read with the columns this version knows."
                )
            select = _columns_sql(present, "src.attempts")
            count = conn.execute(f"SELECT count(*) FROM ({select})").fetchone()[0]
            before = conn.total_changes
            conn.execute(_INSERT.format(select=select), (str(path),))
            _tally(result, count, conn.total_changes - before)
            return
        except sqlite3.DatabaseError as exc:
            if progress.is_locked(exc):
                last = exc
                continue
            if not progress.proves_corrupt(exc):
                last = exc
                break
            _add_salvaged(conn, path, exc, result)
            return
        finally:
            conn.commit()
            conn.execute("DETACH DATABASE src")
    if last is not None and progress.proves_corrupt(last):
        result.problems.append(Problem(str(path), "skipped", f"damaged: {last}"))
        return
    reason = progress.describe_fault(last, path) if last is not None else "unknown error"
    result.problems.append(Problem(str(path), "skipped", f"cannot be read: {reason}"))


def _add_salvaged(conn: sqlite3.Connection, path: Path, exc: Exception, result: Collection) -> None:
    """A damaged file: what the store's own salvage can still read."""
    notes: list[str] = []
    rows, _ = progress.read_file(path, None, notes)
    if rows:
        _add_rows(conn, rows, str(path), result)
        result.problems.append(
            Problem(
                str(path),
                "partly read",
                f"damaged ({exc}); the {len(rows)} attempts SQLite could still read were collected",
            )
        )
    else:
        result.problems.append(Problem(str(path), "skipped", f"damaged ({exc}); nothing in it can be read"))


def _add_rows(
    conn: sqlite3.Connection, rows: list[dict[str, Any]] | list[tuple], source: str, result: Collection
) -> None:
    """Insert ``rows`` (dicts with the known columns, or tuples in :data:`KNOWN` order) via a stage table."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS stage ({', '.join(KNOWN)})")
    conn.execute("DELETE FROM temp.stage")
    if rows and isinstance(rows[0], dict):
        rows = [tuple(r.get(c, DEFAULTS.get(c)) for c in KNOWN) for r in rows]
    conn.executemany(f"INSERT INTO temp.stage VALUES ({', '.join('?' * len(KNOWN))})", rows)
    before = conn.total_changes
    conn.execute(_INSERT.format(select="SELECT * FROM temp.stage"), (source,))
    _tally(result, len(rows), conn.total_changes - before)
    conn.execute("DELETE FROM temp.stage")
    conn.commit()


def _tally(result: Collection, read: int, new: int) -> None:
    result.files_read += 1
    result.attempts_read += read
    result.attempts_new += new


def _add_learner(conn: sqlite3.Connection, name: Any) -> None:
    if isinstance(name, str) and name.strip():
        conn.execute("INSERT OR IGNORE INTO learners VALUES (lower(trim(?)), trim(?))", (name, name))


def _newer(data: dict[str, Any]) -> int | None:
    for key in ("schema_version", "version", "format"):
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > progress.SCHEMA_VERSION:
            return value
    return None


def _add_json(conn: sqlite3.Connection, path: Path, result: Collection, searched: bool = False) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        result.problems.append(Problem(str(path), "skipped", f"not readable JSON ({exc})"))
        return
    if not isinstance(data, dict) or not isinstance(data.get("attempts"), list):
        if searched:
            result.ignore(path)  # some other JSON file in a searched folder (settings, a manifest...)
            return
        result.problems.append(
            Problem(
                str(path),
                "skipped",
                'not a progress export (no "attempts" list; write one with tmvlearn progress --json)',
            )
        )
        return
    version = _newer(data)
    if version is not None:
        result.notes.append(
            f"{path} was written by a newer tmvlearn (version {version}); its attempts were "
            "read with the fields this version knows."
        )
    attempts = [a for a in data["attempts"] if isinstance(a, dict)]
    missing = sorted({c for a in attempts for c in REQUIRED if c not in a})
    if missing:
        result.problems.append(
            Problem(
                str(path),
                "skipped",
                f"attempts lack the field{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            )
        )
        return
    for row in attempts:  # exports hold the response parsed; the store keeps it as JSON text
        row["response"] = json.dumps(progress.jsonable(row["response"]), ensure_ascii=False)
    _add_learner(conn, data.get("learner"))
    _add_rows(conn, attempts, str(path), result)


def _add_csv(conn: sqlite3.Connection, path: Path, result: Collection, searched: bool) -> None:
    import pandas as pd

    try:
        if searched:  # the header first: a large table that is not an export is not read whole
            header = set(pd.read_csv(path, nrows=0).columns)
            if not set(REQUIRED) <= header and not {"learner", "question_id"} & header:
                result.ignore(path)
                return
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        result.problems.append(Problem(str(path), "skipped", f"not readable CSV ({_one_line(exc)})"))
        return
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        if searched and not {"learner", "question_id"} & set(frame.columns):
            result.ignore(path)  # some other table in a searched folder, not an export
            return
        result.problems.append(
            Problem(
                str(path),
                "skipped",
                f"missing column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} (write exports with tmvlearn progress --csv)",
            )
        )
        return
    extra = [c for c in frame.columns if c not in KNOWN and c != "uid"]
    if extra:
        result.notes.append(
            f"{path} has columns this version does not know ({', '.join(extra[:5])}); they were left out."
        )
    for col, default in DEFAULTS.items():
        if col not in frame.columns:
            frame[col] = str(default)
    score = pd.to_numeric(frame["score"], errors="coerce")
    bad = int(score.isna().sum())
    if bad:
        result.problems.append(
            Problem(
                str(path), "partly read", f"{bad} row{'s' if bad > 1 else ''} with no readable score left out"
            )
        )
        frame = frame[score.notna()]
    _add_rows(conn, list(frame[KNOWN].itertuples(index=False, name=None)), str(path), result)


def _add_journal(conn: sqlite3.Connection, path: Path, result: Collection) -> None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        result.problems.append(Problem(str(path), "skipped", f"cannot be read: {exc.strerror}"))
        return
    rows, bad = [], 0
    for line in raw.split(b"\n")[:-1]:  # a last line without its newline was never finished
        try:
            row = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(row, dict) and all(c in row for c in REQUIRED):
            rows.append(progress.clean_row(row))
        else:
            bad += 1
    _add_rows(conn, rows, str(path), result)
    if bad:
        result.problems.append(
            Problem(
                str(path), "partly read", f"{bad} line{'s' if bad > 1 else ''} that are not attempts left out"
            )
        )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def collect_into(
    paths, into: str | Path | None = DEFAULT_GRADEBOOK, conn: sqlite3.Connection | None = None
) -> Collection:
    """Read every file under ``paths`` into the gradebook ``into`` (``None``: in memory, or ``conn``).

    Never stops at a file it cannot read: each is listed in :attr:`Collection.problems` with the
    reason. Returns what was done.
    """
    own = conn is None
    skip: set[str] = set()
    if into is not None:
        target = Path(into).resolve()
        skip = {str(target)} | {f"{target}{s}" for s in ("-wal", "-shm", "-journal")}
    conn = conn if conn is not None else open_gradebook(into)
    result = Collection(into=str(into) if into is not None else ":memory:")
    try:
        explicit = {str(Path(p).expanduser()) for p in paths}
        files, result.problems, left_alone = find_files(paths, skip)
        for file in left_alone:
            result.ignore(file)
        for path, kind in files:
            searched = str(path) not in explicit
            if kind == "sqlite":
                _add_sqlite(conn, path, result, searched)
            elif kind == "journal":
                _add_journal(conn, path, result)
            elif kind == "json":
                _add_json(conn, path, result, searched)
            else:
                _add_csv(conn, path, result, searched)
        conn.execute(
            "INSERT OR IGNORE INTO learners SELECT learner_key, min(learner) FROM attempts "
            "GROUP BY learner_key"
        )
        conn.commit()
        result.notes += _case_notes(conn)
    finally:
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
        "SELECT learner_key, learner, count(*) AS n FROM attempts "
        "GROUP BY learner_key, learner ORDER BY learner_key, n DESC, learner"
    ):
        names.setdefault(key, name)  # the spelling seen most often (then the first in sort order)
    for key, name in conn.execute("SELECT learner_key, learner FROM learners"):
        names.setdefault(key, name)
    cols = [*KNOWN, "source"]  # ``learner`` is read as its case-folded key
    cursor = conn.execute(
        f"SELECT learner_key, {', '.join(cols[1:])} FROM attempts ORDER BY id"
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

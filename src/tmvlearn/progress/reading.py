"""Reading progress, never writing it: a file opened read-only, the per-lesson summary, exports.

Reading (:meth:`ProgressStore.read`, ``tmvlearn progress``, class results) opens the file read-only
(``mode=ro``; ``immutable`` when even the lock files cannot be made) and never creates, migrates or
repairs it; a damaged file is read as far as SQLite can (:func:`~tmvlearn.progress.salvage.salvage`).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import tmvlearn.progress.faults as faults  # faults.BUSY_MS is read when used: tests shorten it
from tmvlearn.progress.database import SCHEMA_VERSION, default_learner
from tmvlearn.progress.faults import ProgressError, describe_fault, is_locked, proves_corrupt
from tmvlearn.progress.rows import COLUMNS, DEFAULTS, query_attempts
from tmvlearn.progress.salvage import salvage


@dataclass
class Reading:
    """What a read found: ``attempts`` (one row per attempt), ``source`` (where it was read from, in
    words), ``notes`` (anything the reader should be told: a newer or damaged file, attempts
    still pending) and ``readable``."""

    attempts: Any
    source: str
    notes: list[str] = field(default_factory=list)
    #: False when the file exists but nothing in it could be read (permissions, damage, a folder)
    readable: bool = True


def read_file(path: Path, learner: str | None, notes: list[str], reader=None,
              from_rows=None) -> tuple[Any, str]:
    """The attempts in the file at ``path``, read without writing anything; and where from, in words.

    ``reader(conn, learner)`` reads something else from the open file (default:
    :func:`~tmvlearn.progress.rows.query_attempts`);
    ``from_rows(rows)`` then turns the attempts read from a damaged file (or none) into its kind.
    """
    reader = reader or query_attempts
    from_rows = from_rows or (lambda rows: rows)
    try:
        if not os.path.lexists(path):
            return from_rows([]), f"{path} (not created yet)"
        if path.is_dir():
            notes.append(f"{path} is a folder, not a progress database; move it away.")
            return from_rows([]), f"{path} (a folder)"
        os.stat(path)
    except OSError as exc:  # a folder on the way that this user may not enter
        notes.append(f"{path} cannot be read: {describe_fault(exc)}.")
        return from_rows([]), f"{path} (unreadable)"
    uri = "file:" + quote(str(path.absolute()))
    last: sqlite3.Error | None = None
    # mode=ro first; immutable (no lock files needed) only when that cannot open, as in a read-only folder
    for options, how in (("?mode=ro", "read-only"), ("?mode=ro&immutable=1", "read-only, immutable")):
        if last is not None and is_locked(last):
            break  # a writer holds it: reading it as immutable could see a half-written change
        conn = None
        try:
            conn = sqlite3.connect(uri + options, uri=True, timeout=faults.BUSY_MS / 1000,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {faults.BUSY_MS}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            try:
                rows = reader(conn, learner)
            except sqlite3.DatabaseError as exc:
                if not proves_corrupt(exc):
                    raise
                salvaged = [r for r in salvage(conn) if learner is None or r["learner"] == learner]
                rows = from_rows(salvaged)
                notes.append(f"{path} is damaged ({exc}); the {len(salvaged)} attempts that can still be "
                             "read are shown. The next quiz check will move it aside and keep those "
                             "attempts.")
            if version > SCHEMA_VERSION:
                notes.append(f"{path} was written by a newer tmvlearn (schema version {version}); only the "
                             "columns this version knows are shown. Update tmvlearn to see everything.")
            wal = path.with_name(path.name + "-wal")
            if "immutable" in options and wal.exists() and wal.stat().st_size > 0:
                notes.append(f"{wal} could not be read in this read-only folder, so the latest attempts "
                             "may be missing.")
            return rows, f"{path} ({how})"
        except sqlite3.DatabaseError as exc:
            last = exc
            if proves_corrupt(exc):
                notes.append(f"{path} is damaged ({exc}) and nothing in it can be read; the next quiz "
                             "check will move it aside and start a new one.")
                return from_rows([]), f"{path} (damaged)"
        finally:
            if conn is not None:
                conn.close()
    notes.append(f"{path} cannot be read: {describe_fault(last, path) if last else 'unknown error'}.")
    return from_rows([]), f"{path} (unreadable)"


def attempts_frame(rows: list[dict[str, Any]]):
    import pandas as pd

    frame = pd.DataFrame([[r.get(c, DEFAULTS.get(c)) for c in COLUMNS] for r in rows], columns=COLUMNS)
    frame = frame.sort_values("time", kind="stable").reset_index(drop=True) if len(frame) else frame
    frame["score"] = frame["score"].astype("float64")
    frame["correct"] = frame["correct"].astype(bool)
    frame["take"] = frame["take"].astype("Int64")
    for col in ("learner", "lesson", "question_id", "response", "time", "mode", "kind"):
        frame[col] = frame[col].astype("string")
    return frame


# --- the summary and exports --------------------------------------------------------------------

# The store sits below the quiz and never imports it: the quiz, when imported, says how a lesson's
# questions (and exercises) are found. Until then (tmvlearn.progress alone) a lesson counts the
# questions answered (and the exercises checked).
_lesson_questions: Callable[[str], list[str]] | None = None
_lesson_exercises: Callable[[str], list[str]] | None = None


def use_lesson_questions(lookup: Callable[[str], list[str]],
                         exercises: Callable[[str], list[str]] | None = None) -> None:
    """Have summaries count a lesson's questions with ``lookup(lesson)``: the ids of its bank's quiz
    questions, raising when the bank cannot be loaded; and its code exercises with
    ``exercises(lesson)`` (the ids of its bank's exercises). :mod:`tmvlearn.quiz` does so when imported."""
    global _lesson_questions, _lesson_exercises
    _lesson_questions = lookup
    if exercises is not None:
        _lesson_exercises = exercises


def _ids(lookup: Callable[[str], list[str]] | None, lesson: str) -> list[str] | None:
    """``lookup(lesson)``, or None when there is no lookup or the bank cannot be loaded."""
    if lookup is None:
        return None
    try:
        return lookup(lesson)
    except Exception:  # an unknown lesson, a damaged bank: count what is there
        return None


def _question_ids(lesson: str) -> list[str] | None:
    """The ids of the lesson bank's quiz questions, or None when the bank cannot be loaded."""
    return _ids(_lesson_questions, lesson)


def _exercise_ids(lesson: str) -> list[str] | None:
    """The ids of the lesson bank's code exercises, or None when the bank cannot be loaded."""
    return _ids(_lesson_exercises, lesson)


def summarize(frame, by_learner: bool = False):
    """Per (learner and) lesson, quiz figures from graded quiz answers only (``kind == "answer"``,
    not exercises, reveals or flashcards):

    ``questions_answered`` of ``questions_total`` (the lesson bank's question count; the questions
    answered when the bank cannot be loaded), ``questions_correct`` (answered right at least once),
    ``first_score`` (mean over the answered questions of each one's first attempt),
    ``best_score`` (mean of each one's best), ``attempts`` (graded quiz answers); then the code
    exercises, apart from any score: ``exercises_passed`` of ``exercises_total`` (exercises whose
    check passed at least once, of the bank's exercises; of those checked when the bank cannot be
    loaded) and ``solutions_revealed`` (exercises whose worked solution was shown);
    ``last_activity`` (the latest quiz answer, exercise check or reveal); and, where any test was
    taken, ``test_first_score``: the first completed take in test mode, as a fraction of the
    lesson's questions. A lesson is listed once anything of it was answered, checked or revealed.
    """
    import pandas as pd

    keys = ["learner", "lesson"] if by_learner else ["lesson"]
    counts = ["questions_answered", "questions_total", "questions_correct", "first_score", "best_score",
              "attempts", "exercises_passed", "exercises_total", "solutions_revealed"]
    columns = keys + counts + ["last_activity"]
    rows = frame[frame["mode"] != "flashcard"] if len(frame) else frame
    rows = rows[rows["kind"].isin(("answer", "reveal"))] if len(rows) else rows
    if rows.empty:
        out = pd.DataFrame({c: pd.Series(dtype="string" if c in keys + ["last_activity"] else "Int64")
                            for c in columns})
        for col in ("first_score", "best_score"):
            out[col] = out[col].astype("float64")
        return out
    ordered = rows.reset_index(drop=True)  # oldest first, as read
    lessons = ordered["lesson"].unique()
    banks = {lesson: _question_ids(lesson) for lesson in lessons}
    exercise_banks = {lesson: _exercise_ids(lesson) for lesson in lessons}
    records = []
    for key, group in ordered.groupby(keys, sort=True, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        lesson = key[-1]
        ids = banks.get(lesson)
        answers = group[group["kind"] == "answer"]
        quiz = answers[answers["mode"] != "exercise"]
        attempts = len(quiz)
        if ids is not None:
            quiz = quiz[quiz["question_id"].isin(ids)]
        per_q = quiz.groupby("question_id", sort=False, observed=True)["score"]
        answered = int(quiz["question_id"].nunique())
        total = len(ids) if ids is not None else answered
        exercise_ids = exercise_banks.get(lesson)
        exercise_rows = group[group["mode"] == "exercise"]
        if exercise_ids is not None:
            exercise_rows = exercise_rows[exercise_rows["question_id"].isin(exercise_ids)]
        checks = exercise_rows[exercise_rows["kind"] == "answer"]
        record = dict(zip(keys, key, strict=True))
        record.update(
            questions_answered=answered, questions_total=total,
            questions_correct=int(quiz.groupby("question_id", observed=True)["correct"].any().sum()),
            first_score=float(per_q.first().mean()) if answered else math.nan,
            best_score=float(per_q.max().mean()) if answered else math.nan,
            attempts=attempts,
            exercises_passed=int(checks.loc[checks["correct"].astype(bool), "question_id"].nunique()),
            exercises_total=(len(exercise_ids) if exercise_ids is not None
                             else int(checks["question_id"].nunique())),
            solutions_revealed=int(exercise_rows.loc[exercise_rows["kind"] == "reveal",
                                                     "question_id"].nunique()),
            last_activity=group["time"].max(),
        )
        tests = quiz[quiz["mode"] == "test"]
        if len(tests):
            first_take = tests[tests["take"] == tests["take"].min()]
            scores = first_take.groupby("question_id", sort=False, observed=True)["score"].first()
            record["test_first_score"] = float(scores.sum()) / (total or len(scores))
        records.append(record)
    out = pd.DataFrame(records)
    if "test_first_score" in out:
        columns.append("test_first_score")
    out = out[columns]
    for col in counts:
        if col not in ("first_score", "best_score"):
            out[col] = out[col].astype("Int64")
    for col in ("first_score", "best_score", "test_first_score"):
        if col in out:
            out[col] = out[col].astype("float64").round(3)
    for col in keys + ["last_activity"]:
        out[col] = out[col].astype("string")
    return out.reset_index(drop=True)


def write_export(path: str | Path, read: Callable[[], Reading], *, learner: str | None,
                 all_learners: bool, force: bool) -> Path:
    """Write what ``read()`` finds to ``path`` (see :func:`tmvlearn.progress.export_progress`); the
    path is checked before anything is read."""
    from tmvlearn._files import write_atomically

    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise ProgressError(f"cannot write {path}: it is a folder; give a file name inside it, such as "
                            f"{path / 'progress.csv'}")
    if suffix not in (".csv", ".json"):
        raise ProgressError(f"cannot export to {path.name!r}: use a file name ending in .csv or .json")
    reading = read()
    frame = reading.attempts
    if suffix == ".csv":
        text = frame.to_csv(index=False)
    else:
        summary = summarize(frame, by_learner=all_learners)
        payload = {
            "learner": None if all_learners else (learner or default_learner()),
            "summary": json.loads(summary.to_json(orient="records")),
            "attempts": json.loads(frame.to_json(orient="records")),
        }
        for row in payload["attempts"]:
            row["response"] = json.loads(row["response"])
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    return write_atomically(path, text, force=force, error=ProgressError)

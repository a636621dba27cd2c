"""Code-exercise completion per learner and lesson: passed of the lesson's exercises, apart from scores.

A code exercise's check is kept as ``mode == "exercise"``, ``kind == "answer"`` (``correct`` 1 when it
passed); a worked solution shown on request as ``mode == "exercise"``, ``kind == "reveal"``. Only
the exercises of a lesson's bank count (an id its bank does not list is left out), and only lessons
with a loadable bank. An exercise is **passed** when any of the learner's checks of it passed; it is
never a quiz score: the gradebook's scores, the first attempts and the item analysis
(:mod:`tmvlearn.results.analysis`) leave every exercise row out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["EXERCISES_RULE", "exercise_completion", "exercise_lessons"]

EXERCISES_RULE = (
    "code exercises: passed = the learner's check of the exercise passed at least once, of the lesson's "
    "exercises; solutions shown = worked solutions revealed; never part of a quiz score"
)
COLUMNS = ["learner", "lesson", "exercises_checked", "exercises_passed", "exercises_total",
           "solutions_revealed"]


def _exercise_rows(frame: pd.DataFrame, banks: dict[str, Any]) -> pd.DataFrame:
    """The exercise checks and reveals of ``frame`` to exercises of their lesson's bank."""
    rows = frame[(frame["mode"] == "exercise").to_numpy()]
    if rows.empty:
        return rows
    lessons = rows["lesson"].astype(str).to_numpy()
    ids = rows["question_id"].astype(str).to_numpy()
    known = {lesson: {q.id for q in getattr(bank, "exercises", [])} for lesson, bank in banks.items()}
    keep = np.fromiter((qid in known.get(lesson, ()) for lesson, qid in zip(lessons, ids, strict=True)),
                       dtype=bool, count=len(rows))
    return rows[keep]


def exercise_lessons(frame: pd.DataFrame, banks: dict[str, Any]) -> list[str]:
    """The lessons (with a bank) in which someone checked an exercise or revealed its solution."""
    rows = _exercise_rows(frame, banks)
    return sorted(map(str, rows["lesson"].astype(str).unique())) if len(rows) else []


def exercise_completion(frame: pd.DataFrame, banks: dict[str, Any], learners: list[str],
                        lessons: list[str]) -> pd.DataFrame:
    """One row per learner (of ``learners``) and lesson (of ``lessons``): ``exercises_checked`` (checked
    at least once, passed or not), ``exercises_passed`` of ``exercises_total`` (the lesson bank's
    exercises; 0 without a bank) and ``solutions_revealed``."""
    rows = _exercise_rows(frame, banks)
    checked: dict[tuple[str, str], int] = {}
    passed: dict[tuple[str, str], int] = {}
    revealed: dict[tuple[str, str], int] = {}
    if len(rows):
        plain = pd.DataFrame({"learner": rows["learner"].astype(str).to_numpy(),
                              "lesson": rows["lesson"].astype(str).to_numpy(),
                              "question_id": rows["question_id"].astype(str).to_numpy(),
                              "kind": rows["kind"].astype(str).to_numpy(),
                              "correct": rows["correct"].astype(bool).to_numpy()})
        checks = plain[plain["kind"] == "answer"]
        checked = checks.groupby(["learner", "lesson"])["question_id"].nunique().to_dict()
        good = checks[checks["correct"]]
        passed = good.groupby(["learner", "lesson"])["question_id"].nunique().to_dict()
        shown = plain[plain["kind"] == "reveal"]
        revealed = shown.groupby(["learner", "lesson"])["question_id"].nunique().to_dict()
    totals = {lesson: len(getattr(banks.get(lesson), "exercises", []) or []) for lesson in lessons}
    out = pd.DataFrame(
        [(name, lesson, int(checked.get((name, lesson), 0)), int(passed.get((name, lesson), 0)),
          totals[lesson], int(revealed.get((name, lesson), 0))) for name in learners for lesson in lessons],
        columns=COLUMNS,
    )
    for col in COLUMNS[2:]:
        out[col] = out[col].astype("int64")
    return out

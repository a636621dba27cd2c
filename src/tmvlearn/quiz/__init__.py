"""The quiz engine: question banks, grading, interactive and static quizzes, progress.

>>> from tmvlearn import quiz
>>> q = quiz.load_bank("01_biogenesis")["bio-ca-scramblase"]
>>> q.check(False).correct
True
>>> quiz.show("01_biogenesis")                      # doctest: +SKIP  (the widget)
>>> quiz.key("01_biogenesis")                       # doctest: +SKIP  (instructors)
>>> quiz.progress()                                 # doctest: +SKIP  (per-lesson summary)
>>> quiz.mastery()                                  # doctest: +SKIP  (status per learning objective)

Grading is pure Python (:mod:`.questions`); banks are YAML files checked by
:mod:`.bank`; the widget (:mod:`.display`) and static renderer (:mod:`.render`)
sit on top; :mod:`tmvlearn.progress` keeps attempts in SQLite (its functions are
re-exported here); :mod:`.lms` exports banks to Moodle (GIFT, Moodle XML) and Canvas (QTI)
and imports GIFT and jupyterquiz JSON, all through one neutral form (:mod:`.exchange`) that
the format modules (:mod:`.formats`) write and read; :mod:`.review_quiz` asks the questions
due for review (``due()``, ``review()``) on the schedule of :mod:`tmvlearn.scheduler`;
:mod:`.objective_mastery` says where a learner stands on each learning objective (``mastery()``,
``objective_status(lesson)``).
Importing this package does not import
ipywidgets.
"""

from tmvlearn.progress import (
    ProgressStore,
    ProgressWarning,
    attempts,
    export_progress,
    progress,
    record_attempt,
    use_lesson_questions,
)
from tmvlearn.quiz.bank import Bank, BankError, Problem, lesson_ids, load_bank, validate_files
from tmvlearn.quiz.display import AnswerKey, Quiz, key, objectives, show
from tmvlearn.quiz.exercises import ExerciseCheck, Solution, check_exercise, solution
from tmvlearn.quiz.lms import (
    Converted,
    JupyterQuizError,
    export_banks,
    from_jupyterquiz,
    import_gift,
    import_jupyterquiz,
    to_jupyterquiz,
    write_bank,
)
from tmvlearn.quiz.objective_mastery import ObjectiveStatus, mastery, objective_status
from tmvlearn.quiz.questions import QUESTION_TYPES, Question, Result
from tmvlearn.quiz.review_quiz import due, review

# Progress summaries count each lesson's questions and exercises in its bank (the store knows no banks).
use_lesson_questions(lambda lesson: [q.id for q in load_bank(lesson).questions],
                     exercises=lambda lesson: [q.id for q in load_bank(lesson).exercises])

__all__ = [
    "AnswerKey",
    "Bank",
    "BankError",
    "Converted",
    "ExerciseCheck",
    "JupyterQuizError",
    "ObjectiveStatus",
    "Problem",
    "ProgressStore",
    "ProgressWarning",
    "QUESTION_TYPES",
    "Question",
    "Quiz",
    "Result",
    "Solution",
    "attempts",
    "check_exercise",
    "due",
    "export_banks",
    "export_progress",
    "from_jupyterquiz",
    "import_gift",
    "import_jupyterquiz",
    "key",
    "lesson_ids",
    "load_bank",
    "mastery",
    "objective_status",
    "objectives",
    "progress",
    "record_attempt",
    "review",
    "show",
    "solution",
    "to_jupyterquiz",
    "validate_files",
    "write_bank",
]

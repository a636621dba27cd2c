"""Kept progress: every checked answer, in a SQLite file in the user's data folder.

>>> from tmvlearn import progress
>>> progress.record_attempt(question, response)     # doctest: +SKIP  (grade and keep an attempt)
>>> progress.progress()                             # doctest: +SKIP  (per-lesson summary, read-only)
>>> progress.export_progress("mine.csv")            # doctest: +SKIP

The file is ``progress.sqlite3`` in ``$TMVLEARN_HOME`` when set, otherwise in
``platformdirs.user_data_dir("tmvlearn")``. It is opened lazily, the first time something is
recorded; reading (:func:`progress`, :func:`attempts`, ``tmvlearn progress``) opens it read-only and
never creates, migrates or repairs it. Nothing a learner did is discarded: a file is moved aside
only when SQLite proves it damaged, after its readable rows are copied out; every other fault keeps
the attempt in a pending journal (or in memory) and says where.

One module per concern, none of them needed from outside this package:

- :mod:`.database`: where the file is, its tables, schema versions and migrations, opening it for writing;
- :mod:`.store`: :class:`ProgressStore` (record, read, summary) and the session's store;
- :mod:`.journal`: the pending journal and the spare file descriptor;
- :mod:`.salvage`: damaged files, read as far as they can be and moved aside;
- :mod:`.reading`: read-only reading, the per-lesson summary, exports;
- :mod:`.review_cache`: the review states kept beside the attempts (computed by :mod:`tmvlearn.scheduler`);
- :mod:`.rows` and :mod:`.faults`: the attempt rows' format, and SQLite's faults in words.

The quiz, the review, class results and the command line use only the names below; this package
imports none of them. Summaries count a lesson's questions in its quiz bank once :mod:`tmvlearn.quiz`
is imported (it calls :func:`use_lesson_questions`); before that, the questions answered.
"""

from tmvlearn.progress.database import FILENAME, SCHEMA_VERSION, default_learner, home_dir
from tmvlearn.progress.faults import ProgressError, ProgressWarning, describe_fault, is_locked, proves_corrupt
from tmvlearn.progress.journal import PENDING_SUFFIX
from tmvlearn.progress.reading import Reading, read_file, summarize, use_lesson_questions
from tmvlearn.progress.rows import COLUMNS, DEFAULTS, KINDS, MODES, V0_COLUMNS, clean_row, jsonable
from tmvlearn.progress.store import (
    ProgressStore,
    Saved,
    attempts,
    export_progress,
    get_store,
    progress,
    record_attempt,
)

__all__ = [
    # the store and the session's functions
    "ProgressStore",
    "Saved",
    "Reading",
    "ProgressError",
    "ProgressWarning",
    "get_store",
    "record_attempt",
    "attempts",
    "progress",
    "summarize",
    "use_lesson_questions",
    "export_progress",
    "default_learner",
    "home_dir",
    # the file's format
    "FILENAME",
    "PENDING_SUFFIX",
    "SCHEMA_VERSION",
    "V0_COLUMNS",
    "COLUMNS",
    "DEFAULTS",
    "MODES",
    "KINDS",
    # for tools that read learners' files without a store (class results)
    "read_file",
    "clean_row",
    "jsonable",
    "is_locked",
    "proves_corrupt",
    "describe_fault",
]

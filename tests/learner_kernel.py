"""A learner's kernel as a process of its own, for tests that need real concurrent writers.

A spawned process imports the module of its target: this one imports only tmvlearn's progress store
and one lesson's bank, not a test module with pytest and everything it tests.
"""

from __future__ import annotations

import os
import time


def answer_repeatedly(home: str, learner: str, lesson: str, qid: str, n: int, pause: float) -> None:
    """``n`` answers to question ``qid`` of ``lesson`` through tmvlearn's own store (record_attempt),
    cycling through its options, ``pause`` seconds apart."""
    os.environ["TMVLEARN_HOME"] = home
    os.environ["TMVLEARN_LEARNER"] = learner
    from tmvlearn.progress import record_attempt
    from tmvlearn.quiz.bank import load_questions

    _, questions = load_questions(lesson)
    question = next(q for q in questions if q.id == qid)
    options = list(question.options)
    for i in range(n):
        record_attempt(question, options[i % len(options)])
        time.sleep(pause)

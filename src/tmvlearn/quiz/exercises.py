"""Checking the hands-on code exercises of a lesson.

An exercise's answer lives in the lesson's bank (its ``exercises`` list, in the same format as
quiz questions), so lessons never hard-code it. Checking an exercise is practice: nothing is
recorded, so headless runs of a lesson (nbval, papermill) leave no trace.
"""

from __future__ import annotations

import html

from tmvlearn.quiz.bank import load_bank
from tmvlearn.quiz.questions import Question, Result
from tmvlearn.quiz.render import inline_html

__all__ = ["ExerciseCheck", "check_exercise"]

NOT_ANSWERED = (
    "Not answered yet: replace `None` in the cell above with your answer, run it, then run this cell."
)


class ExerciseCheck:
    """The verdict on an exercise answer; shows as one short line of feedback."""

    def __init__(self, question: Question, answer: object, result: Result | None):
        self.question, self.answer, self.result = question, answer, result

    @property
    def correct(self) -> bool:
        return bool(self.result and self.result.correct)

    def _message(self) -> tuple[str, str]:
        if self.result is None:
            return "…", NOT_ANSWERED
        if self.result.correct:
            return "✓", f"Correct. {self.question.explanation}".strip()
        return "✗", f"Not yet. {self.result.feedback}".strip()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        mark, text = self._message()
        status = ("answered-correct" if self.correct
                  else "unanswered" if self.result is None else "answered-wrong")
        return {
            "text/plain": f"{mark} {text}",
            "text/markdown": f"**{mark}** {text}",
            "text/html": (f'<div class="tmv-exercise tmv-exercise-{html.escape(self.question.id)} {status}">'
                          f"<strong>{mark}</strong> {inline_html(text)}</div>"),
        }

    def __repr__(self) -> str:
        return self._repr_mimebundle_()["text/plain"]


def check_exercise(lesson: str, exercise_id: str, answer: object) -> ExerciseCheck:
    """Check ``answer`` against exercise ``exercise_id`` of ``lesson``'s bank; never raises for odd answers.

    ``None`` means "not answered yet". The result displays as feedback; ``.correct`` tells the
    outcome to code.
    """
    question = load_bank(lesson).exercise(exercise_id)
    result = None if answer is None else question.check(answer)
    return ExerciseCheck(question, answer, result)

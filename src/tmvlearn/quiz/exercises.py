"""Checking the hands-on code exercises of a lesson, and showing their solutions on request.

An exercise's answer and worked solution live in the lesson's bank (its ``exercises`` list, in the
same format as quiz questions), so lessons never hard-code them. Checking an exercise is practice:
nothing is recorded, so headless runs of a lesson (nbval, papermill) leave no trace. A solution is
shown only when the learner asks for it (:func:`solution`), and that reveal is noted in progress.
"""

from __future__ import annotations

import html

from tmvlearn.quiz.bank import BankError, load_bank
from tmvlearn.quiz.markup import inline_html, markdown_to_html
from tmvlearn.quiz.questions import Question, Result
from tmvlearn.quiz.render import with_widget_view

__all__ = ["ExerciseCheck", "Solution", "check_exercise", "solution"]

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


HIDDEN = ("The worked solution is hidden: try the exercise first. In JupyterLab, press “Show solution” "
          "here to see it (that is noted in your progress).")


class Solution:
    """An exercise's worked solution behind a "Show solution" button.

    The static rendering (what nbval, papermill and handouts store) never holds the solution; the
    button shows it and records a reveal for the learner (``kind="reveal"``).
    """

    def __init__(self, question: Question, *, interactive: bool = True, learner: str | None = None,
                 record: bool = True):
        if not question.solution:
            raise BankError(f"exercise {question.id!r} of lesson {question.lesson!r} has no `solution` in "
                            "its bank: add one (Markdown, code in ``` fences) to show it here")
        self.question, self.interactive, self.learner, self.record = question, interactive, learner, record
        self.revealed = False
        self._widget = None

    def static_bundle(self) -> dict[str, str]:
        qid = html.escape(self.question.id)
        return {"text/plain": HIDDEN, "text/markdown": f"*{HIDDEN}*",
                "text/html": (f'<div class="tmv-solution-hidden tmv-solution-{qid}">'
                              f"<em>{inline_html(HIDDEN)}</em></div>")}

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, object]:
        if not self.interactive:
            return dict(self.static_bundle())
        return with_widget_view(self.static_bundle(), lambda: self.widget)

    @property
    def widget(self):
        if self._widget is None:
            import ipywidgets as w

            qid = self.question.id
            self.button = w.Button(description="Show solution", icon="eye",
                                   tooltip="Show the worked solution (noted in your progress)")
            self.button.add_class(f"tmv-show-solution-{qid}")
            self.button.on_click(lambda _b: self.reveal())
            self.output = w.HTMLMath("")
            self.output.add_class(f"tmv-solution-{qid}")
            from tmvlearn.shield import KeyboardShield

            hidden = w.HTML(f"<em>{inline_html(HIDDEN)}</em>")
            self._widget = w.VBox([KeyboardShield(".tmv-solution-box"), hidden, self.button, self.output])
            self._widget.add_class("tmv-solution-box")
        return self._widget

    def reveal(self) -> None:
        """Show the solution and note the reveal in the learner's progress (once)."""
        if self.revealed:
            return
        self.revealed = True
        _ = self.widget
        self.button.disabled = True
        self.output.value = (f"{markdown_to_html(self.question.solution)}"
                             f"<p><em>Why:</em> {inline_html(self.question.explanation)}</p>")
        if self.record:
            import warnings

            from tmvlearn.progress import ProgressWarning, record_attempt

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ProgressWarning)
                record_attempt(self.question, None, Result(False, 0.0, "solution shown"),
                               learner=self.learner, mode="exercise", kind="reveal")
            if caught:
                note = html.escape(str(caught[0].message))
                self.output.value += f'<p class="tmv-storage"><small>⚠ {note}</small></p>'

    def __repr__(self) -> str:
        return HIDDEN


def solution(lesson: str, exercise_id: str, *, interactive: bool = True, learner: str | None = None,
             record: bool = True) -> Solution:
    """A "Show solution" button for exercise ``exercise_id`` of ``lesson`` (its bank's ``solution``).

    With ``interactive=False`` (headless runs, handouts) only a line saying the solution is hidden is
    shown; instructors find every worked solution in the lesson's answer key.
    """
    return Solution(load_bank(lesson).exercise(exercise_id), interactive=interactive, learner=learner,
                    record=record)

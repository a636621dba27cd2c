"""Checking the hands-on code exercises of a lesson, and showing their solutions on request.

An exercise's answer and worked solution live in the lesson's bank (its ``exercises`` list, in the
same format as quiz questions), so lessons never hard-code them. A graded check is recorded in the
learner's progress as an attempt of its own kind (``mode="exercise"``, ``kind="answer"``, ``correct``
1 when it passed), never a quiz score (:func:`check_exercise` says which checks are kept). A
solution is shown only when the learner asks for it (:func:`solution`), and that reveal is noted in
progress (``mode="exercise"``, ``kind="reveal"``). Headless runs of a lesson (nbval, papermill,
``tmvlearn lessons run``, handouts) leave no trace: their answer cells hold ``None``, which is not
recorded, and the static solution cell never reveals.
"""

from __future__ import annotations

import html
import json

from tmvlearn.quiz.bank import BankError, load_bank
from tmvlearn.quiz.markup import inline_html, markdown_to_html
from tmvlearn.quiz.questions import Question, Result
from tmvlearn.quiz.questions.base import invalid
from tmvlearn.quiz.render import with_widget_view

__all__ = ["ExerciseCheck", "Solution", "as_answer", "check_exercise", "solution"]

NOT_ANSWERED = (
    "Not answered yet: replace `None` in the cell above with your answer, run it, then run this cell."
)


class ExerciseCheck:
    """The verdict on an exercise answer; shows as one short line of feedback."""

    def __init__(self, question: Question, answer: object, result: Result | None):
        self.question, self.answer, self.result = question, answer, result
        #: whether the check was kept in the learner's progress (False for None, a hint, a repeat)
        self.recorded = False
        #: what the learner is told when the check could not be saved as usual (a ProgressWarning)
        self.note: str | None = None

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
        note = f"\n⚠ {self.note}" if self.note else ""
        note_html = (f'<p class="tmv-storage"><small>⚠ {html.escape(self.note)}</small></p>'
                     if self.note else "")
        return {
            "text/plain": f"{mark} {text}{note}",
            "text/markdown": f"**{mark}** {text}{note}",
            "text/html": (f'<div class="tmv-exercise tmv-exercise-{html.escape(self.question.id)} {status}">'
                          f"<strong>{mark}</strong> {inline_html(text)}{note_html}</div>"),
        }

    def __repr__(self) -> str:
        return self._repr_mimebundle_()["text/plain"]


def check_exercise(lesson: str, exercise_id: str, answer: object, *, learner: str | None = None,
                   record: bool = True) -> ExerciseCheck:
    """Check ``answer`` against exercise ``exercise_id`` of ``lesson``'s bank; never raises for odd answers.

    ``None`` means "not answered yet". The natural pandas shapes of a value count as the value (see
    :func:`as_answer`); a shape that holds no single answer gets feedback naming the pandas step that
    would get one. The result displays as feedback; ``.correct`` tells the outcome to code.

    What is recorded (``record=True``, for ``learner``, default the current one, as :func:`solution`):
    each graded check, as one attempt with ``mode="exercise"``, ``kind="answer"``, score and
    ``correct`` 1 or 0 (passed or not) and the value graded as the response. Not recorded:

    - ``None`` (not answered yet): so headless runs, whose answer cells hold ``None``, leave no trace;
    - an answer that only gets a hint and no grade (a whole table, a True/False mask, a percentage
      where a fraction is wanted), as a unit hint in a quiz is not;
    - the same check again in the same session: the same answer with the same outcome as the last one
      this kernel recorded for the exercise (re-running the cell, or Run All, is not a new attempt;
      a changed answer is, and so is a check in a later session).

    Recording never breaks the lesson: a storage fault is the usual :class:`ProgressWarning`, shown
    under the feedback, and the feedback shows all the same.
    """
    question = load_bank(lesson).exercise(exercise_id)
    if answer is None:
        return ExerciseCheck(question, answer, None)
    value, hint = as_answer(answer, question.type, getattr(question, "options", []))
    if hint is None:
        hint = _percentage_hint(question, value)
    result = invalid(hint) if hint else question.check(value)
    check = ExerciseCheck(question, answer, result)
    if record and not hint:
        _record_check(check, value, learner)
    return check


# (store location, learner, lesson, exercise) -> (response as JSON, correct) of the last check recorded
_LAST_RECORDED: dict[tuple[str, str, str, str], tuple[str, bool]] = {}


def _record_check(check: ExerciseCheck, value: object, learner: str | None) -> None:
    """Keep a graded check in the learner's progress (unless it repeats the last one); never raises."""
    import warnings

    from tmvlearn.progress import ProgressWarning, default_learner, get_store, jsonable, record_attempt

    question, result = check.question, check.result
    assert result is not None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ProgressWarning)
        try:
            store = get_store()
            who = learner or default_learner()
            key = (store.location, who, question.lesson or "", question.id)
            seen = (json.dumps(jsonable(value), sort_keys=True, ensure_ascii=False), bool(result.correct))
            if _LAST_RECORDED.get(key) == seen:
                return
            record_attempt(question, value, result, learner=who, store=store, mode="exercise", kind="answer")
            _LAST_RECORDED[key] = seen
            check.recorded = True
        except Exception as exc:  # noqa: BLE001 - the feedback must show whatever storage does
            warnings.warn(f"tmvlearn: this check was not saved ({exc}).", ProgressWarning, stacklevel=2)
    if caught:  # shown under the feedback, as a revealed solution's storage trouble is
        check.note = str(caught[0].message)


_WANTED = {"numeric": "one number", "short_text": "one name or word",
           "multiple_select": "a list of names"}


def as_answer(answer: object, kind: str, options: list[str] | None = None) -> tuple[object, str | None]:
    """(the value to grade, None) for the shapes a pandas user naturally passes, or (None, a hint).

    A one-element Series, Index, array, list or tuple (``.mode()``, ``.head(1)``) is its element; a
    one-row ``value_counts()`` is its label when a name is wanted; a 1x1 DataFrame is its cell;
    numpy scalars are plain numbers; for a list of names, any sequence (a Series, ``.unique()``, a
    set) is a list, with names matched to the expected ones regardless of case. A shape that holds no
    single answer (a whole table, several values, a True/False mask) gets a hint naming the step.
    """
    wanted = _WANTED.get(kind, "one value")
    if hasattr(answer, "item") and getattr(answer, "ndim", None) == 0:  # a numpy scalar
        return answer.item(), None
    if hasattr(answer, "columns") and hasattr(answer, "shape"):  # a DataFrame
        rows, cols = answer.shape
        if rows == 1 and cols == 1:
            return as_answer(answer.iat[0, 0], kind, options)
        return None, (f"You passed a whole table (a DataFrame of {rows} rows and {cols} columns); the answer "
                      f"is {wanted}. Pick it out: a column with df['name'], then "
                      + ("len(...) to count rows, or .iloc[0] for one value." if kind == "numeric" else
                         ".tolist() for its values." if kind == "multiple_select" else
                         ".iloc[0] for one value."))
    is_series = hasattr(answer, "dtype") and hasattr(answer, "tolist")  # Series, Index or array
    if not (is_series or isinstance(answer, (list, tuple, set, frozenset))):
        return answer, None
    if str(getattr(answer, "dtype", "")) == "bool" and kind != "multiple_select":
        n = len(answer)
        return None, (f"You passed a True/False mask of {n} values; the answer is {wanted}. Count the True "
                      "ones with mask.sum(), or keep the matching rows with df[mask].")
    values = list(answer.tolist() if is_series else answer)
    if kind == "multiple_select":
        names = [v for v in values if isinstance(v, str)]
        if len(names) != len(values):
            return None, "Give the names as text, in a list such as ['A', 'B'] (a Series' .tolist() works)."
        by_case = {o.casefold(): o for o in options or []}
        return [by_case.get(" ".join(v.split()).casefold(), v) for v in values], None
    if len(values) == 1:
        label = answer.index[0] if hasattr(answer, "iloc") else None  # a Series' one label
        if kind == "short_text" and isinstance(label, str) and not isinstance(values[0], str):
            return label, None  # value_counts().head(1): the name is the label, the count the value
        return as_answer(values[0], kind, options)
    if isinstance(answer, tuple) and len(values) == 2:
        return None, (f"You passed a pair of values; this exercise asks for {wanted}: give the one it "
                      "asks for, with [0] or [1].")
    shape = "tuple" if isinstance(answer, tuple) else type(answer).__name__
    return None, (f"You passed {len(values)} values (a {shape}); the answer is {wanted}. "
                  + ("Count them with len(...), or pick one with .iloc[0] (a Series) or [0] (a list)."
                     if kind == "numeric" else "Pick one with .iloc[0] (a Series) or [0] (a list)."))


def _percentage_hint(question: Question, value: object) -> str | None:
    """A percentage given where the exercise wants a fraction (51.87 for 0.52)."""
    answer = getattr(question, "answer", None)
    if (question.type != "numeric" or not isinstance(value, (int, float)) or isinstance(value, bool)
            or not isinstance(answer, (int, float)) or not 0 < abs(answer) < 1 or abs(value) <= 1):
        return None
    if question.check(value / 100).correct:
        return (f"{value:g} looks like a percentage; this exercise wants a fraction between 0 and 1: "
                "divide by 100.")
    return None


HIDDEN = ("The worked solution is hidden: try the exercise first. In JupyterLab, press “Show solution” "
          "here to see it (that is noted in your progress).")
SHOWN = "Solution shown (noted in your progress)."


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

            self.note = w.HTML(f"<em>{inline_html(HIDDEN)}</em>")  # says SHOWN once revealed
            self.note.add_class("tmv-solution-note")
            self._widget = w.VBox([KeyboardShield(".tmv-solution-box"), self.note, self.button, self.output])
            self._widget.add_class("tmv-solution-box")
        return self._widget

    def reveal(self) -> None:
        """Show the solution and note the reveal in the learner's progress (once)."""
        if self.revealed:
            return
        self.revealed = True
        _ = self.widget
        self.button.disabled = True
        self.note.value = f"<em>{SHOWN if self.record else 'Solution shown.'}</em>"
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

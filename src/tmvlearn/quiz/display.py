"""``show()``: the interactive quiz (ipywidgets) with a static fallback; ``key()``.

The object ``show`` returns displays as the ipywidgets view where a widget
front end runs (JupyterLab) and as a static, answer-free rendering elsewhere
(nbconvert, GitHub, nbviewer): its mimebundle carries both. Answers live only
in Python: no widget value or hidden HTML holds them, and feedback appears
only after the learner checks an answer.
"""

from __future__ import annotations

import html
import warnings
from typing import Any

from tmvlearn.lessons import QUIZ_MODES
from tmvlearn.quiz.bank import load_questions
from tmvlearn.quiz.markup import escape, inline_html, markdown_to_html
from tmvlearn.quiz.questions import Question, Result
from tmvlearn.quiz.render import display_options, render_key, render_student, with_widget_view

__all__ = ["Quiz", "AnswerKey", "Objectives", "show", "key", "objectives"]

# Long option texts wrap instead of overlapping (ipywidgets gives each radio label a fixed height).
_QUIZ_CSS = (".tmv-quiz .widget-radio-box label, .tmv-quiz .widget-checkbox label "
             "{height: auto; min-height: var(--jp-widgets-inline-height); line-height: 1.35; "
             "white-space: normal; align-items: flex-start; padding: 2px 0;} "
             ".tmv-quiz .widget-radio-box label input {margin-top: 3px;} "
             # A checked (locked) answer box or dropdown reads as the learner's answer, not as a greyed
             # placeholder: full opacity and the body text colour (contrast far above 4.5:1), a dashed
             # border and a tinted background saying it is locked.
             ".tmv-quiz .jupyter-widget-text input:disabled, .tmv-quiz .widget-text input:disabled, "
             ".tmv-quiz .jupyter-widget-dropdown > select:disabled, "
             ".tmv-quiz .widget-dropdown > select:disabled "
             "{opacity: 1; color: var(--jp-ui-font-color0, #000); -webkit-text-fill-color: "
             "var(--jp-ui-font-color0, #000); background-color: var(--jp-layout-color2, #eee); "
             "border-style: dashed;}")


class AnswerKey:
    """The instructor's answer key: displays as HTML, Markdown or text."""

    def __init__(self, title: str, questions: list[Question], objectives: dict[str, str] | None = None,
                 *, shuffle: bool = True, seed: int = 0):
        self.title, self.questions, self.objectives = title, questions, objectives or {}
        self.shuffle, self.seed = shuffle, seed

    def bundle(self) -> dict[str, str]:
        """The key as ``text/html``, ``text/markdown`` and ``text/plain``."""
        return render_key(self.title, self.questions, self.objectives, shuffle=self.shuffle, seed=self.seed)

    def to_html(self) -> str:
        return self.bundle()["text/html"]

    def to_markdown(self) -> str:
        return self.bundle()["text/markdown"]

    def to_text(self) -> str:
        return self.bundle()["text/plain"]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return self.bundle()

    def __str__(self) -> str:
        return self.to_text()


class Objectives:
    """A lesson's learning objectives, as a numbered list (from its bank)."""

    def __init__(self, title: str, items: dict[str, str]):
        self.title, self.items = title, items

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        md = "\n".join(f"{i}. {text}" for i, text in enumerate(self.items.values(), 1))
        lis = "".join(f"<li>{inline_html(text)}</li>" for text in self.items.values())
        return {"text/markdown": md, "text/plain": md,
                "text/html": f'<ol class="tmv-objectives">{lis}</ol>'}


def objectives(lesson: str) -> Objectives:
    """The learning objectives of ``lesson``, kept in its question bank, for display."""
    from tmvlearn.quiz.bank import load_bank

    bank = load_bank(lesson)
    return Objectives(bank.title, bank.objectives)


def key(lesson_or_ids: Any, *, seed: int = 0, shuffle: bool = True) -> AnswerKey:
    """The answer key (answers, explanations, sources) for a lesson or questions: for instructors.

    It follows the student sheet printed with the same ``seed`` (the lesson's SEED) and ``shuffle``:
    options, matching choices and ordering steps in that sheet's order, answers by its letters."""
    from pathlib import Path

    from tmvlearn.quiz.bank import Bank, load_bank

    if isinstance(lesson_or_ids, (str, Path)):
        lesson_or_ids = load_bank(lesson_or_ids)
    if isinstance(lesson_or_ids, Bank):  # a whole lesson: its quiz, then its exercises
        bank = lesson_or_ids
        return AnswerKey(bank.title, bank.questions + bank.exercises, bank.objectives, shuffle=shuffle,
                         seed=seed)
    title, questions = load_questions(lesson_or_ids)
    return AnswerKey(title, questions, shuffle=shuffle, seed=seed)


def show(lesson_or_ids: Any, *, mode: str = "practice", shuffle: bool = True, seed: int = 0,
         interactive: bool = True, learner: str | None = None, record: bool = True,
         variant_seed: Any = None, title: str | None = None, restore: bool | None = None) -> Quiz:
    """A quiz on a lesson (``"01_biogenesis"``), a bank file, or a list of question ids.

    ``title``: the quiz's heading (default: the bank's title, or "Quiz" for a list of ids).

    ``mode="practice"`` gives feedback at each check; ``mode="test"`` gives it
    all at the end (a Finish button): the first completed take is the test score, later ones
    are recorded as retakes. Options are shuffled (``shuffle=False`` keeps the bank's order): the
    printed copy by ``seed``, the widget by ``seed`` and the learner, so each learner sees one
    fixed order. With ``interactive=False`` only the static rendering is shown.
    Checked answers are recorded for ``learner`` (default: ``$TMVLEARN_LEARNER``
    or the user name) unless ``record=False``. Questions whose numbers vary (a bank ``variant``) get
    values drawn from ``seed``, the learner and ``variant_seed`` (a review passes its own, for fresh
    numbers each time) in the widget; the printed copy shows their worked variant.

    ``restore`` (default: for a lesson or a bank, not for a list of questions): the widget marks the
    questions this learner answered before, with their latest answers, and its score counts them
    (the rules are in :mod:`tmvlearn.quiz.earlier`).
    """
    if mode not in QUIZ_MODES:
        raise ValueError(f"mode must be 'practice' or 'test', not {mode!r}")
    bank_title, questions = load_questions(lesson_or_ids)
    if restore is None:
        restore = not isinstance(lesson_or_ids, (list, tuple, Question))
    return Quiz(title or bank_title, questions, mode=mode, shuffle=shuffle, seed=seed,
                interactive=interactive, learner=learner, record=record, variant_seed=variant_seed,
                restore=restore)


class Quiz:
    """A displayable quiz. ``.widget`` is the ipywidgets view (built on first use)."""

    def __init__(self, title: str, questions: list[Question], *, mode: str = "practice",
                 shuffle: bool = True, seed: int = 0, interactive: bool = True, learner: str | None = None,
                 record: bool = True, variant_seed: Any = None, restore: bool = False):
        self.title, self.questions = title, list(questions)
        #: mark the questions answered before (from the learner's progress) when the widget is built
        self.restore = restore
        self.restored: list[str] = []  # the ids of the questions marked as answered before
        self._variant_seed = variant_seed
        self.mode, self.shuffle, self.seed = mode, shuffle, seed
        self.interactive, self.learner, self.record = interactive, learner, record
        self.results: dict[str, Result] = {}
        self.take = 0  # test mode: which completed take this is (1 = the one that counts)
        self._finished = False
        self._confirming = False
        self._widget = None
        self._panels: list[_Panel] = []

    @property
    def widget_seed(self) -> str:
        """The widget's shuffle seed: the lesson's SEED and the learner, so each learner's order is fixed."""
        from tmvlearn.progress import default_learner

        return f"{self.seed}:{self.learner or default_learner()}"

    @property
    def variant_seed(self) -> str:
        """The seed of the widget's fresh numbers: :attr:`widget_seed`, and the ``variant_seed`` given
        (a review's counter); each question mixes in its id (see tmvlearn.quiz.variants)."""
        extra = "" if self._variant_seed is None else f":{self._variant_seed}"
        return f"{self.widget_seed}{extra}"

    # -- display ---------------------------------------------------------------
    def static_bundle(self) -> dict[str, str]:
        return render_student(self.title, self.questions, shuffle=self.shuffle, seed=self.seed)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        if not self.interactive:
            return dict(self.static_bundle())
        return with_widget_view(self.static_bundle(), lambda: self.widget)

    def __repr__(self) -> str:
        return f"<tmvlearn Quiz {self.title!r}: {len(self.questions)} questions, {self.mode} mode>"

    # -- the widget ------------------------------------------------------------
    @property
    def widget(self):
        if self._widget is None:
            self._widget = self._build()
        return self._widget

    def _build(self):
        from tmvlearn.quiz.widget_kit import WidgetKit
        from tmvlearn.shield import KeyboardShield

        self._kit = w = WidgetKit()  # the quiz's widgets share their layout and style models
        self._panels = [_Panel(self, i, q) for i, q in enumerate(self.questions, 1)]
        self._earlier = done = self._earlier_attempts()  # read once, for the marks and the line below
        if self.restore and self.record:
            self._restore_earlier(done)
        self.score_label = w.HTML(self._score_text())
        self.score_label.add_class("tmv-score")
        self.kept_label = w.HTML(self._kept_text())
        self.kept_label.add_class("tmv-kept")
        self.shield = KeyboardShield(".tmv-quiz", on_action=self._front_end_action, layout=w.Layout())
        children = [self.shield,
                    w.HTML(f"<style>{_QUIZ_CSS}</style><h3>{html.escape(self.title)}</h3>"
                           + getattr(self, "intro_html", "")), self.score_label, self.kept_label]
        children += [p.box for p in self._panels]
        if self.mode == "test":
            self.finish_button = w.Button(description="Finish", button_style="primary",
                                          tooltip="Hand in: grade every answer and show the feedback")
            self.finish_button.add_class("tmv-finish")
            self.finish_button.on_click(lambda _b: after_inputs(self.finish))
            self.restart_button = w.Button(description="Start again", disabled=True,
                                           tooltip="Clear every answer and take the quiz again (a retake)")
            self.restart_button.add_class("tmv-restart")
            self.restart_button.on_click(lambda _b: self.restart())
            self.status = w.HTML("")
            self.status.add_class("tmv-status")
            if self._finished:  # a take handed in before, restored: its score next to Finish too
                self.finish_button.disabled, self.restart_button.disabled = True, False
                self.status.value = self._score_text()
            children += [w.HBox([self.finish_button, self.restart_button]), self.status]
        box = w.VBox(children)
        box.add_class("tmv-quiz")
        box.add_class(f"tmv-mode-{self.mode}")
        return box

    def _front_end_action(self, content: dict) -> None:
        """Check or Finish pressed in the browser, with what the answer controls showed then."""
        values = content.get("values")
        by_id = {p.q.id: p for p in self._panels}
        if isinstance(values, dict):
            for qid, shown in values.items():
                if qid in by_id and not by_id[qid].is_locked():
                    by_id[qid].show_values(shown)
        if content.get("action") == "check" and content.get("question") in by_id:
            by_id[content["question"]].check()
        elif content.get("action") == "finish" and self.mode == "test":
            self.finish()

    def _score_text(self) -> str:
        n = len(self.questions)
        done = len(self.results)
        total = sum(r.score for r in self.results.values())
        right = sum(r.correct for r in self.results.values())
        if self.mode == "test" and not self._finished:
            return f"<p><strong>Test mode:</strong> answer all {n} questions, then press Finish.</p>"
        if self.mode == "test":
            which = ("your first take: this is your test score" if self.take <= 1 else
                     f"take {self.take}, recorded as a retake; your first take stays your test score")
            return (f'<p role="status"><strong>Score: {total:g} / {n}</strong> '
                    f"({right} correct, {done} of {n} answered; {which})</p>")
        return (f'<p role="status"><strong>Score: {total:g} / {n}</strong> '
                f"({right} correct, {done} of {n} checked)</p>")

    def _earlier_attempts(self):
        """The learner's attempts, read-only, when this quiz records (None: they cannot be read)."""
        if not self.questions:
            return None
        from tmvlearn.quiz.earlier import read_attempts

        return read_attempts(self.learner)

    def _restore_earlier(self, done) -> None:
        """Mark each question answered before with its latest answer, and count it in the score
        (:mod:`tmvlearn.quiz.earlier`); test mode: the latest take, as handed in."""
        from tmvlearn.quiz.earlier import latest_answers

        try:
            earlier, take = latest_answers(done, [q.id for q in self.questions], self.mode)
        except Exception:  # odd rows in a progress file never stop the quiz: it starts fresh
            return
        if not earlier:
            return
        if self.mode == "test":
            self.take, self._finished = take, True
        for panel in self._panels:
            if panel.q.id in earlier:
                try:
                    panel.restore(earlier[panel.q.id])
                    self.restored.append(panel.q.id)
                except Exception:  # this one stays fresh (a test take shows it as not attempted)
                    self.results.pop(panel.q.id, None)
                    if self.mode == "test":
                        panel.set_locked(True)
                        panel.feedback.value = NOT_ATTEMPTED
            elif self.mode == "test":
                panel.set_locked(True)
                panel.feedback.value = NOT_ATTEMPTED

    def _kept_text(self) -> str:
        """The widget's line under the score: what the learner's progress already holds for these
        questions (answered before this view was built), read-only; "" when nothing is kept. Never in
        the static rendering, which stays the same for everyone."""
        if not self.questions:
            return ""
        see = "see <code>quiz.progress()</code>"
        done = self.__dict__.get("_earlier", False)  # read when the widget was built
        if done is False:
            done = self._earlier_attempts()
        if done is None:
            return f"<p><small>Earlier answers could not be read ({see}).</small></p>"
        ids = {q.id for q in self.questions}
        mine = done[(done["kind"] == "answer") & done["mode"].isin(["practice", "test"])
                    & done["question_id"].isin(ids)] if len(done) else done
        if mine.empty:
            source = str(done.attrs.get("source", ""))
            if source.endswith(("(a folder)", "(damaged)", "(unreadable)")):
                return f"<p><small>Earlier answers could not be read ({see}).</small></p>"
            return ""
        firsts = mine.groupby("question_id", sort=False, observed=True)["correct"].first()
        n = len(self.questions)
        marked = ""
        if self.restored and self.mode == "test":
            marked = (f"; your take {self.take} is shown as handed in (“Start again” for a retake)")
        elif self.restored:
            marked = "; each is marked below with your latest answer, which the score counts"
        return (f"<p><small>Kept from before: {len(firsts)} of {n} answered, {int(firsts.sum())} right "
                f"first time{marked} ({see}).</small></p>")

    def _update_score(self) -> None:
        if self._widget is not None:
            self.score_label.value = self._score_text()

    def _grade(self, question: Question, response: Any) -> Result:
        result = question.check(response)
        if result.details.get("invalid"):  # nothing to grade yet: no score, no record
            return result
        self.results[question.id] = result
        self.storage_warnings: list[str] = []
        if self.record:
            from tmvlearn.progress import record_attempt

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                values = question.variant_values  # fresh numbers: keep which ones the learner saw
                kept = response if values is None else {"response": response, "values": values}
                record_attempt(question, kept, result, learner=self.learner, mode=self.mode,
                               take=max(self.take, 1))
            self.storage_warnings = [str(c.message) for c in caught]
        return result

    def unanswered(self) -> list[int]:
        """Numbers of the questions whose inputs hold nothing gradable yet."""
        return [p.number for p in self._panels if p.q.check(p.response()).details.get("invalid")]

    def finish(self) -> None:
        """Test mode: hand in. With questions unanswered, the first press asks to confirm and names
        them; then every answered question is graded and recorded, with its explanation, and every
        unanswered one is shown as not attempted."""
        if self._finished:
            return  # a second click on Finish: already handed in
        missing = self.unanswered()
        if missing and not self._confirming:
            self._confirming = True
            listed = ("question " if len(missing) == 1 else "questions ") + ", ".join(map(str, missing))
            self.status.value = (f'<p class="tmv-confirm"><strong>{len(missing)} of {len(self._panels)} '
                                 f"questions not answered yet: {listed}.</strong> Answer them, or press "
                                 "“Finish anyway” to hand in; an unanswered question scores 0.</p>")
            self.finish_button.description = "Finish anyway"
            return
        self.take = self._next_take()
        self._finished, self._confirming = True, False
        for panel in self._panels:
            panel.hand_in()
        self.finish_button.disabled = True
        self.finish_button.description = "Finish"
        self.restart_button.disabled = False
        self._update_score()
        # the score also next to Finish, where the learner is, and the focus on it (the focused
        # Finish button is disabled now; the browser would drop the focus to the page)
        self.status.value = self._score_text()
        if getattr(self, "shield", None) is not None:
            self.shield.focus_on(".tmv-status")

    def _next_take(self) -> int:
        """1 for this learner's first completed take of these questions in test mode, then 2, 3..."""
        if not self.record:
            return self.take + 1
        try:
            from tmvlearn.progress import attempts

            done = attempts(self.learner)
            ids = {q.id for q in self.questions}
            taken = done[(done["mode"] == "test") & done["question_id"].isin(ids)]
            return int(taken["take"].max()) + 1 if len(taken) else 1
        except Exception:  # progress cannot be read: count the takes of this session
            return self.take + 1

    def restart(self) -> None:
        """Test mode: clear every answer for a retake (recorded as one)."""
        self._finished = self._confirming = False
        self.results.clear()
        for panel in self._panels:
            panel.reset(focus=False, clear=True)
        if self._panels:  # the focused Start again button is disabled now: go to question 1
            self._panels[0].focus()
        self.finish_button.disabled = False
        self.restart_button.disabled = True
        self.status.value = ""
        if self.restored:  # the take shown from before is cleared: the line under the score says so
            self.restored = []
            self.kept_label.value = self._kept_text()
        self._update_score()


class _Panel:
    """One question in the widget: prompt, input, check/retry buttons, feedback."""

    def __init__(self, quiz: Quiz, number: int, question: Question):
        w = quiz._kit  # ipywidgets, sharing layouts and styles
        self.quiz, self.q, self.number = quiz, question.instantiate(quiz.variant_seed), number
        question = self.q  # with its numbers drawn, when they vary
        qid = question.id
        self.options = display_options(question, quiz.shuffle, quiz.widget_seed)
        self.graded: Result | None = None
        line = question.instruction_line()
        label = getattr(quiz, "labels", {}).get(qid, "")  # a review: the question's lesson and source
        prompt = w.HTMLMath(f"{label}<strong>Question {number}.</strong> {markdown_to_html(question.prompt)}"
                            + (f'<p class="tmv-instruction"><em>{escape(line)}</em></p>' if line else ""))
        prompt.add_class(f"tmv-prompt-{qid}")
        self.inputs = self._make_inputs(w)
        self.feedback = w.HTMLMath("")
        self.feedback.add_class(f"tmv-feedback-{qid}")
        buttons = []
        if quiz.mode == "practice":
            self.check_button = w.Button(description="Check", button_style="primary",
                                         tooltip=f"Check your answer to question {number}")
            self.check_button.add_class(f"tmv-check-{qid}")
            self.check_button.on_click(lambda _b: after_inputs(self.check))
            self.retry_button = w.Button(description="Try again", disabled=True,
                                         tooltip=f"Clear question {number} and answer it again")
            self.retry_button.add_class(f"tmv-retry-{qid}")
            self.retry_button.on_click(lambda _b: self.reset())
            buttons = [w.HBox([self.check_button, self.retry_button])]
        self.box = w.VBox([prompt, self.input_box] + buttons + [self.feedback],
                          layout=w.Layout(border="1px solid #ccc", padding="6px", margin="6px 0"))
        self.box.add_class("tmv-question")
        self.box.add_class(f"tmv-q-{qid}")

    def _make_inputs(self, w) -> list:
        inputs = self.q.make_inputs(w, self.options)
        for i, widget in enumerate(inputs):
            widget.add_class(f"tmv-input-{self.q.id}")
            widget.add_class(f"tmv-input-{self.q.id}-{i}")
        self.input_box = self.q.input_box(w, inputs)  # a grid for a matching question
        return inputs

    def response(self) -> Any:
        return self.q.read_response(self.inputs, self.options)

    def check(self) -> Result:
        """Practice mode: grade and record the answer, once (a second click changes nothing)."""
        if self.graded is not None:
            return self.graded
        result = self.quiz._grade(self.q, self.response())
        self.feedback.value = self._feedback_html(result) + self._storage_note()
        if not result.details.get("invalid"):
            self.graded = result
            self.check_button.disabled = True
            self.retry_button.disabled = False
            self.set_locked(True)
            # the focused Check button is disabled now: the feedback takes the focus (and is read out)
            shield = getattr(self.quiz, "shield", None)
            if shield is not None:
                shield.focus_on(f".tmv-feedback-{self.q.id}")
        self.quiz._update_score()
        return result

    def hand_in(self) -> Result | None:
        """Test mode, at Finish: grade and record an answered question; mark an unanswered one."""
        self.set_locked(True)
        result = self.q.check(self.response())
        if result.details.get("invalid"):
            self.feedback.value = NOT_ATTEMPTED
            return None
        result = self.quiz._grade(self.q, self.response())
        self.graded = result
        self.feedback.value = self._feedback_html(result) + self._storage_note()
        return result

    def restore(self, earlier) -> None:
        """Show the latest answer kept from before (:mod:`tmvlearn.quiz.earlier`): back in the controls
        and locked, with its feedback, when they can hold it; else a line saying how it went, the
        question left open. Either way the quiz's score counts it until a new check replaces it."""
        from tmvlearn.quiz.earlier import fill_inputs, unwrap, when_text

        response, fits = unwrap(self.q, earlier.response)
        result = fill_inputs(self.q, self.inputs, self.options, response, earlier) if fits else None
        when = html.escape(when_text(earlier.time))
        if result is None:  # counted as stored; the learner answers these controls afresh
            self.quiz.results[self.q.id] = Result(earlier.correct, earlier.score, "")
            verdict = _verdict(Result(earlier.correct, earlier.score, ""), final=self.quiz.mode == "test")
            why = "its numbers were different" if not fits else "it no longer fits this question"
            then = ("“Start again” for a retake" if self.quiz.mode == "test"
                    else "answer again to replace it")
            self.feedback.value = (f'<p class="tmv-earlier"><strong>Answered before</strong> ({when}): '
                                   f"{verdict} That answer is not shown here ({why}); {then}.</p>")
            if self.quiz.mode == "test":
                self.set_locked(True)
            return
        self.quiz.results[self.q.id] = result
        self.graded = result
        self.set_locked(True)
        if self.quiz.mode == "practice":
            self.check_button.disabled = True
            self.retry_button.disabled = False
        self.feedback.value = (f'<p class="tmv-earlier"><strong>Answered before</strong> ({when}), '
                               "your latest answer:</p>\n" + self._feedback_html(result))

    def _storage_note(self) -> str:
        warnings_ = getattr(self.quiz, "storage_warnings", None)
        if not warnings_:
            return ""
        note = html.escape(warnings_[0].removeprefix("tmvlearn: "))
        return f'\n<p class="tmv-storage"><small>⚠ {note}</small></p>'

    def _feedback_html(self, result: Result) -> str:
        if result.details.get("invalid"):
            return f'<p class="tmv-invalid">⚠ {html.escape(result.feedback)}</p>'
        parts = [f"<p><strong>{_verdict(result, final=self.quiz.mode == 'test')}</strong> "
                 f"{_feedback_text(result)}</p>"]
        if result.correct or self.quiz.mode == "test":
            parts.append(f"<p><em>Why:</em> {inline_html(self.q.explanation)}</p>")
            if self.q.source_text:
                parts.append(f"<p><small>Source: {html.escape(self.q.source_text)}</small></p>")
        else:
            parts.append("<p><small>Press “Try again” to change your answer.</small></p>")
        return "\n".join(parts)

    def set_locked(self, locked: bool) -> None:
        for widget in self.inputs:
            widget.disabled = locked

    def is_locked(self) -> bool:
        """Whether the answer is locked (checked, or handed in): shown values then change nothing."""
        return self.graded is not None or (self.quiz.mode == "test" and self.quiz._finished)

    def show_values(self, shown: Any) -> None:
        """Put what the browser showed (a list, one entry per answer control: ``{"index": n}``,
        ``{"checked": bool}`` or ``{"text": str}``) into the controls; anything else is ignored."""
        if not isinstance(shown, list) or len(shown) != len(self.inputs):
            return
        for widget, value in zip(self.inputs, shown, strict=True):
            if not isinstance(value, dict):
                continue
            if "index" in value and hasattr(widget, "index"):
                index = value["index"]
                if index is None or (isinstance(index, int) and not isinstance(index, bool)
                                     and 0 <= index < len(widget.options)):
                    widget.index = index
            elif isinstance(value.get("checked"), bool):
                widget.value = value["checked"]
            elif isinstance(value.get("text"), str) and isinstance(widget.value, str):
                widget.value = value["text"][:MAX_SHOWN_TEXT]

    def focus(self) -> None:
        """Put the keyboard focus on this question's first answer control (in the browser)."""
        shield = getattr(self.quiz, "shield", None)
        if shield is not None:
            shield.focus_on(f".tmv-input-{self.q.id}-0")

    def reset(self, focus: bool = True, clear: bool = False) -> None:
        """Open the answer again ("Try again"): the picks stay, to be changed, and the score keeps
        the last checked answer until the next Check. ``clear``: empty the inputs too (a retake).
        ``focus``: then focus the first answer control, as the focused Try again button is disabled
        (the browser would send the focus to the page)."""
        self.graded = None
        if clear:
            for widget in self.inputs:
                widget.value = self.q.blank_input
        self.set_locked(False)
        self.feedback.value = ""
        if self.quiz.mode == "practice":
            self.check_button.disabled = False
            self.retry_button.disabled = True
        self.quiz._update_score()
        if focus:
            self.focus()


NOT_ATTEMPTED = ('<p class="tmv-not-attempted"><strong>Not attempted.</strong> '
                 "It scores 0; its explanation is shown only for answered questions.</p>")
INPUT_DELAY_S = 0.4  # without the shield (another front end): how long a check waits for inputs
MAX_SHOWN_TEXT = 10_000  # longer text from the browser is cut (the grader refuses over 1,000 anyway)


def after_inputs(action) -> None:
    """Run ``action`` (a check) once answer changes still on their way from the browser are in.

    A button click reaches the kernel as its own message, while ipywidgets may hold an input's
    latest value back until the kernel has acknowledged the one before: a learner who picks a
    dropdown entry with the arrow keys and presses Enter on Check at once would be graded on an old
    value. In a running kernel the check therefore waits a moment; elsewhere (tests, scripts) it
    runs at once.
    """
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        action()
        return
    loop.call_later(INPUT_DELAY_S, action)


_DEFAULT_FEEDBACK = {"Correct.", "Not quite."}


def _verdict(result: Result, final: bool = False) -> str:
    """✔/✘ and a word: right or wrong is never told by colour alone; a score only for partial credit.
    ``final``: handed in (test mode), so not "yet"."""
    if result.correct:
        return "✔ Correct."
    if result.score > 0:
        return f"✘ Partly right (score {result.score:.2g} of 1)."
    return "✘ Not right." if final else "✘ Not right yet."


def _feedback_text(result: Result) -> str:
    """The question's own feedback, without a second "Correct." or a bare "Not quite."."""
    text = result.feedback.strip()
    if text in _DEFAULT_FEEDBACK:
        return ""
    if result.correct and text.startswith("Correct"):
        text = text.removeprefix("Correct").lstrip(".:, ")
        text = text[:1].upper() + text[1:]
    return inline_html(text)

"""The review quiz: the questions (and flashcards) due for a learner, and a quiz that asks them.

When each item comes back is the schedule's (:mod:`tmvlearn.scheduler`); the states are read, never
written, through the progress store (:mod:`tmvlearn.progress`). This module depends on both; neither
depends on it.

>>> from tmvlearn import quiz
>>> quiz.due()              # doctest: +SKIP  (a DataFrame: question_id, lesson, due, ...)
>>> quiz.review(n=10)       # doctest: +SKIP  (a practice quiz of the questions due now)
"""

from __future__ import annotations

import functools
import html
import random
from datetime import datetime, timezone

from tmvlearn.scheduler import CARD_PREFIX

__all__ = ["due", "review", "plan_text", "mix_lessons", "sample_ids"]

DUE_COLUMNS = ["question_id", "lesson", "due", "last_result", "times_seen", "kind"]


# --- what is due ---------------------------------------------------------------------------------

def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def due(learner: str | None = None, *, now: datetime | None = None, upcoming: bool = False,
        cards: bool = True, store=None):
    """The learner's items due for review at ``now`` (default: now), oldest due first; read-only.

    A DataFrame with ``question_id`` (a flashcard's is ``card:<term>``), ``lesson``, ``due``
    (UTC timestamp), ``last_result`` (``"right"`` or ``"missed"``), ``times_seen`` and ``kind``
    (``"question"`` or ``"flashcard"``). ``upcoming=True`` lists every item with a state, due or
    not; ``cards=False`` leaves flashcards out. ``.attrs["source"]`` names the file read and
    ``.attrs["notes"]`` anything to tell (a damaged or older file, attempts still pending).
    """
    import pandas as pd

    from tmvlearn.progress import get_store

    states, source, notes = (store or get_store()).review_states(learner)
    records = [(s.item, s.lesson, s.due, "right" if s.last_correct else "missed", s.seen,
                "flashcard" if s.item.startswith(CARD_PREFIX) else "question")
               for s in states if cards or not s.item.startswith(CARD_PREFIX)]
    frame = pd.DataFrame.from_records(records, columns=DUE_COLUMNS)
    frame["due"] = pd.to_datetime(frame["due"], utc=True, format="ISO8601")
    frame["times_seen"] = frame["times_seen"].astype("int64")
    if not upcoming:
        frame = frame[frame["due"] <= pd.Timestamp(_now(now))]
    frame = frame.sort_values(["due", "question_id"], kind="stable").reset_index(drop=True)
    for col in ("question_id", "lesson", "last_result", "kind"):
        frame[col] = frame[col].astype("string")
    frame.attrs.update(source=source, notes=list(notes))
    return frame


def mix_lessons(frame, n: int, priority: dict[str, float] | None = None) -> list[str]:
    """At most ``n`` ids of ``frame`` (sorted by due), taken in turn from every lesson in it.

    Lessons follow one another in the order of their oldest due item; within a lesson, oldest first:
    with 26 items due from 5 lessons, ten are two from each lesson, not the ten oldest.
    ``priority``: id -> a number, lowest first within a lesson (ties oldest first); the review gives
    the share of secure questions of the question's objective
    (:func:`~tmvlearn.quiz.objective_mastery.question_priority`).
    """
    queues: dict[str, list[str]] = {}
    for qid, lesson in zip(frame["question_id"], frame["lesson"], strict=True):
        queues.setdefault(str(lesson), []).append(str(qid))
    if priority:
        for queue in queues.values():
            queue.sort(key=lambda qid: priority.get(qid, 0.0))  # stable: oldest first among equals
    out: list[str] = []
    while len(out) < n and any(queues.values()):
        for queue in queues.values():
            if queue and len(out) < n:
                out.append(queue.pop(0))
    return out


# --- the review quiz -------------------------------------------------------------------------------

def _lesson_names() -> dict[str, str]:
    """Lesson id -> "Lesson 3: Cargo and biomarkers" from the shipped banks' titles."""
    from tmvlearn.quiz.bank import lesson_ids, load_bank

    names = {}
    for lesson in lesson_ids():
        try:
            title = load_bank(lesson).title
        except Exception:  # a damaged bank: its id still names it
            title = lesson
        head, _, rest = title.partition(" quiz")  # "Lesson 1 quiz: how ..." -> "Lesson 1: how ..."
        names[lesson] = f"{head}{rest}" if rest.startswith(":") else title
    return names


def sample_ids(n: int, seed: int = 0) -> list[str]:
    """A fixed sample of ``n`` quiz questions across the shipped lessons (for printed copies)."""
    from tmvlearn.quiz.bank import lesson_ids, load_bank

    rng = random.Random(f"review-sample:{seed}")
    pools = []
    for lesson in lesson_ids():
        ids = [q.id for q in load_bank(lesson).questions]
        rng.shuffle(ids)
        pools.append(ids)
    rng.shuffle(pools)
    out: list[str] = []
    while len(out) < n and any(pools):
        for pool in pools:
            if pool and len(out) < n:
                out.append(pool.pop())
    return out


@functools.lru_cache(maxsize=1)
def _quiz_class():
    from tmvlearn.quiz.display import Quiz

    class ReviewQuiz(Quiz):
        """The review: the widget holds the learner's due questions; the printed copy a fixed sample."""

        def __init__(self, questions, *, sample, intro: str, labels: dict[str, str], seed: int,
                     learner: str | None, record: bool, interactive: bool, n: int, variant_seed: str):
            super().__init__("Review: questions due", questions, mode="practice", shuffle=True, seed=seed,
                             interactive=interactive, learner=learner, record=record,
                             variant_seed=variant_seed)
            self.sample, self.intro_html, self.labels, self.n = sample, intro, labels, n

        def static_bundle(self) -> dict[str, str]:
            from tmvlearn.quiz.render import render_student

            title = f"Review: a sample of {len(self.sample)} questions from the lessons"
            bundle = render_student(title, self.sample, shuffle=True, seed=self.seed)
            note = ("This printed copy shows a fixed sample. Run the lesson in JupyterLab to review "
                    "your own questions that are due.")
            bundle["text/html"] = f'<p class="tmv-review-note"><em>{html.escape(note)}</em></p>\n' \
                + bundle["text/html"]
            for mime in ("text/markdown", "text/plain"):
                if mime in bundle:
                    bundle[mime] = f"{note}\n\n{bundle[mime]}"
            return bundle

        def _score_text(self) -> str:
            return super()._score_text() if self.questions else ""  # nothing to score: no "0 / 0"

        def _kept_text(self) -> str:
            return ""  # every question here was answered before: the plan above says when

        def __repr__(self) -> str:
            return f"<tmvlearn review: {len(self.questions)} questions due (of at most {self.n})>"

    return ReviewQuiz


def _priority(learner: str | None, now: datetime, store) -> dict[str, float]:
    """Question id -> the share of secure questions of its objective, for the learner at ``now``."""
    from tmvlearn.quiz.objective_mastery import learner_standing, lesson_banks, question_priority

    banks = lesson_banks()
    standing, _ = learner_standing(learner, banks, store)
    return question_priority(banks, standing, now)


def _when_text(moment) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC")


def _counted(frame) -> str:
    """How many items ``frame`` holds, saying of which kind: "3 questions", "1 flashcard", or
    "5 items (3 questions, 2 flashcards)"."""
    kinds = [f"{k} {noun}{'s' if k != 1 else ''}"
             for noun, k in (("question", int((frame["kind"] == "question").sum())),
                             ("flashcard", int((frame["kind"] == "flashcard").sum()))) if k]
    if len(kinds) == 1:
        return kinds[0]
    return f"{len(frame)} item{'s' if len(frame) != 1 else ''} ({', '.join(kinds)})"


def plan_text(frame, now: datetime) -> tuple[int, str]:
    """(how many items are due now, a sentence saying so and when the next ones come) for a due
    frame listing every item (``upcoming=True``), questions and flashcards, each count saying of
    which kind: ``tmvlearn review`` and the review cell say the same."""
    import pandas as pd

    if frame.empty:
        return 0, ("Nothing to review yet: you have not answered any quiz question. Work through a "
                   "lesson first (00_start_here, then 01_biogenesis ...) and check your answers in its "
                   "quiz; each question you answer then comes back here when it is due.")
    stamp = pd.Timestamp(now)
    now_due = frame[frame["due"] <= stamp]
    later = frame[frame["due"] > stamp]
    n = len(now_due)
    parts = [f"{_counted(now_due)} due for review now" if n else "Nothing is due for review now"]
    if len(later):
        first = later["due"].min()
        same_day = later[later["due"] < first + pd.Timedelta(days=1)]
        verb = "becomes" if len(same_day) == 1 else "become"
        parts.append(f"next: {_counted(same_day)} {verb} due from {_when_text(first)}")
        week = later[later["due"] <= stamp + pd.Timedelta(days=7)]
        parts.append(f"{len(week)} in the next 7 days; {_counted(later)} scheduled in all")
    return n, "; ".join(parts) + "."


def review(n: int = 10, *, learner: str | None = None, seed: int = 0, interactive: bool = True,
           record: bool = True, now: datetime | None = None, store=None):
    """A practice quiz of the learner's questions due for review, at most ``n``, across all lessons.

    Taken in turn from every lesson with questions due (lessons in the order of their longest-waiting
    question). Within a lesson, the questions of the objectives you hold least securely come first:
    those whose objective has the smallest share of *secure* questions (answered, the latest answer
    fully right, still likely remembered: the rule of :func:`tmvlearn.quiz.mastery`), then the
    longest-waiting. A question falls due (90% predicted recall) before it stops being secure (80%),
    so objectives not secure come first, and among them those held least securely. Each question
    says which lesson it is from and its source. Checked
    answers are recorded as usual, so each one moves the question's next review.
    Displayed outside a widget front end (nbval, papermill, handouts), it shows a fixed sample of
    ``n`` questions chosen by ``seed``, never the learner's state. With nothing due it says so, and
    with no history at all, what to do first.
    """
    from tmvlearn.quiz.bank import all_questions, load_questions

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        from tmvlearn.errors import UsageError

        raise UsageError(f"review(n=...) takes a whole number of questions of 1 or more, not {n!r}")
    when = _now(now)
    _, sample = load_questions(sample_ids(n, seed))
    questions = []
    labels: dict[str, str] = {}
    if interactive:
        plan = due(learner, now=when, upcoming=True, store=store)  # with flashcards, as the command counts
        known = all_questions()
        current = plan[(plan["due"] <= when) & plan["question_id"].isin(list(known))]
        ids = mix_lessons(current, n, _priority(learner, when, store) if len(current) else None)
        names = _lesson_names()
        questions = [known[q] for q in ids]
        when_due = dict(zip(current["question_id"], current["due"], strict=True))
        for q in questions:
            lesson = names.get(q.lesson or "", q.lesson or "")
            line = f"From {lesson}, due since {_when_text(when_due[q.id])}."
            if q.source_text:
                line += f" Source: {q.source_text}."
            labels[q.id] = f'<p class="tmv-review-label"><small>{html.escape(line)}</small></p>'
        _, text = plan_text(plan, when)
        count = int(((plan["due"] <= when) & (plan["kind"] == "question")).sum())
        if count > len(questions) and questions:
            text += (f" Here are {len(questions)} of them, taken in turn from each lesson: in each, first "
                     "those of the objectives you hold least securely, then those that have waited "
                     "longest; run this cell again for more.")
        elif not questions and count:  # due items whose question is no longer in any bank
            text = "The questions due are no longer in the lessons' banks; nothing to review here."
        elif not questions and len(plan) and (plan["due"] <= when).any():
            text += " No questions are due here; the flashcards due are in tmvlearn.flashcards()."
        intro = f'<p class="tmv-review-plan">{html.escape(text)}</p>'
    else:
        intro = ""
    # Fresh numbers for questions that vary: a new draw whenever the learner has answered since.
    answered = int(plan[plan["kind"] == "question"]["times_seen"].sum()) if interactive else 0
    return _quiz_class()(questions, sample=sample, intro=intro, labels=labels, seed=seed, learner=learner,
                         record=record, interactive=interactive, n=n, variant_seed=f"review-{answered}")


def __getattr__(name: str):
    if name == "ReviewQuiz":  # built on first use: it subclasses the widget-based Quiz
        return _quiz_class()
    raise AttributeError(name)

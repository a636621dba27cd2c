"""Mastery per learning objective: where a learner stands on each objective of every lesson.

The rule (:data:`RULE`, printed by ``tmvlearn progress --objectives``, the lessons and the class
report), per learner and objective, over the objective's **quiz questions** (the bank's
``questions``; exercises are practice and do not count):

- ``answered``: how many of them the learner has answered at least once (graded answers in practice
  or test mode; revealed solutions, exercise checks and flashcard ratings do not count; an answer
  given in another quiz, such as lesson 07's cumulative quiz or the review, counts for the
  question's own lesson); ``of``: how many there are;
- ``"not started"``: none of them answered;
- ``"secure"``: every one answered, the latest answer to each fully right (correct with full
  marks), and each still likely remembered at ``now``: the review schedule's memory model (FSRS,
  :mod:`tmvlearn.scheduler`) predicts at least an 80% chance of recalling it (:data:`SECURE_RECALL`).
  That lasts about a week after a first right answer, about a month after a second one given when it
  was due, and about two days after a miss put right; a latest answer that is wrong or partly right is
  never secure. The review brings a question back earlier, at 90% (2 days after a first right
  answer), so a secure objective can have questions due: reviewing them keeps it secure;
- ``"learning"``: everything else (started, but some question not yet answered, last answered
  wrong or only partly right, or predicted recall below 80%).

A question is *secure* by the same test (its latest answer fully right, predicted recall at least
80%); the review (:func:`tmvlearn.quiz.review`) asks first the due questions of the objectives with the
smallest share of secure questions. Every recorded answer counts, whenever it was given; ``now`` only
decides how much time has passed since. The review states are computed by
:func:`tmvlearn.scheduler.compute_states` from the same attempts, so they agree with
``tmvlearn review`` and ``quiz.due()``.

>>> from tmvlearn import quiz
>>> quiz.mastery()                          # doctest: +SKIP  (one row per objective of every lesson)
>>> quiz.objective_status("01_biogenesis")  # doctest: +SKIP  (a lesson's objectives, for its last cell)
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from tmvlearn.lessons import QUIZ_MODES
from tmvlearn.scheduler import compute_states

__all__ = ["RULE", "SECURE_RECALL", "STATUSES", "COLUMNS", "Standing", "standings", "objective_rows",
           "mastery",
           "objective_status", "ObjectiveStatus", "question_priority", "objective_order", "lesson_banks",
           "learner_standing"]

NOT_STARTED, LEARNING, SECURE = "not started", "learning", "secure"
STATUSES = (NOT_STARTED, LEARNING, SECURE)
COLUMNS = ["lesson", "objective", "text", "status", "answered", "of"]
#: The rule in one line, as every view of it prints it.
#: Predicted chance of recall (FSRS retrievability) a right answer must still have to count as secure.
SECURE_RECALL = 0.8
RULE = ("secure = every quiz question of the objective answered, the latest answer to each fully right, "
        f"and each still likely remembered (the review schedule's memory model predicts at least an "
        f"{SECURE_RECALL:.0%} chance of recall: about a week after a first right answer, longer after each "
        "right review); learning = started but not secure; not started = none of its questions answered. "
        "Exercises do not count.")


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def objective_order(objective: str) -> tuple:
    """Sort key for objective ids in numeric order: O2 before O10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(objective)))


@dataclass(frozen=True)
class Standing:
    """One learner's standing on one quiz question: whether the latest answer was fully right, when
    the question is next due for review, and its review state (the FSRS card, as JSON)."""

    full: bool
    due: datetime
    card: str

    def recall(self, now: datetime) -> float:
        """The predicted chance (0 to 1) of recalling the answer at ``now`` (FSRS retrievability)."""
        from fsrs import Card

        from tmvlearn.scheduler import scheduler

        return float(scheduler().get_card_retrievability(Card.from_json(self.card), now))

    def secure(self, now: datetime) -> bool:
        return self.full and self.recall(now) >= SECURE_RECALL


def counts(row: Mapping[str, Any]) -> bool:
    """Whether an attempt row counts for mastery: a graded answer in practice or test mode."""
    return row.get("kind", "answer") == "answer" and row.get("mode", "practice") in QUIZ_MODES


def _iso(value: Any) -> str:
    """An attempt's time as the text the scheduler sorts and reads (pandas timestamps made ISO)."""
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else str(value)


def standings(rows: Iterable[Mapping[str, Any]],
              questions: set[str] | None = None) -> dict[tuple[str, str], Standing]:
    """(learner, question id) -> :class:`Standing`, from attempt rows (dicts as the store reads them,
    any learners), counting only :func:`counts` rows at ``questions`` (default: every question)."""
    kept: list[dict[str, Any]] = []
    for row in rows:
        if counts(row) and (questions is None or str(row["question_id"]) in questions):
            kept.append({"learner": str(row["learner"]), "question_id": str(row["question_id"]),
                         "lesson": str(row.get("lesson") or ""), "time": _iso(row["time"]),
                         "score": float(row["score"]), "correct": bool(row["correct"]),
                         "kind": "answer", "mode": str(row.get("mode", "practice"))})
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in sorted(kept, key=lambda r: r["time"]):  # stable: the scheduler's own order
        latest[(row["learner"], row["question_id"])] = row
    out = {}
    for key, state in compute_states(kept).items():
        last = latest[key]
        due = datetime.fromisoformat(state.due)
        out[key] = Standing(bool(last["correct"]) and last["score"] >= 1, due, state.card)
    return out


def _objectives(bank) -> list[tuple[str, str, list[str]]]:
    """(objective id, text, its quiz question ids) for a bank, objectives in numeric order."""
    out = []
    for objective in sorted(bank.objectives, key=objective_order):
        ids = [q.id for q in bank.questions if q.objective == objective]
        out.append((objective, bank.objectives[objective], ids))
    return out


def objective_rows(banks: Mapping[str, Any], standing: Mapping[str, Standing],
                   now: datetime) -> list[dict[str, Any]]:
    """One learner's row per objective of every bank (in the order given, objectives in numeric order):
    ``lesson, objective, text, status, answered, of`` by the module's rule. ``standing``: question id
    -> :class:`Standing` for this learner."""
    rows = []
    for lesson, bank in banks.items():
        for objective, text, ids in _objectives(bank):
            answered = [standing[q] for q in ids if q in standing]
            if not answered:
                status = NOT_STARTED
            elif len(answered) == len(ids) and all(s.secure(now) for s in answered):
                status = SECURE
            else:
                status = LEARNING
            rows.append({"lesson": lesson, "objective": objective, "text": text, "status": status,
                         "answered": len(answered), "of": len(ids)})
    return rows


def question_priority(banks: Mapping[str, Any], standing: Mapping[str, Standing],
                      now: datetime) -> dict[str, float]:
    """Question id -> the share of its objective's quiz questions that are secure (0 to 1): the
    review asks questions of the objectives with the smallest share first."""
    out = {}
    for bank in banks.values():
        for _, _, ids in _objectives(bank):
            share = sum(q in standing and standing[q].secure(now) for q in ids) / max(1, len(ids))
            out.update(dict.fromkeys(ids, share))
    return out


def lesson_banks(lesson: str | None = None) -> dict[str, Any]:
    """Lesson id -> bank: every shipped lesson bank in order, or the one of ``lesson`` (a BankError
    naming the lessons with a bank when there is none)."""
    from tmvlearn.quiz.bank import lesson_ids, load_bank

    if lesson is not None:
        bank = load_bank(lesson)
        return {bank.lesson: bank}
    return {name: load_bank(name) for name in lesson_ids()}


def learner_standing(learner: str | None, banks: Mapping[str, Any], store=None):
    """(question id -> Standing for the learner, the Reading it came from); read-only."""
    from tmvlearn.progress import get_store

    reading = (store or get_store()).read(learner)
    ids = {q.id for bank in banks.values() for q in bank.questions}
    found = standings(reading.attempts.to_dict("records"), ids)
    return {qid: s for (_, qid), s in found.items()}, reading


def mastery(learner: str | None = None, *, now: datetime | None = None, store=None):
    """Mastery per learning objective: one row per objective of every lesson bank; read-only.

    A DataFrame with columns ``lesson``, ``objective``, ``text``, ``status`` (``"not started"``,
    ``"learning"`` or ``"secure"``), ``answered`` and ``of`` (quiz questions of the objective
    answered at least once, of how many), lessons in order and objectives O1, O2, ... O10 in
    numeric order. The rule: :data:`RULE` (in full in :mod:`tmvlearn.quiz.objective_mastery`).

    ``learner``: default ``$TMVLEARN_LEARNER`` or the user name. ``now``: the moment that decides
    what is due (default: the current UTC time). The progress file is only read, never created;
    ``.attrs``: ``source`` (where it was read), ``notes``, ``rule`` and ``now``.

    >>> from tmvlearn import quiz
    >>> table = quiz.mastery()                                   # doctest: +SKIP
    >>> table[table["status"] != "secure"][["lesson", "objective", "status"]]   # doctest: +SKIP
    """
    import pandas as pd

    when = _now(now)
    banks = lesson_banks()
    standing, reading = learner_standing(learner, banks, store)
    frame = pd.DataFrame(objective_rows(banks, standing, when), columns=COLUMNS)
    for col in ("lesson", "objective", "text", "status"):
        frame[col] = frame[col].astype("string")
    for col in ("answered", "of"):
        frame[col] = frame[col].astype("int64")
    frame.attrs.update(source=reading.source, notes=list(reading.notes), rule=RULE,
                       now=when.isoformat(timespec="seconds"))
    return frame


# --- a lesson's objectives with their status, for the lesson's last cell -------------------------

#: Status -> (symbol, background, text colour): each pair has a contrast ratio of 4.5:1 or more, and
#: the word is always shown with it (colour is never the only sign).
STYLE = {NOT_STARTED: ("○", "#ffffff", "#3d3d3d"), LEARNING: ("◐", "#fff1c2", "#5c3d00"),
         SECURE: ("●", "#dff3e4", "#10542a")}


def badge(status: str) -> str:
    """A status as HTML: its symbol and word on its colour (the word carries the meaning)."""
    symbol, background, colour = STYLE[status]
    return (f'<span class="tmv-status tmv-status-{status.replace(" ", "-")}" style="background:{background};'
            f'color:{colour};border:1px solid {colour};border-radius:3px;padding:0 .3em;white-space:nowrap">'
            f'{symbol} {html.escape(status)}</span>')


class ObjectiveStatus:
    """A lesson's objectives with the learner's status on each: displays as a short table (HTML, text).

    ``rows``: the lesson's rows of :func:`mastery`, as dicts; a row's ``status`` is None in a printed
    copy (``interactive=False``), which lists the objectives without anyone's status."""

    def __init__(self, lesson: str, title: str, rows: list[dict[str, Any]], notes: list[str] | None = None):
        self.lesson, self.title, self.rows, self.notes = lesson, title, rows, list(notes or [])
        self.printed = any(row["status"] is None for row in rows)

    def _caption(self) -> str:
        if self.printed:
            return (f"Objectives of {self.lesson} (a printed copy: run the lesson in JupyterLab to see your "
                    "status on each)")
        return f"Your objectives in {self.lesson}"

    def to_text(self) -> str:
        lines = [self._caption() + ":"]
        for row in self.rows:
            if self.printed:
                head = f"  {row['objective']:<4}{row['of']} question{'' if row['of'] == 1 else 's'}  "
            else:
                answered = f"{row['answered']} of {row['of']} answered"
                head = f"  {row['objective']:<4}{row['status']:<12}{answered}  "
            lines += textwrap.wrap(row["text"], 100, initial_indent=head, subsequent_indent=" " * len(head))
        lines += textwrap.wrap(f"Rule: {RULE}", 100)
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_html(self) -> str:
        from tmvlearn.quiz.markup import inline_html

        def count(row: dict[str, Any]) -> str:
            return str(row["of"]) if self.printed else f"{row['answered']} of {row['of']}"

        left = ' style="text-align:left;vertical-align:top"'  # JupyterLab right-aligns table cells
        body = "".join(
            f"<tr><th scope=\"row\"{left}>{html.escape(row['objective'])}</th>"
            f"<td{left}>{badge(row['status']) if row['status'] else '–'}</td><td{left}>{count(row)}</td>"
            f"<td{left}>{inline_html(row['text'])}</td></tr>"
            for row in self.rows)
        notes = "".join(f"<p><small>note: {html.escape(n)}</small></p>" for n in self.notes)
        answered = "questions" if self.printed else "questions answered"
        return (f'<div class="tmv-objective-status"><table><caption style="text-align:left;font-weight:bold">'
                f'{html.escape(self._caption())}</caption>'
                f'<thead><tr><th scope="col"{left}>id</th><th scope="col"{left}>status</th>'
                f'<th scope="col"{left}>{answered}</th><th scope="col"{left}>objective</th></tr></thead>'
                f"<tbody>{body}</tbody></table>"
                f"<p><small>{html.escape(RULE)}</small></p>{notes}</div>")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/plain": self.to_text(), "text/html": self.to_html()}

    def __repr__(self) -> str:
        return self.to_text()


def objective_status(lesson: str, learner: str | None = None, *, interactive: bool = True,
                     now: datetime | None = None, store=None) -> ObjectiveStatus:
    """``lesson``'s objectives with the learner's status on each (see :func:`mastery`), to display at
    the end of the lesson. ``interactive=False`` (a printed copy: handouts) lists the objectives with
    no one's status and reads nothing.

    An unknown lesson raises :class:`~tmvlearn.quiz.bank.BankError` naming the lessons with a bank."""
    banks = lesson_banks(lesson)
    (name, bank), = banks.items()
    if not interactive:
        rows = [{**row, "status": None} for row in objective_rows(banks, {}, _now(now))]
        return ObjectiveStatus(name, bank.title, rows)
    standing, reading = learner_standing(learner, banks, store)
    return ObjectiveStatus(name, bank.title, objective_rows(banks, standing, _now(now)), reading.notes)

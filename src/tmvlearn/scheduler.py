"""The review schedule: when each item a learner has answered (a question or a flashcard) comes back.

Pure: review states computed from attempt rows, with no widget, no file and no store. The progress
store (:mod:`tmvlearn.progress`) keeps them as a cache; the review quiz
(:mod:`tmvlearn.quiz.review_quiz`) and the flashcards read them through the store.

Every item a learner has answered has a review state, computed by the FSRS scheduler (the
``fsrs`` package) from that learner's graded answers to it, oldest first:

- an answer that grades correct with full marks is rated *Good*; correct with less than full
  marks *Hard*; not correct (partly right included) *Again*; flashcards: "knew it" is *Good*,
  "didn't" is *Again*. Nothing is rated *Easy*: a quiz has no way to tell an easy recall;
- only ``kind="answer"`` rows count, in practice and test mode and from flashcards; exercise rows
  (code tasks, graded by value) and reveals (a solution shown on request, recorded only for
  exercises) are left out, so revealing a solution neither helps nor harms a schedule;
- the scheduler has one 10-minute learning step, one 10-minute relearning step and no fuzzing (FSRS's
  own defaults are 1 and 10 minutes to learn, 10 to relearn): a miss comes back after 10 minutes,
  within the same sitting (so a review at the end of a session has that session's misses), then
  after a day once answered right; right answers, each given when the question is due, push it
  out from days to weeks (2, 11, 46 days from a first right answer; 10 minutes, then 1, 2 and 6
  days after a first miss); a miss after that brings it back after 10 minutes. Partly right
  (*Hard*) on a new question comes back after 15 minutes. No fuzzing keeps the state a pure
  function of the attempts.

Because the state is a function of the attempts, the progress store (schema version 2) keeps it in
its ``review_state`` table as a cache it can always rebuild (:mod:`tmvlearn.progress.review_cache`):
it is updated in the same transaction as each attempt, rebuilt for a file migrated from version 1,
and for attempts a pending journal (or an older tmvlearn) added later. Reading it never writes anything.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = ["CARD_PREFIX", "RULES", "ItemState", "compute_states", "is_reviewed", "rating", "scheduler"]

CARD_PREFIX = "card:"  # flashcards' item ids: "card:<term>"
#: The version of the rules below. A stored state computed under other rules (an older tmvlearn's
#: one-day relearning step was version 1) is recomputed from the attempts.
RULES = 2
STEP = timedelta(minutes=10)
REVIEWED_MODES = ("practice", "test", "flashcard")


@functools.lru_cache(maxsize=1)
def scheduler():
    """The one FSRS scheduler every review state is computed with (see the module docstring)."""
    from fsrs import Scheduler

    return Scheduler(learning_steps=(STEP,), relearning_steps=(STEP,), enable_fuzzing=False)


def rating(score: float, correct: bool):
    """The FSRS rating of a graded answer: Good (right, full marks), Hard (right, part marks), Again."""
    from fsrs import Rating

    if not correct:
        return Rating.Again
    return Rating.Good if score >= 1 else Rating.Hard


def is_reviewed(row: dict[str, Any]) -> bool:
    """Whether an attempt row counts for review: a graded answer outside exercises."""
    return row.get("kind", "answer") == "answer" and row.get("mode", "practice") in REVIEWED_MODES


def _when(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:  # a damaged time: treat it as long ago, so the item is due
        moment = datetime(2000, 1, 1, tzinfo=timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class ItemState:
    """One (learner, item)'s review state. ``card`` is the FSRS card as JSON."""

    learner: str
    item: str
    lesson: str
    due: str
    last_correct: bool
    last_time: str
    seen: int
    card: str

    def row(self) -> tuple:
        return (self.learner, self.item, self.lesson, self.due, int(self.last_correct), self.last_time,
                self.seen, self.card)


def _item_id(text: str) -> int:
    """A stable FSRS card id for an item (the library wants an int)."""
    import zlib

    return zlib.crc32(text.encode("utf-8"))


def compute_states(rows: Iterable[dict[str, Any]],
                   start: dict[tuple[str, str], ItemState] | None = None) -> dict[tuple[str, str], ItemState]:
    """Review states from attempt rows (dicts as the store reads them), keyed by (learner, item).

    Rows that do not count (:func:`is_reviewed`) are skipped; the rest are replayed per item in
    time order (rows with equal times keep the order given). ``start``: states to continue from, for
    rows that all come after the state's last attempt (the same result as replaying everything).
    """
    from fsrs import Card

    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        if is_reviewed(row):
            groups.setdefault((str(row["learner"]), str(row["question_id"])), []).append(row)
    sched = scheduler()
    out = {}
    for key, history in groups.items():
        learner, item = key
        history.sort(key=lambda r: str(r["time"]))
        before = (start or {}).get(key)
        if before is not None:
            card, seen = Card.from_json(before.card), before.seen
        else:
            card, seen = Card(card_id=_item_id(item)), 0
        last = history[-1]
        for row in history:
            card, _ = sched.review_card(card, rating(float(row["score"]), bool(row["correct"])),
                                        _when(row["time"]))
        out[key] = ItemState(learner, item, str(last.get("lesson") or ""),
                             card.due.astimezone(timezone.utc).isoformat(timespec="seconds"),
                             bool(last["correct"]), str(last["time"]), seen + len(history), card.to_json())
    return out

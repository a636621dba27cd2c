"""A lesson's quiz run again marks what the learner answered before (issue 22, item 3).

When a lesson's quiz widget is built (the cell run again after a kernel restart, or the next day),
the learner's progress is read, read-only, and each question they already answered is shown as
such, with its latest answer put back into the answer controls and its feedback under a line
"Answered before (date)". The score line counts those latest answers and every new check replaces
its question's one, so nothing is counted twice. The rules:

- **Which quizzes**: a lesson's own quiz (``quiz.show("01_biogenesis")``, a bank). A quiz over a list
  of question ids (lesson 07's cumulative quiz) and the review quiz ask their questions afresh: their
  questions were answered in other quizzes, and asking again is their point. A quiz that does not
  record (``record=False``) restores nothing either.
- **Practice mode**: a question's latest graded answer (practice or test mode; reveals, exercises and
  flashcards are not answers) is restored, locked as after Check; "Try again" opens it, keeping the
  picks, and the next Check replaces it (and is recorded as usual).
- **Test mode**: the latest completed take of the lesson's test (its highest ``take``) is restored as
  handed in: every answer locked with its final feedback, the questions not answered in that take
  "Not attempted", the score with which take it is (the first completed take stays the test score),
  and "Start again" for a retake. A learner with no test take gets a fresh test, whatever they
  practised.
- **Cannot be shown**: an answer to a question whose numbers vary that was given for other numbers,
  or one the current controls cannot hold (the bank changed), is not put back; the question says it
  was answered before and how it went, counts in the score with its stored score, and stays open.
- **Headless runs** (nbval, papermill, handouts) start from an empty progress file and build no
  widget or an unchanged one, and the static rendering never shows a learner's state: stored notebook
  outputs are the same for everyone.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from tmvlearn.lessons import QUIZ_MODES

__all__ = ["Earlier", "fill_inputs", "latest_answers", "read_attempts", "unwrap", "when_text"]



@dataclass(frozen=True)
class Earlier:
    """One question's latest stored answer: the response as recorded, its score and when."""

    response: Any
    score: float
    correct: bool
    time: str
    mode: str
    take: int


def read_attempts(learner: str | None):
    """The learner's attempts (read-only; warnings about the file are left to ``quiz.progress()``);
    None when they cannot be read."""
    try:
        from tmvlearn.progress import attempts

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            done = attempts(learner)
    except Exception:  # a progress file that cannot be read never stops the quiz
        return None
    source = str(done.attrs.get("source", ""))
    if done.empty and source.endswith(("(a folder)", "(damaged)", "(unreadable)")):
        return None
    return done


def latest_answers(done, ids: list[str], mode: str) -> tuple[dict[str, Earlier], int]:
    """Per question id of ``ids``: the latest graded answer to restore (see the module docstring),
    and in test mode the take they come from (0: no take, nothing to restore)."""
    if done is None or done.empty:
        return {}, 0
    rows = done[(done["kind"] == "answer") & done["question_id"].isin(ids)]
    take = 0
    if mode == "test":
        rows = rows[rows["mode"] == "test"]
        if rows.empty:
            return {}, 0
        take = int(rows["take"].max())
        rows = rows[rows["take"] == take]
    else:
        rows = rows[rows["mode"].isin(QUIZ_MODES)]
    out: dict[str, Earlier] = {}
    for row in rows.itertuples(index=False):  # oldest first: the last one of each question wins
        try:
            response = json.loads(str(row.response))
        except ValueError:
            response = str(row.response)
        score = float(row.score) if row.score is not None and math.isfinite(float(row.score)) else 0.0
        out[str(row.question_id)] = Earlier(response, score, bool(row.correct), str(row.time), str(row.mode),
                                            int(row.take) if row.take is not None else 1)
    return out, take


def unwrap(question, response: Any) -> tuple[Any, bool]:
    """(the response the controls can hold, whether it was given for the numbers ``question`` shows).

    A question whose numbers vary records ``{"response", "values"}``; an answer given for other values
    does not fit."""
    values = question.variant_values
    if values is None:
        return response, True
    if isinstance(response, dict) and set(response) == {"response", "values"}:
        return response["response"], response["values"] == json.loads(json.dumps(values))
    return response, False


def _fill(question, inputs: list, options: list[str], response: Any) -> None:
    kind = question.type
    if kind in ("single_choice", "true_false"):
        if isinstance(response, bool):
            response = "True" if response else "False"
        if not isinstance(response, str) or response.strip() not in inputs[0].options:
            raise ValueError("not an option")
        inputs[0].value = response.strip()
    elif kind == "multiple_select":
        picked = set(response) if isinstance(response, list) else None
        if picked is None or not picked <= set(options):
            raise ValueError("not among the options")
        for option, box in zip(options, inputs, strict=True):
            box.value = option in picked
    elif kind == "matching":
        if not isinstance(response, dict):
            raise ValueError("not a pairing")
        for left, box in zip(question.lefts, inputs, strict=True):
            box.value = response.get(left) or ""
    elif kind == "ordering":
        if not isinstance(response, list) or len(response) != len(inputs):
            raise ValueError("not an order")
        for value, box in zip(response, inputs, strict=True):
            box.value = value or ""
    else:  # a text box: short text, numbers
        if response is None or isinstance(response, (dict, list, bool)):
            raise ValueError("not a typed answer")
        if isinstance(response, float) and response.is_integer():
            response = int(response)  # 1970.0 recorded from a number: shown as typed, 1970
        inputs[0].value = response if isinstance(response, str) else str(response)


def fill_inputs(question, inputs: list, options: list[str], response: Any, earlier: Earlier):
    """Put ``response`` back into the answer controls; the result of grading what they then hold, or
    None (the controls cleared again) when they cannot hold it or it would not grade as it did."""
    try:
        _fill(question, inputs, options, response)
        result = question.check(question.read_response(inputs, options))
        if (not result.details.get("invalid") and result.correct == earlier.correct
                and abs(result.score - earlier.score) < 1e-9):
            return result
    except Exception:  # noqa: BLE001 - a stored answer the controls cannot hold: shown as answered only
        pass
    for widget in inputs:
        try:
            widget.value = question.blank_input
        except Exception:  # noqa: BLE001
            continue
    return None


def when_text(time: str) -> str:
    """A stored time as "2026-12-07 13:47 UTC" (as ``tmvlearn progress`` prints it)."""
    try:
        moment = datetime.fromisoformat(str(time).replace("Z", "+00:00"))
    except ValueError:
        return str(time)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")

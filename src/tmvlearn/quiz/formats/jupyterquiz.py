"""The jupyterquiz JSON question format, to and from the neutral exchange form.

jupyterquiz (https://github.com/jmshea/jupyterquiz) documents a list of question objects with
``question``, ``type`` and ``answers``:

* ``multiple_choice`` / ``many_choice``: answers ``{"answer", "correct", "feedback"}``;
* ``numeric``: optional ``precision`` (significant digits) and answers
  ``{"type": "value", "value", "correct", "feedback"}``,
  ``{"type": "range", "range": [lo, hi], ...}`` (lo included, hi excluded, on import and export) or
  ``{"type": "default", "feedback"}``;
* ``string``: answers ``{"answer", "correct", "feedback", "match_case", "fuzzy_threshold"}``
  or ``{"type": "default", "feedback"}``. Correct answers that disagree on ``match_case`` keep a
  rule each: the question ignores case except for those listed in ``case_sensitive``.

Kinds: multiple_choice <-> single choice (true/false is written as a two-option multiple_choice),
many_choice <-> multiple choice, numeric <-> numerical, string <-> short answer. Matching and
ordering have no jupyterquiz form: :func:`export` says so. Like every format module, this one
writes from and reads into a :class:`tmvlearn.quiz.exchange.Item` only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tmvlearn._files import lone_surrogate
from tmvlearn.quiz.exchange import Answer, Exported, Item, join_notes

__all__ = ["READS", "export", "problem", "to_item"]

READS = {"multiple_choice": "single_choice", "many_choice": "multiple_choice", "numeric": "numerical",
         "string": "short_answer"}
"""jupyterquiz question type -> the exchange kind it is read as."""


# --- writing -----------------------------------------------------------------------------------

def _choices(item: Item) -> dict[str, Any]:
    answers = []
    for a in item.answers:
        entry: dict[str, Any] = {"answer": a.text, "correct": a.right}
        if a.feedback:
            entry["feedback"] = a.feedback
        answers.append(entry)
    kind = "many_choice" if item.kind == "multiple_choice" else "multiple_choice"
    return {"question": item.prompt, "type": kind, "answers": answers}


def _numerical(item: Item) -> dict[str, Any]:
    main, *cases = item.answers
    if main.tolerance:  # jupyterquiz checks x >= low && x < high: the high end just above, to count
        high = math.nextafter(main.value + main.tolerance, math.inf)
        first: dict[str, Any] = {"type": "range", "range": [main.value - main.tolerance, high],
                                 "correct": True}
    else:
        first = {"type": "value", "value": main.value, "correct": True}
    first["feedback"] = main.feedback if main.feedback is not None else "Correct."
    answers = [first]
    for a in cases:
        entry: dict[str, Any] = ({"type": "range", "range": [a.low, a.high]} if a.is_range
                                 else {"type": "value", "value": a.value})
        entry["correct"] = a.fraction >= 1
        if a.feedback:
            entry["feedback"] = a.feedback
        answers.append(entry)
    if item.feedback.get("wrong"):
        answers.append({"type": "default", "feedback": item.feedback["wrong"]})
    out: dict[str, Any] = {"question": item.stem, "type": "numeric", "answers": answers}
    if item.precision:
        out["precision"] = item.precision
    return out


def _short_answer(item: Item) -> dict[str, Any]:
    answers = []
    for a in item.answers:
        if a.fraction >= 1:
            entry: dict[str, Any] = {"answer": a.text, "correct": True,
                                     "match_case": item.match_case or a.match_case}
            if a.feedback:
                entry["feedback"] = a.feedback
            if item.fuzzy:
                entry["fuzzy_threshold"] = item.fuzzy
        else:
            entry = {"answer": a.text, "correct": False, "feedback": a.feedback,
                     "match_case": item.match_case}
        answers.append(entry)
    if item.feedback.get("wrong"):
        answers.append({"type": "default", "feedback": item.feedback["wrong"]})
    return {"question": item.prompt, "type": "string", "answers": answers}


WRITERS = {"single_choice": _choices, "multiple_choice": _choices, "true_false": _choices,
           "numerical": _numerical, "short_answer": _short_answer}


def export(item: Item) -> Exported:
    """One question as a jupyterquiz object, or None and why (a kind jupyterquiz does not have)."""
    writer = WRITERS.get(item.kind)
    if writer is None:
        return Exported(None, join_notes([f"jupyterquiz has no {item.type or item.kind} questions"],
                                          item.caveats))
    notes = (["written without its patterns (jupyterquiz has none); only the accepted answers count"]
             if item.patterns else [])
    return Exported(writer(item), join_notes(notes, item.caveats))


# --- reading -----------------------------------------------------------------------------------

def _answers(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A jupyterquiz question's ``answers``, checked to be a non-empty list of objects."""
    answers = obj.get("answers")
    if not isinstance(answers, list) or not answers:
        raise ValueError("'answers' must be a non-empty list")
    for j, a in enumerate(answers):
        if not isinstance(a, Mapping):
            raise ValueError(f"answers[{j}] must be an object")
    return answers


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} must be a number")
    return float(value)


def _read_choices(obj: Mapping[str, Any]) -> dict[str, Any]:
    options, answers = [], []
    for j, a in enumerate(_answers(obj)):
        text = a.get("answer", a.get("code"))
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"answers[{j}] has no 'answer' text")
        text = text.strip() if "answer" in a else f"`{text.strip()}`"
        if text in options:
            raise ValueError(f"answers[{j}] repeats the option {text!r}")
        options.append(text)
        feedback = a["feedback"] if isinstance(a.get("feedback"), str) and a["feedback"].strip() else None
        answers.append(Answer(text, 1.0 if a.get("correct") is True else 0.0, feedback))
    right = [a for a in answers if a.right]
    if not right:
        raise ValueError("no answer is marked correct")
    if obj.get("type") == "multiple_choice" and len(right) > 1:
        raise ValueError("a multiple_choice question has more than one correct answer; use many_choice")
    return {"answers": tuple(answers)}


def _read_numeric(obj: Mapping[str, Any]) -> dict[str, Any]:
    precision = obj.get("precision")
    if precision is not None and (
            isinstance(precision, bool) or not isinstance(precision, int) or precision < 1):
        raise ValueError("'precision' must be a positive integer")
    answers, default = [], None
    for j, a in enumerate(_answers(obj)):
        kind = a.get("type") or ("value" if "value" in a else "range" if "range" in a else None)
        if kind == "default":
            default = a.get("feedback")
            continue
        text = a["feedback"] if isinstance(a.get("feedback"), str) else None
        fraction = 1.0 if a.get("correct") is True else 0.0
        if kind == "value":
            value = _number(a.get("value"), f"answers[{j}].value")
            answers.append(Answer(fraction=fraction, feedback=text, value=value))
        elif kind == "range":
            rng = a.get("range")
            if not (isinstance(rng, list) and len(rng) == 2):
                raise ValueError(f"answers[{j}].range must be [low, high]")
            low, high = _number(rng[0], f"answers[{j}].range[0]"), _number(rng[1], f"answers[{j}].range[1]")
            if not low < high:
                raise ValueError(f"answers[{j}].range must have low < high")
            if fraction >= 1 and not any(x.right for x in answers):
                # the key: its midpoint, then the range itself as a right case, half-open as in
                # jupyterquiz (x >= low && x < high), so its high end stays wrong
                answers.append(Answer(fraction=fraction, feedback=text, value=(low + high) / 2))
            answers.append(Answer(fraction=fraction, feedback=text, value=(low + high) / 2,
                                  tolerance=(high - low) / 2, low=low, high=high))
        else:
            raise ValueError(f"answers[{j}] is not a value, range or default answer")
    if not any(a.right for a in answers):
        raise ValueError("no value or range is marked correct")
    feedback = {"wrong": default} if default else {}
    return {"answers": tuple(answers), "feedback": feedback, "precision": precision}


def _read_string(obj: Mapping[str, Any]) -> dict[str, Any]:
    right, wrong, feedback = [], [], {}
    cased: dict[str, bool] = {}  # correct answer -> its match_case, where given
    fuzzy, correct_feedback = None, None
    for j, a in enumerate(_answers(obj)):
        if a.get("type") == "default":
            if isinstance(a.get("feedback"), str):
                feedback["wrong"] = a["feedback"]
            continue
        text = a.get("answer")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"answers[{j}] has no 'answer' text")
        if a.get("correct") is True:
            right.append(text)
            if isinstance(a.get("feedback"), str) and correct_feedback is None:
                correct_feedback = a["feedback"]
            if "match_case" in a:
                cased[text] = bool(a["match_case"])
            if a.get("fuzzy_threshold") is not None:
                fuzzy = _number(a["fuzzy_threshold"], f"answers[{j}].fuzzy_threshold")
        else:
            wrong.append(Answer(text, 0.0, a.get("feedback") or None))
    if not right:
        raise ValueError("no answer is marked correct")
    # One rule for all when the answers agree; else case-insensitive, with the answers that asked for
    # their case keeping it.
    agree = len(set(cased.values())) <= 1
    answers = [Answer(t, 1.0, correct_feedback, match_case=not agree and cased.get(t, False)) for t in right]
    return {"answers": (*answers, *wrong), "feedback": feedback, "fuzzy": fuzzy,
            "match_case": agree and any(cased.values())}


READERS = {"multiple_choice": _read_choices, "many_choice": _read_choices, "numeric": _read_numeric,
           "string": _read_string}


def problem(obj: Any) -> str | None:
    """Why ``obj`` is not a jupyterquiz question tmvlearn reads at all, or None."""
    if not isinstance(obj, Mapping):
        return "not a question object"
    if obj.get("type") not in READS:
        return f"type {obj.get('type')!r} is not one tmvlearn reads ({', '.join(READS)})"
    if not isinstance(obj.get("question"), str) or not obj["question"].strip():
        return "no 'question' text"
    if half := lone_surrogate(obj):
        return f"a lone surrogate ({half}) in its text, which is not text"
    return None


def to_item(obj: Mapping[str, Any], qid: str) -> Item:
    """One jupyterquiz question (one :func:`problem` passes) as an exchange item with id ``qid``.
    Raises ``ValueError`` saying what is wrong with it."""
    text = obj["question"]
    prompt = text if not obj.get("code") else f"{text}\n\n```\n{obj['code']}\n```"
    return Item(id=qid, kind=READS[obj["type"]], prompt=prompt, **READERS[obj["type"]](obj))

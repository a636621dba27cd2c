"""Read and write the jupyterquiz JSON question format.

jupyterquiz (https://github.com/jmshea/jupyterquiz) documents a list of
question objects with ``question``, ``type`` and ``answers``:

* ``multiple_choice`` / ``many_choice``: answers ``{"answer", "correct", "feedback"}``;
* ``numeric``: optional ``precision`` (significant digits) and answers
  ``{"type": "value", "value", "correct", "feedback"}``,
  ``{"type": "range", "range": [lo, hi], ...}`` (lo included, hi excluded) or
  ``{"type": "default", "feedback"}``;
* ``string``: answers ``{"answer", "correct", "feedback", "match_case", "fuzzy_threshold"}``
  or ``{"type": "default", "feedback"}``.

Mapping: multiple_choice <-> single_choice (true_false is written as a
two-option multiple_choice), many_choice <-> multiple_select, numeric <->
numeric, string <-> short_text. Matching and ordering have no jupyterquiz form:
they are listed in ``.skipped`` with a warning, never silently dropped; so are
imported questions this module cannot read.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tmvlearn.quiz.questions import (
    Matching,
    MultipleSelect,
    Numeric,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)

__all__ = ["Converted", "JupyterQuizError", "from_jupyterquiz", "to_jupyterquiz"]


class JupyterQuizError(ValueError):
    """The input is not jupyterquiz JSON at all (unreadable, not a list)."""


class Converted(list):
    """A list of converted questions plus ``skipped``: ``[(id or index, reason), ...]``."""

    def __init__(self, items: Iterable[Any] = (), skipped: list[tuple[str, str]] | None = None):
        super().__init__(items)
        self.skipped = skipped or []


def _warn_skipped(skipped: list[tuple[str, str]], verb: str) -> None:
    if skipped:
        listed = "; ".join(f"{qid}: {why}" for qid, why in skipped)
        warnings.warn(f"tmvlearn: {len(skipped)} question(s) not {verb}: {listed}", UserWarning, stacklevel=3)


# --- reading -----------------------------------------------------------------------


def _make_id(text: str, index: int) -> str:
    slug = "-".join(re.findall(r"[a-z0-9]+", text.lower())[:6]) or "question"
    digest = hashlib.sha1(f"{index}:{text}".encode()).hexdigest()[:6]
    return f"jq-{slug[:40].strip('-')}-{digest}"


def _choice(item: Mapping[str, Any], qid: str, base: dict[str, Any]) -> Question:
    answers = item.get("answers")
    if not isinstance(answers, list) or not answers:
        raise ValueError("'answers' must be a non-empty list")
    options, right, feedback = [], [], {}
    for j, a in enumerate(answers):
        if not isinstance(a, Mapping):
            raise ValueError(f"answers[{j}] must be an object")
        text = a.get("answer", a.get("code"))
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"answers[{j}] has no 'answer' text")
        text = text.strip() if "answer" in a else f"`{text.strip()}`"
        if text in options:
            raise ValueError(f"answers[{j}] repeats the option {text!r}")
        options.append(text)
        if a.get("correct") is True:
            right.append(text)
        if isinstance(a.get("feedback"), str) and a["feedback"].strip():
            feedback[text] = a["feedback"]
    if not right:
        raise ValueError("no answer is marked correct")
    if item["type"] == "multiple_choice":
        if len(right) > 1:
            raise ValueError("a multiple_choice question has more than one correct answer; use many_choice")
        return SingleChoice(options=options, answer=right[0], feedback=feedback, **base)
    return MultipleSelect(options=options, answer=right, feedback=feedback, **base)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} must be a number")
    return float(value)


def _numeric(item: Mapping[str, Any], qid: str, base: dict[str, Any]) -> Question:
    answers = item.get("answers")
    if not isinstance(answers, list) or not answers:
        raise ValueError("'answers' must be a non-empty list")
    precision = item.get("precision")
    if precision is not None and (isinstance(precision, bool) or not isinstance(precision, int) or precision < 1):
        raise ValueError("'precision' must be a positive integer")
    cases, default = [], None
    for j, a in enumerate(answers):
        if not isinstance(a, Mapping):
            raise ValueError(f"answers[{j}] must be an object")
        kind = a.get("type") or ("value" if "value" in a else "range" if "range" in a else None)
        if kind == "default":
            default = a.get("feedback")
            continue
        case: dict[str, Any] = {"correct": a.get("correct") is True}
        if kind == "value":
            case["value"] = _number(a.get("value"), f"answers[{j}].value")
        elif kind == "range":
            rng = a.get("range")
            if not (isinstance(rng, list) and len(rng) == 2):
                raise ValueError(f"answers[{j}].range must be [low, high]")
            case["range"] = [_number(rng[0], f"answers[{j}].range[0]"), _number(rng[1], f"answers[{j}].range[1]")]
            if not case["range"][0] < case["range"][1]:
                raise ValueError(f"answers[{j}].range must have low < high")
        else:
            raise ValueError(f"answers[{j}] is not a value, range or default answer")
        if isinstance(a.get("feedback"), str):
            case["feedback"] = a["feedback"]
        cases.append(case)
    main = next((c for c in cases if c["correct"]), None)
    if main is None:
        raise ValueError("no value or range is marked correct")
    if "value" in main:
        answer, tolerance = main["value"], 0.0
        cases.remove(main)
    else:  # keep the half-open range as a case; the answer is its midpoint
        lo, hi = main["range"]
        answer, tolerance = (lo + hi) / 2, 0.0
    feedback: dict[str, str] = {}
    if "feedback" in main and "value" in main:
        feedback["correct"] = main["feedback"]
    if default:
        feedback["wrong"] = default
    return Numeric(answer=answer, tolerance=tolerance, precision=precision, cases=cases, feedback=feedback, **base)


def _string(item: Mapping[str, Any], qid: str, base: dict[str, Any]) -> Question:
    answers = item.get("answers")
    if not isinstance(answers, list) or not answers:
        raise ValueError("'answers' must be a non-empty list")
    accepted, wrong, feedback = [], [], {}
    match_case, fuzzy = None, None
    for j, a in enumerate(answers):
        if not isinstance(a, Mapping):
            raise ValueError(f"answers[{j}] must be an object")
        if a.get("type") == "default":
            if isinstance(a.get("feedback"), str):
                feedback["wrong"] = a["feedback"]
            continue
        text = a.get("answer")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"answers[{j}] has no 'answer' text")
        if a.get("correct") is True:
            accepted.append(text)
            if isinstance(a.get("feedback"), str) and "correct" not in feedback:
                feedback["correct"] = a["feedback"]
            if "match_case" in a:
                if match_case is not None and bool(a["match_case"]) != match_case:
                    raise ValueError("correct answers disagree on match_case; tmvlearn uses one setting per question")
                match_case = bool(a["match_case"])
            if a.get("fuzzy_threshold") is not None:
                fuzzy = _number(a["fuzzy_threshold"], f"answers[{j}].fuzzy_threshold")
        else:
            wrong.append({"answer": text, "feedback": a.get("feedback") or "Not quite."})
    if not accepted:
        raise ValueError("no answer is marked correct")
    return ShortText(accepted=accepted, match_case=bool(match_case), fuzzy_threshold=fuzzy,
                     wrong_answers=wrong, feedback=feedback, **base)


_READERS = {"multiple_choice": _choice, "many_choice": _choice, "numeric": _numeric, "string": _string}


def from_jupyterquiz(source: str | Path | list[Mapping[str, Any]], *, lesson: str | None = None) -> Converted:
    """Questions from a jupyterquiz JSON file (path) or list of question dicts.

    Returns a :class:`Converted` list of questions; those that cannot be read
    are in ``.skipped`` (index and reason) and named in a warning.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            source = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise JupyterQuizError(f"cannot read {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise JupyterQuizError(f"{path} is not valid JSON: {exc}") from None
    if isinstance(source, Mapping):
        source = [source]
    if not isinstance(source, list):
        raise JupyterQuizError(f"jupyterquiz questions must be a JSON list of objects, got {type(source).__name__}")
    out, skipped, ids = Converted(), [], set()
    for i, item in enumerate(source):
        label = f"#{i + 1}"
        if not isinstance(item, Mapping):
            skipped.append((label, "not a question object"))
            continue
        text, kind = item.get("question"), item.get("type")
        if kind not in _READERS:
            skipped.append((label, f"type {kind!r} is not one tmvlearn reads ({', '.join(_READERS)})"))
            continue
        if not isinstance(text, str) or not text.strip():
            skipped.append((label, "no 'question' text"))
            continue
        qid = _make_id(text, i)
        while qid in ids:
            qid += "-x"
        ids.add(qid)
        prompt = text if not item.get("code") else f"{text}\n\n```\n{item['code']}\n```"
        base = {"id": qid, "prompt": prompt, "lesson": lesson}
        try:
            out.append(_READERS[kind](item, qid, base))
        except ValueError as exc:
            skipped.append((label, str(exc)))
    out.skipped = skipped
    _warn_skipped(skipped, "imported")
    return out


# --- writing -----------------------------------------------------------------------


def _choice_out(q: SingleChoice | MultipleSelect | TrueFalse) -> dict[str, Any]:
    if isinstance(q, TrueFalse):
        options, right = ["True", "False"], ["True" if q.answer else "False"]
        fb = {right[0]: q.feedback.get("correct"), ({"True", "False"} - set(right)).pop(): q.feedback.get("wrong")}
        kind = "multiple_choice"
    else:
        options = q.options
        right = [q.answer] if isinstance(q, SingleChoice) else list(q.answer)
        fb = q.feedback
        kind = "multiple_choice" if isinstance(q, SingleChoice) else "many_choice"
    answers = []
    for option in options:
        entry: dict[str, Any] = {"answer": option, "correct": option in right}
        if fb.get(option):
            entry["feedback"] = fb[option]
        answers.append(entry)
    return {"question": q.prompt, "type": kind, "answers": answers}


def _numeric_out(q: Numeric) -> dict[str, Any]:
    width = max(q.tolerance, q.rel_tolerance * abs(q.answer))
    if width:
        main: dict[str, Any] = {"type": "range", "range": [q.answer - width, q.answer + width], "correct": True}
    else:
        main = {"type": "value", "value": q.answer, "correct": True}
    main["feedback"] = q.feedback.get("correct", "Correct.")
    answers = [main]
    for case in q.cases:
        entry = {"type": "value", "value": case["value"]} if "value" in case else {"type": "range", "range": list(case["range"])}
        entry["correct"] = bool(case.get("correct"))
        if case.get("feedback"):
            entry["feedback"] = case["feedback"]
        answers.append(entry)
    if q.feedback.get("wrong"):
        answers.append({"type": "default", "feedback": q.feedback["wrong"]})
    prompt = q.prompt if not q.unit else f"{q.prompt} (in {q.unit})"
    out: dict[str, Any] = {"question": prompt, "type": "numeric", "answers": answers}
    if q.precision:
        out["precision"] = q.precision
    return out


def _string_out(q: ShortText) -> dict[str, Any]:
    answers = []
    for text in q.accepted:
        entry: dict[str, Any] = {"answer": text, "correct": True, "match_case": q.match_case}
        if q.feedback.get("correct"):
            entry["feedback"] = q.feedback["correct"]
        if q.fuzzy_threshold:
            entry["fuzzy_threshold"] = q.fuzzy_threshold
        answers.append(entry)
    for wrong in q.wrong_answers:
        answers.append({"answer": wrong["answer"], "correct": False, "feedback": wrong["feedback"], "match_case": q.match_case})
    if q.feedback.get("wrong"):
        answers.append({"type": "default", "feedback": q.feedback["wrong"]})
    return {"question": q.prompt, "type": "string", "answers": answers}


def to_jupyterquiz(questions: Iterable[Question], path: str | Path | None = None) -> Converted:
    """Our questions as jupyterquiz question dicts (written to ``path`` as JSON if given).

    Matching and ordering questions, which jupyterquiz cannot express, are
    listed in ``.skipped`` with the reason and named in a warning. Short-text
    ``patterns`` have no jupyterquiz form either: such a question is written
    with its accepted answers and the loss is listed in ``.skipped`` too.
    """
    out, skipped = Converted(), []
    for q in questions:
        if isinstance(q, (Matching, Ordering)):
            skipped.append((q.id, f"jupyterquiz has no {q.type} questions"))
        elif isinstance(q, (SingleChoice, MultipleSelect, TrueFalse)):
            out.append(_choice_out(q))
        elif isinstance(q, Numeric):
            out.append(_numeric_out(q))
        elif isinstance(q, ShortText):
            out.append(_string_out(q))
            if q.patterns:
                skipped.append((q.id, "written without its patterns (jupyterquiz has none); only the accepted answers count"))
        else:
            skipped.append((getattr(q, "id", "?"), f"unknown question type {type(q).__name__}"))
    out.skipped = skipped
    if path is not None:
        Path(path).write_text(json.dumps(list(out), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _warn_skipped(skipped, "exported in full")
    return out

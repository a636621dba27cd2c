"""Read and write jupyterquiz JSON: the public functions over :mod:`tmvlearn.quiz.lms.jupyterquiz`.

The format itself (its question types and answers, how each exchange kind is written and read) is
in :mod:`tmvlearn.quiz.lms.jupyterquiz`, which works on the neutral exchange form
(:mod:`tmvlearn.quiz.exchange`); this module joins it to the question types. Matching and ordering
have no jupyterquiz form: they are listed in ``.skipped`` with a warning, never silently dropped;
so are imported questions that cannot be read.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tmvlearn.errors import TmvlearnError
from tmvlearn.quiz.lms import jupyterquiz
from tmvlearn.quiz.questions import Question, exchange_type, question_from_dict

__all__ = ["Converted", "JupyterQuizError", "from_jupyterquiz", "to_jupyterquiz"]


class JupyterQuizError(TmvlearnError, ValueError):
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


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(step) for step in error["loc"][1:])  # past the type name
    return f"{where}: {error['msg']}" if where else error["msg"]


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
        raise JupyterQuizError(
            f"jupyterquiz questions must be a JSON list of objects, got {type(source).__name__}")
    out, skipped, ids = Converted(), [], set()
    for i, item in enumerate(source):
        label = f"#{i + 1}"
        why = jupyterquiz.problem(item)
        if why:
            skipped.append((label, why))
            continue
        qid = _make_id(item["question"], i)
        while qid in ids:
            qid += "-x"
        ids.add(qid)
        try:
            read = jupyterquiz.to_item(item, qid)
            cls = exchange_type(read.kind)
            entry = {"id": qid, "type": cls.type_name(), "prompt": read.prompt, **cls.from_exchange(read)}
            out.append(question_from_dict(entry, lesson))
        except ValueError as exc:
            skipped.append((label, str(exc)))
        except ValidationError as exc:
            skipped.append((label, _first_error(exc)))
    out.skipped = skipped
    _warn_skipped(skipped, "imported")
    return out


# --- writing -----------------------------------------------------------------------


def to_jupyterquiz(questions: Iterable[Question], path: str | Path | None = None) -> Converted:
    """Our questions as jupyterquiz question dicts (written to ``path`` as JSON if given).

    Matching and ordering questions, which jupyterquiz cannot express, are
    listed in ``.skipped`` with the reason and named in a warning. Short-text
    ``patterns`` have no jupyterquiz form either: such a question is written
    with its accepted answers and the loss is listed in ``.skipped`` too.
    """
    out, skipped = Converted(), []
    for q in questions:
        exported = jupyterquiz.export(q.to_exchange())
        if exported.data is not None:
            out.append(exported.data)
        if exported.note:
            skipped.append((q.id, exported.note))
    out.skipped = skipped
    if path is not None:
        Path(path).write_text(json.dumps(list(out), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _warn_skipped(skipped, "exported in full")
    return out

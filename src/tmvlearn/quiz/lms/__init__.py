"""Question banks to and from learning management systems and jupyterquiz: the public functions.

* :func:`export_banks`: banks to Moodle GIFT, Moodle XML or a Canvas QTI 1.2 zip; what a format
  loses is reported per question in :attr:`ExportResult.notes`, never dropped silently.
* :func:`import_gift` / :func:`import_jupyterquiz`: a GIFT or jupyterquiz file to a bank that
  passes ``tmvlearn quiz check``; questions that cannot be read are reported with their line.
* :func:`to_jupyterquiz` / :func:`from_jupyterquiz`: questions as jupyterquiz objects and back.

Every format goes through the neutral exchange form (:mod:`tmvlearn.quiz.exchange`): a question
describes itself once (``question.to_exchange()``), each format module of
:mod:`tmvlearn.quiz.formats` (gift, moodle_xml, qti, jupyterquiz) writes that form
(``export(item)``) and reads into it, and a type builds its fields back from it
(``from_exchange``). The format modules never import the question classes and the question types
never import a format; this package joins the two. A new format is one module (and its name in
:data:`FORMATS` to reach the command line); a new type is one class plus its neutral form.

Everything read is untrusted: sizes are bounded, parsing is linear, and text becomes HTML only
through :mod:`tmvlearn.quiz.markup`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tmvlearn._files import Refused, load_json, read_regular
from tmvlearn.errors import TmvlearnError, UsageError

__all__ = ["FORMATS", "Converted", "ExportResult", "Imported", "JupyterQuizError", "LmsError", "export_banks",
           "export_question", "export_text", "from_jupyterquiz", "import_gift", "import_jupyterquiz",
           "to_jupyterquiz", "write_bank"]

FORMATS = {"gift": "gift", "moodle-xml": "moodle_xml", "qti": "qti"}  # CLI name -> quiz.formats.<module>
IMPORTS = ("gift", "jupyterquiz")


class LmsError(TmvlearnError, ValueError):
    """An export or import that cannot be done; the message says which file and why."""


@dataclass
class ExportResult:
    """What was written: the text (or zip bytes), and per question what the format lost."""

    fmt: str
    data: str | bytes
    questions: int = 0
    notes: list[tuple[str, str]] = field(default_factory=list)  # (question id, what is lost)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (question id, why)
    path: Path | None = None


def _banks(specs: Iterable[Any]) -> list[Any]:
    from tmvlearn.quiz.bank import Bank, load_bank

    banks = [s if isinstance(s, Bank) else load_bank(s) for s in specs]  # BankError lists problems
    if not banks:
        raise UsageError("give at least one lesson id or bank file to export")
    return banks


def export_question(q: Any, fmt: str) -> Any:
    """Question ``q`` in format ``fmt`` (a module of :mod:`tmvlearn.quiz.formats`: ``gift``,
    ``moodle_xml``, ``qti`` or ``jupyterquiz``) as :class:`~tmvlearn.quiz.exchange.Exported`."""
    import importlib

    from tmvlearn.quiz.exchange import Exported

    if fmt not in (*FORMATS.values(), "jupyterquiz"):
        return Exported(None, f"{fmt} has no {q.type} questions")
    module = importlib.import_module(f"tmvlearn.quiz.formats.{fmt}")
    return module.export(q.to_exchange())


def export_text(specs: Iterable[Any], fmt: str) -> ExportResult:
    """Banks (lesson ids, bank paths or :class:`Bank` objects) in format ``fmt``
    (``gift``, ``moodle-xml`` or ``qti``), not written anywhere."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    banks = _banks(specs)
    method = FORMATS[fmt]
    result = ExportResult(fmt, "")
    per_bank = []
    for bank in banks:
        items = []
        for q in bank.questions:
            exported = export_question(q, method)
            if exported.data is None:
                result.skipped.append((q.id, exported.note or f"{fmt} cannot hold it"))
                continue
            items.append(exported.data)
            result.questions += 1
            if exported.note:
                result.notes.append((q.id, exported.note))
        per_bank.append((bank, items))
    if method == "gift":
        from tmvlearn.quiz.formats.gift import file_text
        result.data = file_text(per_bank)
    elif method == "moodle_xml":
        from tmvlearn.quiz.formats.moodle_xml import file_text
        result.data = file_text(per_bank)
    else:
        from tmvlearn.quiz.formats.qti import package
        result.data = package(per_bank)
    return result


def check_out(out: str | Path, force: bool) -> Path:
    """The output path, checked before any work: its folder exists and is writable, and an
    existing file is kept unless ``force``."""
    path = Path(out)
    if path.is_dir():
        raise UsageError(f"{path} is a folder: give a file name for --out")
    if path.exists() and not force:
        raise UsageError(f"{path} exists; it is kept. Give --force to replace it, or another --out.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"cannot write {path}: no permission to write there; choose another --out")
    try:  # permissions are not the whole story (a read-only file system, root on /sys)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}; choose another --out") from None
    return path


def _write(path: Path, data: str | bytes, force: bool) -> None:
    """Write all at once (no half file on failure), with a new file's usual mode under the umask or
    the mode of the file replaced: the project's one atomic writer."""
    from tmvlearn._files import write_atomically

    write_atomically(path, data, force=force, error=LmsError)


def export_banks(specs: Iterable[Any], fmt: str, out: str | Path | None = None, *,
                 force: bool = False) -> ExportResult:
    """Export banks to ``fmt``; with ``out``, write the file (checked first, kept unless ``force``)."""
    path = check_out(out, force) if out is not None else None
    result = export_text(list(specs), fmt)
    if path is not None:
        _write(path, result.data, force)
        result.path = path
    return result


# --- jupyterquiz: the question objects themselves (from_jupyterquiz, to_jupyterquiz) -------------------

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


# --- jupyterquiz: reading ---------------------------------------------------------------


def _make_id(text: str, index: int) -> str:
    slug = "-".join(re.findall(r"[a-z0-9]+", text.lower())[:6]) or "question"
    digest = hashlib.sha1(f"{index}:{text}".encode()).hexdigest()[:6]
    return f"jq-{slug[:40].strip('-')}-{digest}"


def _unique_id(qid: str, taken: dict[str, int]) -> str:
    """``qid``, or when taken ``qid-x``, then ``qid-x2``, ``qid-x3``...: the first free one, recorded in
    ``taken`` (id -> the last suffix given for it), so that n equal titles cost n steps, not n²."""
    base, n = qid, taken.get(qid, 0)
    while qid in taken:
        n += 1
        qid = f"{base}-x" if n == 1 else f"{base}-x{n}"
    taken[base] = n
    taken.setdefault(qid, 0)
    return qid


def _refused(path: Path, exc: Refused) -> str:
    """A file refused by the bounded reader (:mod:`tmvlearn._files`), in one sentence naming it."""
    why = str(exc)
    if why.startswith("cannot be read: "):
        return f"cannot read {path}: {why.removeprefix('cannot be read: ')}"
    if why.startswith("not readable JSON ("):
        return f"{path} is not valid JSON: {why.removeprefix('not readable JSON (')[:-1]}"
    return f"{path}: {why}"


def _first_error(exc: Any) -> str:
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
            source = load_json(read_regular(path))
        except Refused as exc:
            raise JupyterQuizError(_refused(path, exc)) from None
    if isinstance(source, Mapping):
        source = [source]
    if not isinstance(source, list):
        raise JupyterQuizError(
            f"jupyterquiz questions must be a JSON list of objects, got {type(source).__name__}")
    from pydantic import ValidationError

    from tmvlearn.quiz.formats import jupyterquiz
    from tmvlearn.quiz.questions import exchange_type, question_from_dict

    out, skipped, ids = Converted(), [], {}
    for i, item in enumerate(source):
        label = f"#{i + 1}"
        why = jupyterquiz.problem(item)
        if why:
            skipped.append((label, why))
            continue
        qid = _unique_id(_make_id(item["question"], i), ids)
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


# --- jupyterquiz: writing ---------------------------------------------------------------


def to_jupyterquiz(questions: Iterable[Any], path: str | Path | None = None) -> Converted:
    """Our questions as jupyterquiz question dicts (written to ``path`` as JSON if given).

    Matching and ordering questions, which jupyterquiz cannot express, are
    listed in ``.skipped`` with the reason and named in a warning. Short-text
    ``patterns`` have no jupyterquiz form either: such a question is written
    with its accepted answers and the loss is listed in ``.skipped`` too.
    """
    out, skipped = Converted(), []
    for q in questions:
        exported = export_question(q, "jupyterquiz")
        if exported.data is not None:
            out.append(exported.data)
        if exported.note:
            skipped.append((q.id, exported.note))
    out.skipped = skipped
    if path is not None:
        Path(path).write_text(json.dumps(list(out), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _warn_skipped(skipped, "exported in full")
    return out


# --- importing ---------------------------------------------------------------------------------

@dataclass
class Imported:
    """A bank read from another format: ``bank`` (the YAML mapping), ``skipped`` as (where, why) in
    line order, ``notes`` as (where, note) on questions imported with a change worth knowing."""

    bank: dict[str, Any]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    path: Path | None = None
    lost: list[tuple[str, str]] = field(default_factory=list)  # (where, what): imported, but not whole


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.4g}%"


def partial_credit_lost(item: Any, answers: Iterable[Any] | None = None) -> str | None:
    """What an imported question's partial credit becomes in tmvlearn, where its type cannot hold it
    (one note per question), or None. tmvlearn's short text, numeric and single choice have right and
    wrong answers only, and its multiple select scores all or nothing. ``answers`` (with ``text`` and
    ``fraction``): as the file gave them, when the reader has already rounded ``item``'s."""
    part = [a for a in (item.answers if answers is None else answers) if 0 < a.fraction < 1 and a.text != "*"]
    shares = ", ".join(_percent(a.fraction) for a in part)
    if part and item.kind == "short_answer":
        return (f"{len(part)} answer(s) worth part of the mark ({shares}) came in as wrong answers: a "
                "tmvlearn short text has no partial credit")
    if part and item.kind == "numerical":
        return (f"{len(part)} number(s) worth part of the mark ({shares}) came in as wrong numbers: a "
                "tmvlearn numeric question has no partial credit")
    if part and item.kind == "single_choice":
        return (f"{len(part)} option(s) worth part of the mark ({shares}) came in as wrong options: a "
                "tmvlearn single choice has one right option")
    if item.kind == "multiple_choice" and item.type is None:  # not written by tmvlearn
        return ("the LMS's partial credit for a partly right selection is not kept: a tmvlearn multiple "
                "select scores all or nothing")
    return None


_LESSON = re.compile(r"^[0-9]{2}_[a-z0-9_]+$")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def lesson_from_out(out: str | Path) -> str:
    stem = Path(out).stem
    if not _LESSON.match(stem) or Path(out).suffix not in (".yaml", ".yml"):
        raise UsageError(f"{out}: name the bank file after its lesson id, two digits, an underscore and "
                         "lowercase words, ending in .yaml (for example 90_imported_quiz.yaml)")
    return stem


_EXPORT_GIFT = ("in Moodle, export the questions as GIFT (Question bank > Export > GIFT format) and import "
                "that file; or give a jupyterquiz JSON file with --format jupyterquiz")


def _looks_like(head: bytes, text: str | None) -> str | None:
    """What a file that is clearly not GIFT looks like, and what to do, or None."""
    if head.startswith(b"PK\x03\x04"):
        return ("is a zip archive (a Canvas QTI package?), not GIFT text; tmvlearn cannot read it: "
                + _EXPORT_GIFT)
    if text is None:
        return None
    start = text.lstrip()[:4000]
    if start.startswith("<"):
        if "<questestinterop" in start or "<assessmentItem" in start:
            kind = "QTI XML (Canvas)"
        elif start.startswith("<quiz") or re.match(r"<\?xml[^>]*>\s*(<!--.*?-->\s*)*<quiz\b", start, re.S):
            kind = "Moodle XML"
        else:
            kind = "XML or HTML"
        return f"looks like {kind}, not GIFT; tmvlearn cannot read it: {_EXPORT_GIFT}"
    if start[:1] in "[{":
        try:
            load_json(text)
        except Refused as exc:
            if str(exc).startswith("not readable JSON"):
                return None  # "[html]..." starts a GIFT question too
        return "looks like JSON, not GIFT: if it is a jupyterquiz file, import it with --format jupyterquiz"
    return None


def _read_source(path: Path, fmt: str = "gift") -> str:
    from tmvlearn.quiz.formats.gift import MAX_BYTES

    try:
        raw = read_regular(path, limit=MAX_BYTES + 1)  # a FIFO or a device is refused, not read
    except Refused as exc:
        raise LmsError(_refused(path, exc)) from None
    if len(raw) > MAX_BYTES:
        raise LmsError(f"{path}: the file is over {MAX_BYTES // 1_000_000} MB; split it")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    why = _looks_like(raw[:4], text if fmt == "gift" else None)
    if why:
        raise LmsError(f"{path} {why}")
    if text is None:
        raise LmsError(f"{path} is not UTF-8 text; save it as UTF-8 and try again")
    return text


def _slug(text: str, limit: int = 40) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:limit].strip("-") or "question"


def _entry(q: Any) -> dict[str, Any]:
    """A question as a bank entry: id, type, prompt first, then the fields it sets."""
    data = q.model_dump(mode="json", exclude_defaults=True)
    head = {"id": q.id, "type": q.type, "prompt": q.prompt}
    return {**head, **{k: v for k, v in data.items() if k not in head}}


def _check_entry(entry: dict[str, Any], lesson: str) -> str | None:
    """Why this entry would fail ``quiz check`` on its own, or None."""
    from pydantic import ValidationError

    from tmvlearn.quiz.questions import question_from_dict

    try:
        q = question_from_dict(entry, lesson)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(s) for s in error["loc"][1:])
        return f"{where}: {error['msg']}" if where else error["msg"]
    problems = q.bank_problems()
    if problems:
        path, message = problems[0]
        return f"{'.'.join(str(s) for s in path)}: {message}"
    if not q.check(q.key_response()).correct:
        return "its key does not grade correct in tmvlearn"
    for wrong in q.distractor_responses():
        if q.check(wrong).correct:
            return f"the wrong answer {wrong!r} grades correct in tmvlearn"
    return None


def import_gift(source: str | Path, out: str | Path, *, lesson: str | None = None,
                title: str | None = None) -> Imported:
    """A bank (mapping) read from a GIFT file, for the bank file ``out`` (its name is the lesson id).

    Questions written by tmvlearn come back whole (their ``// tmvlearn:`` comment carries id,
    objective, difficulty, source and the fields GIFT cannot hold); others get an id from their
    title, an objective per category, and a note asking for an explanation and a source.
    """
    from tmvlearn.quiz.formats.gift import TITLE, read_gift, to_item
    from tmvlearn.quiz.questions import exchange_type

    path = Path(source)
    lesson = lesson or lesson_from_out(out)
    questions, skipped_lines, categories = read_gift(_read_source(path))
    name = path.name
    skipped = [(f"{name} line {line}", why) for line, why in skipped_lines]
    metas = [meta for _, _, meta in categories if meta.get("lesson")]
    # Objectives: the banks' own when one tmvlearn bank came in; else one per category.
    objectives: dict[str, str] = {}
    by_category: dict[tuple[str | None, str], str] = {}
    single = len(metas) == 1 and len({c for _, c, _ in categories}) == 1
    category_objectives = {c: {k: v for k, v in (m.get("objectives") or {}).items()
                               if isinstance(v, str) and v.strip()}
                           for _, c, m in categories if isinstance(m.get("objectives"), dict)}
    if single:
        objectives = {k: v for k, v in (metas[0].get("objectives") or {}).items()
                      if isinstance(k, str) and isinstance(v, str) and re.match(r"^O\d+$", k) and v.strip()}
    entries, ids, notes, imported_lost = [], {}, [], []
    for q in questions:
        where = f"{name} line {q.line}"
        meta = q.meta or {}
        try:
            item = to_item(q)
            cls = exchange_type(item.kind, item.type)
            kind = cls.type_name()
            fields = cls.from_exchange(item)
        except ValueError as exc:
            skipped.append((where, str(exc)))
            continue
        qid = meta.get("id") if isinstance(meta.get("id"), str) and _ID.match(meta["id"]) else None
        if qid is None and q.title:
            m = TITLE.match(q.title)
            qid = m.group(3) if m else f"gift-{_slug(q.title)}"
        qid = _unique_id(qid or f"gift-{_slug(q.markdown(q.text))}", ids)
        entry: dict[str, Any] = {"id": qid, "type": kind, "prompt": item.prompt, **fields}
        own = meta.get("objective") if isinstance(meta.get("objective"), str) else None
        if single and own in objectives:
            objective = own
        else:  # several banks in one file: their objectives renumbered, their texts kept
            bank_objectives = category_objectives.get(q.category) or {}
            key = (q.category, own if own in bank_objectives else "")
            if key not in by_category:
                number = len(objectives) + 1
                while f"O{number}" in objectives:
                    number += 1
                shown = re.sub(r"^\$(course|cat\d*|system|module)\$/(top/)?", "", q.category or "")
                objectives[f"O{number}"] = (
                    f"{shown}: {bank_objectives[own]}" if key[1] else f"Questions of the category {shown}"
                    if shown else f"Questions imported from {name}")
                by_category[key] = f"O{number}"
            objective = by_category[key]
        entry["explanation"] = item.explanation or "No explanation came with this question."
        entry["source"] = meta.get("source") if isinstance(meta.get("source"), dict) else {
            "document": "imported", "section": item.source_text or f"{name}, line {q.line}", "refs": []}
        entry["objective"] = objective
        entry["difficulty"] = meta.get("difficulty") if meta.get("difficulty") in (1, 2, 3) else 2
        for key in ("note", "solution"):
            if isinstance(meta.get(key), str) and meta[key].strip():
                entry[key] = meta[key]
        if not meta:
            entry["note"] = f"Imported from {where}: check it, and give an explanation and a source."
        why = _check_entry(entry, lesson)
        if why:
            skipped.append((f"{where} (question {qid})", why))
            continue
        entries.append(entry)
        lost = partial_credit_lost(item, q.answers)
        if lost:
            imported_lost.append((f"{where} (question {qid})", lost))
        worked = meta.get("worked_variant")
        if isinstance(worked, dict) and worked:  # written by tmvlearn from a variant (fresh numbers)
            values = ", ".join(f"{k} = {v}" for k, v in worked.items())
            notes.append((f"{where} (question {qid})", "its numbers varied per learner in tmvlearn; imported "
                          f"with the fixed worked values ({values})"))
    title = title or (metas[0].get("title") if single else None) or f"Imported from {name}"
    imported = _finish(lesson, title, objectives, entries, skipped, name)
    imported.notes, imported.lost = notes, imported_lost
    return imported


def _order(skip: tuple[str, str]) -> float:
    """A skipped question's line (or question number) in its file, to report them in file order."""
    m = re.search(r" (?:line|question) (\d+)", skip[0])
    return int(m.group(1)) if m else float("inf")


def _finish(lesson: str, title: str, objectives: dict[str, str], entries: list[dict[str, Any]],
            skipped: list[tuple[str, str]], name: str) -> Imported:
    skipped = sorted(skipped, key=_order)
    if not entries:
        listed = "; ".join(f"{w}: {why}" for w, why in skipped[:10]) or "the file has no questions"
        raise LmsError(f"{name}: no question could be imported ({listed})")
    used = {e["objective"] for e in entries}
    objectives = {k: v for k, v in objectives.items() if k in used}
    bank = {"lesson": lesson, "title": title, "objectives": objectives, "questions": entries}
    return Imported(bank, skipped)


def import_jupyterquiz(source: str | Path, out: str | Path, *, lesson: str | None = None,
                       title: str | None = None) -> Imported:
    """A bank read from a jupyterquiz JSON file (see :mod:`.jupyterquiz`)."""
    path = Path(source)
    lesson = lesson or lesson_from_out(out)
    text = _read_source(path, "jupyterquiz")
    try:
        items = load_json(text)
    except Refused as exc:  # nested 100,000 deep: refused, not a RecursionError
        raise LmsError(_refused(path, exc)) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the skips are reported below
        questions = from_jupyterquiz(items, lesson=lesson)
    skipped = [(f"{path.name} question {where}", why) for where, why in questions.skipped]
    entries = []
    for q in questions:
        entry = _entry(q)
        entry.update(explanation="No explanation came with this question.",
                     source={"document": "imported", "section": path.name, "refs": []},
                     objective="O1", difficulty=2,
                     note=f"Imported from {path.name}: check it, and give an explanation and a source.")
        why = _check_entry(entry, lesson)
        if why:
            skipped.append((f"{path.name} question {q.id}", why))
        else:
            entries.append(entry)
    objectives = {"O1": f"Questions imported from {path.name}"}
    return _finish(lesson, title or f"Imported from {path.name}", objectives, entries, skipped, path.name)


def write_bank(imported: Imported, out: str | Path, *, force: bool = False) -> Path:
    """Write an imported bank as YAML, after checking it as ``tmvlearn quiz check`` does; a bank
    that fails is not written and its problems are listed."""
    import yaml

    from tmvlearn.quiz.bank import BankError, validate_files

    path = check_out(out, force)
    text = ("# Imported with tmvlearn quiz import; check with `tmvlearn quiz check`.\n"
            + yaml.safe_dump(imported.bank, sort_keys=False, allow_unicode=True, width=100))
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / path.name
        trial.write_text(text, encoding="utf-8")
        problems = validate_files([trial])
    if problems:
        raise BankError(problems)
    _write(path, text, force)
    imported.path = path
    return path


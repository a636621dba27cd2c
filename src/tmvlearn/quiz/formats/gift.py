"""Moodle's GIFT text format: escaping, one question's text, a file, and a bounded reader.

Written as Moodle's importer (``question/format/gift/format.php``) reads it: questions apart by
blank lines, ``//`` comment lines, ``$CATEGORY:`` lines, ``::title::``, a ``[html]`` text format,
one ``{...}`` answer section with ``####`` general feedback, and ``\\`` before each of
``~ = # { } :``. A real newline is written ``\\n``. Moodle's reader (``escapedchar_pre``) turns
``\\\\`` into one backslash first, then ``\\n`` into a newline and ``\\#`` and the like into the
character, so a backslash that would otherwise start one of those (``\\nu``, ``\\{``, a backslash
before a written escape or at the end of a text) is written ``\\\\``, as Moodle's own GIFT export
writes it; any other backslash (``\\(``, ``\\alpha``) is written as it is. (``&#92;`` would not
do: its ``#`` starts an answer's feedback.)

Each tmvlearn question is preceded by a ``// tmvlearn: {json}`` comment with its id, lesson,
objective, difficulty and source, and the fields GIFT cannot hold; Moodle ignores comments, and
:func:`read_gift` uses it so a round trip gives back the same bank.

Like every format module, this one writes from the neutral exchange form (:func:`export` of a
:class:`tmvlearn.quiz.exchange.Item`) and reads into it (:func:`to_item`); it never sees the
question classes.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from tmvlearn._files import Refused, load_json
from tmvlearn.quiz.exchange import POSITION, Answer, Exported, Item, Pair, join_notes
from tmvlearn.quiz.formats.numbers import (
    format_number,
    grade,
    shares,
    short_range,
    short_tolerance,
    weight,
)
from tmvlearn.quiz.formats.text import (
    block_html,
    general_html,
    line_html,
    lossy_plain,
    plain,
    plain_losses,
    title,
)

__all__ = ["GiftQuestion", "escape", "export", "format_number", "grade", "lossy_plain", "read_gift",
           "short_range", "short_tolerance", "to_item", "weight"]

SPECIAL = "~=#{}:"
META = "// tmvlearn: "
BANK_META = "// tmvlearn bank: "


# A backslash that Moodle would read as the start of an escape (before ~=#{}:n, a backslash, a
# newline, or at the end, where an escape or a feedback's # follows), or a special character.
_ESCAPE = re.compile(r"\\(?=[~=#{}:n\\\n\r]|\Z)|[~=#{}:\n\r]")  # one character at a time: linear


def escape(text: str, html: bool = True) -> str:
    """``text`` with GIFT's special characters escaped and newlines written ``\\n``; the same in HTML
    and plain text (``html`` is kept for callers)."""
    def one(m: re.Match) -> str:
        ch = m.group(0)
        if ch == "\\":
            return "\\\\"
        return {"\n": "\\n", "\r": ""}.get(ch, "\\" + ch)

    return _ESCAPE.sub(one, text)


def html(text: str, block: bool = False) -> str:
    """Bank Markdown as escaped GIFT HTML."""
    return escape(block_html(text) if block else line_html(text))


def text(value: str) -> str:
    """Bank Markdown as escaped GIFT plain text (short answers, matching choices)."""
    return escape(plain(value), html=False)


TITLE = re.compile(  # the title written by text.title(): lesson, objective, id
    r"^(?:(\d{2}_[a-z0-9_]+) )?(?:(O\d+) )?([a-z0-9]+(?:-[a-z0-9]+)*)$")


def meta(item: Item, kept: dict[str, Any]) -> dict[str, Any]:
    """What the ``// tmvlearn:`` comment carries for one question."""
    out: dict[str, Any] = {"id": item.id, "type": item.type}
    for key in ("objective", "difficulty", "source", "note", "solution"):
        value = getattr(item, key)
        if value:
            out[key] = value
    if item.worked:  # a tmvlearn variant, exported as its worked values
        out["worked_variant"] = item.worked
    if kept:
        out["extras"] = kept
    return out


def feedback_part(feedback: str | None) -> str:
    return f"#{html(feedback)}" if feedback else ""


# --- writing: one answer section per kind, from the neutral item --------------------------------
# Each returns (answer lines, notes on what GIFT loses, fields for the comment).

Written = tuple[list[str], list[str], dict[str, Any]]


def _choices(item: Item) -> Written:
    """``=right ~wrong`` (one answer), or weighted ``~%50%right ~%-50%wrong`` (several), the right
    options' weights adding to 100% (:func:`~tmvlearn.quiz.formats.numbers.shares`)."""
    if item.kind == "single_choice":
        return [("=" if a.fraction >= 1 else "~") + html(a.text) + feedback_part(a.feedback)
                for a in item.answers], [], {}
    fractions, notes = shares([a.fraction for a in item.answers])
    return [f"~{weight(f)}{html(a.text)}{feedback_part(a.feedback)}"
            for a, f in zip(item.answers, fractions, strict=True)], notes, {}


def _true_false(item: Item) -> Written:
    right = next(a for a in item.answers if a.right)
    wrong = next(a for a in item.answers if not a.right)
    answer = "T" if right.text == "True" else "F"
    if wrong.feedback or right.feedback:  # {T#feedback when wrong#feedback when right}
        answer += ("#" + (html(wrong.feedback) if wrong.feedback else "")
                   + ("#" + html(right.feedback) if right.feedback else ""))
    return [answer], [], {}


def _numerical(item: Item) -> Written:
    main, *cases = item.answers
    num = format_number
    value, width = short_tolerance(main.value, main.tolerance)  # no float noise, never narrower
    answers = ["#", f"=%100%{num(value)}:{num(width)}" + feedback_part(main.feedback)]
    rounded = value != main.value or width != main.tolerance
    for a in cases:
        lo, hi = short_range(a.low, a.high) if a.is_range else (a.value, a.value)
        rounded = rounded or (a.is_range and [lo, hi] != [a.low, a.high])
        body = f"{num(lo)}..{num(hi)}" if a.is_range else f"{num(lo)}:0"
        answers.append(f"={'%100%' if a.fraction >= 1 else '%0%'}{body}" + feedback_part(a.feedback))
    if item.feedback.get("wrong"):
        answers.append("~#" + html(item.feedback["wrong"]))
    return answers, [], dict(item.exact) if rounded else {}  # the exact numbers, for a round trip


def _short_answer(item: Item) -> Written:
    answers = [f"=%{100 if a.fraction >= 1 else 0}%{text(a.text)}{feedback_part(a.feedback)}"
               for a in item.answers]
    if item.feedback.get("wrong"):
        answers.append("=%0%*" + feedback_part(item.feedback["wrong"]))  # "any other answer"
    notes, kept = plain_losses(item), {}
    if any("->" in a for a in answers):  # Moodle reads "=" with "->" as a matching question
        notes.append("an answer or feedback holds '->', which makes Moodle read this as matching: "
                     "use Moodle XML")
    if item.match_case or any(a.match_case for a in item.answers):
        notes.append("GIFT cannot ask for exact case: Moodle will accept any case (Moodle XML keeps it)")
        kept["match_case"] = item.match_case or None
    return answers, notes, kept


def _matching(item: Item) -> Written:
    answers = [f"={html(p.left)} -> {text(p.right)}" for p in item.pairs]
    answers += [f"= -> {text(extra)}" for extra in item.decoys]  # a decoy: no item
    return answers, plain_losses(item), {}


def _ordering(item: Item) -> Written:
    """No ordering in GIFT: a matching of each position to its step (which scores the same)."""
    answers = [f"={escape(POSITION.format(i))} -> {text(step)}" for i, step in enumerate(item.order, 1)]
    notes = ["written as a matching of position to step (the format has no ordering)"]
    if any(plain(step) != step for step in item.order):
        notes.append("the steps are plain text in the LMS (their Markdown is removed)")
    return answers, notes, {}


WRITERS = {"single_choice": _choices, "multiple_choice": _choices, "true_false": _true_false,
           "numerical": _numerical, "short_answer": _short_answer, "matching": _matching,
           "ordering": _ordering}
# The overall right / wrong feedback GIFT has no place for, by kind (elsewhere it goes in an answer).
OVERALL = "the overall right / wrong feedback"
UNPLACED = {"multiple_choice": "the feedback for an all-right answer", "matching": OVERALL,
            "ordering": OVERALL}


def export(item: Item) -> Exported:
    """One question as GIFT: the comment, the title, the [html] text and the answer section."""
    writer = WRITERS.get(item.kind)
    if writer is None:
        return Exported(None, join_notes([f"gift has no {item.type or item.kind} questions"], item.caveats))
    answers, notes, extra = writer(item)
    kept = {**item.kept, **extra}
    if item.kind in UNPLACED and item.feedback:
        notes.append(f"{UNPLACED[item.kind]} is not kept (GIFT has no place for it)")
        kept["feedback"] = dict(item.feedback)
    kept = {k: v for k, v in kept.items() if v not in (None, [], {}, "")}
    comment = META + json.dumps(meta(item, kept), ensure_ascii=False, separators=(",", ":"))
    head = f"::{escape(title(item), html=False)}::[html]{html(item.stem, block=True)}"
    lines = [comment, head + "{"] + [f"\t{a}" for a in answers]
    general = escape(general_html(item))
    if general:
        lines.append(f"\t####{general}")
    lines.append("}")
    return Exported("\n".join(lines), join_notes(item.losses, notes, item.caveats))


# --- reading -----------------------------------------------------------------------------------

MAX_BYTES = 5_000_000  # as for a bank file
# Escaped characters become private-use placeholders while the text is split (Moodle's own trick).
_HOLD = {"\\\\": "\ue010", "\\:": "\ue011", "\\#": "\ue012", "\\=": "\ue013", "\\{": "\ue014",
         "\\}": "\ue015", "\\~": "\ue016", "\\n": "\ue017"}
_BACK = {"\ue010": "\\", "\ue011": ":", "\ue012": "#", "\ue013": "=", "\ue014": "{", "\ue015": "}",
         "\ue016": "~", "\ue017": "\n"}
_WEIGHT = re.compile(r"%(-?\d{1,3}(?:\.\d*)?)%")


class GiftError(ValueError):
    """One GIFT question that cannot be read; the message says why."""


@dataclass
class GiftAnswer:
    text: str  # raw (placeholders restored), format not applied
    fraction: float
    feedback: str = ""
    prefix: str = ""


@dataclass
class GiftQuestion:
    """One question as read from GIFT, before it becomes a tmvlearn question."""

    line: int
    category: str | None
    title: str | None
    text: str
    text_format: str
    kind: str  # multichoice, truefalse, shortanswer, numerical, match, essay, description
    answers: list[GiftAnswer] = field(default_factory=list)
    general_feedback: str = ""
    single: bool = True
    true_answer: bool | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    missing_word: bool = False

    def markdown(self, raw: str, fmt: str | None = None) -> str:
        """A text of this question (in its format) as bank Markdown."""
        from tmvlearn.quiz.formats.text import html_to_markdown, tex_to_dollars

        fmt, raw = _format(raw, fmt or self.text_format)
        raw = raw.strip()
        if fmt == "html":
            return html_to_markdown(raw)
        if fmt == "plain":
            return tex_to_dollars(re.sub(r"([\\`*_\[\]<>])", r"\\\1", raw))
        return tex_to_dollars(raw)  # moodle auto-format and markdown: near enough to Markdown


def _restore(text: str) -> str:
    for hold, char in _BACK.items():
        text = text.replace(hold, char)
    return text


def _format(text: str, default: str) -> tuple[str, str]:
    if text.startswith("["):
        end = text.find("]")
        name = text[1:end] if end > 0 else ""
        if name in ("html", "moodle", "plain", "markdown"):
            return name, text[end + 1:]
    return default, text


def _blocks(source: str) -> list[tuple[int, list[str]]]:
    """(number of the first line that is not a comment, lines) of each blank-line separated block."""
    blocks, current, start = [], [], 0
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip():
            if not start and not line.strip().startswith("//"):
                start = number
            current.append(line)
        elif current:
            blocks.append((start or number - 1, current))
            current, start = [], 0
    if current:
        blocks.append((start or number, current))
    return blocks


def read_gift(source: str) -> tuple[list[GiftQuestion], list[tuple[int, str]], list[tuple[int, str, dict]]]:
    """(questions, skipped as (line, reason), categories as (line, name, tmvlearn bank comment))
    read from GIFT text.

    Linear in the size of the text (string splitting, no backtracking patterns on it).
    """
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    for hold in _BACK:
        source = source.replace(hold, "")
    questions, skipped, categories = [], [], []
    category = None
    for start, lines in _blocks(source):
        meta_data: dict[str, Any] = {}
        bank_meta: dict[str, Any] = {}
        kept, refused = [], None
        for line in lines:
            stripped = line.strip()
            if stripped.startswith(BANK_META.strip()):
                with contextlib.suppress(Refused):
                    value = load_json(stripped[len(BANK_META.strip()):].strip(), text_only=True)
                    bank_meta = value if isinstance(value, dict) else {}
            elif stripped.startswith(META.strip()):
                try:
                    value = load_json(stripped[len(META.strip()):].strip(), text_only=True)
                    meta_data = value if isinstance(value, dict) else {}
                except Refused as exc:  # bounded: nested 100,000 deep is refused, not a RecursionError
                    if not str(exc).startswith("not readable JSON"):
                        refused = f"its {META.strip()} comment: {exc}"
            elif not stripped.startswith("//"):
                kept.append(line)
        body = "\n".join(kept).strip()
        if not body:
            continue
        if refused:
            skipped.append((start, refused))
            continue
        if body.startswith("$CATEGORY:"):
            category = body[len("$CATEGORY:"):].strip().splitlines()[0].strip()
            categories.append((start, category, bank_meta))
            rest = "\n".join(body.splitlines()[1:]).strip()
            if not rest:
                continue
            body = rest
        try:
            questions.append(_question(body, start, category, meta_data))
        except GiftError as exc:
            skipped.append((start, str(exc)))
    return questions, skipped, categories


def _question(body: str, line: int, category: str | None, meta_data: dict[str, Any]) -> GiftQuestion:
    for seq, hold in _HOLD.items():  # the double backslash first, as Moodle does
        body = body.replace(seq, hold)
    name = None
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            raise GiftError("the title has no closing '::'")
        name, body = _restore(body[2:end]).strip(), body[end + 2:].strip()
    start, finish = body.find("{"), body.find("}")
    if start < 0 and finish < 0:
        return GiftQuestion(line, category, name, _restore(body), "moodle", "description")
    if start < 0 or finish < start:
        raise GiftError("unbalanced { } (escape a literal brace as \\{ or \\})")
    answer_text = body[start + 1:finish].strip()
    after = body[finish + 1:]
    missing_word = bool(after.strip())
    qtext = body[:start] + ("_____" + after if missing_word else "")
    general = ""
    gf = answer_text.rfind("####")
    if gf >= 0:
        general, answer_text = answer_text[gf + 4:], answer_text[:gf].strip()
    fmt, _ = _format(qtext.strip(), "moodle")
    q = GiftQuestion(line, category, name, _restore(qtext).strip(), fmt, "", meta=meta_data,
                     general_feedback=_restore(general).strip(), missing_word=missing_word)
    if not answer_text:
        q.kind = "essay"
    elif answer_text.startswith("#"):
        q.kind = "numerical"
        _numerical(q, answer_text[1:])
    elif "~" in answer_text:
        q.kind = "multichoice"
        q.single = "=" in answer_text
        for part in answer_text.replace("=", "~=").split("~"):
            part = part.strip()
            if not part:
                continue
            if part.startswith("="):
                fraction, part = 1.0, part[1:]
            else:
                fraction, part = _weight(part, 0.0)
            q.answers.append(_answer(part, fraction))
        if len(q.answers) < 2:
            raise GiftError("a multiple choice question needs at least two answers")
    elif "=" in answer_text and "->" in answer_text:
        q.kind = "match"
        for part in answer_text.split("="):
            if not part.strip():
                continue
            if "->" not in part:
                raise GiftError("each matching pair needs '->' between the item and its match")
            left, right = part.split("->", 1)
            q.answers.append(GiftAnswer(_restore(right).strip(), 1.0, prefix=_restore(left).strip()))
        if len(q.answers) < 2:
            raise GiftError("a matching question needs at least two pairs")
    else:
        head = answer_text.split("#", 1)[0].strip()
        if head in ("T", "TRUE", "F", "FALSE"):
            q.kind = "truefalse"
            bits = answer_text.split("#", 2) + ["", ""]
            q.true_answer = head.startswith("T")
            q.answers = [GiftAnswer(head, 1.0, _restore(bits[2]).strip()),   # feedback when right
                         GiftAnswer("", 0.0, _restore(bits[1]).strip())]     # feedback when wrong
        else:
            q.kind = "shortanswer"
            for part in answer_text.split("="):
                part = part.strip()
                if part:
                    fraction, part = _weight(part, 1.0)
                    q.answers.append(_answer(part, fraction))
    return q


def _weight(part: str, default: float) -> tuple[float, str]:
    m = _WEIGHT.match(part)
    if not m:
        return default, part
    return float(m.group(1)) / 100, part[m.end():]


def _answer(part: str, fraction: float) -> GiftAnswer:
    text, _, feedback = part.partition("#")
    return GiftAnswer(_restore(text).strip(), fraction, _restore(feedback).strip())


def _numerical(q: GiftQuestion, answer_text: str) -> None:
    wrong = ""
    pos = answer_text.find("~")
    if pos >= 0:
        wrong, answer_text = answer_text[pos + 1:], answer_text[:pos]
    for part in answer_text.split("="):
        part = part.strip()
        if not part:
            continue
        fraction, part = _weight(part, 1.0)
        ans = _answer(part, fraction)
        value = ans.text.replace(" ", "")
        try:
            if ".." in value[1:]:
                lo, hi = _split_range(value)
                float(lo), float(hi)
                ans.prefix = "range"
            elif ":" in value:
                a, t = value.split(":", 1)
                float(a), float(t)
                ans.prefix = "tolerance"
            else:
                float(value)
                ans.prefix = "value"
        except ValueError:
            raise GiftError(f"{value!r} is not a number, a number:tolerance or a low..high range") from None
        ans.text = value
        q.answers.append(ans)
    if wrong:
        q.answers.append(GiftAnswer("*", 0.0, _restore(wrong.partition("#")[2]).strip(), prefix="other"))
    if not any(a.prefix != "other" for a in q.answers):
        raise GiftError("a numerical question needs at least one number")


def _split_range(value: str) -> list[str]:
    i = value.index("..", 1)
    return [value[:i], value[i + 2:]]


def numeric_answer(a: GiftAnswer) -> tuple[float, float, tuple[float, float] | None]:
    """(value, tolerance, (low, high) or None) of one read numerical answer."""
    if a.prefix == "range":
        lo, hi = (float(x) for x in _split_range(a.text))
        if not lo < hi:
            raise ValueError(f"the range {a.text!r} must have low < high")
        return (lo + hi) / 2, (hi - lo) / 2, (lo, hi)
    if a.prefix == "tolerance":
        value, tol = (float(x) for x in a.text.split(":", 1))
        return value, abs(tol), None
    return float(a.text), 0.0, None


def _explanation(q: GiftQuestion) -> tuple[str, str]:
    """(explanation, source line) from a GIFT question's general feedback."""
    text = q.markdown(q.general_feedback) if q.general_feedback else ""
    source = ""
    paragraphs = text.split("\n\n")
    if paragraphs and paragraphs[-1].startswith("Source: "):
        source = paragraphs.pop().removeprefix("Source: ").strip()
    return "\n\n".join(paragraphs).strip(), source


def _feedback(q: GiftQuestion, raw: str) -> str | None:
    return q.markdown(raw) if raw else None


def _read_choices(q: GiftQuestion) -> dict[str, Any]:
    options, answers = [], []
    for a in q.answers:
        option = q.markdown(a.text)
        if not option.strip():
            raise ValueError("an answer has no text")
        if option in options:
            raise ValueError(f"the answer {option!r} appears twice")
        options.append(option)
        answers.append(Answer(option, a.fraction, _feedback(q, a.feedback)))
    if not any(a.right for a in answers):
        raise ValueError("no answer has a positive weight")
    return {"kind": "single_choice" if q.single else "multiple_choice", "answers": tuple(answers)}


def _read_true_false(q: GiftQuestion) -> dict[str, Any]:
    right, wrong = _feedback(q, q.answers[0].feedback), _feedback(q, q.answers[1].feedback)
    true, false = (right, wrong) if q.true_answer else (wrong, right)
    return {"kind": "true_false", "answers": (Answer("True", float(bool(q.true_answer)), true),
                                              Answer("False", float(not q.true_answer), false))}


def _read_short_answer(q: GiftQuestion) -> dict[str, Any]:
    import regex

    accepted, patterns, wrong, feedback = [], [], [], {}
    right_feedback = None  # the first given for a right answer
    for a in q.answers:
        answer = " ".join(a.text.split())
        if answer == "*":
            if a.feedback:
                feedback["wrong"] = q.markdown(a.feedback)
        elif a.fraction >= 1:
            if "*" in answer:  # Moodle's wildcard: any characters
                patterns.append(".*".join(regex.escape(part) for part in answer.split("*")))
                answer = answer.replace("*", " ").strip()
            if answer and answer not in accepted:
                accepted.append(answer)
            if a.feedback and right_feedback is None:
                right_feedback = q.markdown(a.feedback)
        elif answer:
            wrong.append(Answer(answer, 0.0, _feedback(q, a.feedback)))
    if not accepted:
        raise ValueError("no answer is worth 100%")
    right = [Answer(answer, 1.0, right_feedback) for answer in accepted]
    return {"kind": "short_answer", "answers": (*right, *wrong), "feedback": feedback,
            "patterns": tuple(patterns)}


def _read_numerical(q: GiftQuestion) -> dict[str, Any]:
    answers, feedback = [], {}
    for a in q.answers:
        if a.prefix == "other":
            if a.feedback:
                feedback["wrong"] = q.markdown(a.feedback)
            continue
        value, width, rng = numeric_answer(a)
        low, high = rng or (None, None)
        answers.append(Answer(fraction=a.fraction, feedback=_feedback(q, a.feedback), value=value,
                              tolerance=width, low=low, high=high))
    if not any(a.fraction >= 1 for a in answers):
        raise ValueError("no number is worth 100%")
    return {"kind": "numerical", "answers": tuple(answers), "feedback": feedback}


def _read_match(q: GiftQuestion) -> dict[str, Any]:
    """A matching; one of "Position 1", "Position 2"... to steps is also an ordering."""
    lefts = [q.markdown(a.prefix).strip() for a in q.answers]
    rights = [" ".join(a.text.split()) for a in q.answers]
    positions = lefts == [POSITION.format(i) for i in range(1, len(lefts) + 1)]
    if not positions and not all(rights):
        raise ValueError("a pair has nothing after '->'")
    pairs = tuple(Pair(left, right) for left, right in zip(lefts, rights, strict=True) if left)
    decoys = tuple(right for left, right in zip(lefts, rights, strict=True) if not left)
    return {"kind": "ordering" if positions else "matching", "pairs": pairs, "decoys": decoys,
            "order": tuple(rights) if positions else ()}


READERS = {"multichoice": _read_choices, "truefalse": _read_true_false, "shortanswer": _read_short_answer,
           "numerical": _read_numerical, "match": _read_match}
NOT_READ = {"essay": "an essay question (no answer to grade) is not imported",
            "description": "a description (text with no answers) is not imported"}


def to_item(q: GiftQuestion) -> Item:
    """A read GIFT question in neutral form, its tmvlearn comment (if any) applied: metadata, the
    fields GIFT cannot hold (``kept``), the unit taken off the prompt. Raises ``ValueError``."""
    reader = READERS.get(q.kind)
    if reader is None:
        raise ValueError(NOT_READ.get(q.kind, f"GIFT {q.kind} questions are not imported"))
    fields = reader(q)
    meta_data = q.meta or {}
    kept = meta_data.get("extras") if isinstance(meta_data.get("extras"), dict) else {}
    prompt = q.markdown(q.text)
    unit = kept.get("unit") if isinstance(kept.get("unit"), str) else None
    if unit and prompt.endswith(f" (in {unit})"):
        prompt = prompt[: -len(f" (in {unit})")]
    explanation, source = _explanation(q)
    named = meta_data.get("type") if isinstance(meta_data.get("type"), str) else None
    return Item(id=meta_data.get("id") if isinstance(meta_data.get("id"), str) else "", prompt=prompt,
                type=named, explanation=explanation, source_text=source, kept=kept, **fields)


def file_text(per_bank: list[tuple[Any, list[str]]]) -> str:
    """A GIFT file: for each bank, a ``$CATEGORY:`` (with the bank's comment) and its questions."""
    out = ["// tmvlearn question banks in Moodle's GIFT format.",
           "// Moodle: Question bank > Import > GIFT format. Lines starting // are comments it ignores.", ""]
    for bank, items in per_bank:
        info = {"lesson": bank.lesson, "title": bank.title, "objectives": bank.objectives}
        out += [BANK_META + json.dumps(info, ensure_ascii=False, separators=(",", ":")),
                f"$CATEGORY: tmvlearn/{bank.lesson}", ""]
        for item in items:
            out += [item, ""]
    return "\n".join(out)

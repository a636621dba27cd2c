"""Moodle's GIFT text format: escaping, one question's text, a file, and a bounded reader.

Written as Moodle's importer (``question/format/gift/format.php``) reads it: questions apart by
blank lines, ``//`` comment lines, ``$CATEGORY:`` lines, ``::title::``, a ``[html]`` text format,
one ``{...}`` answer section with ``####`` general feedback, and ``\\`` before each of
``~ = # { } :``. A real newline is written ``\\n``. Moodle keeps ``\\\\`` as two backslashes and
reads ``\\n`` as a newline anywhere, so in HTML text a backslash before one of those characters is
written ``&#92;`` (maths such as ``\\nu`` survives); in plain text (short answers, matching choices)
it cannot be, and the export says so.

Each tmvlearn question is preceded by a ``// tmvlearn: {json}`` comment with its id, lesson,
objective, difficulty and source, and the fields GIFT cannot hold; Moodle ignores comments, and
:func:`read_gift` uses it so a round trip gives back the same bank.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from tmvlearn.quiz.lms.text import block_html, line_html, plain

if TYPE_CHECKING:
    from tmvlearn.quiz.questions import Question

__all__ = ["GiftQuestion", "escape", "format_number", "question_text", "read_gift", "short_range",
           "short_tolerance", "weight"]

SPECIAL = "~=#{}:"
META = "// tmvlearn: "
BANK_META = "// tmvlearn bank: "


_ESCAPE = re.compile(r"\\(?=[~=#{}:n\\])|[~=#{}:\n\r]")  # one character at a time: linear


def escape(text: str, html: bool = True) -> str:
    """``text`` with GIFT's special characters escaped and newlines written ``\\n``."""
    def one(m: re.Match) -> str:
        ch = m.group(0)
        if ch == "\\":
            return "&#92;" if html else "\\"
        return {"\n": "\\n", "\r": ""}.get(ch, "\\" + ch)

    return _ESCAPE.sub(one, text)


def lossy_plain(text: str) -> bool:
    """Whether a plain-text field would not reach Moodle as written (a backslash before a special
    character or n, which Moodle's reader turns into something else)."""
    return bool(re.search(r"\\[~=#{}:n\\]", text))


def html(text: str, block: bool = False) -> str:
    """Bank Markdown as escaped GIFT HTML."""
    return escape(block_html(text) if block else line_html(text))


def text(value: str) -> str:
    """Bank Markdown as escaped GIFT plain text (short answers, matching choices)."""
    return escape(plain(value), html=False)


def format_number(x: float) -> str:
    """A number as Moodle reads it (PHP ``is_numeric``): no thousands separators, full precision."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def _sig(x: float, digits: int, rounding: str) -> Decimal:
    """``x`` (as its shortest repr, which reads back as the same float) to ``digits`` significant digits."""
    d = Decimal(repr(float(x)))
    return d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1), rounding=rounding) if d else d


def short_range(lo: float, hi: float) -> tuple[float, float]:
    """[lo, hi] with its ends rounded outward to 6 significant digits, or more where that would widen
    it by over 1% of its width: the LMS never accepts less than tmvlearn, and hardly more."""
    allowed = 0.01 * (hi - lo)
    for digits in range(6, 18):
        a, b = float(_sig(lo, digits, ROUND_FLOOR)), float(_sig(hi, digits, ROUND_CEILING))
        if lo - a <= allowed and b - hi <= allowed:
            return a, b
    return lo, hi


def short_tolerance(value: float, width: float,
                    bounds: tuple[float, float] | None = None) -> tuple[float, float]:
    """(value, tolerance) with 6 significant digits, or more where needed, such that value ± tolerance
    (worked out in floating point, as an LMS does) covers ``bounds`` (default ``value ± width``) and
    widens it by at most 1% of ``width``."""
    lo, hi = bounds or (value - width, value + width)
    for digits in range(6, 18):
        v = float(_sig(value, digits, ROUND_HALF_EVEN))
        need = width + abs(v - value)
        for rounding in (ROUND_HALF_EVEN, ROUND_CEILING):  # the nearer one if it still covers
            t = float(_sig(need, digits, rounding))
            if t - width <= 0.01 * width and v - t <= lo and v + t >= hi:
                return v, t
    return value, width


# Moodle's importer accepts only the grades its forms offer (or the nearest, if asked).
_GRADES = [0, 100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667,
           14.28571, 12.5, 11.11111, 10, 5]


def grade(fraction: float) -> float:
    """``fraction`` (-1..1) rounded to the nearest grade Moodle lists, keeping its sign."""
    nearest = min(_GRADES, key=lambda g: abs(g - abs(fraction) * 100))
    return (-nearest if fraction < 0 else nearest) / 100


def weight(fraction: float) -> str:
    """``fraction`` (-1..1) as a GIFT weight such as ``%33.33333%``, the nearest grade Moodle lists."""
    nearest = min(_GRADES, key=lambda g: abs(g - abs(fraction) * 100))
    return f"%{'-' if fraction < 0 else ''}{nearest:.7g}%"


def title(q: Question) -> str:
    parts = [q.lesson or "", q.objective or "", q.id]
    return " ".join(p for p in parts if p)


TITLE = re.compile(  # the title written by title(): lesson, objective, id
    r"^(?:(\d{2}_[a-z0-9_]+) )?(?:(O\d+) )?([a-z0-9]+(?:-[a-z0-9]+)*)$")


def general_feedback(q: Question) -> str:
    parts = [block_html(q.explanation)] if q.explanation else []
    if q.source_text:
        from tmvlearn.quiz.markup import escape as html_escape

        parts.append(f"<p>Source: {html_escape(q.source_text)}</p>")
    return escape("".join(parts))


def meta(q: Question, extras: dict[str, Any]) -> dict[str, Any]:
    """What the ``// tmvlearn:`` comment carries for one question."""
    out: dict[str, Any] = {"id": q.id, "type": q.type}
    for key in ("objective", "difficulty", "source", "note", "solution"):
        value = getattr(q, key)
        if value:
            out[key] = value
    if getattr(q, "variant_values", None):  # a tmvlearn variant, exported as its worked values
        out["worked_variant"] = q.variant_values
    if extras:
        out["extras"] = extras
    return out


def question_text(q: Question, answers: list[str], extras: dict[str, Any], prompt: str | None = None) -> str:
    """One question as GIFT: the comment, the title, the [html] text and the answer section."""
    comment = META + json.dumps(meta(q, extras), ensure_ascii=False, separators=(",", ":"))
    head = f"::{escape(title(q), html=False)}::[html]{html(prompt or q.prompt, block=True)}"
    lines = [comment, head + "{"] + [f"\t{a}" for a in answers]
    feedback = general_feedback(q)
    if feedback:
        lines.append(f"\t####{feedback}")
    lines.append("}")
    return "\n".join(lines)


def feedback_part(feedback: str | None) -> str:
    return f"#{html(feedback)}" if feedback else ""


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
        from tmvlearn.quiz.lms.text import html_to_markdown, tex_to_dollars

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
        kept = []
        for line in lines:
            stripped = line.strip()
            if stripped.startswith(BANK_META.strip()):
                with contextlib.suppress(ValueError):
                    value = json.loads(stripped[len(BANK_META.strip()):].strip())
                    bank_meta = value if isinstance(value, dict) else {}
            elif stripped.startswith(META.strip()):
                try:
                    value = json.loads(stripped[len(META.strip()):].strip())
                    meta_data = value if isinstance(value, dict) else {}
                except ValueError:
                    pass
            elif not stripped.startswith("//"):
                kept.append(line)
        body = "\n".join(kept).strip()
        if not body:
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

"""Moodle XML question format: ``<quiz>`` of ``<question type=...>`` elements.

One ``category`` question per lesson (``$course$/top/tmvlearn/<lesson>``), then its questions
with ``<name>`` (lesson, objective and id), ``<idnumber>`` (the id), tags for lesson, objective and
difficulty, HTML text (maths as ``\\( \\)``), per-answer feedback, the explanation and source as
general feedback. Ordering uses the ``ordering`` question type (a plugin in older Moodle).

Written from the neutral exchange form (:func:`export` of a :class:`tmvlearn.quiz.exchange.Item`);
this module never sees the question classes.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from tmvlearn.quiz.exchange import Exported, Item, join_notes
from tmvlearn.quiz.formats.numbers import format_number, grade, shares, short_tolerance
from tmvlearn.quiz.formats.text import block_html, general_html, line_html, plain, plain_losses, title

__all__ = ["export", "file_text", "question"]


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html", **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt, **attrs} if fmt else attrs)
    ET.SubElement(el, "text").text = value
    return el


def question(item: Item, qtype: str, children: list[ET.Element]) -> ET.Element:
    """The ``<question>`` element: common parts, then the kind's ``children``."""
    el = ET.Element("question", {"type": qtype})
    name = ET.SubElement(el, "name")
    ET.SubElement(name, "text").text = title(item)
    _text(el, "questiontext", block_html(item.stem))
    _text(el, "generalfeedback", general_html(item))
    ET.SubElement(el, "defaultgrade").text = "1"
    ET.SubElement(el, "penalty").text = "0"
    ET.SubElement(el, "hidden").text = "0"
    ET.SubElement(el, "idnumber").text = item.id
    el.extend(children)
    tags = ET.SubElement(el, "tags")
    for tag in (f"tmvlearn-lesson:{item.lesson}" if item.lesson else None,
                f"tmvlearn-objective:{item.objective}" if item.objective else None,
                f"tmvlearn-difficulty:{item.difficulty}" if item.difficulty else None,
                "tmvlearn-variant:worked-values" if item.worked else None):
        if tag:
            ET.SubElement(ET.SubElement(tags, "tag"), "text").text = tag
    return el


def simple(tag: str, value: str) -> ET.Element:
    el = ET.Element(tag)
    el.text = value
    return el


def answer(fraction: float, value: str, feedback: str | None = None, fmt: str = "html",
           **extra: str) -> ET.Element:
    el = ET.Element("answer", {"fraction": f"{fraction * 100:.7g}", "format": fmt})
    ET.SubElement(el, "text").text = value
    for tag, text in extra.items():
        ET.SubElement(el, tag).text = text
    _text(el, "feedback", line_html(feedback) if feedback else "")
    return el


def combined(right: str | None = None, wrong: str | None = None) -> list[ET.Element]:
    out = []
    for tag, value in (("correctfeedback", right), ("partiallycorrectfeedback", None),
                       ("incorrectfeedback", wrong)):
        el = ET.Element(tag, {"format": "html"})
        ET.SubElement(el, "text").text = line_html(value) if value else ""
        out.append(el)
    return out


def html_answer(fraction: float, option: str, feedback: str | None = None) -> ET.Element:
    return answer(fraction, line_html(option), feedback)


def plain_answer(fraction: float, value: str, feedback: str | None = None, **extra: str) -> ET.Element:
    return answer(fraction, plain(value), feedback, fmt="moodle_auto_format", **extra)


def other_answer(feedback: str, **extra: str) -> ET.Element:
    """Moodle's "any other answer": a literal ``*`` (never through Markdown, where a lone ``*`` is an
    empty list), worth nothing, with the wrong-answer feedback."""
    return answer(0.0, "*", feedback, fmt="moodle_auto_format", **extra)


def subquestion(left: str, right: str) -> ET.Element:
    el = ET.Element("subquestion", {"format": "html"})
    ET.SubElement(el, "text").text = line_html(left) if left else ""
    ET.SubElement(ET.SubElement(el, "answer"), "text").text = plain(right)
    return el


# --- one writer per kind: (Moodle question type, children, notes on what Moodle XML loses) -----

Written = tuple[str, list[ET.Element], list[str]]


def _choices(item: Item) -> Written:
    single = item.kind == "single_choice"
    out = [simple("single", "true" if single else "false"), simple("shuffleanswers", "true"),
           simple("answernumbering", "abc"), *combined(item.feedback.get("correct"))]
    if single:
        out += [html_answer(grade(a.fraction), a.text, a.feedback) for a in item.answers]
        return "multichoice", out, []
    fractions, notes = shares([a.fraction for a in item.answers])  # the right ones add to 100%
    out += [html_answer(f, a.text, a.feedback) for a, f in zip(item.answers, fractions, strict=True)]
    return "multichoice", out, notes


def _true_false(item: Item) -> Written:
    return "truefalse", [plain_answer(a.fraction, a.text.lower(), a.feedback) for a in item.answers], []


def _numerical(item: Item) -> Written:
    num = format_number
    main, *cases = item.answers
    value, width = short_tolerance(main.value, main.tolerance)
    answers = [plain_answer(1.0, num(value), main.feedback, tolerance=num(width))]
    for a in cases:  # a range as its middle and half-width
        lo, hi = (a.low, a.high) if a.is_range else (a.value, a.value)
        value, width = short_tolerance((lo + hi) / 2, (hi - lo) / 2, (lo, hi))
        answers.append(plain_answer(1.0 if a.fraction >= 1 else 0.0, num(value), a.feedback,
                                    tolerance=num(width)))
    if item.feedback.get("wrong"):
        answers.append(other_answer(item.feedback["wrong"], tolerance="0"))
    units = [simple("unitgradingtype", "0"), simple("unitpenalty", "0"), simple("showunits", "3"),
             simple("unitsleft", "0")]
    return "numerical", answers + units, []


def _short_answer(item: Item) -> Written:
    answers = [plain_answer(1.0 if a.fraction >= 1 else 0.0, a.text, a.feedback) for a in item.answers]
    if item.feedback.get("wrong"):
        answers.append(other_answer(item.feedback["wrong"]))
    notes = plain_losses(item)
    mixed = any(a.match_case for a in item.answers)
    if mixed:
        notes.append("Moodle has one case rule per question: exact case is asked for all answers or none")
    return "shortanswer", [simple("usecase", "1" if item.match_case or mixed else "0"), *answers], notes


def _matching(item: Item) -> Written:
    subs = [subquestion(p.left, p.right) for p in item.pairs]
    subs += [subquestion("", extra) for extra in item.decoys]  # a decoy: no item
    kids = [simple("shuffleanswers", "true"),
            *combined(item.feedback.get("correct"), item.feedback.get("wrong")), *subs]
    return "match", kids, plain_losses(item)


def _ordering(item: Item) -> Written:
    """Moodle's ``ordering`` question type (grading by absolute position, as tmvlearn scores)."""
    kids = [simple("layouttype", "VERTICAL"), simple("selecttype", "ALL"), simple("selectcount", "0"),
            simple("gradingtype", "ABSOLUTE_POSITION"), simple("showgrading", "SHOW"),
            simple("numberingstyle", "none"),
            *combined(item.feedback.get("correct"), item.feedback.get("wrong")),
            simple("shownumcorrect", "1")]  # explicit, or Moodle's import makes up hint options
    for position, step in enumerate(item.order, 1):  # the fraction holds the step's place
        answer = ET.Element("answer", {"fraction": f"{position}.0000000", "format": "html"})
        ET.SubElement(answer, "text").text = line_html(step)
        ET.SubElement(ET.SubElement(answer, "feedback", {"format": "html"}), "text").text = ""
        kids.append(answer)
    return "ordering", kids, ["needs Moodle's Ordering question type (qtype_ordering)"]


WRITERS = {"single_choice": _choices, "multiple_choice": _choices, "true_false": _true_false,
           "numerical": _numerical, "short_answer": _short_answer, "matching": _matching,
           "ordering": _ordering}


def export(item: Item) -> Exported:
    """One question as a Moodle XML ``<question>`` element, and what it loses."""
    writer = WRITERS.get(item.kind)
    if writer is None:
        return Exported(None, join_notes([f"moodle_xml has no {item.type or item.kind} questions"],
                                         item.caveats))
    qtype, children, notes = writer(item)
    return Exported(question(item, qtype, children), join_notes(item.losses, notes, item.caveats))


def file_text(per_bank: list[tuple[Any, list[ET.Element]]]) -> str:
    root = ET.Element("quiz")
    for bank, items in per_bank:
        title = bank.title.replace("--", "- -")  # "--" may not appear in an XML comment
        root.append(ET.Comment(f" tmvlearn lesson {bank.lesson}: {title} "))
        cat = ET.SubElement(root, "question", {"type": "category"})
        ET.SubElement(ET.SubElement(cat, "category"), "text").text = f"$course$/top/tmvlearn/{bank.lesson}"
        _text(cat, "info", line_html(bank.title))
        ET.SubElement(cat, "idnumber").text = f"tmvlearn-{bank.lesson}"
        root.extend(items)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""Moodle XML question format: ``<quiz>`` of ``<question type=...>`` elements.

One ``category`` question per lesson (``$course$/top/tmvlearn/<lesson>``), then its questions
with ``<name>`` (lesson, objective and id), ``<idnumber>`` (the id), tags for lesson, objective and
difficulty, HTML text (maths as ``\\( \\)``), per-answer feedback, the explanation and source as
general feedback. Ordering uses the ``ordering`` question type (a plugin in older Moodle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from tmvlearn.quiz.lms.text import block_html, line_html, plain

if TYPE_CHECKING:
    from tmvlearn.quiz.questions import Question

__all__ = ["file_text", "question"]


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html", **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt, **attrs} if fmt else attrs)
    ET.SubElement(el, "text").text = value
    return el


def _name(q: Question) -> str:
    from tmvlearn.quiz.lms.gift import title

    return title(q)


def _general(q: Question) -> str:
    from tmvlearn.quiz.markup import escape

    out = block_html(q.explanation) if q.explanation else ""
    if q.source_text:
        out += f"<p>Source: {escape(q.source_text)}</p>"
    return out


def question(q: Question, qtype: str, children: list[ET.Element], prompt: str | None = None) -> ET.Element:
    """The ``<question>`` element: common parts, then the type's ``children``."""
    el = ET.Element("question", {"type": qtype})
    name = ET.SubElement(el, "name")
    ET.SubElement(name, "text").text = _name(q)
    _text(el, "questiontext", block_html(prompt or q.prompt))
    _text(el, "generalfeedback", _general(q))
    ET.SubElement(el, "defaultgrade").text = "1"
    ET.SubElement(el, "penalty").text = "0"
    ET.SubElement(el, "hidden").text = "0"
    ET.SubElement(el, "idnumber").text = q.id
    el.extend(children)
    tags = ET.SubElement(el, "tags")
    for tag in (f"tmvlearn-lesson:{q.lesson}" if q.lesson else None,
                f"tmvlearn-objective:{q.objective}" if q.objective else None,
                f"tmvlearn-difficulty:{q.difficulty}" if q.difficulty else None,
                "tmvlearn-variant:worked-values" if getattr(q, "variant_values", None) else None):
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


def subquestion(left: str, right: str) -> ET.Element:
    el = ET.Element("subquestion", {"format": "html"})
    ET.SubElement(el, "text").text = line_html(left) if left else ""
    ET.SubElement(ET.SubElement(el, "answer"), "text").text = plain(right)
    return el


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

"""IMS QTI 1.2 for Canvas: a zip with ``imsmanifest.xml`` and one assessment per lesson.

Laid out as Canvas's own QTI export and importer expect: for each lesson a folder
``<ident>/`` holding the assessment ``<ident>.xml`` (``questestinterop`` with one ``item`` per
question, typed by the ``question_type`` field of ``itemmetadata/qtimetadata``) and
``assessment_meta.xml`` (Canvas's quiz settings: title, points, unpublished). Item types are the
ones Canvas documents: multiple_choice_question, multiple_answers_question, true_false_question,
short_answer_question, numerical_question, matching_question (ordering as matching). The item's
``ident`` is the question id and its title names lesson, objective and id; ``tmvlearn_*`` metadata
fields carry them too.

Written from the neutral exchange form (:func:`export` of a :class:`tmvlearn.quiz.exchange.Item`);
this module never sees the question classes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from tmvlearn.quiz.exchange import POSITION, Exported, Item, join_notes
from tmvlearn.quiz.formats.numbers import format_number, short_range
from tmvlearn.quiz.formats.text import block_html, general_html, line_html, plain, plain_losses, title

__all__ = ["Parts", "choices", "export", "item", "matching", "numeric", "package", "short_answer"]

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
QUESTION_TYPES = ("multiple_choice_question", "multiple_answers_question", "true_false_question",
                  "short_answer_question", "numerical_question", "matching_question")


@dataclass
class Parts:
    """A type's share of an item: response elements, scoring conditions, feedback texts by ident,
    and the answer idents Canvas lists in ``original_answer_ids``."""

    responses: list[ET.Element] = field(default_factory=list)
    conditions: list[ET.Element] = field(default_factory=list)
    feedback: dict[str, str] = field(default_factory=dict)  # ident -> HTML
    answer_ids: list[str] = field(default_factory=list)


def _mattext(parent: ET.Element, text: str, html: bool = True) -> ET.Element:
    material = ET.SubElement(parent, "material")
    el = ET.SubElement(material, "mattext", {"texttype": "text/html" if html else "text/plain"})
    el.text = text
    return material


def _field(parent: ET.Element, label: str, entry: str) -> None:
    f = ET.SubElement(parent, "qtimetadatafield")
    ET.SubElement(f, "fieldlabel").text = label
    ET.SubElement(f, "fieldentry").text = entry


def _condition(test: list[ET.Element] | ET.Element, score: str | None = None, feedback: str | None = None,
               action: str = "Set", go_on: bool = False) -> ET.Element:
    cond = ET.Element("respcondition", {"continue": "Yes" if go_on else "No"})
    var = ET.SubElement(cond, "conditionvar")
    var.extend(test if isinstance(test, list) else [test])
    if score is not None:
        ET.SubElement(cond, "setvar", {"action": action, "varname": "SCORE"}).text = score
    if feedback:
        ET.SubElement(cond, "displayfeedback", {"feedbacktype": "Response", "linkrefid": feedback})
    return cond


def _var(tag: str, respident: str, value: str) -> ET.Element:
    el = ET.Element(tag, {"respident": respident})
    el.text = value
    return el


def _not(el: ET.Element) -> ET.Element:
    wrap = ET.Element("not")
    wrap.append(el)
    return wrap


def _and(items: list[ET.Element]) -> ET.Element:
    wrap = ET.Element("and")
    wrap.extend(items)
    return wrap


def choices(options: list[str], right: list[str], cardinality: str,
            feedback: dict[str, str | None]) -> Parts:
    """Single (multiple choice, true/false) or Multiple (multiple answers) choice."""
    parts = Parts()
    lid = ET.Element("response_lid", {"ident": "response1", "rcardinality": cardinality})
    render = ET.SubElement(lid, "render_choice")
    idents = {o: f"answer{i}" for i, o in enumerate(options, 1)}
    for option in options:
        label = ET.SubElement(render, "response_label", {"ident": idents[option]})
        _mattext(label, line_html(option))
        if feedback.get(option):
            parts.feedback[f"{idents[option]}_fb"] = line_html(feedback[option])
            parts.conditions.append(_condition(_var("varequal", "response1", idents[option]),
                                               feedback=f"{idents[option]}_fb", go_on=True))
    parts.responses.append(lid)
    parts.answer_ids = list(idents.values())
    if cardinality == "Single":
        parts.conditions.append(_condition(_var("varequal", "response1", idents[right[0]]), "100",
                                           "correct_fb"))
    else:
        test = [_var("varequal", "response1", idents[o]) if o in right
                else _not(_var("varequal", "response1", idents[o])) for o in options]
        parts.conditions.append(_condition([_and(test)], "100", "correct_fb"))
    return parts


def _fib(decimal: bool) -> ET.Element:
    response = ET.Element("response_str", {"ident": "response1", "rcardinality": "Single"})
    render = ET.SubElement(response, "render_fib", {"fibtype": "Decimal"} if decimal else {})
    ET.SubElement(render, "response_label", {"ident": "answer1", **({} if decimal else {"rshuffle": "No"})})
    return response


def numeric(right: tuple[float, float], others: list[tuple[float, float, bool, str | None]],
            right_feedback: str | None) -> Parts:
    """A number right within [low, high]; ``others``: (low, high, correct, feedback) checked after."""
    num = format_number
    parts = Parts(responses=[_fib(decimal=True)])
    if right_feedback:
        parts.feedback["correct_fb"] = line_html(right_feedback)

    def between(lo: float, hi: float) -> list[ET.Element]:
        lo, hi = short_range(lo, hi)  # outward: no float noise, never narrower
        return [_var("vargte", "response1", num(lo)), _var("varlte", "response1", num(hi))]

    parts.conditions.append(_condition(between(*right), "100", "correct_fb"))
    for i, (lo, hi, correct, feedback) in enumerate(others, 1):
        ident = f"case{i}_fb"
        if feedback:
            parts.feedback[ident] = line_html(feedback)
        parts.conditions.append(_condition(between(lo, hi), "100" if correct else None,
                                           ident if feedback else None, go_on=not correct))
    return parts


def short_answer(accepted: list[str], wrong: list[tuple[str, str]], right_feedback: str | None) -> Parts:
    parts = Parts(responses=[_fib(decimal=False)])
    for i, (text, feedback) in enumerate(wrong, 1):
        parts.feedback[f"wrong{i}_fb"] = line_html(feedback)
        parts.conditions.append(_condition(_var("varequal", "response1", plain(text)),
                                           feedback=f"wrong{i}_fb", go_on=True))
    if right_feedback:
        parts.feedback["correct_fb"] = line_html(right_feedback)
    parts.conditions.append(_condition([_var("varequal", "response1", plain(a)) for a in accepted], "100",
                                       "correct_fb"))
    return parts


def matching(lefts: list[str], rights: list[str], key: dict[str, str]) -> Parts:
    """Each left item a ``response_lid`` offering every right choice; each right match adds its share."""
    parts = Parts()
    right_ids = {r: f"choice{i}" for i, r in enumerate(rights, 1)}
    share = f"{100 / len(lefts):.4g}"
    for i, left in enumerate(lefts, 1):
        lid = ET.Element("response_lid", {"ident": f"response_item{i}"})
        _mattext(lid, plain(left), html=False)
        render = ET.SubElement(lid, "render_choice")
        for right, ident in right_ids.items():
            _mattext(ET.SubElement(render, "response_label", {"ident": ident}), plain(right), html=False)
        parts.responses.append(lid)
        parts.answer_ids.append(f"item{i}")
        parts.conditions.append(_condition(_var("varequal", f"response_item{i}", right_ids[key[left]]),
                                           share, action="Add", go_on=True))
    return parts


def item(q: Item, kind: str, parts: Parts) -> ET.Element:
    """One Canvas ``<item>``: metadata, the prompt and the kind's parts, scoring, feedback."""
    if kind not in QUESTION_TYPES:
        raise ValueError(f"{kind} is not a Canvas question type")
    el = ET.Element("item", {"ident": q.id, "title": title(q)})
    meta = ET.SubElement(ET.SubElement(el, "itemmetadata"), "qtimetadata")
    _field(meta, "question_type", kind)
    _field(meta, "points_possible", "1.0")
    _field(meta, "original_answer_ids", ",".join(parts.answer_ids))
    _field(meta, "assessment_question_identifierref", f"ref_{q.id}")
    for label, value in (("tmvlearn_id", q.id), ("tmvlearn_lesson", q.lesson),
                         ("tmvlearn_objective", q.objective), ("tmvlearn_difficulty", q.difficulty)):
        if value:
            _field(meta, label, str(value))
    if q.worked:  # a tmvlearn variant, exported as its worked values
        _field(meta, "tmvlearn_worked_variant", ", ".join(f"{k}={v}" for k, v in q.worked.items()))
    presentation = ET.SubElement(el, "presentation")
    _mattext(presentation, block_html(q.stem))
    presentation.extend(parts.responses)
    processing = ET.SubElement(el, "resprocessing")
    ET.SubElement(ET.SubElement(processing, "outcomes"), "decvar",
                  {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})
    feedback = dict(parts.feedback)
    general = general_html(q)
    if general:
        feedback["general_fb"] = general
        processing.append(_condition(ET.Element("other"), feedback="general_fb", go_on=True))
    processing.extend(parts.conditions)
    wrong = q.feedback.get("wrong")
    if wrong:
        feedback["general_incorrect_fb"] = line_html(wrong)
        processing.append(_condition(ET.Element("other"), feedback="general_incorrect_fb", go_on=True))
    right = q.feedback.get("correct")
    if right and "correct_fb" not in feedback:
        feedback["correct_fb"] = line_html(right)
    for cond in processing.iter("respcondition"):  # a link to feedback the question does not have
        for link in cond.findall("displayfeedback"):
            if link.get("linkrefid") not in feedback:
                cond.remove(link)
    used = {c.get("linkrefid") for c in processing.iter("displayfeedback")}
    for ident, text in feedback.items():
        if ident in used:
            fb = ET.SubElement(el, "itemfeedback", {"ident": ident})
            _mattext(ET.SubElement(fb, "flow_mat"), text)
    return el


# --- one writer per kind: (Canvas question type, parts, notes on what Canvas loses) ------------

Written = tuple[str, Parts, list[str]]


def _choices(q: Item) -> Written:
    options, feedback = [a.text for a in q.answers], {a.text: a.feedback for a in q.answers}
    if q.kind == "multiple_choice":
        # Canvas grades multiple answers with partial credit by default ("exact match" is a quiz setting).
        return "multiple_answers_question", choices(options, q.right_texts, "Multiple", feedback), [
            "Canvas gives partial credit unless the quiz asks for an exact match (tmvlearn scores all or "
            "nothing)"]
    kind = "true_false_question" if q.kind == "true_false" else "multiple_choice_question"
    return kind, choices(options, q.right_texts, "Single", feedback), []


# Canvas's importer makes every condition of a numerical or short-answer item an answer worth 100%
# (a condition that sets no score too), so only right answers are written as conditions.
def _dropped(count: int, what: str) -> list[str]:
    """The note for anticipated wrong answers left out of a Canvas item."""
    if not count:
        return []
    one = count == 1
    return [f"Canvas makes every listed answer a right one, so the {count} anticipated wrong {what} "
            f"{'is' if one else 'are'} left out: {'it gets' if one else 'they get'} no credit and the "
            f"general wrong-answer feedback, not {'its' if one else 'their'} own"]


def _numerical(q: Item) -> Written:
    main, *cases = q.answers
    right = [a for a in cases if a.fraction >= 1]
    others = [((a.low, a.high) if a.is_range else (a.value, a.value)) + (True, a.feedback) for a in right]
    parts = numeric((main.value - main.tolerance, main.value + main.tolerance), others, main.feedback)
    wrong = len(cases) - len(right)
    return "numerical_question", parts, _dropped(wrong, "number" if wrong == 1 else "numbers")


def _short_answer(q: Item) -> Written:
    wrong = sum(1 for a in q.answers if a.fraction < 1)
    parts = short_answer([a.text for a in q.answers if a.fraction >= 1], [], q.feedback.get("correct"))
    notes = plain_losses(q) + _dropped(wrong, "answer" if wrong == 1 else "answers")
    if q.match_case or any(a.match_case for a in q.answers):
        notes.append("Canvas short answers ignore case")
    return "short_answer_question", parts, notes


def _matching(q: Item) -> Written:
    lefts = [p.left for p in q.pairs]
    parts = matching(lefts, list(q.shown), {p.left: p.right for p in q.pairs})
    return "matching_question", parts, plain_losses(q) + ["the items are plain text in Canvas"]


def _ordering(q: Item) -> Written:
    """No ordering in Canvas's QTI: a matching of each position to its step (which scores the same)."""
    lefts = [POSITION.format(i) for i in range(1, len(q.order) + 1)]
    parts = matching(lefts, list(q.shown), dict(zip(lefts, q.order, strict=True)))
    return "matching_question", parts, [AS_MATCHING]


AS_MATCHING = "written as a matching of position to step (the format has no ordering)"
WRITERS = {"single_choice": _choices, "multiple_choice": _choices, "true_false": _choices,
           "numerical": _numerical, "short_answer": _short_answer, "matching": _matching,
           "ordering": _ordering}


def export(q: Item) -> Exported:
    """One question as a Canvas ``<item>``, and what it loses."""
    writer = WRITERS.get(q.kind)
    if writer is None:
        return Exported(None, join_notes([f"qti has no {q.type or q.kind} questions"], q.caveats))
    kind, parts, notes = writer(q)
    return Exported(item(q, kind, parts), join_notes(q.losses, notes, q.caveats))


def _ident(lesson: str) -> str:
    return f"tmvlearn_{lesson}"


def _assessment(bank: Any, items: list[ET.Element]) -> bytes:
    root = ET.Element("questestinterop", {"xmlns": QTI_NS})
    assessment = ET.SubElement(root, "assessment", {"ident": _ident(bank.lesson), "title": bank.title})
    meta = ET.SubElement(assessment, "qtimetadata")
    _field(meta, "cc_maxattempts", "1")
    section = ET.SubElement(assessment, "section", {"ident": "root_section"})
    section.extend(items)
    return _bytes(root)


def _meta(bank: Any, count: int) -> bytes:
    ident = _ident(bank.lesson)
    root = ET.Element("quiz", {"identifier": ident, "xmlns": CANVAS_NS})
    objectives = "".join(f"<li>{k}: {line_html(v)}</li>" for k, v in bank.objectives.items())
    for tag, text in (("title", bank.title),
                      ("description", f"<p>tmvlearn lesson {bank.lesson}. Objectives:</p>"
                                      f"<ul>{objectives}</ul>"),
                      ("shuffle_answers", "true"), ("scoring_policy", "keep_highest"),
                      ("quiz_type", "assignment"), ("points_possible", f"{count:.1f}"),
                      ("show_correct_answers", "true"), ("allowed_attempts", "1"), ("available", "false")):
        ET.SubElement(root, tag).text = text
    assignment = ET.SubElement(root, "assignment", {"identifier": f"{ident}_assignment"})
    for tag, text in (("title", bank.title), ("workflow_state", "unpublished"),
                      ("quiz_identifierref", ident), ("points_possible", f"{count:.1f}"),
                      ("grading_type", "points"), ("submission_types", "online_quiz")):
        ET.SubElement(assignment, tag).text = text
    return _bytes(root)


def _manifest(per_bank: list[tuple[Any, list[ET.Element]]]) -> bytes:
    root = ET.Element("manifest", {"identifier": "tmvlearn_manifest", "xmlns": CP_NS})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    for bank, _ in per_bank:
        ident = _ident(bank.lesson)
        res = ET.SubElement(resources, "resource", {"identifier": ident, "type": "imsqti_xmlv1p2"})
        ET.SubElement(res, "file", {"href": f"{ident}/{ident}.xml"})
        ET.SubElement(res, "dependency", {"identifierref": f"{ident}_meta"})
        meta = ET.SubElement(resources, "resource", {
            "identifier": f"{ident}_meta",
            "type": "associatedcontent/imscc_xmlv1p1/learning-application-resource",
            "href": f"{ident}/assessment_meta.xml"})
        ET.SubElement(meta, "file", {"href": f"{ident}/assessment_meta.xml"})
    return _bytes(root)


def _bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


_STAMP = (2020, 1, 1, 0, 0, 0)  # fixed times: the same banks give the same zip


def package(per_bank: list[tuple[Any, list[ET.Element]]]) -> bytes:
    """The zip Canvas imports (Settings > Import course content > QTI .zip file)."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        def put(name: str, data: bytes) -> None:
            zf.writestr(zipfile.ZipInfo(name, _STAMP), data, compress_type=zipfile.ZIP_DEFLATED)

        put("imsmanifest.xml", _manifest(per_bank))
        for bank, items in per_bank:
            ident = _ident(bank.lesson)
            put(f"{ident}/{ident}.xml", _assessment(bank, items))
            put(f"{ident}/assessment_meta.xml", _meta(bank, len(items)))
    return stream.getvalue()

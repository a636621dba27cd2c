"""What each LMS makes of tmvlearn's exports: a small reader per format that applies the rules the
LMS itself applies on import and when it grades, written from the LMS's public code (read, not
copied). Used by ``test_lms_equivalence.py``.

* **Moodle GIFT** (``question/format/gift/format.php``, ``qformat_gift::readquestion``): questions
  apart by blank lines; ``//`` lines dropped; ``escapedchar_pre`` first turns ``\\\\`` into one
  backslash and ``\\: \\# \\= \\{ \\} \\~ \\n`` into placeholders (so ``\\\\#`` is a backslash and a
  *live* ``#``); ``::name::``; the answer block from the first ``{`` to the first ``}``; general
  feedback after the last ``####``; the type from the answer text (``#`` numerical, ``~``
  multichoice, ``=`` and ``->`` match, ``T/F`` true/false, else short answer); each answer's text
  and feedback split at its first ``#``; weights ``%n%`` (``=`` alone is 100% in a multichoice, 100%
  by default in short answer and numerical); a numerical ``a..b`` becomes ``(a+b)/2`` ± half.
* **Moodle XML** (``question/format/xml/format.php``, ``lib/xmlize.php``): a plain XML parse;
  ``fraction`` attribute / 100, which must be one of Moodle's grades (``matchgrades = error``:
  another grade stops the question's import); answer texts trimmed; an answer with empty text is
  skipped at save (short answer and numerical).
* **Moodle grading** (``question/type/*/question.php``): single choice: the chosen answer's
  fraction; multiple answers: the sum of the chosen fractions, kept within 0..1; short answer: the
  first answer (in file order) that matches, ``*`` a wildcard, case ignored unless ``usecase``;
  numerical: the first answer within ``answer ± tolerance`` (``*`` matches any number); matching
  and ordering (absolute position): the share of items placed right.
* **Canvas** (``gems/plugins/qti_exporter``: ``choice_interaction.rb``, ``numeric_interaction.rb``,
  the short-answer converter; after QTIMigrationTool): choice items keep the answers the scoring
  condition names; **every** ``respcondition`` of a numerical item with bounds and of a short
  answer item with ``varequal`` becomes an answer worth 100%, whether or not it sets a score; an
  ``<other/>`` condition is not an answer, and its feedback is the general (in)correct comment.
  Canvas grades a number right within any answer's bounds, a short answer right when it equals an
  answer ignoring case and surrounding space, multiple answers with partial credit (each right pick
  +1/n, each wrong one -1/n, at least 0), matching by the share of items matched right.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

MOODLE_GRADES = [1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0]


@dataclass
class LmsAnswer:
    text: str = ""  # as the LMS stores it (HTML for choices, plain for typed answers)
    fraction: float = 0.0
    feedback: str = ""
    low: float | None = None  # numerical: the bounds the LMS checks
    high: float | None = None


@dataclass
class LmsQuestion:
    """One question as the LMS holds it after import."""

    id: str
    qtype: str  # multichoice, truefalse, shortanswer, numerical, match, ordering (Moodle names)
    answers: list[LmsAnswer] = field(default_factory=list)
    single: bool = True
    usecase: bool = False
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (item, its match); item "" = decoy
    order: list[str] = field(default_factory=list)
    other_feedback: str = ""  # what an answer matching nothing is told (Canvas: incorrect comments)
    lms: str = "moodle"  # moodle or canvas: which grading rules apply
    error: str | None = None  # why the LMS would refuse it at import


# --- Moodle GIFT ---------------------------------------------------------------------------------

_PRE = [("\\:", "&&058;"), ("\\#", "&&035;"), ("\\=", "&&061;"), ("\\{", "&&123;"), ("\\}", "&&125;"),
        ("\\~", "&&126;"), ("\\n", "&&010")]
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")


def _pre(text: str) -> str:
    text = text.replace("\\\\", "&&092;")
    for seq, hold in _PRE:
        text = text.replace(seq, hold)
    return text.replace("&&092;", "\\")


def _post(text: str) -> str:
    for seq, hold in _PRE:
        text = text.replace(hold, seq[1] if seq != "\\n" else "\n")
    return text


def _with_format(text: str) -> str:
    text = text.strip()
    if text.startswith("["):
        end = text.find("]")
        if text[1:end] in ("moodle", "html", "plain", "markdown"):
            text = text[end + 1:]
    return _post(text).strip()


def _weight(answer: str) -> tuple[float, str]:
    """Moodle's answerweightparser: the number between the first two % signs."""
    answer = answer[1:]
    end = answer.find("%")
    return float(answer[:end]) / 100, answer[end + 1:]


def _comment(answer: str) -> tuple[str, str]:
    bits = answer.split("#", 1)
    return _with_format(bits[0]), _with_format(bits[1]) if len(bits) > 1 else ""


def gift(source: str) -> dict[str, LmsQuestion]:
    """Every question of a GIFT file as Moodle imports it, by the id at the end of its name."""
    out = {}
    for block in re.split(r"\n\s*\n", source.replace("\r\n", "\n")):
        lines = [" " if line.strip().startswith("//") else line for line in block.split("\n")]
        text = "\n".join(lines).strip()
        if not text:
            continue
        text = _pre(text)
        if text.startswith("$CATEGORY:"):
            continue
        name = ""
        if text.startswith("::"):
            end = text.find("::", 2)
            name, text = _post(text[2:end]), text[end + 2:].strip()
        start, finish = text.find("{"), text.find("}")
        answertext = text[start + 1:finish].strip()
        gf = answertext.rfind("####")
        if gf >= 0:
            answertext = answertext[:gf].strip()
        q = LmsQuestion(name.split()[-1] if name else "", "")
        if answertext.startswith("#"):
            q.qtype = "numerical"
            body, wrong = answertext[1:], ""
            pos = body.find("~")
            if pos >= 0:
                body, wrong = body[:pos], body[pos:]
            for part in [p.strip() for p in body.split("=")]:
                if not part:
                    continue
                fraction = 1.0
                if _WEIGHT.match(part):
                    fraction, part = _weight(part)
                value, feedback = _comment(part)
                if ".." in value[1:]:
                    lo, hi = (float(v) for v in value.split("..", 1))
                    mid, tol = (lo + hi) / 2, hi - (lo + hi) / 2
                elif ":" in value[1:]:
                    mid, tol = (float(v) for v in value.split(":", 1))
                else:
                    mid, tol = float(value), 0.0
                q.answers.append(LmsAnswer(value, fraction, feedback, mid - abs(tol), mid + abs(tol)))
            if wrong:
                q.answers.append(LmsAnswer("*", 0.0, _comment(wrong)[1]))
        elif "~" in answertext:
            q.qtype, q.single = "multichoice", "=" in answertext
            parts = answertext.replace("=", "~=").split("~")
            for part in [p.strip() for p in parts if p.strip()]:
                if part.startswith("="):
                    fraction, part = 1.0, part[1:]
                elif _WEIGHT.match(part):
                    fraction, part = _weight(part)
                else:
                    fraction = 0.0
                answer, feedback = _comment(part)
                q.answers.append(LmsAnswer(answer, fraction, feedback))
        elif "=" in answertext and "->" in answertext:
            q.qtype = "match"
            for part in [p.strip() for p in answertext.split("=") if p.strip()]:
                left, right = part.split("->", 1)
                q.pairs.append((_with_format(left), _post(right).strip()))
        else:
            head = answertext.split("#", 1)[0].strip() if "#" in answertext else answertext
            if head in ("T", "TRUE", "F", "FALSE"):
                q.qtype = "truefalse"
                bits = (answertext.split("#", 2) + ["", ""])[:3]
                true = head.startswith("T")
                right, wrong = _with_format(bits[2]), _with_format(bits[1])
                q.answers = [LmsAnswer("true", float(true), right if true else wrong),
                             LmsAnswer("false", float(not true), wrong if true else right)]
            else:
                q.qtype = "shortanswer"
                for part in [p.strip() for p in answertext.split("=") if p.strip()]:
                    fraction = 1.0
                    if _WEIGHT.match(part):
                        fraction, part = _weight(part)
                    answer, feedback = _comment(part)
                    q.answers.append(LmsAnswer(answer, fraction, feedback))
        out[q.id] = q
    return out


# --- Moodle XML ----------------------------------------------------------------------------------

def _grade_ok(fraction: float) -> bool:
    return any(abs(abs(fraction) - g) < 1e-5 for g in MOODLE_GRADES)


def moodle_xml(source: str) -> dict[str, LmsQuestion]:
    root = ET.fromstring(source.encode("utf-8"))
    out = {}
    for el in root.findall("question"):
        qtype = el.get("type")
        if qtype == "category":
            continue
        q = LmsQuestion(el.findtext("idnumber") or "", qtype)
        q.single = (el.findtext("single") or "true").strip() == "true"
        q.usecase = (el.findtext("usecase") or "0").strip() == "1"
        for a in el.findall("answer"):
            text = (a.findtext("text") or "").strip()
            fraction = float(a.get("fraction", "0")) / 100
            feedback = (a.findtext("feedback/text") or "").strip()
            if qtype == "ordering":
                q.order.append(text)
                continue
            if qtype != "truefalse" and not _grade_ok(fraction):
                q.error = f"the grade {fraction:.7g} is not one Moodle lists"
            if qtype in ("shortanswer", "numerical") and text == "":
                continue  # skipped when the question is saved
            answer = LmsAnswer(text, fraction, feedback)
            if qtype == "numerical" and text != "*":
                tol = abs(float(a.findtext("tolerance") or 0))
                answer.low, answer.high = float(text) - tol, float(text) + tol
            q.answers.append(answer)
        for sub in el.findall("subquestion"):
            left, right = sub.findtext("text") or "", sub.findtext("answer/text") or ""
            q.pairs.append((left.strip(), right.strip()))
        q.other_feedback = (el.findtext("incorrectfeedback/text") or "").strip()
        out[q.id] = q
    return out


# --- Canvas (QTI 1.2 zip) ------------------------------------------------------------------------

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


def _ns(path: str) -> str:
    return "/".join(QTI + p for p in path.split("/"))


def canvas(data: bytes) -> dict[str, LmsQuestion]:
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if not name.endswith(".xml") or name.endswith(("imsmanifest.xml", "assessment_meta.xml")):
                continue
            root = ET.fromstring(zf.read(name))
            for el in root.iter(QTI + "item"):
                q = _canvas_item(el)
                out[q.id] = q
    return out


def _canvas_item(el: ET.Element) -> LmsQuestion:
    meta = {f.findtext(_ns("fieldlabel")): f.findtext(_ns("fieldentry"))
            for f in el.iter(QTI + "qtimetadatafield")}
    kind = meta["question_type"]
    feedback = {fb.get("ident"): "".join(fb.itertext()).strip() for fb in el.findall(_ns("itemfeedback"))}
    conditions = el.findall(_ns("resprocessing/respcondition"))
    q = LmsQuestion(el.get("ident"), kind, lms="canvas")
    q.other_feedback = feedback.get("general_incorrect_fb", "")

    def fb(cond: ET.Element) -> str:
        link = cond.find(_ns("displayfeedback"))
        return feedback.get(link.get("linkrefid"), "") if link is not None else ""

    def scored(cond: ET.Element) -> bool:
        return cond.find(_ns("setvar")) is not None

    if kind in ("multiple_choice_question", "true_false_question", "multiple_answers_question"):
        q.qtype, q.single = "multichoice", kind != "multiple_answers_question"
        labels = el.findall(".//" + QTI + "response_label")
        right: set[str] = set()
        for cond in conditions:
            if scored(cond):
                right |= {v.text for v in cond.iter(QTI + "varequal")
                          if v not in {n for x in cond.iter(QTI + "not") for n in x}}
        by_ident = {}
        for cond in conditions:
            var = cond.find(_ns("conditionvar/varequal"))
            if var is not None and not scored(cond):
                by_ident[var.text] = fb(cond)
        for label in labels:
            text = "".join(label.itertext()).strip()
            q.answers.append(LmsAnswer(text,
                                       1.0 if label.get("ident") in right else 0.0,
                                       by_ident.get(label.get("ident"), "")))
        if kind == "true_false_question":
            q.qtype = "truefalse"
            for a in q.answers:
                a.text = a.text.lower()
    elif kind == "numerical_question":
        q.qtype = "numerical"
        for cond in conditions:  # every bounded condition is an answer worth 100%
            lo, hi = cond.find(".//" + QTI + "vargte"), cond.find(".//" + QTI + "varlte")
            if lo is not None or hi is not None:
                q.answers.append(LmsAnswer(
                    "", 1.0, fb(cond), float(lo.text) if lo is not None else float("-inf"),
                    float(hi.text) if hi is not None else float("inf")))
    elif kind == "short_answer_question":
        q.qtype = "shortanswer"
        for cond in conditions:  # every varequal is an answer worth 100%
            for var in cond.iter(QTI + "varequal"):
                q.answers.append(LmsAnswer((var.text or "").strip(), 1.0, fb(cond)))
    elif kind == "matching_question":
        q.qtype = "match"
        lids = el.findall(".//" + QTI + "response_lid")
        choice_text = {}
        for lid in lids:
            for label in lid.iter(QTI + "response_label"):
                choice_text[label.get("ident")] = "".join(label.itertext()).strip()
        key = {}
        for cond in conditions:
            var = cond.find(_ns("conditionvar/varequal"))
            if var is not None and scored(cond):
                key[var.get("respident")] = choice_text[var.text]
        for lid in lids:
            left = (lid.findtext(_ns("material/mattext")) or "").strip()
            q.pairs.append((left, key.get(lid.get("ident"), "")))
        q.pairs += [("", t) for t in choice_text.values() if t not in {r for _, r in q.pairs}]
    return q


# --- grading, as the LMS grades ------------------------------------------------------------------

@dataclass
class Graded:
    fraction: float
    feedback: str = ""
    unknown: str | None = None  # a response the LMS question has no place for (an option it lacks)


def _wild(pattern: str, text: str, ignore_case: bool) -> bool:
    bits = re.split(r"(?<!\\)\*+", pattern)
    regexp = ".*".join(re.escape(b.replace("\\*", "*")) for b in bits)
    return re.fullmatch(regexp, text.strip(), re.I | re.S if ignore_case else re.S) is not None


def grade(q: LmsQuestion, response: Any) -> Graded:
    """``response`` in LMS terms: an option text or a set of them (choices), a bool, a typed text, a
    number, a mapping item -> match, or a list (the order)."""
    if q.qtype == "truefalse":
        want = "true" if response else "false"
        a = next((a for a in q.answers if a.text == want), None)
        return Graded(a.fraction, a.feedback) if a else Graded(0.0, unknown=want)
    if q.qtype == "multichoice":
        chosen = [response] if isinstance(response, str) else list(response)
        found = {a.text: a for a in q.answers}
        missing = [c for c in chosen if c not in found]
        if missing:
            return Graded(0.0, unknown=missing[0])
        if q.single:
            return Graded(found[chosen[0]].fraction, found[chosen[0]].feedback)
        if q.lms == "canvas":
            rights = [a for a in q.answers if a.fraction > 0]
            hits = sum(1 for c in chosen if found[c].fraction > 0)
            wrong = len(chosen) - hits
            return Graded(max(0.0, (hits - wrong) / len(rights)))
        return Graded(min(1.0, max(0.0, sum(found[c].fraction for c in chosen))))
    if q.qtype == "shortanswer":
        for a in q.answers:
            if q.lms == "canvas":
                if a.text.strip().lower() == str(response).strip().lower():
                    return Graded(a.fraction, a.feedback)
            elif a.text == "*" or _wild(a.text, str(response), not q.usecase):
                return Graded(a.fraction, a.feedback)
        return Graded(0.0, q.other_feedback)
    if q.qtype == "numerical":
        x = float(response)
        for a in q.answers:
            if a.text == "*" or (a.low is not None and a.low <= x <= a.high):
                return Graded(a.fraction, a.feedback)
        return Graded(0.0, q.other_feedback)
    if q.qtype == "match":
        key = {left: right for left, right in q.pairs if left}
        missing = [left for left in response if left not in key]
        if missing:
            return Graded(0.0, unknown=missing[0])
        return Graded(sum(key[left] == right for left, right in response.items()) / len(key))
    if q.qtype == "ordering":
        order = list(response)
        if sorted(order) != sorted(q.order):
            return Graded(0.0, unknown=next((s for s in order if s not in q.order), "?"))
        return Graded(sum(a == b for a, b in zip(order, q.order, strict=True)) / len(q.order))
    raise ValueError(f"no grading rule for {q.qtype}")

"""Grading equivalence, the contract of every LMS export: for every question of every shipped bank and
of a bank of hard characters and odd weights (``data/lms/97_hard_characters.yaml``), what the LMS
gives the key, each distractor, each anticipated mistake and an unrelated answer (full, partial or
no credit) is what tmvlearn gives, or the export's note for that question says how it differs.

"What the LMS gives" is worked out by ``lms_importers``: the import and grading rules of Moodle's
GIFT and XML formats and of Canvas's QTI importer, from their public code.
"""

from pathlib import Path

import lms_importers as lms
import pytest

from tmvlearn.quiz import load_bank
from tmvlearn.quiz.bank import bank_paths
from tmvlearn.quiz.exchange import POSITION
from tmvlearn.quiz.formats.text import line_html, plain
from tmvlearn.quiz.lms import export_text

HARD = Path(__file__).parent / "data" / "lms" / "97_hard_characters.yaml"
BANKS = [*bank_paths(), HARD]
READERS = {"gift": lms.gift, "moodle-xml": lms.moodle_xml, "qti": lms.canvas}
UNRELATED_TEXT = "qqqq unrelated"
# What a note must say when the LMS grades a response otherwise than tmvlearn: (LMS, tmvlearn) -> words
NAMED = {("partial", "none"): "partial credit"}


def _questions():
    out = {}
    for path in BANKS:
        for q in load_bank(path).questions:
            out[q.id] = q.worked() if getattr(q, "variant", None) is not None else q
    return out


@pytest.fixture(scope="module", params=list(READERS))
def exported(request):
    fmt = request.param
    result = export_text(BANKS, fmt)
    return fmt, READERS[fmt](result.data), dict(result.notes), result


def _level(fraction: float) -> str:
    return "full" if fraction >= 1 - 1e-6 else "partial" if fraction > 1e-9 else "none"


def _tmv(q, response) -> str:
    result = q.check(response)
    return "full" if result.correct else _level(result.score)


def responses(q) -> list:
    """The key, every distractor, the anticipated mistakes and an unrelated answer, as tmvlearn takes them."""
    out = [q.key_response(), *q.distractor_responses()]
    if q.type == "single_choice":
        out += list(q.options)
    elif q.type == "multiple_select":
        out += [[o] for o in q.options] + [list(q.answer)[:-1]]
    elif q.type == "short_text":
        out = [plain(a) for a in q.accepted] + [plain(w["answer"]) for w in q.wrong_answers]
        out.append(UNRELATED_TEXT)
    elif q.type == "numeric":
        out += [c["value"] for c in q.cases if "value" in c]
        out += [q.answer * 7 + 987654.25]
    return [r for i, r in enumerate(out) if r not in out[:i]]


def as_lms(fmt: str, q, response):
    """The same response as the LMS takes it: options as the HTML the export meant to write."""
    if q.type in ("single_choice",):
        return line_html(response)
    if q.type == "multiple_select":
        return [line_html(o) for o in response]
    if q.type == "matching":
        left = plain if fmt == "qti" else line_html
        return {left(k): plain(v) for k, v in response.items()}
    if q.type == "ordering":
        if fmt == "moodle-xml":
            return [line_html(s) for s in response]
        return {POSITION.format(i): plain(s) for i, s in enumerate(response, 1)}
    return response


def test_every_question_grades_as_in_tmvlearn_or_its_note_says_how(exported):
    fmt, read, notes, result = exported
    questions = _questions()
    assert not result.skipped
    problems = []
    for qid, q in questions.items():
        lq = read.get(qid)
        if lq is None:
            problems.append(f"{qid}: not in the {fmt} file as the LMS reads it")
            continue
        if lq.error:
            problems.append(f"{qid}: the LMS refuses it: {lq.error}")
            continue
        for response in responses(q):
            got = lms.grade(lq, as_lms(fmt, q, response))
            if got.unknown is not None:
                problems.append(f"{qid}: the LMS has no {got.unknown!r} (for {response!r})")
                continue
            mine, theirs = _tmv(q, response), _level(got.fraction)
            if mine == theirs:
                continue
            words = NAMED.get((theirs, mine))
            if words is None or words not in (notes.get(qid) or ""):
                problems.append(f"{qid}: {response!r} gets {theirs} credit in {fmt}, {mine} in tmvlearn; "
                                f"note: {notes.get(qid)!r}")
    assert problems == []


def test_an_unrelated_answer_gets_the_wrong_answer_feedback(exported):
    """The catch-all ("any other answer") reaches the LMS with its feedback."""
    fmt, read, _, _ = exported
    problems = []
    for qid, q in _questions().items():
        if q.type not in ("short_text", "numeric") or not q.feedback.get("wrong"):
            continue
        unrelated = UNRELATED_TEXT if q.type == "short_text" else q.answer * 7 + 987654.25
        got = lms.grade(read[qid], unrelated)
        if got.fraction or not got.feedback:
            problems.append(f"{qid}: {got}")
    assert problems == []


def test_canvas_accepts_no_anticipated_mistake():
    """The issue's two cases by name: Canvas must not accept 19 or 8 for cargo-membrane-rows, nor CD40
    or CD44H for the EMMPRIN alias."""
    read = lms.canvas(export_text(BANKS, "qti").data)
    questions = _questions()
    accepted = {}
    for qid, q in questions.items():
        if q.type == "numeric":
            wrong = [c["value"] for c in q.cases if "value" in c and not c.get("correct")]
        elif q.type == "short_text":
            wrong = [plain(w["answer"]) for w in q.wrong_answers]
        else:
            continue
        bad = [w for w in wrong if lms.grade(read[qid], w).fraction]
        if bad:
            accepted[qid] = bad
    assert accepted == {}


@pytest.mark.parametrize("n", range(1, 13))
def test_right_options_add_up_to_100_percent_in_moodle(n):
    """However many right options, selecting all of them is worth exactly 100% and no fewer is."""
    for fmt in ("gift", "moodle-xml"):
        read = READERS[fmt](export_text([HARD], fmt).data)
        q = read[f"hard-select-{n}"]
        rights = [a.fraction for a in q.answers if a.fraction > 0]
        assert len(rights) == n and sum(rights) == pytest.approx(1.0, abs=1e-4), (fmt, rights)
        assert sum(rights) - min(rights) < 1 - 1e-4


def test_import_names_partial_credit_it_cannot_keep_and_exits_2(tmp_path, capsys):
    """GIFT answers worth part of the mark: one note per question, exit 2, never silent."""
    from tmvlearn.cli import main

    source = tmp_path / "partial.gift"
    source.write_text(
        "::short::Name the vesicle.{=microvesicle =%50%vesicle#Half: be precise. =%0%exosome}\n\n"
        "::num::How many?{#=16:0 =%50%15:0.5 ~#No.}\n\n"
        "::single::Pick one.{=right ~%50%nearly ~wrong}\n\n"
        "::multi::Pick two.{~%50%a ~%50%b ~%-100%c}\n\n"
        "::whole::Pick one.{=yes ~no}\n", encoding="utf-8")
    out = tmp_path / "90_partial.yaml"
    assert main(["quiz", "import", str(source), "--format", "gift", "--out", str(out)]) == 2
    printed = capsys.readouterr().out
    notes = [line for line in printed.splitlines() if line.startswith("note:")]
    assert len(notes) == 4, printed
    for qid, words in (("short", "50%"), ("num", "50%"), ("single", "50%"), ("multi", "all or nothing")):
        assert any(f"question {qid})" in n and words in n for n in notes), (qid, notes)
    assert "5 imported (4 not whole, noted), 0 skipped" in printed
    bank = load_bank(out)
    assert [q.id for q in bank.questions] == ["short", "num", "single", "multi", "whole"]

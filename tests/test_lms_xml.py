"""Moodle XML and Canvas QTI 1.2 exports of every shipped bank, checked for the structure each LMS reads."""

import io
import zipfile
from xml.etree import ElementTree as ET

import pytest

from tmvlearn.quiz import load_bank
from tmvlearn.quiz.bank import bank_paths
from tmvlearn.quiz.lms import export_banks, export_text

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
CANVAS = "{http://canvas.instructure.com/xsd/cccv1p0}"


def _questions():
    return {q.id: (q.worked() if hasattr(q, "worked") else q)
            for p in bank_paths() for q in load_bank(p).questions}


@pytest.fixture(scope="module")
def moodle():
    result = export_text(bank_paths(), "moodle-xml")
    return result, ET.fromstring(result.data.encode("utf-8"))


@pytest.fixture(scope="module")
def qti():
    result = export_text(bank_paths(), "qti")
    return result, zipfile.ZipFile(io.BytesIO(result.data))


MOODLE_TYPES = {"single_choice": "multichoice", "multiple_select": "multichoice", "true_false": "truefalse",
                "numeric": "numerical", "short_text": "shortanswer", "matching": "match",
                "ordering": "ordering"}


def test_moodle_xml_has_a_category_per_lesson_and_every_question(moodle):
    result, root = moodle
    assert root.tag == "quiz" and result.skipped == []
    questions = _questions()
    categories = [q.findtext("category/text") for q in root.findall("question[@type='category']")]
    assert categories == [f"$course$/top/tmvlearn/{p.stem}" for p in bank_paths()]
    items = [q for q in root.findall("question") if q.get("type") != "category"]
    assert [q.findtext("idnumber") for q in items] == list(questions)
    for el in items:
        q = questions[el.findtext("idnumber")]
        assert el.get("type") == MOODLE_TYPES[q.type]
        assert el.findtext("name/text") == f"{q.lesson} {q.objective} {q.id}"
        assert el.find("questiontext").get("format") == "html" and el.findtext("questiontext/text")
        tags = {t.findtext("text") for t in el.findall("tags/tag")}
        assert {f"tmvlearn-lesson:{q.lesson}", f"tmvlearn-objective:{q.objective}"} <= tags
        assert "Source: " in el.findtext("generalfeedback/text")


def test_moodle_xml_answers_match_the_keys(moodle):
    _, root = moodle
    questions = _questions()
    for el in root.findall("question"):
        if el.get("type") == "category":
            continue
        q = questions[el.findtext("idnumber")]
        answers = el.findall("answer")
        fractions = [float(a.get("fraction")) for a in answers]
        if q.type == "single_choice":
            assert el.findtext("single") == "true" and fractions.count(100) == 1
        elif q.type == "multiple_select":
            assert el.findtext("single") == "false"
            assert sum(f for f in fractions if f > 0) == pytest.approx(100, abs=0.01)
            assert sum(f < 0 for f in fractions) == len(q.options) - len(q.answer)
        elif q.type == "true_false":
            right = next(a.findtext("text") for a in answers if a.get("fraction") == "100")
            assert right == ("true" if q.answer else "false")
        elif q.type == "numeric":
            first = answers[0]
            value, tol = float(first.findtext("text")), float(first.findtext("tolerance"))
            width = q.lms_width()  # rounded outward: never narrower, hardly wider
            assert value - tol <= q.answer - width and value + tol >= q.answer + width, q.id
            assert tol <= width * 1.01 + 1e-5 * abs(q.answer), q.id
        elif q.type == "short_text":
            assert el.findtext("usecase") in ("0", "1")
            assert [a.findtext("text") for a in answers if a.get("fraction") == "100"] == list(q.accepted)
        elif q.type == "matching":
            subs = el.findall("subquestion")
            assert len([s for s in subs if s.findtext("text")]) == len(q.pairs) >= 2
            assert len(subs) >= 3 or not q.extra_right  # Moodle wants three answers; decoys count
        elif q.type == "ordering":
            assert el.findtext("gradingtype") == "ABSOLUTE_POSITION"
            places = [f"{i}.0000000" for i in range(1, len(q.items) + 1)]
            assert [a.get("fraction") for a in answers] == places


def test_moodle_xml_is_written_to_a_file(tmp_path):
    out = tmp_path / "quiz.xml"
    result = export_banks(["01_biogenesis"], "moodle-xml", out)
    assert result.path == out and ET.parse(out).getroot().tag == "quiz"
    assert "qtype_ordering" in dict(result.notes)["bio-ca-steps"]


CANVAS_TYPES = {"single_choice": "multiple_choice_question", "multiple_select": "multiple_answers_question",
                "true_false": "true_false_question", "numeric": "numerical_question",
                "short_text": "short_answer_question", "matching": "matching_question",
                "ordering": "matching_question"}


def _fields(item):
    return {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
            for f in item.iter(f"{QTI}qtimetadatafield")}


def test_qti_package_has_a_manifest_and_an_assessment_per_lesson(qti):
    result, zf = qti
    names = set(zf.namelist())
    manifest = ET.fromstring(zf.read("imsmanifest.xml"))
    assert manifest.tag == f"{CP}manifest"
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    assessments = [r for r in resources if r.get("type") == "imsqti_xmlv1p2"]
    assert len(assessments) == len(bank_paths())
    for res in resources:
        for f in res.findall(f"{CP}file"):
            assert f.get("href") in names  # every file the manifest names is in the zip
    for res in assessments:
        dep = res.find(f"{CP}dependency").get("identifierref")
        assert any(r.get("identifier") == dep for r in resources)
    for path in bank_paths():
        ident = f"tmvlearn_{path.stem}"
        meta = ET.fromstring(zf.read(f"{ident}/assessment_meta.xml"))
        assert meta.tag == f"{CANVAS}quiz" and meta.findtext(f"{CANVAS}title") == load_bank(path).title
        doc = ET.fromstring(zf.read(f"{ident}/{ident}.xml"))
        assert doc.tag == f"{QTI}questestinterop"
        assert doc.find(f"{QTI}assessment").get("ident") == ident


def test_qti_items_carry_ids_types_and_scoring(qti):
    _, zf = qti
    questions = _questions()
    seen = []
    for name in zf.namelist():
        if name.endswith("assessment_meta.xml") or name == "imsmanifest.xml":
            continue
        for item in ET.fromstring(zf.read(name)).iter(f"{QTI}item"):
            q = questions[item.get("ident")]
            seen.append(q.id)
            fields = _fields(item)
            assert fields["question_type"] == CANVAS_TYPES[q.type]
            assert fields["tmvlearn_id"] == q.id and fields["tmvlearn_objective"] == q.objective
            assert item.get("title") == f"{q.lesson} {q.objective} {q.id}"
            assert item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text
            scoring = [c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None]
            assert scoring, q.id
            linked = {d.get("linkrefid") for d in item.iter(f"{QTI}displayfeedback")}
            defined = {f.get("ident") for f in item.findall(f"{QTI}itemfeedback")}
            assert linked == defined, q.id  # each feedback shown is defined, and none is left unused
            assert "general_fb" in defined  # the explanation and source
            if q.type in ("matching", "ordering"):
                lids = item.findall(f"{QTI}presentation/{QTI}response_lid")
                n = len(q.pairs) if q.type == "matching" else len(q.items)
                assert len(lids) == n
                adds = [float(c.find(f"{QTI}setvar").text) for c in scoring]
                assert sum(adds) == pytest.approx(100, abs=0.1)
            if q.type == "numeric":
                right = scoring[0].find(f"{QTI}conditionvar")
                lo = float(right.findtext(f"{QTI}vargte"))
                hi = float(right.findtext(f"{QTI}varlte"))
                assert lo <= q.answer <= hi
    assert seen == list(questions)


def test_qti_zip_is_reproducible(tmp_path):
    a = export_banks(["01_biogenesis"], "qti", tmp_path / "a.zip").data
    b = export_banks(["01_biogenesis"], "qti", tmp_path / "b.zip").data
    assert a == b and (tmp_path / "a.zip").read_bytes() == a


NOISY = {"id": "noisy", "type": "numeric", "prompt": "How many?", "answer": 7.0926054160000005,
         "tolerance": 0.07022381600000038, "explanation": "x",
         "cases": [{"range": [-0.49132321041214755, 1.5086767895878523], "correct": False, "feedback": "No."},
                   {"range": [14.123456789, 14.2987654321], "correct": True}]}


def _noisy_bank():
    from tmvlearn.quiz.bank import Bank
    from tmvlearn.quiz.questions import question_from_dict

    return Bank("90_noisy", "Noisy", {"O1": "x"}, [question_from_dict(NOISY, "90_noisy")])


def _digits(number: str) -> str:
    """The significant digits of a number as written (no sign, point or leading zeros)."""
    return number.lstrip("-").replace(".", "").lstrip("0")


def _covers(lo, hi, want_lo, want_hi):
    """[lo, hi] holds [want_lo, want_hi] and is at most 1% of its width wider on either side."""
    slack = 0.01 * (want_hi - want_lo)
    return lo <= want_lo and hi >= want_hi and want_lo - lo <= slack and hi - want_hi <= slack


def test_numbers_have_no_float_noise_and_accept_no_less(tmp_path):
    """At most 7 significant digits in the answers, each accepted interval rounded outward."""
    wanted = [(7.0926054160000005 - 0.07022381600000038, 7.0926054160000005 + 0.07022381600000038),
              (-0.49132321041214755, 1.5086767895878523), (14.123456789, 14.2987654321)]
    xml = ET.fromstring(export_text([_noisy_bank()], "moodle-xml").data.encode("utf-8"))
    answers = [a for a in xml.iter("answer") if a.findtext("text") != "*"]
    got = []
    for a in answers:
        value, tol = a.findtext("text"), a.findtext("tolerance")
        assert len(_digits(value)) <= 7 and len(_digits(tol)) <= 7, (value, tol)
        got.append((float(value) - float(tol), float(value) + float(tol)))
    assert all(_covers(*g, *w) for g, w in zip(got, wanted, strict=True)), got
    with zipfile.ZipFile(io.BytesIO(export_text([_noisy_bank()], "qti").data)) as z:
        item = ET.fromstring(z.read("tmvlearn_90_noisy/tmvlearn_90_noisy.xml"))
    ends = [(c.findtext(f"{QTI}vargte"), c.findtext(f"{QTI}varlte"))
            for c in item.iter(f"{QTI}conditionvar") if c.find(f"{QTI}vargte") is not None]
    assert len(ends) == 2  # Canvas: right answers only (a wrong range would become a right one)
    for (lo, hi), w in zip(ends, [wanted[0], wanted[2]], strict=True):
        assert len(_digits(lo)) <= 7 and len(_digits(hi)) <= 7, (lo, hi)
        assert _covers(float(lo), float(hi), *w), (lo, hi)

"""GIFT (Moodle): export of every shipped bank, import, round trips, an independent parser, bad input."""

import re
import time
from pathlib import Path

import pytest

from tmvlearn.cli import main
from tmvlearn.quiz import load_bank
from tmvlearn.quiz.bank import bank_paths, validate_files
from tmvlearn.quiz.formats.gift import escape, read_gift, weight
from tmvlearn.quiz.formats.text import plain
from tmvlearn.quiz.lms import (
    export_banks,
    export_question,
    export_text,
    import_gift,
    import_jupyterquiz,
    write_bank,
)

DATA = Path(__file__).parent / "data"
HAND = DATA / "lms" / "moodle_constructs.gift"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every shipped bank as one GIFT file."""
    path = tmp_path_factory.mktemp("gift") / "all.gift"
    result = export_banks(bank_paths(), "gift", path)
    return result, path


def _worked(q):
    return q.worked() if hasattr(q, "worked") else q


def _originals():
    return {q.id: _worked(q) for p in bank_paths() for q in load_bank(p).questions}


def test_every_shipped_question_is_exported_and_losses_are_named(exported):
    result, path = exported
    originals = _originals()
    assert result.questions == len(originals) and result.skipped == []
    notes = dict(result.notes)
    for qid, q in originals.items():
        if q.type == "ordering":
            assert "matching of position to step" in notes[qid]
        if q.type == "short_text" and q.patterns:
            assert "patterns" in notes[qid]
    variants = [q.id for p in bank_paths() for q in load_bank(p).questions if q.variant_info()]
    assert variants, "the banks have variant questions; the check below would be empty"
    for qid in variants:
        assert "worked values" in notes[qid]
    text = path.read_text(encoding="utf-8")
    assert text.count("$CATEGORY: tmvlearn/") == len(bank_paths())


@pytest.mark.slow
@pytest.mark.parametrize("bank_path", [*bank_paths(), DATA / "lms" / "97_hard_characters.yaml"],
                         ids=lambda p: p.stem)
def test_round_trip_of_each_bank_gives_the_same_bank(bank_path, tmp_path):
    """ours -> GIFT -> ours, with the tmvlearn comments: the same bank (variants as their worked values)."""
    gift = tmp_path / "bank.gift"
    export_banks([bank_path], "gift", gift)
    out = tmp_path / bank_path.name
    imported = import_gift(gift, out)
    assert imported.skipped == []
    write_bank(imported, out)
    assert validate_files([out]) == []  # what `tmvlearn quiz check` runs
    original, back = load_bank(bank_path), load_bank(out)
    assert back.title == original.title and back.objectives == original.objectives
    assert [q.id for q in back.questions] == [q.id for q in original.questions]
    for q, b in zip(original.questions, back.questions, strict=True):
        assert b.model_dump() == _worked(q).model_dump(), q.id


def test_several_banks_in_one_file_keep_their_objective_texts(exported, tmp_path):
    _, path = exported
    imported = import_gift(path, tmp_path / "90_all.yaml")
    assert imported.skipped == []
    objectives = imported.bank["objectives"]
    by_id = {e["id"]: e for e in imported.bank["questions"]}
    for qid, q in _originals().items():
        text = load_bank(q.lesson).objectives[q.objective]
        assert objectives[by_id[qid]["objective"]] == f"tmvlearn/{q.lesson}: {text}"


def _carried(q, unit_in_prompt: bool):
    """What a GIFT body itself carries of a question, markup normalised."""
    out = {"type": q.type, "explanation": plain(q.explanation),
           "prompt": plain(q.lms_prompt() if unit_in_prompt and q.type == "numeric" else q.prompt)}
    fb = {k: plain(v) for k, v in q.feedback.items() if k in ("correct", "wrong")}
    if q.type in ("single_choice", "multiple_select"):
        out |= {"options": [plain(o) for o in q.options], "answer": q.key_response(),
                "feedback": {plain(k): plain(v) for k, v in q.feedback.items() if k != "correct"}}
        key = out["answer"] if isinstance(out["answer"], list) else [out["answer"]]
        out["answer"] = [plain(a) for a in key]
    elif q.type == "true_false":
        out |= {"answer": q.answer, "feedback": fb}
    elif q.type == "numeric":  # numbers to 6 significant digits, rounded outward (approx: the original)
        near = pytest.approx if unit_in_prompt else (lambda x, **_: x)
        out |= {"answer": near(q.answer, rel=1e-5), "width": near(q.lms_width(), rel=2e-3),
                "cases": [(c.get("value"), c.get("range") and near(c["range"], rel=1e-5), c["correct"],
                           plain(c.get("feedback", ""))) for c in q.cases], "feedback": fb}
    elif q.type == "short_text":
        out |= {"accepted": [plain(a) for a in q.accepted], "feedback": fb,
                "wrong": [(plain(w["answer"]), plain(w["feedback"])) for w in q.wrong_answers]}
    elif q.type == "matching":
        out |= {"pairs": [(plain(p["left"]), plain(p["right"])) for p in q.pairs],
                "extra": [plain(e) for e in q.extra_right]}
    elif q.type == "ordering":
        out["items"] = [plain(i) for i in q.items]
    return out


def test_round_trip_without_the_tmvlearn_comments(exported, tmp_path):
    """What Moodle sees (comments dropped): prompts, options, keys, feedback and explanations come back,
    ordering included (as its position-to-step matching); the rest is named in the export notes."""
    result, path = exported
    bare = tmp_path / "bare.gift"
    bare.write_text("\n".join(line for line in path.read_text().splitlines()
                              if not line.startswith("// tmvlearn")), encoding="utf-8")
    imported = import_gift(bare, tmp_path / "90_bare.yaml")
    assert imported.skipped == []
    write_bank(imported, tmp_path / "90_bare.yaml")
    back = {q.id: q for q in load_bank(tmp_path / "90_bare.yaml").questions}  # ids from the titles
    for qid, q in _originals().items():
        assert _carried(back[qid], False) == _carried(q, True), qid
        assert back[qid].check(q.key_response()).correct, qid


def test_an_independent_parser_reads_the_export(exported):
    """pygiftparser (PyPI, not written here) reads every question with the right kind and answers."""
    pygift = pytest.importorskip("pygiftparser.parser")
    _, path = exported
    with path.open(encoding="utf-8") as handle:
        parsed = pygift.parseFile(handle)
    originals = _originals()
    assert len(parsed) == len(originals)
    kinds = {"single_choice": "SelectSet", "multiple_select": "MultipleChoicesSet",
             "true_false": "TrueFalseSet",
             "numeric": "NumericAnswerSet", "matching": "MatchingSet", "ordering": "MatchingSet"}
    unreadable = []
    for item in parsed:
        qid = item.title.split()[-1]
        q = originals[qid]
        assert item.cat == f"tmvlearn/{q.lesson}"
        if not hasattr(item, "answers"):
            unreadable.append(qid)
            continue
        answers = item.answers.answers if hasattr(item.answers, "answers") else []
        if q.type in kinds:
            assert type(item.answers).__name__ == kinds[q.type], qid
        if q.type == "single_choice":
            assert [a.fraction for a in answers] == [100 if o == q.answer else 0 for o in q.options]
        if q.type == "multiple_select":
            share = 100 / len(q.answer)
            assert [a.fraction for a in answers] == pytest.approx(
                [share if o in q.answer else -share for o in q.options], abs=1e-3)
        if q.type in ("matching", "ordering"):
            assert len(answers) == len(q.pairs if q.type == "matching" else q.items) + len(
                getattr(q, "extra_right", []))
    # pygiftparser knows neither the numeric "any other answer" feedback (~#...) nor negative numbers,
    # both of which Moodle's own importer reads (and its exporter writes): exactly those questions
    # are unread, and they parse once those answer lines are left out.
    def beyond(line: str) -> bool:
        return line.startswith("\t~#") or bool(re.match(r"\t=%-?[\d.]*%-", line))

    text = path.read_text(encoding="utf-8")
    expected = [qid for qid, q in originals.items()
                if any(beyond(line) for line in export_question(q, "gift").data.splitlines())]
    assert unreadable == expected and expected
    import io
    kept = "\n".join(line for line in text.splitlines() if not beyond(line))
    reparsed = pygift.parseFile(io.StringIO(kept))
    assert all(hasattr(item, "answers") and item.valid for item in reparsed)


def test_the_hand_written_file_with_every_documented_construct(tmp_path):
    imported = import_gift(HAND, tmp_path / "91_hand.yaml")
    skipped = dict(imported.skipped)
    assert set(skipped) == {"moodle_constructs.gift line 66", "moodle_constructs.gift line 68"}
    assert "description" in skipped["moodle_constructs.gift line 66"]
    assert "essay" in skipped["moodle_constructs.gift line 68"]
    write_bank(imported, tmp_path / "91_hand.yaml")
    assert validate_files([tmp_path / "91_hand.yaml"]) == []
    bank = load_bank(tmp_path / "91_hand.yaml")
    q = {x.id: x for x in bank.questions}
    assert len(q) == 15
    assert q["mc-feedback"].check("The nucleus").feedback == "No, vesicles leave from the cell surface."
    untitled = next(x for x in bank.questions if x.id.startswith("gift-which-lipid"))
    assert untitled.check("Phosphatidylserine").correct
    ms = q["ma-weights"]
    assert ms.answer == ["Ectosomes", "Microparticles"] and not ms.check(["Ectosomes", "Lysosomes"]).correct
    tf = q["tf-both-feedbacks"]
    assert tf.answer is False and tf.check(True).feedback == "No: they are larger."
    assert tf.check(False).feedback == "Right: exosomes are the smaller ones."
    assert q["tf-short"].answer is True
    sa = q["sa-alternatives"]
    assert sa.check("Phospholipid scramblase").correct and not sa.check("flippase").correct
    assert sa.check("flippase").feedback.startswith("Half right")
    assert q["num-tolerance"].check(1000).correct and not q["num-tolerance"].check(999).correct
    rng = q["num-range"]
    assert rng.check(100).correct and rng.check(1000).correct and not rng.check(1001).correct
    multi = q["num-multiple"]
    assert multi.check(2021).correct and multi.check(2020).feedback == "Close: one year off."
    assert multi.check(1990).feedback == "Check the citation."
    assert q["match-pairs"].check({"Exosome": "40 to 160 nm", "Microvesicle": "100 to 1000 nm",
                                   "Apoptotic body": "100 to 4000 nm"}).correct
    esc = q["gf-escapes"]
    assert "1:2" in esc.prompt and "{ }" in esc.prompt and "~ = #" in esc.prompt
    assert "escaped. Second line." in esc.prompt and "\\n" not in esc.prompt  # a newline; in HTML a space
    assert esc.explanation == "A ratio is written with a colon."
    assert q["fmt-markdown"].prompt == "Is **ARF6** a small GTPase?" and q["fmt-plain"].answer is False
    assert q["missing-word"].prompt == "Microvesicles bud from the _____ membrane."
    assert q["second-category"].explanation == "Yes, they do."
    assert bank.objectives == {"O1": "Questions of the category Hand-written/Vesicles",
                               "O2": "Questions of the category Hand-written/Second category"}
    assert q["second-category"].objective == "O2" and q["mc-feedback"].objective == "O1"
    assert all("Imported from moodle_constructs.gift line" in x.note for x in bank.questions)


def test_escaping_of_special_characters_and_maths():
    assert escape("a~b=c#d{e}f:g") == "a\\~b\\=c\\#d\\{e\\}f\\:g"
    assert escape("two\nlines") == "two\\nlines"
    # a backslash before n, a special character, a backslash or the end would be read by Moodle as
    # an escape: it is doubled, as Moodle's own export does (Moodle reads \\ as one backslash)
    assert escape("\\nu \\{x\\}") == "\\\\nu \\\\\\{x\\\\\\}"
    assert escape("end\\") == "end\\\\" and escape("\\alpha") == "\\alpha"
    assert escape("\\(x\\)") == "\\(x\\)"
    from tmvlearn.quiz.formats.gift import html
    assert html("ratio $\\frac{a}{b}$") == "ratio \\(\\frac\\{a\\}\\{b\\}\\)"
    assert html("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_weights_are_grades_moodle_accepts():
    assert weight(1 / 3) == "%33.33333%" and weight(-1 / 3) == "%-33.33333%"
    assert weight(1 / 6) == "%16.66667%" and weight(1 / 7) == "%14.28571%" and weight(1) == "%100%"
    assert weight(0) == "%0%"


def test_relative_tolerance_becomes_absolute():
    from tmvlearn.quiz.questions import question_from_dict

    q = question_from_dict({"id": "n", "type": "numeric", "prompt": "How many?", "answer": 200,
                            "rel_tolerance": 0.05})
    assert "=%100%200:10" in export_question(q, "gift").data


def test_imported_text_stays_text(tmp_path):
    source = tmp_path / "evil.gift"
    source.write_text("::evil::[html]<p onclick='x()'>Hi <script>alert(1)</script><b>bold</b></p>"
                      "{=<img src\\=x onerror\\=alert(1)>yes ~no}\n", encoding="utf-8")
    imported = import_gift(source, tmp_path / "92_evil.yaml")
    entry = imported.bank["questions"][0]
    assert "script" not in entry["prompt"] and "onclick" not in entry["prompt"]
    assert entry["prompt"] == "Hi **bold**"
    from tmvlearn.quiz.markup import inline_html
    assert "<img" not in inline_html(entry["options"][0])


def test_reading_is_linear_and_bounded(tmp_path):
    hostile = "::t::" + "{~" * 200_000 + "\n\n" + ("\\" * 100_000) + "{=a}\n"
    started = time.perf_counter()
    questions, skipped, _ = read_gift(hostile)
    assert time.perf_counter() - started < 2
    assert skipped or questions
    big = tmp_path / "big.gift"
    big.write_bytes(b"x" * 5_000_001)
    with pytest.raises(Exception, match="over 5 MB"):
        import_gift(big, tmp_path / "93_big.yaml")


def test_broken_question_is_skipped_with_its_line(tmp_path):
    source = tmp_path / "broken.gift"
    source.write_text("::ok::Fine?{T}\n\n::bad::Unclosed {=a ~b\n\n::num::How many?{#abc}\n",
                      encoding="utf-8")
    imported = import_gift(source, tmp_path / "94_broken.yaml")
    assert [e["id"] for e in imported.bank["questions"]] == ["ok"]
    skipped = dict(imported.skipped)
    assert "unbalanced" in skipped["broken.gift line 3"] and "not a number" in skipped["broken.gift line 5"]


# --- the command line ----------------------------------------------------------------------------

def test_cli_export_refuses_an_invalid_bank_and_lists_its_problems(tmp_path, capsys):
    bad = tmp_path / "95_bad.yaml"
    bad.write_text("lesson: 95_bad\ntitle: Bad\nobjectives: {O1: x}\nquestions:\n"
                   "  - {id: b1, type: single_choice, prompt: P, options: [a, b], answer: c,\n"
                   "     explanation: E, source: {document: x, section: s, refs: []},\n"
                   "     objective: O1, difficulty: 1}\n",
                   encoding="utf-8")
    out = tmp_path / "out.gift"
    assert main(["quiz", "export", str(bad), "--format", "gift", "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert "question b1" in err and "'c' is not among the options" in err and "line" in err
    assert not out.exists()


def test_cli_checks_the_output_before_any_work(tmp_path, capsys, monkeypatch):
    import tmvlearn.quiz.lms as lms

    monkeypatch.setattr(lms, "export_text", lambda *a, **k: pytest.fail("exported before checking --out"))
    assert main(["quiz", "export", "01_biogenesis", "--format", "gift", "--out",
                 str(tmp_path / "missing" / "x.gift")]) != 0
    assert "does not exist" in capsys.readouterr().err
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    import os
    # a folder without write permission; as root (who may write there anyway), sysfs refuses new files
    target = locked if not os.access(locked, os.W_OK) else Path("/sys")
    try:
        out = str(target / "x.gift")
        assert main(["quiz", "export", "01_biogenesis", "--format", "gift", "--out", out]) != 0
        assert "cannot write" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


def test_cli_keeps_an_existing_file_unless_forced(tmp_path, capsys):
    out = tmp_path / "quiz.gift"
    out.write_text("keep me", encoding="utf-8")
    assert main(["quiz", "export", "01_biogenesis", "--format", "gift", "--out", str(out)]) != 0
    assert out.read_text() == "keep me" and "--force" in capsys.readouterr().err
    assert main(["quiz", "export", "01_biogenesis", "--format", "gift", "--out", str(out), "--force"]) == 0
    assert "bio-ca-steps" in out.read_text()
    printed = capsys.readouterr().out
    assert "note: bio-ca-steps: written as a matching of position to step" in printed


def test_cli_import_gift_writes_a_bank_that_passes_check(tmp_path, capsys):
    out = tmp_path / "91_hand.yaml"
    assert main(["quiz", "import", str(HAND), "--format", "gift", "--out", str(out)]) == 2  # an essay skipped
    printed = capsys.readouterr().out
    assert "skipped: moodle_constructs.gift line 68: an essay" in printed
    assert main(["quiz", "check", str(out)]) == 0
    assert main(["quiz", "import", str(HAND), "--format", "gift", "--out", str(tmp_path / "hand.yaml")]) != 0
    assert "lesson id" in capsys.readouterr().err


def test_cli_import_jupyterquiz(tmp_path):
    out = tmp_path / "96_jq.yaml"
    assert main(["quiz", "import", str(DATA / "jupyterquiz_all_kinds.json"), "--format", "jupyterquiz",
                 "--out", str(out)]) == 0
    assert validate_files([out]) == []
    assert len(load_bank(out)) == 7


def test_jupyterquiz_answers_that_disagree_on_case_keep_a_rule_each(tmp_path):
    """Item 3: one correct answer asks for its case, the other does not: imported, not skipped."""
    from tmvlearn.quiz import from_jupyterquiz, to_jupyterquiz

    item = {"question": "Name the gene.", "type": "string", "answers": [
        {"answer": "TP53", "correct": True, "match_case": True},
        {"answer": "tumor protein p53", "correct": True, "match_case": False}]}
    qs = from_jupyterquiz([item])
    assert qs.skipped == []
    q = qs[0]
    assert q.case_sensitive == ["TP53"] and q.match_case is False
    assert q.check("TP53").correct and not q.check("tp53").correct
    assert q.check("Tumor Protein P53").correct
    written = to_jupyterquiz([q])[0]["answers"]
    assert [a["match_case"] for a in written] == [True, False]
    source = tmp_path / "case.json"
    import json
    source.write_text(json.dumps([item]), encoding="utf-8")
    imported = import_jupyterquiz(source, tmp_path / "97_case.yaml")
    write_bank(imported, tmp_path / "97_case.yaml")
    assert validate_files([tmp_path / "97_case.yaml"]) == []


def test_export_functions_are_reachable_from_the_package():
    from tmvlearn import quiz

    assert quiz.export_banks is export_banks and quiz.import_gift is import_gift
    assert export_text(["01_biogenesis"], "gift").questions == len(load_bank("01_biogenesis"))


def test_a_file_as_moodle_itself_exports_it(tmp_path):
    """Moodle's GIFT export: its own comment lines, \\\\ for a backslash, weights on every short answer,
    empty feedback after #, and ~# for any other number."""
    source = tmp_path / "moodle.txt"
    source.write_text(
        "// question: 0  name: Switch category to $course$/top/Default for Cell biology\n"
        "$CATEGORY: $course$/top/Default for Cell biology\n\n\n"
        "// question: 41  name: Grant\n"
        "::Grant::[html]<p>Which path is Windows-style, C\\:\\\\temp or /tmp?</p>{\n"
        "\t=%100%C\\:\\\\temp#\n\t=%0%/tmp#That is a Unix path.\n}\n\n"
        "// question: 42  name: Born\n"
        "::Born::[html]<p>When was the review published?</p>"
        "{#\n\t=%100%2021:0#\n\t~#Look at the citation.\n}\n",
        encoding="utf-8")
    imported = import_gift(source, tmp_path / "98_moodle.yaml")
    assert imported.skipped == []
    write_bank(imported, tmp_path / "98_moodle.yaml")
    bank = load_bank(tmp_path / "98_moodle.yaml")
    grant, born = bank.questions
    # Markdown for C:\temp: a backslash before a letter needs no escape
    assert grant.id == "gift-grant" and "C:\\temp" in grant.prompt
    assert grant.accepted == ["C:\\temp"] and grant.check("C:\\temp").correct
    assert grant.check("/tmp").feedback == "That is a Unix path."
    assert born.check(2021).correct and born.check(2000).feedback == "Look at the citation."
    assert bank.objectives == {"O1": "Questions of the category Default for Cell biology"}


# --- tester's findings -------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, looks", [("moodle-xml", "Moodle XML"), ("qti", "zip archive"),
                                        ("qti-xml", "QTI XML"), ("json", "JSON")])
def test_import_refuses_a_file_that_is_not_gift(tmp_path, capsys, fmt, looks):
    source = tmp_path / "02.in"
    if fmt == "json":
        source.write_text('[{"question": "Q?", "type": "many_choice", "answers": []}]', encoding="utf-8")
    elif fmt == "qti-xml":
        import io
        import zipfile

        data = export_text(["00_start_here"], "qti").data
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            source.write_bytes(z.read("tmvlearn_00_start_here/tmvlearn_00_start_here.xml"))
    else:
        export_banks(["00_start_here"], fmt, source, force=True)
    out = tmp_path / "96_xml.yaml"
    assert main(["quiz", "import", str(source), "--format", "gift", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"looks like {looks}" in err or looks in err
    assert "not GIFT" in err and ("export the questions as GIFT" in err or "--format jupyterquiz" in err)
    assert not out.exists()


def test_text_without_an_answer_block_never_becomes_a_question(tmp_path, capsys):
    source = tmp_path / "notes.gift"
    source.write_text("[html]<p>Some notes for the class.</p>\nNo answers here.\n\n::q::Real?{T}\n",
                      encoding="utf-8")
    imported = import_gift(source, tmp_path / "96_notes.yaml")
    assert [e["id"] for e in imported.bank["questions"]] == ["q"]
    assert imported.skipped == [("notes.gift line 1", "a description (text with no answers) is not imported")]


def test_import_reports_skips_in_line_order_and_exits_2(tmp_path, capsys):
    source = tmp_path / "mixed.gift"
    source.write_text("::essay::Write about it.{}\n\n::ok::Fine?{T}\n\n::bad::Unclosed {=a ~b\n",
                      encoding="utf-8")
    out = tmp_path / "94_mixed.yaml"
    assert main(["quiz", "import", str(source), "--format", "gift", "--out", str(out)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[1].strip() for line in lines if line.startswith("skipped:")] == [
        "mixed.gift line 1", "mixed.gift line 5"]
    assert lines[-1] == "1 imported, 2 skipped"
    assert [q.id for q in load_bank(out).questions] == ["ok"]  # written all the same
    good = tmp_path / "good.gift"
    good.write_text("::ok::Fine?{T}\n", encoding="utf-8")
    out = tmp_path / "94_good.yaml"
    assert main(["quiz", "import", str(good), "--format", "gift", "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 imported, 0 skipped"


def test_import_names_a_question_whose_numbers_varied(tmp_path, capsys):
    source = tmp_path / "02.gift"
    export_banks(["02_ev_types_isolation"], "gift", source)
    out = tmp_path / "92_ev.yaml"
    assert main(["quiz", "import", str(source), "--format", "gift", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"note: 02\.gift line \d+ \(question ev-kfactor-hours\): its numbers varied "
                     r"per learner in tmvlearn; imported with the fixed worked values "
                     r"\(k = 124, s_svedberg = 62\)", printed)
    variants = [q for q in load_bank("02_ev_types_isolation").questions if q.variant_info()]
    assert printed.count("its numbers varied") == len(variants) >= 2  # a note for those only


def test_gift_numbers_have_no_float_noise_and_accept_no_less(tmp_path):
    from tmvlearn.quiz.formats.gift import numeric_answer
    from tmvlearn.quiz.questions import question_from_dict

    q = question_from_dict({"id": "noisy", "type": "numeric", "prompt": "How many?",
                            "answer": 7.0926054160000005, "tolerance": 0.07022381600000038,
                            "explanation": "x",
                            "cases": [{"range": [-0.49132321041214755, 1.5086767895878523], "correct": False,
                                       "feedback": "No."}]})
    text = export_question(q, "gift").data
    body = "\n".join(line for line in text.splitlines() if not line.startswith("//"))
    assert not re.search(r"\d{8}", body), body
    assert "=%100%7.09261:0.0702284" in body and "-0.491324..1.50868" in body
    (read,), _, _ = read_gift(body)
    (v, t, _), (_, _, rng) = (numeric_answer(a) for a in read.answers)
    assert v - t <= q.answer - q.tolerance and v + t >= q.answer + q.tolerance and t < q.tolerance * 1.001
    assert rng[0] <= -0.49132321041214755 and rng[1] >= 1.5086767895878523
    source = tmp_path / "n.gift"  # with its tmvlearn comment, the exact numbers come back
    source.write_text(text + "\n", encoding="utf-8")
    entry = import_gift(source, tmp_path / "93_n.yaml").bank["questions"][0]
    assert entry["answer"] == q.answer and entry["tolerance"] == q.tolerance and entry["cases"] == q.cases


def test_written_files_get_the_usual_mode_and_a_replaced_file_keeps_its_own(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        gift = tmp_path / "all.gift"
        export_banks(["00_start_here"], "gift", gift)
        assert gift.stat().st_mode & 0o777 == 0o644
        bank = tmp_path / "95_back.yaml"
        write_bank(import_gift(gift, bank), bank)
        assert bank.stat().st_mode & 0o777 == 0o644
        os.chmod(gift, 0o640)
        export_banks(["00_start_here"], "gift", gift, force=True)
        assert gift.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)

"""jupyterquiz JSON: read a hand-written file with every answer kind, write, round-trip."""

import json
from pathlib import Path

import pytest

from tmvlearn.quiz import JupyterQuizError, from_jupyterquiz, load_bank, to_jupyterquiz

ALL_KINDS = Path(__file__).parent / "data" / "jupyterquiz_all_kinds.json"


def test_reads_every_answer_kind():
    qs = from_jupyterquiz(ALL_KINDS)
    assert qs.skipped == []
    assert [q.type for q in qs] == ["single_choice", "single_choice", "multiple_select", "numeric", "numeric",
                                    "short_text", "short_text"]
    mc, code, many, value, rng, string, exact = qs
    assert mc.check("Microvesicles").correct and mc.check("Exosomes").feedback.startswith("Exosomes come")
    assert not mc.check("Lysosomes").correct
    assert "print(10 // 4)" in code.prompt and code.check("`2`").correct
    assert many.check(["CD40", "ARF6"]).correct and not many.check(["CD40"]).correct
    # numeric: value with precision, wrong range and wrong value with feedback, default
    assert value.check("1000").correct and value.check(1001).correct  # 3 significant digits
    assert value.check(100).feedback == "That is the lower end."
    assert value.check(60).feedback == "That is the exosome range."
    assert value.check(5000).feedback == "Check the review's introduction."
    # numeric: a correct half-open range
    assert rng.check(10).correct and rng.check(15.5).correct and rng.check(20).correct
    assert not rng.check(9.99).correct and rng.check(25).feedback == "Outside the range."
    # string: case-insensitive with fuzzy matching, wrong answer, default; exact case
    assert string.check("Scramblase").correct and string.check("scrambláse").correct
    assert string.check("flippase").feedback == "Flippases keep the asymmetry."
    assert string.check("kinase").feedback.startswith("Think of")
    assert exact.check("TP53").correct and not exact.check("tp53").correct


def test_ids_are_stable_across_reads():
    assert [q.id for q in from_jupyterquiz(ALL_KINDS)] == [q.id for q in from_jupyterquiz(ALL_KINDS)]


def test_round_trip_from_jupyterquiz_is_lossless():
    original = json.loads(ALL_KINDS.read_text())
    written = to_jupyterquiz(from_jupyterquiz(original))
    assert written.skipped == []
    again = from_jupyterquiz(list(written))
    probes = ["Microvesicles", "Exosomes", "`2`", ["CD40", "ARF6"], ["CD40"], 1000, 100, 60, 15, 20,
              "scramblase", "flippase", "TP53", "tp53", None]
    for first, second in zip(from_jupyterquiz(original), again, strict=True):
        assert (first.type, first.prompt) == (second.type, second.prompt)
        for probe in probes:
            assert first.check(probe) == second.check(probe), (first.id, probe)


def test_round_trip_of_our_bank_reports_what_jupyterquiz_cannot_hold(tmp_path):
    bank = load_bank("01_biogenesis")
    with pytest.warns(UserWarning, match="not exported in full"):
        out = to_jupyterquiz(bank, tmp_path / "bank.json")
    skipped = dict(out.skipped)
    assert "jupyterquiz has no matching" in skipped["bio-rhoa-route"]
    assert "jupyterquiz has no ordering" in skipped["bio-ca-steps"]
    assert "patterns" in skipped["bio-rab22a-condition"]
    assert json.loads((tmp_path / "bank.json").read_text()) == list(out)
    for item in out:
        assert item["type"] in {"multiple_choice", "many_choice", "numeric", "string"}
    back = from_jupyterquiz(tmp_path / "bank.json")
    assert len(back) == len(bank) - 2
    exported = [q for q in bank if q.type not in ("matching", "ordering")]
    for ours, theirs in zip(exported, back, strict=True):
        key_response = ours.key_response() if ours.type != "true_false" else str(ours.key_response())
        assert theirs.check(key_response).correct
        for wrong in ours.distractor_responses():
            wrong = str(wrong) if ours.type == "true_false" else wrong
            assert not theirs.check(wrong).correct, (ours.id, wrong)


def test_bad_input_is_reported_not_dropped(tmp_path):
    items = [
        {"question": "Q?", "type": "drag_and_drop", "answers": []},
        {"question": "Q2?", "type": "multiple_choice", "answers": [{"answer": "a", "correct": False}]},
        {"type": "numeric", "answers": [{"type": "value", "value": 1, "correct": True}]},
        "not a question",
        {"question": "ok", "type": "numeric", "answers": [{"type": "value", "value": 1, "correct": True}]},
    ]
    with pytest.warns(UserWarning, match="4 question"):
        qs = from_jupyterquiz(items)
    assert len(qs) == 1
    reasons = dict(qs.skipped)
    assert "drag_and_drop" in reasons["#1"] and "no answer is marked correct" in reasons["#2"]
    assert "no 'question'" in reasons["#3"] and "not a question" in reasons["#4"]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(JupyterQuizError, match="not valid JSON"):
        from_jupyterquiz(bad)
    with pytest.raises(JupyterQuizError, match="cannot read"):
        from_jupyterquiz(tmp_path / "absent.json")


def test_jupyterquiz_ranges_are_half_open_on_import_and_export():
    """jupyterquiz's numeric.js checks ``x >= A && x < B``: an imported range grades its high end wrong,
    and an exported tolerance reaches its high end."""
    imported = from_jupyterquiz([{"question": "Between 10 and 20?", "type": "numeric", "answers": [
        {"type": "range", "range": [10, 20], "correct": True, "feedback": "Inside."},
        {"type": "default", "feedback": "Outside."}]}])[0]
    assert imported.check(10).correct and imported.check(19.999).correct
    assert not imported.check(20).correct and not imported.check(9.999).correct
    again = from_jupyterquiz(list(to_jupyterquiz([imported])))[0]
    for probe in (9.999, 10, 15, 19.999, 20, 20.001):
        assert again.check(probe).correct == imported.check(probe).correct, probe
    from tmvlearn.quiz.questions import question_from_dict
    q = question_from_dict({"id": "tol", "type": "numeric", "prompt": "x?", "answer": 16, "tolerance": 0.5,
                            "explanation": "x"}, "90_x")
    low, high = to_jupyterquiz([q])[0]["answers"][0]["range"]
    assert low == 15.5 and high > 16.5  # jupyterquiz accepts 16.5, as tmvlearn does

"""Fresh numbers: numeric questions whose values are drawn per learner and keyed by a model function."""

import json
import math
import re
import textwrap

import pytest

from tmvlearn.cli import main
from tmvlearn.quiz import Quiz, attempts, key, load_bank, show, validate_files
from tmvlearn.quiz.bank import all_questions
from tmvlearn.quiz.questions import question_from_dict
from tmvlearn.quiz.variants import MODELS, draw, fill, names_for

VARIANT = [q for q in all_questions().values() if q.variant_info() is not None]
SEEDS = 200


pytestmark = pytest.mark.usefixtures("learner_ada")  # a fresh progress folder, learner "ada"


def _width(q, key):
    return max(q.tolerance, q.rel_tolerance * abs(key))


def test_lessons_2_and_6_have_at_least_six_variant_questions_on_the_models():
    lessons = {q.lesson for q in VARIANT}
    assert lessons == {"02_ev_types_isolation", "06_clinical_uses"}
    assert len(VARIANT) >= 6
    models = {q.variant_info().model for q in VARIANT}
    assert {"sedimentation.rotor_rcf", "sedimentation.rotor_k_factor", "sedimentation.pelleting_time_h",
            "diagnostics.ppv_pct", "sizes.window_share_pct"} <= models
    assert models <= set(MODELS)


def test_a_rotor_of_the_lessons_table_never_turns_faster_than_its_rated_speed():
    """The numbers a learner is given are ones a lab could use: a named rotor at or below its top speed,
    with its own radius (an SW 28, rated 28,000 rpm, was once drawn at up to 41,000 rpm)."""
    from tmvlearn.models.sedimentation import ROTORS

    rotor_questions = [q for q in VARIANT if "rotor" in q.worked().variant_values]
    assert {q.id for q in rotor_questions} >= {"ev-rcf-at-radius", "ev-kfactor-from-radii"}
    for q in rotor_questions:
        for i in range(SEEDS):
            concrete = q.instantiate(f"0:learner-{i}")
            rotor = ROTORS[concrete.variant_values["rotor"]]
            rpm = int(re.search(r"at ([\d,]+) rpm", concrete.prompt)[1].replace(",", ""))
            assert 0 < rpm <= rotor.max_rpm, (q.id, rotor.name, rpm)
            assert f"{rotor.r_max_cm:.2f} cm" in concrete.prompt, (q.id, concrete.prompt)


@pytest.mark.parametrize("q", VARIANT, ids=lambda q: q.id)
def test_every_seed_gives_a_finite_key_that_grades_right_and_near_misses_that_grade_wrong(q):
    seen = set()
    for i in range(SEEDS):
        concrete = q.instantiate(f"0:learner-{i}")
        answer = concrete.answer
        assert math.isfinite(answer), (i, concrete.variant_values)
        assert concrete.id == q.id and concrete.lesson == q.lesson, "item analysis groups variants by id"
        assert "{{" not in concrete.prompt + concrete.explanation + "".join(concrete.feedback.values())
        for value in concrete.variant_values.values():  # the learner is shown every value
            shown = f"{value:,}" if isinstance(value, int) else str(value)
            assert shown in concrete.prompt, (shown, concrete.prompt)
        result = concrete.check(answer)
        assert result.correct and result.details["variant"] == concrete.variant_values
        typed = f"{answer:.4g}" + (f" {q.unit}" if q.unit else "")  # as a learner types it
        assert concrete.check(typed).correct, typed
        width = _width(concrete, answer)
        for wrong in (answer + 3 * width, answer - 3 * width, answer * 1.5, answer / 1.5):
            assert not concrete.check(wrong).correct, (wrong, answer, concrete.variant_values)
        for wrong in concrete.distractor_responses():  # the bank's anticipated mistakes, computed too
            result = concrete.check(wrong)
            assert not result.correct and "{{" not in result.feedback
        drawn = draw(q.variant, f"0:learner-{i}", q.id)
        values = {**drawn.values, **drawn.outputs}
        hints = {fill(m["feedback"], names_for(drawn)) for m in q.variant.mistakes}
        for mistake in q.variant.mistakes:  # a mistake that grades wrong gets a mistake's own hint
            result = concrete.check(values[mistake["output"]])
            assert result.correct or result.feedback in hints, (mistake["output"], concrete.variant_values)
        seen.add(json.dumps(concrete.variant_values, sort_keys=True))
    assert len(seen) >= 5, "the seeds draw different values"


def test_a_mistake_gets_its_own_feedback_with_the_learners_numbers():
    q = load_bank("02_ev_types_isolation")["ev-kfactor-hours"].instantiate("0:ada")
    k, s = q.variant_values["k"], q.variant_values["s_svedberg"]
    assert f"{k}" in q.prompt and f"{s}" in q.prompt
    assert "divided by S, not k times S" in q.check(k * s).feedback
    assert q.check(f"{k / s * 60:.1f} min").correct, "units convert as for any numeric question"


def test_a_mistake_just_outside_the_tolerance_still_gets_its_hint():
    # Lesson 2, Microvesicles 80-200 nm: key 22.55 % (tolerance 1), captured_pct 21.3 %, 1.25 away:
    # its hint used to be dropped as overlapping the accepted range.
    q = load_bank("02_ev_types_isolation")["ev-window-share"].instantiate("s10")
    assert q.variant_values == {"vesicle_type": "Microvesicles", "low_nm": 80, "high_nm": 200}
    assert round(q.answer, 2) == 22.55
    result = q.check("21.3")
    assert not result.correct and "captured_fraction" in result.feedback
    assert q.check("21.6").correct, "the accepted range is unchanged"
    for case in q.cases:  # no mistake's range reaches into the accepted range
        lo, hi = case["range"]
        assert hi <= q.answer - q.tolerance + 1e-9 or lo >= q.answer + q.tolerance - 1e-9, case


def test_two_learners_get_different_values_and_one_learner_always_the_same():
    bank = load_bank("02_ev_types_isolation")

    def values(learner, **kw):
        quiz = Quiz(bank.title, list(bank), learner=learner, **kw)
        _ = quiz.widget
        return [p.q.variant_values for p in quiz._panels if p.q.variant_values is not None]

    ada, grace = values("ada"), values("grace")
    assert len(ada) == len(grace) == sum(q.variant_info() is not None for q in bank)
    assert ada != grace
    assert values("ada") == ada, "a re-run (a kernel restart) gives the learner the same numbers"
    first, second = values("ada", variant_seed="review-1"), values("ada", variant_seed="review-2")
    assert first != ada and second != first, "each review gets fresh numbers"
    for q in VARIANT:  # every question varies across learners
        drawn = {json.dumps(q.instantiate(f"0:{name}").variant_values) for name in "abcdefghij"}
        assert len(drawn) >= 3, q.id


WORKED = {  # the fixed worked variants: printed lessons and keys depend on them
    "ev-stokes-factor": 4.0,
    "ev-kfactor-hours": 2.0,
    "ev-rcf-at-radius": 287917.6456,  # the SW 41 Ti at full speed (rotors_table: 287,918 x g)
    "ev-kfactor-from-radii": 124.25,  # its k-factor (rotors_table: 124.3)
    "ev-window-share": 50.87,
    "clin-screening-ppv": 15.38,  # what lesson 6 says: "only about 15% of positives"
    "clin-clinic-npv": 75.0,  # sensitivity 70%, specificity 90%, prevalence 50%
}


def test_the_worked_variant_is_fixed_and_is_what_print_and_keys_show():
    questions = all_questions()
    assert set(WORKED) == {q.id for q in VARIANT}
    for qid, expected in WORKED.items():
        q = questions[qid]
        worked = q.worked()
        assert worked.answer == pytest.approx(expected, rel=1e-3), qid
        assert q.answer == worked.answer and q.check(worked.answer).correct, "the template grades as worked"
        assert q.instantiate(None).prompt == worked.prompt
    bundle = show("06_clinical_uses", seed=0, learner="ada").static_bundle()
    assert bundle == show("06_clinical_uses", seed=0, learner="grace").static_bundle()
    for text in bundle.values():
        assert "{{" not in text
        assert "sensitivity 90% and specificity 95%" in text and "1% of people" in text
        assert "Fresh numbers: in the interactive quiz each learner gets their own values" in text
        assert "15.38" not in text and "Per 10,000 people" not in text, "the student copy has no answer"
    instructor = key("02_ev_types_isolation").to_text()
    assert "a k-factor of 124 (in hours x svedberg)" in instructor and "124 / 62 ≈ 2.00 hours" in instructor
    assert "**Template:** A rotor run at full speed has a k-factor of ⟨rotor k-factor⟩" in instructor
    assert "**Model:** sedimentation.pelleting_time_h" in instructor
    assert "2 ± 2% h" in instructor


def test_the_widget_records_which_numbers_the_learner_saw():
    quiz = show("06_clinical_uses", learner="ada")
    _ = quiz.widget
    panel = next(p for p in quiz._panels if p.q.id == "clin-screening-ppv")
    values = panel.q.variant_values
    assert f"sensitivity {values['sensitivity_pct']}%" in panel.box.children[0].value
    panel.inputs[0].value = f"{panel.q.answer:.2f}"
    assert panel.check().correct
    done = attempts("ada")
    row = done[done["question_id"] == "clin-screening-ppv"].iloc[-1]
    stored = row["response"] if isinstance(row["response"], dict) else json.loads(row["response"])
    assert stored == {"response": f"{panel.q.answer:.2f}", "values": values}
    assert bool(row["correct"])


def test_exports_carry_the_worked_variant_and_say_so():
    q = all_questions()["ev-kfactor-hours"]
    from tmvlearn.quiz.lms import export_question

    data, note = export_question(q, "jupyterquiz")
    assert "{{" not in json.dumps(data) and "a k-factor of 124" in data["question"]
    assert "worked values" in note


def test_a_key_that_is_not_finite_or_out_of_range_is_never_shown():
    # nearly every draw falls outside key_range; the ones shown are the few inside it, or the worked one
    q = question_from_dict({
        "id": "narrow", "type": "numeric", "prompt": "k {{k}}, S {{s_svedberg}}?", "rel_tolerance": 0.02,
        "variant": {"model": "sedimentation.pelleting_time_h", "key_range": [1.9, 2.1],
                    "params": {"k": {"min": 10, "max": 1000, "step": 1}, "s_svedberg": {"min": 1, "max": 1000,
                                                                                      "step": 1}},
                    "worked": {"k": 124, "s_svedberg": 62}}})
    keys = [q.instantiate(i).answer for i in range(SEEDS)]
    assert all(1.9 <= k <= 2.1 for k in keys)
    # radii drawn the wrong way round make the model refuse: never shown
    q = question_from_dict({
        "id": "radii", "type": "numeric", "prompt": "{{r_min_cm}} {{r_max_cm}}", "rel_tolerance": 0.02,
        "variant": {"model": "sedimentation.k_factor",
                    "params": {"r_min_cm": {"min": 4, "max": 12, "step": 1}, "r_max_cm": {"min": 8, "max": 16,
                                                                                        "step": 1},
                               "rpm": 30000},
                    "worked": {"r_min_cm": 6, "r_max_cm": 15}}})
    for i in range(SEEDS):
        concrete = q.instantiate(i)
        assert math.isfinite(concrete.answer) and concrete.answer > 0
        assert concrete.variant_values["r_max_cm"] > concrete.variant_values["r_min_cm"]
    spec = q.variant
    assert draw(spec, "x", "radii") == draw(spec, "x", "radii"), "deterministic"


GOOD = textwrap.dedent(
    """\
    lesson: 91_demo
    title: Demo
    objectives:
      O1: Work out a pelleting time.
    questions:
      - id: demo-hours
        type: numeric
        prompt: A k-factor of {{k}} and a coefficient of {{s_svedberg}} S. How many hours?
        rel_tolerance: 0.02
        unit: h
        variant:
          model: sedimentation.pelleting_time_h
          params:
            k: {min: 100, max: 250, step: 2}
            s_svedberg: {min: 40, max: 400, step: 2}
          worked: {k: 124, s_svedberg: 62}
          mistakes:
            - {output: k_times_s, feedback: Divide.}
        explanation: t = {{k}} / {{s_svedberg}} = {{answer:.2f}} h.
        source: {document: zhu2021, section: Isolation of MVs, refs: [47]}
        objective: O1
        difficulty: 2
    """
)

BROKEN = [
    # (what, edit of GOOD, expected field, expected words)
    ("unknown model", ("model: sedimentation.pelleting_time_h", "model: sedimentation.pelleting_tme"),
     "variant.model", "unknown model function 'sedimentation.pelleting_tme' (did you mean"),
    ("empty range", ("k: {min: 100, max: 250, step: 2}", "k: {min: 300, max: 250, step: 2}"),
     "variant.params.k.min", "the range is empty"),
    ("range outside the model", ("s_svedberg: {min: 40,", "s_svedberg: {min: -40,"),
     "variant.params.s_svedberg.min", "outside what the model accepts"),
    ("zero step", ("k: {min: 100, max: 250, step: 2}", "k: {min: 100, max: 250, step: 0}"),
     "variant.params.k.step", "greater than 0"),
    ("half a range", ("k: {min: 100, max: 250, step: 2}", "k: {min: 100, max: 250}"),
     "variant.params.k", "needs min, max and step"),
    ("a list where a value goes", ("k: {min: 100, max: 250, step: 2}", "k: [100, 102]"),
     "variant.params.k", "write a range as {min, max, step}"),
    ("unknown parameter", ("s_svedberg: {min: 40, max: 400, step: 2}",
                           "s_svedberg: {min: 40, max: 400, step: 2}\n        speed: 5"),
     "variant.params.speed", "has no parameter 'speed'"),
    ("missing parameter", ("        s_svedberg: {min: 40, max: 400, step: 2}\n", ""),
     "variant.params", "needs the parameter 's_svedberg'"),
    ("worked value off the range", ("worked: {k: 124,", "worked: {k: 125,"),
     "variant.worked.k", "not among the values"),
    ("unknown placeholder", ("= {{answer:.2f}} h.", "= {{anser:.2f}} h."), "explanation",
     "{{anser}} is not a parameter or output"),
    ("value not shown", ("a coefficient of {{s_svedberg}} S", "a coefficient of 62 S"), "prompt",
     "does not show {{s_svedberg}}"),
    ("unknown mistake", ("output: k_times_s", "output: k_plus_s"), "variant.mistakes[0].output",
     "'k_plus_s' is not a parameter or output"),
    ("answer beside a variant", ("rel_tolerance: 0.02\n", "rel_tolerance: 0.02\n    answer: 2\n"), "answer",
     "leave it out"),
    ("no tolerance", ("    rel_tolerance: 0.02\n", ""), "rel_tolerance", "needs a tolerance"),
]


@pytest.mark.parametrize("what, edit, field, words", BROKEN, ids=[b[0] for b in BROKEN])
def test_bad_variants_fail_quiz_check_with_file_question_and_field(tmp_path, what, edit, field, words):
    old, new = edit
    text = GOOD.replace(old, new)
    assert text != GOOD
    path = tmp_path / "91_demo.yaml"
    path.write_text(text, encoding="utf-8")
    problems = validate_files([path])
    matching = [p for p in problems if p.question == "demo-hours" and p.field == field and words in p.message]
    assert matching, problems
    assert str(matching[0]).startswith(f"{path}: question demo-hours: {field}: ")


def test_the_good_demo_loads_and_a_range_where_no_key_is_usable_fails(tmp_path, capsys):
    path = tmp_path / "91_demo.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert validate_files([path]) == []
    bank = load_bank(path)
    assert bank["demo-hours"].worked().explanation == "t = 124 / 62 = 2.00 h."
    # every drawn key falls outside key_range, though the worked one is inside
    path.write_text(GOOD.replace("worked:", "key_range: [1.99, 2.01]\n      worked:"), encoding="utf-8")
    problems = validate_files([path])
    assert [(p.field, "only") for p in problems if "usable key" in p.message] == [("variant.params", "only")]
    # the command line says it the same way and fails
    assert main(["quiz", "check", str(path)]) != 0
    out = capsys.readouterr()
    assert re.search(rf"{re.escape(str(path))}: question demo-hours: variant.params: only \d+ of 40 drawn",
                     out.out + out.err)


def test_every_rotor_variant_is_a_real_rotor_of_the_lessons_table_within_its_force():
    """The k-factor question draws one rotor of the lesson's table (its own radii) at or below its top
    speed: never radii of two rotors, never a speed beyond any rotor the lesson lists."""
    from tmvlearn.models import sedimentation

    table = sedimentation.rotors_table()
    assert set(MODELS["sedimentation.rotor_k_factor"].params["rotor"].choices) == set(table.index)
    q = all_questions()["ev-kfactor-from-radii"]
    seen = set()
    for i in range(SEEDS):
        variant = q.instantiate(f"0:learner{i}")
        rotor = variant.variant_values["rotor"]
        row = table.loc[rotor]
        outputs = MODELS["sedimentation.rotor_k_factor"](variant.variant_values)
        assert (outputs["r_min_cm"], outputs["r_max_cm"]) == (row["r_min_cm"], row["r_max_cm"])
        assert 0 < outputs["rpm"] <= row["max_rpm"], f"{rotor} cannot spin at {outputs['rpm']} rpm"
        assert outputs["rcf_g"] <= row["max_rcf_g"] + 1 <= table["max_rcf_g"].max() + 1
        assert f"{row['r_min_cm']:.2f} cm to {row['r_max_cm']:.2f} cm" in variant.prompt
        assert f"{outputs['rpm']:,.0f} rpm" in variant.prompt and rotor in variant.prompt
        assert outputs["answer"] == pytest.approx(
            sedimentation.k_factor(row["r_min_cm"], row["r_max_cm"], outputs["rpm"]))
        assert "rotor table" in variant.explanation
        seen.add(rotor)
    assert seen == set(table.index), "every rotor of the table comes up"

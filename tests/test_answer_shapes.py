"""Answers written as learners write them: factors ("9x"), decades ("1970s"), a proportion in a
percent box, and the natural pandas shapes of an exercise's answer (issue: forgiving answers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tmvlearn.quiz import check_exercise, load_bank


def question(lesson: str, qid: str):
    return load_bank(lesson)[qid]


@pytest.mark.parametrize("typed", ["4", "4x", "4 x", "4×", "4 times", "4-fold", "4 fold", "4 times faster"])
def test_a_factor_may_be_written_with_x_times_or_fold(typed):
    q = question("02_ev_types_isolation", "ev-stokes-factor").worked()
    result = q.check(typed.replace("4", f"{q.answer:g}", 1))
    assert result.correct, (typed, result.feedback)


def test_a_factor_suffix_never_hides_a_wrong_number():
    q = question("02_ev_types_isolation", "ev-stokes-factor").worked()
    assert not q.check(f"{q.answer + 5:g}x").correct


@pytest.mark.parametrize("typed", ["1970", "1970s", "1970's", "1970’s"])
def test_a_decade_may_be_written_with_its_s(typed):
    assert question("01_biogenesis", "bio-history-decade").check(typed).correct


def test_a_wrong_decade_with_an_s_is_graded_wrong_not_refused_as_a_unit():
    result = question("01_biogenesis", "bio-history-decade").check("1980s")
    assert not result.correct and not result.details.get("invalid")


def test_seconds_after_a_number_that_is_no_decade_stay_a_unit():
    result = question("01_biogenesis", "bio-history-decade").check("1975s")
    assert result.details.get("invalid"), "not a decade: 's' is a unit the question does not take"


def test_a_proportion_in_a_percent_box_gets_a_hint_and_is_not_graded():
    q = question("06_clinical_uses", "clin-screening-ppv").worked()
    proportion = round(q.answer / 100, 3)
    result = q.check(f"{proportion}")
    assert result.details.get("invalid"), "not graded, so not recorded as a wrong attempt"
    assert "percentage" in result.feedback and f"{proportion * 100:g}" in result.feedback
    assert q.check(f"{q.answer:.1f}").correct and q.check(f"{q.answer:.1f}%").correct


# --- exercises: the shapes a pandas user passes ------------------------------------------------------

@pytest.mark.parametrize("shape", [
    lambda v: v, lambda v: np.int64(v), lambda v: [v], lambda v: (v,), lambda v: pd.Series([v]),
    lambda v: pd.Series([v]).mode(), lambda v: np.array([v]), lambda v: pd.DataFrame({"n": [v]}),
])
def test_a_number_exercise_accepts_one_value_in_any_natural_shape(shape):
    assert check_exercise("03_cargo_biomarkers", "cargo-ex-nucleic-rows", shape(19)).correct


def test_a_name_exercise_takes_the_label_of_a_one_row_value_counts():
    table = load_bank("03_cargo_biomarkers").exercise("cargo-ex-top-cancer")
    name = table.accepted[0]
    counts = pd.Series([12], index=[name], name="count")
    assert check_exercise("03_cargo_biomarkers", "cargo-ex-top-cancer", counts).correct
    assert check_exercise("03_cargo_biomarkers", "cargo-ex-top-cancer", pd.Series([name]).mode()).correct
    assert check_exercise("03_cargo_biomarkers", "cargo-ex-top-cancer", [name]).correct


def test_a_list_of_names_in_any_case_and_any_sequence():
    key = load_bank("05_immune_interactions").exercise("imm-ex-fasl-targets").answer
    for given in ([k.upper() for k in key], pd.Series(key), pd.Series(key).unique(), tuple(key)):
        assert check_exercise("05_immune_interactions", "imm-ex-fasl-targets", given).correct, given


@pytest.mark.parametrize(("given", "says"), [
    (pd.DataFrame({"a": [1, 2], "b": [3, 4]}), "whole table"),
    (pd.Series([1, 2, 3]), "len(...)"),
    (pd.Series([True, False, True]), "mask.sum()"),
    ((0.15, 0.99), "a pair"),
    ((1, 2, 3), "a tuple"),
])
def test_a_shape_holding_no_single_number_gets_feedback_naming_the_pandas_step(given, says):
    check = check_exercise("03_cargo_biomarkers", "cargo-ex-nucleic-rows", given)
    text = check._repr_mimebundle_()["text/plain"]
    assert not check.correct and says in text, text
    assert "Type your answer as text" not in text and "Enter a number" not in text


def test_a_percentage_where_a_fraction_is_wanted_says_divide_by_100():
    check = check_exercise("04_tumor_microenvironment", "tme-ex-transfer-rate", 52.0)
    text = check._repr_mimebundle_()["text/plain"]
    assert not check.correct and "fraction" in text and "divide by 100" in text
    assert not check_exercise("04_tumor_microenvironment", "tme-ex-transfer-rate", 90.0).correct


def test_the_decade_may_follow_the():
    assert question("01_biogenesis", "bio-history-decade").check("the 1970s").correct


def test_all_right_picks_are_said_as_such():
    from tmvlearn.quiz.questions.choice import _tally

    assert _tally(2, 0, 1) == "Both your picks are right and 1 right option is missing."
    assert _tally(3, 0, 1).startswith("All 3 of your picks are right")
    assert _tally(1, 1, 0).startswith("1 of your 2 picks is right")

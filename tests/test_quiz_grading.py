"""Grading: every key right, every distractor wrong, odd responses never raise."""

import functools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmvlearn.quiz import QUESTION_TYPES, load_bank
from tmvlearn.quiz.bank import bank_paths
from tmvlearn.quiz.questions import question_from_dict

BANK_QUESTIONS = [q for path in bank_paths() for q in load_bank(path)]

# One question of every type, with every optional field, beside the banks' own.
EXTRA = [
    question_from_dict(d, "test")
    for d in [
        {"id": "x-num", "type": "numeric", "prompt": "p", "answer": 250, "rel_tolerance": 0.1, "unit": "nm",
         "feedback": {"too_low": "low", "too_high": "high"}},
        {"id": "x-prec", "type": "numeric", "prompt": "p", "answer": 3.14159, "precision": 4,
         "cases": [{"value": 22 / 7, "correct": False, "feedback": "22/7 is an approximation"},
                   {"range": [-100, 0], "correct": False, "feedback": "positive"}]},
        {"id": "x-text", "type": "short_text", "prompt": "p", "accepted": ["Ectosome"],
         "patterns": ["ecto-?somes?"],
         "fuzzy_threshold": 0.8, "wrong_answers": [{"answer": "exosome", "feedback": "smaller, endosomal"}]},
        {"id": "x-case", "type": "short_text", "prompt": "p", "accepted": ["pH"], "match_case": True},
        {"id": "x-ms", "type": "multiple_select", "prompt": "p", "options": ["a", "b", "c", "d"],
         "answer": ["a", "b"]},
        {"id": "x-match", "type": "matching", "prompt": "p",
         "pairs": [{"left": "MV", "right": "plasma membrane"}, {"left": "exosome", "right": "endosome"},
                   {"left": "apoptotic body", "right": "dying cell", "feedback": "blebs"}],
         "extra_right": ["nucleus"]},
        {"id": "x-order", "type": "ordering", "prompt": "p", "items": ["one", "two", "three"]},
        {"id": "x-tf", "type": "true_false", "prompt": "p", "answer": True},
        {"id": "x-sc", "type": "single_choice", "prompt": "p", "options": ["yes", "no"], "answer": "no"},
    ]
]
ALL = BANK_QUESTIONS + EXTRA


def test_the_fixture_covers_every_type():
    assert {q.type for q in ALL} == set(QUESTION_TYPES)
    assert {q.type for q in BANK_QUESTIONS} == set(QUESTION_TYPES), "the shipped banks use every type"


# load_bank refuses a shipped bank whose key grades wrong or whose distractors grade right, so these
# two tests run on the hand-built questions, which nothing else checks.
@pytest.mark.parametrize("question", EXTRA, ids=lambda q: q.id)
def test_key_grades_correct_and_every_distractor_wrong(question):
    result = question.check(question.key_response())
    assert result.correct and result.score == 1.0, result
    distractors = question.distractor_responses()
    assert distractors, "every question offers at least one wrong response"
    for wrong in distractors:
        result = question.check(wrong)
        assert not result.correct and result.score < 1.0, (wrong, result)
        assert result.feedback


@pytest.mark.parametrize("question", [q for q in EXTRA if q.type in ("single_choice", "multiple_select")],
                         ids=lambda q: q.id)
def test_every_option_other_than_the_key_grades_wrong(question):
    key = question.key_response()
    key = [key] if isinstance(key, str) else key
    for option in question.options:
        if option not in key:
            assert not question.check(option).correct
            response = list(key) + [option] if question.type == "multiple_select" else option
            assert not question.check(response).correct


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary() | st.complex_numbers(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    | st.tuples(inner, inner) | st.frozensets(st.text(max_size=5), max_size=3),
    max_leaves=10,
)


@functools.cache
def _responses(question_id: str):
    """Anything, the question's own words, long text: built once per question, not per example."""
    question = next(q for q in ALL if q.id == question_id)
    return junk | near_miss(question) | st.text(min_size=400, max_size=3000)


def near_miss(question):
    """Responses built from the question's own vocabulary: the likeliest odd inputs."""
    words = []
    for attr in ("options", "items", "accepted", "lefts", "rights"):
        words += list(getattr(question, attr, []) or [])
    words = words or ["x"]
    word = st.sampled_from(words) | st.text(max_size=20)
    return (word | st.lists(word, max_size=6) | st.dictionaries(word, word | st.none(), max_size=5)
            | st.lists(st.tuples(word, word), max_size=4))


def _one_per_type_fast(questions):
    """Every question, the shipped banks' beyond the first of each type marked slow (the fast tier
    still fuzzes every type, and every hand-built question)."""
    seen, params = set(), []
    for question in questions:
        fast = question in EXTRA or question.type not in seen
        seen.add(question.type)
        params.append(pytest.param(question, id=question.id, marks=() if fast else pytest.mark.slow))
    return params


@pytest.mark.parametrize("question", _one_per_type_fast(ALL))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_arbitrary_responses_never_raise(question, data):
    response = data.draw(_responses(question.id))
    result = question.check(response)
    assert isinstance(result.correct, bool)
    assert 0.0 <= result.score <= 1.0 and not math.isnan(result.score)
    assert isinstance(result.feedback, str) and result.feedback
    assert "internal_error" not in result.details, result.details


@pytest.mark.parametrize(
    "response", [None, "", "seven", float("nan"), float("inf"), [1], {"a": 1}, True, 1j, "1e999"])
def test_numeric_odd_responses_get_a_clear_message(response):
    result = EXTRA[0].check(response)
    assert not result.correct and result.details.get("invalid")
    assert "number" in result.feedback.lower()


def test_numeric_tolerances_units_and_cases():
    q = EXTRA[0]  # 250 nm within 10%
    assert q.check(226).correct and q.check("274 nm").correct and q.check(" 250 NM ").correct
    assert q.check("500/2").correct
    low, high = q.check(200), q.check(300)
    assert (low.feedback, high.feedback) == ("low", "high") and not low.correct
    p = EXTRA[1]  # pi to 4 significant digits, 22/7 flagged
    assert p.check("3.1416").correct and p.check(3.14159).correct and not p.check("3.14").correct
    assert p.check(22 / 7).feedback == "22/7 is an approximation"
    assert p.check(-5).feedback == "positive"


def test_short_text_is_case_and_space_tolerant_with_patterns_and_fuzz():
    q = EXTRA[2]
    for ok in ["ectosome", "  ECTOSOME ", "ecto-somes", "Ectosomes", "ectosone"]:
        assert q.check(ok).correct, ok
    assert q.check("Exosome").feedback == "smaller, endosomal"
    assert not q.check("microparticle").correct
    case = EXTRA[3]
    assert case.check(" pH ").correct and not case.check("PH").correct


def test_multiple_select_is_all_or_nothing_but_keeps_partial_credit():
    q = EXTRA[4]
    half = q.check(["a"])
    assert not half.correct and half.score == 0.0
    assert half.details["hits"] == ["a"] and half.details["missed"] == ["b"]
    assert half.details["partial_credit"] == 0.5
    extra = q.check(["a", "b", "c"])
    assert not extra.correct and extra.details["false_picks"] == ["c"]
    assert q.check({"b", "a"}).correct
    assert q.check(["a", "z"]).details.get("invalid")


def test_matching_and_ordering_score_the_fraction_right():
    m = EXTRA[5]
    r = m.check({"MV": "plasma membrane", "exosome": "endosome", "apoptotic body": "nucleus"})
    assert not r.correct and r.score == pytest.approx(2 / 3) and r.details["wrong"] == ["apoptotic body"]
    assert "blebs" in r.feedback
    assert m.check([("MV", "plasma membrane"), ("exosome", "endosome"),
                    ("apoptotic body", "dying cell")]).correct
    o = EXTRA[6]
    r = o.check(["one", "three", "two"])
    assert not r.correct and r.score == pytest.approx(1 / 3)
    assert o.check(["one", "one", "two"]).details.get("invalid")


def test_true_false_accepts_words_and_rejects_numbers():
    q = EXTRA[7]
    assert q.check("TRUE").correct and q.check(" yes ").correct and not q.check(False).correct
    assert q.check(1).details.get("invalid")

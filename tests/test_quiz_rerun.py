"""A lesson's quiz run again marks what was already answered (issue 22, item 3): each question answered
before shows its latest answer and feedback, the score counts those answers once, and a fresh learner
(every headless run) sees exactly what they saw before. Rules: :mod:`tmvlearn.quiz.earlier`."""

from __future__ import annotations

import json
import re

import pytest

from tmvlearn.progress import attempts, record_attempt
from tmvlearn.quiz import show
from tmvlearn.quiz.bank import bank_paths, load_bank

LESSON = "01_biogenesis"
BANK = load_bank(LESSON)
N = len(BANK.questions)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


pytestmark = pytest.mark.usefixtures("learner_ada")  # a fresh progress folder, learner "ada"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def panels(quiz) -> dict:
    _ = quiz.widget
    return {p.q.id: p for p in quiz._panels}


def answer_in_widget(quiz, qid: str, right: bool):
    """Answer like a learner: the controls set, then Check (practice mode)."""
    from tmvlearn.quiz.earlier import Earlier, fill_inputs

    panel = panels(quiz)[qid]
    response = panel.q.key_response() if right else panel.q.distractor_responses()[0]
    graded = panel.q.check(response)
    assert fill_inputs(panel.q, panel.inputs, panel.options, response,
                       Earlier(response, graded.score, graded.correct, "", "practice", 1)) is not None
    return panel.check()


def test_a_fresh_learner_sees_what_every_headless_run_stores():
    quiz = show(LESSON)
    assert "Score: 0 / 12 (0 correct, 0 of 12 checked)" in text(quiz.widget.children[2].value)
    assert quiz.kept_label.value == "" and quiz.restored == []
    assert all(p.graded is None and p.feedback.value == "" and not p.check_button.disabled
               for p in quiz._panels)


def test_practice_restores_latest_answers_locked_with_feedback_and_counts_them_once():
    first = show(LESSON)
    answer_in_widget(first, "bio-history-decade", right=True)
    answer_in_widget(first, "bio-ca-scramblase", right=False)
    printed = first.static_bundle()
    again = show(LESSON)  # the cell run again after a kernel restart: a new Quiz, nothing in memory
    by_id = panels(again)
    assert again.restored == ["bio-history-decade", "bio-ca-scramblase"]
    assert "Score: 1 / 12 (1 correct, 2 of 12 checked)" in text(again.score_label.value)
    assert "marked below with your latest answer" in again.kept_label.value
    decade, scramblase = by_id["bio-history-decade"], by_id["bio-ca-scramblase"]
    assert decade.inputs[0].value == "1970" and decade.inputs[0].disabled
    assert scramblase.inputs[0].value == "True" and scramblase.inputs[0].disabled
    assert text(decade.feedback.value).startswith("Answered before (20")
    assert "✔ Correct." in decade.feedback.value and "Why:" in decade.feedback.value
    assert "✘ Not right yet." in scramblase.feedback.value and "Try again" in scramblase.feedback.value
    assert decade.check_button.disabled and not decade.retry_button.disabled, "re-answerable in practice"
    others = [p for qid, p in by_id.items() if qid not in again.restored]
    assert all(p.graded is None and p.feedback.value == "" and not p.inputs[0].disabled for p in others)
    # try again on the wrong one: the score keeps it until the new check replaces it, never twice
    scramblase.retry_button.click()
    assert scramblase.inputs[0].value == "True" and not scramblase.inputs[0].disabled, "the pick stays"
    assert "Score: 1 / 12" in text(again.score_label.value)
    scramblase.inputs[0].value = "False"
    scramblase.check_button.click()
    assert "Score: 2 / 12 (2 correct, 2 of 12 checked)" in text(again.score_label.value)
    answer_in_widget(again, "bio-poste-melanoma", right=True)
    assert "Score: 3 / 12 (3 correct, 3 of 12 checked)" in text(again.score_label.value)
    assert len(attempts()) == 4, "restoring records nothing; each check is one attempt"
    assert again.static_bundle() == printed, "the printed copy never shows the learner's state"
    bundle = again._repr_mimebundle_()
    assert WIDGET_MIME in bundle and "Answered before" not in json.dumps(bundle["text/html"])
    third = show(LESSON)
    assert "Score: 3 / 12 (3 correct, 3 of 12 checked)" in text(third.widget.children[2].value)


def test_every_question_type_of_every_bank_comes_back_as_answered():
    for path in bank_paths():
        lesson = path.stem
        quiz = show(lesson)
        for i, panel in enumerate(panels(quiz).values()):  # right and wrong answers, by the quiz
            response = panel.q.key_response() if i % 2 else panel.q.distractor_responses()[0]
            quiz._grade(panel.q, response)
        again = show(lesson)
        restored = panels(again)
        assert again.restored == list(restored), (lesson, set(restored) - set(again.restored))
        missing = [qid for qid, p in restored.items() if p.graded is None]
        assert missing == [], f"{lesson}: not put back into the controls: {missing}"
        total = sum(r.score for r in quiz.results.values())
        assert f"Score: {total:g} / {len(restored)}" in text(again.score_label.value), lesson


def test_an_answer_for_other_numbers_is_counted_but_not_put_back():
    lesson = "02_ev_types_isolation"
    question = next(q for q in load_bank(lesson).questions if q.variant_info() is not None)
    shown = panels(show(lesson))[question.id].q
    other = {k: (v + 1 if isinstance(v, (int, float)) else v) for k, v in shown.variant_values.items()}
    record_attempt(question, {"response": "12", "values": other}, question.check("-1e9"))
    panel = panels(again := show(lesson))[question.id]
    assert panel.graded is None and not panel.inputs[0].disabled and panel.inputs[0].value == ""
    assert "its numbers were different" in panel.feedback.value and "answer again" in panel.feedback.value
    assert f"Score: 0 / {len(again.questions)} (0 correct, 1 of" in text(again.score_label.value)


def test_test_mode_shows_the_latest_take_as_handed_in_and_a_retake_starts_afresh():
    first = show(LESSON, mode="test")
    by_id = panels(first)
    by_id["bio-history-decade"].inputs[0].value = "1970"
    by_id["bio-ca-scramblase"].inputs[0].value = "True"
    first.finish()
    first.finish()  # "Finish anyway": two answered
    again = show(LESSON, mode="test")
    restored = panels(again)
    assert again.take == 1 and again._finished
    score = "Score: 1 / 12 (1 correct, 2 of 12 answered; your first take: this is your test score)"
    assert score in text(again.score_label.value) and score in text(again.status.value), "next to Finish too"
    assert again.finish_button.disabled and not again.restart_button.disabled
    assert "✘ Not right." in restored["bio-ca-scramblase"].feedback.value, "a final verdict, not 'yet'"
    assert "Not attempted" in restored["bio-poste-melanoma"].feedback.value
    assert all(p.is_locked() for p in restored.values())
    again.restart_button.click()  # a retake: every answer cleared, recorded as take 2
    assert restored["bio-history-decade"].inputs[0].value == "" and "Score" not in text(again.status.value)
    assert "shown as handed in" not in again.kept_label.value
    restored["bio-history-decade"].inputs[0].value = "1970"
    again.finish()
    again.finish()
    takes = attempts()
    assert sorted(takes.loc[takes["mode"] == "test", "take"].tolist()) == [1, 1, 2]
    third = show(LESSON, mode="test")
    _ = third.widget
    assert third.take == 2 and "take 2, recorded as a retake" in text(third.score_label.value)
    assert "Score: 1 / 12" in text(third.score_label.value)


def test_practice_answers_do_not_make_a_test_take():
    answer_in_widget(show(LESSON), "bio-history-decade", right=True)
    quiz = show(LESSON, mode="test")
    _ = quiz.widget
    assert not quiz._finished and quiz.restored == [] and not quiz.finish_button.disabled
    assert "Test mode:" in text(quiz.score_label.value)


def test_a_list_of_questions_a_review_and_a_quiz_that_does_not_record_ask_afresh():
    answer_in_widget(show(LESSON), "bio-history-decade", right=True)
    cumulative = show(["bio-history-decade", "bio-ca-scramblase"])  # as lesson 07's cumulative quiz
    _ = cumulative.widget
    assert cumulative.restored == [] and "Score: 0 / 2" in text(cumulative.score_label.value)
    assert "Kept from before: 1 of 2 answered" in cumulative.kept_label.value
    silent = show(LESSON, record=False)
    _ = silent.widget
    assert silent.restored == []
    from tmvlearn.quiz.review_quiz import ReviewQuiz

    assert ReviewQuiz.__init__.__kwdefaults__ is None or "restore" not in ReviewQuiz.__init__.__kwdefaults__
    review = ReviewQuiz(list(BANK.questions[:2]), sample=[], intro="", labels={}, seed=0, learner=None,
                        record=True, interactive=True, n=2, variant_seed="review-1")
    _ = review.widget
    assert review.restored == []


def test_odd_stored_rows_never_stop_the_quiz(monkeypatch):
    from tmvlearn.quiz import earlier

    answer_in_widget(show(LESSON), "bio-history-decade", right=True)

    def broken(*args, **kwargs):
        raise RuntimeError("odd rows")

    monkeypatch.setattr(earlier, "fill_inputs", broken)
    quiz = show(LESSON)
    _ = quiz.widget
    assert quiz.restored == [] and "Score: 0 / 12" in text(quiz.score_label.value)
    assert "Kept from before: 1 of 12 answered" in quiz.kept_label.value


def test_an_unreadable_progress_file_leaves_a_working_fresh_quiz(tmp_path):
    from tmvlearn.progress import FILENAME

    db = tmp_path / "home" / FILENAME
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    quiz = show(LESSON)
    _ = quiz.widget
    assert quiz.restored == [] and "could not be read" in quiz.kept_label.value
    assert "Score: 0 / 12" in text(quiz.score_label.value)

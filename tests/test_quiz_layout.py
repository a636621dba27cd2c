"""Small things a learner notices in the quiz widgets: the solution's note after Show solution, and
matching questions whose dropdowns line up."""

from __future__ import annotations

import pytest

from tmvlearn.quiz import solution

pytestmark = pytest.mark.usefixtures("learner_ada")  # a fresh progress folder, learner "ada"


def test_after_show_solution_the_note_no_longer_says_it_is_hidden():
    shown = solution("02_ev_types_isolation", "ev-pellet-minutes")
    _ = shown.widget
    assert "is hidden" in shown.note.value
    shown.button.click()
    assert "is hidden" not in shown.note.value
    assert "Solution shown (noted in your progress)" in shown.note.value
    assert "k_factor" in shown.output.value


def test_a_solution_shown_without_recording_does_not_claim_it_was_noted():
    shown = solution("02_ev_types_isolation", "ev-pellet-minutes", record=False)
    _ = shown.widget
    shown.reveal()
    assert "Solution shown" in shown.note.value and "noted" not in shown.note.value


def test_a_matching_question_lines_its_dropdowns_up_in_a_grid():
    from tmvlearn.quiz import Quiz
    from tmvlearn.quiz.bank import all_questions

    question = all_questions()["rev-lesson-sources"]  # items from 37 to 111 characters long
    quiz = Quiz("Matching", [question], learner="ada")
    _ = quiz.widget
    panel = quiz._panels[0]
    grid = panel.input_box
    assert "tmv-matching-grid" in grid._dom_classes
    assert grid.layout.grid_template_columns.startswith("minmax(6em, max-content) "), "items, then dropdowns"
    dropdowns = [c for c in grid.children if hasattr(c, "options")]
    assert dropdowns == panel.inputs and [d.description for d in dropdowns] == question.lefts, \
        "each dropdown keeps its item as its label, in the grid's second column"
    css = grid.children[0].value
    assert "display: contents" in css and "white-space: normal" in css  # label | select cells; items wrap
    assert grid.children[0].layout.display == "none"
    # the other question types keep their inputs one under another
    other = Quiz("Other", [all_questions()["ev-kfactor-hours"]], learner="ada")
    _ = other.widget
    assert type(other._panels[0].input_box).__name__ == "VBox"


def test_every_wrong_match_gets_a_hint():
    """A wrong match whose pair has no hint of its own gets the question's hint, or else is named."""
    from tmvlearn.quiz.bank import all_questions

    for q in (q for q in all_questions().values() if q.KIND == "matching"):
        for pair in q.pairs:
            response = q.key_response()
            response[pair["left"]] = next(r for r in q.rights if r != pair["right"])
            result = q.check(response)
            assert not result.correct
            hint = result.feedback.split(" right. ", 1)[1] if " right. " in result.feedback else ""
            assert hint.strip(), f"{q.id}: a wrong match for {pair['left']!r} gets no hint"
    socs = all_questions()["tme-socs-crosstalk"]  # its hint is the question's own
    response = socs.key_response()
    left = socs.lefts[0]
    response[left] = next(r for r in socs.rights if r != response[left])
    assert socs.feedback["wrong"] in socs.check(response).feedback


def test_the_printed_matching_table_lines_items_up_on_the_left_with_their_blanks():
    from tmvlearn.quiz import Quiz
    from tmvlearn.quiz.bank import all_questions

    quiz = Quiz("Static", [all_questions()["start-size-pairs"]], interactive=False)
    html = quiz.static_bundle()["text/html"]
    table = html[html.index('<table class="tmv-matching"'):html.index("</table>")]
    assert 'style="width:auto' in table  # as wide as its items, the blanks beside them
    assert table.count('<td style="text-align:left">') == 2 * 4, "every item and blank starts on the left"
    assert "1 question. " in html

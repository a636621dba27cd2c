"""Small things a learner notices in the quiz widgets: the solution's note after Show solution, and
matching questions whose dropdowns line up."""

from __future__ import annotations

import pytest

from tmvlearn.quiz import solution


@pytest.fixture(autouse=True)
def learner(tmp_path, monkeypatch):
    monkeypatch.setenv("TMVLEARN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TMVLEARN_LEARNER", "ada")


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

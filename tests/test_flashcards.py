"""Flashcards as a learner uses them: the decks, flip and "knew it" / "didn't", the schedule behind
them, the printed table, and bad requests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import tmvlearn
from tmvlearn.datasets import load_dataset
from tmvlearn.errors import UsageError
from tmvlearn.progress import FILENAME
from tmvlearn.quiz import ProgressStore, due
from tmvlearn.quiz import flashcards as cards_module
from tmvlearn.quiz.flashcards import Card, deck


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("TMVLEARN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("TMVLEARN_LEARNER", "ada")
    return tmp_path / "home"


def test_the_glossary_deck_is_every_glossary_term_and_a_lesson_deck_the_terms_it_uses():
    glossary = load_dataset("glossary")
    assert [c.term for c in deck("glossary")] == glossary["term"].tolist()
    cargo = {c.term for c in deck("03")}
    assert {"EMMPRIN", "VEGF"} <= cargo and cargo < set(glossary["term"])
    assert deck("03") == deck("03_cargo_biomarkers")


@pytest.mark.parametrize("name", ["nope", "9", "", 3])
def test_an_unknown_deck_names_the_decks(name):
    with pytest.raises(UsageError, match="glossary"):
        tmvlearn.flashcards(name)


def test_flip_then_knew_or_didnt_records_and_moves_on(home):
    cards = tmvlearn.flashcards("glossary", n=3)
    cards.widget  # noqa: B018  (built as in JupyterLab)
    first, second = cards.cards[0], cards.cards[1]
    assert first.term in cards.face.value and first.definition not in cards.face.value
    cards.answer(True)  # not flipped yet: nothing recorded
    assert "Flip the card first" in cards.status.value and cards.index == 0
    cards.flip()
    assert first.definition in cards.face.value
    cards.answer(False)
    assert cards.index == 1 and second.term in cards.face.value and not cards.flipped
    cards.flip()
    cards.answer(True)
    rows = ProgressStore(home / FILENAME, read_only=True).attempts("ada")
    assert rows["question_id"].tolist() == [first.item, second.item]
    assert rows["mode"].tolist() == ["flashcard"] * 2 and rows["correct"].tolist() == [False, True]


def test_a_card_you_did_not_know_comes_back_first_within_a_day(home):
    store = ProgressStore(home / FILENAME)
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    store.record(lesson="glossary", question_id="card:VEGF", response="didn't", score=0, correct=False,
                 mode="flashcard", learner="ada", time=t0.isoformat())
    store.record(lesson="glossary", question_id="card:EMMPRIN", response="knew it", score=1, correct=True,
                 mode="flashcard", learner="ada", time=t0.isoformat())
    when = due("ada", upcoming=True, store=store).set_index("question_id")["due"]
    assert when["card:VEGF"] <= t0 + timedelta(days=1) < when["card:EMMPRIN"]
    later = tmvlearn.flashcards("glossary", n=5, now=t0 + timedelta(days=1, hours=1), store=store)
    terms = [c.term for c in later.cards]
    assert terms[0] == "VEGF" and "EMMPRIN" not in terms, "due first, then new; not-yet-due left out"
    assert "101 cards in this deck: 1 due, 99 new, 1 scheduled for later." in later.intro


def test_the_printed_deck_is_a_two_column_table_that_ignores_the_learners_state(home):
    before = tmvlearn.flashcards("glossary", n=6, seed=2).static_bundle()
    cards = tmvlearn.flashcards("glossary", n=6, seed=2)
    cards.flip()
    cards.answer(False)
    after = tmvlearn.flashcards("glossary", n=6, seed=2).static_bundle()
    assert before == after
    html = before["text/html"]
    assert html.count("<tr>") == 7 and "<th scope=\"col\">term</th>" in html
    assert before["text/markdown"].count("\n|") >= 7
    assert tmvlearn.flashcards("glossary", n=6, seed=3).static_bundle() != before
    offline = tmvlearn.flashcards("glossary", n=6, seed=2, interactive=False)
    assert offline.cards == []
    assert "application/vnd.jupyter.widget-view+json" not in offline._repr_mimebundle_()


def test_card_text_is_sanitised(monkeypatch):
    hostile = Card("<img src=x onerror=alert(1)>", "<script>alert(2)</script> **bold**", "x", "")
    monkeypatch.setattr(cards_module, "_glossary", lambda: (hostile,))
    cards = tmvlearn.flashcards("glossary", n=1, record=False)
    html = cards.static_bundle()["text/html"]
    cards.widget  # noqa: B018
    cards.flip()
    for text in (html, cards.face.value):
        assert "<script" not in text and "<img" not in text and "&lt;script&gt;" in text


def test_the_widget_keeps_keys_from_jupyterlab_and_offers_a_key_for_each_action():
    from tmvlearn.shield import KeyboardShield

    cards = tmvlearn.flashcards("glossary", n=2, record=False)
    box = cards.widget
    kinds = [type(child).__name__ for child in box.children]
    assert isinstance(box.children[0], KeyboardShield) and box.children[0].host_selector == ".tmv-cards"
    assert "_CardKeys" in kinds
    labels = [b.description for b in (cards.flip_button, cards.knew_button, cards.missed_button)]
    assert labels == ["Flip (F)", "✔ Knew it (K)", "✘ Didn't (D)"]
    esm = cards_module._CardKeys._esm
    for key, target in (('f:', "tmv-card-flip"), ('k:', "tmv-card-knew"), ('d:', "tmv-card-missed")):
        assert key in esm and target in esm


@pytest.mark.parametrize("n", [0, -2, 1.5, True])
def test_a_bad_n_is_named(n):
    with pytest.raises(UsageError, match=r"flashcards\(n=...\)"):
        tmvlearn.flashcards("glossary", n=n)


def test_the_end_of_the_deck_says_what_comes_next():
    cards = tmvlearn.flashcards("glossary", n=1, record=False)
    cards.widget  # noqa: B018
    cards.flip()
    cards.answer(True)
    assert "Done: you knew 1 of 1" in cards.face.value
    cards.answer(True)  # nothing more to answer
    assert cards.known == 1


def test_importing_tmvlearn_does_not_import_widgets():
    import subprocess
    import sys

    code = ("import sys, tmvlearn; tmvlearn.flashcards; "
            "print('anywidget' in sys.modules, 'fsrs' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_the_flip_button_names_the_side_it_shows_next():
    cards = tmvlearn.flashcards("glossary", n=2, record=False)
    cards.widget  # noqa: B018
    cards.flip()
    assert cards.flip_button.description == "Show term (F)", "flipped: the button no longer says Flip"
    cards.flip()
    assert cards.flip_button.description == "Flip (F)"
    cards.flip()
    cards.answer(True)  # the next card shows its term: Flip again
    assert cards.flip_button.description == "Flip (F)" and not cards.flipped


def test_at_the_decks_end_the_buttons_are_off_and_say_so():
    cards = tmvlearn.flashcards("glossary", n=2, record=False)
    cards.widget  # noqa: B018
    buttons = (cards.flip_button, cards.knew_button, cards.missed_button)
    for _ in range(2):
        assert not any(b.disabled for b in buttons), "cards left: every button works"
        cards.flip()
        cards.answer(True)
    assert all(b.disabled for b in buttons), "the deck is done: nothing left to flip or answer"
    assert all("deck is done" in b.tooltip for b in buttons)
    assert "buttons and keys are off" in cards.face.value
    esm = cards_module._CardKeys._esm
    assert "Deck done" in esm and "disabled" in esm  # the keys line says it too, and keys press nothing


def test_an_empty_session_starts_with_its_buttons_off():
    cards = tmvlearn.flashcards("glossary", n=1, record=False)
    cards.cards = []  # every card answered elsewhere, nothing due
    cards.widget  # noqa: B018
    assert cards.knew_button.disabled and cards.missed_button.disabled and cards.flip_button.disabled


def test_the_header_counts_follow_the_cards_seen(home):
    store = ProgressStore(home / FILENAME)
    glossary = deck("glossary")
    now = datetime.now(timezone.utc)
    store.record(lesson="glossary", question_id=glossary[0].item, score=0.0, response="didn't",
                 correct=False, learner="ada", mode="flashcard", time=(now - timedelta(days=2)).isoformat())
    cards = tmvlearn.flashcards("glossary", n=3, now=now, store=store)
    cards.widget  # noqa: B018
    total = len(glossary)
    assert f"{total} cards in this deck: 1 due, {total - 1} new." in cards.plan.value
    assert cards.cards[0] == glossary[0], "the due card comes first"
    cards.flip()
    cards.answer(False)
    assert f"{total - 1} new, 1 scheduled for later." in cards.plan.value and "due" not in cards.plan.value
    cards.flip()
    cards.answer(True)
    assert f"{total - 2} new, 2 scheduled for later." in cards.plan.value
    cards.flip()
    cards.answer(True)
    assert f"{total - 3} new, 3 scheduled for later." in cards.plan.value
    practice = tmvlearn.flashcards("glossary", n=1, now=now, store=store, record=False)
    practice.widget  # noqa: B018
    before = practice.plan.value
    practice.flip()
    practice.answer(True)
    assert practice.plan.value == before, "a card answered without recording stays as it was"

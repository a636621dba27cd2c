"""Flashcards of the review's abbreviations and key terms, on the same schedule as the review.

>>> import tmvlearn
>>> cards = tmvlearn.flashcards("glossary")             # doctest: +SKIP  (every glossary term)
>>> cards = tmvlearn.flashcards("03_cargo_biomarkers")  # doctest: +SKIP  (the terms that lesson uses)

The cards are the ``glossary`` dataset's rows (term, definition; Zhu et al. 2021, abbreviation lists
and inline definitions). A lesson's deck holds the glossary terms that lesson's text or quiz uses. In
JupyterLab a card shows its term; **Flip** (F or Space) shows the definition, then **Knew it** (K)
or **Didn't** (D) records the answer (``mode="flashcard"``, item ``card:<term>``) and moves on. The
FSRS schedule of :mod:`tmvlearn.scheduler` decides when a card comes back: cards due first,
oldest first, then new ones. Printed, or run headless (nbval, papermill, handouts), the deck is a
two-column table of a fixed sample, never the learner's state.
"""

from __future__ import annotations

import functools
import html
import json
import random
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anywidget
import traitlets

from tmvlearn.errors import UsageError
from tmvlearn.quiz.render import with_widget_view

__all__ = ["Card", "Flashcards", "flashcards", "deck_names"]

GLOSSARY = "glossary"
KEYS = {"flip": "F or Space", "knew": "K", "missed": "D"}


@dataclass(frozen=True)
class Card:
    """One card: the term, its definition, where the review uses it, and any curation note."""

    term: str
    definition: str
    used_in: str = ""
    note: str = ""

    @property
    def item(self) -> str:
        """The card's id in the progress store's review state."""
        from tmvlearn.scheduler import CARD_PREFIX

        return f"{CARD_PREFIX}{self.term}"


@functools.lru_cache(maxsize=1)
def _glossary() -> tuple[Card, ...]:
    from tmvlearn.datasets import load_dataset

    table = load_dataset(GLOSSARY)

    def text(value: Any) -> str:
        return "" if value is None or (isinstance(value, float) and value != value) or str(value) == "<NA>" \
            else str(value)

    return tuple(Card(text(r.term), text(r.definition), text(r.used_in), text(r.note))
                 for r in table.itertuples(index=False))


def _lesson_text(lesson: str) -> str:
    """The markdown of a lesson and the text of its quiz bank: where its terms are looked for."""
    from tmvlearn.lessons import lesson_paths
    from tmvlearn.quiz.bank import load_bank

    path = next(p for p in lesson_paths() if p.stem == lesson)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    parts = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    try:
        bank = load_bank(lesson)
        parts += [f"{q.prompt} {q.explanation}" for q in bank.questions]
    except Exception:  # a lesson without a valid bank: its markdown alone
        pass
    return "\n".join(parts)


def _uses(text: str, term: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text) is not None


def deck_names() -> list[str]:
    """``"glossary"`` and every lesson id (a lesson's deck may be empty)."""
    from tmvlearn.lessons import lesson_paths

    return [GLOSSARY] + [p.stem for p in lesson_paths()]


def deck(name: str) -> list[Card]:
    """The cards of deck ``name``: ``"glossary"``, a lesson id, or a lesson's number (``"03"``)."""
    names = deck_names()
    if not isinstance(name, str):
        raise UsageError(f"flashcards() takes a deck name such as 'glossary' or '03_cargo_biomarkers', "
                         f"not {name!r}")
    matches = [n for n in names if n == name or (n[:2].isdigit() and name and n.startswith(name))]
    if len(matches) != 1:
        raise UsageError(f"no flashcard deck {name!r}; the decks are: {', '.join(names)}")
    chosen = matches[0]
    if chosen == GLOSSARY:
        return list(_glossary())
    text = _lesson_text(chosen)
    return [c for c in _glossary() if _uses(text, c.term)]


# --- the widget ---------------------------------------------------------------------------------

_KEYS_ESM = """
const KEYS_ON = "\u2328 Keys on: F or Space flips, K = knew it, D = didn't.";
const KEYS_OFF = "\u2328 Keys off: click the deck (or Tab to it) to use F, K and D.";
const KEYS_DONE = "\u2328 Deck done: its buttons and F, K, D are off; run the cell for more.";
function render({ model, el }) {
  el.style.display = "none";
  const keys = { f: ".tmv-card-flip", " ": ".tmv-card-flip", k: ".tmv-card-knew", d: ".tmv-card-missed" };
  let host = null, state = null, focused = null, observer = null;
  const done = () => { const b = host.querySelector(".tmv-card-knew"); return !!(b && b.disabled); };
  const onKey = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select")) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (key === " " && event.target.closest("button")) return;  // Space presses the focused button
    const button = keys[key] && host.querySelector(keys[key]);
    if (!button) return;
    event.preventDefault();
    event.stopPropagation();
    if (!button.disabled) button.click();
  };
  // The deck says on itself whether its keys are on (the focus is in it), off, or done.
  const say = () => {
    const on = host.contains(document.activeElement);
    state.textContent = done() ? KEYS_DONE : on ? KEYS_ON : KEYS_OFF;
    host.classList.toggle("tmv-cards-keys-on", on && !done());
  };
  // At the deck's end the buttons are disabled: a focused button that is disabled drops the focus
  // to the page, where F, K and D are JupyterLab's commands (D D deletes a cell). Keep it in the deck.
  const keepFocus = () => {
    if (focused && focused.disabled && !host.contains(document.activeElement)) {
      host.focus({ preventScroll: true });
    }
    say();
  };
  const attach = () => {
    host = el.closest(".tmv-cards");
    if (!host) { requestAnimationFrame(attach); return; }
    if (!host.hasAttribute("tabindex")) host.setAttribute("tabindex", "0");
    // Lumino skips its shortcuts for keys from inside an element with this attribute (D D would
    // delete the cell); set here too, so no key can slip through before the shield has marked the box.
    host.setAttribute("data-lm-suppress-shortcuts", "true");
    state = document.createElement("p");
    state.className = "tmv-cards-keys";
    state.setAttribute("aria-live", "polite");
    state.style.cssText = "margin:4px 0 0;font-size:0.9em";
    host.appendChild(state);
    host.addEventListener("keydown", onKey);
    host.addEventListener("focusin", (event) => { focused = event.target; say(); });
    host.addEventListener("focusout", () => setTimeout(() => {
      keepFocus();
      if (!host.contains(document.activeElement)) focused = null;  // the learner went elsewhere
    }, 0));
    observer = new MutationObserver(() => { keepFocus(); requestAnimationFrame(keepFocus); });
    observer.observe(host, { subtree: true, attributes: true, attributeFilter: ["disabled"] });
    // The cell that shows the deck has just run (Shift+Enter leaves the focus on the notebook, where
    // F, K and D are JupyterLab's commands): take the focus, unless the learner is typing somewhere.
    const active = document.activeElement;
    if (!(active && active.closest(".cm-editor, input, textarea, select, [contenteditable=true]"))) {
      host.focus({ preventScroll: true });
    }
    say();
  };
  attach();
  return () => {
    if (host) host.removeEventListener("keydown", onKey);
    if (observer) observer.disconnect();
  };
}
export default { render };
"""


class _CardKeys(anywidget.AnyWidget):
    """F or Space flips, K is "knew it", D is "didn't", inside its ``.tmv-cards`` box.

    The deck takes the keyboard focus when its cell runs and says under its buttons whether its keys
    are on or off; the box is marked so that JupyterLab's shortcuts (D D deletes a cell, K moves up)
    never see those keys (see also :class:`~tmvlearn.shield.KeyboardShield`).
    """

    _esm = _KEYS_ESM
    _flag = traitlets.Unicode("cards").tag(sync=True)


def _face_html(card: Card, flipped: bool, number: int, total: int, tally: str = "") -> str:
    from tmvlearn.quiz.markup import escape, inline_html

    head = f'<p class="tmv-card-count"><small>Card {number} of {total}{escape(tally)}</small></p>'
    front = f'<p class="tmv-card-term" style="font-size:1.6em;margin:0.3em 0"><strong>{escape(card.term)}' \
            "</strong></p>"
    if not flipped:
        back = '<p class="tmv-card-hint"><em>What does it stand for? Flip (F or Space) to check.</em></p>'
    else:
        back = f'<p class="tmv-card-definition" style="font-size:1.2em">{inline_html(card.definition)}</p>'
        if card.note:
            back += f'<p class="tmv-card-note"><small>Note: {inline_html(card.note)}</small></p>'
        back += (f'<p class="tmv-card-source"><small>Source: Zhu et al. 2021 ({escape(card.used_in)})'
                 "</small></p>") if card.used_in else ""
        back += '<p class="tmv-card-hint"><em>Did you know it? K: knew it, D: didn\'t.</em></p>'
    return head + front + back


class Flashcards:
    """A deck to study: the widget in JupyterLab, a two-column table elsewhere."""

    def __init__(self, name: str, cards: list[Card], sample: list[Card], *, learner: str | None,
                 record: bool, interactive: bool, deck_size: int = 0, due: tuple[str, ...] = (),
                 new: int = 0, later: int = 0):
        self.name, self.cards, self.sample = name, cards, sample
        self.learner, self.record, self.interactive = learner, record, interactive
        self.index, self.flipped = 0, False
        self.known = self.missed = 0
        # the deck's counts as the learner goes: a card seen is no longer due or new, but scheduled
        self.deck_size, self._due_items = deck_size, set(due)
        self.counts = {"due": len(self._due_items), "new": new, "later": later}
        self._widget = None

    @property
    def done(self) -> bool:
        """Whether every card of this session has been answered (or there were none)."""
        return self.index >= len(self.cards)

    @property
    def intro(self) -> str:
        """The line above the card: the deck's size, its due, new and scheduled counts now, the keys."""
        if not self.deck_size:
            return f'<p class="tmv-cards-plan">The deck {html.escape(self.name)} has no glossary terms.</p>'
        counts = [f"{k} {what}" for what, k in (("due", self.counts["due"]), ("new", self.counts["new"]),
                                                ("scheduled for later", self.counts["later"])) if k]
        return (f'<p class="tmv-cards-plan">{self.deck_size} cards in this deck: {", ".join(counts)}. '
                f"Keys: {KEYS['flip']} flips, {KEYS['knew']} = knew it, {KEYS['missed']} = didn't.</p>")

    # -- the printed copy ----------------------------------------------------------------------
    def static_bundle(self) -> dict[str, str]:
        from tmvlearn.quiz.markup import escape, inline_html

        title = f"Flashcards: {self.name} ({len(self.sample)} cards)"
        rows = "".join(f"<tr><th scope=\"row\">{escape(c.term)}</th><td>{inline_html(c.definition)}</td></tr>"
                       for c in self.sample)
        table = (f'<table class="tmv-cards-table"><caption>{escape(title)}</caption>'
                 f"<thead><tr><th scope=\"col\">term</th><th scope=\"col\">meaning</th></tr></thead>"
                 f"<tbody>{rows}</tbody></table>")
        source = "Source: the glossary dataset (Zhu et al. 2021, abbreviation lists and inline definitions)."
        md_rows = "\n".join(f"| {c.term.replace('|', '/')} | {c.definition.replace('|', '/')} |"
                            for c in self.sample)
        markdown = f"**{title}**\n\n| term | meaning |\n| --- | --- |\n{md_rows}\n\n{source}"
        width = max((len(c.term) for c in self.sample), default=4)
        text = "\n".join([title, *(f"{c.term:<{width}}  {c.definition}" for c in self.sample), source])
        return {"text/html": f"{table}\n<p><small>{escape(source)}</small></p>", "text/markdown": markdown,
                "text/plain": text}

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        if not self.interactive:
            return dict(self.static_bundle())
        return with_widget_view(self.static_bundle(), lambda: self.widget)

    def __repr__(self) -> str:
        return f"<tmvlearn Flashcards {self.name!r}: {len(self.cards)} cards to study>"

    # -- the widget ----------------------------------------------------------------------------
    @property
    def widget(self):
        if self._widget is None:
            self._widget = self._build()
        return self._widget

    def _build(self):
        import ipywidgets as w

        from tmvlearn.shield import KeyboardShield

        self.face = w.HTML(self._face())
        self.face.add_class("tmv-card")
        self.flip_button = w.Button()  # its label and tooltip: _sync_buttons
        # No colours: ipywidgets' green and orange fail text contrast; the marks and words say it.
        self.knew_button = w.Button(description="✔ Knew it (K)", tooltip="I knew it: it comes back later (K)")
        self.missed_button = w.Button(description="✘ Didn't (D)",
                                      tooltip="I did not know it: it comes back in about 10 minutes (D)")
        for button, name in ((self.flip_button, "flip"), (self.knew_button, "knew"),
                             (self.missed_button, "missed")):
            button.add_class(f"tmv-card-{name}")
        self._sync_buttons()
        self.flip_button.on_click(lambda _b: self.flip())
        self.knew_button.on_click(lambda _b: self.answer(True))
        self.missed_button.on_click(lambda _b: self.answer(False))
        self.plan = w.HTML(self.intro)  # stays: what is due, and the keys
        self.status = w.HTML("")
        self.status.add_class("tmv-status")
        box = w.VBox([KeyboardShield(".tmv-cards"), _CardKeys(),
                      w.HTML(f"<h3>Flashcards: {html.escape(self.name)}</h3>"), self.plan,
                      self.face, w.HBox([self.flip_button, self.knew_button, self.missed_button]),
                      self.status],
                     layout=w.Layout(border="1px solid #ccc", padding="6px", max_width="42em"))
        box.add_class("tmv-cards")
        return box

    def _face(self) -> str:
        if self.index >= len(self.cards):
            total = self.known + self.missed
            if not self.cards:
                return "<p><em>No cards to study in this deck now.</em></p>"
            return (f'<p class="tmv-cards-done"><strong>Done: you knew {self.known} of {total}.</strong> '
                    "Cards you did not know come back in about 10 minutes; the others later and later. "
                    "The buttons and keys are off now: run the cell again for the next cards due.</p>")
        tally = f" · so far: knew {self.known}, didn't {self.missed}" if self.known + self.missed else ""
        return _face_html(self.cards[self.index], self.flipped, self.index + 1, len(self.cards), tally)

    def _refresh(self, status: str | None = None) -> None:
        if self._widget is not None:
            self.face.value = self._face()
            self.plan.value = self.intro
            self._sync_buttons()
            if status is not None:
                self.status.value = status

    def _sync_buttons(self) -> None:
        """The flip button names the side it shows next; at the deck's end every button is disabled
        and says why (the deck's script keeps the keyboard focus in the deck when they are)."""
        label, tip = (("Show term (F)", "Show the term again (F or Space)") if self.flipped
                      else ("Flip (F)", "Show the definition (F or Space)"))
        self.flip_button.description, self.flip_button.tooltip = label, tip
        if self.done:
            for button in (self.flip_button, self.knew_button, self.missed_button):
                button.disabled = True
                button.tooltip = "The deck is done: run the cell again for the next cards due"

    def flip(self) -> None:
        """Show the other side of the current card."""
        if self.index < len(self.cards):
            self.flipped = not self.flipped
            self._refresh("")

    def answer(self, knew: bool) -> None:
        """Record "knew it" (``True``) or "didn't" for the current card, once it is flipped; next card."""
        if self.index >= len(self.cards):
            return
        if not self.flipped:
            self._refresh('<p class="tmv-card-flip-first">Flip the card first (F or Space), then say '
                          "whether you knew it.</p>")
            return
        card = self.cards[self.index]
        note = ""
        if self.record:
            note = _record(card, knew, self.learner)
        if self.record:  # the card is now scheduled (unrecorded, it stays as it was)
            if card.item in self._due_items:
                self._due_items.discard(card.item)
                self.counts["due"] -= 1
            else:
                self.counts["new"] -= 1
            self.counts["later"] += 1
        self.known += knew
        self.missed += not knew
        self.index, self.flipped = self.index + 1, False
        self._refresh(note)


def _record(card: Card, knew: bool, learner: str | None) -> str:
    """Keep the answer; a storage warning comes back as HTML for the status line."""
    import warnings

    from tmvlearn.progress import get_store

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            get_store().record(lesson=GLOSSARY, question_id=card.item, score=1.0 if knew else 0.0,
                               response="knew it" if knew else "didn't", correct=knew, learner=learner,
                               mode="flashcard")
        except Exception as exc:  # never lose the session over storage
            warnings.warn(f"tmvlearn: this answer was not saved ({exc}).", stacklevel=2)
    if not caught:
        return ""
    text = html.escape(str(caught[0].message).removeprefix("tmvlearn: "))
    return f'<p class="tmv-storage"><small>⚠ {text}</small></p>'


def flashcards(name: str = GLOSSARY, *, n: int = 10, learner: str | None = None, seed: int = 0,
               interactive: bool = True, record: bool = True, now: datetime | None = None,
               store=None) -> Flashcards:
    """Study deck ``name`` (``"glossary"``, or a lesson: ``"03_cargo_biomarkers"`` or ``"03"``).

    At most ``n`` cards: those due for ``learner`` first (oldest due first), then new ones in an
    order fixed by ``seed``. The printed copy (and any headless run) is a table of ``n`` cards chosen
    by ``seed`` alone. ``record=False`` keeps nothing.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"flashcards(n=...) takes a whole number of cards of 1 or more, not {n!r}")
    cards = deck(name)
    label = name if name == GLOSSARY else next(d for d in deck_names() if d == name or d.startswith(name))
    order = list(cards)
    random.Random(f"cards:{label}:{seed}").shuffle(order)
    sample = sorted(order[:n], key=lambda c: c.term.lower())
    chosen: list[Card] = []
    plan: dict[str, Any] = {}
    if interactive:
        from tmvlearn.quiz.review_quiz import _now, due

        when = _now(now)
        plan = due(learner, now=when, upcoming=True, store=store)
        by_item = {c.item: c for c in cards}
        mine = plan[plan["question_id"].isin(list(by_item))]
        due_now = [by_item[i] for i in mine[mine["due"] <= when]["question_id"]]
        seen = set(mine["question_id"])
        fresh = [c for c in order if c.item not in seen]
        chosen = (due_now + fresh)[:n]
        plan = {"deck_size": len(cards), "due": tuple(c.item for c in due_now), "new": len(fresh),
                "later": len(mine) - len(due_now)}
    return Flashcards(label, chosen, sample, learner=learner, record=record, interactive=interactive, **plan)

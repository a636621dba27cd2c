"""Questions answered by arranging: matching pairs, putting steps in order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, Field
from typing_extensions import NotRequired, TypedDict

from tmvlearn.quiz.exchange import Item
from tmvlearn.quiz.exchange import Pair as ItemPair
from tmvlearn.quiz.markup import inline_html
from tmvlearn.quiz.questions.base import (
    BLANK,
    CHOOSE,
    Question,
    Result,
    Text,
    dropdowns,
    invalid,
    lettered_html,
    lettered_markdown,
    letters,
    short,
    unique_texts,
)

__all__ = ["Matching", "Ordering"]

Feedback = dict[Literal["correct", "wrong"], Text]
Steps = unique_texts(2, "The items in the right order.")
_PLACEHOLDER = f"{CHOOSE!r} is the empty entry of the dropdowns; use another text"
_GRID_CSS = """<style>
.tmv-matching-grid > .widget-dropdown { display: contents; }
.tmv-matching-grid > .widget-dropdown > .widget-label {
  width: auto !important; max-width: 30em; height: auto; overflow: visible; white-space: normal;
  text-align: left; line-height: 1.3; margin: 0; align-self: center; }
.tmv-matching-grid > .widget-dropdown > select { width: 100%; margin: 0; }
</style>"""


class Pair(TypedDict):
    """A left item, the right choice it matches, and feedback when it is matched wrongly."""

    __pydantic_config__ = ConfigDict(extra="forbid", strict=True)  # type: ignore[misc]
    left: Text
    right: Text
    feedback: NotRequired[Text]


class Matching(Question):
    """Match each left item to a right item; ``extra_right`` adds decoys.

    The score is the share of pairs matched right; ``correct`` only when all are.
    """

    instruction: ClassVar[str] = "Match each item on the left to one choice (a choice may be left over)."
    blank_input: ClassVar[Any] = ""  # the dropdowns' "— choose —" entry

    KIND: ClassVar[str] = "matching"

    type: Literal["matching"] = "matching"
    pairs: Annotated[list[Pair], Field(min_length=2)]
    extra_right: Annotated[list[Text], Field(description="Decoy choices on the right.")] = []
    feedback: Feedback = {}

    @property
    def lefts(self) -> list[str]:
        return [p["left"] for p in self.pairs]

    @property
    def rights(self) -> list[str]:
        """Every choice on the right, each once."""
        return list(dict.fromkeys([p["right"] for p in self.pairs] + list(self.extra_right)))

    def _check(self, response: Any) -> Result:
        if isinstance(response, (list, tuple)) and all(
            isinstance(p, (list, tuple)) and len(p) == 2 for p in response
        ):
            try:
                response = dict(response)
            except TypeError:  # unhashable keys
                return invalid("Give your matches as {left item: right item}.")
        if not isinstance(response, Mapping):
            return invalid("Give your matches as {left item: right item}.")
        lefts, rights = set(self.lefts), set(self.rights)
        bad_left = [k for k in response if not (isinstance(k, str) and k.strip() in lefts)]
        if bad_left:
            return invalid(f"{short(bad_left[0])} is not an item to match.")
        given = {k.strip(): v for k, v in response.items()}
        bad_right = [v for v in given.values()
                     if v is not None and not (isinstance(v, str) and v.strip() in rights)]
        if bad_right:
            return invalid(f"{short(bad_right[0])} is not one of the choices.")
        if not any(v is not None for v in given.values()):
            return invalid("Nothing matched yet: choose a match for each item.")
        unmatched = [left for left in self.lefts if given.get(left) is None]
        if unmatched:  # as ordering does: an incomplete answer is not graded
            return invalid(f"Choose a match for every item: {len(unmatched)} of {len(self.lefts)} "
                           f"still to do ({short(unmatched[0], 40)}...).")
        right_lefts = [p["left"] for p in self.pairs if (given.get(p["left"]) or "").strip() == p["right"]]
        wrong = [p for p in self.pairs if p["left"] not in right_lefts]
        score = len(right_lefts) / len(self.pairs)
        details = {"right": right_lefts, "wrong": [p["left"] for p in wrong]}
        if not wrong:
            return self._right("Correct: every match is right.", **details)
        verb = "is" if len(right_lefts) == 1 else "are"
        lines = [f"{len(right_lefts)} of {len(self.pairs)} matches {verb} right."]
        lines += [p["feedback"] for p in wrong if p.get("feedback") and given.get(p["left"])]
        unhinted = [p["left"] for p in wrong if not p.get("feedback")]
        if unhinted:  # every wrong match gets a hint: the question's own, else where to look again
            lines.append(self.feedback.get("wrong")
                         or "Look again at: " + "; ".join(short(left, 40) for left in unhinted) + ".")
        return self._wrong(" ".join(lines), score=score, **details)

    def key_response(self) -> dict[str, str]:
        return {p["left"]: p["right"] for p in self.pairs}

    def distractor_responses(self) -> list[dict[str, str]]:
        key = self.key_response()
        out = []
        if len(self.pairs) > 1:  # rotate the right column by one
            rights = [p["right"] for p in self.pairs]
            rotated = rights[1:] + rights[:1]
            if rotated != rights:
                out.append(dict(zip(self.lefts, rotated, strict=True)))
        for extra in self.extra_right:
            out.append({**key, self.lefts[0]: extra})
        return out

    def answer_text(self) -> str:
        return "; ".join(f"{p['left']} → {p['right']}" for p in self.pairs)

    def key_text(self, shown: list[str]) -> str:
        """Each item with the letter its choice has on the printed sheet."""
        if not all(p["right"] in shown for p in self.pairs):
            return self.answer_text()
        mark = dict(zip(shown, letters(len(shown)), strict=True))
        return "; ".join(f"{p['left']} → ({mark[p['right']]}) {p['right']}" for p in self.pairs)

    def secret_texts(self) -> list[str]:
        fb = [p.get("feedback", "") for p in self.pairs]
        return super().secret_texts() + [f for f in fb if f]

    def bank_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        problems = []
        if len(set(self.lefts)) != len(self.lefts):
            problems.append((("pairs",), "each left item must appear once"))
        rights = {p["right"] for p in self.pairs}
        problems += [(("extra_right", j), "a decoy must not also be a right answer")
                     for j, extra in enumerate(self.extra_right) if extra in rights]
        problems += [(("pairs", j, "right"), _PLACEHOLDER)
                     for j, p in enumerate(self.pairs) if p["right"].strip() == CHOOSE]
        problems += [(("extra_right", j), _PLACEHOLDER)
                     for j, extra in enumerate(self.extra_right) if extra.strip() == CHOOSE]
        return problems

    def display_options(self, shuffle: bool = False, seed: int | str = 0) -> list[str]:
        # Always shuffled (seeded by the question id): the listed order would give the answer away.
        return self.display_order(self.rights, seed, avoid=[p["right"] for p in self.pairs])

    def body_html(self, options: list[str]) -> list[str]:
        # left-aligned items, each blank right beside its item (JupyterLab right-aligns table cells)
        left = ' style="text-align:left"'
        rows = "".join(f"<tr><td{left}>{inline_html(item)}</td><td{left}>{BLANK}</td></tr>"
                       for item in self.lefts)
        return [f'<table class="tmv-matching" style="width:auto;margin-left:0">'
                f"<thead><tr><th{left}>Item</th><th{left}>Choice</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>",
                f'<p>Choices:</p><ul class="tmv-choices" style="list-style: none">'
                f"{lettered_html(options)}</ul>"]

    def body_markdown(self, options: list[str]) -> list[str]:
        return ([f"- {left} → {BLANK}" for left in self.lefts] + ["", "Choices:", ""]
                + lettered_markdown(options))

    def make_inputs(self, w: Any, options: list[str]) -> list[Any]:
        return dropdowns(w, options, self.lefts)

    def input_box(self, w: Any, inputs: list[Any]) -> Any:
        """The items in one column and their dropdowns lined up in the next, whatever each item's
        length (a long item wraps in its column): a CSS grid whose cells are each dropdown's label and
        its select (the dropdown's own box is ``display: contents``), so each select keeps its label."""
        style = w.HTML(_GRID_CSS, layout=w.Layout(display="none"))
        box = w.GridBox([style, *inputs], layout=w.Layout(
            grid_template_columns="minmax(6em, max-content) minmax(12em, 22em)", grid_gap="6px 12px",
            align_items="center", max_width="52em", margin="4px 0 8px"))
        box.add_class("tmv-matching-grid")
        return box

    def read_response(self, inputs: list[Any], options: list[str]) -> dict[str, Any]:
        return {left: box.value or None for left, box in zip(self.lefts, inputs, strict=True)}

    # -- the neutral exchange form ----------------------------------------------------------
    def to_exchange(self) -> Item:
        pairs = tuple(ItemPair(p["left"], p["right"], p.get("feedback")) for p in self.pairs)
        pair_feedback = {p["left"]: p["feedback"] for p in self.pairs if p.get("feedback")}
        losses = ("feedback on a wrong match is not kept (LMS matching has none per pair)",)
        return self._item(pairs=pairs, decoys=tuple(self.extra_right), shown=tuple(self.display_options()),
                          feedback=self._overall(self.feedback), kept={"pair_feedback": pair_feedback},
                          losses=losses if pair_feedback else ())

    @classmethod
    def from_exchange(cls, item: Item) -> dict[str, Any]:
        kept = item.kept.get("pair_feedback")
        kept = kept if isinstance(kept, dict) else {}
        pairs = []
        for p in item.pairs:
            pair = {"left": p.left, "right": p.right}
            feedback = p.feedback if p.feedback is not None else kept.get(p.left)
            if isinstance(feedback, str):
                pair["feedback"] = feedback
            pairs.append(pair)
        fields: dict[str, Any] = {"pairs": pairs, "extra_right": list(item.decoys)}
        if item.feedback:
            fields["feedback"] = dict(item.feedback)
        return cls._with_kept(fields, item, "pair_feedback")


class Ordering(Question):
    """Put ``items`` (listed in the right order; shown shuffled) back in order.

    The score is the share of items in the right place; ``correct`` only when all are.
    """

    instruction: ClassVar[str] = "Put these in order, first to last."
    blank_input: ClassVar[Any] = ""  # the dropdowns' "— choose —" entry

    KIND: ClassVar[str] = "ordering"

    type: Literal["ordering"] = "ordering"
    items: Steps
    feedback: Feedback = {}

    def _check(self, response: Any) -> Result:
        if not isinstance(response, (list, tuple)) or not all(
                isinstance(v, str) or v is None for v in response):
            return invalid("Give the items as a list, first to last.")
        given = [v.strip() if isinstance(v, str) else None for v in response]
        if any(v is None for v in given) or len(given) != len(self.items):
            return invalid(f"Place all {len(self.items)} items, each once.")
        if sorted(given) != sorted(self.items):
            unknown = [v for v in given if v not in self.items]
            if unknown:
                return invalid(f"{short(unknown[0])!r} is not one of the items.")
            return invalid("Use each item exactly once.")
        in_place = sum(g == k for g, k in zip(given, self.items, strict=True))
        details = {"in_place": in_place}
        if in_place == len(self.items):
            return self._right(**details)
        verb = "is" if in_place == 1 else "are"
        message = f"{in_place} of {len(self.items)} items {verb} in the right place."
        extra = self.feedback.get("wrong")
        return self._wrong(f"{message} {extra}" if extra else message, score=in_place / len(self.items),
                           **details)

    def key_response(self) -> list[str]:
        return list(self.items)

    def distractor_responses(self) -> list[list[str]]:
        swapped = list(self.items)
        swapped[0], swapped[1] = swapped[1], swapped[0]
        return [list(reversed(self.items)), swapped]

    def answer_text(self) -> str:
        return " → ".join(f"({i}) {item}" for i, item in enumerate(self.items, 1))

    def key_text(self, shown: list[str]) -> str:
        """The letters of the printed sheet in the right order (what a learner writes), then the steps."""
        if sorted(shown) != sorted(self.items):
            return self.answer_text()
        mark = dict(zip(shown, letters(len(shown)), strict=True))
        order = ", ".join(mark[item] for item in self.items)
        return f"{order}: " + " → ".join(f"({mark[item]}) {item}" for item in self.items)

    def secret_texts(self) -> list[str]:
        return super().secret_texts() + [self.answer_text()]

    def display_options(self, shuffle: bool = False, seed: int | str = 0) -> list[str]:
        return self.display_order(self.items, seed, avoid=self.items)

    def bank_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        return [(("items", j), _PLACEHOLDER)
                for j, item in enumerate(self.items) if item.strip() == CHOOSE]

    def body_html(self, options: list[str]) -> list[str]:
        blanks = " ".join([BLANK[:3]] * len(options))
        return [f'<ul class="tmv-items" style="list-style: none">{lettered_html(options)}</ul>',
                f'<p class="tmv-blank">Order: {blanks}</p>']

    def body_markdown(self, options: list[str]) -> list[str]:
        return lettered_markdown(options)

    def make_inputs(self, w: Any, options: list[str]) -> list[Any]:
        return dropdowns(w, options, [f"Step {i}:" for i in range(1, len(self.items) + 1)])

    def read_response(self, inputs: list[Any], options: list[str]) -> list[Any]:
        return [box.value or None for box in inputs]

    # -- the neutral exchange form ----------------------------------------------------------
    def to_exchange(self) -> Item:
        return self._item(order=tuple(self.items), shown=tuple(self.display_options()),
                          feedback=self._overall(self.feedback))

    @classmethod
    def from_exchange(cls, item: Item) -> dict[str, Any]:
        if not item.order:
            raise ValueError("an ordering is read from a matching of Position 1, Position 2, ... "
                             "to the steps")
        fields: dict[str, Any] = {"items": list(item.order)}
        if item.feedback:
            fields["feedback"] = dict(item.feedback)
        return cls._with_kept(fields, item)

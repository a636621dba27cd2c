"""Questions answered by picking: single choice, multiple select, true/false."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from tmvlearn.quiz.exchange import Answer, Item
from tmvlearn.quiz.markup import inline_html
from tmvlearn.quiz.questions.base import (
    LABELS,
    MAX_TEXT,
    WIDE,
    Question,
    Result,
    Text,
    invalid,
    letters,
    short,
    text_list,
    unique_texts,
)

__all__ = ["SingleChoice", "MultipleSelect", "TrueFalse"]

Options = unique_texts(2)
Keys = unique_texts(1)


class _Picked(Question):
    """Shared by the types whose answer is picked from listed options."""

    mark_html: ClassVar[str] = "○"
    mark_markdown: ClassVar[str] = "( )"

    def body_html(self, options: list[str]) -> list[str]:
        return (['<ul class="tmv-options" style="list-style: none">']
                + [f"<li>{self.mark_html} {inline_html(o)}</li>" for o in options] + ["</ul>"])

    def body_markdown(self, options: list[str]) -> list[str]:
        return [f"- {self.mark_markdown} {o}" for o in options]

    def make_inputs(self, w: Any, options: list[str]) -> list[Any]:
        return [w.RadioButtons(options=options, value=None, description="Answer:",
                               layout=w.Layout(**WIDE), style=LABELS)]


class _Choice(_Picked):
    options: Options
    feedback: Annotated[dict[str, Text], Field(description="Option text to feedback.")] = {}
    pinned: Annotated[list[Text], Field(description=(
        "Options that keep their listed place when the others are shuffled, e.g. 'None of the above'."))] = []

    def _option(self, value: Any) -> str | None:
        if isinstance(value, str):
            text = value.strip()
            return text if text in self.options else None
        return None

    def display_options(self, shuffle: bool = False, seed: int | str = 0) -> list[str]:
        if not shuffle:
            return list(self.options)
        return self.display_order(self.options, seed, pinned=self.pinned)

    def _feedback_problems(self, allowed: set[str]) -> list[tuple[tuple[Any, ...], str]]:
        problems = [(("feedback", key), "feedback for an option that does not exist")
                    for key in self.feedback if key not in allowed]
        problems += [(("pinned", j), f"{text!r} is not among the options")
                     for j, text in enumerate(self.pinned) if text not in self.options]
        seen: dict[str, str] = {}
        for j, option in enumerate(self.options):  # a learner cannot tell these apart
            if not isinstance(option, str):
                continue  # validation reports it
            key = " ".join(option.split()).casefold()
            if key in seen:
                problems.append((("options", j),
                                 f"{option!r} differs from {seen[key]!r} only in case or spacing"))
            seen.setdefault(key, option)
        return problems

    def _choices_item(self, right: list[str], wrong_fraction: float, feedback: dict[str, Any]) -> Item:
        """The neutral form: each option an answer (a right one earns ``1 / len(right)``, a wrong one
        ``wrong_fraction``) with its feedback; pinned options kept (an LMS may shuffle them)."""
        answers = tuple(Answer(o, 1 / len(right) if o in right else wrong_fraction, self.feedback.get(o))
                        for o in self.options)
        losses = ("pinned options are not kept in place if the LMS shuffles answers",) if self.pinned else ()
        return self._item(answers=answers, feedback=feedback, kept={"pinned": self.pinned}, losses=losses)

    @staticmethod
    def _read_options(item: Item) -> tuple[list[str], list[str], dict[str, str]]:
        """(options, right options, feedback by option, then the overall feedback) of a choice item."""
        options = [a.text for a in item.answers]
        feedback = {a.text: a.feedback for a in item.answers if a.feedback is not None}
        return options, item.right_texts, {**feedback, **item.feedback}


class SingleChoice(_Choice):
    """Pick the one right option."""

    instruction: ClassVar[str] = "Choose one."
    KIND: ClassVar[str] = "single_choice"

    type: Literal["single_choice"] = "single_choice"
    answer: Text

    def _check(self, response: Any) -> Result:
        if response is None or (isinstance(response, str) and not response.strip()):
            return invalid("No option chosen: pick one of the options.")
        if not isinstance(response, str):
            return invalid(f"Pick one option by its text, not {short(response)}.")
        choice = self._option(response)
        if choice is None:
            return invalid(f"{short(response)!r} is not one of the options: pick one of them.")
        if choice == self.answer:
            return Result(True, 1.0, self.feedback.get(choice, "Correct."), {"choice": choice})
        return Result(False, 0.0, self.feedback.get(choice, "Not quite."), {"choice": choice})

    def key_response(self) -> str:
        return self.answer

    def distractor_responses(self) -> list[str]:
        return [o for o in self.options if o != self.answer]

    def answer_text(self) -> str:
        return self.answer

    def key_text(self, shown: list[str]) -> str:
        return _lettered([self.answer], shown)

    def bank_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        problems = ([] if self.answer in self.options
                    else [(("answer",), f"{self.answer!r} is not among the options")])
        return problems + self._feedback_problems(set(self.options))

    def to_exchange(self) -> Item:
        return self._choices_item([self.answer], 0.0, {})

    @classmethod
    def from_exchange(cls, item: Item) -> dict[str, Any]:
        options, _, feedback = cls._read_options(item)
        best = [a for a in item.answers if a.fraction >= 1]
        if len(best) != 1:
            raise ValueError("a single choice question needs exactly one answer worth 100%")
        return cls._with_kept({"options": options, "answer": best[0].text, "feedback": feedback}, item)


class MultipleSelect(_Choice):
    """Select every right option: all or nothing, with the partial credit kept in the details."""

    instruction: ClassVar[str] = "Select all that apply."
    blank_input: ClassVar[Any] = False
    mark_html: ClassVar[str] = "☐"
    mark_markdown: ClassVar[str] = "[ ]"
    KIND: ClassVar[str] = "multiple_choice"

    type: Literal["multiple_select"] = "multiple_select"
    answer: Keys
    feedback: Annotated[dict[str, Text], Field(description="Option text (or 'correct') to feedback.")] = {}

    def _check(self, response: Any) -> Result:
        if isinstance(response, str):
            response = [response] if response.strip() else []
        if response is None:
            response = []
        if not text_list(response):
            return invalid("Give the options you select as a list of option texts.")
        picked, unknown = set(), []
        for value in response:
            option = self._option(value)
            if option is None:
                unknown.append(value)
            else:
                picked.add(option)
        if unknown:
            shown = ", ".join(repr(short(u, 40)) for u in unknown[:3])
            return invalid(f"Not among the options: {shown}. Select only listed options.")
        if not picked:
            return invalid("Nothing selected: select every option that applies.")
        key = set(self.answer)
        hits, missed, false_picks = picked & key, key - picked, picked - key
        partial = max(0.0, (len(hits) - len(false_picks)) / len(key))
        details = {
            "hits": sorted(hits),
            "missed": sorted(missed),
            "false_picks": sorted(false_picks),
            "partial_credit": partial,
        }
        if not missed and not false_picks:
            return Result(True, 1.0, self.feedback.get("correct", "Correct: all and only the right options."),
                          details)
        lines = [_tally(len(hits), len(false_picks), len(missed))]
        lines += [self.feedback[o] for o in self.options if o in false_picks and o in self.feedback]
        return Result(False, 0.0, " ".join(lines), details)

    def key_response(self) -> list[str]:
        return list(self.answer)

    def distractor_responses(self) -> list[list[str]]:
        wrong = [o for o in self.options if o not in self.answer]
        out = [list(self.answer) + [w] for w in wrong]
        if len(self.answer) > 1:
            out.append(list(self.answer[1:]))
        return out + [[w] for w in wrong]

    def answer_text(self) -> str:
        return "; ".join(self.answer)

    def key_text(self, shown: list[str]) -> str:
        return _lettered(list(self.answer), shown)

    def bank_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        problems = [(("answer", j), f"{answer!r} is not among the options")
                    for j, answer in enumerate(self.answer) if answer not in self.options]
        return problems + self._feedback_problems(set(self.options) | {"correct"})

    def make_inputs(self, w: Any, options: list[str]) -> list[Any]:
        return [w.Checkbox(value=False, description=o, indent=False, layout=w.Layout(**WIDE))
                for o in options]

    def read_response(self, inputs: list[Any], options: list[str]) -> list[str]:
        return [o for o, box in zip(options, inputs, strict=True) if box.value]

    def to_exchange(self) -> Item:
        # Each right option earns 1/n and each wrong pick costs 1/n: an LMS's total (floored at 0) is
        # the partial credit tmvlearn records; tmvlearn itself scores all or nothing.
        overall = {"correct": self.feedback["correct"]} if self.feedback.get("correct") else {}
        return self._choices_item(list(self.answer), -1 / len(self.answer), overall)

    @classmethod
    def from_exchange(cls, item: Item) -> dict[str, Any]:
        options, right, feedback = cls._read_options(item)
        return cls._with_kept({"options": options, "answer": right, "feedback": feedback}, item)


def _lettered(right: list[str], shown: list[str]) -> str:
    """Right options by their place on a printed sheet: ``(b) text; (d) text``, in sheet order; the
    bank's own text where an option is not shown."""
    if not all(r in shown for r in right):
        return "; ".join(right)
    places = sorted(shown.index(r) for r in right)
    return "; ".join(f"({letters(len(shown))[i]}) {shown[i]}" for i in places)


def _tally(right: int, wrong: int, missing: int) -> str:
    """What was right and wrong in a multiple-select answer, in words."""
    picks = right + wrong
    if picks == 1:
        parts = [f"your one pick is {'right' if right else 'wrong'}"]
    elif right == picks:
        parts = [f"{'both' if picks == 2 else f'all {picks} of'} your picks are right"]
    else:
        parts = [f"{right} of your {picks} picks {'is' if right == 1 else 'are'} right"]
    if missing:
        parts.append(f"{missing} right {'option is' if missing == 1 else 'options are'} missing")
    text = " and ".join(parts) + "."
    return text[0].upper() + text[1:]


_TRUE = {"true", "t", "yes"}
_FALSE = {"false", "f", "no"}


class TrueFalse(_Picked):
    """A statement that is true or false."""

    instruction: ClassVar[str] = "True or false?"

    KIND: ClassVar[str] = "true_false"

    type: Literal["true_false"] = "true_false"
    answer: bool
    feedback: dict[Literal["correct", "wrong"], Text] = {}

    def _check(self, response: Any) -> Result:
        value: bool | None = None
        if type(response).__name__ in ("bool", "bool_"):
            value = bool(response)
        elif isinstance(response, str) and len(response) <= MAX_TEXT:
            word = response.strip().lower()
            value = True if word in _TRUE else False if word in _FALSE else None
        if value is None:
            return invalid("Answer True or False.")
        if value == self.answer:
            return self._right(choice=value)
        return self._wrong(choice=value)

    def key_response(self) -> bool:
        return self.answer

    def distractor_responses(self) -> list[bool]:
        return [not self.answer]

    def answer_text(self) -> str:
        return "True" if self.answer else "False"

    def display_options(self, shuffle: bool = False, seed: int | str = 0) -> list[str]:
        return ["True", "False"]

    def to_exchange(self) -> Item:
        right, wrong = self.feedback.get("correct"), self.feedback.get("wrong")
        true, false = (right, wrong) if self.answer else (wrong, right)  # the feedback on picking each
        return self._item(answers=(Answer("True", float(self.answer), true),
                                   Answer("False", float(not self.answer), false)))

    @classmethod
    def from_exchange(cls, item: Item) -> dict[str, Any]:
        right = next((a for a in item.answers if a.right), None)
        if right is None or len(item.answers) != 2:
            raise ValueError("a true/false question needs a true and a false answer, one of them right")
        wrong = next(a for a in item.answers if a is not right)
        feedback = {k: v for k, v in (("correct", right.feedback), ("wrong", wrong.feedback))
                    if v is not None}
        return cls._with_kept({"answer": right.text == "True", "feedback": feedback}, item)

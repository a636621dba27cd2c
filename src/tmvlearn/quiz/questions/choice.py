"""Questions answered by picking: single choice, multiple select, true/false."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from tmvlearn.quiz.markup import inline_html
from tmvlearn.quiz.questions.base import (
    LABELS,
    MAX_TEXT,
    WIDE,
    Exported,
    Question,
    Result,
    Text,
    answers_list,
    invalid,
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

    def _jupyterquiz_choices(self, options: list[str], right: list[str], feedback: Mapping[str, str | None],
                             kind: str) -> Exported:
        answers = []
        for option in options:
            entry: dict[str, Any] = {"answer": option, "correct": option in right}
            if feedback.get(option):
                entry["feedback"] = feedback[option]
            answers.append(entry)
        return Exported({"question": self.prompt, "type": kind, "answers": answers})


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

    def _gift_choices(self, right: list[str], wrong_weight: float | None) -> list[str]:
        """GIFT answers: ``=right ~wrong`` (single), or weighted ``~%50%right ~%-50%wrong``."""
        from tmvlearn.quiz.lms import gift

        out = []
        for option in self.options:
            if wrong_weight is None:
                mark = "=" if option in right else "~"
            else:
                mark = "~" + gift.weight(1 / len(right) if option in right else wrong_weight)
            out.append(mark + gift.html(option) + gift.feedback_part(self.feedback.get(option)))
        return out

    def _moodle_choices(self, right: list[str], wrong_weight: float | None) -> list[Any]:
        from tmvlearn.quiz.lms import moodle_xml as mx
        from tmvlearn.quiz.lms.gift import grade

        single = wrong_weight is None
        out = [mx.simple("single", "true" if single else "false"), mx.simple("shuffleanswers", "true"),
               mx.simple("answernumbering", "abc"),
               *mx.combined(self.feedback.get("correct") if not single else None)]
        for option in self.options:
            fraction = ((1.0 if option in right else 0.0) if single
                        else grade(1 / len(right) if option in right else wrong_weight))
            out.append(mx.html_answer(fraction, option, self.feedback.get(option)))
        return out

    def _qti_choices(self, right: list[str], cardinality: str) -> Any:
        from tmvlearn.quiz.lms import qti

        return qti.choices(self.options, right, cardinality, self.feedback)

    def _pinned_note(self) -> list[str]:
        return ["pinned options are not kept in place if the LMS shuffles answers"] if self.pinned else []

    @staticmethod
    def _gift_options(q: Any) -> tuple[list[str], list[str], dict[str, str]]:
        """(options, right options, feedback by option) of a GIFT multiple choice question."""
        if q.kind != "multichoice":
            raise ValueError(f"a {q.kind} question is not a multiple choice question")
        options, right, feedback = [], [], {}
        for answer in q.answers:
            text = q.markdown(answer.text)
            if not text.strip():
                raise ValueError("an answer has no text")
            if text in options:
                raise ValueError(f"the answer {text!r} appears twice")
            options.append(text)
            if answer.fraction > 0:
                right.append(text)
            if answer.feedback:
                feedback[text] = q.markdown(answer.feedback)
        if not right:
            raise ValueError("no answer has a positive weight")
        return options, right, feedback

    @staticmethod
    def _read_choices(item: Mapping[str, Any]) -> tuple[list[str], list[str], dict[str, str]]:
        """(options, correct options, feedback by option) of a jupyterquiz choice question."""
        options, right, feedback = [], [], {}
        for j, a in enumerate(answers_list(item)):
            text = a.get("answer", a.get("code"))
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"answers[{j}] has no 'answer' text")
            text = text.strip() if "answer" in a else f"`{text.strip()}`"
            if text in options:
                raise ValueError(f"answers[{j}] repeats the option {text!r}")
            options.append(text)
            if a.get("correct") is True:
                right.append(text)
            if isinstance(a.get("feedback"), str) and a["feedback"].strip():
                feedback[text] = a["feedback"]
        if not right:
            raise ValueError("no answer is marked correct")
        return options, right, feedback


class SingleChoice(_Choice):
    """Pick the one right option."""

    instruction: ClassVar[str] = "Choose one."
    JUPYTERQUIZ: ClassVar[tuple[str, ...]] = ("multiple_choice",)
    GIFT: ClassVar[tuple[str, ...]] = ("multichoice",)

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

    def bank_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        problems = ([] if self.answer in self.options
                    else [(("answer",), f"{self.answer!r} is not among the options")])
        return problems + self._feedback_problems(set(self.options))

    def to_jupyterquiz(self) -> Exported:
        return self._jupyterquiz_choices(self.options, [self.answer], self.feedback, "multiple_choice")

    @classmethod
    def from_jupyterquiz(cls, item: Mapping[str, Any]) -> dict[str, Any]:
        options, right, feedback = cls._read_choices(item)
        if len(right) > 1:
            raise ValueError("a multiple_choice question has more than one correct answer; use many_choice")
        return {"options": options, "answer": right[0], "feedback": feedback}

    def to_gift(self) -> Exported:
        answers = self._gift_choices([self.answer], None)
        return self._gift(answers, self._pinned_note(), {"pinned": self.pinned})

    def to_moodle_xml(self) -> Exported:
        return self._moodle("multichoice", self._moodle_choices([self.answer], None), self._pinned_note())

    def to_qti(self) -> Exported:
        return self._qti("multiple_choice_question", self._qti_choices([self.answer], "Single"),
                         self._pinned_note())

    @classmethod
    def reads_gift(cls, q: Any) -> bool:
        return super().reads_gift(q) and q.single  # one answer marked = (Moodle: "one answer only")

    @classmethod
    def from_gift(cls, q: Any) -> dict[str, Any]:
        options, right, feedback = cls._gift_options(q)
        best = [a for a in q.answers if a.fraction >= 1]
        if len(best) != 1:
            raise ValueError("a single choice question needs exactly one answer worth 100%")
        return {"options": options, "answer": q.markdown(best[0].text), "feedback": feedback}


class MultipleSelect(_Choice):
    """Select every right option: all or nothing, with the partial credit kept in the details."""

    instruction: ClassVar[str] = "Select all that apply."
    blank_input: ClassVar[Any] = False
    mark_html: ClassVar[str] = "☐"
    mark_markdown: ClassVar[str] = "[ ]"
    JUPYTERQUIZ: ClassVar[tuple[str, ...]] = ("many_choice",)
    GIFT: ClassVar[tuple[str, ...]] = ("multichoice",)

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

    def bank_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        problems = [(("answer", j), f"{answer!r} is not among the options")
                    for j, answer in enumerate(self.answer) if answer not in self.options]
        return problems + self._feedback_problems(set(self.options) | {"correct"})

    def make_inputs(self, w: Any, options: list[str]) -> list[Any]:
        return [w.Checkbox(value=False, description=o, indent=False, layout=w.Layout(**WIDE))
                for o in options]

    def read_response(self, inputs: list[Any], options: list[str]) -> list[str]:
        return [o for o, box in zip(options, inputs, strict=True) if box.value]

    def to_jupyterquiz(self) -> Exported:
        return self._jupyterquiz_choices(self.options, list(self.answer), self.feedback, "many_choice")

    @classmethod
    def from_jupyterquiz(cls, item: Mapping[str, Any]) -> dict[str, Any]:
        options, right, feedback = cls._read_choices(item)
        return {"options": options, "answer": right, "feedback": feedback}

    def to_gift(self) -> Exported:
        # Each right option earns 1/n and each wrong pick costs 1/n: Moodle's total (floored at 0) is
        # the partial credit tmvlearn records; tmvlearn itself scores all or nothing.
        notes = self._pinned_note()
        if self.feedback.get("correct"):
            notes.append("the feedback for an all-right answer is not kept (GIFT has no place for it)")
        extras = {"pinned": self.pinned, "feedback": {"correct": self.feedback.get("correct")}
                  if self.feedback.get("correct") else None}
        return self._gift(self._gift_choices(list(self.answer), -1 / len(self.answer)), notes, extras)

    def to_moodle_xml(self) -> Exported:
        return self._moodle("multichoice", self._moodle_choices(list(self.answer), -1 / len(self.answer)),
                            self._pinned_note())

    def to_qti(self) -> Exported:
        # Canvas grades multiple answers with partial credit by default ("exact match" is a quiz setting).
        return self._qti("multiple_answers_question", self._qti_choices(list(self.answer), "Multiple"),
                         self._pinned_note() + ["Canvas gives partial credit unless the quiz asks for an "
                                                "exact match (tmvlearn scores all or nothing)"])

    @classmethod
    def reads_gift(cls, q: Any) -> bool:
        return super().reads_gift(q) and not q.single  # weights only (Moodle: "multiple answers")

    @classmethod
    def from_gift(cls, q: Any) -> dict[str, Any]:
        options, right, feedback = cls._gift_options(q)
        return {"options": options, "answer": right, "feedback": feedback}


def _tally(right: int, wrong: int, missing: int) -> str:
    """What was right and wrong in a multiple-select answer, in words."""
    picks = right + wrong
    if picks == 1:
        parts = [f"your one pick is {'right' if right else 'wrong'}"]
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

    GIFT: ClassVar[tuple[str, ...]] = ("truefalse",)

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

    def to_jupyterquiz(self) -> Exported:
        right, wrong = ("True", "False") if self.answer else ("False", "True")
        feedback = {right: self.feedback.get("correct"), wrong: self.feedback.get("wrong")}
        return self._jupyterquiz_choices(["True", "False"], [right], feedback, "multiple_choice")

    def to_gift(self) -> Exported:
        from tmvlearn.quiz.lms import gift

        answer = "T" if self.answer else "F"
        wrong, right = self.feedback.get("wrong"), self.feedback.get("correct")
        if wrong or right:  # {T#feedback when wrong#feedback when right}
            answer += "#" + (gift.html(wrong) if wrong else "") + ("#" + gift.html(right) if right else "")
        return self._gift([answer])

    def to_moodle_xml(self) -> Exported:
        from tmvlearn.quiz.lms import moodle_xml as mx

        right, wrong = self.feedback.get("correct"), self.feedback.get("wrong")
        answers = [mx.plain_answer(1.0 if self.answer else 0.0, "true", right if self.answer else wrong),
                   mx.plain_answer(0.0 if self.answer else 1.0, "false", wrong if self.answer else right)]
        return self._moodle("truefalse", answers)

    def to_qti(self) -> Exported:
        from tmvlearn.quiz.lms import qti

        right, wrong = self.feedback.get("correct"), self.feedback.get("wrong")
        feedback = {"True": right if self.answer else wrong, "False": wrong if self.answer else right}
        key = "True" if self.answer else "False"
        return self._qti("true_false_question", qti.choices(["True", "False"], [key], "Single", feedback))

    @classmethod
    def from_gift(cls, q: Any) -> dict[str, Any]:
        if q.kind != "truefalse":
            raise ValueError(f"a {q.kind} question is not a true/false question")
        right, wrong = q.answers[0].feedback, q.answers[1].feedback
        feedback = {k: q.markdown(v) for k, v in (("correct", right), ("wrong", wrong)) if v}
        return {"answer": bool(q.true_answer), "feedback": feedback}

"""Questions answered by typing a word or short phrase."""

from __future__ import annotations

import numbers
import re
import unicodedata
from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, Field
from typing_extensions import TypedDict

from tmvlearn.quiz.exchange import Answer, Item
from tmvlearn.quiz.questions.base import MAX_TEXT, Question, Result, Text, invalid, text_box

__all__ = ["ShortText"]

Feedback = dict[Literal["correct", "wrong"], Text]


# Characters a keyboard or a copy from a PDF may give in place of the plain ones.
_LOOKALIKES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2010": "-",
                             "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
                             "\u00b5": "\u03bc"})
_EDGES = " .,;:!?'\"`"  # punctuation around an answer ("Annexin V.") is not part of it
_WITH_ABBREVIATION = re.compile(r"(?P<outer>.+?)\s*\((?P<inner>[^()]+)\)")
PATTERN_SECONDS = 0.05  # longest a bank pattern may take on one answer
FUZZY_MIN = 0.75  # a lower similarity lets one letter in four be wrong: "cat" would pass for "car"


def _normal(text: str, match_case: bool) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_LOOKALIKES)
    text = " ".join(text.split()).strip(_EDGES)
    return text if match_case else text.casefold()


def _fullmatch(pattern: str, text: str, match_case: bool) -> bool:
    """Whether ``pattern`` matches all of ``text``, giving up (no match) after PATTERN_SECONDS."""
    import regex

    try:
        return regex.fullmatch(pattern, text, 0 if match_case else regex.IGNORECASE | regex.V0,
                               timeout=PATTERN_SECONDS) is not None
    except (TimeoutError, regex.error):
        return False


def _slow_pattern(pattern: str) -> bool:
    """Whether ``pattern`` takes over PATTERN_SECONDS on a short answer built from its own letters
    (nested repetition such as ``(a+)+$`` backtracks exponentially)."""
    import regex

    letters = list(dict.fromkeys(c for c in pattern.casefold() if c.isalnum()))[:8] or ["a"]
    for letter in letters:
        try:
            regex.fullmatch(pattern, letter * 28 + "!", regex.IGNORECASE, timeout=PATTERN_SECONDS)
        except TimeoutError:
            return True
        except regex.error:
            return False
    return False


def _similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / longer length (jupyterquiz's fuzzy ratio)."""
    if not a and not b:
        return 1.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1 - prev[-1] / max(len(a), len(b))


class WrongAnswer(TypedDict):
    """An anticipated wrong answer and the feedback it gets."""

    __pydantic_config__ = ConfigDict(extra="forbid", strict=True)  # type: ignore[misc]

    answer: Text
    feedback: Text


class ShortText(Question):
    """Free text, right when it equals an accepted answer or fully matches a pattern.

    Comparison ignores case (unless ``match_case``) and extra whitespace. ``wrong_answers`` give
    feedback for anticipated mistakes; ``fuzzy_threshold`` (0-1) also accepts near-misses, as
    jupyterquiz does.
    """

    instruction: ClassVar[str] = "Type a word or short phrase."
    blank_input: ClassVar[Any] = ""
    KIND: ClassVar[str] = "short_answer"

    type: Literal["short_text"] = "short_text"
    accepted: Annotated[list[Text], Field(min_length=1)]
    patterns: Annotated[list[Text], Field(
        description="Regular expressions that must match the whole (whitespace-normalised) answer.")] = []
    match_case: bool = False
    case_sensitive: Annotated[list[Text], Field(description=(
        "Accepted answers that must be typed in exactly this case even when match_case is false "
        "(jupyterquiz's per-answer match_case)."))] = []
    fuzzy_threshold: Annotated[float, Field(ge=FUZZY_MIN, le=1, description=(
        f"Also accept answers this similar ({FUZZY_MIN}-1, Levenshtein ratio); below {FUZZY_MIN} "
        "unrelated words would pass."))] = None  # type: ignore[assignment]
    wrong_answers: list[WrongAnswer] = []
    feedback: Feedback = {}

    def _check(self, response: Any) -> Result:
        if isinstance(response, numbers.Number) and not isinstance(response, bool):
            response = str(response)
        if not isinstance(response, str):
            return invalid("Type your answer as text.")
        if len(response) > MAX_TEXT:
            return invalid(f"That answer is over {MAX_TEXT} characters: a word or short phrase is enough.")
        given = _normal(response, self.match_case)
        if not given:
            return invalid("Type an answer first.")
        if self._accepts(given, _normal(response, True)):
            return self._right(text=given)
        for wrong in self.wrong_answers:
            if given == _normal(wrong["answer"], self.match_case):
                return self._wrong(wrong.get("feedback"), text=given)
        both = _WITH_ABBREVIATION.fullmatch(given)  # "Full name (ABBR)": either part may be the answer
        if both:
            parts = [_normal(both["outer"], self.match_case), _normal(both["inner"], self.match_case)]
            if any(self._accepts(p) for p in parts) and not any(self._listed_wrong(p) for p in parts):
                return self._right(text=given)
        if self.fuzzy_threshold:
            for accepted in self.accepted:
                if _similarity(given, _normal(accepted, self.match_case)) >= self.fuzzy_threshold:
                    return self._right(f"Close enough (check the spelling: {accepted}).", text=given)
        return self._wrong(text=given)

    def _accepts(self, given: str, exact: str | None = None) -> bool:
        """Whether ``given`` (normalised) is right; ``exact`` is it with its case kept, for the
        case-sensitive answers (without it, ``given`` is used)."""
        exact = given if exact is None else exact
        plain = [a for a in self.accepted if a not in self.case_sensitive]
        return (any(given == _normal(a, self.match_case) for a in plain)
                or any(exact == _normal(a, True) for a in self.case_sensitive)
                or any(_fullmatch(p, given, self.match_case) for p in self.patterns))

    def _listed_wrong(self, given: str) -> bool:
        return any(given == _normal(w["answer"], self.match_case) for w in self.wrong_answers)

    def key_response(self) -> str:
        return self.accepted[0]

    def distractor_responses(self) -> list[str]:
        return [w["answer"] for w in self.wrong_answers] + ["zzzz"]

    def answer_text(self) -> str:
        text = " / ".join(self.accepted)
        if self.patterns:
            # code: no Markdown
            text += " (or matching: " + ", ".join(f"`/{p}/`" for p in self.patterns) + ")"
        return text

    def secret_texts(self) -> list[str]:
        wrong = [w.get("feedback", "") for w in self.wrong_answers]
        return super().secret_texts() + list(self.accepted) + [w for w in wrong if w]

    def bank_problems(self) -> list[tuple[tuple[Any, ...], str]]:
        import regex

        problems = []
        for j, pattern in enumerate(self.patterns):
            try:
                regex.compile(pattern, regex.V0)
            except (regex.error, TypeError) as exc:
                problems.append((("patterns", j), f"not a valid regular expression: {exc}"))
                continue
            if _slow_pattern(pattern):
                problems.append((("patterns", j), "this pattern can take exponential time on some "
                                 "answers (nested repetition such as (a+)+): rewrite it without repeating "
                                 "a repetition"))
        problems += [(("case_sensitive", j), f"{text!r} is not among the accepted answers")
                     for j, text in enumerate(self.case_sensitive) if text not in self.accepted]
        return problems

    def make_inputs(self, w: Any, options: list[str]) -> list[Any]:
        return [text_box(w, "Answer:", "a word or short phrase")]

    def to_exchange(self) -> Item:
        correct = self.feedback.get("correct")
        answers = [Answer(a, 1.0, correct, match_case=a in self.case_sensitive) for a in self.accepted]
        answers += [Answer(w["answer"], 0.0, w["feedback"]) for w in self.wrong_answers]
        losses = []
        if self.patterns:
            losses.append("written without its patterns (the LMS matches listed answers only)")
        if self.fuzzy_threshold:
            losses.append("near-misses (fuzzy_threshold) are not accepted by the LMS")
        kept = {"patterns": self.patterns, "fuzzy_threshold": self.fuzzy_threshold,
                "case_sensitive": self.case_sensitive}
        return self._item(answers=tuple(answers), feedback=self._overall(self.feedback),
                          match_case=self.match_case, fuzzy=self.fuzzy_threshold,
                          patterns=tuple(self.patterns), kept=kept, losses=tuple(losses))

    @classmethod
    def from_exchange(cls, item: Item) -> dict[str, Any]:
        accepted, wrong, feedback = [], [], {}
        for a in item.answers:
            if a.fraction >= 1:
                accepted.append(a.text)
                if a.feedback is not None and "correct" not in feedback:
                    feedback["correct"] = a.feedback
            else:
                wrong.append({"answer": a.text, "feedback": a.feedback or "Not quite."})
        if not accepted:
            raise ValueError("no answer is right")
        if item.feedback.get("wrong") is not None:
            feedback["wrong"] = item.feedback["wrong"]
        out: dict[str, Any] = {"accepted": accepted, "wrong_answers": wrong, "feedback": feedback}
        if item.patterns:
            out["patterns"] = list(item.patterns)
        if item.match_case:
            out["match_case"] = True
        cased = [a.text for a in item.answers if a.fraction >= 1 and a.match_case]
        if cased:
            out["case_sensitive"] = cased
        if item.fuzzy is not None:
            out["fuzzy_threshold"] = item.fuzzy
        return cls._with_kept(out, item)

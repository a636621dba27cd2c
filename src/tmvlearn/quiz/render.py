"""Static renderings of a quiz: the student version (no answers) and the key.

Each rendering is a mimebundle with ``text/html``, ``text/markdown`` and
``text/plain``, deterministic (no memory ids, no times) so nbval can compare it.
Prompts are Markdown; inline ``$math$`` is kept as written for MathJax.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from functools import cache

from tmvlearn.quiz.questions import (
    Matching,
    MultipleSelect,
    Numeric,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)

__all__ = ["markdown_to_html", "inline_html", "display_options", "render_student", "render_key"]

_MATH = re.compile(r"(?<![\\$])\$(?=\S)([^$\n]+?)(?<=\S)\$")
_BLANK = "________"


@cache
def _markdown():
    import mistune

    return mistune.create_markdown(escape=True, plugins=["strikethrough", "table"])


def markdown_to_html(text: str) -> str:
    """Markdown to HTML, raw HTML escaped, ``$math$`` passed through untouched."""
    maths: list[str] = []

    def hold(match: re.Match) -> str:
        maths.append(match.group(0))
        return f"tmvmath{len(maths) - 1}x"

    out = _markdown()(_MATH.sub(hold, text or ""))
    for i, original in reversed(list(enumerate(maths))):  # reversed: tmvmath1x before tmvmath10x
        out = out.replace(f"tmvmath{i}x", html.escape(original, quote=False))
    return out.strip()


def inline_html(text: str) -> str:
    """Like :func:`markdown_to_html` without the surrounding paragraph."""
    out = markdown_to_html(text)
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


def display_options(question: Question, shuffle: bool = False, seed: int = 0) -> list[str]:
    """What the learner picks from, in display order.

    Choice options keep the bank's order unless ``shuffle``; ordering items and
    matching choices are always shuffled (seeded by the question id), so their
    listed order never gives the answer away.
    """
    if isinstance(question, TrueFalse):
        return ["True", "False"]
    if isinstance(question, (SingleChoice, MultipleSelect)):
        return question.display_order(question.options, seed) if shuffle else list(question.options)
    if isinstance(question, Ordering):
        return question.display_order(question.items, seed, avoid=question.items)
    if isinstance(question, Matching):
        return question.display_order(question.rights, seed, avoid=[p["right"] for p in question.pairs])
    return []


def _instruction(q: Question) -> str:
    if isinstance(q, SingleChoice):
        return "Choose one."
    if isinstance(q, MultipleSelect):
        return "Select all that apply."
    if isinstance(q, TrueFalse):
        return "True or false?"
    if isinstance(q, Numeric):
        return "Enter a number" + (f" (in {q.unit})." if q.unit else ".")
    if isinstance(q, ShortText):
        return "Type a word or short phrase."
    if isinstance(q, Matching):
        return "Match each item on the left to one choice (a choice may be left over)."
    if isinstance(q, Ordering):
        return "Put these in order, first to last."
    return ""


def _letters(n: int) -> list[str]:
    return [chr(ord("a") + i) for i in range(n)]


def _question_html(n: int, q: Question, shuffle: bool, seed: int, key: bool, objectives: Mapping[str, str]) -> str:
    parts = [f'<li class="tmv-question tmv-type-{q.type}" id="tmv-q-{q.id}">']
    parts.append(f'<div class="tmv-prompt">{markdown_to_html(q.prompt)}</div>')
    parts.append(f'<p class="tmv-instruction"><em>{_instruction(q)}</em></p>')
    options = display_options(q, shuffle, seed)
    if isinstance(q, (SingleChoice, MultipleSelect, TrueFalse)):
        mark = "☐" if isinstance(q, MultipleSelect) else "○"
        parts.append('<ul class="tmv-options" style="list-style: none">')
        parts += [f"<li>{mark} {inline_html(o)}</li>" for o in options]
        parts.append("</ul>")
    elif isinstance(q, (Numeric, ShortText)):
        unit = f" {html.escape(q.unit)}" if isinstance(q, Numeric) and q.unit else ""
        parts.append(f'<p class="tmv-blank">Answer: {_BLANK}{unit}</p>')
    elif isinstance(q, Matching):
        rows = "".join(f"<tr><td>{inline_html(left)}</td><td>{_BLANK}</td></tr>" for left in q.lefts)
        parts.append(f'<table class="tmv-matching"><thead><tr><th>Item</th><th>Choice</th></tr></thead><tbody>{rows}</tbody></table>')
        choices = "".join(f"<li>({c}) {inline_html(o)}</li>" for c, o in zip(_letters(len(options)), options))
        parts.append(f'<p>Choices:</p><ul class="tmv-choices" style="list-style: none">{choices}</ul>')
    elif isinstance(q, Ordering):
        items = "".join(f"<li>({c}) {inline_html(o)}</li>" for c, o in zip(_letters(len(options)), options))
        parts.append(f'<ul class="tmv-items" style="list-style: none">{items}</ul>')
        parts.append(f'<p class="tmv-blank">Order: {" ".join([_BLANK[:3]] * len(options))}</p>')
    if key:
        parts.append('<div class="tmv-key">')
        parts.append(f'<p><strong>Answer:</strong> {inline_html(q.answer_text())}</p>')
        parts.append(f'<p><strong>Explanation:</strong> {inline_html(q.explanation)}</p>')
        parts += _key_extras_html(q, objectives)
        parts.append("</div>")
    parts.append("</li>")
    return "\n".join(parts)


def _key_extras(q: Question, objectives: Mapping[str, str]) -> list[tuple[str, str]]:
    rows = []
    if q.source_text:
        rows.append(("Source", q.source_text))
    if q.objective:
        text = objectives.get(q.objective, "")
        rows.append(("Objective", f"{q.objective}: {text}" if text else q.objective))
    if q.difficulty:
        rows.append(("Difficulty", f"{q.difficulty} of 3"))
    if q.note:
        rows.append(("Note", q.note))
    return rows


def _key_extras_html(q: Question, objectives: Mapping[str, str]) -> list[str]:
    return [f"<p><strong>{label}:</strong> {inline_html(text)}</p>" for label, text in _key_extras(q, objectives)]


def _question_markdown(n: int, q: Question, shuffle: bool, seed: int, key: bool, objectives: Mapping[str, str]) -> str:
    lines = [f"**{n}.** {q.prompt.strip()}", "", f"*{_instruction(q)}*", ""]
    options = display_options(q, shuffle, seed)
    if isinstance(q, (SingleChoice, MultipleSelect, TrueFalse)):
        mark = "[ ]" if isinstance(q, MultipleSelect) else "( )"
        lines += [f"- {mark} {o}" for o in options]
    elif isinstance(q, (Numeric, ShortText)):
        unit = f" {q.unit}" if isinstance(q, Numeric) and q.unit else ""
        lines.append(f"Answer: {_BLANK}{unit}")
    elif isinstance(q, Matching):
        lines += [f"- {left} → {_BLANK}" for left in q.lefts]
        lines += ["", "Choices:", ""] + [f"- ({c}) {o}" for c, o in zip(_letters(len(options)), options)]
    elif isinstance(q, Ordering):
        lines += [f"- ({c}) {o}" for c, o in zip(_letters(len(options)), options)]
    if key:
        lines += ["", f"> **Answer:** {q.answer_text()}", ">", f"> **Explanation:** {q.explanation.strip()}"]
        for label, text in _key_extras(q, objectives):
            lines += [">", f"> **{label}:** {text.strip()}"]
    return "\n".join(lines)


def _render(title: str, questions: Sequence[Question], *, shuffle: bool, seed: int, key: bool,
            objectives: Mapping[str, str] | None = None) -> dict[str, str]:
    objectives = objectives or {}
    heading = f"Answer key: {title}" if key else title
    intro = (
        "Instructor's answer key, with explanations and sources."
        if key
        else f"{len(questions)} questions. Run this notebook in Jupyter to answer them "
        "interactively and get feedback; this static copy shows the questions only."
    )
    body = "\n".join(_question_html(i, q, shuffle, seed, key, objectives) for i, q in enumerate(questions, 1))
    css = "tmv-quiz-static tmv-quiz-key" if key else "tmv-quiz-static"
    html_text = (
        f'<div class="{css}">\n<h3>{html.escape(heading)}</h3>\n<p><em>{intro}</em></p>\n'
        f"<ol>\n{body}\n</ol>\n</div>"
    )
    md = "\n\n".join(
        [f"### {heading}", f"*{intro}*"]
        + [_question_markdown(i, q, shuffle, seed, key, objectives) for i, q in enumerate(questions, 1)]
    )
    return {"text/html": html_text, "text/markdown": md, "text/plain": md}


def render_student(title: str, questions: Sequence[Question], *, shuffle: bool = False, seed: int = 0) -> dict[str, str]:
    """The questions without answers, feedback or explanations."""
    return _render(title, questions, shuffle=shuffle, seed=seed, key=False)


def render_key(title: str, questions: Sequence[Question], objectives: Mapping[str, str] | None = None) -> dict[str, str]:
    """The instructor's key: every answer with its explanation, source and objective."""
    return _render(title, questions, shuffle=False, seed=0, key=True, objectives=objectives)

"""Static renderings of a quiz: the student version (no answers) and the key.

Each rendering is a mimebundle with ``text/html``, ``text/markdown`` and
``text/plain``, deterministic (no memory ids, no times) so nbval can compare it.
Prompts are Markdown; inline ``$math$`` is kept as written for MathJax.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tmvlearn.lessons import WIDGET_VIEW
from tmvlearn.quiz.markup import escape, inline_html, markdown_to_html
from tmvlearn.quiz.questions import Question

__all__ = ["display_options", "render_student", "render_key"]


def display_options(question: Question, shuffle: bool = False, seed: int = 0) -> list[str]:
    """What the learner picks from, in display order.

    Choice options keep the bank's order unless ``shuffle``; ordering items and
    matching choices are always shuffled (seeded by the question id), so their
    listed order never gives the answer away.
    """
    return question.display_options(shuffle, seed)


def _question_html(n: int, q: Question, shuffle: bool, seed: int, key: bool,
                   objectives: Mapping[str, str]) -> str:
    info, q = q.variant_info(), q.worked()  # fresh numbers: print the worked variant
    parts = [f'<li class="tmv-question tmv-type-{q.type}" id="tmv-q-{q.id}">']
    parts.append(f'<div class="tmv-prompt">{markdown_to_html(q.prompt)}</div>')
    if q.instruction_line():
        parts.append(f'<p class="tmv-instruction"><em>{escape(q.instruction_line())}</em></p>')
    parts += q.body_html(display_options(q, shuffle, seed))
    if info is not None and not key:
        parts.append(f'<p class="tmv-variant"><small>{escape(info.student_line())}</small></p>')
    if key:
        parts.append('<div class="tmv-key">')
        answer = q.key_text(display_options(q, shuffle, seed))
        parts.append(f'<p><strong>Answer:</strong> {inline_html(answer)}</p>')
        parts.append(f'<p><strong>Explanation:</strong> {inline_html(q.explanation)}</p>')
        parts += _key_extras_html(q, objectives, info)
        if q.solution:
            parts.append(f'<div class="tmv-solution"><p><strong>Worked solution:</strong></p>'
                         f"{markdown_to_html(q.solution)}</div>")
        parts.append("</div>")
    parts.append("</li>")
    return "\n".join(parts)


def _variant_rows(info) -> list[tuple[str, str]]:
    """The key's lines on a question whose numbers vary: its template, values, model."""
    if info is None:
        return []
    return [("Fresh numbers", f"each learner gets their own values ({info.ranges_text(steps=True)}); "
                              f"shown above: the worked variant, {info.worked_text()}"),
            ("Template", info.template),
            ("Model", f"{info.signature}: {info.description}")]


def _key_extras(q: Question, objectives: Mapping[str, str], info=None) -> list[tuple[str, str]]:
    rows = _variant_rows(info)
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


def _key_extras_html(q: Question, objectives: Mapping[str, str], info=None) -> list[str]:
    return [f"<p><strong>{label}:</strong> {inline_html(text)}</p>"
            for label, text in _key_extras(q, objectives, info)]


def _question_markdown(n: int, q: Question, shuffle: bool, seed: int, key: bool,
                       objectives: Mapping[str, str]) -> str:
    info, q = q.variant_info(), q.worked()
    lines = [f"**{n}.** {q.prompt.strip()}", ""]
    if q.instruction_line():
        lines += [f"*{q.instruction_line()}*", ""]
    lines += q.body_markdown(display_options(q, shuffle, seed))
    if info is not None and not key:
        lines += ["", f"*{info.student_line()}*"]
    if key:
        answer = q.key_text(display_options(q, shuffle, seed))
        lines += ["", f"> **Answer:** {answer}", ">", f"> **Explanation:** {q.explanation.strip()}"]
        for label, text in _key_extras(q, objectives, info):
            lines += [">", f"> **{label}:** {text.strip()}"]
        if q.solution:
            lines += [">", "> **Worked solution:**", ">"]
            lines += [f"> {line}".rstrip() for line in q.solution.splitlines()]
    return "\n".join(lines)


def _render(title: str, questions: Sequence[Question], *, shuffle: bool, seed: int, key: bool,
            objectives: Mapping[str, str] | None = None) -> dict[str, str]:
    objectives = objectives or {}
    heading = f"Answer key: {title}" if key else title
    order = (f" Options, choices and steps are in the order of the student sheet printed with SEED {seed}, "
             "lettered (a), (b)... from the top, as the sheet letters them." if shuffle else
             " Options are in the bank's order (matching choices and steps as the sheet shows them).")
    intro = (
        "Instructor's answer key, with explanations and sources." + order
        if key
        else f"{len(questions)} question{'' if len(questions) == 1 else 's'}. Run this notebook in Jupyter "
        f"to answer {'it' if len(questions) == 1 else 'them'} interactively and get feedback; this static "
        f"copy shows the question{'' if len(questions) == 1 else 's'} only."
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


def render_student(title: str, questions: Sequence[Question], *, shuffle: bool = False,
                   seed: int = 0) -> dict[str, str]:
    """The questions without answers, feedback or explanations."""
    return _render(title, questions, shuffle=shuffle, seed=seed, key=False)


def render_key(title: str, questions: Sequence[Question],
               objectives: Mapping[str, str] | None = None, *, shuffle: bool = True,
               seed: int = 0) -> dict[str, str]:
    """The instructor's key: every answer with its explanation, source and objective, for marking the
    student sheet printed with the same ``shuffle`` and ``seed`` (a lesson's SEED): options, choices
    and steps in that sheet's order, answers by its letters."""
    return _render(title, questions, shuffle=shuffle, seed=seed, key=True, objectives=objectives)


def with_widget_view(static: Mapping[str, Any], make_widget: Callable[[], Any]) -> dict[str, Any]:
    """``static`` (what a printed copy or a headless run shows) plus the live widget's view from
    ``make_widget()``; without ipywidgets the static rendering alone still reads."""
    bundle = dict(static)
    try:
        view = make_widget()._repr_mimebundle_()
    except ImportError:
        return bundle
    if view and WIDGET_VIEW in view:
        bundle[WIDGET_VIEW] = view[WIDGET_VIEW]
    return bundle


"""The class-results report: one self-contained HTML page that reads offline.

Figures are PNG data URIs with alt text; there is no script, and a Content-Security-Policy
forbids loading anything but inline images and styles. Every text that came from learners' files
or the banks is escaped (:func:`tmvlearn.quiz.markup.escape`), or, for a question's Markdown
prompt, rendered and sanitised by :func:`tmvlearn.quiz.markup.markdown_to_html`.
"""

from __future__ import annotations

import base64
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from tmvlearn.quiz.markup import escape, markdown_to_html
from tmvlearn.results import analysis as an
from tmvlearn.results import objectives as mastery

__all__ = ["html_report", "score_figure", "scatter_figure", "numbered_flags", "options_figure",
           "MAX_OPTION_FIGURES"]

MAX_OPTION_FIGURES = 12
#: Flagged questions are shown most urgent first: a wrong key, then options nobody takes, then the rest.
PRIORITY = (
    "negative discrimination: check the key",
    "non-functioning distractor",
    "too hard",
    "too easy",
    "low discrimination",
)
SIMULATED = "SIMULATED class (seeded; not real learners)"


def _plain(text: str, limit: int = 60) -> str:
    """Text for a figure: one line, shortened, with no mathtext (a ``$`` is shown as it is)."""
    text = " ".join(str(text).split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("$", r"\$")


def _wrapped(text: str, width: int = 42, lines: int = 3) -> str:
    """Text for a figure's tick label: wrapped over up to ``lines`` lines (… only past them). Lines
    break at spaces outside quotes and, in a long code chain, before a ``.method`` (so
    ``str.split("; ")`` is never cut inside its quotes)."""
    text = " ".join(str(text).split())
    pieces = re.findall(r'(?:"[^"]*"|\'[^\']*\'|[^\s"\'])+?(?=\s|$|(?<=[)\]])\.)|"[^"]*"|\'[^\']*\'|\S', text)
    # pieces: runs that may not be cut; a run that ends before ".x" after ")" or "]" is joined with no space
    out: list[str] = []
    line, pos = "", 0
    for piece in pieces:
        at = text.index(piece, pos)
        glue = " " if at > pos else ""
        pos = at + len(piece)
        if line and len(line) + len(glue) + len(piece) > width:
            out.append(line)
            line = piece
        else:
            line += glue + piece if line else piece
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(0, width - 2)].rstrip() + " …"
    return "\n".join(out).replace("$", r"\$")


def _png(fig) -> str:
    from tmvlearn.plots import figure_png

    return "data:image/png;base64," + base64.b64encode(figure_png(fig)).decode("ascii")


def _img(fig, alt: str) -> str:
    from tmvlearn.plots import css_size

    return f'<img src="{_png(fig)}" alt="{escape(alt)}" width="{css_size(fig)[0]}">'


def score_figure(book: pd.DataFrame, simulated: bool = False):
    """Histograms of learners' first-attempt scores, one panel per lesson; and its alt text."""
    from tmvlearn.plots import OKABE_ITO, new_figure

    started = book[book["answered"] > 0]
    lessons = list(dict.fromkeys(book["lesson"]))
    cols = min(4, max(1, len(lessons)))
    rows = max(1, math.ceil(len(lessons) / cols))
    fig, axes = new_figure(rows, cols, sharex=True, sharey=True)
    axes = np.asarray(axes).reshape(rows, cols)
    fig.set_size_inches(8.0, 1.9 * rows + 0.6)
    bins = np.linspace(0, 1, 11)
    medians = []
    for ax, lesson in zip(axes.flat, lessons, strict=False):
        scores = started.loc[started["lesson"] == lesson, "first_score"].dropna().to_numpy()
        ax.hist(scores, bins=bins, color=OKABE_ITO["blue"], edgecolor="white")
        med = float(np.median(scores)) if len(scores) else float("nan")
        medians.append(f"{lesson} median {med:.0%} (n={len(scores)})" if len(scores) else f"{lesson}: none")
        if len(scores):
            ax.axvline(med, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1.2)
        ax.set_title(_plain(lesson, 28), fontsize=8)
    for ax in axes.flat[len(lessons) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("first-attempt score")
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    for ax in axes[:, 0]:
        ax.set_ylabel("learners")
    fig.suptitle(
        ("Simulated class: " if simulated else "") + "first-attempt score per lesson (dashed line: median)",
        fontsize=10,
        fontweight="bold",
    )
    alt = (
        "Histograms of each learner's first-attempt score, one panel per lesson, for the learners who "
        "started it" + (" (simulated class)" if simulated else "") + ": " + "; ".join(medians) + "."
    )
    return fig, alt


def numbered_flags(items: pd.DataFrame) -> pd.DataFrame:
    """The flagged rows of :func:`tmvlearn.results.analysis.items_table` that the scatter shows,
    lowest discrimination first, indexed 1..n as the figure numbers them."""
    data = items.dropna(subset=["difficulty", "discrimination"])
    out = data[data["flags"].str.len() > 0].sort_values("discrimination", kind="stable")
    return out.set_axis(pd.RangeIndex(1, len(out) + 1, name="no."))


def scatter_figure(items: pd.DataFrame, simulated: bool = False):
    """Difficulty against discrimination, one point per question, flagged questions labelled."""
    from tmvlearn.plots import OKABE_ITO, new_figure

    fig, ax = new_figure()
    data = items.dropna(subset=["difficulty", "discrimination"])
    flagged = data["flags"].str.len() > 0
    ax.axvspan(0, an.HARD, color="#f2f2f2", zorder=0)
    ax.axvspan(an.EASY, 1.0, color="#f2f2f2", zorder=0)
    ax.axhspan(-1, an.LOW_DISC, color="#f7f7f7", zorder=0)
    ax.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
    ax.axhline(an.LOW_DISC, color=OKABE_ITO["black"], linewidth=0.8, linestyle=":")
    for x in (an.HARD, an.EASY):
        ax.axvline(x, color=OKABE_ITO["black"], linewidth=0.8, linestyle=":")
    ax.scatter(
        data.loc[~flagged, "difficulty"],
        data.loc[~flagged, "discrimination"],
        s=18,
        color=OKABE_ITO["blue"],
        marker="o",
        label="no flag",
    )
    ax.scatter(
        data.loc[flagged, "difficulty"],
        data.loc[flagged, "discrimination"],
        s=30,
        color=OKABE_ITO["vermillion"],
        marker="^",
        label="flagged",
    )
    worst = numbered_flags(items)
    offsets = [(9, 7), (9, -12), (-15, 7), (-15, -12)]  # off the point, joined to it by a short line
    for number, row in enumerate(worst.itertuples(), start=1):  # numbers: short labels collide less
        ax.annotate(
            str(number),
            (row.difficulty, row.discrimination),
            fontsize=7,
            fontweight="bold",
            xytext=offsets[number % 4],
            textcoords="offset points",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
            arrowprops={"arrowstyle": "-", "lw": 0.6, "color": "0.3", "shrinkA": 0, "shrinkB": 2},
        )
    low = min(-0.2, float(data["discrimination"].min()) - 0.05) if len(data) else -0.2
    ax.set_xlim(0, 1)
    ax.set_ylim(low, 1)
    ax.set_xlabel("difficulty p (mean first-attempt score; 1 = everyone right)")
    ax.set_ylabel("discrimination r (corrected item-total)")
    ax.set_title(("Simulated class: " if simulated else "") + "questions by difficulty and discrimination")
    ax.legend(loc="upper left")
    named = ", ".join(
        f"{n} {r.question_id} (p={r.difficulty:.3f}, r={r.discrimination:.3f})"
        for n, r in enumerate(worst.itertuples(), start=1)
    )
    alt = (
        f"Scatter plot of {len(data)} questions, difficulty from 0 to 1 across, discrimination up the "
        f"side, the areas outside the thresholds shaded; {int(flagged.sum())} are flagged and numbered"
        + (f": {named}" if named else "")
        + "."
    )
    fig.labelled = [(n, r.question_id, r.flags) for n, r in enumerate(worst.itertuples(), start=1)]
    return fig, alt


def options_figure(item: dict[str, Any], simulated: bool = False):
    """Bars: the share choosing each option of one choice question, the key marked."""
    from tmvlearn.plots import OKABE_ITO, new_figure

    options = list(item["options"])
    shares = [item["options"][o] or 0.0 for o in options]
    keyed = set(item.get("key") or [])
    labels = [_wrapped(("KEY: " if o in keyed else "") + o) for o in options]  # the full text: the table
    fig, ax = new_figure()
    fig.set_size_inches(8.0, sum(0.25 + 0.16 * label.count("\n") for label in labels) + 1.3)
    colours = [OKABE_ITO["bluish_green"] if o in keyed else OKABE_ITO["sky_blue"] for o in options]
    bars = ax.barh(
        range(len(options)),
        shares,
        color=colours,
        hatch=["//" if o in keyed else "" for o in options],
        edgecolor="black",
        linewidth=0.5,
    )
    ax.set_yticks(range(len(options)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(an.RARE, color=OKABE_ITO["black"], linestyle=":", linewidth=0.8)
    for bar, share in zip(bars, shares, strict=True):
        ax.text(
            bar.get_width() + 0.01, bar.get_y() + bar.get_height() / 2, _pct(share), va="center", fontsize=7
        )
    ax.set_xlim(0, 1.08)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("share choosing the option on the first attempt (dotted: 5%)")
    ax.set_title(_plain(("Simulated class: " if simulated else "") + item["question_id"], 70))
    alt = (
        f"Bar chart of the options of question {item['question_id']}: "
        + "; ".join(
            f"{'the key ' if o in keyed else ''}{' '.join(o.split())} {_pct(s)}"
            for o, s in zip(options, shares, strict=True)
        )
        + "."
    )
    return fig, alt


CSS = """
body { font-family: system-ui, "DejaVu Sans", sans-serif; max-width: 62rem; margin: 1.5rem auto;
       padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
.banner { background: #fff3cd; border: 2px solid #b58100; padding: .5rem .8rem; font-weight: bold; }
table { border-collapse: collapse; font-size: .85rem; margin: .6rem 0; }
th, td { border: 1px solid #ccc; padding: .2rem .45rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.flagged td { background: #fdeee6; }
.flag { color: #8a2c00; font-weight: 600; }
img { max-width: 100%; height: auto; display: block; margin: .5rem 0; }
.question { border: 1px solid #ddd; padding: .5rem 1rem; margin: 1rem 0; border-radius: 4px; }
.prompt { background: #fafafa; padding: .2rem .6rem; }
.small { font-size: .85rem; color: #444; }
code { font-size: .9em; } td code { white-space: nowrap; }
"""


def _pct(value) -> str:
    """A share as a percentage; one decimal below 10% so that 4.6% is not shown as 5%."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.1%}" if value < 0.1 else f"{value:.0%}"


def _num(value, fmt: str = "{:.2f}") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = fmt.format(value + 0.0)
    return text[1:] if text.startswith("-") and not set(text) & set("123456789") else text  # no "-0.000"


def _planted(attrs: dict[str, Any]) -> str:
    """The simulated class's planted problems, each question named and linked to its section (HTML)."""
    bad, unused = attrs.get("miskeyed"), attrs.get("unpicked")

    def named(info: dict[str, Any]) -> str:
        qid = escape(info["question_id"])
        return f'question <a href="#flag-{qid}"><code>{qid}</code></a> ({escape(info["lesson"])})'

    text = []
    if bad:
        text.append(
            f"Planted: {named(bad)} is simulated as if its key were wrong (the able learners choose "
            "another option; the bank's key is in fact right)"
        )
    if unused:
        text.append(f"{named(unused)} has a distractor nobody picks")
    if not text:
        return "Some questions are simulated as if their key were wrong, or with a distractor nobody picks."
    return "; ".join(text) + "."


def _table(
    header: list[str],
    rows: list[list[str]],
    classes: list[str] | None = None,
    numeric: set[int] | None = None,
) -> str:
    numeric = numeric or set()
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if classes and classes[i] else ""
        cells = "".join(
            f'<td class="num">{c}</td>' if j in numeric else f"<td>{c}</td>" for j, c in enumerate(row)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def exercises_section(book: pd.DataFrame) -> str:
    """The code exercises per lesson (learners who checked, passed all, solutions shown) and per
    learner (passed/of in each lesson): completion, kept apart from every score."""
    from tmvlearn.results.exercise_book import EXERCISES_RULE

    out = ['<section id="exercises"><h2>Code exercises</h2>',
           f'<p class="small">{escape(EXERCISES_RULE[0].upper() + EXERCISES_RULE[1:])}.</p>']
    if "exercises_checked" not in book:
        return "".join(out + ["<p>No exercise checks.</p></section>"])
    active = book[(book["exercises_checked"] + book["solutions_revealed"]) > 0]
    lessons = [lesson for lesson in dict.fromkeys(book["lesson"]) if lesson in set(active["lesson"])]
    if not lessons:
        return "".join(out + ["<p>No one has checked a code exercise yet.</p></section>"])
    rows = []
    for lesson in lessons:
        part = book[book["lesson"] == lesson]
        total = int(part["exercises_total"].iloc[0])
        rows.append([escape(lesson), str(total), str(int((part["exercises_checked"] > 0).sum())),
                     str(int(((part["exercises_passed"] == total) & (total > 0)).sum())),
                     str(int((part["solutions_revealed"] > 0).sum()))])
    out.append(_table(["lesson", "exercises", "learners who checked any", "learners who passed all",
                       "learners who revealed a solution"], rows, numeric={1, 2, 3, 4}))
    grid = []
    for learner, part in book[book["lesson"].isin(lessons)].groupby("learner", sort=False):
        cells = {r.lesson: ("–" if r.exercises_checked == 0 and r.solutions_revealed == 0 else
                            f"{r.exercises_passed}/{r.exercises_total}"
                            + (f" ({r.solutions_revealed} shown)" if r.solutions_revealed else ""))
                 for r in part.itertuples()}
        grid.append([escape(str(learner))] + [cells.get(lesson, "–") for lesson in lessons])
    out.append(f"<details><summary>Per learner: exercises passed/of in each lesson ({len(grid)} "
               "learners)</summary>")
    out.append(_table(["learner", *lessons], grid, numeric=set(range(1, len(lessons) + 1))))
    out.append("</details></section>")
    return "".join(out)


def html_report(
    frame: pd.DataFrame,
    *,
    book: pd.DataFrame | None = None,
    items: dict[str, Any] | None = None,
    banks: dict[str, Any] | None = None,
    simulated: bool | None = None,
    title: str = "Class results",
    objectives: dict[str, Any] | None = None,
) -> str:
    """The report page for the attempts ``frame`` (as :func:`tmvlearn.results.collect` returns them).

    ``objectives``: mastery per objective (:func:`tmvlearn.results.objectives.class_mastery`), shown in
    a section of its own when given."""
    if simulated is None:
        simulated = bool(frame.attrs.get("simulated"))
    if banks is None:
        banks = an.question_banks(map(str, frame["lesson"].unique()))
    if book is None:
        book = an.gradebook(frame, banks)
    if items is None:
        items = an.item_analysis(frame, banks)
    table = an.items_table(items)
    late = an.behind(book) if len(book) else pd.DataFrame(columns=["learner", "answered", "total", "status"])
    learners = book["learner"].nunique()
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        "style-src 'unsafe-inline'\">",
        f"<title>{escape(('Simulated ' if simulated else '') + title)}</title>",
        f"<style>{CSS}{mastery.CSS if objectives is not None else ''}</style></head><body>",
        f"<header><h1>{escape(title)}</h1>",
    ]
    if simulated:
        parts.append(f'<p class="banner">{SIMULATED}: every figure and name on this page is simulated, '
                     f"generated from the shipped question banks with a 2PL item-response model. "
                     f"{_planted(frame.attrs)}</p>")
    cards = an.flashcard_activity(frame)
    parts.append(
        f"<p>{learners} learners, {len(frame)} attempts in {book['lesson'].nunique()} lessons. "
        f"Figures use first attempts: {escape(an.FIRST_ATTEMPT)}."
        + (
            f" {int(cards.sum())} flashcard self-ratings by {int((cards > 0).sum())} learners are "
            "not quiz answers and are left out."
            if cards.any()
            else ""
        )
        + "</p>"
    )
    parts.append(
        '<nav><a href="#scores">Scores</a> · <a href="#exercises">Code exercises</a> · '
        '<a href="#items">Questions</a> · '
        '<a href="#flagged">Flagged questions</a> · <a href="#behind">Not started or behind</a> · '
        + ('<a href="#objectives">Mastery per objective</a> · ' if objectives is not None else "")
        + '<a href="#method">How it is computed</a></nav></header><main>'
    )

    # scores per lesson
    parts.append('<section id="scores"><h2>Scores per lesson</h2>')
    if len(book):
        fig, alt = score_figure(book, simulated)
        parts.append(_img(fig, alt))
        rows = []
        for lesson, info in items["lessons"].items():
            part = book[(book["lesson"] == lesson) & (book["answered"] > 0)]
            rows.append(
                [
                    escape(lesson),
                    str(info["n_learners"]),
                    _num(part["first_score"].median(), "{:.0%}"),
                    _num(part["best_score"].median(), "{:.0%}"),
                    escape(info["alpha_kind"]),
                    _num(info["alpha"])
                    if info["alpha"] is not None
                    else f'– <span class="small">({escape(info.get("alpha_note") or "not computed")})</span>',
                    str(info["n_complete"]),
                ]
            )
        parts.append(
            _table(
                [
                    "lesson",
                    "learners",
                    "median first-attempt score",
                    "median best score",
                    "reliability",
                    "alpha",
                    "learners in alpha (answered all)",
                ],
                rows,
                numeric={1, 2, 3, 5, 6},
            )
        )
    else:
        parts.append("<p>No attempts yet.</p>")
    parts.append("</section>")

    parts.append(exercises_section(book))

    # questions
    parts.append('<section id="items"><h2>Questions</h2>')
    parts.append(
        "<p>Flags and their thresholds (flags are given only when at least "
        f"{an.MIN_LEARNERS} learners answered the question):</p><ul>"
        + "".join(
            f'<li><span class="flag">{escape(k)}</span>: {escape(v)}</li>' for k, v in an.THRESHOLDS.items()
        )
        + "</ul>"
    )
    if len(table.dropna(subset=["difficulty", "discrimination"])):
        fig, alt = scatter_figure(table, simulated)
        parts.append(_img(fig, alt))
        if fig.labelled:
            parts.append(
                '<p class="small">Numbered in the figure, lowest discrimination first:</p><ol class="small">'
                + "".join(f"<li><code>{escape(q)}</code>: {escape(f)}</li>" for _, q, f in fig.labelled)
                + "</ol>"
            )
    rows, classes = [], []
    for r in table.itertuples():
        rows.append(
            [
                escape(r.lesson),
                f"<code>{escape(r.question_id)}</code>",
                escape(r.type or "–"),
                str(r.n),
                _num(r.difficulty, "{:.3f}"),
                _num(r.discrimination, "{:.3f}"),
                _num(r.upper_lower, "{:.3f}"),
                _num(r.alpha_if_deleted, "{:.3f}"),
                f'<span class="small">{escape(r.top_answers)}</span>',
                f'<span class="flag">{escape(r.flags)}</span>' if r.flags else "",
            ]
        )
        classes.append("flagged" if r.flags and r.flags != "too few learners" else "")
    parts.append(
        _table(
            ["lesson", "question", "type", "n", "p", "r", "D (27%)", "alpha if deleted",
             "most common answers (share, scored)", "flags"],
            rows,
            classes,
            numeric={3, 4, 5, 6, 7},
        )
    )
    parts.append("</section>")

    # flagged choice questions
    parts.append('<section id="flagged"><h2>Flagged questions: what the learners chose</h2>')
    parts.append(
        f'<p class="small">Most urgent first (a key to check, then options nobody takes, then '
        f"difficulty and discrimination); bars for the first {MAX_OPTION_FIGURES} choice questions, "
        "tables for all.</p>"
    )
    flagged = [
        (lesson, item)
        for lesson, info in items["lessons"].items()
        for item in info["items"]
        if item["flags"] and item["flags"] != ["too few learners"]
    ]
    flagged.sort(
        key=lambda pair: min(
            next((k for k, p in enumerate(PRIORITY) if f.startswith(p)), len(PRIORITY))
            for f in pair[1]["flags"]
        )
    )
    if not flagged:
        parts.append("<p>No question is flagged.</p>")
    shown = 0
    for lesson, item in flagged:
        bank = banks.get(lesson)
        question = bank[item["question_id"]] if bank is not None else None
        parts.append(
            f'<div class="question" id="flag-{escape(item["question_id"])}">'
            f'<h3><code>{escape(item["question_id"])}</code> '
            f'<span class="small">({escape(lesson)}, {escape(item["type"] or "")})</span></h3>'
        )
        parts.append(
            "<p>" + ", ".join(f'<span class="flag">{escape(f)}</span>' for f in item["flags"]) + "</p>"
        )
        if question is not None:
            parts.append(f'<div class="prompt">{markdown_to_html(question.prompt)}</div>')
            parts.append(f"<p><strong>Keyed answer:</strong> {escape(question.answer_text())}</p>")
        if item.get("options"):
            if shown < MAX_OPTION_FIGURES:
                fig, alt = options_figure(item, simulated)
                parts.append(_img(fig, alt))
                shown += 1
            keyed = set(item.get("key") or [])
            rows = [
                [
                    escape(o) + (" <strong>(key)</strong>" if o in keyed else ""),
                    _pct(s),
                    _num(item["option_discrimination"].get(o), "{:.3f}"),
                ]
                for o, s in item["options"].items()
            ]
            rows += [
                [escape(t) + " <em>(not an option in the bank)</em>", _pct(s), "–"]
                for t, s in (item.get("unlisted_responses") or {}).items()
            ]
            parts.append(_table(["option", "chosen by", "option's discrimination r"], rows, numeric={1, 2}))
        parts.append("</div>")
    parts.append("</section>")

    # not started or behind
    parts.append('<section id="behind"><h2>Not started or behind</h2>')
    if len(late):
        parts.append(f"<p>{escape(late.attrs.get('rule', ''))}.</p>")
        parts.append(
            _table(
                ["learner", "status", "questions answered", "of"],
                [
                    [escape(r.learner), escape(r.status), str(r.answered), str(r.total)]
                    for r in late.itertuples()
                ],
                numeric={2, 3},
            )
        )
    else:
        parts.append("<p>Everyone has started and no one is behind.</p>")
    parts.append("</section>")

    if objectives is not None:
        parts.append(mastery.html_section(objectives, simulated))

    parts.append(
        '<section id="method"><h2>How it is computed</h2><ul class="small">'
        "<li>Difficulty p: the mean first-attempt score (the proportion right for questions scored 0 or 1; "
        "the mean score for partial-credit types).</li>"
        "<li>Discrimination r: Pearson's correlation between the question's score and the learner's "
        "rest score, the mean first-attempt score on the other questions of the lesson's quiz that the "
        "learner answered (questions not answered are left out).</li>"
        "<li>D (27%): mean score of the top 27% of learners by rest score minus that of the bottom "
        "27%. Learners with the same rest score are ranked by their lower-cased name, so with many ties "
        "D can move by a few hundredths with who falls at the 27% line; read it with r.</li>"
        "<li>Alpha: Cronbach's alpha, k/(k-1) (1 - sum of item variances / variance of the total), over "
        "the learners who answered every question of the quiz; KR-20 when all items score 0 or 1. "
        "Alpha if deleted: the same without the question. Reading alpha: roughly, 0.7 or more is "
        "usual for a test whose total is used to grade, 0.5 to 0.7 is acceptable for a short formative "
        "quiz, under 0.5 says the total mixes unrelated things; alpha grows with the number of "
        "questions and needs many learners to be stable (with 3 to 10 learners it can swing by 0.2 or "
        "more), and it is not computed below 2 questions or 3 learners who answered all of them.</li>"
        "<li>Most common answers: each question's first responses, normalised (a number as read, a "
        "text in lower case with its spaces collapsed, a pairing, an order, the options chosen), with "
        "the share of learners who gave each and how it scored (right, partly, wrong).</li>"
        "<li>Option shares: the share of learners whose first response chose the option; an option's "
        "discrimination is the correlation between choosing it and the rest score (the key should be "
        "positive, distractors negative).</li></ul></section>"
    )
    parts.append(
        f'</main><footer class="small"><p>{"SIMULATED data. " if simulated else ""}Made by tmvlearn '
        "results; see docs/class-results.md.</p></footer></body></html>\n"
    )
    return "\n".join(parts)

"""Mastery per learning objective for a class: how many learners are at each status, and who.

The same rule, computed by the same functions, as a learner's own ``tmvlearn progress --objectives``
(:mod:`tmvlearn.quiz.objective_mastery`): each learner's review states are computed from their
collected attempts with :func:`tmvlearn.scheduler.compute_states`, and ``now`` (the time of the
report) decides which questions are due. Every learner of the gradebook counts, also those with no
attempt (all "not started"); every objective of every shipped lesson bank is listed.

:func:`class_mastery` returns (and ``tmvlearn results --objectives --json FILE`` writes, under the
key ``"objectives"``)::

    {"rule": "...", "now": "2026-12-07T14:00:00+00:00", "learners": 120,
     "objectives": [{"lesson", "objective", "text", "not_started", "learning", "secure",
                     "learners"}, ...],            # lessons in order, objectives O1, O2, ... O10
     "table": {"learner name": {"01_biogenesis O3": "learning", ...}, ...}}

where ``learners`` in each row is ``not_started + learning + secure``.
:func:`html_section` is the report's section: the counts, then a learner-by-objective table whose
cells show a symbol (and, for screen readers, the word) on a colour, with a legend and the rule.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pandas as pd

from tmvlearn.lessons import QUIZ_MODES
from tmvlearn.quiz.markup import escape
from tmvlearn.quiz.objective_mastery import (
    LEARNING,
    NOT_STARTED,
    RULE,
    SECURE,
    STATUSES,
    STYLE,
    badge,
    lesson_banks,
    objective_rows,
    standings,
)

__all__ = ["class_mastery", "format_counts", "html_section", "sample_now"]

KEYS = {NOT_STARTED: "not_started", LEARNING: "learning", SECURE: "secure"}


def sample_now(frame: pd.DataFrame) -> datetime:
    """The simulated class's "now": just after its last attempt (the class is simulated in January
    2026; at today's date every question would be due)."""
    return frame["time"].max().to_pydatetime() + pd.Timedelta(minutes=1).to_pytimedelta()


def class_mastery(frame: pd.DataFrame, *, now: datetime | None = None,
                  banks: dict[str, Any] | None = None) -> dict[str, Any]:
    """Per objective of every lesson bank, how many learners of ``frame`` (attempts as
    :func:`tmvlearn.results.collect` returns them) are at each status; and each learner's status
    (see the module docstring for the structure). ``now``: default the current UTC time."""
    from tmvlearn.results.analysis import roster

    when = now or datetime.now(timezone.utc)
    when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    banks = banks if banks is not None else lesson_banks()
    ids = {q.id for bank in banks.values() for q in bank.questions}
    counted = frame[(frame["kind"] == "answer").to_numpy() & frame["mode"].isin(QUIZ_MODES).to_numpy()
                    & frame["question_id"].isin(ids).to_numpy()]
    columns = ["learner", "lesson", "question_id", "time", "score", "correct", "kind", "mode"]
    found = standings(counted[columns].to_dict("records"), ids)
    per_learner: dict[str, dict] = {}
    for (learner, qid), standing in found.items():
        per_learner.setdefault(learner, {})[qid] = standing
    learners = roster(frame)
    table: dict[str, dict[str, str]] = {}
    rows: list[dict[str, Any]] = []
    for learner in learners:
        mine = objective_rows(banks, per_learner.get(learner, {}), when)
        table[learner] = {f"{r['lesson']} {r['objective']}": r["status"] for r in mine}
        if not rows:
            rows = [{"lesson": r["lesson"], "objective": r["objective"], "text": r["text"],
                     **dict.fromkeys(KEYS.values(), 0), "learners": 0} for r in mine]
        for out, r in zip(rows, mine, strict=True):
            out[KEYS[r["status"]]] += 1
            out["learners"] += 1
    if not learners:
        rows = [{"lesson": r["lesson"], "objective": r["objective"], "text": r["text"],
                 **dict.fromkeys(KEYS.values(), 0), "learners": 0} for r in objective_rows(banks, {}, when)]
    return {"rule": RULE, "now": when.isoformat(timespec="seconds"), "learners": len(learners),
            "objectives": rows, "table": table}


def format_counts(result: dict[str, Any], width: int = 110) -> str:
    """The per-objective counts as ``tmvlearn results --objectives`` prints them, with the rule."""
    import textwrap

    lines = [f"Mastery per objective, {result['learners']} learners, as of "
             f"{result['now'].replace('T', ' ')[:16]} UTC (learners at each status):",
             textwrap.fill("Rule: " + result["rule"], width)]
    rows = result["objectives"]
    head = f"{'lesson':<7}{'obj':<5}{'secure':>7}{'learning':>9}{'not started':>12}  "
    room = max(20, width - len(head))
    lines.append(head + "objective (the learner can ...)")
    for r in rows:
        lesson = r["lesson"][:2] if r["lesson"][:2].isdigit() else r["lesson"]
        text = " ".join(r["text"].split())
        text = text if len(text) <= room else text[: room - 1].rstrip() + "…"
        counts = f"{r['secure']:>7}{r['learning']:>9}{r['not_started']:>12}"
        lines.append(f"{lesson:<7}{r['objective']:<5}{counts}  {text}")
    lessons = ", ".join(f"{s[:2]} = {s}" for s in dict.fromkeys(r["lesson"] for r in rows) if s[:2].isdigit())
    return "\n".join(lines + ([f"lessons: {lessons}"] if lessons else []))


CSS = """
.mastery-grid { font-size: .8rem; } .mastery-grid td { text-align: center; padding: .1rem .25rem; }
.mastery-grid th.learner { text-align: left; white-space: nowrap; font-weight: normal; }
.mastery-grid tr > :first-child { position: sticky; left: 0; background: #f4f4f4; }  /* names stay in view */
.mastery-grid thead th { text-align: center; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
      white-space: nowrap; }
.legend span.tmv-status { margin-right: .8rem; } .scroll { overflow-x: auto; }
"""


def _cell(status: str) -> str:
    symbol, background, colour = STYLE[status]
    return (f'<td class="st-{status.replace(" ", "-")}" style="background:{background};color:{colour}">'
            f'<span aria-hidden="true">{symbol}</span><span class="sr">{escape(status)}</span></td>')


def html_section(result: dict[str, Any], simulated: bool = False) -> str:
    """The report's "Mastery per objective" section (HTML; every learner's name escaped); its styles
    are :data:`CSS`, for the page's head."""
    rows = result["objectives"]
    legend = " ".join(badge(s) for s in STATUSES)
    parts = ['<section id="objectives"><h2>Mastery per objective</h2>',
             f'<p>{result["learners"]} learners{" (simulated)" if simulated else ""}, as of '
             f'{escape(result["now"].replace("T", " ")[:16])} UTC. <strong>Rule:</strong> '
             f"{escape(result['rule'])}</p>",
             f'<p class="legend">Legend: {legend}</p>']
    head = ("<thead><tr><th scope=\"col\">lesson</th><th scope=\"col\">objective</th>"
            "<th scope=\"col\">secure</th><th scope=\"col\">learning</th><th scope=\"col\">not started</th>"
            "<th scope=\"col\">the learner can ...</th></tr></thead>")
    body = "".join(
        f"<tr><td>{escape(r['lesson'])}</td><td>{escape(r['objective'])}</td>"
        f'<td class="num">{r["secure"]}</td><td class="num">{r["learning"]}</td>'
        f'<td class="num">{r["not_started"]}</td><td class="small">{escape(r["text"])}</td></tr>'
        for r in rows)
    parts.append(f"<h3>Learners at each status</h3><table>{head}<tbody>{body}</tbody></table>")
    lessons: dict[str, list[str]] = {}
    for r in rows:
        lessons.setdefault(r["lesson"], []).append(r["objective"])
    top = "".join(f'<th scope="colgroup" colspan="{len(objs)}">{escape(lesson[:2])}</th>'
                  for lesson, objs in lessons.items())
    second = "".join(f'<th scope="col" title="{escape(lesson)} {escape(o)}">{escape(o)}</th>'
                     for lesson, objs in lessons.items() for o in objs)
    grid = []
    for learner, statuses in result["table"].items():
        cells = "".join(_cell(statuses[f"{lesson} {o}"]) for lesson, objs in lessons.items() for o in objs)
        grid.append(f'<tr><th scope="row" class="learner">{escape(learner)}</th>{cells}</tr>')
    names = ", ".join(f"{escape(lesson[:2])} = {escape(lesson)}" for lesson in lessons)
    parts.append(
        "<h3>Each learner, objective by objective</h3>"
        f'<p class="small">Columns: objectives grouped by lesson ({names}); each cell shows a symbol for '
        f"the status (○ not started, ◐ learning, ● secure) on its colour. {legend}</p>"
        f'<div class="scroll"><table class="mastery-grid"><thead><tr><td></td>{top}</tr>'
        f'<tr><th scope="col">learner</th>'
        f"{second}</tr></thead><tbody>{''.join(grid)}</tbody></table></div></section>")
    return "\n".join(parts)

"""``tmvlearn progress``: a learner's quiz progress, and its export as CSV or JSON.

It only reads: the progress database is opened read-only (so it works on a read-only file or
folder, and never creates, migrates or repairs anything), and the first line says where it read.
"""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    prog = subparsers.add_parser("progress", help="show a learner's quiz and exercise progress and export it",
                                 description="Summarise the quiz attempts kept in the progress database "
                                 "($TMVLEARN_HOME or the user data folder), per lesson. Reads only.")
    prog.add_argument("--learner", help="whose progress (default: $TMVLEARN_LEARNER or your user name)")
    prog.add_argument("--all", action="store_true", dest="all_learners",
                      help="every learner in the database")
    prog.add_argument("--objectives", action="store_true",
                      help="show mastery per learning objective (not started, learning, secure) instead")
    prog.add_argument("--csv", metavar="FILE", help="write every attempt to FILE as CSV")
    prog.add_argument("--json", metavar="FILE", help="write the summary and every attempt to FILE as JSON")
    prog.add_argument("--force", action="store_true",
                      help="replace FILE if it exists (by default an existing file is kept)")
    prog.set_defaults(func=run)


def _percent(value) -> str:
    import math

    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0%}"


def _when(text) -> str:
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def format_summary(summary) -> str:
    """The summary as the command prints it: answered N of M, scores as percentages; code exercises
    passed N of M and worked solutions shown."""
    import pandas as pd

    table = pd.DataFrame()
    if "learner" in summary:
        table["learner"] = summary["learner"]
    table["lesson"] = summary["lesson"]
    table["answered"] = [f"{a} of {t}" for a, t in zip(summary["questions_answered"],
                                                       summary["questions_total"], strict=True)]
    table["first try"] = summary["first_score"].map(_percent)
    table["best"] = summary["best_score"].map(_percent)
    if "test_first_score" in summary:
        table["first test"] = summary["test_first_score"].map(_percent)
    table["attempts"] = summary["attempts"]
    if "exercises_total" in summary:  # code exercises: passed of the bank's, apart from quiz scores
        table["exercises"] = [f"{p} of {t}" if t else "-" for p, t in zip(summary["exercises_passed"],
                                                                          summary["exercises_total"],
                                                                          strict=True)]
        table["solutions shown"] = summary["solutions_revealed"]
    table["last activity"] = summary["last_activity"].map(_when)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        return table.to_string(index=False)


def run(args: argparse.Namespace) -> int:
    import tmvlearn.quiz  # noqa: F401  (summaries then count each lesson's questions in its bank)
    from tmvlearn import progress as prog
    from tmvlearn.errors import TmvlearnError, UsageError

    learner = args.learner or prog.default_learner()
    store = prog.ProgressStore(read_only=True)
    if args.objectives and args.all_learners:
        raise UsageError("--objectives shows one learner at a time (--learner NAME); for a class, "
                         "collect their files with: tmvlearn results PATH --objectives")
    reading = store.read(learner, all_learners=args.all_learners)
    summary = prog.summarize(reading.attempts, by_learner=args.all_learners)
    who = "all learners" if args.all_learners else f"learner {learner!r}"
    if not reading.readable and summary.empty:  # never "no attempts" for a file that could not be read
        raise TmvlearnError(" ".join(reading.notes) or f"cannot read {reading.source}", exit_code=1)
    if args.objectives:
        show_objectives(learner, store)
    elif summary.empty:
        print(f"No quiz attempts recorded for {who} (read from {reading.source}).")
    else:
        print(f"Quiz progress for {who} (read from {reading.source}):")
        print(format_summary(summary))
    for note in reading.notes:
        print(f"note: {note}")
    for path in (args.csv, args.json):
        if path:
            try:
                written = prog.export_progress(path, learner, all_learners=args.all_learners,
                                               force=args.force, store=store)
            except prog.ProgressError as exc:
                raise UsageError(str(exc)) from None
            print(f"wrote {written}")
    return 0


def format_objectives(table, width: int = 100) -> str:
    """Mastery per objective as the command prints it: a heading per lesson with its counts, then one
    line per objective (id, status word, answered of total, its text shortened to ``width``)."""
    lines = ["", f"  {'obj':<4} {'status':<11} {'answered':<8}  objective (you can ...)"]
    for lesson, part in table.groupby("lesson", sort=False):
        counts = part["status"].value_counts()
        said = ", ".join(f"{int(counts[s])} {s}" for s in ("secure", "learning", "not started")
                         if s in counts)
        lines += ["", f"{lesson} ({said})"]
        for row in part.itertuples():
            head = f"  {row.objective:<4} {row.status:<11} {row.answered:>2} of {row.of:<2}  "
            text = " ".join(str(row.text).split())
            room = max(20, width - len(head))
            lines.append(head + (text if len(text) <= room else text[: room - 1].rstrip() + "…"))
    counts = table["status"].value_counts()
    lines += ["", f"In all {len(table)} objectives: " + ", ".join(
        f"{int(counts.get(s, 0))} {s}" for s in ("secure", "learning", "not started")) + "."]
    return "\n".join(lines)


def show_objectives(learner: str, store) -> None:
    """Print the learner's mastery per objective (see :func:`tmvlearn.quiz.mastery`) and the rule."""
    import textwrap

    from tmvlearn.quiz import mastery

    table = mastery(learner, store=store)
    source = table.attrs["source"]
    print(f"Mastery per learning objective for learner {learner!r} (read from {source}; as of "
          f"{_when(table.attrs['now'])}):")
    print(textwrap.fill("Rule: " + table.attrs["rule"], 100))
    print(format_objectives(table))

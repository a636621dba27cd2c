"""``tmvlearn review``: how many questions and flashcards are due for review, and when the next come.

It only reads (the progress database is opened read-only, never created or migrated), like
``tmvlearn progress``; the review itself runs in a notebook (lesson 08, or ``tmvlearn.quiz.review()``).
"""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    prog = subparsers.add_parser("review", help="say how many quiz questions are due for review, and when",
                                 description="Count the learner's quiz questions and flashcards due for "
                                 "spaced review now and say when the next ones come. Reads only.")
    prog.add_argument("--learner", help="whose review (default: $TMVLEARN_LEARNER or your user name)")
    prog.add_argument("--list", action="store_true", help="also list every item due now, oldest first")
    prog.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    import pandas as pd

    from tmvlearn import progress as prog
    from tmvlearn.errors import TmvlearnError
    from tmvlearn.quiz.review_quiz import due, plan_text

    learner = args.learner or prog.default_learner()
    store = prog.ProgressStore(read_only=True)
    now = datetime.now(timezone.utc)
    plan = due(learner, now=now, upcoming=True, store=store)
    source = plan.attrs["source"]
    if plan.empty and source.endswith(("(a folder)", "(damaged)", "(unreadable)")):
        raise TmvlearnError(" ".join(plan.attrs["notes"]) or f"cannot read {source}", exit_code=1)
    print(f"Review for learner {learner!r} (read from {source}):")
    count, text = plan_text(plan, now)
    print(text)
    if count:
        current = plan[plan["due"] <= pd.Timestamp(now)]
        questions = current[current["kind"] == "question"]
        cards = current[current["kind"] == "flashcard"]
        lessons = ", ".join(sorted(questions["lesson"].unique()))
        print(f"Quiz questions due: {len(questions)}" + (f" (from {lessons})" if lessons else "")
              + f"; flashcards due: {len(cards)}.")
        print("To review them: open lesson 08_review_due in JupyterLab (tmvlearn lab), or run "
              "tmvlearn.quiz.review() and tmvlearn.flashcards() in a notebook.")
        if args.list:
            table = current[["question_id", "lesson", "due", "last_result", "times_seen"]].copy()
            table["due"] = table["due"].dt.strftime("%Y-%m-%d %H:%M UTC")
            with pd.option_context("display.width", 160, "display.max_rows", 500):
                print(table.to_string(index=False))
    for note in plan.attrs["notes"]:
        print(f"Note: {note}")
    return 0

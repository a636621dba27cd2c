"""``tmvlearn progress``: a learner's quiz progress, and its export as CSV or JSON."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    prog = subparsers.add_parser("progress", help="show a learner's quiz progress and export it",
                                 description="Summarise the quiz attempts kept in the progress database "
                                 "($TMVLEARN_HOME or the user data folder), per lesson.")
    prog.add_argument("--learner", help="whose progress (default: $TMVLEARN_LEARNER or your user name)")
    prog.add_argument("--all", action="store_true", dest="all_learners",
                      help="every learner in the database")
    prog.add_argument("--csv", metavar="FILE", help="write every attempt to FILE as CSV")
    prog.add_argument("--json", metavar="FILE", help="write the summary and every attempt to FILE as JSON")
    prog.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from tmvlearn.errors import TmvlearnError, UsageError
    from tmvlearn.quiz import store as prog

    store = prog.get_store()
    learner = args.learner or prog.default_learner()
    summary = store.summary(learner, all_learners=args.all_learners)
    who = "all learners" if args.all_learners else f"learner {learner!r}"
    if summary.empty:
        print(f"No quiz attempts recorded for {who} (database: {store.location}).")
    else:
        print(f"Quiz progress for {who}:")
        with pd.option_context("display.width", 120):
            print(summary.to_string(index=False))
    for path in (args.csv, args.json):
        if path:
            try:
                written = prog.export_progress(path, learner, all_learners=args.all_learners)
            except TmvlearnError:
                raise  # the package's own errors reach main as they are
            except (OSError, ValueError) as exc:  # an unwritable path, or not .csv/.json
                raise UsageError(f"cannot write {path}: {getattr(exc, 'strerror', None) or exc}") from None
            print(f"wrote {written}")
    return 0

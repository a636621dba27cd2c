"""``tmvlearn quiz check|key`` and ``tmvlearn progress``."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    quiz = subparsers.add_parser("quiz", help="check question banks or print a lesson's answer key",
                                 description="Work with the quiz question banks.")
    actions = quiz.add_subparsers(dest="quiz_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate bank files and list every problem",
                               description="Validate question bank files (default: every shipped bank). "
                               "Each problem is printed as FILE: question ID: FIELD: message.")
    check.add_argument("files", nargs="*", metavar="FILE", help="bank .yaml files")
    check.set_defaults(func=run_check)
    key = actions.add_parser("key", help="print a lesson's answer key (for instructors)",
                             description="Print the answer key, with explanations and sources.")
    key.add_argument("lesson", metavar="LESSON", help="a lesson id such as 01_biogenesis, or a bank .yaml file")
    key.add_argument("--markdown", action="store_true", help="print Markdown instead of plain text")
    key.set_defaults(func=run_key)

    prog = subparsers.add_parser("progress", help="show a learner's quiz progress and export it",
                                 description="Summarise the quiz attempts kept in the progress database "
                                 "($TMVLEARN_HOME or the user data folder), per lesson.")
    prog.add_argument("--learner", help="whose progress (default: $TMVLEARN_LEARNER or your user name)")
    prog.add_argument("--all", action="store_true", dest="all_learners", help="every learner in the database")
    prog.add_argument("--csv", metavar="FILE", help="write every attempt to FILE as CSV")
    prog.add_argument("--json", metavar="FILE", help="write the summary and every attempt to FILE as JSON")
    prog.set_defaults(func=run_progress)


def run_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tmvlearn.cli import CLIError
    from tmvlearn.quiz.bank import bank_paths, validate_files

    files = [Path(f) for f in args.files] or bank_paths()
    if not files:
        raise CLIError("no bank files to check")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise CLIError(f"no such file: {', '.join(missing)}")
    problems = validate_files(files)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {len(files)} file(s).")
        return 1
    print(f"ok: {len(files)} file(s) checked, no problems.")
    return 0


def run_key(args: argparse.Namespace) -> int:
    from tmvlearn.cli import CLIError
    from tmvlearn.quiz.bank import BankError
    from tmvlearn.quiz.display import key

    try:
        bundle = key(args.lesson)._repr_mimebundle_()
    except BankError as exc:
        raise CLIError(str(exc).replace("\n", " ")) from None
    print(bundle["text/markdown" if args.markdown else "text/plain"])
    return 0


def run_progress(args: argparse.Namespace) -> int:
    import pandas as pd

    from tmvlearn.cli import CLIError
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
            except (OSError, ValueError) as exc:
                raise CLIError(f"cannot write {path}: {getattr(exc, 'strerror', None) or exc}") from None
            print(f"wrote {written}")
    return 0

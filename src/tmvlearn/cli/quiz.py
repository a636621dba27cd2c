"""``tmvlearn quiz check|key|schema``: validate the banks, print a lesson's answer key, write the
bank JSON Schema that is generated from the question types."""

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
    key.add_argument("lesson", metavar="LESSON",
                     help="a lesson id such as 01_biogenesis, or a bank .yaml file")
    key.add_argument("--markdown", action="store_true", help="print Markdown instead of plain text")
    key.set_defaults(func=run_key)
    schema = actions.add_parser("schema", help="print the JSON Schema of a bank file (for editors)",
                                description="Print the JSON Schema of a question bank, generated from the "
                                "question types; data/quizzes/bank.schema.json is this output.")
    schema.add_argument("--out", metavar="FILE", help="write it to FILE instead of printing it")
    schema.set_defaults(func=run_schema)


def run_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tmvlearn.errors import UsageError
    from tmvlearn.quiz.bank import bank_paths, validate_files

    files = [Path(f) for f in args.files] or bank_paths()
    if not files:
        raise UsageError("no bank files to check")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    problems = validate_files(files)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {len(files)} file(s).")
        return 1
    print(f"ok: {len(files)} file(s) checked, no problems.")
    return 0


def run_key(args: argparse.Namespace) -> int:
    from tmvlearn.quiz.display import key

    answer_key = key(args.lesson)
    print(answer_key.to_markdown() if args.markdown else answer_key.to_text())
    return 0


def run_schema(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tmvlearn.errors import UsageError
    from tmvlearn.quiz.bank import bank_schema_text

    text = bank_schema_text()
    if not args.out:
        print(text, end="")
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"wrote {args.out}")
    return 0

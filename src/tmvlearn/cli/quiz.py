"""``tmvlearn quiz check|key|schema|export|import``: validate the banks, print a lesson's answer key,
write the bank JSON Schema generated from the question types, take banks to an LMS and back."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    quiz = subparsers.add_parser("quiz", help="check, print, export or import question banks",
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
    key.add_argument("--seed", type=int, default=0, metavar="SEED",
                     help="follow the student sheet printed with this SEED (default 0, the lessons' own): "
                     "its order and letters")
    key.add_argument("--bank-order", action="store_true",
                     help="list choice options in the bank's order instead of the sheet's")
    key.set_defaults(func=run_key)
    schema = actions.add_parser("schema", help="print the JSON Schema of a bank file (for editors)",
                                description="Print the JSON Schema of a question bank, generated from the "
                                "question types; data/quizzes/bank.schema.json is this output.")
    schema.add_argument("--out", metavar="FILE", help="write it to FILE instead of printing it")
    schema.set_defaults(func=run_schema)
    export = actions.add_parser(
        "export", help="write banks for an LMS: Moodle GIFT or XML, Canvas QTI",
        description="Export question banks for a learning management system: GIFT or Moodle XML "
        "(Moodle: Question bank > Import), or a QTI 1.2 zip (Canvas: Settings > Import course content > "
        "QTI .zip file). What each format cannot hold is listed per question. See docs/lms.md.")
    export.add_argument("banks", nargs="+", metavar="LESSON_OR_BANK",
                        help="lesson ids such as 01_biogenesis, bank .yaml files, or 'all'")
    export.add_argument("--format", required=True, choices=["gift", "moodle-xml", "qti"], dest="fmt")
    export.add_argument("--out", required=True, metavar="FILE", help="the file to write (.txt, .xml, .zip)")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    export.set_defaults(func=run_export)
    imp = actions.add_parser(
        "import", help="read a GIFT or jupyterquiz file into a tmvlearn bank",
        description="Read questions from a Moodle GIFT file or a jupyterquiz JSON file and write a bank that "
        "passes `tmvlearn quiz check`. Questions that cannot be read are listed with their line, in file "
        "order, and left out.",
        epilog="exit codes: 0 every question was imported whole; 2 some were skipped or came in without "
        "something they had, such as partial credit (listed; the bank is still written with the others) or "
        "the command line cannot be carried out (error on stderr).")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--format", required=True, choices=["gift", "jupyterquiz"], dest="fmt")
    imp.add_argument("--out", required=True, metavar="BANK.yaml",
                     help="the bank to write; its name is the lesson id, e.g. 90_imported.yaml")
    imp.add_argument("--title", help="the bank's title (default: taken from the file)")
    imp.add_argument("--force", action="store_true", help="replace BANK.yaml if it exists")
    imp.set_defaults(func=run_import)


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

    answer_key = key(args.lesson, seed=args.seed, shuffle=not args.bank_order)
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


def run_export(args: argparse.Namespace) -> int:
    from tmvlearn.quiz.bank import lesson_ids
    from tmvlearn.quiz.lms import check_out, export_banks

    check_out(args.out, args.force)  # before any work
    banks = lesson_ids() if args.banks == ["all"] else args.banks
    result = export_banks(banks, args.fmt, args.out, force=args.force)
    for qid, note in result.notes:
        print(f"note: {qid}: {note}")
    for qid, why in result.skipped:
        print(f"skipped: {qid}: {why}")
    print(f"wrote {result.path}: {result.questions} question(s) from {len(banks)} bank(s) as {args.fmt}"
          + (f", {len(result.skipped)} skipped" if result.skipped else ""))
    return 0


def run_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tmvlearn.errors import UsageError
    from tmvlearn.quiz.lms import check_out, import_gift, import_jupyterquiz, lesson_from_out, write_bank

    source = Path(args.file)
    if not source.is_file():
        raise UsageError(f"no such file: {source}")
    lesson_from_out(args.out)
    check_out(args.out, args.force)  # before any work
    reader = import_gift if args.fmt == "gift" else import_jupyterquiz
    imported = reader(source, args.out, title=args.title)
    for where, note in imported.notes:
        print(f"note: {where}: {note}")
    for where, note in imported.lost:
        print(f"note: {where}: {note}")
    for where, why in imported.skipped:
        print(f"skipped: {where}: {why}")
    path = write_bank(imported, args.out, force=args.force)
    count, skipped = len(imported.bank["questions"]), len(imported.skipped)
    print(f"wrote {path}; check it with: tmvlearn quiz check {path}")
    lost = f" ({len(imported.lost)} not whole, noted)" if imported.lost else ""
    print(f"{count} imported{lost}, {skipped} skipped")
    return 2 if skipped or imported.lost else 0  # as `tmvlearn results`: 2 when anything was left out

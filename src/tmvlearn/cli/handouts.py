"""``tmvlearn handouts``: student or instructor handouts of the lessons, as HTML or PDF."""

from __future__ import annotations

import argparse

from tmvlearn.cli.lessons import seconds


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "handouts",
        help="build printable student or instructor handouts (HTML or PDF)",
        description="Execute the lessons with static rendering and write self-contained handouts "
        "that read offline. The student edition carries no answers; the instructor edition adds "
        "teaching notes, exercise solutions and each lesson's answer key.",
        epilog="example: tmvlearn handouts 01 02 --edition instructor --format pdf --out print/",
    )
    parser.add_argument("lessons", nargs="*", metavar="LESSON",
                        help="lesson names or number prefixes, e.g. 01 (default: every lesson)")
    parser.add_argument("--edition", choices=("student", "instructor"), default="student")
    parser.add_argument("--format", dest="fmt", choices=("html", "pdf"), default="html")
    parser.add_argument("--out", default="handouts", help="output folder (default: ./handouts)")
    parser.add_argument("--no-execute", action="store_true",
                        help="use the lessons' stored outputs instead of running them (faster)")
    parser.add_argument("--timeout", type=seconds, default=600, metavar="SECONDS",
                        help="stop a lesson whose cell runs longer than this (default: 600)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tmvlearn.handouts import build_handouts

    files = build_handouts(args.lessons, edition=args.edition, fmt=args.fmt, out=args.out,
                           execute=not args.no_execute, timeout=args.timeout)
    print(f"wrote {len(files)} files to {args.out}/ (open {files[0].name} first)")
    return 0

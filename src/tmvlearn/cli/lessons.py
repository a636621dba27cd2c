"""``tmvlearn lessons [run]``: list the shipped lessons, or re-execute them in place (maintainers)."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    lessons = subparsers.add_parser(
        "lessons",
        help="list the lessons, or re-execute them in place (for maintainers)",
        usage="tmvlearn lessons [-h] [run [--timeout SECONDS] [PREFIX ...]]",
        description="List the shipped lessons with their titles. `tmvlearn lessons run` re-executes "
        "lessons in place, as they are committed: headless, without widget state or timings.",
        epilog="example: tmvlearn lessons run 03",
    )
    lessons.set_defaults(func=run_list)
    actions = lessons.add_subparsers(dest="lessons_command", metavar="ACTION", prog="tmvlearn lessons")
    run = actions.add_parser(
        "run",
        help="re-execute lessons in place (no widget state, no timings)",
        description="Execute lessons headless and write them back with their new outputs, without "
        "widget views or timing metadata, so that nbval can compare a fresh run with them.",
        epilog="example: tmvlearn lessons run 01 03",
    )
    run.add_argument("lessons", nargs="*", metavar="PREFIX",
                     help="lesson name prefixes, e.g. 01 (default: all)")
    run.add_argument("--timeout", type=seconds, default=600, metavar="SECONDS",
                     help="stop a lesson whose cell runs longer than this (default: 600)")
    run.set_defaults(func=run_execute)


def seconds(text: str) -> float:
    """An argparse type: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text!r}")
    return value


def run_list(args: argparse.Namespace) -> int:
    from tmvlearn.lessons import lesson_paths, lesson_title

    paths = lesson_paths()
    width = max((len(p.stem) for p in paths), default=0)
    for path in paths:
        print(f"{path.stem:{width}}  {lesson_title(path)}")
    return 0


def run_execute(args: argparse.Namespace) -> int:
    import time

    from tmvlearn.lessons import rerun_in_place, select_lessons

    for path in select_lessons(args.lessons):
        start = time.perf_counter()
        rerun_in_place(path, timeout=args.timeout)
        print(f"{path.name}: executed in {time.perf_counter() - start:.1f} s", flush=True)
    return 0

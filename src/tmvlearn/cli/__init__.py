"""The ``tmvlearn`` command: a thin layer over the package.

Each subcommand is one module of this package, listed in :data:`SUBCOMMANDS`. A module has an
``add_parser(subparsers)`` function that adds its parser and sets ``func`` on it: the run function,
which gets the parsed arguments and returns an exit code. Subcommand modules import only
:mod:`argparse` at the top and load the package's heavier parts inside their run functions, so
``tmvlearn --help`` stays fast.

Errors: a run function raises :class:`~tmvlearn.errors.UsageError` for a command line that cannot
be carried out, and lets the package's own errors (every one a
:class:`~tmvlearn.errors.TmvlearnError`) pass. :func:`main` catches them in one place, prints one
line ``tmvlearn COMMAND: error: MESSAGE`` to stderr and returns the error's ``exit_code``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from tmvlearn.errors import TmvlearnError

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

#: The subcommand modules (``tmvlearn.cli.<name>``), in the order ``tmvlearn --help`` lists them.
SUBCOMMANDS = ("datasets", "lab", "handouts", "quiz", "progress", "review", "lessons", "results")


class _VersionAction(argparse._VersionAction):
    """argparse's ``version`` action, reading the installed version only when ``--version`` is given
    (looking it up costs more than the rest of ``tmvlearn --help``)."""

    def __call__(self, parser, namespace, values, option_string=None):
        import tmvlearn

        self.version = f"tmvlearn {tmvlearn.__version__}"
        super().__call__(parser, namespace, values, option_string)


def build_parser() -> argparse.ArgumentParser:
    """The ``tmvlearn`` argument parser, with every subcommand in :data:`SUBCOMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="tmvlearn",
        description="An interactive Jupyter workbook on tumor-derived microvesicles.",
    )
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        import_module(f"{__name__}.{name}").add_parser(subparsers)
    return parser


def _one_line(message: str) -> str:
    """``message`` on one line: its lines, stripped, joined with a space."""
    return " ".join(line.strip() for line in str(message).splitlines() if line.strip())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tmvlearn`` command with ``argv`` (default: the process's arguments); the exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "passes_options_through", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except TmvlearnError as exc:
        print(f"tmvlearn {args.command}: error: {_one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped early (``| head``)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141  # 128 + SIGPIPE, as a shell reports it

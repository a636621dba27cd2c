"""The ``tmvlearn`` command: a thin layer over the package.

Each subcommand lives next to what it drives and registers itself here through
an ``add_parser(subparsers)`` function that sets ``func`` on its parser; the
function gets the parsed arguments and returns an exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tmvlearn import __version__

# Modules that contribute subcommands, imported lazily so `tmvlearn --help` stays fast.
SUBCOMMAND_MODULES = ("tmvlearn.datasets_cli", "tmvlearn.workspace_cli", "tmvlearn.handouts_cli", "tmvlearn.quiz.cli")


class CLIError(Exception):
    """A user-facing error: printed as one line, exit code 2 (or ``code``)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tmvlearn",
        description="An interactive Jupyter workbook on tumor-derived microvesicles.",
    )
    parser.add_argument("--version", action="version", version=f"tmvlearn {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    from importlib import import_module

    for module in SUBCOMMAND_MODULES:
        import_module(module).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
    except CLIError as exc:
        print(f"tmvlearn {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

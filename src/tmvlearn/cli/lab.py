"""``tmvlearn lab``: copy the lessons into a workspace and open it in JupyterLab."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="copy the lessons into a workspace and open it in JupyterLab",
        description="Copy the lessons into DIR (default ./tmvlearn-workbook) and start JupyterLab "
        "there. Lessons you have edited are never overwritten. Other JupyterLab options pass "
        "through in the --name=value form, e.g. --ServerApp.ip=0.0.0.0.",
        epilog="example: tmvlearn lab ~/tmv --no-browser --port 8890",
    )
    parser.add_argument("directory", nargs="?", default=None, metavar="DIR",
                        help="workspace folder (default: ./tmvlearn-workbook)")
    parser.add_argument("--update", action="store_true",
                        help="refresh lessons you have not edited to the installed version")
    parser.add_argument("--port", type=int, help="port for JupyterLab (default: a free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument("--prepare-only", action="store_true",
                        help="copy the lessons but do not start JupyterLab")
    parser.set_defaults(func=run, passes_options_through=True)


def run(args: argparse.Namespace) -> int:
    from tmvlearn.workspace import DEFAULT_DIR, launch, prepare_workspace

    directory = args.directory or DEFAULT_DIR
    if args.prepare_only:
        print(prepare_workspace(directory, update=args.update).summary())
        return 0
    options = list(args.extra)
    if args.port is not None:
        options.append(f"--port={args.port}")
    if args.no_browser:
        options.append("--no-browser")
    return launch(directory, options, update=args.update)

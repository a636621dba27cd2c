"""``tmvlearn lab``: copy the lessons into a workspace and open it in JupyterLab, offline."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="copy the lessons into a workspace and open it in JupyterLab",
        description="Copy the lessons into DIR (default ./tmvlearn-workbook) and start JupyterLab "
        "there, with nothing reaching the network (read-only extension manager, no news or update "
        "checks). Learners get the student edition: no instructor notes, solution cells without "
        "their outputs. Lessons you have edited are never overwritten. Other JupyterLab options "
        "pass through in the --name=value form, e.g. --ServerApp.ip=0.0.0.0.",
        epilog="examples: tmvlearn lab ~/tmv --no-browser --port 8890 | "
        "tmvlearn lab --instructor ~/tmv-teach",
    )
    parser.add_argument("directory", nargs="?", default=None, metavar="DIR",
                        help="workspace folder (default: ./tmvlearn-workbook)")
    parser.add_argument("--update", action="store_true",
                        help="refresh lessons you have not edited to the installed version")
    parser.add_argument("--instructor", action="store_true",
                        help="copy the full lessons, with instructor notes and solution outputs")
    parser.add_argument("--port", help="port for JupyterLab, 1-65535 (default: a free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument("--allow-root", action="store_true",
                        help="let JupyterLab run as root (added by itself inside a container)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="copy the lessons but do not start JupyterLab")
    parser.set_defaults(func=run, passes_options_through=True)


def run(args: argparse.Namespace) -> int:
    from tmvlearn.errors import UsageError
    from tmvlearn.workspace import DEFAULT_DIR, check_port, launch, prepare_workspace

    directory = args.directory or DEFAULT_DIR
    edition = "instructor" if args.instructor else "student"
    if args.prepare_only:
        print(prepare_workspace(directory, update=args.update, edition=edition).summary())
        return 0
    options = list(args.extra)
    if args.port is not None:  # checked here, so a bad one is one line (not argparse's usage text)
        try:
            port = int(args.port)
        except ValueError:
            raise UsageError(f"--port needs a whole number from 1 to 65535 (got {args.port!r})") from None
        options.append(f"--port={check_port(port)}")
    if args.no_browser:
        options.append("--no-browser")
    return launch(directory, options, update=args.update, edition=edition,
                  allow_root=True if args.allow_root else None)

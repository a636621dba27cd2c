"""``tmvlearn datasets``: list, describe and export the curated datasets."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "datasets",
        help="list the curated datasets, or describe or export one",
        description="List the curated datasets; with a NAME, print its data dictionary; "
        "with --csv FILE, also write the dataset to a CSV file.",
    )
    parser.add_argument("name", nargs="?", help="a dataset name (see the list)")
    parser.add_argument("--csv", metavar="FILE", help="write the dataset to FILE as CSV")
    parser.add_argument("--force", action="store_true",
                        help="replace FILE if it exists (by default an existing file is kept)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from tmvlearn._files import write_atomically
    from tmvlearn.datasets import describe_dataset, list_datasets, load_dataset
    from tmvlearn.errors import UsageError

    if args.name is None:
        for name in list_datasets():
            frame = load_dataset(name)
            print(f"{name:24} {len(frame):4d} rows  {frame.attrs['title']}")
        return 0
    table = describe_dataset(args.name)
    frame = load_dataset(args.name)
    print(f"{table.attrs['title']} ({len(frame)} rows, file {table.attrs['file']})")
    print(table.attrs["description"])
    with pd.option_context("display.max_colwidth", 60, "display.width", 120):
        print(table[["type", "unit", "required", "description"]].to_string())
    if args.csv:  # written whole under a temporary name, then renamed: an old file is never half replaced
        write_atomically(args.csv, frame.to_csv(index=False), force=args.force, error=UsageError)
        print(f"wrote {len(frame)} rows to {args.csv}")
    return 0

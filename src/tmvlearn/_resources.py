"""Where the shipped content (datasets, quiz banks, lessons) lives.

In a wheel the top-level ``data/`` and ``notebooks/`` folders are installed as
``tmvlearn/data`` and ``tmvlearn/notebooks``; in a source checkout (editable
install) they stay at the top of the repository. Both are read the same way.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


@cache
def _content_root(folder: str) -> Path:
    installed = Path(str(files("tmvlearn"))) / folder
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parents[2] / folder
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"tmvlearn's {folder!r} folder is missing from this installation "
        f"(looked in {installed} and {checkout}); reinstall with `pip install tmvlearn`."
    )


def data_dir() -> Path:
    """The folder holding ``datapackage.json``, the datasets and the quiz banks."""
    return _content_root("data")


def notebooks_dir() -> Path:
    """The folder holding the lesson notebooks."""
    return _content_root("notebooks")

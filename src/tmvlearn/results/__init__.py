"""A class's results: collect learners' attempts, a gradebook, item analysis, a report.

``collect(paths)`` reads progress databases, pending journals and exports (files and folders) into a
gradebook and returns the attempts as a DataFrame; ``gradebook(attempts)`` is learners x lessons;
``item_analysis(attempts)`` is the per-question statistics (as ``tmvlearn results --json`` writes
them); ``sample_class()`` is a simulated class to learn on; ``html_report(...)`` one offline page;
``live_poll(path, question_id)`` a live poll of one question for peer instruction (``Poll``: its model).
The formulas and thresholds are in :mod:`tmvlearn.results.analysis` and ``docs/class-results.md``.
Learners' files are read as untrusted input by :mod:`tmvlearn.results.reader` (its bounds are named
constants there); what is printed and written goes through :mod:`tmvlearn.results.safe_output`.

The names are loaded on first use, so importing this package (as ``tmvlearn --help`` does) stays light.
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (``tmvlearn --help`` loads this)
if TYPE_CHECKING:
    from typing import Any

#: The gradebook ``tmvlearn results`` writes when ``--into`` is not given (in the current folder).
DEFAULT_GRADEBOOK = "class-results.sqlite3"

_WHERE = {
    "collect": "collection", "collect_into": "collection", "Collection": "collection",
    "Problem": "collection", "read_gradebook": "collection",
    "gradebook": "analysis", "gradebook_wide": "analysis", "behind": "analysis", "first_attempts": "analysis",
    "item_analysis": "analysis", "items_table": "analysis", "roster": "analysis", "THRESHOLDS": "analysis",
    "MIN_LEARNERS": "analysis", "FIRST_ATTEMPT": "analysis",
    "sample_class": "sample", "html_report": "report",
    "live_poll": "live_view", "LiveView": "live_view", "Poll": "poll", "LiveReader": "live",
}

__all__ = ["DEFAULT_GRADEBOOK", *_WHERE]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

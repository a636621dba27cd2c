"""tmvlearn: an interactive Jupyter workbook on tumor-derived microvesicles.

The package supplies the workbook's curated datasets, the quiz engine, the
science models and explorers, handouts and the ``tmvlearn`` command. Importing
it is cheap: the datasets API (and pandas with it), plotting and widget
libraries load only when they are first used (``tmvlearn.load_dataset``,
an explorer, a quiz), and ``__version__`` is read from the installation on first use.

>>> import tmvlearn
>>> tmvlearn.list_datasets()  # doctest: +SKIP
['biomarkers', 'ev_types', ...]
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know the idiom)
if TYPE_CHECKING:  # for type checkers and editors; at run time these load on first use
    from tmvlearn.datasets import DatasetError, describe_dataset, list_datasets, load_dataset

    __version__: str

#: The public names loaded on first use, and the module each comes from (PEP 562).
_LAZY = {
    "DatasetError": "tmvlearn.datasets",
    "describe_dataset": "tmvlearn.datasets",
    "list_datasets": "tmvlearn.datasets",
    "load_dataset": "tmvlearn.datasets",
}
#: Submodules that ``import tmvlearn`` used to load as a side effect, still reachable as attributes.
_SUBMODULES = ("datasets", "errors", "_resources")


def _read_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tmvlearn")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0+unknown"


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
    elif name == "__version__":
        value = _read_version()
    elif name in _SUBMODULES:
        value = import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, "__version__", *_SUBMODULES})


def flashcards(deck: str = "glossary", **options):
    """Flashcards of the review's terms (``"glossary"``, or a lesson such as ``"03"``), on the review's
    schedule: see :func:`tmvlearn.quiz.flashcards.flashcards` for ``n``, ``seed``, ``interactive``..."""
    from tmvlearn.quiz.flashcards import flashcards as _flashcards

    return _flashcards(deck, **options)


__all__ = ["DatasetError", "describe_dataset", "flashcards", "list_datasets", "load_dataset", "__version__"]

"""tmvlearn: an interactive Jupyter workbook on tumor-derived microvesicles.

The package supplies the workbook's curated datasets, the quiz engine, the
science models and explorers, handouts and the ``tmvlearn`` command. Importing
it is cheap: plotting and widget libraries load only when an explorer or quiz
is used.

>>> import tmvlearn
>>> tmvlearn.list_datasets()  # doctest: +SKIP
['biomarkers', 'ev_types', ...]
"""

from importlib.metadata import PackageNotFoundError, version

from tmvlearn.datasets import DatasetError, describe_dataset, list_datasets, load_dataset

try:
    __version__ = version("tmvlearn")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"



def flashcards(deck: str = "glossary", **options):
    """Flashcards of the review's terms (``"glossary"``, or a lesson such as ``"03"``), on the review's
    schedule: see :func:`tmvlearn.quiz.flashcards.flashcards` for ``n``, ``seed``, ``interactive``..."""
    from tmvlearn.quiz.flashcards import flashcards as _flashcards

    return _flashcards(deck, **options)


__all__ = ["DatasetError", "describe_dataset", "flashcards", "list_datasets", "load_dataset", "__version__"]

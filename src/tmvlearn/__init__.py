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

__all__ = ["DatasetError", "describe_dataset", "list_datasets", "load_dataset", "__version__"]

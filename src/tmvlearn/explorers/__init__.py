"""Interactive explorers: ipywidgets controls over a small model and a matplotlib figure.

Each function returns an explorer with ``.controls``, ``.figure``, ``.widget``,
``.alt_text`` and ``.update(**params)``; displaying it shows the live widget plus a
static PNG and alt text (only the static figure with ``interactive=False``).
Importing this package loads matplotlib; ``import tmvlearn`` alone does not.
"""

from tmvlearn.explorers.biogenesis import biogenesis_explorer
from tmvlearn.explorers.biomarkers import biomarker_explorer
from tmvlearn.explorers.centrifuge import centrifuge_explorer
from tmvlearn.explorers.diagnostic import diagnostic_explorer
from tmvlearn.explorers.immune import immune_explorer
from tmvlearn.explorers.sizes import size_explorer

__all__ = ["biogenesis_explorer", "biomarker_explorer", "centrifuge_explorer", "diagnostic_explorer",
           "immune_explorer", "size_explorer"]

"""Moved to :mod:`tmvlearn.quiz.formats.gift`; this name stays for existing imports."""

import sys

from tmvlearn.quiz.formats import gift as _moved

sys.modules[__name__] = _moved

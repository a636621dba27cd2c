"""Moved to :mod:`tmvlearn.quiz.formats.text`; this name stays for existing imports."""

import sys

from tmvlearn.quiz.formats import text as _moved

sys.modules[__name__] = _moved

"""Read and write jupyterquiz JSON: :func:`from_jupyterquiz` and :func:`to_jupyterquiz`.

The format itself (its question types and answers, how each exchange kind is written and read) is
:mod:`tmvlearn.quiz.formats.jupyterquiz`, which works on the neutral exchange form
(:mod:`tmvlearn.quiz.exchange`) only; the functions joining it to the question types live in
:mod:`tmvlearn.quiz.lms` with the other formats' and keep their names here. Matching and ordering
have no jupyterquiz form: they are listed in ``.skipped`` with a warning, never silently dropped;
so are imported questions that cannot be read.
"""

from __future__ import annotations

from tmvlearn.quiz.lms import Converted, JupyterQuizError, from_jupyterquiz, to_jupyterquiz

__all__ = ["Converted", "JupyterQuizError", "from_jupyterquiz", "to_jupyterquiz"]

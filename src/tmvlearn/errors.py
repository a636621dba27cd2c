"""The one base class of tmvlearn's user-facing errors.

Every domain error (a dataset, a bank, a lesson, a workspace, a handout, an imported file) derives
from :class:`TmvlearnError`. Its message names the thing at fault and how to fix it; its
``exit_code`` is what the ``tmvlearn`` command exits with when the error reaches it. The command
catches this class once and prints the message as one line.
"""

from __future__ import annotations

__all__ = ["TmvlearnError", "UsageError"]


class TmvlearnError(Exception):
    """A problem the user can fix; the message says what and how. ``exit_code``: for the CLI."""

    exit_code: int = 2

    def __init__(self, message: str = "", *, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    def _render_traceback_(self) -> list[str]:
        """What IPython and Jupyter show in place of a traceback: the message is the whole story, and a
        learner who mistyped a parameter should not have to find it under a page of library frames."""
        return [f"{type(self).__name__}: {self}"]


class UsageError(TmvlearnError):
    """The command line asks for something that cannot be done (a missing file, a bad option)."""

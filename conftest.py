"""Shared test setup for tests/ and the lesson notebooks.

No windows, and never the learner's real progress database: kernels started by nbval or papermill
inherit TMVLEARN_HOME, so they record (if anything) into a throwaway folder.
"""

import os
import tempfile

import matplotlib

matplotlib.use("Agg")  # this process only; kernels keep Jupyter's inline backend
os.environ["TMVLEARN_HOME"] = tempfile.mkdtemp(prefix="tmvlearn-test-home-")

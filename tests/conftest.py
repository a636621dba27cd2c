"""Shared test setup: no windows, and never the learner's real progress database."""

import os
import tempfile

os.environ.setdefault("MPLBACKEND", "Agg")
# Every test process (and every kernel it starts) records quiz progress in a throwaway folder.
os.environ["TMVLEARN_HOME"] = tempfile.mkdtemp(prefix="tmvlearn-test-home-")

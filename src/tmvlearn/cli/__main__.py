"""``python -m tmvlearn.cli``: the ``tmvlearn`` command."""

import sys

from tmvlearn.cli import main

sys.exit(main())

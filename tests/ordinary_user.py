"""Running part of a test as an ordinary user: root ignores file permissions, so a test of what an
ordinary account can and cannot read switches this process to ``nobody`` for a while."""

from __future__ import annotations

import contextlib
import os

NOBODY = 65534  # uid and gid of nobody / nogroup on Debian


@contextlib.contextmanager
def as_nobody():
    """This process with the effective user and group ``nobody`` (no supplementary groups); root
    again afterwards. Only for a test running as root."""
    groups = os.getgroups()
    os.setgroups([])
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
        os.setgroups(groups)

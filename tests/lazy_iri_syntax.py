"""Loaded before pytest's other plugins (``-p lazy_iri_syntax`` in pyproject.toml): jsonschema's IRI
checker, imported on demand.

nbval imports nbformat, nbformat imports jsonschema, and jsonschema imports ``rfc3987_syntax`` for its
"iri" format checks; that import builds four Earley parsers of RFC 3987's grammar (1 to 3 s, in the
controller and in every xdist worker), though no test validates an IRI. Upstream asked for the import
to be lazy (python-jsonschema/jsonschema#1428). Here jsonschema first finds a stand-in whose
``is_valid_syntax`` imports the real module when an IRI is first checked, and from then on is it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

NAME = "rfc3987_syntax"


def _real():
    if sys.modules.get(NAME) is _stand_in:
        del sys.modules[NAME]
    return importlib.import_module(NAME)


def is_valid_syntax(term: str, value: str) -> bool:
    return _real().is_valid_syntax(term, value)


_stand_in = types.ModuleType(NAME, "rfc3987_syntax, until an IRI is checked (tests/lazy_iri_syntax.py)")
_stand_in.is_valid_syntax = is_valid_syntax
_spec = importlib.util.find_spec(NAME) if NAME not in sys.modules else None
if _spec is not None:  # installed (jsonschema's format-nongpl extra) and not imported yet
    _stand_in.__spec__ = _spec  # as the real module's: find_spec() still answers while the stand-in is in
    sys.modules[NAME] = _stand_in

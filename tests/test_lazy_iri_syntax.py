"""The test run's stand-in for rfc3987_syntax (tests/lazy_iri_syntax.py): no grammar is built until an
IRI is checked, and then jsonschema checks it with the real module, as without the stand-in."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

CHECK = """
import json, sys
import lazy_iri_syntax
import nbformat, jsonschema
import importlib.util
before = sorted(m for m in ("lark", "rfc3987_syntax.syntax_helpers") if m in sys.modules)
assert importlib.util.find_spec("rfc3987_syntax").origin.endswith("__init__.py")
checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
iris = ("https://example.org/vésicule?q=1#a", "no scheme here", "http://[::1", "urn:isbn:0451450523")
results = {iri: checker.conforms(iri, "iri") for iri in iris}
real = sys.modules["rfc3987_syntax"] is not lazy_iri_syntax._stand_in
print(json.dumps({"before": before, "results": results, "real": real}))
"""


@pytest.mark.slow  # it builds the grammar, as the first IRI check does
def test_iris_are_checked_by_the_real_module_only_once_one_is_asked_for():
    tests = Path(__file__).parent
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(tests), "PATH": "/usr/bin:/bin"})
    seen = json.loads(out.stdout)
    assert seen["before"] == [], "importing nbformat and jsonschema built no grammar"
    assert seen["results"] == {"https://example.org/vésicule?q=1#a": True, "no scheme here": False,
                               "http://[::1": False, "urn:isbn:0451450523": True}
    assert seen["real"], "after the first check the real module answers"

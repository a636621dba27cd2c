"""Each lesson runs under papermill with non-default parameters: another seed, test mode, static."""

from __future__ import annotations

import nbformat
import pytest

from tmvlearn.lessons import lesson_paths

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

PARAMETERS = {"SEED": 7, "QUIZ_MODE": "test", "INTERACTIVE": False}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("path", lesson_paths(), ids=lambda p: p.stem)
def test_lesson_runs_with_other_parameters_from_another_folder(path, tmp_path):
    papermill = pytest.importorskip("papermill")
    declared = papermill.inspect_notebook(str(path))
    assert set(PARAMETERS) <= set(declared), "parameter names match the lesson's parameters cell"
    out = tmp_path / path.name
    # cwd is not the notebook's folder: lessons must find their data through the package.
    papermill.execute_notebook(str(path), str(out), parameters=PARAMETERS, kernel_name="python3",
                               cwd=str(tmp_path), progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if WIDGET_VIEW in o.get("data", {})], \
        "INTERACTIVE=False renders explorers and quizzes statically (no widgets)"
    assert any("image/png" in o.get("data", {}) for o in outputs) or "07_" in path.name, \
        "static explorers still show their figures"

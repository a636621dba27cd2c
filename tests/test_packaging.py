"""A wheel built from the checkout (through its sdist) ships the data and loads every dataset."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds and installs a wheel in a fresh venv

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the build backend comes from the test environment, never from the network.
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (whl,) = out.glob("tmvlearn-*.whl")
    return whl


def test_wheel_contains_the_data_and_the_lessons(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "tmvlearn/data/datapackage.json" in names
    assert "tmvlearn/data/datasets/biomarkers.csv" in names
    assert any(n.startswith("tmvlearn/notebooks/") for n in names)


def test_wheel_in_a_fresh_venv_loads_every_dataset(wheel, tmp_path):
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    site = Path(subprocess.run(
        [str(env / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(site), str(wheel)], check=True)
    # The fresh environment borrows only the dependencies (pandas, ...) from this one; tmvlearn
    # itself comes from the wheel because the venv's own site-packages is searched first.
    (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    code = ("import tmvlearn; print(tmvlearn.__file__); "
            "print(sum(len(tmvlearn.load_dataset(n)) for n in tmvlearn.list_datasets()))")
    out = subprocess.run([str(env / "bin" / "python"), "-c", code], cwd=tmp_path,
                         check=True, capture_output=True, text=True).stdout.split("\n")
    assert out[0].startswith(str(site)), "tmvlearn must come from the wheel, not the checkout"
    assert int(out[1]) > 100

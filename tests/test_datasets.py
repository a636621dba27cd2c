"""The dataset API: listing, loading, typing, describing, and clear errors on bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import tmvlearn
from tmvlearn import datasets
from tmvlearn._resources import data_dir

EXPECTED = ["biomarkers", "ev_types", "immune_interactions", "clinical_applications",
            "biogenesis", "glossary", "references"]


def test_list_datasets_names_every_required_dataset():
    assert tmvlearn.list_datasets() == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_each_dataset_loads_typed_with_its_description(name):
    frame = tmvlearn.load_dataset(name)
    assert len(frame) > 0
    dictionary = tmvlearn.describe_dataset(name)
    assert list(frame.columns) == list(dictionary.index)
    expected_dtype = {"integer": "Int64", "number": "float64", "string": "string"}
    for column, row in dictionary.iterrows():
        if row["allowed_values"]:
            assert isinstance(frame[column].dtype, pd.CategoricalDtype), column
        else:
            assert str(frame[column].dtype) == expected_dtype[row["type"]], column
    assert frame.attrs["name"] == name
    assert frame.attrs["title"] and frame.attrs["description"]
    assert frame.attrs["sources"], "every dataset names its source document"
    assert all(dictionary["description"].str.len() > 10), "every column is explained"


def test_load_dataset_returns_a_fresh_copy_each_call():
    first = tmvlearn.load_dataset("ev_types")
    first.loc[0, "size_max_nm"] = -1.0
    first.attrs["title"] = "changed"
    second = tmvlearn.load_dataset("ev_types")
    assert second.loc[0, "size_max_nm"] != -1.0
    assert second.attrs["title"] != "changed"


def test_unknown_name_lists_the_available_names_and_suggests_the_closest():
    with pytest.raises(tmvlearn.DatasetError) as err:
        tmvlearn.load_dataset("biomarker")
    message = str(err.value)
    assert "'biomarker'" in message and "Did you mean 'biomarkers'?" in message
    for name in EXPECTED:
        assert name in message
    with pytest.raises(tmvlearn.DatasetError, match="Available datasets"):
        tmvlearn.describe_dataset("no such thing")


def test_every_refs_value_is_a_known_reference_number():
    known = set(tmvlearn.load_dataset("references")["number"].astype(int))
    for name in EXPECTED:
        frame = tmvlearn.load_dataset(name)
        if "refs" not in frame:
            continue
        for row, refs in frame["refs"].items():
            unknown = set(datasets.split_refs(refs)) - known
            assert not unknown, f"{name} row {row}: refs {sorted(unknown)} not in references"


def test_split_refs():
    assert datasets.split_refs("25,28,29") == [25, 28, 29]
    assert datasets.split_refs(pd.NA) == []
    assert datasets.split_refs(None) == []


def test_sources_name_each_source_document_once():
    found = datasets.sources()
    assert [s["id"] for s in found] == ["zhu2021", "pucci2013"]
    assert [s["citation"] for s in found] == ["Zhu et al. 2021", "Pucci & Pittet 2013"]
    assert all(set(s) == {"id", "citation", "title", "path"} for s in found)
    assert found[0]["path"] == "https://doi.org/10.2147/IJN.S325448"
    found[0]["title"] = "changed"
    assert datasets.sources()[0]["title"] != "changed", "a fresh list on every call"


def test_the_descriptor_is_a_valid_frictionless_data_package_and_every_csv_matches_it():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.Package(str(data_dir() / "datapackage.json")).validate()
    problems = [f"{task.name}: {err.message}" for task in report.tasks for err in task.errors]
    assert report.valid, "\n".join(problems[:20])


def test_import_tmvlearn_stays_light():
    code = ("import sys, tmvlearn; heavy = [m for m in ('matplotlib', 'ipywidgets', 'networkx', "
            "'IPython', 'jsonschema') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- bad input: a damaged installation gives an error naming dataset, file and column ---------

@pytest.fixture
def damaged_data(tmp_path, monkeypatch):
    """A private copy of data/ that a test may break; the loader reads it instead."""
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    monkeypatch.setattr(datasets, "data_dir", lambda: copy)
    datasets.clear_cache()
    yield copy
    datasets.clear_cache()


def test_missing_csv_names_the_dataset_and_file(damaged_data):
    (damaged_data / "datasets" / "glossary.csv").unlink()
    with pytest.raises(tmvlearn.DatasetError, match=r"dataset 'glossary' .*glossary\.csv.*missing"):
        tmvlearn.load_dataset("glossary")


def test_corrupt_csv_is_reported_not_a_pandas_traceback(damaged_data):
    (damaged_data / "datasets" / "ev_types.csv").write_bytes(b"\xff\xfe\x00garbage\x00")
    with pytest.raises(tmvlearn.DatasetError, match=r"dataset 'ev_types' .*cannot be read"):
        tmvlearn.load_dataset("ev_types")


def test_a_renamed_column_is_named(damaged_data):
    path = damaged_data / "datasets" / "ev_types.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("size_max_nm", "size_maximum", 1), encoding="utf-8")
    with pytest.raises(tmvlearn.DatasetError) as err:
        tmvlearn.load_dataset("ev_types")
    assert "missing column(s) size_max_nm" in str(err.value)
    assert "size_maximum" in str(err.value) and "ev_types.csv" in str(err.value)


def test_a_value_of_the_wrong_type_names_column_and_row(damaged_data):
    path = damaged_data / "datasets" / "ev_types.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[1, "size_min_nm"] = "forty"
    frame.to_csv(path, index=False)
    with pytest.raises(tmvlearn.DatasetError, match=r"column 'size_min_nm', data row 2: expected a number"):
        tmvlearn.load_dataset("ev_types")


def test_a_value_outside_the_allowed_categories_is_named(damaged_data):
    path = damaged_data / "datasets" / "biomarkers.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "category"] = "membrane molecule"
    frame.to_csv(path, index=False)
    with pytest.raises(tmvlearn.DatasetError, match=r"column 'category', data row 1: not one of"):
        tmvlearn.load_dataset("biomarkers")


def test_a_descriptor_that_no_longer_matches_names_the_column(damaged_data):
    schema_path = damaged_data / "datasets" / "references.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"].append({"name": "year", "type": "integer", "description": "added later"})
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(tmvlearn.DatasetError, match=r"references.*missing column\(s\) year"):
        tmvlearn.load_dataset("references")


def test_a_source_without_an_id_is_named(damaged_data):
    path = damaged_data / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    del package["sources"][1]["id"]
    path.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(tmvlearn.DatasetError, match="source 2 lacks id"):
        datasets.sources()


def test_an_unreadable_descriptor_is_reported(damaged_data):
    (damaged_data / "datapackage.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(tmvlearn.DatasetError, match="cannot read the dataset descriptor"):
        tmvlearn.list_datasets()


# --- the `tmvlearn datasets` command -----------------------------------------------------------

def test_cli_lists_describes_and_exports(tmp_path, capsys):
    from tmvlearn.cli import main

    assert main(["datasets"]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in EXPECTED) and "43 rows" in listing
    out = tmp_path / "table2.csv"
    assert main(["datasets", "ev_types", "--csv", str(out)]) == 0
    assert "size_min_nm" in capsys.readouterr().out
    exported = pd.read_csv(out)["vesicle_type"].tolist()
    assert exported == ["Microvesicles", "Exosomes", "Oncosomes", "Apoptotic bodies"]
    assert main(["datasets", "evtypes"]) == 2
    assert "Did you mean 'ev_types'?" in capsys.readouterr().err
    assert main(["datasets", "ev_types", "--csv", str(tmp_path / "no-such-folder" / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tmvlearn datasets: error: cannot write ") and "None" not in err

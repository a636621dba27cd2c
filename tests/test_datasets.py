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
    (damaged_data / "datasets" / "ev_types.csv").write_bytes(b"\xff\xfegarbage")
    with pytest.raises(tmvlearn.DatasetError, match=r"dataset 'ev_types' .*line 1: the file is not UTF-8"):
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
    with pytest.raises(tmvlearn.DatasetError,
                       match=r"column 'size_min_nm', data row 2 \(line 3\): expected a number"):
        tmvlearn.load_dataset("ev_types")


def test_a_value_outside_the_allowed_categories_is_named(damaged_data):
    path = damaged_data / "datasets" / "biomarkers.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "category"] = "membrane molecule"
    frame.to_csv(path, index=False)
    with pytest.raises(tmvlearn.DatasetError, match=r"column 'category', data row 1 \(line 2\): not one of"):
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


# --- damage a loader must refuse, each with one error naming dataset, file, column and row -------

def _descriptor(damaged_data):
    path = damaged_data / "datapackage.json"
    return path, json.loads(path.read_text(encoding="utf-8"))


def _edit_schema(damaged_data, name, change):
    path = damaged_data / "datasets" / f"{name}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")


def _field(schema, name):
    return next(f for f in schema["fields"] if f["name"] == name)


def _edit_csv(damaged_data, name, change):
    path = damaged_data / "datasets" / f"{name}.csv"
    path.write_bytes(change(path.read_bytes()))


@pytest.mark.parametrize("key", ["schema", "path", "name"])
def test_a_resource_without_a_required_key_is_named(damaged_data, key):
    path, package = _descriptor(damaged_data)
    del package["resources"][1][key]
    path.write_text(json.dumps(package), encoding="utf-8")
    expected = r"resource 2 has no 'name'" if key == "name" else rf"dataset 'ev_types' has no '{key}'"
    with pytest.raises(tmvlearn.DatasetError, match=r"datapackage\.json: " + expected):
        tmvlearn.load_dataset("ev_types" if key != "name" else "biomarkers")


def test_a_descriptor_without_resources_is_named(damaged_data):
    path, package = _descriptor(damaged_data)
    del package["resources"]
    path.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(tmvlearn.DatasetError, match=r"datapackage\.json has no 'resources' list"):
        tmvlearn.list_datasets()


def test_a_schema_without_fields_or_a_field_without_a_name_is_named(damaged_data):
    _edit_schema(damaged_data, "glossary", lambda s: s.pop("fields"))
    with pytest.raises(tmvlearn.DatasetError, match=r"dataset 'glossary' \(.*glossary\.schema\.json\): "
                                                    r"the table schema has no 'fields'"):
        tmvlearn.load_dataset("glossary")
    datasets.clear_cache()
    _edit_schema(damaged_data, "ev_types", lambda s: s["fields"][2].pop("name"))
    with pytest.raises(tmvlearn.DatasetError, match=r"dataset 'ev_types' .*field 3 of the table schema has "
                                                    "no 'name'"):
        tmvlearn.describe_dataset("ev_types")


def test_a_minimum_on_a_string_column_is_a_descriptor_error(damaged_data):
    _edit_schema(damaged_data, "ev_types", lambda s: _field(s, "origin")["constraints"].update(minimum=3))
    with pytest.raises(tmvlearn.DatasetError, match=r"dataset 'ev_types' .*ev_types\.csv\), column 'origin': "
                                                    "the descriptor sets a minimum on a string column"):
        tmvlearn.load_dataset("ev_types")


def test_a_bad_pattern_is_named(damaged_data):
    _edit_schema(damaged_data, "ev_types", lambda s: _field(s, "origin")["constraints"].update(pattern="[a-"))
    expected = r"column 'origin': the descriptor sets the pattern '\[a-', which is not a valid regular"
    with pytest.raises(tmvlearn.DatasetError, match=expected):
        tmvlearn.load_dataset("ev_types")


def test_an_unknown_type_is_named(damaged_data):
    _edit_schema(damaged_data, "ev_types", lambda s: _field(s, "size_min_nm").update(type="numbr"))
    with pytest.raises(tmvlearn.DatasetError, match=r"column 'size_min_nm': the descriptor gives the type "
                                                    r"'numbr'; tmvlearn reads string, number, integer"):
        tmvlearn.load_dataset("ev_types")


def _set_cell(damaged_data, name, row, column, value):
    path = damaged_data / "datasets" / f"{name}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False)


def test_a_23_digit_integer_is_out_of_range_not_a_traceback(damaged_data):
    _set_cell(damaged_data, "references", 4, "number", "1" * 23)
    expected = (r"dataset 'references' .*references\.csv\), column 'number', data row 5 \(line 6\): "
                "a whole number of more than 18 digits is out of range")
    with pytest.raises(tmvlearn.DatasetError, match=expected):
        tmvlearn.load_dataset("references")


@pytest.mark.parametrize("value", ["inf", "-Infinity", "NaN"])
def test_inf_and_nan_in_a_number_column_are_refused(damaged_data, value):
    _set_cell(damaged_data, "ev_types", 2, "size_max_nm", value)
    with pytest.raises(tmvlearn.DatasetError, match=r"column 'size_max_nm', data row 3 \(line 4\): not a "
                                                    "finite number"):
        tmvlearn.load_dataset("ev_types")


def test_a_header_only_file_is_refused(damaged_data):
    _edit_csv(damaged_data, "glossary", lambda data: data.split(b"\n", 1)[0] + b"\n")
    with pytest.raises(tmvlearn.DatasetError, match=r"dataset 'glossary' .*glossary\.csv\): the file has a "
                                                    "header but no data rows"):
        tmvlearn.load_dataset("glossary")


def test_nul_bytes_are_refused_with_their_line(damaged_data):
    def damage(data):
        lines = data.split(b"\n")
        lines[3] = lines[3][:5] + b"\x00\x00" + lines[3][5:]
        return b"\n".join(lines)

    _edit_csv(damaged_data, "glossary", damage)
    with pytest.raises(tmvlearn.DatasetError, match=r"dataset 'glossary' .*glossary\.csv\), line 4: the file "
                                                    "contains a NUL byte"):
        tmvlearn.load_dataset("glossary")


def test_an_unbalanced_quote_is_blamed_not_uniqueness(damaged_data):
    def damage(data):
        lines = data.split(b"\n")
        lines[2] = b'"' + lines[2]  # opens a quoted field that never closes where it should
        return b"\n".join(lines)

    _edit_csv(damaged_data, "ev_types", damage)
    with pytest.raises(tmvlearn.DatasetError) as err:
        tmvlearn.load_dataset("ev_types")
    message = str(err.value)
    assert "unbalanced quote" in message and "unique" not in message
    assert message.startswith(f"dataset 'ev_types' ({damaged_data / 'datasets' / 'ev_types.csv'}), line ")


def test_a_duplicate_names_the_second_row(damaged_data):
    _set_cell(damaged_data, "references", 7, "number", "3")  # the number of data row 3
    with pytest.raises(tmvlearn.DatasetError, match=r"column 'number', data row 8 \(line 9\): this value is "
                                                    "already in an earlier row"):
        tmvlearn.load_dataset("references")


def test_the_command_reports_damage_in_one_line(damaged_data, capsys):
    from tmvlearn.cli import main

    _set_cell(damaged_data, "ev_types", 0, "size_min_nm", "inf")
    assert main(["datasets", "ev_types"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("tmvlearn datasets: error: dataset 'ev_types' (")
    assert "Traceback" not in err


def test_the_export_keeps_an_existing_file_unless_forced(tmp_path, capsys):
    from tmvlearn.cli import main

    target = tmp_path / "mine.csv"
    target.write_text("keep me\n")
    assert main(["datasets", "ev_types", "--csv", str(target)]) == 2
    assert "already exists and was left as it is" in capsys.readouterr().err
    assert target.read_text() == "keep me\n"
    assert main(["datasets", "ev_types", "--csv", str(target), "--force"]) == 0
    assert len(pd.read_csv(target)) == 4
    assert [p.name for p in tmp_path.iterdir()] == ["mine.csv"], "no temporary file left"

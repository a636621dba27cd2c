"""The curated datasets: list, load and describe them.

Every dataset is a CSV file under ``data/datasets/`` described by one
`Frictionless Data Package <https://datapackage.org>`_ descriptor,
``data/datapackage.json``: column names, types, units, meanings, allowed
values and sources. The loader reads the descriptor, checks the CSV against it
and returns a typed :class:`pandas.DataFrame`; the test suite validates the
same descriptor in full with the ``frictionless`` library.

Nothing is read at import, and a dataset is read and checked once per process (then copied).
Damage in an installation (a descriptor without a key, a constraint that cannot apply, a CSV with a
NUL byte, an unbalanced quote, a header and no rows, ``inf`` in a number column) gives one
:class:`DatasetError` naming the dataset, the file, the column and, where there is one, the row.

>>> table1 = load_dataset("biomarkers")
>>> len(table1), table1.attrs["title"]
(43, 'Biomarkers of microvesicles (Table 1)')
>>> str(table1["category"].dtype)
'category'
"""

from __future__ import annotations

import copy
import csv
import difflib
import io
import json
import re
from functools import cache
from typing import Any

import pandas as pd

from tmvlearn._resources import data_dir
from tmvlearn.errors import TmvlearnError

__all__ = ["DatasetError", "list_datasets", "load_dataset", "describe_dataset", "sources", "split_refs",
           "clear_cache"]

DESCRIPTOR = "datapackage.json"
SOURCE_KEYS = ("id", "citation", "title", "path")
TYPES = ("string", "number", "integer", "boolean")
NUMERIC = ("number", "integer")
NONFINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


class DatasetError(TmvlearnError, ValueError):
    """A dataset is unknown, missing, unreadable or does not match its descriptor."""


@cache
def _package() -> dict[str, Any]:
    path = data_dir() / DESCRIPTOR
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(
            f"cannot read the dataset descriptor {path}: {exc}. "
            "Reinstall tmvlearn, or restore the file from the repository."
        ) from None


def clear_cache() -> None:
    """Forget the descriptor, schemas and datasets read so far; the next call reads the files again."""
    for cached in (_package, _read_schema_file, _load_checked):
        cached.cache_clear()


def sources() -> list[dict[str, str]]:
    """The source documents of the datasets, from the descriptor's top-level ``sources``.

    Each is a dict with ``id`` (a short key), ``citation`` (as cited in the text), ``title`` (the
    full reference) and ``path`` (its DOI link); a fresh list on every call.

    >>> [source["id"] for source in sources()]
    ['zhu2021', 'pucci2013']
    >>> sources()[1]["citation"]
    'Pucci & Pittet 2013'
    """
    entries = _package().get("sources", [])
    for number, entry in enumerate(entries, 1):
        missing = [key for key in SOURCE_KEYS if not isinstance(entry.get(key), str)]
        if missing:
            raise DatasetError(f"{DESCRIPTOR}: source {number} lacks {', '.join(missing)}; "
                               "every source needs an id, a citation, a title and a path.")
    return [{key: entry[key] for key in SOURCE_KEYS} for entry in entries]


def _resources() -> dict[str, dict[str, Any]]:
    resources = _package().get("resources")
    if not isinstance(resources, list) or not resources:
        raise DatasetError(f"{data_dir() / DESCRIPTOR} has no 'resources' list, so no dataset is described; "
                           "reinstall tmvlearn, or restore the file from the repository.")
    out = {}
    for number, res in enumerate(resources, 1):
        name = res.get("name") if isinstance(res, dict) else None
        if not isinstance(name, str) or not name:
            raise DatasetError(f"{data_dir() / DESCRIPTOR}: resource {number} has no 'name'; every dataset "
                               "needs a name, a path and a schema.")
        for key in ("path", "schema"):
            if not isinstance(res.get(key), (str, dict) if key == "schema" else str):
                raise DatasetError(f"{data_dir() / DESCRIPTOR}: dataset {name!r} has no {key!r}; every "
                                   "dataset needs a name, a path and a schema.")
        out[name] = res
    return out


def list_datasets() -> list[str]:
    """Names of the datasets that :func:`load_dataset` accepts, in descriptor order.

    >>> list_datasets()[:3]
    ['biomarkers', 'ev_types', 'immune_interactions']
    """
    return list(_resources())


def _resource(name: str) -> dict[str, Any]:
    resources = _resources()
    if not isinstance(name, str) or name not in resources:
        close = difflib.get_close_matches(str(name).lower(), resources, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DatasetError(
            f"unknown dataset {name!r}.{hint} Available datasets: {', '.join(resources)}."
        )
    return resources[name]


def _schema(res: dict[str, Any]) -> dict[str, Any]:
    schema = res["schema"]
    where = f"dataset {res['name']!r} ({data_dir() / schema if isinstance(schema, str) else DESCRIPTOR})"
    if isinstance(schema, str):  # a path to a Table Schema file, relative to the package
        schema = _read_schema_file(schema)
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list) or not fields:
        raise DatasetError(f"{where}: the table schema has no 'fields' list; restore the file.")
    for number, field in enumerate(fields, 1):
        if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not field["name"]:
            raise DatasetError(f"{where}: field {number} of the table schema has no 'name'; restore the "
                               "file.")
    return schema


@cache
def _read_schema_file(relpath: str) -> dict[str, Any]:
    path = data_dir() / relpath
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read the table schema {path}: {exc}") from None


def describe_dataset(name: str) -> pd.DataFrame:
    """The data dictionary of a dataset: one row per column.

    Columns: ``type``, ``unit``, ``required``, ``allowed_values`` and
    ``description``, indexed by column name. The dataset's title, description,
    sources and file are in ``.attrs``.

    >>> dictionary = describe_dataset("ev_types")
    >>> dictionary.loc["size_min_nm", ["type", "unit"]].tolist()
    ['number', 'nm']
    >>> dictionary.attrs["file"]
    'datasets/ev_types.csv'
    """
    res = _resource(name)
    rows = []
    for field in _schema(res)["fields"]:
        constraints = field.get("constraints", {})
        rows.append(
            {
                "column": field["name"],
                "type": field.get("type", "string"),
                "unit": field.get("unit", ""),
                "required": bool(constraints.get("required", False)),
                "allowed_values": ", ".join(map(str, constraints.get("enum", []))),
                "description": field.get("description", ""),
            }
        )
    table = pd.DataFrame(rows).set_index("column")
    table.attrs.update(_attrs(res))
    return table


def _attrs(res: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": res["name"],
        "title": res.get("title", res["name"]),
        "description": res.get("description", ""),
        "sources": copy.deepcopy(res.get("sources", [])),
        "file": res["path"],
    }


def load_dataset(name: str) -> pd.DataFrame:
    """Load one dataset as a typed DataFrame (a fresh copy on every call).

    Text columns are ``string``, whole numbers nullable ``Int64``, measurements
    ``float64``, and columns with a fixed list of allowed values ``category``.
    ``DataFrame.attrs`` carries the dataset's name, title, description,
    sources and file. Raises :class:`DatasetError` naming the dataset, file and
    column when the file is missing, unreadable or does not match its descriptor.

    >>> table2 = load_dataset("ev_types")
    >>> table2["vesicle_type"].tolist()
    ['Microvesicles', 'Exosomes', 'Oncosomes', 'Apoptotic bodies']
    >>> table2.loc[0, ["size_min_nm", "size_max_nm"]].tolist()
    [100.0, 1000.0]
    """
    res = _resource(name)
    frame = _load_checked(name).copy(deep=True)
    frame.attrs = _attrs(res)
    return frame


@cache
def _load_checked(name: str) -> pd.DataFrame:
    res = _resource(name)
    path = data_dir() / res["path"]
    where = f"dataset {name!r} ({path})"
    schema = _schema(res)
    fields = schema["fields"]
    for field in fields:
        _check_field(field, where)
    missing_values = schema.get("missingValues", [""])
    raw, lines = _read_csv(path, where, missing_values if isinstance(missing_values, list) else [""])
    expected = [f["name"] for f in fields]
    if list(raw.columns) != expected:
        missing = [c for c in expected if c not in raw.columns]
        extra = [c for c in raw.columns if c not in expected]
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            problems.append(f"column(s) not in the descriptor: {', '.join(extra)}")
        if not problems:
            problems.append(f"columns are out of order; expected {', '.join(expected)}")
        raise DatasetError(f"{where} does not match {DESCRIPTOR}: {'; '.join(problems)}.")

    return pd.DataFrame({f["name"]: _typed_column(raw[f["name"]], f, where, lines) for f in fields})


def _check_field(field: dict[str, Any], where: str) -> None:
    """Refuse a field description the loader cannot apply, naming the column and the problem."""
    name, kind = field["name"], field.get("type", "string")
    at = f"{where}, column {name!r}: the descriptor"
    if kind not in TYPES:
        raise DatasetError(f"{at} gives the type {kind!r}; tmvlearn reads {', '.join(TYPES)}.")
    constraints = field.get("constraints", {})
    if not isinstance(constraints, dict):
        raise DatasetError(f"{at} gives 'constraints' that are not an object.")
    for bound in ("minimum", "maximum"):
        if bound in constraints:
            value = constraints[bound]
            if kind not in NUMERIC:
                raise DatasetError(f"{at} sets a {bound} on a {kind} column; a {bound} applies only to "
                                   "number and integer columns.")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise DatasetError(f"{at} sets the {bound} {value!r}, which is not a number.")
    if "pattern" in constraints:
        try:
            re.compile(constraints["pattern"])
        except (re.error, TypeError) as exc:
            raise DatasetError(f"{at} sets the pattern {constraints['pattern']!r}, which is not a valid "
                               f"regular expression ({exc}).") from None
    if "enum" in constraints and (not isinstance(constraints["enum"], list) or not constraints["enum"]):
        raise DatasetError(f"{at} sets 'enum' to {constraints['enum']!r}; it must be a list of the allowed "
                           "values.")


def _read_csv(path, where: str, missing_values: list[str]) -> tuple[pd.DataFrame, list[int]]:
    """The CSV as text columns (missing values as NA), refusing damage pandas would read past; and the
    file line on which each data row starts, for error messages."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"{where}: the file is missing; reinstall tmvlearn.") from None
    except OSError as exc:
        raise DatasetError(f"{where}: the file cannot be read: {exc.strerror or exc}") from None
    if b"\x00" in data:
        line = data[:data.index(b"\x00")].count(b"\n") + 1
        raise DatasetError(f"{where}, line {line}: the file contains a NUL byte, so it is damaged; "
                           "reinstall tmvlearn, or restore the file from the repository.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DatasetError(f"{where}, line {line}: the file is not UTF-8 text ({exc.reason}); restore it "
                           "from the repository.") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    starts: list[int] = []
    try:
        header = next(reader, None)
        if not header:
            raise DatasetError(f"{where}: the file is empty; restore it from the repository.")
        end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row:
                continue  # a blank line
            if len(row) != len(header):
                raise DatasetError(
                    f"{where}, data row {len(rows) + 1} (line {start}): {len(row)} values, but the header "
                    f"has {len(header)} columns; look for a stray comma or an unbalanced quote (\") on or "
                    "before that line.")
            rows.append(row)
            starts.append(start)
    except csv.Error as exc:
        raise DatasetError(f"{where}, line {reader.line_num}: {exc}; look for an unbalanced quote (\") on "
                           "or before that line.") from None
    if not rows:
        raise DatasetError(f"{where}: the file has a header but no data rows; restore it from the "
                           "repository.")
    missing = set(missing_values)
    columns = {name: pd.Series([None if value in missing else value for value in column], dtype="string")
               for name, column in zip(header, zip(*rows, strict=True), strict=False)}
    return pd.DataFrame(columns), starts


def _typed_column(values: pd.Series, field: dict[str, Any], where: str, lines: list[int]) -> pd.Series:
    name, kind = field["name"], field.get("type", "string")
    constraints = field.get("constraints", {})

    def fail(problem: str, mask: pd.Series) -> DatasetError:
        row = int(mask.to_numpy(dtype=bool, na_value=False).nonzero()[0][0])
        shown = values.iloc[row]
        return DatasetError(
            f"{where}, column {name!r}, data row {row + 1} (line {lines[row]}): {problem} (value {shown!r})."
        )

    if constraints.get("required"):
        missing = values.isna()
        if missing.any():
            raise fail("a value is required", missing)

    present = values.notna()
    if kind in NUMERIC:
        text = values.fillna("").str.strip()
        nonfinite = present & text.str.lower().isin(NONFINITE)
        if nonfinite.any():
            raise fail("not a finite number; inf and NaN are refused (leave the cell empty for a missing "
                       "value)", nonfinite)
    if kind == "integer":
        whole = text.str.fullmatch(r"[+-]?\d+")
        bad = present & ~whole
        if bad.any():
            raise fail("expected a whole number", bad)
        huge = present & (text.str.lstrip("+-").str.lstrip("0").str.len() > 18)
        if huge.any():
            raise fail("a whole number of more than 18 digits is out of range", huge)
        typed = pd.to_numeric(text.where(present, None)).astype("Int64")
    elif kind == "number":
        typed = pd.to_numeric(text.where(present, None), errors="coerce").astype("float64")
        bad = typed.isna() & present
        if bad.any():
            raise fail("expected a number", bad)
    elif kind == "boolean":
        lookup = {"true": True, "false": False}
        typed = values.str.lower().map(lookup).astype("boolean")
        bad = typed.isna() & values.notna()
        if bad.any():
            raise fail("expected true or false", bad)
    else:
        typed = values  # already text

    for bound, op in (("minimum", "lt"), ("maximum", "gt")):
        if bound in constraints:
            bad = getattr(typed, op)(constraints[bound]).fillna(False)
            if bad.any():
                raise fail(f"below the {bound} {constraints[bound]}" if op == "lt"
                           else f"above the {bound} {constraints[bound]}", bad)
    if "pattern" in constraints:
        bad = values.notna() & ~values.fillna("").str.fullmatch(constraints["pattern"]).fillna(False)
        if bad.any():
            raise fail(f"does not match the pattern {constraints['pattern']!r}", bad)
    if constraints.get("unique"):
        bad = values.notna() & values.duplicated(keep="first")
        if bad.any():
            raise fail("this value is already in an earlier row; values must be unique", bad)
    if "enum" in constraints:
        allowed = constraints["enum"]
        bad = values.notna() & ~values.isin([str(v) for v in allowed])
        if bad.any():
            raise fail(f"not one of the allowed values {allowed}", bad)
        typed = typed.astype(pd.CategoricalDtype(allowed))
    return typed.rename(name)


def split_refs(refs: str | float | None) -> list[int]:
    """Reference numbers from a ``refs`` cell such as ``"25,28,29"`` (empty for missing).

    >>> split_refs("25,28,29")
    [25, 28, 29]
    >>> split_refs(None)
    []
    """
    if refs is None or refs is pd.NA or (isinstance(refs, float) and refs != refs):
        return []
    return [int(part) for part in str(refs).replace(" ", "").split(",") if part]

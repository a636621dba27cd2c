"""Spot checks of the curated content against Zhu et al. 2021 (Tables 1 and 2, text, abbreviations).

Each assertion is a fact a reader could look up in the review; a wrong or lost row fails here.
"""

import re

import pandas as pd
import pytest

from tmvlearn import load_dataset
from tmvlearn.datasets import split_refs

SECTIONS = {
    "Introduction", "The Biogenesis of MVs", "Characterization and Cargo of MVs", "Isolation of MVs",
    "Detection of MVs", "Tumor-Derived Microvesicles", "Table 1", "TMVs and the TME",
    "TMVs and Immunosuppression", "TMVs and Invasion", "TMVs and Tumor Metastasis-Related Phenotypes",
    "TMVs and Drug Resistance", "MVs and Intercellular Communication",
    "Differences Between MVs and Other EVs", "Cross-Talk Between MVs and Other EVs", "Table 2",
    "Cancer Vaccines", "Biomarker", "Other Clinical Applications", "Conclusion and Perspective",
}


@pytest.fixture(scope="module")
def bio():
    return load_dataset("biomarkers").set_index("name", drop=False)


@pytest.fixture(scope="module")
def ev():
    return load_dataset("ev_types").set_index("vesicle_type", drop=False)


@pytest.fixture(scope="module")
def refs():
    return load_dataset("references").set_index("number", drop=False)


@pytest.fixture(scope="module")
def glossary():
    return load_dataset("glossary").set_index("term", drop=False)


# --- biomarkers (Table 1) -------------------------------------------------------------

def test_table1_has_every_printed_row_by_class(bio):
    assert len(bio) == 43
    counts = bio["category"].value_counts()
    assert counts["membrane-associated molecule"] == 16
    assert counts["intracellular component"] == 8
    assert counts["nucleic acid"] == 19
    assert list(bio["id"]) == list(range(1, 44))


def test_table1_row_order_and_names_as_printed(bio):
    names = list(bio["name"])
    assert names[0] == "ARF6" and names[-1] == "pDNA"
    assert names[4:6] == ["EGFR", "EGFRvIII"]  # two printed rows sharing one Function cell
    assert names.index("MMP2") == 16  # first intracellular row follows the 16 membrane rows
    assert names.index("miR-19b") == 24  # first nucleic-acid row, on the continued page
    for multi in ("CCL5, CCR6", "CCR6, CX3CR1, CCL2", "Let-7 miRNA family", "EMMPRIN (CD147)"):
        assert multi in names
    # Greek letters as the table prints them, not spelled out.
    assert {"β1-integrin", "IL-1β", "TGF-β"} <= set(names)
    assert not bio["name"].str.contains("beta").any()


def test_arf6_row(bio):
    row = bio.loc["ARF6"]
    assert split_refs(row["refs"]) == [25, 28, 29]
    assert "VAMP3" in row["target"] and "MHC I" in row["target"]
    assert row["category"] == "membrane-associated molecule"


@pytest.mark.parametrize(
    "name, target, refs, cancer",
    [
        ("TGF-β", "NKG2D", [180], "acute myeloid leukemia"),
        ("tTG", "FN", [94], "breast cancer; glioblastoma"),
        ("miR-23a", "CD107a (LAMP1)", [188], pd.NA),
        ("CCL2", "Doxorubicin", [175], "ovarian cancer"),
        ("VAMP3", "MT1-MMP", [28, 170], pd.NA),
        ("uPA", pd.NA, [84, 176], "breast cancer; ovarian cancer; prostate cancer"),
    ],
)
def test_table1_cells(bio, name, target, refs, cancer):
    row = bio.loc[name]
    assert row["target"] is pd.NA if target is pd.NA else row["target"] == target
    assert split_refs(row["refs"]) == refs
    assert row["cancer_types"] is pd.NA if cancer is pd.NA else row["cancer_types"] == cancer


def test_na_is_stored_as_missing_not_as_text(bio):
    assert not bio["target"].isin(["NA", "N/A"]).any()
    assert bio["target"].isna().sum() == 32


def test_origin_abbreviations_are_expanded_through_the_glossary(bio, glossary):
    for _, row in bio.iterrows():
        for abbr in re.findall(r"\b[A-Z]{2,4}\b", row["origin"]):
            if abbr == "RC":  # not in Table 1's list; flagged in note
                assert "renal carcinoma" in row["cancer_types"] and "RC" in row["note"]
                continue
            assert abbr in glossary.index, f"{abbr} in {row['name']!r} origin has no glossary entry"
            assert glossary.loc[abbr, "definition"] in row["cancer_types"], row["name"]


def test_table1_slips_are_flagged(bio):
    assert "transmembrane" in bio.loc["EMMPRIN (CD147)", "note"]
    assert bio.loc["EMMPRIN (CD147)", "category"] == "intracellular component"
    assert "epithelium" in bio.loc["VEGF", "note"]
    assert "epithelium" in bio.loc["EGFR", "note"]
    assert "CRAC" in bio.loc["CCR6, CX3CR1, CCL2", "note"]


# --- ev_types (Table 2) ---------------------------------------------------------------

def test_table2_sizes(ev):
    assert list(ev["vesicle_type"]) == ["Microvesicles", "Exosomes", "Oncosomes", "Apoptotic bodies"]
    sizes = ev[["size_min_nm", "size_max_nm"]].to_dict("index")
    assert sizes["Microvesicles"] == {"size_min_nm": 100, "size_max_nm": 1000}
    assert sizes["Exosomes"] == {"size_min_nm": 40, "size_max_nm": 160}
    assert sizes["Oncosomes"] == {"size_min_nm": 100, "size_max_nm": 4000}
    assert sizes["Apoptotic bodies"] == {"size_min_nm": 50, "size_max_nm": 5000}
    assert ev.loc["Oncosomes", ["large_size_min_nm", "large_size_max_nm"]].tolist() == [1000, 10000]
    assert ev["large_size_min_nm"].notna().sum() == 1


def test_text_size_contradictions_are_noted(ev):
    note = ev.loc["Apoptotic bodies", "note"]
    assert "2000" in note and "122" in note
    assert "1-10 μm" in ev.loc["Oncosomes", "note"]


def test_table2_isolation(ev):
    assert ev.loc["Microvesicles", ["isolation_g_min", "isolation_g_max"]].tolist() == [10000, 20000]
    assert ev.loc["Exosomes", "isolation_g_min"] == 100000
    assert pd.isna(ev.loc["Exosomes", "isolation_g_max"])  # printed as "≥100,000 g"
    assert ev.loc[["Oncosomes", "Apoptotic bodies"], "isolation_g_min"].isna().all()
    assert "magnetophoretic sorting" in ev.loc["Microvesicles", "isolation"].split("; ")
    assert "FACS with CD68 capture" in ev.loc["Exosomes", "detection"].split("; ")  # kept as printed
    assert "CD63" in ev.loc["Exosomes", "markers"].split("; ")


def test_table2_references_row(ev):
    assert split_refs(ev.loc["Microvesicles", "refs"]) == [1, 4, 7, 8, 21, 23, 24, 41, 47, 48, 49, 50]
    assert split_refs(ev.loc["Oncosomes", "refs"]) == [7, 123, 124, 190]


# --- references -----------------------------------------------------------------------

def test_every_reference_number_is_present_once(refs):
    assert list(refs["number"]) == list(range(1, 191))


@pytest.mark.parametrize(
    "number, author",
    [(19, "Poste"), (43, "Lo Cicero"), (44, "Muralidharan Chari"), (25, "Muralidharan-Char"),
     (57, "Al-Nedaw"), (60, "Al-Nedaw"), (105, "Klumper"), (139, "Zhang"), (52, "Baj-Krzyworzeka")],
)
def test_first_authors_as_printed(refs, number, author):
    assert refs.loc[number, "first_author"] == author


def test_unnamed_references_have_no_author(refs):
    assert refs.loc[[1, 2, 110, 166, 190], "first_author"].isna().all()


def test_ref25_spelling_is_flagged(refs):
    assert "Muralidharan Chari" in refs.loc[25, "note"]


def test_cited_in_names_real_sections(refs):
    for value in refs["cited_in"]:
        assert set(value.split("; ")) <= SECTIONS, value
    assert refs.loc[190, "cited_in"] == "Table 2"
    assert set(refs.loc[166:189, "cited_in"]) == {"Table 1"}
    assert "Cancer Vaccines" in refs.loc[138, "cited_in"]  # from the range "Zhang et al138–140"


def test_table_refs_resolve_to_references_cited_in_that_table(bio, ev, refs):
    for dataset, table in ((bio, "Table 1"), (ev, "Table 2")):
        for cell in dataset["refs"]:
            for number in split_refs(cell):
                assert number in refs.index, number
                assert table in refs.loc[number, "cited_in"].split("; "), (table, number)


# --- glossary -------------------------------------------------------------------------

def test_glossary_terms_unique(glossary):
    assert not glossary["term"].duplicated().any()
    assert not glossary["term"].str.lower().duplicated().any()


@pytest.mark.parametrize(
    "term, definition",
    [("TME", "tumor microenvironment"), ("LOs", "large oncosomes"), ("L-MPs", "lung cancer microparticles"),
     ("NA", "not acquired"), ("ESCRT", "endosomal sorting complex required for transport"),
     ("EGFR", "epidermal growth factor receptor"), ("VEGF", "vascular endothelial growth factor")],
)
def test_glossary_definitions(glossary, term, definition):
    assert glossary.loc[term, "definition"] == definition


def test_glossary_flags_conflicting_expansions(glossary):
    assert "epithelium" in glossary.loc["VEGF", "note"] and "epithelial" in glossary.loc["VEGF", "note"]
    assert "epithelium" in glossary.loc["EGFR", "note"]
    assert "no row" in glossary.loc["CRAC", "note"]

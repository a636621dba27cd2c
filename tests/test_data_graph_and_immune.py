"""Spot checks of immune_interactions, clinical_applications and biogenesis against the sources.

Each check is something a reader holding Zhu et al. 2021 or the Pucci & Pittet abstract
would verify by eye: the right cell, study, reference numbers and flagged slips.
"""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest

import tmvlearn
from tmvlearn._resources import data_dir
from tmvlearn.datasets import split_refs

OWNED = ["immune_interactions", "clinical_applications", "biogenesis"]
REFS_FORMAT = re.compile(r"[0-9]+(,[0-9]+)*")


def _rows(frame, **where):
    mask = None
    for column, value in where.items():
        hit = frame[column].astype("string") == value
        mask = hit if mask is None else mask & hit
    return frame[mask.fillna(False)]


@pytest.fixture(scope="module")
def immune():
    return tmvlearn.load_dataset("immune_interactions")


@pytest.fixture(scope="module")
def clinical():
    return tmvlearn.load_dataset("clinical_applications")


@pytest.fixture(scope="module")
def graph():
    edges = tmvlearn.load_dataset("biogenesis")
    g = nx.DiGraph()
    for row in edges.itertuples(index=False):
        assert not g.has_edge(row.source, row.target), f"duplicate edge {row.source} -> {row.target}"
        g.add_edge(row.source, row.target, effect=row.effect, route=row.route,
                   refs=split_refs(row.refs), note="" if row.note is None else str(row.note))
    return g


# --- the files themselves -----------------------------------------------------------------

@pytest.mark.parametrize("name", OWNED)
def test_file_validates_against_its_frictionless_resource(name):
    frictionless = pytest.importorskip("frictionless")
    package = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    (descriptor,) = [res for res in package["resources"] if res["name"] == name]
    report = frictionless.Resource(descriptor, basepath=str(data_dir())).validate()
    problems = [err.message for task in report.tasks for err in task.errors]
    assert report.valid, "\n".join(problems[:10])


@pytest.mark.parametrize("name", OWNED)
def test_refs_cells_are_plain_comma_separated_numbers(name):
    refs = tmvlearn.load_dataset(name)["refs"].dropna()
    bad = [value for value in refs if not REFS_FORMAT.fullmatch(value)]
    assert not bad, f"{name}: refs not written like 25,28,29: {bad}"


# --- immune_interactions --------------------------------------------------------------------

def test_both_source_documents_contribute(immune):
    counts = immune["source_document"].value_counts()
    assert counts["zhu2021"] >= 25 and counts["pucci2013"] >= 4


def test_pucci_rows_cover_the_abstracts_cells_cite_nothing_and_flag_nomenclature(immune):
    pucci = _rows(immune, source_document="pucci2013")
    assert set(pucci["target_cell"]) >= {"T cell", "NK cell", "regulatory T cell", "macrophage",
                                         "myeloid cell"}
    assert (pucci["section"] == "Abstract").all()
    assert pucci["refs"].isna().all(), "the abstract cites no reference numbers"
    for note in pucci["note"]:
        assert "exosomes" in note and "General level" in note


def test_fasl_apoptosis_rows_for_cd4_and_cd8_t_cells(immune):
    fasl = immune[immune["mediator"].str.contains("FasL").fillna(False)]
    cd4 = _rows(fasl, target_cell="CD4+ T cell")
    cd8 = _rows(fasl, target_cell="CD8+ T cell")
    assert list(cd4["refs"]) == ["75"] and list(cd4["cited_author"]) == ["Taylor"]
    assert list(cd8["refs"]) == ["79,80,81"] and "TRAIL" in cd8["pathway"].iloc[0]
    melzani = _rows(fasl, cited_author="Melzani")
    assert list(melzani["refs"]) == ["108"] and "CD95" in melzani["pathway"].iloc[0]


@pytest.mark.parametrize(("author", "refs", "cell"), [
    ("Ma", "67", "macrophage"),
    ("Chen", "71", "macrophage"),
    ("Valenti", "73", "monocyte"),
    ("Cui", "83", "T cell"),
    ("Baj-Krzyworzeka", "52", "monocyte"),
    ("Dong", "137", "dendritic cell"),
    ("Pack", "143", "CD8+ T cell"),
])
def test_named_studies_have_their_reference_and_cell(immune, author, refs, cell):
    rows = _rows(immune, cited_author=author)
    assert len(rows) == 1, author
    assert rows["refs"].iloc[0] == refs and rows["target_cell"].iloc[0] == cell


def test_m2_polarisation_pathway_and_nk_rows_from_table_1(immune):
    ma = _rows(immune, cited_author="Ma")
    assert ma["pathway"].iloc[0] == "cGAS/STING/TBK1/STAT6" and ma["tumor_consequence"].iloc[0] == "pro-tumor"
    table1 = _rows(immune, section="Table 1")
    assert set(table1["refs"]) == {"180", "188"} and set(table1["target_cell"]) == {"NK cell"}
    assert "NKG2D" in _rows(table1, refs="180")["pathway"].iloc[0]
    assert "CD107a" in _rows(table1, refs="188")["pathway"].iloc[0]


def test_tregs_and_il2_rows_cite_ref_74(immune):
    rows = _rows(immune, refs="74")
    assert set(rows["target_cell"]) == {"regulatory T cell", "NK cell", "CD8+ T cell"}


def test_lung_macrophage_ccl2_chain_flags_the_attacked_slip(immune):
    zhang = _rows(immune, cited_author="Zhang")
    assert len(zhang) == 2 and set(zhang["refs"]) == {"91"}
    assert zhang["note"].str.contains("attacked by CCL2").any()


def test_every_context_dependent_row_and_every_unreferenced_review_row_explains_itself(immune):
    context = _rows(immune, tumor_consequence="context-dependent")
    assert 1 <= len(context) <= 4, "context-dependent is meant to be rare"
    assert context["note"].str.contains("context-dependent").all()
    unreferenced = immune[(immune["source_document"] == "zhu2021") & immune["refs"].isna()]
    assert len(unreferenced) >= 1
    assert unreferenced["note"].str.contains(r"[Nn]o reference").all()


def test_anti_tumor_rows_are_the_dc_and_vaccine_interactions(immune):
    anti = _rows(immune, tumor_consequence="anti-tumor")
    assert set(anti["section"]) <= {"Cancer Vaccines", "TMVs and Immunosuppression"}
    assert "72" in set(anti["refs"].dropna())


# --- clinical_applications ------------------------------------------------------------------

def test_every_biomarker_row_names_a_marker_and_a_cancer_or_says_none_is_named(clinical):
    biomarkers = _rows(clinical, application="biomarker")
    assert len(biomarkers) >= 9
    assert biomarkers["marker_or_cargo"].notna().all()
    unnamed = biomarkers[biomarkers["cancer_type"].isna()]
    assert unnamed["note"].str.contains("names no cancer type").all()
    assert len(unnamed) <= 3


def test_pkm2_row_is_hou_in_hcc_plasma(clinical):
    pkm2 = clinical[clinical["marker_or_cargo"].str.contains("PKM2")]
    assert len(pkm2) == 1
    row = pkm2.iloc[0]
    assert row["study"] == "Hou" and row["refs"] == "146"
    assert "HCC" in row["cancer_type"] and row["body_fluid"] == "plasma"


def test_saliva_markers_are_lung_cancer_and_oscc(clinical):
    saliva = _rows(clinical, body_fluid="saliva")
    assert set(saliva["refs"]) == {"152", "153"}
    assert {"lung cancer", "oral squamous cell carcinoma (OSCC)"} == set(saliva["cancer_type"])


@pytest.mark.parametrize(("application", "study", "refs"), [
    ("vaccine", "Dong", "137"), ("vaccine", "Pineda", "141"), ("vaccine", "Parenky", "142"),
    ("vaccine", "Pack", "143"), ("vaccine", "Bommireddy", "144"),
    ("biomarker", "Muralidharan-Char", "25"), ("biomarker", "Smalley", "147"),
    ("biomarker", "Baran", "150"), ("biomarker", "Balaj", "151"), ("biomarker", "Krishnan", "159"),
    ("delivery", "Ma", "155"), ("delivery", "Tang", "156"), ("delivery", "Ran", "17"),
    ("delivery", "Saari", "158"), ("delivery", "Chen", "160"),
])
def test_named_clinical_studies(clinical, application, study, refs):
    rows = _rows(clinical, study=study, refs=refs)
    assert list(rows["application"]) == [application]


def test_two_zhong_studies_and_the_myeloma_rows(clinical):
    assert set(_rows(clinical, study="Zhong")["refs"]) == {"38", "153"}
    myeloma = clinical[clinical["cancer_type"].str.contains("myeloma").fillna(False)]
    assert set(myeloma["refs"]) == {"98", "159"}
    assert "CD138+/CD41a-" in _rows(myeloma, refs="159")["marker_or_cargo"].iloc[0]


def test_approval_claim_is_kept_and_flagged_against_the_conclusion(clinical):
    ref157 = _rows(clinical, refs="157")
    assert len(ref157) == 2 and (ref157["application"] == "delivery").all()
    assert ref157["outcome"].str.contains("approved").any()
    for note in ref157["note"]:
        assert "Phase I" in note and "163-165" in note


def test_figure_3_mir_145a_and_immunosuppressants_slips_are_flagged(clinical):
    notes = " ".join(clinical["note"].dropna())
    assert "miR-145a" in notes and "miR-145 (not miR-145a)" in notes
    assert "'immunosuppressants'" in _rows(clinical, study="Pack")["note"].iloc[0]


# --- biogenesis --------------------------------------------------------------------------------

def test_mv_shedding_is_the_single_sink_every_node_reaches(graph):
    assert nx.is_directed_acyclic_graph(graph)
    sinks = [node for node in graph if graph.out_degree(node) == 0]
    assert sinks == ["MV shedding"]
    cut_off = [node for node in graph
               if node != "MV shedding" and not nx.has_path(graph, node, "MV shedding")]
    assert not cut_off


def test_calcium_route_alone_reaches_shedding_through_the_enzymes(graph):
    calcium = graph.edge_subgraph([(s, t) for s, t, d in graph.edges(data=True) if d["route"] == "calcium"])
    assert nx.has_path(calcium, "intracellular Ca2+", "MV shedding")
    assert graph["calpain"]["aminophospholipid translocases"]["effect"] == "inhibits"
    assert graph["calpain"]["scramblase"]["effect"] == "activates"
    assert graph["actin cytoskeleton depolymerisation"]["MV shedding"]["refs"] == [23, 24]
    assert "floppies" in graph["aminophospholipid translocases"]["phospholipid asymmetry loss"]["note"]


def test_arf6_chain_to_mlck_and_contraction(graph):
    chain = ["ARF6", "PLD", "ERK", "MLCK", "MLC phosphorylation", "actomyosin contraction", "MV shedding"]
    for upstream, downstream in zip(chain, chain[1:], strict=False):
        edge = graph[upstream][downstream]
        assert edge["route"] == "ARF6" and edge["effect"] != "inhibits", (upstream, downstream)
    for upstream, downstream in zip(chain[:3], chain[1:4], strict=True):
        assert graph[upstream][downstream]["refs"] == [25, 28, 32]
    assert "degradation" in graph["ARF6"]["PLD"]["note"]


def test_the_blocking_mlc_phosphorylation_contradiction_is_kept_and_flagged(graph):
    edge = graph["MLC phosphorylation"]["MV shedding"]
    assert edge["effect"] == "inhibits" and edge["refs"] == [25]
    assert "Contradiction" in edge["note"]
    assert {"PKC", "ARF6-GDP"} <= set(graph.predecessors("MLC phosphorylation"))


def test_rhoa_and_rab22a_routes(graph):
    assert set(graph.successors("RhoA")) == {"ARF6", "ARF1", "ROCK", "LIMK"}
    assert graph["RhoA"]["ARF1"]["refs"] == [37]
    assert graph["LIMK"]["actomyosin contraction"]["refs"] == [35, 36]
    assert nx.shortest_path(graph, "hypoxia", "MV shedding") == ["hypoxia", "Rab22a", "MV shedding"]


def test_inhibiting_a_node_cuts_exactly_the_steps_that_depend_on_it(graph):
    # Without the Ca2+-dependent enzymes, Ca2+ released from the ER has no way to shedding,
    # while raised cytosolic Ca2+ still acts through MLCK and the direct asymmetry step.
    without_calpain = graph.copy()
    without_calpain.remove_node("calpain")
    assert not nx.has_path(without_calpain, "ER Ca2+ release", "MV shedding")
    assert nx.has_path(without_calpain, "intracellular Ca2+", "MV shedding")
    # Without ARF6, RhoA still reaches shedding through ROCK, LIMK and ARF1.
    without_arf6 = graph.copy()
    without_arf6.remove_node("ARF6")
    assert nx.has_path(without_arf6, "RhoA", "MV shedding")
    assert not nx.has_path(without_arf6, "RhoA", "PLD")

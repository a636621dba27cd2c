"""Content fixes checked against the sources (issue 13): what a test can hold, it holds here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tmvlearn import datasets
from tmvlearn._resources import data_dir, notebooks_dir
from tmvlearn.models.resistance import ResistanceParams, simulate_resistance


def markdown(lesson: str) -> str:
    nb = json.loads((notebooks_dir() / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def question(bank: str, qid: str) -> dict:
    data = yaml.safe_load((data_dir() / "quizzes" / f"{bank}.yaml").read_text(encoding="utf-8"))
    return next(q for q in data["questions"] if q["id"] == qid)


def test_toy_model_starting_share_matches_the_lesson():
    p = ResistanceParams()
    share = p.resistant_genetic0 / (p.sensitive0 + p.resistant_genetic0 + p.resistant_acquired0)
    text = " ".join(markdown("04_tumor_microenvironment").split())
    stated = re.search(r"genetically resistant\* cells > \(make their own P-gp; they start at ([\d.]+) "
                       r"of the capacity beside ([\d.]+) sensitive cells, so (\d+) % of > the cells\)", text)
    assert stated, "the lesson states the starting share"
    assert float(stated.group(1)) == p.resistant_genetic0 and float(stated.group(2)) == p.sensitive0
    assert int(stated.group(3)) == round(100 * share) == 2
    untreated = simulate_resistance(drug=False, transfer_rate=0.0)["fraction_resistant"]
    assert round(float(untreated.iloc[0]), 2) == round(share, 2)


def test_irradiation_question_has_the_tmvs_irradiated_and_the_conclusions_refs():
    q = question("07_review", "rev-irradiation-twice")
    assert "irradiated TMVs (IR-TMVs)" in q["answer"] and "irradiated C6 glioma cells" not in q["answer"]
    assert {34, 141, 154, 161} <= set(q["source"]["refs"])
    immune = datasets.load_dataset("immune_interactions")
    assert immune.loc[immune["refs"] == "141", "mediator"].str.contains("irradiated TMVs").all()


def test_lesson_sources_question_counts_rows_and_knows_the_methods_section():
    q = question("07_review", "rev-lesson-sources")
    rows = len(datasets.load_dataset("biomarkers"))
    assert rows == 43
    table1 = next(p["left"] for p in q["pairs"] if p["right"] == "Table 1")
    assert table1.startswith("Forty-three rows") and "molecules with" not in table1
    assert "no methods section" not in q["explanation"]
    assert "Methods for MVs Isolation and Detection" in q["explanation"]


def test_angiogenesis_matching_has_one_right_answer_per_cargo():
    q = question("04_tumor_microenvironment", "tme-angio-cargo")
    assert not any("thrombosis" in spare or "platelet" in spare for spare in q["extra_right"]), \
        "TF-positive TMVs do activate platelets (ref 64): that cannot be the spare option"


def test_references_keep_what_the_review_prints_and_flag_it():
    refs = datasets.load_dataset("references").set_index("number")
    assert "intracellular communication" in refs.loc[9, "topic"] and "printed" in refs.loc[9, "note"]
    assert "brain microvascular epithelial cells" in refs.loc[41, "topic"]
    assert "printed" in refs.loc[41, "note"]
    for number in (57, 60):
        assert refs.loc[number, "first_author"] == "Al-Nedaw"
        assert "misspelling" in refs.loc[number, "note"] and "Al-Nedawi" in refs.loc[number, "note"]
    lesson = markdown("04_tumor_microenvironment")
    assert "Al-Nedaw" in lesson and "Al-Nedawi" in lesson


def test_marker_notes_do_not_put_mmps_on_the_surface():
    biomarkers = datasets.load_dataset("biomarkers").set_index("name")
    for name in ("MMP2", "MMP9"):
        assert "surface marker" not in biomarkers.loc[name, "note"]
    refs = datasets.load_dataset("references")
    assert not refs["topic"].fillna("").str.contains("surface marker").any()


def test_datapackage_licence_agrees_with_the_source_record():
    package = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    # the citation records stay in the repository (seeds/ is not installed with the package)
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    seed = yaml.safe_load((seeds / "zhu2021.yaml").read_text(encoding="utf-8"))
    non_commercial = "NonCommercial" in seed["licence"]
    (licence,) = package["licenses"]
    assert ("-NC-" in licence["name"]) == non_commercial and "licenseNote" in package
    assert "Zhu L" not in json.dumps(package), "the sources do not give the first author's initial"


def test_pathway_prose_says_via_not_a_sequence():
    text = " ".join(markdown("01_biogenesis").split())
    assert "main chain runs" not in text
    assert "does not put them in order" in text and "modelling choice" in text
    assert "far fewer" not in text and "cut sharply" not in text
    beyond = text.index("**Beyond the sources.** Hypoxia")
    assert "common inside solid tumours" in text[beyond:beyond + 200], "marked as beyond the sources"
    q = question("01_biogenesis", "bio-rab22a-condition")
    assert "sharply" not in q["prompt"] and "solid tumours" not in q["feedback"]["wrong"]


def test_the_leukaemia_mvs_carry_mir21_and_the_cell_line_is_not_named_unmarked():
    text = " ".join(markdown("04_tumor_microenvironment").split())
    assert "leukaemia MVs carrying miR-21 or miR-29a" not in text
    assert "from a breast cancer cell line" not in text and "does not say what cells" in text


@pytest.mark.parametrize("lesson", ["04_tumor_microenvironment", "06_clinical_uses"])
def test_the_figure_3_p_gp_contradiction_is_taught_where_lesson_7_points(lesson):
    text = " ".join(markdown(lesson).split())
    assert "Figure 3" in text and "P-gp" in text and "*reverse*" in text
    review = " ".join(markdown("07_review").split())
    assert "(Lessons 4, 6)" in review


def test_figure_3_biomarker_list_is_flagged_in_lesson_6():
    text = " ".join(markdown("06_clinical_uses").split())
    assert "Figure 3 and the text disagree" in text and "bladder" in text and "ref 147" in text


def test_route_match_cites_melzanis_section_and_the_dc_note_is_exact():
    q = question("05_immune_interactions", "imm-route-match")
    assert "MVs and Intercellular Communication" in q["source"]["section"]
    nb = json.loads((notebooks_dir() / "05_immune_interactions.ipynb").read_text(encoding="utf-8"))
    note = next("".join(c["source"]) for c in nb["cells"] if "refs 72/73" in "".join(c["source"]))
    assert "ref 72, is not a vaccine study" in " ".join(note.split())


def test_committed_lessons_use_the_kernelspec_jupyterlab_writes():
    from jupyter_client.kernelspec import KernelSpecManager

    installed = KernelSpecManager().get_kernel_spec("python3").display_name
    for path in sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb")):
        spec = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
        assert spec["name"] == "python3" and spec["display_name"] == installed, path.name

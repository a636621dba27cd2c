"""Forgiving answers: every short-text question and exercise accepts the ways a learner writes its key
(synonyms the sources use, current names of renamed proteins, words around the key) and still refuses
the near-misses (the opposite condition, a neighbouring protein, a different family member).

Graded through the public API, ``Question.check``, on the shipped banks. A short-text question added
to a bank without a row here fails ``test_every_short_text_question_has_a_row``.
"""

from __future__ import annotations

import pytest

from tmvlearn.quiz.bank import all_questions

QUESTIONS = all_questions()

# id -> (phrasings that must grade right, near-misses that must grade wrong)
TABLE: dict[str, tuple[list[str], list[str]]] = {
    # Lesson 00 exercise: the first author of ref 19 (Poste et al.).
    "start-ref-nineteen": (
        ["Poste", "poste", "POSTE", "Poste et al.", "Poste et al", "Poste and colleagues", "G. Poste",
         "Poste G", "Poste, G.", "George Poste", " Poste. "],
        ["Zhu", "Post", "Postel", "Poste 1980", "Hodgkin", "Nicolson"],
    ),
    # Lesson 01: Rab22a knockdown matters under hypoxia (Zhu et al. 2021, Biogenesis, ref 34).
    "bio-rab22a-condition": (
        ["hypoxia", "Hypoxia", "hypoxic", "hypoxic conditions", "under hypoxic conditions",
         "under hypoxia", "in hypoxia", "during hypoxia", "hypoxia-induced", "hypoxic environment",
         "a hypoxic microenvironment", "low oxygen", "low O2", "low O₂",
         "Low O2 levels", "low-oxygen conditions", "low oxygen tension", "reduced oxygen",
         "decreased oxygen levels", "under low oxygen", "lack of oxygen", "a lack of oxygen",
         "shortage of oxygen", "oxygen deprivation", "O2 deprivation", "oxygen deficiency",
         "oxygen shortage", "oxygen-deprived conditions", "oxygen-poor environment",
         "not enough oxygen", "too little oxygen", "low levels of oxygen", "deprived of oxygen",
         "Hypoxia."],
        ["normoxia", "normoxic", "normoxic conditions", "non-hypoxic conditions", "non-hypoxic",
         "without hypoxia", "hyperoxia", "high oxygen", "normal oxygen", "oxygen", "anoxia",
         "breast cancer", "hypoglycemia", "low glucose", "high O2"],
    ),
    # Lesson 02: the ELISA marker, annexin V = annexin A5 (Detection of MVs, ref 21).
    "ev-elisa-target": (
        ["annexin V", "Annexin V", "annexin-V", "annexin 5", "annexin-5", "annexin A5", "Annexin A5",
         "annexin-A5", "ANXA5", "AnxA5", "Anx5", "annexinV", "annexin five", "the annexin V protein",
         "Annexin V (annexin A5)", "Annexin V."],
        ["annexin", "annexin A1", "annexin II", "annexin A2", "annexin 1", "annexin IV",
         "phosphatidylserine", "CD63", "EMMPRIN", "CD40", "ANXA1"],
    ),
    # Lesson 03: EMMPRIN's CD number (Characterization and Cargo, Table 1).
    "cargo-emmprin-alias": (
        ["CD147", "cd147", "CD 147", "CD-147", "EMMPRIN (CD147)", "CD147."],
        ["CD174", "CD471", "CD14", "CD40", "CD44H", "CD63", "basigin", "EMMPRIN", "147"],
    ),
    # Lesson 03 exercise: the cancer named in the most Table 1 rows (split, explode, count).
    "cargo-ex-top-cancer": (
        ["breast cancer", "Breast cancer", "breast", "breast cancers", "breast carcinoma",
         "breast tumor", "breast tumours", "BC", "breast cancer (BC)", "mammary carcinoma"],
        ["colorectal cancer", "ovarian cancer", "CRC", "OC", "lung cancer", "renal carcinoma",
         "prostate cancer", "breast cancer; ovarian cancer"],
    ),
    # Lesson 03 exercise: the Table 1 row whose targets include VAMP3.
    "cargo-ex-vamp3-target": (
        ["ARF6", "arf6", "Arf6", "ARF-6", "ARF 6", "ADP-ribosylation factor 6",
         "ADP ribosylation factor 6", "ADP-ribosylation factor 6 (ARF6)"],
        ["VAMP3", "ARF1", "ARF", "MT1-MMP", "Rab22a", "V-SNARE", "ARF66"],
    ),
    # Lesson 05: the cytokine MDSCs secrete (TMVs and Immunosuppression, refs 8, 56).
    "imm-mdsc-cytokine": (
        ["TGF-β", "TGF-beta", "TGF beta", "TGFβ", "TGFb", "TGF-b", "tgf-B", "TGF-ß", "TGF-β1",
         "TGF-beta1", "TGF-beta 1", "TGF β1", "transforming growth factor beta",
         "transforming growth factor-beta", "transforming growth factor-β", "Transforming growth factor β1",
         "transforming growth factor beta (TGF-β)", "TGF-β."],
        ["TGF", "TGF-α", "TGF-alpha", "IL-2", "IL-1β", "IL-10", "TNF", "IFN-γ", "IL-6",
         "transforming growth factor alpha", "VEGF"],
    ),
    # Lesson 06: the HCC plasma marker, pyruvate kinase M2 (Biomarker, ref 146).
    "clin-hcc-plasma-marker": (
        ["PKM2", "pkm2", "PKM-2", "PK-M2", "PKM 2", "pyruvate kinase M2", "Pyruvate kinase M2",
         "pyruvate kinase isoform M2", "pyruvate kinase isozyme M2", "pyruvate kinase M2 isoform",
         "pyruvate kinase, M2", "pyruvate kinase muscle isozyme M2", "M2-PK", "tumor M2-PK",
         "pyruvate kinase M2 (PKM2)"],
        ["pyruvate kinase", "PKM", "PKM1", "pyruvate kinase M1", "PK", "EMMPRIN", "resistin",
         "MAGE-1", "hexokinase 2", "PKM22"],
    ),
    # Lesson 07: what TRCs stands for (Other Clinical Applications, refs 154, 155; the abstract's
    # "tumor regenerative cells" names the same cells).
    "rev-glossary-trcs": (
        ["tumor repopulating cells", "tumour repopulating cells", "Tumor-repopulating cells",
         "tumor repopulating cell", "tumor re-populating cells", "repopulating tumor cells",
         "stem-cell-like tumor repopulating cells", "tumor repopulating", "tumor regenerative cells"],
        ["tumor regulatory cells", "T regulatory cells", "Tregs", "tumor reactive cells",
         "tumor-resident cells", "cancer stem cells", "tumor cells"],
    ),
    # Lesson 08: what MDSCs stands for (TMVs and Immunosuppression).
    "due-card-mdscs": (
        ["myeloid-derived suppressive cells", "myeloid-derived suppressor cells",
         "Myeloid derived suppressor cells", "myeloid derived suppressive cells",
         "myeloid-derived suppressor cell", "myeloid derived-suppressor cells",
         "myeloid-derived suppressor", "myeloid-derived suppressor cells (MDSCs)"],
        ["mesenchymal-derived stem cells", "myeloid dendritic cells", "myeloid-derived stem cells",
         "monocyte-derived suppressor cells", "macrophage-derived suppressor cells",
         "myeloid cells", "regulatory T cells"],
    ),
}

SHORT_TEXT = sorted(qid for qid, q in QUESTIONS.items() if q.type == "short_text")
RIGHT = [(qid, text) for qid, (right, _) in TABLE.items() for text in right]
WRONG = [(qid, text) for qid, (_, wrong) in TABLE.items() for text in wrong]


def test_every_short_text_question_has_a_row():
    missing = [qid for qid in SHORT_TEXT if qid not in TABLE]
    assert not missing, f"add learner phrasings and near-misses for: {', '.join(missing)}"
    stale = [qid for qid in TABLE if qid not in SHORT_TEXT]
    assert not stale, f"rows for questions that are no longer short text: {', '.join(stale)}"


@pytest.mark.parametrize("qid", sorted(TABLE))
def test_each_row_tries_several_phrasings_and_near_misses(qid):
    right, wrong = TABLE[qid]
    assert len(right) >= 5 and len(wrong) >= 5, qid
    assert QUESTIONS[qid].accepted[0] in right, "the key itself is among the phrasings"


@pytest.mark.parametrize(("qid", "text"), RIGHT, ids=[f"{q}:{t}" for q, t in RIGHT])
def test_learner_phrasing_is_right(qid, text):
    result = QUESTIONS[qid].check(text)
    assert result.correct and result.score == 1.0, (qid, text, result)


@pytest.mark.parametrize(("qid", "text"), WRONG, ids=[f"{q}:{t}" for q, t in WRONG])
def test_near_miss_stays_wrong(qid, text):
    result = QUESTIONS[qid].check(text)
    assert not result.correct and result.score < 1.0, (qid, text, result)
    assert result.feedback, "a wrong answer always gets feedback"


def _grid(spec):
    """Every value a variant parameter can take ({min, max, step}, {values: [...]} or a fixed value)."""
    values = getattr(spec, "values", None)
    if values is not None:
        return list(values)
    if getattr(spec, "min", None) is None:
        return [spec]
    out, x = [], spec.min
    while x <= spec.max + 1e-9:
        out.append(x)
        x += spec.step
    return out


@pytest.mark.parametrize("qid", ["clin-clinic-npv", "clin-screening-ppv"])
def test_a_predictive_value_never_equals_the_specificity_or_sensitivity_it_is_confused_with(qid):
    """Confusing the NPV with the specificity (or the PPV with either rate) must never grade right:
    the variant's ranges keep the key away from both for every combination they allow."""
    from itertools import product

    from tmvlearn.models.diagnostics import predictive_values

    q = QUESTIONS[qid]
    params = q.variant.params
    names = ["sensitivity_pct", "specificity_pct", "prevalence_pct"]
    combos = list(product(*(_grid(params[n]) for n in names)))
    assert len(combos) >= 20, combos
    for se, sp, prev in combos:
        ppv, npv = predictive_values(se / 100, sp / 100, prev / 100)
        key = 100 * (npv if qid == "clin-clinic-npv" else ppv)
        for confused in (se, sp):
            assert abs(key - confused) > 2 * q.tolerance, (qid, se, sp, prev, key)

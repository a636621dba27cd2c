"""Diagnostic accuracy: hand-counted 2x2 tables, Bayes' rule, ROC/AUC against Mann-Whitney."""

import numpy as np
import pandas as pd
import pytest

from tmvlearn.models import diagnostics as dx


def small_cohort():
    return pd.DataFrame({"group": ["patient"] * 4 + ["control"] * 4,
                         "simulated_marker_level": [5, 4, 3, 1, 3, 2, 1, 0.5]})


def test_confusion_counts_by_hand():
    c = dx.confusion_counts(small_cohort(), 3)
    assert c == {"tp": 3, "fn": 1, "fp": 1, "tn": 3}
    assert dx.sensitivity_specificity(small_cohort(), 3) == (0.75, 0.75)


def test_predictive_values_by_bayes():
    ppv, npv = dx.predictive_values(0.9, 0.8, 0.1)
    assert ppv == pytest.approx(0.09 / (0.09 + 0.18))
    assert npv == pytest.approx(0.72 / (0.72 + 0.01))
    # the same test loses predictive value when the disease is rarer
    assert dx.predictive_values(0.9, 0.8, 0.01)[0] < ppv
    assert dx.predictive_values(0.0, 1.0, 0.1) == (None, pytest.approx(0.9))
    with pytest.raises(ValueError, match="prevalence"):
        dx.predictive_values(0.9, 0.8, 0)


def test_expected_counts_add_up():
    c = dx.expected_counts(0.9, 0.8, 0.1, n=1000)
    assert c == pytest.approx({"tp": 90, "fn": 10, "fp": 180, "tn": 720})


def test_auc_matches_mann_whitney():
    cohort = dx.simulate_cohort(seed=5)
    pos = cohort.loc[cohort.group == "patient", "simulated_marker_level"].to_numpy()
    neg = cohort.loc[cohort.group == "control", "simulated_marker_level"].to_numpy()
    diff = pos[:, None] - neg[None, :]
    u = (diff > 0).sum() + 0.5 * (diff == 0).sum()
    assert dx.auc(dx.roc_curve(cohort)) == pytest.approx(u / (len(pos) * len(neg)))


def test_auc_with_ties_and_endpoints():
    roc = dx.roc_curve(small_cohort())
    assert (roc.iloc[0].fpr, roc.iloc[0].tpr) == (0, 0)
    assert (roc.iloc[-1].fpr, roc.iloc[-1].tpr) == (1, 1)
    # pairs: patient wins 12, ties 2 (3-3, 1-1), of 16 -> (12 + 1) / 16
    assert dx.auc(roc) == pytest.approx(13 / 16)


def test_cohort_is_simulated_and_seeded():
    a, b = dx.simulate_cohort(seed=2), dx.simulate_cohort(seed=2)
    assert a.equals(b)
    assert a.attrs["simulated"] and "SIMULATED" in a.attrs["description"]
    assert np.all(a["simulated_marker_level"] > 0)
    with pytest.raises(ValueError, match="sigma"):
        dx.simulate_cohort(sigma=0)
    with pytest.raises(ValueError, match="threshold"):
        dx.confusion_counts(a, float("nan"))

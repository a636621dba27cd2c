"""Diagnostic accuracy of a marker: a SIMULATED cohort, ROC curve and predictive values.

The review proposes TMV contents as cancer biomarkers (Zhu et al. 2021, section
"Biomarker", refs 25,38,146-153) and notes that detection sensitivity is a major
hurdle (ref 162). It reports no accuracy figures, so this module SIMULATES a
cohort to teach the ideas: marker levels (arbitrary units) drawn log-normal in
patients and controls, seeded. A test is positive when the level is at or above
the threshold.

A test with 90% sensitivity and 80% specificity, used where 5% of those tested are ill: fewer
than one positive in five is a true positive.

>>> ppv, npv = predictive_values(sensitivity=0.9, specificity=0.8, prevalence=0.05)
>>> round(ppv, 3), round(npv, 3)
(0.191, 0.993)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "simulate_cohort", "confusion_counts", "sensitivity_specificity", "predictive_values",
    "roc_curve", "auc", "expected_counts",
]

LEVEL = "simulated_marker_level"


def simulate_cohort(
    n_patients: int = 150,
    n_controls: int = 150,
    patient_median: float = 3.0,
    control_median: float = 1.5,
    sigma: float = 0.55,
    seed: int = 0,
) -> pd.DataFrame:
    """A SIMULATED cohort: ``group`` ('patient'/'control') and ``simulated_marker_level`` (a.u.).

    Levels are log-normal with the given medians (arbitrary units) and log-scale
    spread ``sigma``; ``attrs`` describe the simulation.

    >>> cohort = simulate_cohort(n_patients=100, n_controls=200, seed=1)
    >>> cohort["group"].value_counts().to_dict(), cohort.attrs["simulated"]
    ({'control': 200, 'patient': 100}, True)
    """
    for name, n in (("n_patients", n_patients), ("n_controls", n_controls)):
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be a whole number of at least 1 (got {n!r}).")
    for name, v in (("patient_median", patient_median), ("control_median", control_median), ("sigma", sigma)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a positive number (got {v!r}).")
    rng = np.random.default_rng(seed)
    levels = np.concatenate([
        rng.lognormal(math.log(patient_median), sigma, n_patients),
        rng.lognormal(math.log(control_median), sigma, n_controls),
    ])
    cohort = pd.DataFrame({
        "group": pd.Categorical(["patient"] * n_patients + ["control"] * n_controls,
                                categories=["patient", "control"]),
        LEVEL: levels,
    })
    cohort.attrs.update(
        simulated=True,
        description=(f"SIMULATED cohort: {n_patients} patients, {n_controls} controls; marker level "
                     f"log-normal, median {patient_median} vs {control_median} a.u., sigma {sigma}; "
                     f"seed {seed}. Not real patient data."),
    )
    return cohort


def _levels(cohort: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if "group" not in cohort or LEVEL not in cohort:
        raise ValueError(f"cohort needs the columns 'group' and {LEVEL!r}; make one with simulate_cohort().")
    group = cohort["group"].astype(str).to_numpy()
    levels = cohort[LEVEL].to_numpy(dtype=float)
    pos, neg = levels[group == "patient"], levels[group == "control"]
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("cohort needs at least one patient and one control.")
    return pos, neg


def confusion_counts(cohort: pd.DataFrame, threshold: float) -> dict[str, int]:
    """True/false positives and negatives (``tp``, ``fn``, ``fp``, ``tn``) at ``threshold``.

    >>> import pandas as pd
    >>> tiny = pd.DataFrame({"group": ["patient"] * 4 + ["control"] * 4,
    ...                      "simulated_marker_level": [1.0, 2.5, 3.0, 4.0, 0.5, 1.0, 1.5, 2.5]})
    >>> confusion_counts(tiny, threshold=2.0)
    {'tp': 3, 'fn': 1, 'fp': 1, 'tn': 3}
    """
    if not isinstance(threshold, (int, float, np.floating)) or math.isnan(threshold):
        raise ValueError(f"threshold must be a number (got {threshold!r}).")
    pos, neg = _levels(cohort)
    tp = int(np.sum(pos >= threshold))
    fp = int(np.sum(neg >= threshold))
    return {"tp": tp, "fn": len(pos) - tp, "fp": fp, "tn": len(neg) - fp}


def sensitivity_specificity(cohort: pd.DataFrame, threshold: float) -> tuple[float, float]:
    """(sensitivity, specificity) of 'level >= threshold' in the cohort.

    >>> import pandas as pd
    >>> tiny = pd.DataFrame({"group": ["patient"] * 4 + ["control"] * 4,
    ...                      "simulated_marker_level": [1.0, 2.5, 3.0, 4.0, 0.5, 1.0, 1.5, 2.5]})
    >>> sensitivity_specificity(tiny, threshold=2.0)
    (0.75, 0.75)
    >>> sensitivity_specificity(tiny, threshold=3.0)  # a higher threshold: fewer positives
    (0.5, 1.0)
    """
    c = confusion_counts(cohort, threshold)
    return c["tp"] / (c["tp"] + c["fn"]), c["tn"] / (c["tn"] + c["fp"])


def _check_prob(name: str, value: float, open_interval: bool = False) -> float:
    ok = isinstance(value, (int, float, np.floating)) and (
        0 < value < 1 if open_interval else 0 <= value <= 1)
    if not ok:
        span = "strictly between 0 and 1" if open_interval else "between 0 and 1"
        raise ValueError(f"{name} must be a proportion {span} (got {value!r}).")
    return float(value)


def predictive_values(sensitivity: float, specificity: float,
                      prevalence: float) -> tuple[float | None, float | None]:
    """(PPV, NPV) by Bayes' rule at ``prevalence``; None where undefined.

    PPV is undefined when nobody tests positive (sensitivity 0 and specificity 1),
    NPV when nobody tests negative.

    >>> ppv, npv = predictive_values(0.9, 0.8, prevalence=0.05)
    >>> round(ppv, 3), round(npv, 3)
    (0.191, 0.993)
    >>> round(predictive_values(0.9, 0.8, prevalence=0.5)[0], 3)  # the same test where half are ill
    0.818
    >>> predictive_values(0.0, 1.0, prevalence=0.1)  # nobody tests positive
    (None, 0.9)
    """
    se = _check_prob("sensitivity", sensitivity)
    sp = _check_prob("specificity", specificity)
    p = _check_prob("prevalence", prevalence, open_interval=True)
    tp, fp = se * p, (1 - sp) * (1 - p)
    tn, fn = sp * (1 - p), (1 - se) * p
    ppv = tp / (tp + fp) if tp + fp > 0 else None
    npv = tn / (tn + fn) if tn + fn > 0 else None
    return ppv, npv


def expected_counts(sensitivity: float, specificity: float, prevalence: float,
                    n: int = 10_000) -> dict[str, float]:
    """Expected 2x2 counts (``tp``, ``fn``, ``fp``, ``tn``) when ``n`` people are tested.

    >>> {cell: round(count) for cell, count in expected_counts(0.9, 0.8, prevalence=0.05).items()}
    {'tp': 450, 'fn': 50, 'fp': 1900, 'tn': 7600}
    """
    se = _check_prob("sensitivity", sensitivity)
    sp = _check_prob("specificity", specificity)
    p = _check_prob("prevalence", prevalence, open_interval=True)
    sick, well = n * p, n * (1 - p)
    return {"tp": se * sick, "fn": (1 - se) * sick, "fp": (1 - sp) * well, "tn": sp * well}


def roc_curve(cohort: pd.DataFrame) -> pd.DataFrame:
    """The empirical ROC curve: ``threshold``, ``fpr`` (1 - specificity), ``tpr`` (sensitivity).

    One row per distinct level, from +inf (nobody positive) down to the lowest
    level (everybody positive), so the curve runs from (0, 0) to (1, 1).

    >>> import pandas as pd
    >>> tiny = pd.DataFrame({"group": ["patient"] * 4 + ["control"] * 4,
    ...                      "simulated_marker_level": [1.0, 2.5, 3.0, 4.0, 0.5, 1.0, 1.5, 2.5]})
    >>> roc = roc_curve(tiny)
    >>> roc["threshold"].tolist()
    [inf, 4.0, 3.0, 2.5, 1.5, 1.0, 0.5]
    >>> roc["fpr"].tolist(), roc["tpr"].tolist()
    ([0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 0.25, 0.5, 0.75, 0.75, 1.0, 1.0])
    """
    pos, neg = _levels(cohort)
    thresholds = np.concatenate([[np.inf], np.unique(np.concatenate([pos, neg]))[::-1]])
    pos_sorted, neg_sorted = np.sort(pos), np.sort(neg)
    tpr = (len(pos) - np.searchsorted(pos_sorted, thresholds, side="left")) / len(pos)
    fpr = (len(neg) - np.searchsorted(neg_sorted, thresholds, side="left")) / len(neg)
    return pd.DataFrame({"threshold": thresholds, "fpr": fpr, "tpr": tpr})


def auc(roc: pd.DataFrame) -> float:
    """Area under an ROC curve from :func:`roc_curve` (trapezoid rule).

    >>> round(auc(roc_curve(simulate_cohort(seed=0))), 3)
    0.846
    """
    return float(np.trapezoid(roc["tpr"].to_numpy(), roc["fpr"].to_numpy()))

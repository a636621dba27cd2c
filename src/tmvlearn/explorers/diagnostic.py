"""Diagnostic threshold explorer: threshold and prevalence over a SIMULATED cohort."""

from __future__ import annotations

import math

import numpy as np

from tmvlearn.explorers._base import Explorer
from tmvlearn.models import diagnostics as model
from tmvlearn.plots import GROUP_STYLES, OKABE_ITO, new_figure

__all__ = ["diagnostic_explorer", "DiagnosticExplorer"]


def _pct(value) -> str:
    return "undefined" if value is None else f"{100 * value:.1f}%"


class DiagnosticExplorer(Explorer):
    """Histogram, ROC curve and expected 2x2 table of a SIMULATED marker test."""

    name = "diagnostic"

    def __init__(self, threshold=2.2, prevalence=0.05, seed=0, interactive=True):
        self.cohort = model.simulate_cohort(seed=seed)
        self.roc = model.roc_curve(self.cohort)
        self.auc = model.auc(self.roc)
        levels = self.cohort[model.LEVEL]
        self._range = (0.1, float(math.ceil(levels.max())))
        super().__init__({"threshold": float(threshold), "prevalence": float(prevalence)}, interactive)

    def _validate(self, p):
        t, prev = p["threshold"], p["prevalence"]
        if not isinstance(t, (int, float)) or not math.isfinite(t) or t < 0:
            raise ValueError(f"threshold must be a marker level of zero or more (got {t!r}).")
        if not isinstance(prev, (int, float)) or not 0 < prev < 1:
            raise ValueError(f"prevalence must be a proportion strictly between 0 and 1 (got {prev!r}).")
        return {"threshold": float(t), "prevalence": float(prev)}

    def _build(self):
        fig, ax = new_figure(1, 3, width_ratios=[1.5, 1.1, 1.05])
        fig.suptitle(f"Diagnostic accuracy of a marker: SIMULATED cohort ({len(self.cohort)} people)")
        hist, roc, table = ax
        edges = np.logspace(-1, math.log10(self._range[1]), 36)
        for group in ("patient", "control"):
            d = self.cohort.loc[self.cohort["group"] == group, model.LEVEL]
            counts, _ = np.histogram(d, bins=edges)
            st = GROUP_STYLES[group]
            hist.stairs(counts, edges, color=st["color"], linestyle=st["linestyle"], linewidth=1.8,
                        label=f"{group}s (n={len(d)})")
        hist.set_xscale("log")
        hist.set_xlabel("Simulated marker level (arbitrary units, log scale)")
        hist.set_ylabel("Number of people")
        hist.set_title("Marker levels", fontsize=9, loc="left")
        hist.legend(loc="upper left")
        self._vline = hist.axvline(1.0, color="black", linewidth=1.5, linestyle="-.")
        self._vtext = hist.text(1.0, 0.97, "", transform=hist.get_xaxis_transform(), fontsize=7.5,
                                va="top", ha="left")
        roc.plot(self.roc["fpr"], self.roc["tpr"], color=OKABE_ITO["blue"], drawstyle="steps-post",
                 label=f"ROC, AUC = {self.auc:.2f}")
        roc.plot([0, 1], [0, 1], color="0.5", linestyle=":", linewidth=1, label="chance")
        (self._point,) = roc.plot([0], [0], marker="o", markersize=8, color=OKABE_ITO["vermillion"],
                                  markeredgecolor="black", linestyle="none", label="threshold")
        roc.set_xlim(-0.02, 1.02)
        roc.set_ylim(-0.02, 1.02)
        roc.set_aspect("equal")
        roc.set_xlabel("1 - specificity (false-positive rate)")
        roc.set_ylabel("Sensitivity (true-positive rate)")
        roc.set_title("ROC curve", fontsize=9, loc="left")
        roc.legend(loc="lower right")
        table.set_axis_off()
        table.set_title("Expected per 10,000 tested", fontsize=9, loc="left")
        # static labels and headers; only the numbers (right-aligned, same line grid) change
        font = {"family": "monospace", "fontsize": 8, "va": "top", "transform": table.transAxes}
        table.text(0.0, 0.95, "Prevalence\n\n\ntest +\ntest -\n\nSensitivity\nSpecificity\nPPV\nNPV\n\n"
                   "Simulated cohort;\ncounts are expected\nvalues, rounded.", ha="left", **font)
        table.text(1.0, 0.95, "\n\ndisease  healthy", ha="right", **font)
        self._table = table.text(1.0, 0.95, "", ha="right", **font)
        return fig, [self._vline, self._vtext, self._point, self._table]

    def _controls(self):
        import ipywidgets as w

        st = {"description_width": "initial"}
        return {
            "threshold": w.FloatSlider(value=self.params["threshold"], min=self._range[0], max=self._range[1],
                                       step=0.05, description="Threshold (a.u.)", style=st),
            "prevalence": w.FloatLogSlider(value=self.params["prevalence"], base=10, min=-3,
                                           max=math.log10(0.5), step=0.01, readout_format=".3f",
                                           description="Prevalence", style=st),
        }

    def _shown(self):
        (fpr,), (tpr,) = self._point.get_data()
        return {"roc_point": (float(fpr), float(tpr)),  # (1 - specificity, sensitivity)
                "threshold_line_x": tuple(float(x) for x in self._vline.get_xdata())}

    def _draw(self):
        t, prev = self.params["threshold"], self.params["prevalence"]
        se, sp = model.sensitivity_specificity(self.cohort, t)
        ppv, npv = model.predictive_values(se, sp, prev)
        c = model.expected_counts(se, sp, prev)
        self._vline.set_xdata([t, t])
        self._vtext.set_x(t)
        self._vtext.set_text(f" threshold {t:.2f}")
        self._point.set_data([1 - sp], [se])
        self._table.set_text(
            f"{100 * prev:.1f}%\n\n\n"
            f"{c['tp']:>7,.0f}{c['fp']:>9,.0f}\n{c['fn']:>7,.0f}{c['tn']:>9,.0f}\n\n"
            f"{100 * se:.1f}%\n{100 * sp:.1f}%\n{_pct(ppv)}\n{_pct(npv)}"
        )
        return (f"Simulated marker levels of patients and controls with a threshold at {t:.2f} "
                f"arbitrary units; ROC curve with AUC {self.auc:.2f} and the current point at sensitivity "
                f"{100 * se:.1f}% and "
                f"specificity {100 * sp:.1f}%; at a prevalence of {100 * prev:.1f}% the positive predictive "
                f"value is {_pct(ppv)} and the negative predictive value {_pct(npv)} (simulated data).")


def diagnostic_explorer(threshold=2.2, prevalence=0.05, seed=0, interactive=True) -> DiagnosticExplorer:
    """The diagnostic threshold explorer over a SIMULATED cohort (threshold in arbitrary units)."""
    return DiagnosticExplorer(threshold, prevalence, seed, interactive)

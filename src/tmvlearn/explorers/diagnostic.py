"""Diagnostic threshold explorer: threshold and prevalence over a SIMULATED cohort."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import MaxNLocator

from tmvlearn.explorers._base import Explorer, round_log_slider
from tmvlearn.models import diagnostics as model
from tmvlearn.plots import GROUP_STYLES, OKABE_ITO, log_scale, new_figure, place_axes

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
        self._range = (0.1, float(math.ceil(levels.max())))  # the threshold slider's range
        # the histogram spans every level drawn: from a power of ten at or below the lowest (0.1 at
        # most) to the whole number at or above the highest, so no person falls outside its bins
        self._edges = (min(0.1, 10.0 ** math.floor(math.log10(levels.min()))), self._range[1])
        super().__init__({"threshold": float(threshold), "prevalence": float(prevalence)}, interactive)

    def _validate(self, p):
        t, prev = p["threshold"], p["prevalence"]
        if not isinstance(t, (int, float)) or not math.isfinite(t) or t < 0:
            raise ValueError(f"threshold must be a marker level of zero or more (got {t!r}).")
        if not isinstance(prev, (int, float)) or not 0 < prev < 1:
            raise ValueError(f"prevalence must be a proportion strictly between 0 and 1 (got {prev!r}).")
        return {"threshold": float(t), "prevalence": float(prev)}

    def _build(self):
        fig, ax = new_figure(mosaic=[["hist", "roc", "table"]], layout=None)
        # (left, bottom, right, top) in CSS px; the ROC panel is square inside its box
        place_axes(fig, ax, {"hist": (46, 45, 357, 386), "roc": (420.5, 45, 621.5, 386),
                             "table": (638, 45, 795, 386)})
        fig.suptitle(f"Diagnostic accuracy of a marker: SIMULATED cohort ({len(self.cohort)} people)")
        hist, roc, table = ax["hist"], ax["roc"], ax["table"]
        self.ax = ax
        edges = np.logspace(math.log10(self._edges[0]), math.log10(self._edges[1]), 36)
        top = 0
        for group in ("patient", "control"):
            d = self.cohort.loc[self.cohort["group"] == group, model.LEVEL]
            counts, _ = np.histogram(d, bins=edges)
            top = max(top, counts.max())
            st = GROUP_STYLES[group]
            hist.stairs(counts, edges, color=st["color"], linestyle=st["linestyle"], linewidth=1.8,
                        label=f"{group}s (n={len(d)})")
        log_scale(hist, "x")
        hist.set_xlim(edges[0], edges[-1])
        hist.set_ylim(0, top * 1.22)  # headroom for the threshold's label
        hist.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # whole people
        hist.set_xlabel("Simulated marker level (a.u., log scale)")
        hist.set_ylabel("Number of people")
        hist.set_title("Marker levels", fontsize=9, loc="left")
        # the legend sits above the plot, beside the panel title, never over the bars
        hist.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.2, handlelength=1.8,
                    fontsize=8, labelspacing=0.25)
        self._vline = hist.axvline(1.0, color="black", linewidth=1.5, linestyle="-.")
        self._vtext = hist.text(1.0, 0.985, "", transform=hist.get_xaxis_transform(), fontsize=8,
                                va="top", ha="left")
        self._vtext._tmv_beside = self._vline
        roc.plot(self.roc["fpr"], self.roc["tpr"], color=OKABE_ITO["blue"], drawstyle="steps-post",
                 label="ROC curve")
        roc.plot([0, 1], [0, 1], color="0.5", linestyle=":", linewidth=1, label="chance")
        (self._point,) = roc.plot([0], [0], marker="o", markersize=8, color=OKABE_ITO["vermillion"],
                                  markeredgecolor="black", linestyle="none", label="this threshold")
        roc.set_xlim(-0.02, 1.02)
        roc.set_ylim(-0.02, 1.02)
        roc.set_aspect("equal")
        roc.set_xlabel("1 - specificity\n(false-positive rate)")
        roc.set_ylabel("Sensitivity (true-positive rate)")
        roc.set_title(f"ROC curve, AUC = {self.auc:.2f}", fontsize=9, loc="left")
        # below the chance line, in the corner no ROC curve above chance can reach
        roc.legend(loc="lower right", fontsize=7.5, handlelength=1.4, borderaxespad=0.3, labelspacing=0.3)
        table.set_axis_off()
        table.set_title("Expected per\n10,000 tested", fontsize=9, loc="left")
        # a grid of texts: static labels and headers; only the numbers (right-aligned) change
        rows = {"prev": 0.93, "head": 0.80, "pos": 0.71, "neg": 0.62, "se": 0.47, "sp": 0.38,
                "ppv": 0.29, "npv": 0.20}
        cols = (0.64, 1.0)
        cell = {"fontsize": 8.5, "va": "center", "transform": table.transAxes}
        for key, label in (("prev", "Prevalence"), ("pos", "test +"), ("neg", "test −"),
                           ("se", "Sensitivity"), ("sp", "Specificity"), ("ppv", "PPV"), ("npv", "NPV")):
            table.text(0.0, rows[key], label, ha="left", **cell)
        for x, label in zip(cols, ("disease", "healthy"), strict=True):
            table.text(x, rows["head"], label, ha="right", fontstyle="italic", **cell)
        table.text(0.0, 0.06, "Simulated cohort; counts are\nexpected values, rounded.", ha="left",
                   fontsize=7.5, va="center", transform=table.transAxes, color="0.3")
        self._cells = {}
        for key in ("prev", "se", "sp", "ppv", "npv"):
            self._cells[key] = table.text(1.0, rows[key], "", ha="right", **cell)
        for key in ("pos", "neg"):
            for j, x in enumerate(cols):
                self._cells[(key, j)] = table.text(x, rows[key], "", ha="right", **cell)
        return fig, [self._vline, self._vtext, self._point, *self._cells.values()]

    def _controls(self):
        import ipywidgets as w

        st = {"description_width": "initial"}
        return {
            "threshold": w.FloatSlider(value=self.params["threshold"], min=self._range[0], max=self._range[1],
                                       step=0.05, description="Threshold (a.u.)", style=st),
            # stops at 0.1%, 0.2%, 0.3%, 0.5%, 1%, ... 50%: the prevalences the lesson names
            "prevalence": round_log_slider(self.params["prevalence"], 0.001, 0.5, "Prevalence",
                                           lambda v: f"{100 * v:g}%", steps=(1, 2, 3, 5), style=st),
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
        self._vtext.set_text(f" threshold {t:.2f} " if t < 2.5 else f"threshold {t:.2f} ")
        self._vtext.set_ha("left" if t < 2.5 else "right")  # the label stays beside the line, inside
        self._point.set_data([1 - sp], [se])
        cells = {"prev": f"{100 * prev:g}%", ("pos", 0): f"{c['tp']:,.0f}", ("pos", 1): f"{c['fp']:,.0f}",
                 ("neg", 0): f"{c['fn']:,.0f}", ("neg", 1): f"{c['tn']:,.0f}", "se": f"{100 * se:.1f}%",
                 "sp": f"{100 * sp:.1f}%", "ppv": _pct(ppv), "npv": _pct(npv)}
        for key, text in cells.items():
            self._cells[key].set_text(text)
        return (f"Simulated marker levels of patients and controls with a threshold at {t:.2f} "
                f"arbitrary units; ROC curve with AUC {self.auc:.2f} and the current point at sensitivity "
                f"{100 * se:.1f}% and "
                f"specificity {100 * sp:.1f}%; at a prevalence of {100 * prev:.1f}% the positive predictive "
                f"value is {_pct(ppv)} and the negative predictive value {_pct(npv)} (simulated data).")


def diagnostic_explorer(threshold=2.2, prevalence=0.05, seed=0, interactive=True) -> DiagnosticExplorer:
    """The diagnostic threshold explorer over a SIMULATED cohort (threshold in arbitrary units)."""
    return DiagnosticExplorer(threshold, prevalence, seed, interactive)

"""EV size explorer: the four vesicle types' size ranges and a movable size window."""

from __future__ import annotations

import math

import numpy as np

from tmvlearn.explorers._base import Explorer, PercentBars, content_digest, round_log_slider, size_figure
from tmvlearn.models import sizes as model
from tmvlearn.plots import BACKDROP, VESICLE_STYLES

__all__ = ["size_explorer", "SizeExplorer"]

XLIM = (10.0, 20_000.0)  # nm


class SizeExplorer(Explorer):
    """Published ranges, SIMULATED log-normal diameters and what a size window keeps."""

    name = "size"

    def __init__(self, window=(100.0, 1000.0), seed=0, n_per_type=2000, interactive=True):
        self.ranges = model.size_ranges()
        self.samples = model.simulate_sizes(n_per_type, seed=seed, ranges=self.ranges)
        self._sorted = {t: np.sort(g["simulated_diameter_nm"].to_numpy())
                        for t, g in self.samples.groupby("vesicle_type", observed=True)}
        lo, hi = window
        super().__init__({"window_min_nm": float(lo), "window_max_nm": float(hi)}, interactive)

    def _validate(self, p):
        for key in ("window_min_nm", "window_max_nm"):
            v = p[key]
            if not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise ValueError(f"{key} must be a positive number of nanometres (got {v!r}).")
        return {k: float(v) for k, v in p.items()}

    def _build(self):
        fig, ax = size_figure("EV sizes: published ranges and SIMULATED distributions", self.ranges,
                              lower="hist", side="kept")
        self.ax = ax
        hist = ax["hist"]
        edges = np.logspace(math.log10(XLIM[0]), math.log10(XLIM[1]), 61)
        top = 0.0
        for vtype in model.VESICLE_TYPES:
            counts, _ = np.histogram(self._sorted[vtype], bins=edges)
            style = VESICLE_STYLES[vtype]
            share = 100 * counts / len(self._sorted[vtype])
            top = max(top, share.max())
            hist.stairs(share, edges, color=style["color"], linestyle=style["linestyle"], linewidth=1.6,
                        label=vtype)
        hist.set_ylim(0, top * 1.45)  # headroom: the legend sits above the tallest bin
        hist.set_xlim(*XLIM)
        hist.set_xlabel("Vesicle diameter (nm, log scale)")
        hist.set_ylabel("Simulated particles per bin (%)")
        hist.set_title("SIMULATED: log-normal, 95% inside each range", fontsize=9, loc="left")
        hist.legend(loc="upper right", ncols=2, borderaxespad=0.3, columnspacing=1.0, handlelength=1.8)
        self._spans = [a.axvspan(100, 1000, facecolor=(0.2, 0.2, 0.2, 0.13), linewidth=1.2,
                                 edgecolor="black", linestyle="--", zorder=0.5, gid=BACKDROP)
                       for a in (ax["ranges"], hist)]
        self._kept = PercentBars(ax["kept"], list(model.VESICLE_TYPES), "Kept (%)", "Kept by the window")
        return fig, [*self._spans, *self._kept.artists]

    def _static_key(self):
        # the axes have fixed places (size_figure): the static part is drawn from the data alone
        return content_digest(self.ranges, self._sorted)

    def _controls(self):
        # round stops on a log scale: 40, 50, ..., 125, 160, 200 nm, so the ranges of Table 2 can be set
        common = dict(lo=XLIM[0], hi=XLIM[1], fmt=lambda v: f"{v:,g}", style={"description_width": "initial"})
        controls = {
            "window_min_nm": round_log_slider(self.params["window_min_nm"], description="Window from (nm)",
                                              **common),
            "window_max_nm": round_log_slider(self.params["window_max_nm"], description="to (nm)", **common),
        }
        for c in controls.values():
            c.add_class("tmv-size-window")
        return controls

    def captured(self):
        """The current window's capture table (see :func:`tmvlearn.models.sizes.window_capture`)."""
        return model.window_capture(self.samples, self.params["window_min_nm"], self.params["window_max_nm"])

    def _shown(self):
        span = self._spans[0]
        return {"kept_percent": self._kept.values(),  # by vesicle type, as the bars show it
                "window_shaded_nm": (float(span.get_x()), float(span.get_x() + span.get_width()))}

    def _draw(self):
        lo, hi = self.params["window_min_nm"], self.params["window_max_nm"]
        for span in self._spans:
            span.set_x(lo)
            span.set_width(max(hi - lo, 0.0))
        kept = {}
        for vtype in model.VESICLE_TYPES:
            d = self._sorted[vtype]
            frac = 0.0 if hi < lo else (
                np.searchsorted(d, hi, "right") - np.searchsorted(d, lo, "left")) / len(d)
            kept[vtype] = 100 * frac
        self._kept.set_values(kept.values())
        if hi < lo:
            return (f"The size window is empty: its lower edge ({lo:.0f} nm) is above its upper edge "
                    f"({hi:.0f} nm), so it keeps no vesicles. Simulated data.")
        parts = ", ".join(f"{v:.0f}% of {t.lower()}" for t, v in kept.items())
        return (f"Published size ranges and simulated log-normal diameters of microvesicles, exosomes, "
                f"oncosomes and apoptotic bodies on a log axis; a size window from {lo:.0f} to {hi:.0f} nm "
                f"keeps {parts} (simulated data).")


def size_explorer(window=(100.0, 1000.0), seed=0, n_per_type=2000, interactive=True) -> SizeExplorer:
    """The EV size explorer: published ranges, simulated distributions, a size window.

    ``window`` is (low, high) in nm. With ``interactive=False`` no widgets are made and
    the explorer displays as a static figure with its alt text.
    """
    return SizeExplorer(window=window, seed=seed, n_per_type=n_per_type, interactive=interactive)

"""Centrifugation simulator: which vesicles a spin pellets, by diameter and type."""

from __future__ import annotations

import math
import textwrap

import numpy as np

from tmvlearn.explorers._base import Explorer, PercentBars, round_log_slider, round_values, size_figure
from tmvlearn.models import sedimentation as sed
from tmvlearn.models import sizes

__all__ = ["centrifuge_explorer", "CentrifugeExplorer"]

XLIM = (10.0, 20_000.0)  # nm
RCF_MIN = 100.0  # x g, the force slider's first stop


def _force(g: float) -> str:
    return f"{g:,.0f}"


class CentrifugeExplorer(Explorer):
    """Fraction pelleted against diameter (Stokes' law), and per SIMULATED vesicle population."""

    name = "centrifuge"

    def __init__(self, rotor="SW 41 Ti", rcf_g=10_000.0, time_min=30, particle_density=sed.EV_DENSITY,
                 medium_density=sed.MEDIUM_DENSITY, seed=0, interactive=True):
        self.ranges = sizes.size_ranges()
        samples = sizes.simulate_sizes(2000, seed=seed, ranges=self.ranges)
        self._samples = {t: g["simulated_diameter_nm"].to_numpy()
                         for t, g in samples.groupby("vesicle_type", observed=True)}
        self._grid = np.logspace(math.log10(XLIM[0]), math.log10(XLIM[1]), 300)
        super().__init__({"rotor": rotor, "rcf_g": float(rcf_g), "time_min": time_min,
                          "particle_density": float(particle_density),
                          "medium_density": float(medium_density)}, interactive)

    def _validate(self, p):
        rotor = sed.get_rotor(p["rotor"])
        p = dict(p, rotor=rotor.name)
        time_min = p["time_min"]
        if not isinstance(time_min, (int, float)) or not math.isfinite(time_min) or time_min < 0:
            raise ValueError(f"time_min must be zero or more minutes (got {p['time_min']!r}).")
        for key in ("rcf_g", "particle_density", "medium_density"):
            v = p[key]
            if not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise ValueError(f"{key} must be a positive number (got {v!r}).")
        # a rotor change can leave the force above the new rotor's limit: hold it at the limit
        p["rcf_g"] = float(min(p["rcf_g"], math.floor(rotor.max_rcf)))
        if self.controls:  # the force slider's stops end at this rotor's limit
            slider = self.controls["rcf_g"]
            stops = round_values(RCF_MIN, math.floor(rotor.max_rcf))
            if [v for _, v in slider.options] != stops:
                syncing, self._syncing = self._syncing, True  # new stops reset the value: not a change
                try:
                    slider.options = [(_force(v), v) for v in sorted({*stops, p["rcf_g"]})]
                    slider.value = p["rcf_g"]
                finally:
                    self._syncing = syncing
        return p

    def _build(self):
        fig, ax = size_figure("Fraction pelleted by Stokes' law", self.ranges, lower="curve",
                              side="pellet", status="status")
        self._title = fig._suptitle  # follows the rotor: redrawn with the figure's other changing parts
        self.ax = ax
        curve = ax["curve"]
        (self._line,) = curve.plot(self._grid, np.zeros_like(self._grid), color="black", linewidth=2)
        curve.set_xlim(*XLIM)
        curve.set_ylim(-3, 103)
        curve.set_xlabel("Vesicle diameter (nm, log scale)")
        curve.set_ylabel("Pelleted (%)")
        curve.set_title("Fraction of particles of each diameter in the pellet", fontsize=9, loc="left")
        # the status line has its own strip under the panels, so it never covers the curve
        self._status = ax["status"].text(0.0, 0.5, "", transform=ax["status"].transAxes, ha="left",
                                         va="center", fontsize=8, linespacing=1.2, in_layout=False)
        self._pellet = PercentBars(ax["pellet"], list(sizes.VESICLE_TYPES), "Pelleted (%)", "Simulated EVs")
        return fig, [self._title, self._line, self._status, *self._pellet.artists]

    def _controls(self):
        import ipywidgets as w

        p = self.params
        rotor = sed.get_rotor(p["rotor"])
        st = {"description_width": "initial"}
        return {
            "rotor": w.Dropdown(options=list(sed.ROTORS), value=p["rotor"], description="Rotor", style=st),
            "rcf_g": round_log_slider(p["rcf_g"], RCF_MIN, math.floor(rotor.max_rcf), "Force (x g)", _force,
                                      style=st),
            "time_min": w.IntSlider(value=int(p["time_min"]), min=0, max=240, step=5,
                                    description="Time (min)", style=st),
            "particle_density": w.FloatSlider(value=p["particle_density"], min=1.00, max=1.25, step=0.01,
                                              description="EV density (g/mL)", style=st),
            "medium_density": w.FloatSlider(value=p["medium_density"], min=1.00, max=1.30, step=0.01,
                                            description="Medium density (g/mL)", style=st),
        }

    def _fraction(self, d):
        p = self.params
        return sed.fraction_pelleted(d, p["rcf_g"], p["time_min"], rotor=p["rotor"],
                                     particle_density_g_per_ml=p["particle_density"],
                                     medium_density_g_per_ml=p["medium_density"])

    def pelleted(self) -> dict[str, float]:
        """Percent of each SIMULATED vesicle population in the pellet now."""
        return {t: 100 * float(np.mean(self._fraction(d))) for t, d in self._samples.items()}

    def _shown(self):
        return {"diameter_nm": np.array(self._line.get_xdata(), dtype=float),
                "pelleted_percent_by_diameter": np.array(self._line.get_ydata(), dtype=float),
                "pelleted_percent": self._pellet.values()}  # by simulated vesicle type, as the bars

    def _draw(self):
        p = self.params
        rotor = sed.get_rotor(p["rotor"])
        self._line.set_ydata(100 * self._fraction(self._grid))
        pct = self.pelleted()
        self._pellet.set_values(pct.values())
        rpm = sed.rpm_for_rcf(p["rcf_g"], rotor.r_max_cm)
        spin = (f"{rotor.name} ({rotor.kind}) at {rpm:,.0f} rpm = {p['rcf_g']:,.0f} x g at r_max, "
                f"{p['time_min']:g} min")
        model_name = ("swinging-bucket model" if rotor.kind == "swinging-bucket"
                      else "fixed-angle rotor (radial-path approximation)")
        self._title.set_text(f"Fraction pelleted by Stokes' law: {rotor.name}, {model_name}")
        reason = sed.never_pellets_reason(p["particle_density"], p["medium_density"])
        if reason:
            self._status.set_text(textwrap.fill(f"{spin}. A vesicle {reason}.", 112))
            return (f"Centrifugation with {spin}: nothing is pelleted, because a vesicle {reason}. "
                    f"Curve and bars are at zero.")
        at_least_half = self._line.get_ydata() >= 50
        half = self._grid[np.argmax(at_least_half)] if np.any(at_least_half) else None
        s1000 = sed.sedimentation_coefficient(1000, p["particle_density"], p["medium_density"])
        k = sed.k_factor(rotor.r_min_cm, rotor.r_max_cm, rpm) if rpm > 0 else math.inf
        half_txt = (f"vesicles of {half:,.0f} nm and larger are at least half pelleted" if half
                    else "no diameter up to 20,000 nm is even half pelleted")
        self._status.set_text(textwrap.fill(f"{spin}; k-factor {k:,.0f} h·S; a 1000-nm EV has "
                                            f"S = {s1000:,.0f} svedberg; {half_txt}.", 112))
        parts = ", ".join(f"{v:.0f}% of {t.lower()}" for t, v in pct.items())
        return (f"Percentage pelleted against vesicle diameter on a log axis for {spin}, EV density "
                f"{p['particle_density']:.2f} g/mL in a medium of {p['medium_density']:.2f} g/mL; "
                f"{half_txt}. Of the simulated populations this pellets {parts}.")


def centrifuge_explorer(rotor="SW 41 Ti", rcf_g=10_000.0, time_min=30, particle_density=sed.EV_DENSITY,
                        medium_density=sed.MEDIUM_DENSITY, seed=0, interactive=True) -> CentrifugeExplorer:
    """The centrifugation simulator: rotor, force, time and densities; fraction pelleted by diameter."""
    return CentrifugeExplorer(rotor, rcf_g, time_min, particle_density, medium_density, seed, interactive)

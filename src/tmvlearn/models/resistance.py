"""TOY MODEL: P-gp drug resistance spreading through a tumor by microvesicle transfer.

The review describes multidrug resistance mediated by the efflux pump
P-glycoprotein (P-gp) being passed from resistant to sensitive tumor cells by
TMVs, a "non-genetic" acquisition (Zhu et al. 2021, section "TMVs and Drug
Resistance", refs 96,99,102,103). It gives no rates, so this is a teaching toy,
not a fitted model. Three kinds of cell, as fractions of the carrying capacity:

- ``sensitive``: no P-gp; killed by the drug at ``kill_sensitive`` per day;
- ``resistant_genetic``: make P-gp from their own genes (the MV donors at the start);
- ``resistant_acquired``: carry P-gp received in MVs; they lose it at ``loss_rate``
  per day and become sensitive again.

Assumptions: all cells grow logistically at ``growth_rate`` towards one shared
capacity; every P-gp-positive cell sheds P-gp-carrying MVs, and a sensitive cell
acquires P-gp at ``transfer_rate`` times the density of P-gp-positive cells
(well mixed); daughters of acquired-resistant cells keep the protein; resistant
cells are killed at ``kill_resistant`` per day while the drug is given. Solved
with a fixed-step Runge-Kutta (4th order) scheme, time in days.

Without the drug, 20 days of MV transfer make three cells in four resistant; without transfer
the share stays at the genetically resistant 2%:

>>> with_mvs = simulate_resistance(days=20, drug=False).iloc[-1]
>>> without = simulate_resistance(days=20, drug=False, transfer_rate=0).iloc[-1]
>>> round(float(with_mvs["fraction_resistant"]), 2), round(float(without["fraction_resistant"]), 2)
(0.75, 0.02)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

import numpy as np
import pandas as pd

__all__ = ["ResistanceParams", "simulate_resistance"]


@dataclass(frozen=True)
class ResistanceParams:
    """Rates per day and starting fractions (of the carrying capacity) of the toy model.

    >>> ResistanceParams(transfer_rate=0).transfer_rate
    0
    >>> ResistanceParams(sensitive0=0.9, resistant_genetic0=0.2)
    Traceback (most recent call last):
    ...
    ValueError: the starting fractions add up to 1.1, above the carrying capacity 1; lower them.
    """

    growth_rate: float = 0.4
    transfer_rate: float = 0.6
    loss_rate: float = 0.15
    kill_sensitive: float = 0.6
    kill_resistant: float = 0.05
    drug: bool = True
    sensitive0: float = 0.49
    resistant_genetic0: float = 0.01
    resistant_acquired0: float = 0.0

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "drug":
                if not isinstance(value, bool):
                    raise ValueError(f"drug must be True or False (got {value!r}).")
                continue
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{f.name} must be a finite number, zero or more (got {value!r}).")
        start = self.sensitive0 + self.resistant_genetic0 + self.resistant_acquired0
        if start > 1:
            raise ValueError(
                f"the starting fractions add up to {start:g}, above the carrying capacity 1; lower them."
            )


def _rates(p: ResistanceParams, s: float, rg: float, ra: float) -> tuple[float, float, float]:
    room = 1.0 - (s + rg + ra)
    kill_s = p.kill_sensitive if p.drug else 0.0
    kill_r = p.kill_resistant if p.drug else 0.0
    transfer = p.transfer_rate * s * (rg + ra)
    ds = p.growth_rate * s * room - transfer + p.loss_rate * ra - kill_s * s
    drg = p.growth_rate * rg * room - kill_r * rg
    dra = p.growth_rate * ra * room + transfer - p.loss_rate * ra - kill_r * ra
    return ds, drg, dra


def simulate_resistance(params: ResistanceParams | None = None, days: float = 60.0, step_days: float = 0.1,
                        **overrides) -> pd.DataFrame:
    """Run the TOY MODEL; one row per time step.

    Columns: ``day``, ``sensitive``, ``resistant_genetic``, ``resistant_acquired``,
    ``total`` and ``fraction_resistant`` (P-gp-positive share of living cells; 0 when
    none are left). Keyword overrides replace fields of ``params``, e.g.
    ``simulate_resistance(transfer_rate=0)``.

    >>> run = simulate_resistance(days=10)  # 10 days of the drug, 0.1-day steps
    >>> len(run), run.columns.tolist()[:4]
    (101, ['day', 'sensitive', 'resistant_genetic', 'resistant_acquired'])
    >>> run.iloc[-1][["resistant_acquired", "fraction_resistant"]].round(3).tolist()
    [0.066, 0.853]
    """
    params = params or ResistanceParams()
    if overrides:
        unknown = sorted(set(overrides) - {f.name for f in fields(ResistanceParams)})
        if unknown:
            raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; "
                             f"known: {', '.join(f.name for f in fields(ResistanceParams))}.")
        params = replace(params, **overrides)
    for name, v in (("days", days), ("step_days", step_days)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a positive number of days (got {v!r}).")
    n = max(1, int(round(days / step_days)))
    h = days / n
    out = np.empty((n + 1, 3))
    y = (params.sensitive0, params.resistant_genetic0, params.resistant_acquired0)
    out[0] = y
    for i in range(1, n + 1):
        s, rg, ra = y
        k1 = _rates(params, s, rg, ra)
        k2 = _rates(params, s + h / 2 * k1[0], rg + h / 2 * k1[1], ra + h / 2 * k1[2])
        k3 = _rates(params, s + h / 2 * k2[0], rg + h / 2 * k2[1], ra + h / 2 * k2[2])
        k4 = _rates(params, s + h * k3[0], rg + h * k3[1], ra + h * k3[2])
        y = tuple(max(0.0, y[j] + h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j])) for j in range(3))
        out[i] = y
    frame = pd.DataFrame(out, columns=["sensitive", "resistant_genetic", "resistant_acquired"])
    frame.insert(0, "day", np.linspace(0.0, days, n + 1))
    frame["total"] = frame[["sensitive", "resistant_genetic", "resistant_acquired"]].sum(axis=1)
    resistant = frame["resistant_genetic"] + frame["resistant_acquired"]
    alive = frame["total"] > 0
    frame["fraction_resistant"] = np.where(alive, resistant / frame["total"].where(alive, 1), 0.0)
    frame.attrs.update(toy_model=True, params=asdict(params),
                       description="TOY MODEL of P-gp resistance spread by microvesicle transfer; "
                                   "rates are illustrative, not measured.")
    return frame

"""Simulated vesicle diameters: how much the four EV types overlap in size.

SIMULATED DATA. The review gives only a size range per vesicle type (Zhu et al.
2021, Table 2, refs 1,3,4,7,122,123): microvesicles 100-1000 nm, exosomes
40-160 nm, oncosomes 100-4000 nm (large oncosomes 1000-10,000 nm), apoptotic
bodies 50-5000 nm (the review's text says 50-2000 nm; the ``ev_types`` note flags
it). It gives no distribution. This module assumes, for teaching, that each
type's diameters are log-normal with 95% of particles inside the table's range
(the geometric middle of the range as the median). Large oncosomes are drawn as a
range only and are not simulated. The simulation shows why a size cut-off or a
size window cannot separate the types cleanly.

>>> print(range_overlap().head(1).to_string(index=False))  # doctest: +NORMALIZE_WHITESPACE
       type_a   type_b  overlap_min_nm  overlap_max_nm
Microvesicles Exosomes           100.0           160.0
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = [
    "VESICLE_TYPES", "COVERAGE", "size_ranges", "lognormal_params", "simulate_sizes",
    "window_capture", "range_overlap", "distribution_overlap",
]

VESICLE_TYPES = ("Microvesicles", "Exosomes", "Oncosomes", "Apoptotic bodies")
COVERAGE = 0.95  # share of each simulated type inside its published range
_Z = {0.90: 1.6448536269514722, 0.95: 1.959963984540054, 0.99: 2.5758293035489004}


def size_ranges(ev_types: pd.DataFrame | None = None) -> pd.DataFrame:
    """Size ranges (nm) per vesicle type from the ``ev_types`` dataset (Table 2).

    Columns ``size_min_nm``, ``size_max_nm``, ``large_size_min_nm``,
    ``large_size_max_nm``, ``note``, indexed by vesicle type in :data:`VESICLE_TYPES` order.

    >>> ranges = size_ranges()
    >>> ranges.index.tolist() == list(VESICLE_TYPES)
    True
    >>> ranges.loc["Exosomes", ["size_min_nm", "size_max_nm"]].tolist()
    [40.0, 160.0]
    """
    if ev_types is None:
        from tmvlearn.datasets import load_dataset

        ev_types = load_dataset("ev_types")
    cols = ["size_min_nm", "size_max_nm", "large_size_min_nm", "large_size_max_nm", "note"]
    table = ev_types.assign(vesicle_type=ev_types["vesicle_type"].astype(str)).set_index("vesicle_type")
    missing = [t for t in VESICLE_TYPES if t not in table.index]
    if missing:
        raise ValueError(f"the ev_types data lacks the vesicle type(s) {', '.join(missing)}.")
    for col in cols:
        if col not in table:
            table[col] = pd.NA if col == "note" else np.nan
    out = table.loc[list(VESICLE_TYPES), cols]
    bad = out[~(out["size_min_nm"] > 0) | ~(out["size_max_nm"] > out["size_min_nm"])]
    if len(bad):
        raise ValueError(
            f"the ev_types size range of {bad.index[0]!r} is not a positive interval "
            f"({bad['size_min_nm'].iloc[0]}-{bad['size_max_nm'].iloc[0]} nm)."
        )
    return out


def lognormal_params(size_min_nm: float, size_max_nm: float,
                     coverage: float = COVERAGE) -> tuple[float, float]:
    """(mu, sigma) of ln(diameter in nm) so that ``coverage`` of particles lie in the range.

    The median is the geometric mean of the range ends; sigma = ln(max/min) / (2 z).

    >>> import math
    >>> mu, sigma = lognormal_params(100, 1000)  # microvesicles, 100-1000 nm
    >>> round(math.exp(mu), 1), round(sigma, 3)  # median (nm) and spread of ln(diameter)
    (316.2, 0.587)
    """
    if coverage not in _Z:
        raise ValueError(f"coverage must be one of {sorted(_Z)} (got {coverage!r}).")
    if not (0 < size_min_nm < size_max_nm and math.isfinite(size_max_nm)):
        raise ValueError(
            f"size range must satisfy 0 < size_min_nm < size_max_nm (got {size_min_nm}-{size_max_nm})."
        )
    lo, hi = math.log(size_min_nm), math.log(size_max_nm)
    return (lo + hi) / 2, (hi - lo) / (2 * _Z[coverage])


def simulate_sizes(n_per_type: int = 2000, seed: int = 0, ranges: pd.DataFrame | None = None) -> pd.DataFrame:
    """SIMULATED diameters: ``n_per_type`` log-normal draws per vesicle type, seeded.

    Columns ``vesicle_type`` (category) and ``simulated_diameter_nm``; ``attrs`` say
    it is simulated and how.

    >>> simulated = simulate_sizes(500, seed=1)
    >>> simulated.groupby("vesicle_type", observed=True).size().tolist(), simulated.attrs["simulated"]
    ([500, 500, 500, 500], True)
    """
    if not isinstance(n_per_type, (int, np.integer)) or n_per_type < 1:
        raise ValueError(f"n_per_type must be a whole number of at least 1 (got {n_per_type!r}).")
    ranges = size_ranges() if ranges is None else ranges
    rng = np.random.default_rng(seed)
    parts = []
    for vtype in VESICLE_TYPES:
        mu, sigma = lognormal_params(ranges.at[vtype, "size_min_nm"], ranges.at[vtype, "size_max_nm"])
        parts.append(pd.DataFrame({"vesicle_type": vtype,
                                   "simulated_diameter_nm": rng.lognormal(mu, sigma, n_per_type)}))
    out = pd.concat(parts, ignore_index=True)
    out["vesicle_type"] = out["vesicle_type"].astype(pd.CategoricalDtype(VESICLE_TYPES))
    out.attrs.update(
        simulated=True,
        description=(f"SIMULATED diameters: log-normal per vesicle type with {COVERAGE:.0%} of particles "
                     "inside the Table 2 range of Zhu et al. 2021; not measured data."),
        seed=seed,
    )
    return out


def window_capture(samples: pd.DataFrame, low_nm: float = 0.0, high_nm: float = math.inf) -> pd.DataFrame:
    """What a size window [low_nm, high_nm] keeps of each simulated vesicle type.

    A cut-off is a window with one open end (``low_nm=0`` or ``high_nm=inf``).
    Columns: ``captured_fraction`` (share of that type inside the window) and
    ``share_of_window`` (that type's share of all kept particles, for equal numbers
    of each type at the start; zero when the window keeps nothing).

    >>> import pandas as pd
    >>> samples = pd.DataFrame({"vesicle_type": ["Exosomes"] * 4 + ["Microvesicles"] * 4,
    ...                         "simulated_diameter_nm": [50, 80, 120, 300, 150, 400, 800, 1500]})
    >>> window_capture(samples, 40, 160)["captured_fraction"].to_dict()
    {'Exosomes': 0.75, 'Microvesicles': 0.25}
    >>> window_capture(samples, 500, 100)["share_of_window"].tolist()  # an empty window
    [0.0, 0.0]
    """
    for name, value in (("low_nm", low_nm), ("high_nm", high_nm)):
        if not isinstance(value, (int, float, np.floating, np.integer)) or math.isnan(value) or value < 0:
            raise ValueError(f"{name} must be a number of nanometres, zero or more (got {value!r}).")
    col = "simulated_diameter_nm"
    captured = {}
    for vtype, group in samples.groupby("vesicle_type", observed=True, sort=False):
        d = group[col].to_numpy()
        captured[str(vtype)] = float(np.mean((d >= low_nm) & (d <= high_nm))) if high_nm >= low_nm else 0.0
    table = pd.DataFrame({"captured_fraction": pd.Series(captured)})
    total = table["captured_fraction"].sum()
    table["share_of_window"] = table["captured_fraction"] / total if total > 0 else 0.0
    table.index.name = "vesicle_type"
    return table


def range_overlap(ranges: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pairwise overlap of the published size ranges (nm); one row per pair that overlaps.

    >>> print(range_overlap().to_string(index=False))  # doctest: +NORMALIZE_WHITESPACE
           type_a           type_b  overlap_min_nm  overlap_max_nm
    Microvesicles         Exosomes           100.0           160.0
    Microvesicles        Oncosomes           100.0          1000.0
    Microvesicles Apoptotic bodies           100.0          1000.0
         Exosomes        Oncosomes           100.0           160.0
         Exosomes Apoptotic bodies            50.0           160.0
        Oncosomes Apoptotic bodies           100.0          4000.0
    """
    ranges = size_ranges() if ranges is None else ranges
    rows = []
    for i, a in enumerate(VESICLE_TYPES):
        for b in VESICLE_TYPES[i + 1:]:
            lo = max(ranges.at[a, "size_min_nm"], ranges.at[b, "size_min_nm"])
            hi = min(ranges.at[a, "size_max_nm"], ranges.at[b, "size_max_nm"])
            if hi > lo:
                rows.append({"type_a": a, "type_b": b, "overlap_min_nm": lo, "overlap_max_nm": hi})
    return pd.DataFrame(rows, columns=["type_a", "type_b", "overlap_min_nm", "overlap_max_nm"])


def distribution_overlap(ranges: pd.DataFrame | None = None) -> pd.DataFrame:
    """Overlap coefficient (0-1) of the simulated log-normal size distributions, pairwise.

    The overlap coefficient is the area shared by the two densities (1 = identical,
    0 = disjoint); computed on a fine grid of ln(diameter).

    >>> overlap = distribution_overlap()
    >>> round(float(overlap.loc["Exosomes", "Exosomes"]), 2)
    1.0
    >>> round(float(overlap.loc["Microvesicles", "Exosomes"]), 2)  # 14% of the area is shared
    0.14
    """
    ranges = size_ranges() if ranges is None else ranges
    grid = np.linspace(math.log(1.0), math.log(1e5), 20001)
    dens = {}
    for vtype in VESICLE_TYPES:
        mu, sigma = lognormal_params(ranges.at[vtype, "size_min_nm"], ranges.at[vtype, "size_max_nm"])
        dens[vtype] = np.exp(-0.5 * ((grid - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    step = grid[1] - grid[0]
    matrix = pd.DataFrame(index=list(VESICLE_TYPES), columns=list(VESICLE_TYPES), dtype=float)
    for a in VESICLE_TYPES:
        for b in VESICLE_TYPES:
            matrix.loc[a, b] = float(np.minimum(dens[a], dens[b]).sum() * step)
    matrix.attrs["simulated"] = True
    return matrix

"""Centrifugation physics: why large vesicles pellet at lower g than small ones.

Standard physics, stated with units (not taken from the source documents):

- Stokes' law, terminal settling speed of a sphere:
  ``v = d**2 * (rho_p - rho_m) * a / (18 * mu)``
  (d diameter in m, densities in kg/m^3, a acceleration in m/s^2, mu viscosity in Pa s).
- Sedimentation coefficient ``s = v / a``; 1 svedberg (S) = 1e-13 s.
- Relative centrifugal force ``RCF = 1.118e-5 * r_cm * rpm**2`` (multiples of g).
- Rotor k-factor ``k = 2.53e11 * ln(r_max / r_min) / rpm**2`` (hours when S is in svedberg),
  and the time to pellet everything ``t = k / S``.

Defaults: vesicle density 1.15 g/mL (EVs span about 1.10-1.19 g/mL), medium water at
4 degrees C (density 1.00 g/mL, viscosity 1.57 mPa s), the usual temperature of
vesicle centrifugation runs. Units in argument names: ``_nm``, ``_g_per_ml``,
``_mpa_s``, ``_cm``, ``_min``.

The review's isolation figures this explains: a 30-60 min spin at 10,000-20,000 g
collects microvesicles, while exosomes need ultracentrifugation at 100,000 g or
more (Zhu et al. 2021, section "Isolation of MVs" and Table 2, refs 47,120). In this model a
30-min spin at 10,000 g pellets every 1000-nm vesicle but about a tenth of the 100-nm ones:

>>> round(fraction_pelleted(1000, rcf_g=10_000, time_min=30), 2), round(fraction_pelleted(100, 10_000, 30), 2)
(1.0, 0.11)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "G", "EV_DENSITY", "EV_DENSITY_RANGE", "MEDIUM_DENSITY", "MEDIUM_VISCOSITY", "MEDIUM_TEMPERATURE_C",
    "Rotor", "ROTORS", "rotors_table", "get_rotor", "rcf", "rpm_for_rcf", "settling_velocity",
    "sedimentation_coefficient", "k_factor", "pelleting_time_h", "fraction_pelleted",
    "never_pellets_reason", "time_to_pellet_min",
]

G = 9.80665  # standard gravity, m/s^2
EV_DENSITY = 1.15  # g/mL
EV_DENSITY_RANGE = (1.10, 1.19)  # g/mL
MEDIUM_DENSITY = 1.00  # g/mL, water at 4 C
MEDIUM_VISCOSITY = 1.57  # mPa s, water at 4 C
MEDIUM_TEMPERATURE_C = 4


@dataclass(frozen=True)
class Rotor:
    """A centrifuge rotor: radii from the axis to the top and bottom of the tube."""

    name: str
    kind: str  # "swinging-bucket" or "fixed-angle"
    r_min_cm: float
    r_max_cm: float
    max_rpm: int
    published_k_factor: float  # as the manufacturer lists it, at max_rpm

    @property
    def max_rcf(self) -> float:
        """Largest RCF (x g) at r_max, at the rotor's maximum speed."""
        return rcf(self.r_max_cm, self.max_rpm)

    @property
    def k_factor(self) -> float:
        """k-factor at the rotor's maximum speed, computed from its radii (hours x S)."""
        return k_factor(self.r_min_cm, self.r_max_cm, self.max_rpm)


#: Common ultracentrifuge rotors: approximate values after public manufacturer
#: (Beckman Coulter) data sheets, for teaching only. Check your own rotor's manual.
ROTORS: dict[str, Rotor] = {
    r.name: r
    for r in (
        Rotor("SW 41 Ti", "swinging-bucket", 6.71, 15.32, 41_000, 124),
        Rotor("SW 32 Ti", "swinging-bucket", 6.68, 15.29, 32_000, 204),
        Rotor("SW 28", "swinging-bucket", 7.53, 16.13, 28_000, 246),
        Rotor("Type 70 Ti", "fixed-angle", 3.95, 9.17, 70_000, 44),
        Rotor("Type 45 Ti", "fixed-angle", 3.58, 10.38, 45_000, 133),
    )
}


def rotors_table() -> pd.DataFrame:
    """The rotor table as a DataFrame (approximate values, for teaching).

    >>> rotors_table().loc["Type 70 Ti", ["max_rcf_g", "k_factor", "published_k_factor"]].tolist()
    [502351.0, 43.5, 44.0]
    """
    rows = [
        {
            "rotor": r.name,
            "type": r.kind,
            "r_min_cm": r.r_min_cm,
            "r_max_cm": r.r_max_cm,
            "max_rpm": r.max_rpm,
            "max_rcf_g": round(r.max_rcf),
            "k_factor": round(r.k_factor, 1),
            "published_k_factor": r.published_k_factor,
        }
        for r in ROTORS.values()
    ]
    table = pd.DataFrame(rows).set_index("rotor")
    table.attrs["note"] = "Approximate values after public manufacturer data, for teaching."
    return table


def get_rotor(rotor: str | Rotor) -> Rotor:
    """A :class:`Rotor` from its name in :data:`ROTORS` (or the rotor itself).

    >>> rotor = get_rotor("SW 41 Ti")
    >>> rotor.kind, round(rotor.max_rcf), round(rotor.k_factor, 1)
    ('swinging-bucket', 287918, 124.3)
    """
    if isinstance(rotor, Rotor):
        return rotor
    if rotor not in ROTORS:
        raise ValueError(f"unknown rotor {rotor!r}; choose one of: {', '.join(ROTORS)}.")
    return ROTORS[rotor]


def _positive(name: str, value, allow_zero: bool = False) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a finite number (got {value!r}).")
    bad = arr < 0 if allow_zero else arr <= 0
    if np.any(bad):
        need = "zero or more" if allow_zero else "greater than zero"
        raise ValueError(f"{name} must be {need} (got {value!r}).")
    return arr


def _scalar_or_array(arr: np.ndarray):
    return float(arr) if arr.ndim == 0 else arr


def rcf(radius_cm, rpm):
    """Relative centrifugal force (multiples of g) at ``radius_cm`` and ``rpm``.

    >>> round(rcf(15.32, 41_000))  # an SW 41 Ti at full speed, at the bottom of the tube
    287918
    """
    r = _positive("radius_cm", radius_cm)
    n = _positive("rpm", rpm, allow_zero=True)
    return _scalar_or_array(1.118e-5 * r * n**2)


def rpm_for_rcf(rcf_g, radius_cm):
    """Rotor speed (rpm) that gives ``rcf_g`` (x g) at ``radius_cm``.

    >>> round(rpm_for_rcf(10_000, 15.32))
    7641
    """
    g = _positive("rcf_g", rcf_g, allow_zero=True)
    r = _positive("radius_cm", radius_cm)
    return _scalar_or_array(np.sqrt(g / (1.118e-5 * r)))


def _stokes_s(diameter_nm, particle_density_g_per_ml, medium_density_g_per_ml, viscosity_mpa_s):
    d = _positive("diameter_nm", diameter_nm) * 1e-9  # m
    rho_p = _positive("particle_density_g_per_ml", particle_density_g_per_ml) * 1000  # kg/m^3
    rho_m = _positive("medium_density_g_per_ml", medium_density_g_per_ml) * 1000
    mu = _positive("viscosity_mpa_s", viscosity_mpa_s) * 1e-3  # Pa s
    return d**2 * (rho_p - rho_m) / (18 * mu)  # seconds


def settling_velocity(
    diameter_nm,
    rcf_g=1.0,
    particle_density_g_per_ml=EV_DENSITY,
    medium_density_g_per_ml=MEDIUM_DENSITY,
    viscosity_mpa_s=MEDIUM_VISCOSITY,
):
    """Stokes settling speed in m/s (negative: the particle rises) at ``rcf_g`` x g.

    >>> f"{settling_velocity(1000, rcf_g=10_000) * 1000:.2f} mm/s"  # a 1000-nm EV at 10,000 g
    '0.52 mm/s'
    >>> settling_velocity(1000, particle_density_g_per_ml=1.05, medium_density_g_per_ml=1.10) < 0
    True
    """
    s = _stokes_s(diameter_nm, particle_density_g_per_ml, medium_density_g_per_ml, viscosity_mpa_s)
    a = _positive("rcf_g", rcf_g, allow_zero=True) * G
    return _scalar_or_array(s * a)


def sedimentation_coefficient(
    diameter_nm,
    particle_density_g_per_ml=EV_DENSITY,
    medium_density_g_per_ml=MEDIUM_DENSITY,
    viscosity_mpa_s=MEDIUM_VISCOSITY,
):
    """Sedimentation coefficient in svedberg (1 S = 1e-13 s); zero or negative never pellets.

    Ten times the diameter gives a hundred times the coefficient (``s`` grows as ``d**2``):

    >>> round(sedimentation_coefficient(1000)), round(sedimentation_coefficient(100))
    (53079, 531)
    """
    s = _stokes_s(diameter_nm, particle_density_g_per_ml, medium_density_g_per_ml, viscosity_mpa_s)
    return _scalar_or_array(s / 1e-13)


def k_factor(r_min_cm, r_max_cm, rpm):
    """Rotor k-factor (hours x svedberg): the pelleting time of a 1 S particle at ``rpm``.

    >>> round(k_factor(6.71, 15.32, 41_000), 1)  # SW 41 Ti at full speed (published: 124)
    124.3
    """
    r0 = _positive("r_min_cm", r_min_cm)
    r1 = _positive("r_max_cm", r_max_cm)
    n = _positive("rpm", rpm)
    if np.any(r1 <= r0):
        raise ValueError(f"r_max_cm ({r_max_cm}) must be larger than r_min_cm ({r_min_cm}).")
    return _scalar_or_array(2.53e11 * np.log(r1 / r0) / n**2)


def pelleting_time_h(k, s_svedberg):
    """Time in hours to pellet every particle of ``s_svedberg`` in a rotor of k-factor ``k``.

    Raises ValueError for S <= 0: a particle no denser than the medium never pellets.

    >>> pelleting_time_h(124, 1000)
    0.124
    >>> pelleting_time_h(124, 0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: s_svedberg must be greater than zero: a particle no denser than the medium never pellets ...
    """
    k = _positive("k", k)
    s = np.asarray(s_svedberg, dtype=float)
    if not np.all(np.isfinite(s)):
        raise ValueError(f"s_svedberg must be a finite number (got {s_svedberg!r}).")
    if np.any(s <= 0):
        raise ValueError(
            "s_svedberg must be greater than zero: a particle no denser than the medium "
            f"never pellets (got {s_svedberg!r})."
        )
    return _scalar_or_array(k / s)


def never_pellets_reason(
    particle_density_g_per_ml=EV_DENSITY, medium_density_g_per_ml=MEDIUM_DENSITY
) -> str | None:
    """Why a particle never pellets (it is not denser than the medium), or None if it can.

    >>> never_pellets_reason(1.15, 1.00) is None
    True
    >>> never_pellets_reason(1.15, 1.25)  # doctest: +ELLIPSIS
    'never pellets: the particle (1.150 g/mL) is lighter than the medium (1.250 g/mL), so it floats up ...'
    """
    rho_p = float(_positive("particle_density_g_per_ml", particle_density_g_per_ml))
    rho_m = float(_positive("medium_density_g_per_ml", medium_density_g_per_ml))
    if rho_p < rho_m:
        return (f"never pellets: the particle ({rho_p:.3f} g/mL) is lighter than the medium "
                f"({rho_m:.3f} g/mL), so it floats up instead of settling")
    if rho_p == rho_m:
        return (f"never pellets: the particle and the medium have the same density "
                f"({rho_p:.3f} g/mL), so there is no net force to move it")
    return None


def fraction_pelleted(
    diameter_nm,
    rcf_g,
    time_min,
    rotor: str | Rotor = "SW 41 Ti",
    particle_density_g_per_ml=EV_DENSITY,
    medium_density_g_per_ml=MEDIUM_DENSITY,
    viscosity_mpa_s=MEDIUM_VISCOSITY,
):
    """Fraction (0-1) of particles of ``diameter_nm`` in the pellet after ``time_min``.

    Model: a swinging-bucket tube lying along the radius from ``r_min`` to ``r_max``,
    filled with particles spread evenly along it at the start; ``rcf_g`` is the force
    at ``r_max``. A particle moves as ``dr/dt = s * omega**2 * r``, so one starting at
    ``r`` reaches the bottom when ``r * exp(s * omega**2 * t) >= r_max``; the fraction
    pelleted is the share of starting radii above ``r_max * exp(-s * omega**2 * t)``.
    For fixed-angle rotors the same radial path is an approximation. A particle no
    denser than the medium gives 0 (see :func:`never_pellets_reason`).

    >>> fraction_pelleted([100, 1000], rcf_g=10_000, time_min=30).round(2).tolist()
    [0.11, 1.0]
    >>> fraction_pelleted(1000, rcf_g=10_000, time_min=30, medium_density_g_per_ml=1.25)
    0.0
    """
    rotor = get_rotor(rotor)
    t = _positive("time_min", time_min, allow_zero=True) * 60.0
    g = _positive("rcf_g", rcf_g, allow_zero=True)
    if np.any(g > rotor.max_rcf * (1 + 1e-9)):
        raise ValueError(
            f"rcf_g={rcf_g!r} is above what rotor {rotor.name!r} can reach "
            f"({rotor.max_rcf:,.0f} x g at {rotor.max_rpm:,} rpm); lower it or pick another rotor."
        )
    s = _stokes_s(diameter_nm, particle_density_g_per_ml, medium_density_g_per_ml, viscosity_mpa_s)
    omega2 = g * G / (rotor.r_max_cm / 100.0)  # rad^2/s^2, from a = omega^2 r at r_max
    travel = np.maximum(s, 0.0) * omega2 * t  # log of the radius ratio covered
    start_min = rotor.r_max_cm * np.exp(-travel)
    frac = (rotor.r_max_cm - np.maximum(start_min, rotor.r_min_cm)) / (rotor.r_max_cm - rotor.r_min_cm)
    return _scalar_or_array(np.clip(frac, 0.0, 1.0))


def time_to_pellet_min(
    diameter_nm,
    rcf_g,
    rotor: str | Rotor = "SW 41 Ti",
    particle_density_g_per_ml=EV_DENSITY,
    medium_density_g_per_ml=MEDIUM_DENSITY,
    viscosity_mpa_s=MEDIUM_VISCOSITY,
):
    """Minutes to pellet every particle of ``diameter_nm`` at ``rcf_g`` (the k / S rule).

    Uses the k-factor at the speed giving ``rcf_g`` at ``r_max``. Raises ValueError when
    the particle never pellets (not denser than the medium).

    >>> round(time_to_pellet_min(1000, rcf_g=10_000), 1), round(time_to_pellet_min(100, rcf_g=100_000), 1)
    (4.0, 40.4)
    """
    rotor = get_rotor(rotor)
    g = _positive("rcf_g", rcf_g)
    reason = never_pellets_reason(particle_density_g_per_ml, medium_density_g_per_ml)
    if reason:
        raise ValueError(f"no pelleting time: the particle {reason}.")
    rpm = rpm_for_rcf(g, rotor.r_max_cm)
    k = k_factor(rotor.r_min_cm, rotor.r_max_cm, rpm)
    s = sedimentation_coefficient(diameter_nm, particle_density_g_per_ml, medium_density_g_per_ml,
                                  viscosity_mpa_s)
    return _scalar_or_array(np.asarray(pelleting_time_h(k, s)) * 60.0)


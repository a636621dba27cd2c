"""The model functions a bank's numeric ``variant`` may name (see :mod:`tmvlearn.quiz.variants`).

Each wraps a function of :mod:`tmvlearn.models`: it takes the parameters a bank draws and gives the
key (``answer``) and named ``outputs`` that templates may show. Every parameter states its unit,
meaning and the values the model accepts, so ``tmvlearn quiz check`` can name a bad range.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MODELS", "ModelFunction", "Parameter", "model_names"]


# --- the registry -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Parameter:
    """One input of a model function: its unit, meaning and the values the model accepts."""

    unit: str
    description: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # low itself not allowed
    high_open: bool = False
    default: Any = None  # None: the bank must give it
    choices: tuple[str, ...] = ()  # a text parameter (a rotor name)

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is outside what the model accepts, or None."""
        if self.choices:
            return None if value in self.choices else f"{value!r} is not one of {', '.join(self.choices)}"
        if isinstance(value, (str, bool)):
            return f"{value!r} is not a number"
        if (self.low is not None and (value < self.low or (self.low_open and value == self.low))) or (
                self.high is not None and (value > self.high or (self.high_open and value == self.high))):
            return f"{value:g} is outside what the model accepts ({self.domain_text()})"
        return None

    def domain_text(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        unit = f" {self.unit}" if self.unit else ""
        lo = "" if self.low is None else f"{'above' if self.low_open else 'from'} {self.low:g}"
        hi = "" if self.high is None else f"{'below' if self.high_open else 'up to'} {self.high:g}"
        return (" ".join(p for p in (lo, hi) if p) or "any number") + unit


@dataclass(frozen=True)
class ModelFunction:
    """A model function a bank may name: ``func(**values)`` gives ``answer`` and named ``outputs``."""

    name: str
    func: Callable[..., Mapping[str, float]]
    unit: str
    description: str
    params: Mapping[str, Parameter]
    outputs: Mapping[str, str] = field(default_factory=dict)  # further results: name -> meaning
    key_range: tuple[float, float] = (-math.inf, math.inf)  # a sane key lies here

    def __call__(self, values: Mapping[str, Any]) -> dict[str, float]:
        """``answer`` and the outputs for these values (defaults filled in); raises ValueError."""
        args = {name: p.default for name, p in self.params.items() if p.default is not None}
        args.update(values)
        out = dict(self.func(**args))
        return {name: float(value) for name, value in out.items()}

    def signature(self) -> str:
        parts = [f"{n} ({p.unit})" if p.unit else n for n, p in self.params.items()]
        return f"{self.name}({', '.join(parts)}) -> {self.unit or 'a number'}"


MODELS: dict[str, ModelFunction] = {}


def _register(name: str, unit: str, description: str, params: dict[str, Parameter],
              outputs: dict[str, str] | None = None, key_range: tuple[float, float] = (-math.inf, math.inf)):
    def wrap(func):
        MODELS[name] = ModelFunction(name, func, unit, description, params, outputs or {}, key_range)
        return func
    return wrap


def model_names() -> list[str]:
    return list(MODELS)


_RPM = Parameter("rpm", "rotor speed", 0, None, low_open=True)
_RADIUS = Parameter("cm", "radius (distance from the rotor axis)", 0, 100, low_open=True)


def _sed():
    from tmvlearn.models import sedimentation

    return sedimentation


@_register("sedimentation.rcf", "x g", "relative centrifugal force, RCF = 1.118e-5 r n^2",
           {"radius_cm": _RADIUS, "rpm": _RPM},
           {"rpm_squared": "rpm squared", "without_square": "1.118e-5 r n: the speed not squared (a mistake)",
            "radius_in_m": "the RCF with r in metres (a mistake)"},
           key_range=(0, math.inf))
def _rcf(radius_cm, rpm):
    force = _sed().rcf(radius_cm, rpm)
    return {"answer": force, "rpm_squared": rpm**2, "without_square": 1.118e-5 * radius_cm * rpm,
            "radius_in_m": force / 100}


@_register("sedimentation.rpm_for_rcf", "rpm", "rotor speed that gives an RCF at a radius",
           {"rcf_g": Parameter("x g", "relative centrifugal force", 0, None, low_open=True),
            "radius_cm": _RADIUS},
           key_range=(0, math.inf))
def _rpm_for_rcf(rcf_g, radius_cm):
    return {"answer": _sed().rpm_for_rcf(rcf_g, radius_cm)}


@_register("sedimentation.k_factor", "h·S", "rotor k-factor, k = 2.53e11 ln(r_max / r_min) / n^2",
           {"r_min_cm": Parameter("cm", "r_min (tube top to axis)", 0, 100, low_open=True),
            "r_max_cm": Parameter("cm", "r_max (tube bottom to axis)", 0, 100, low_open=True), "rpm": _RPM},
           {"log_ratio": "ln(r_max / r_min)", "log10_ratio": "the same with a base-10 logarithm (a mistake)"},
           key_range=(0, math.inf))
def _k_factor(r_min_cm, r_max_cm, rpm):
    return {"answer": _sed().k_factor(r_min_cm, r_max_cm, rpm), "log_ratio": math.log(r_max_cm / r_min_cm),
            "log10_ratio": 2.53e11 * math.log10(r_max_cm / r_min_cm) / rpm**2}


_ROTOR_NAMES = ("SW 41 Ti", "SW 32 Ti", "SW 28", "Type 70 Ti", "Type 45 Ti")  # sedimentation.ROTORS
_ROTOR = Parameter("", "rotor of the lesson's rotor table", choices=_ROTOR_NAMES)
_SPEED_PCT = Parameter("%", "speed as a percentage of the rotor's top speed", 0, 100, low_open=True)
_ROTOR_OUTPUTS = {"r_min_cm": "the rotor's r_min (cm)", "r_max_cm": "the rotor's r_max (cm)",
                  "rpm": "the speed (rpm), rounded to 100 rpm", "max_rpm": "the rotor's top speed (rpm)",
                  "rcf_g": "RCF at r_max at that speed (x g)"}


def _rotor_at(rotor, speed_pct) -> dict[str, float]:
    """A rotor of the lesson's table at a share of its top speed (never above it): its radii, the speed
    rounded to 100 rpm, its top speed and the RCF at the bottom of its tubes."""
    sed = _sed()
    r = sed.get_rotor(rotor)
    rpm = round(r.max_rpm * speed_pct / 100, -2)
    return {"r_min_cm": r.r_min_cm, "r_max_cm": r.r_max_cm, "rpm": rpm, "max_rpm": r.max_rpm,
            "rcf_g": sed.rcf(r.r_max_cm, rpm)}


@_register("sedimentation.rotor_k_factor", "h·S",
           "k-factor of a rotor of the lesson's table (its own radii) run at a share of its top speed",
           {"rotor": _ROTOR, "speed_pct": _SPEED_PCT},
           {**_ROTOR_OUTPUTS, "log_ratio": "ln(r_max / r_min)",
            "log10_ratio": "the k-factor with a base-10 logarithm (a mistake)"},
           key_range=(0, math.inf))
def _rotor_k_factor(rotor, speed_pct):
    at = _rotor_at(rotor, speed_pct)
    r_min, r_max, rpm = at["r_min_cm"], at["r_max_cm"], at["rpm"]
    return {"answer": _sed().k_factor(r_min, r_max, rpm), **at, "log_ratio": math.log(r_max / r_min),
            "log10_ratio": 2.53e11 * math.log10(r_max / r_min) / rpm**2}


@_register("sedimentation.rotor_rcf", "x g",
           "RCF at the bottom of the tubes of a rotor of the lesson's table, run at a share of its top speed",
           {"rotor": _ROTOR, "speed_pct": _SPEED_PCT},
           {**_ROTOR_OUTPUTS, "max_rcf_g": "RCF at r_max at the rotor's top speed (x g)",
            "without_square": "1.118e-5 r n: the speed not squared (a mistake)",
            "radius_in_m": "the RCF with r in metres (a mistake)"},
           key_range=(0, math.inf))
def _rotor_rcf(rotor, speed_pct):
    at = _rotor_at(rotor, speed_pct)
    return {"answer": at["rcf_g"], **at, "max_rcf_g": _sed().rcf(at["r_max_cm"], at["max_rpm"]),
            "without_square": 1.118e-5 * at["r_max_cm"] * at["rpm"], "radius_in_m": at["rcf_g"] / 100}


@_register("sedimentation.pelleting_time_h", "h", "time to pellet every particle, t = k / S",
           {"k": Parameter("h·S", "rotor k-factor", 0, None, low_open=True),
            "s_svedberg": Parameter("S", "sedimentation coefficient", 0, None, low_open=True)},
           {"k_times_s": "k times S (a mistake)", "s_over_k": "S divided by k (a mistake)",
            "minutes": "the time in minutes"},
           key_range=(0, math.inf))
def _pelleting_time(k, s_svedberg):
    hours = _sed().pelleting_time_h(k, s_svedberg)
    return {"answer": hours, "k_times_s": k * s_svedberg, "s_over_k": s_svedberg / k, "minutes": hours * 60}


@_register("sedimentation.settling_speed_ratio", "times",
           "how many times faster a vesicle settles than one of the same density with 1/ratio its diameter "
           "(Stokes' law)",
           {"diameter_ratio": Parameter("", "ratio of the two diameters", 0, None, low_open=True),
            "diameter_nm": Parameter("nm", "diameter of the smaller vesicle", 0, None, low_open=True,
                                     default=100.0)},
           {"linear": "the ratio itself (a mistake)", "cubed": "the ratio cubed (a mistake)"},
           key_range=(0, math.inf))
def _speed_ratio(diameter_ratio, diameter_nm):
    sed = _sed()
    ratio = sed.settling_velocity(diameter_nm * diameter_ratio) / sed.settling_velocity(diameter_nm)
    return {"answer": ratio, "linear": diameter_ratio, "cubed": diameter_ratio**3}


@_register("sedimentation.time_to_pellet_min", "min",
           "minutes to pellet every vesicle of a diameter at an RCF "
           "(k / S at the speed giving that RCF at r_max)",
           {"diameter_nm": Parameter("nm", "vesicle diameter", 0, None, low_open=True),
            "rcf_g": Parameter("x g", "relative centrifugal force at r_max", 0, None, low_open=True),
            "rotor": Parameter("", "rotor name", choices=_ROTOR_NAMES, default="SW 41 Ti")},
           {"s_svedberg": "sedimentation coefficient (S)", "rpm": "speed giving the RCF at r_max (rpm)",
            "k": "k-factor at that speed (h·S)", "hours": "the time in hours"},
           key_range=(0, math.inf))
def _time_to_pellet(diameter_nm, rcf_g, rotor):
    sed = _sed()
    r = sed.get_rotor(rotor)
    rpm = sed.rpm_for_rcf(rcf_g, r.r_max_cm)
    if rpm > r.max_rpm * (1 + 1e-9):
        raise ValueError(f"{rcf_g:g} x g is beyond {rotor}")
    minutes = sed.time_to_pellet_min(diameter_nm, rcf_g, rotor)
    return {"answer": minutes, "s_svedberg": sed.sedimentation_coefficient(diameter_nm), "rpm": rpm,
            "k": sed.k_factor(r.r_min_cm, r.r_max_cm, rpm), "hours": minutes / 60}


def _counts(sensitivity_pct, specificity_pct, prevalence_pct, n=10_000):
    from tmvlearn.models import diagnostics

    se, sp, p = sensitivity_pct / 100, specificity_pct / 100, prevalence_pct / 100
    ppv, npv = diagnostics.predictive_values(se, sp, p)
    counts = diagnostics.expected_counts(se, sp, p, n)
    return ppv, npv, {**counts, "sick": n * p, "healthy": n * (1 - p),
                      "positives": counts["tp"] + counts["fp"], "negatives": counts["tn"] + counts["fn"],
                      "healthy_pct": 100 - prevalence_pct,
                      "fpr_pct": 100 - specificity_pct, "fnr_pct": 100 - sensitivity_pct}


_DIAG_PARAMS = {"sensitivity_pct": Parameter("%", "sensitivity", 0, 100),
                "specificity_pct": Parameter("%", "specificity", 0, 100),
                "prevalence_pct": Parameter("%", "prevalence", 0, 100, low_open=True, high_open=True)}
_DIAG_OUTPUTS = {"tp": "true positives per 10,000 tested", "fp": "false positives per 10,000",
                 "tn": "true negatives per 10,000", "fn": "false negatives per 10,000",
                 "sick": "people with the cancer per 10,000", "healthy": "people without it per 10,000",
                 "positives": "positives per 10,000", "negatives": "negatives per 10,000",
                 "healthy_pct": "100 - prevalence (%)",
                 "fpr_pct": "false-positive rate, 100 - specificity (%)",
                 "fnr_pct": "false-negative rate, 100 - sensitivity (%)",
                 "proportion": "the same value as a proportion (0-1)"}


@_register("diagnostics.ppv_pct", "%",
           "positive predictive value by Bayes' rule (diagnostics.predictive_values)",
           _DIAG_PARAMS, _DIAG_OUTPUTS, key_range=(0, 100))
def _ppv(sensitivity_pct, specificity_pct, prevalence_pct):
    ppv, _, counts = _counts(sensitivity_pct, specificity_pct, prevalence_pct)
    if ppv is None:
        raise ValueError("nobody tests positive")
    return {"answer": 100 * ppv, "proportion": ppv, **counts}


@_register("diagnostics.npv_pct", "%",
           "negative predictive value by Bayes' rule (diagnostics.predictive_values)",
           _DIAG_PARAMS, _DIAG_OUTPUTS, key_range=(0, 100))
def _npv(sensitivity_pct, specificity_pct, prevalence_pct):
    _, npv, counts = _counts(sensitivity_pct, specificity_pct, prevalence_pct)
    if npv is None:
        raise ValueError("nobody tests negative")
    return {"answer": 100 * npv, "proportion": npv, **counts}


_SIZE_SAMPLES: dict[tuple[int, int], Any] = {}
_WINDOWS: dict[tuple[float, float, int, int], Any] = {}


def _simulated_sizes(n_per_type: int, seed: int):
    key = (int(n_per_type), int(seed))
    if key not in _SIZE_SAMPLES:
        from tmvlearn.models import sizes

        _SIZE_SAMPLES[key] = sizes.simulate_sizes(key[0], seed=key[1])
    return _SIZE_SAMPLES[key]


_TYPES = ("Microvesicles", "Exosomes", "Oncosomes", "Apoptotic bodies")


@_register("sizes.window_share_pct", "%",
           "share of the particles a size window keeps that are of one type, in the SIMULATED sizes "
           "(sizes.window_capture on sizes.simulate_sizes, equal numbers of each type)",
           {"vesicle_type": Parameter("", "vesicle type", choices=_TYPES),
            "low_nm": Parameter("nm", "lower edge of the window", 0, None),
            "high_nm": Parameter("nm", "upper edge of the window", 0, None, low_open=True),
            "n_per_type": Parameter("", "simulated particles per type", 1, 1_000_000, default=2000),
            "seed": Parameter("", "seed of the simulation", 0, None, default=0)},
           {"captured_pct": "share of that type's own particles inside the window (%)",
            "proportion": "the share as a proportion (0-1)"},
           key_range=(0, 100))
def _window_share(vesicle_type, low_nm, high_nm, n_per_type, seed):
    from tmvlearn.models import sizes

    if not low_nm < high_nm:
        raise ValueError("the window is empty")
    key = (low_nm, high_nm, int(n_per_type), int(seed))
    if key not in _WINDOWS:  # a bank's windows are few; each table takes pandas some milliseconds
        _WINDOWS[key] = sizes.window_capture(_simulated_sizes(n_per_type, seed), low_nm, high_nm)
    table = _WINDOWS[key]
    share = float(table.at[vesicle_type, "share_of_window"])
    return {"answer": 100 * share, "proportion": share,
            "captured_pct": 100 * float(table.at[vesicle_type, "captured_fraction"])}

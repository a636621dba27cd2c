"""Sedimentation model against hand calculations, plus properties and bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmvlearn.models import sedimentation as sed


def test_rcf_and_rpm_hand_calculation():
    # 1.118e-5 * 10 cm * 10,000^2 = 11,180 x g
    assert sed.rcf(10, 10_000) == pytest.approx(11_180)
    assert sed.rpm_for_rcf(11_180, 10) == pytest.approx(10_000)


def test_sedimentation_coefficient_hand_calculation():
    # d = 1e-6 m, drho = 150 kg/m^3, mu = 1.57e-3 Pa s: s = 1e-12*150/(18*1.57e-3) = 5.3079e-9 s
    s = sed.sedimentation_coefficient(1000, 1.15, 1.00, 1.57)
    assert s == pytest.approx(5.3079e-9 / 1e-13, rel=1e-4)  # about 53,079 S
    # Stokes: v = s * g at 1 g
    assert sed.settling_velocity(1000) == pytest.approx(5.3079e-9 * 9.80665, rel=1e-4)
    # s scales with d^2: a 100-nm vesicle has 1/100 of it
    assert sed.sedimentation_coefficient(100) == pytest.approx(s / 100)


def test_k_factors_match_published_values():
    for rotor in sed.ROTORS.values():
        assert rotor.k_factor == pytest.approx(rotor.published_k_factor, rel=0.02), rotor.name
    table = sed.rotors_table()
    assert "approximate" in table.attrs["note"].lower()
    assert table.loc["SW 41 Ti", "max_rcf_g"] == pytest.approx(1.118e-5 * 15.32 * 41_000**2, abs=1)


def test_fraction_pelleted_hand_calculation():
    # SW 41 Ti (6.71-15.32 cm), 200 nm, 10,000 x g at r_max, 30 min, defaults
    s = 200e-9**2 * 150 / (18 * 1.57e-3)  # 2.1231e-10 s
    omega2 = 10_000 * 9.80665 / 0.1532
    start = 15.32 * math.exp(-s * omega2 * 1800)
    expected = (15.32 - start) / (15.32 - 6.71)  # about 0.386
    assert sed.fraction_pelleted(200, 10_000, 30) == pytest.approx(expected, rel=1e-9)
    assert 0.38 < expected < 0.39


def test_everything_pellets_at_k_over_s():
    rotor = sed.ROTORS["SW 41 Ti"]
    t_min = sed.time_to_pellet_min(100, 100_000, rotor)
    rpm = sed.rpm_for_rcf(100_000, rotor.r_max_cm)
    k = sed.k_factor(rotor.r_min_cm, rotor.r_max_cm, rpm)
    assert t_min == pytest.approx(60 * k / sed.sedimentation_coefficient(100))
    # the rounded constants (2.53e11, 1.118e-5) agree with the exact model to about 0.2%
    assert sed.fraction_pelleted(100, 100_000, t_min * 1.005) == 1.0
    assert sed.fraction_pelleted(100, 100_000, t_min * 0.99) < 1.0
    assert sed.fraction_pelleted(100, 100_000, 0) == 0.0


def test_answers_the_lessons_question():
    # 10,000 g for 30 min pellets micron-sized MVs but few 100-nm exosomes;
    # 100,000 g for 70 min pellets the exosomes too.
    assert sed.fraction_pelleted(1000, 10_000, 30) == 1.0
    assert sed.fraction_pelleted(100, 10_000, 30) < 0.15
    assert sed.fraction_pelleted(100, 100_000, 70) == 1.0


@settings(max_examples=60, deadline=None)
@given(d=st.floats(20, 5000), g=st.floats(100, 200_000), t=st.floats(0, 300),
       dt=st.floats(0, 100), dg=st.floats(0, 50_000))
def test_more_time_or_more_g_never_pellets_less(d, g, t, dt, dg):
    base = sed.fraction_pelleted(d, g, t)
    assert 0.0 <= base <= 1.0
    assert sed.fraction_pelleted(d, g, t + dt) >= base
    assert sed.fraction_pelleted(d, min(g + dg, 200_000), t) >= base
    assert sed.fraction_pelleted(d * 1.5, g, t) >= base


def test_lighter_or_equal_particle_never_pellets_with_reason():
    assert sed.fraction_pelleted(1000, 100_000, 600, medium_density_g_per_ml=1.2) == 0.0
    assert "lighter than the medium" in sed.never_pellets_reason(1.1, 1.2)
    assert "same density" in sed.never_pellets_reason(1.1, 1.1)
    assert sed.never_pellets_reason() is None
    with pytest.raises(ValueError, match="never pellets"):
        sed.time_to_pellet_min(500, 10_000, particle_density_g_per_ml=1.0)
    with pytest.raises(ValueError, match="never pellets"):
        sed.pelleting_time_h(124, -5)


@pytest.mark.parametrize("kwargs, name", [
    ({"time_min": -5}, "time_min"),
    ({"viscosity_mpa_s": 0}, "viscosity_mpa_s"),
    ({"diameter_nm": 0}, "diameter_nm"),
    ({"diameter_nm": float("nan")}, "diameter_nm"),
    ({"medium_density_g_per_ml": -1}, "medium_density_g_per_ml"),
    ({"rcf_g": 1e7}, "rcf_g"),
    ({"rotor": "SW 99"}, "unknown rotor"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    args = {"diameter_nm": 100, "rcf_g": 10_000, "time_min": 30, **kwargs}
    with pytest.raises(ValueError, match=name):
        sed.fraction_pelleted(**args)


def test_vectorised_and_never_nan():
    d = np.logspace(1, 4, 50)
    frac = sed.fraction_pelleted(d, 20_000, 45)
    assert frac.shape == d.shape and np.all(np.isfinite(frac))
    assert np.all(np.diff(frac) >= 0)
    with pytest.raises(ValueError, match="r_max_cm"):
        sed.k_factor(10, 5, 1000)

"""Simulated size distributions: bulk inside the Table 2 ranges, seeded, windows and overlaps."""

import math

import numpy as np
import pytest

from tmvlearn.models import sizes


@pytest.fixture(scope="module")
def ranges():
    return sizes.size_ranges()


@pytest.fixture(scope="module")
def samples(ranges):
    return sizes.simulate_sizes(4000, seed=1, ranges=ranges)


def test_ranges_come_from_table_2(ranges):
    assert ranges.loc["Microvesicles", ["size_min_nm", "size_max_nm"]].tolist() == [100, 1000]
    assert ranges.loc["Exosomes", ["size_min_nm", "size_max_nm"]].tolist() == [40, 160]
    assert ranges.loc["Oncosomes", "large_size_max_nm"] == 10_000


def test_lognormal_params_hand_calculation():
    mu, sigma = sizes.lognormal_params(100, 1000)
    assert math.exp(mu) == pytest.approx(math.sqrt(100 * 1000))  # geometric middle, 316 nm
    assert sigma == pytest.approx(math.log(10) / (2 * 1.959964), rel=1e-6)
    with pytest.raises(ValueError, match="size_min_nm < size_max_nm"):
        sizes.lognormal_params(500, 100)


def test_bulk_of_each_type_lies_in_its_range(samples, ranges):
    for vtype, group in samples.groupby("vesicle_type", observed=True):
        d = group["simulated_diameter_nm"]
        inside = d.between(ranges.at[vtype, "size_min_nm"], ranges.at[vtype, "size_max_nm"]).mean()
        assert 0.93 < inside < 0.97, vtype


def test_simulation_is_seeded_and_labelled(ranges):
    a = sizes.simulate_sizes(100, seed=3, ranges=ranges)
    b = sizes.simulate_sizes(100, seed=3, ranges=ranges)
    c = sizes.simulate_sizes(100, seed=4, ranges=ranges)
    assert a.equals(b) and not a.equals(c)
    assert a.attrs["simulated"] is True and "SIMULATED" in a.attrs["description"]
    assert "simulated_diameter_nm" in a
    with pytest.raises(ValueError, match="n_per_type"):
        sizes.simulate_sizes(0, ranges=ranges)


def test_window_capture(samples):
    everything = sizes.window_capture(samples, 0, math.inf)
    assert np.allclose(everything["captured_fraction"], 1.0)
    assert everything["share_of_window"].sum() == pytest.approx(1.0)
    empty = sizes.window_capture(samples, 500, 100)
    assert np.all(empty["captured_fraction"] == 0) and np.all(empty["share_of_window"] == 0)
    # a 200-nm lower cut-off keeps most microvesicles and few exosomes
    cut = sizes.window_capture(samples, low_nm=200)
    assert cut.at["Microvesicles", "captured_fraction"] > 0.7
    assert cut.at["Exosomes", "captured_fraction"] < 0.01
    with pytest.raises(ValueError, match="low_nm"):
        sizes.window_capture(samples, low_nm=-1)


def test_overlaps(ranges):
    pairs = sizes.range_overlap(ranges).set_index(["type_a", "type_b"])
    assert pairs.loc[("Microvesicles", "Exosomes")].tolist() == [100, 160]
    matrix = sizes.distribution_overlap(ranges)
    assert np.allclose(np.diag(matrix), 1.0, atol=1e-3)
    assert np.allclose(matrix, matrix.T)
    assert matrix.loc["Microvesicles", "Oncosomes"] > matrix.loc["Microvesicles", "Exosomes"] > 0

"""Toy model of P-gp resistance spread by microvesicles: behaviour and bad input."""

import numpy as np
import pytest

from tmvlearn.models.resistance import ResistanceParams, simulate_resistance


def test_no_transfer_means_no_acquired_resistance():
    run = simulate_resistance(transfer_rate=0)
    assert np.allclose(run["resistant_acquired"], 0)


def test_transfer_spreads_resistance():
    # without the drug, only MV transfer can raise the P-gp-positive share above the start
    with_mv = simulate_resistance(days=30, drug=False)
    without = simulate_resistance(days=30, drug=False, transfer_rate=0)
    assert with_mv["fraction_resistant"].iloc[-1] > 0.5
    assert without["fraction_resistant"].iloc[-1] == pytest.approx(0.02, abs=1e-6)
    # under the drug, acquired (non-genetic) resistance appears within days
    drugged = simulate_resistance(days=30)
    early = drugged.loc[drugged["day"] <= 5, "resistant_acquired"]
    assert early.max() > 0.01


def test_faster_loss_keeps_less_acquired_resistance():
    slow = simulate_resistance(loss_rate=0.05)["resistant_acquired"].iloc[-1]
    fast = simulate_resistance(loss_rate=1.0)["resistant_acquired"].iloc[-1]
    assert fast < slow


def test_populations_stay_within_capacity():
    run = simulate_resistance(days=120, growth_rate=2.0, transfer_rate=3.0)
    cells = run[["sensitive", "resistant_genetic", "resistant_acquired"]].to_numpy()
    assert np.all(cells >= 0) and np.all(run["total"] <= 1 + 1e-9)
    assert run.attrs["toy_model"] and "TOY MODEL" in run.attrs["description"]


def test_no_resistant_cells_no_drug():
    run = simulate_resistance(ResistanceParams(resistant_genetic0=0.0, drug=False), days=20)
    assert np.allclose(run["fraction_resistant"], 0)
    assert run["total"].iloc[-1] > run["total"].iloc[0]


@pytest.mark.parametrize("kwargs, name", [
    ({"transfer_rate": -1}, "transfer_rate"),
    ({"sensitive0": 0.9, "resistant_genetic0": 0.2}, "add up"),
    ({"unknown": 1}, "unknown parameter"),
    ({"days": -3}, "days"),
])
def test_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        simulate_resistance(**kwargs)

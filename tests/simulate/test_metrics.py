"""Percentile statistics and the location value in bp a year."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetloc.simulate.metrics import (
    certainty_equivalent,
    location_value_bp,
    risk_adjusted_value_bp,
    share_negative,
    stats,
)


def test_stats_are_numpys_mean_and_percentiles() -> None:
    a = np.arange(101.0)
    assert stats(a) == {"mean": 50.0, "p5": 5.0, "p50": 50.0, "p95": 95.0}
    s = stats([1.0, np.nan, 3.0])
    assert s["mean"] == 2.0
    assert np.isnan(stats([np.nan])["mean"])


@given(
    st.floats(1e3, 1e7),
    st.floats(-300.0, 300.0),
    st.integers(1, 60),
)
def test_location_value_is_the_rate_turning_one_wealth_into_the_other(
    w_ref: float, bp: float, years: int
) -> None:
    w_s = w_ref * (1 + bp / 1e4) ** years
    v = location_value_bp([w_s], [w_ref], years)
    assert v[0] == pytest.approx(bp, abs=1e-6)


def test_location_value_is_undefined_without_positive_wealth_and_share_negative() -> None:
    v = location_value_bp([100.0, 0.0, 90.0], [100.0, 50.0, 100.0], 10)
    assert v[0] == 0.0 and np.isnan(v[1]) and v[2] < 0
    assert share_negative(v) == 0.5
    assert share_negative([np.nan]) == 0.0


def test_identical_holdings_show_exactly_zero_not_noise() -> None:
    w = np.array([1e6, 2e6])
    v = location_value_bp(w * (1 + 1e-15), w, 30)
    assert np.all(v == 0.0)
    assert share_negative(location_value_bp(w * (1 - 1e-15), w, 30)) == 0.0


# --- the risk-adjusted location value (CRRA certainty equivalents) ----------------------


def test_certainty_equivalent_of_a_lognormal_matches_its_closed_form() -> None:
    # ln W ~ N(m, s²): E[W^(1-γ)] = exp((1-γ)m + (1-γ)²s²/2), so CE = exp(m + (1-γ)s²/2)
    rng = np.random.default_rng(3)
    m, s, gamma = np.log(1e6), 0.4, 3.0
    w = np.exp(rng.normal(m, s, 400_000))
    expected = np.exp(m + (1 - gamma) * s**2 / 2)
    assert certainty_equivalent(w, gamma) == pytest.approx(expected, rel=0.01)


@given(
    st.lists(st.floats(1e3, 1e8), min_size=2, max_size=40),
    st.floats(0.2, 8.0),
    st.floats(0.01, 100.0),
)
def test_certainty_equivalent_is_homogeneous_and_below_the_mean(
    w: list[float], gamma: float, c: float
) -> None:
    a = np.array(w)
    ce = certainty_equivalent(a, gamma)
    assert min(w) * (1 - 1e-9) <= ce <= a.mean() * (1 + 1e-9)
    assert certainty_equivalent(c * a, gamma) == pytest.approx(c * ce, rel=1e-9)
    assert certainty_equivalent(a, gamma * 1.5) <= ce * (1 + 1e-9)  # more averse, lower CE


def test_certainty_equivalent_at_gamma_one_is_the_geometric_mean_and_continuous() -> None:
    w = np.array([1e5, 4e5, 9e5])
    geo = float(np.exp(np.log(w).mean()))
    assert certainty_equivalent(w, 1.0) == pytest.approx(geo, rel=1e-12)
    assert certainty_equivalent(w, 1.0 + 1e-7) == pytest.approx(geo, rel=1e-6)


def test_risk_adjusted_value_of_a_sure_gain_and_of_ruin() -> None:
    w = np.array([1e6, 2e6, 3e6])
    # every path 10% richer over 20 years: the CE is 10% higher too
    assert risk_adjusted_value_bp(1.1 * w, w, 20, 3.0) == pytest.approx(
        (1.1 ** (1 / 20) - 1) * 1e4, rel=1e-9
    )
    assert risk_adjusted_value_bp(w, w, 20, 3.0) == 0.0
    assert np.isnan(risk_adjusted_value_bp(np.array([0.0, 1e6, 2e6]), w, 20, 3.0))

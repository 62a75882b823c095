"""Percentile statistics and the location value in bp a year."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetloc.simulate.metrics import location_value_bp, share_negative, stats


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

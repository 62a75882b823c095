"""Kaplan's lifecycle against closed forms: the annuity PV, the budget, the growth ratio."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetloc.inputs.household import Household, parse_household
from assetloc.simulate.lifecycle import (
    crra_consumption,
    earnings_of,
    growth_factor,
    human_capital,
    lifecycle,
)

rates = st.floats(0.001, 0.12)
prefs = st.floats(-0.02, 0.08)
psis = st.floats(0.05, 3.0)


@given(w0=st.floats(1e3, 1e8), r=rates, rho=prefs, psi=psis, years=st.integers(1, 80))
def test_budget_spends_exactly_w0(w0: float, r: float, rho: float, psi: float, years: int) -> None:
    c = crra_consumption(w0, r, rho, psi, years)
    pv = math.fsum(ct / (1 + r) ** t for t, ct in enumerate(c))
    assert pv == pytest.approx(w0, rel=1e-9)
    assert np.all(c > 0)


@given(r=rates, rho=prefs, psi=psis, years=st.integers(2, 60))
def test_consumption_grows_by_the_crra_factor(r: float, rho: float, psi: float, years: int) -> None:
    c = crra_consumption(1e6, r, rho, psi, years)
    g = ((1 + r) / (1 + rho)) ** psi
    np.testing.assert_allclose(c[1:] / c[:-1], g, rtol=1e-12)
    assert growth_factor(r, rho, psi) == pytest.approx(g, rel=1e-15)


def test_r_equal_rho_gives_level_consumption_the_annuity() -> None:
    """ρ = r: flat consumption, an annuity-due: c = W0 r / ((1 + r)(1 − (1 + r)^−T))."""
    c = crra_consumption(1_000_000, 0.04, 0.04, 0.5, 30)
    expected = 1_000_000 * 0.04 / (1.04 * (1 - 1.04**-30))
    np.testing.assert_allclose(c, expected, rtol=1e-12)


@given(e=st.floats(1e3, 1e6), big_r=st.integers(0, 45), r=rates)
def test_human_capital_is_the_annuity_pv(e: float, big_r: int, r: float) -> None:
    h = human_capital(e, big_r, r, years=big_r + 5)
    assert h.shape == (big_r + 6,)
    for t in range(big_r + 1):
        n = big_r - t
        assert h[t] == pytest.approx(e * (1 - (1 + r) ** -n) / r, rel=1e-10, abs=1e-9)
    assert np.all(h[big_r:] == 0)  # zero from retirement on
    assert np.all(np.diff(h[: big_r + 1]) < 0) or big_r == 0  # declining


def test_human_capital_of_growing_earnings_discounts_each_year() -> None:
    e = 50_000 * 1.03 ** np.arange(10)
    h = human_capital(e, 10, 0.05)
    assert h[0] == pytest.approx(sum(e[k] / 1.05 ** (k + 1) for k in range(10)), rel=1e-12)
    assert h[7] == pytest.approx(e[7] / 1.05 + e[8] / 1.05**2 + e[9] / 1.05**3, rel=1e-12)


def test_lifecycle_identities() -> None:
    lc = lifecycle(
        financial=300_000,
        earnings=80_000,
        years_to_retire=20,
        rate=0.04,
        rho=0.02,
        psi=0.5,
        years=50,
    )
    np.testing.assert_allclose(lc.total, lc.human_capital + lc.financial, rtol=0, atol=1e-6)
    assert lc.total[0] == pytest.approx(300_000 + 80_000 * (1 - 1.04**-20) / 0.04, rel=1e-12)
    # W_t = (1 + r)(W_{t-1} - c_{t-1}), and nothing is left at the horizon
    np.testing.assert_allclose(lc.total[1:], 1.04 * (lc.total[:-1] - lc.consumption), rtol=1e-12)
    assert abs(lc.total[-1]) < 1e-6 * lc.total[0]
    # the financial budget: F_t = (1 + r)(F_{t-1} - c_{t-1}) + e_t while working
    e = np.r_[np.full(20, 80_000.0), np.zeros(30)]
    np.testing.assert_allclose(
        lc.financial[1:], 1.04 * (lc.financial[:-1] - lc.consumption) + e, rtol=1e-9, atol=1e-6
    )
    assert lc.human_capital[20] == 0 and lc.growth == pytest.approx((1.04 / 1.02) ** 0.5)


def _household(human: dict[str, object] | None) -> Household:
    data: dict[str, object] = {
        "investor": {"ordinary_rate": 0.3, "capital_gains_rate": 0.15},
        "objective": {"kind": "mean_variance"},
        "accounts": [{"id": "a", "type": "taxable", "balance": 1000}],
    }
    if human is not None:
        data["human_capital"] = {"mix": {"us_corp_bonds_core": 1.0}, **human}
    return parse_household(data)


def test_earnings_from_the_household() -> None:
    none = earnings_of(_household(None), 10, 0.03)
    assert np.all(none == 0) and none.shape == (10,)
    flows = {"cash_flows": {"annual_amount": 60_000, "growth": 0.02, "years": 8}}
    e = earnings_of(_household(flows), 10, 0.03)
    np.testing.assert_allclose(e[:8], 60_000 * 1.02 ** np.arange(8))
    assert np.all(e[8:] == 0)
    pv = earnings_of(_household({"present_value": 500_000}), 10, 0.03)
    assert human_capital(pv, 10, 0.03)[0] == pytest.approx(500_000, rel=1e-12)

"""Sustainable spending from a wealth path: closed forms of the annuity and growth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetloc.simulate.sustainable import annuity_factor, growth_factors, sustainable_spending


def _fv(r: float, n: int) -> float:
    """((1 + r)^n − 1) / r, the future value of n unit payments, without cancellation."""
    return float(n) if r == 0 else math.expm1(n * math.log1p(r)) / r


@given(st.floats(-0.05, 0.12), st.integers(1, 50), st.integers(0, 20))
def test_annuity_factor_is_the_future_value_of_an_annuity(r: float, years: int, first: int) -> None:
    first = min(first, years - 1)
    g = np.full((1, years), 1.0 + r)
    n = years - first
    expected = _fv(r, n)
    assert float(annuity_factor(g, first)[0]) == pytest.approx(expected, rel=1e-9)


@given(
    st.floats(1e4, 1e7),
    st.floats(-0.04, 0.10),
    st.floats(0.0, 0.08),
    st.integers(2, 40),
    st.integers(0, 10),
)
def test_a_level_spending_that_empties_the_account_is_found_exactly(
    w0: float, r: float, rate: float, years: int, retire_in: int
) -> None:
    """An untaxed account growing at r, paying s a year from retirement: the sustainable
    level c (spent at each year end, nothing left) satisfies W_R (1+r)^n = c·A."""
    retire_in = min(retire_in, years - 1)
    spend = rate * w0
    w = [w0]
    paid = []
    for t in range(years):
        s = spend if t >= retire_in else 0.0
        w.append(w[-1] * (1.0 + r) - s)
        paid.append(s)
    wealth = np.array([w])
    terminal = wealth[:, -1]
    if terminal[0] <= 0:
        return  # the account ran out: no level above what was paid
    got = sustainable_spending(wealth, terminal, np.array([paid]), np.zeros(years), retire_in)
    n = years - retire_in
    a = _fv(r, n)
    w_r = w0 * (1.0 + r) ** retire_in
    assert float(got[0]) == pytest.approx(w_r * (1.0 + r) ** n / a, rel=1e-9)


def test_benefits_paid_part_of_the_spending_count_out_of_the_growth() -> None:
    wealth = np.array([[100.0, 105.0]])
    g = growth_factors(wealth, np.array([[10.0]]), np.array([4.0]))
    assert float(g[0, 0]) == pytest.approx((105.0 + 6.0) / 100.0)

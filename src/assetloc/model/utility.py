"""Utility of after-tax expected return E and variance V (decimals per year).

* Mean-variance: U = E − (A/2)·V.
* CRRA in Levy–Markowitz form (risk tolerance θ): U = u(1+E) + ½·u''(1+E)·V with
  u(w) = (w^(1−1/θ) − 1)/(1 − 1/θ), and u(w) = ln w at θ = 1; u''(w) = −w^(−1/θ−1)/θ.
* Risk aversion implied by a reference portfolio: A = (E_ref − r_f) / SD_ref².
"""

from __future__ import annotations

import math


def mean_variance_utility(expected_return: float, variance: float, risk_aversion: float) -> float:
    """U = E − (A/2)·V."""
    return expected_return - 0.5 * risk_aversion * variance


def crra_utility(expected_return: float, variance: float, risk_tolerance: float) -> float:
    """Levy–Markowitz approximation of expected CRRA utility of wealth 1 + E."""
    w = 1.0 + expected_return
    if w <= 0:
        return -math.inf
    inv = 1.0 / risk_tolerance
    try:
        u = math.log(w) if abs(inv - 1.0) < 1e-12 else (w ** (1.0 - inv) - 1.0) / (1.0 - inv)
        u2 = -inv * w ** (-inv - 1.0)
    except OverflowError:
        return -math.inf
    return float(u + 0.5 * u2 * variance)


def implied_risk_aversion(expected_return: float, volatility: float, cash_rate: float) -> float:
    """A = (E_ref − r_f) / SD_ref² of a reference portfolio."""
    return (expected_return - cash_rate) / volatility**2

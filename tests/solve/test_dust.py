"""No solver dust in a plan: a class the optimum does not hold is held at exactly 0.

Target volatility is solved by an interior-point method (Clarabel), whose answer holds every
class a little (1.6e-07 of F in a class the optimum leaves out, $0.02 in a Roth). The
solver re-solves with that dust held at zero when it costs no return (1e-9 a year at most);
checked here against the volatility target and the first answer's return, and against
cvxpy's optimum of the same household."""

from __future__ import annotations

import numpy as np
import pytest

from assetloc import optimize, parse_household
from assetloc.present import jsonout
from assetloc.solve import _solver

SAVER = {
    "investor": {"ordinary_rate": 0.22, "capital_gains_rate": 0.15, "retirement_rate": 0.12},
    "accounts": [
        {
            "id": "work401k",
            "type": "traditional",
            "balance": 85000,
            "menu": ["us_equity_large_cap", "us_corp_bonds_core", "non_us_equity_developed"],
        },
        {"id": "roth", "type": "roth", "balance": 22000},
    ],
    "objective": {"kind": "target_volatility", "target_volatility": 0.12},
}


def test_target_volatility_leaves_no_dust() -> None:
    plan = optimize(parse_household(SAVER))
    x = plan.x
    small = x[(x > 0) & (x < _solver.DUST)]
    assert np.all(small < 1e-12), small  # at most float rounding of the split (prints as 0)
    mix = jsonout.clean(plan.to_dict())["household"]["mix"]
    assert all(v == 0 or v >= _solver.DUST for v in mix.values()), mix
    assert plan.metrics.volatility <= 0.12 + 1e-12
    dollars = plan.dollars
    assert not np.any((dollars >= 0.005) & (dollars < 1.0))  # no cents in a class left out


def test_dropping_the_dust_costs_no_return(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same household with the clean-up switched off: the dust is there, and the clean
    plan's expected return is at least the dusty one's (less 1e-9)."""
    clean = optimize(parse_household(SAVER))
    monkeypatch.setattr(_solver, "_without_dust", lambda p, m, c, view, x: x)
    dusty = optimize(parse_household(SAVER))
    assert np.any((dusty.x > 0) & (dusty.x < _solver.DUST))  # the case this test is about
    assert clean.metrics.expected_return >= dusty.metrics.expected_return - _solver.DUST_RETURN
    assert dusty.metrics.volatility <= 0.12 + 1e-12 and clean.metrics.volatility <= 0.12 + 1e-12


YOUNG = {
    "investor": {
        "ordinary_rate": 0.32,
        "capital_gains_rate": 0.15,
        "niit": True,
        "state_rate": 0.05,
        "retirement_rate": 0.24,
        "horizon_years": 30,
    },
    "accounts": [
        {
            "id": "taxable",
            "type": "taxable",
            "balance": 60000,
            "bounds": {"us_equity_large_cap": {"max": 0.7}},
        },
        {"id": "ira", "type": "traditional", "balance": 40000},
        {"id": "roth", "type": "roth", "balance": 15000},
    ],
    "objective": {"kind": "crra", "risk_tolerance": 0.5},
    "human_capital": {
        "cash_flows": {"annual_amount": 150000, "growth": 0.02, "years": 30},
        "mix": {"us_equity_large_cap": 0.3, "us_corp_bonds_core": 0.7},
    },
    "liabilities": [
        {"id": "mortgage", "present_value": 400000, "mix": {"us_corp_bonds_core": 1.0}}
    ],
    "bounds": {"us_corp_bonds_core": {"max": 0.5}},
}


def test_a_baseline_equal_to_the_plan_gains_exactly_zero_bp() -> None:
    """A young saver whose plan is one class in every account: duplicate holds the same
    portfolio, reached by other arithmetic, so E − E is float noise (1.6e-13 a year); the
    gain is 0 bp (a difference below 1e-12 a year is 0), not 1.6e-09 bp."""
    plan = optimize(parse_household(YOUNG))
    same = plan.baseline("duplicate").metrics
    assert abs(same.expected_return - plan.metrics.expected_return) < 1e-12
    assert plan.improvement_bp("duplicate") == {"expected_return_bp": 0.0, "utility_bp": 0.0}

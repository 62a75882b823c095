"""The memo of effective tax rates gives what a fresh simulation gives, and cannot be
corrupted by its callers."""

from __future__ import annotations

import numpy as np
import pytest

import assetloc.tax.classes as tc
from assetloc import parse_household
from assetloc.model.market import resolve_market
from assetloc.tax.effective import simulate_after_tax

UNIVERSE = ["us_equity_large_cap", "us_corp_bonds_core", "real_estate", "tips"]


def _household(ordinary: float, gains: float, horizon: int) -> dict[str, object]:
    return {
        "investor": {
            "ordinary_rate": ordinary,
            "capital_gains_rate": gains,
            "retirement_rate": 0.24,
            "horizon_years": horizon,
        },
        "accounts": [
            {"id": "b", "type": "taxable", "balance": 100000.0},
            {"id": "r", "type": "roth", "balance": 50000.0},
        ],
        "assumptions": {"preset": "horizon-2025", "universe": UNIVERSE},
        "objective": {"kind": "mean_variance", "risk_aversion": 3.0, "returns": "as_given"},
    }


CASES = [(0.24, 0.15, 20), (0.37, 0.20, 20), (0.24, 0.15, 5), (0.22, 0.0, 30)]


@pytest.mark.parametrize(("ordinary", "gains", "horizon"), CASES)
def test_memo_equals_a_fresh_simulation(ordinary: float, gains: float, horizon: int) -> None:
    h = parse_household(_household(ordinary, gains, horizon))
    market = resolve_market(h)
    tc._MEMO.clear()
    tc._TAXES_MEMO.clear()
    for _ in (1, 2):  # the second call is served by the memo, after other households
        for other in CASES:
            hh = parse_household(_household(*other))
            tc.class_taxes(resolve_market(hh), hh)
        got = tc.class_taxes(market, h)
        fresh = simulate_after_tax(
            market.expected_return,
            list(market.traits or ()),
            got.profile,
            horizon,
            h.investor.liquidation,
        ).effective_rate
        assert np.array_equal(got.taxable_rate, fresh)


def test_rates_differ_by_bracket_and_horizon() -> None:
    rates = [
        tuple(tc.class_taxes(resolve_market(h), h).taxable_rate)
        for h in (parse_household(_household(*c)) for c in CASES)
    ]
    assert len(set(rates)) == len(CASES)


def test_memo_entries_are_read_only() -> None:
    h = parse_household(_household(*CASES[0]))
    tc._TAXES_MEMO.clear()
    tc.class_taxes(resolve_market(h), h)
    entry = next(iter(tc._MEMO.values()))
    with pytest.raises(ValueError):
        entry[0] = 0.5


def test_a_memoized_households_taxes_equal_a_fresh_computation_and_are_read_only() -> None:
    """The memo of whole class taxes (stated rates): the same object for the same market
    and rates, equal in every field to the unmemoized computation, arrays read-only; a
    different horizon is another entry."""
    h = parse_household(_household(*CASES[0]))
    market = resolve_market(h)
    tc._TAXES_MEMO.clear()
    first = tc.class_taxes(market, h)
    again = tc.class_taxes(market, parse_household(_household(*CASES[0])))
    assert again is first and len(tc._TAXES_MEMO) == 1
    situation = first.situation
    fresh = tc._class_taxes(market, h.investor, h.options.effective_tax_rates, situation)
    for field in ("taxable_rate", "sheltered_keep", "after_tax_return", "tax_cost_ratio"):
        assert np.array_equal(getattr(first, field), getattr(fresh, field))
        with pytest.raises(ValueError):
            getattr(first, field)[0] = 0.5
    assert (first.origin, first.profile, first.assumptions) == (
        fresh.origin,
        fresh.profile,
        fresh.assumptions,
    )
    other = parse_household(_household(CASES[0][0], CASES[0][1], 7))
    assert tc.class_taxes(resolve_market(other), other) is not first

"""Regression tests for the review of the rebalance capability (one section per finding)."""

from __future__ import annotations

import itertools

import pytest

from assetloc.rebalance import rebalance
from rebalance_support import account, household, pos

# --- 1. cash-flow sales with whole shares or a minimum trade --------------------------------


def _withdrawal_household(**opts: object) -> object:
    ira = account(
        "ira",
        "traditional",
        0.0,
        [pos("STK", 10, 500.0), pos("BON", 50, 70.0)],
        withdrawal=100.0,
    )
    return household([ira], rebalance={"mode": "cash_flow_only", **opts})


def _cheapest_sale(min_trade: float, whole: bool) -> float:
    """Brute force: the smallest total sale (STK at 500, BON at 70) raising $100."""
    best = float("inf")
    if whole:
        for a, b in itertools.product(range(11), range(51)):
            amounts = [x for x in (500.0 * a, 70.0 * b) if x > 0]
            total = sum(amounts)
            if total >= 100 and all(x >= min_trade for x in amounts):
                best = min(best, total)
    else:
        best = max(100.0, min_trade)
    return best


@pytest.mark.parametrize("mode", ["cash_flow_only", "within_bands"])
@pytest.mark.parametrize(("whole", "min_trade"), [(True, 0.0), (False, 200.0), (True, 200.0)])
def test_withdrawal_with_whole_shares_or_min_trade_is_raised(
    mode: str, whole: bool, min_trade: float
) -> None:
    h = _withdrawal_household(whole_shares=whole, min_trade=min_trade, mode=mode)
    r = rebalance(h)  # type: ignore[arg-type]
    sold = sum(t.amount for t in r.trades if t.side == "sell")
    assert sold == pytest.approx(_cheapest_sale(min_trade, whole), abs=0.05)
    assert r.accounts[0].cash_after >= 0
    assert all(t.amount >= min_trade - 1e-9 for t in r.trades)

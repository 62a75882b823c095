"""The wash-sale guard: blocked groups, flagged loss sales, same-rebalance coupling."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from assetloc import parse_household
from assetloc.rebalance import rebalance
from assetloc.rebalance.book import build_book
from assetloc.rebalance.engine import model_spec
from assetloc.rebalance.target import plan_after_flows, target_for
from assetloc.rebalance.trades import solve
from assetloc.rebalance.washsale import build_guard

from support.rebalance_support import (
    LONG_AGO,
    SECURITIES,
    account,
    household_dict,
    lot,
    pos,
)

PRICED = [
    {**s, "price": 100.0} if s["symbol"] == "STK2" else s for s in SECURITIES
]  # STK2 can be bought: a replacement in another group


def trade(acc: str, symbol: str, side: str, date: str, gain: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "account": acc,
        "symbol": symbol,
        "side": side,
        "date": date,
        "shares": 5,
    }
    if gain is not None:
        out["realized_gain"] = gain
    return out


def underweight_stocks(
    recent: list[dict[str, Any]], securities: list[dict[str, Any]]
) -> dict[str, Any]:
    """Taxable holds bonds and new cash; the Roth holds STK; stocks are far under target."""
    return household_dict(
        [
            account("brk", "taxable", 8000.0, [pos("BON", 60, 100.0, [lot(LONG_AGO, 60, 6000.0)])]),
            account("roth", "roth", 0.0, [pos("STK", 20, 100.0)]),
        ],
        securities=securities,
        recent=recent,
    )


def test_a_loss_sale_10_days_ago_in_the_roths_group_blocks_buying_it_in_taxable() -> None:
    recent = [trade("roth", "STK", "sell", "2026-06-20", gain=-400.0)]
    r = rebalance(parse_household(underweight_stocks(recent, PRICED)))
    assert not any(t.side == "buy" and t.symbol == "STK" for t in r.trades)
    stk2 = [t for t in r.trades if t.side == "buy" and t.symbol == "STK2"]
    assert stk2 and stk2[0].account in ("brk", "roth")  # the replacement in another group
    assert "stk" in r.blocked_groups and r.within_bands
    # without the recent loss sale nothing is blocked: STK and STK2 (same class, both
    # priced) are then equally good buys, and the solver may take either
    free = rebalance(parse_household(underweight_stocks([], PRICED)))
    assert "stk" not in free.blocked_groups
    assert any(t.side == "buy" and t.symbol in ("STK", "STK2") for t in free.trades)


def test_a_taxable_loss_sale_blocks_the_roth_too_and_the_block_binds_without_a_replacement() -> (
    None
):
    recent = [trade("brk", "STK", "sell", "2026-06-20", gain=-400.0)]
    r = rebalance(parse_household(underweight_stocks(recent, SECURITIES)))  # STK2: no price
    assert not any(t.side == "buy" and t.symbol == "STK" for t in r.trades)
    assert not r.within_bands
    assert any("wash-sale guard" in b for b in r.binding)


def test_trades_older_than_30_days_and_gains_do_not_block() -> None:
    for recent in (
        [trade("roth", "STK", "sell", "2026-05-30", gain=-400.0)],  # 31 days ago
        [trade("roth", "STK", "sell", "2026-06-20", gain=+400.0)],  # a gain
    ):
        r = rebalance(parse_household(underweight_stocks(recent, SECURITIES)))
        assert any(t.side == "buy" and t.symbol == "STK" for t in r.trades)
        assert not r.blocked_groups


def test_a_sell_without_a_realized_gain_is_noted_not_blocked() -> None:
    recent = [trade("roth", "STK", "sell", "2026-06-20")]
    r = rebalance(parse_household(underweight_stocks(recent, SECURITIES)))
    assert not r.blocked_groups
    assert any("no realized_gain" in n for n in r.notes)


def forced_loss_sale(recent: list[dict[str, Any]], extra_lot: bool = False) -> dict[str, Any]:
    """The only taxable position is STK at a loss, and a withdrawal forces a sale."""
    lots = [lot(LONG_AGO, 50, 50 * 140.0)]
    if extra_lot:
        lots.append(lot("2026-06-20", 10, 10 * 100.0))  # bought 10 days ago, same group
    shares = sum(x["shares"] for x in lots)
    return household_dict(
        [
            account("brk", "taxable", 0.0, [pos("STK", shares, 100.0, lots)], withdrawal=2000.0),
            account("ira", "traditional", 0.0, [pos("STK", 30, 100.0), pos("BON", 40, 100.0)]),
        ],
        recent=recent,
        rebalance={"allow_losses": True},  # losses credited: the loss sale is what is probed
    )


def test_a_buy_5_days_ago_in_the_ira_flags_a_loss_sale_in_taxable() -> None:
    recent = [trade("ira", "STK", "buy", "2026-06-25")]
    r = rebalance(parse_household(forced_loss_sale(recent)))
    sales = [s for t in r.trades for s in t.lots]
    assert sales and all(s.gain < 0 for s in sales)
    assert all(s.wash_sale for s in sales)
    assert r.wash_sale_flags and "recent_trades[0]" in r.wash_sale_flags[0]
    assert "permanently" in r.wash_sale_flags[0]
    # share matching (Reg. §1.1091-1(c)): 5 shares bought replace 5 of the shares sold, so
    # 5 x $40 of the loss is disallowed, for good (an IRA purchase); the rest is credited
    sold = sum(s.shares for s in sales)
    loss = -sum(s.gain for s in sales)
    assert sold > 5
    assert r.tax.disallowed_loss == pytest.approx(5 * 40.0)
    assert r.tax.permanently_disallowed_loss == pytest.approx(5 * 40.0)
    # the net loss is deducted against ordinary income (37%), within the $3,000 limit
    assert r.tax.estimated_tax == pytest.approx(-0.37 * (loss - 5 * 40.0))
    unflagged = rebalance(parse_household(forced_loss_sale([])))
    assert unflagged.tax.estimated_tax < 0 and not unflagged.wash_sale_flags


def test_a_lot_bought_in_the_window_and_sold_now_replaces_nothing() -> None:
    """The model sells the new lot first (the guard flags the old loss lot); the new lot,
    sold in full in the same rebalance, leaves no replacement shares: nothing disallowed."""
    r = rebalance(parse_household(forced_loss_sale([], extra_lot=True)))
    sold = {s.field: s.shares for t in r.trades for s in t.lots}
    assert sold["accounts[0].positions[0].lots[1]"] == pytest.approx(10.0)  # unflagged first
    assert not [s for t in r.trades for s in t.lots if s.wash_sale]
    assert r.tax.disallowed_loss == 0.0
    assert r.tax.estimated_tax == pytest.approx(  # a net loss: at the ordinary rate (37%)
        -0.37 * 40.0 * sold["accounts[0].positions[0].lots[0]"]
    )


def test_the_model_avoids_a_loss_that_an_ira_purchase_would_forfeit() -> None:
    """With a cheap alternative (a bond lot at a small gain), the flagged lot is not sold."""

    def d(recent: list[dict[str, Any]]) -> dict[str, Any]:
        # the fixed price of deviation: under the cost-benefit rule the free case prefers the
        # bond lot's $1.50 of tax for a better location (worth more), so nothing is avoided
        return household_dict(
            [
                account(
                    "brk",
                    "taxable",
                    0.0,
                    [
                        pos("STK", 50, 100.0, [lot(LONG_AGO, 50, 50 * 140.0)]),
                        pos("BON", 50, 100.0, [lot(LONG_AGO, 50, 50 * 99.0)]),
                    ],
                    withdrawal=1000.0,
                ),
                account("ira", "traditional", 0.0, [pos("STK", 30, 100.0), pos("BON", 40, 100.0)]),
            ],
            recent=recent,
            rebalance={"distance_weight": 0.01},
        )

    free = rebalance(parse_household(d([])))
    assert any(t.symbol == "STK" and t.side == "sell" and t.account == "brk" for t in free.trades)
    guarded = rebalance(parse_household(d([trade("ira", "STK", "buy", "2026-06-25")])))
    assert not guarded.wash_sale_flags
    assert not any(
        t.symbol == "STK" and t.side == "sell" and t.account == "brk" for t in guarded.trades
    )


def test_never_sell_a_group_at_a_loss_and_buy_it_in_the_same_rebalance() -> None:
    # on target, but a deep loss in taxable STK: harvesting it and buying STK back in the
    # IRA (swapping the IRA's bonds to the taxable account) would be a wash sale
    h = parse_household(
        household_dict(
            [
                account(
                    "brk", "taxable", 0.0, [pos("STK", 100, 100.0, [lot(LONG_AGO, 100, 15000.0)])]
                ),
                account("ira", "traditional", 0.0, [pos("BON", 100, 100.0)]),
            ],
            {"us_equity_large_cap": 0.5, "us_corp_bonds_core": 0.5},
            rebalance={"mode": "full", "allow_losses": True},  # harvesting is what is probed
        )
    )
    plan = plan_after_flows(h)
    book = build_book(h, plan.problem.market.ids)
    target = target_for(plan, book.classes)
    spec = model_spec(h, book, target, build_guard(h, book), "all")
    stk = book.security_index("STK")

    def both(sol: Any) -> bool:
        loss_sold = float(sol.lot_sold.sum()) > 1e-6
        bought = float(sol.buy[:, stk].sum()) > 1e-6
        return loss_sold and bought

    assert both(solve(spec.relaxed(couple=False)))  # the coupling is what prevents it
    assert not both(solve(spec))
    r = rebalance(h)
    sold = any(t.symbol == "STK" and t.side == "sell" for t in r.trades)
    bought = any(t.symbol == "STK" and t.side == "buy" for t in r.trades)
    assert not (sold and bought)
    if sold:
        assert "stk" in r.avoid_buying
    assert np.isfinite(r.tax.estimated_tax)

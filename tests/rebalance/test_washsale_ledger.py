"""The wash-sale guard against the ledger: the acquisition counts (Rev. Rul. 2008-5, §1091),
the ledger's history and planned purchases as the guard's window, and the reported
disallowed loss equal to the ledger engine's on the same trades."""

from __future__ import annotations

from typing import Any

import pytest

from assetloc import parse_household
from assetloc.rebalance import rebalance

from support.rebalance_support import LONG_AGO, account, household_dict, lot, pos


def _trade(
    acc: str, side: str, date: str, shares: float, gain: float | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "account": acc,
        "symbol": "STK",
        "side": side,
        "date": date,
        "shares": shares,
    }
    if gain is not None:
        out["realized_gain"] = gain
    return out


def _ira_round_trip(recent: list[dict[str, Any]]) -> dict[str, Any]:
    """Taxable STK at a $40-a-share loss, a withdrawal forces a sale; the IRA holds no STK
    today (it bought and sold it again in the window, per ``recent``)."""
    return household_dict(
        [
            account(
                "brk",
                "taxable",
                0.0,
                [pos("STK", 50, 100.0, [lot(LONG_AGO, 50, 50 * 140.0)])],
                withdrawal=2000.0,
            ),
            account("ira", "traditional", 0.0, [pos("BON", 70, 100.0)]),
        ],
        recent=recent,
        rebalance={"allow_losses": True},
    )


def test_an_ira_purchase_sold_again_still_disallows_the_loss_for_good() -> None:
    """The reviewer's finding: the IRA bought 5 STK 5 days ago and sold them 3 days ago, so
    it holds none today. Under Rev. Rul. 2008-5 the IRA purchase itself disallows the loss
    of 5 of the shares sold, for good; §1091 asks whether replacement shares were
    ACQUIRED in the window, not whether they are still held. 5 × $40 = $200."""
    recent = [
        _trade("ira", "buy", "2026-06-25", 5),
        _trade("ira", "sell", "2026-06-27", 5, gain=10.0),
    ]
    r = rebalance(parse_household(_ira_round_trip(recent)))
    sales = [s for t in r.trades for s in t.lots if t.account == "brk"]
    assert sales and sum(s.shares for s in sales) > 5
    assert all(s.gain < 0 for s in sales)
    assert r.tax.disallowed_loss == pytest.approx(5 * 40.0)
    assert r.tax.permanently_disallowed_loss == pytest.approx(5 * 40.0)


def test_a_taxable_purchase_sold_again_still_replaces_the_shares() -> None:
    """A taxable account's purchase in the window, sold before the rebalance, is still a
    replacement (acquired): the loss on 5 shares is disallowed, deferred (not permanent)."""
    accounts = [
        account(
            "brk",
            "taxable",
            0.0,
            [pos("STK", 50, 100.0, [lot(LONG_AGO, 50, 50 * 140.0)])],
            withdrawal=2000.0,
        ),
        account("brk2", "taxable", 1000.0, [pos("BON", 10, 100.0, [lot(LONG_AGO, 10, 900.0)])]),
        account("ira", "traditional", 0.0, [pos("BON", 60, 100.0)]),
    ]
    recent = [
        _trade("brk2", "buy", "2026-06-20", 5),
        _trade("brk2", "sell", "2026-06-24", 5, gain=20.0),
    ]
    h = household_dict(accounts, recent=recent, rebalance={"allow_losses": True})
    r = rebalance(parse_household(h))
    assert r.tax.disallowed_loss == pytest.approx(5 * 40.0)
    assert r.tax.permanently_disallowed_loss == pytest.approx(0.0)


def _forced(planned: list[dict[str, Any]], recurring: list[dict[str, Any]] | None = None) -> Any:
    d = _ira_round_trip([])
    d["planned_purchases"] = planned
    d["recurring_purchases"] = recurring or []
    return parse_household(d)


@pytest.mark.parametrize(("day", "hand"), [("2026-07-30", 5 * 40.0), ("2026-07-31", 0.0)])
def test_a_planned_ira_purchase_in_the_30_days_after_is_a_replacement(
    day: str, hand: float
) -> None:
    """The look-ahead: $500 of STK planned in the IRA ($100 a share: 5 shares) on day 30
    after the trade date replaces 5 of the shares sold, for good; on day 31 it does not."""
    planned = [{"account": "ira", "symbol": "STK", "date": day, "amount": 500.0}]
    r = rebalance(_forced(planned))
    assert [s for t in r.trades for s in t.lots if t.account == "brk"]
    assert r.tax.disallowed_loss == pytest.approx(hand)
    assert r.tax.permanently_disallowed_loss == pytest.approx(hand)
    if hand:
        assert any("planned_purchases[0]" in f for f in r.wash_sale_flags)


def test_a_recurring_taxable_purchase_defers_the_loss() -> None:
    """Weekly $200 of STK in another taxable account from the trade date: July 7, 14, 21
    and 28 (2 shares each) and June 30 itself are in the window: 10 shares, deferred."""
    d = _ira_round_trip([])
    d["accounts"].append(account("brk2", "taxable", 0.0, []))
    d["recurring_purchases"] = [
        {
            "account": "brk2",
            "symbol": "STK",
            "every": "weekly",
            "start": "2026-06-30",
            "amount": 200.0,
        }
    ]
    r = rebalance(parse_household(d))
    assert r.tax.disallowed_loss == pytest.approx(10 * 40.0)
    assert r.tax.permanently_disallowed_loss == pytest.approx(0.0)

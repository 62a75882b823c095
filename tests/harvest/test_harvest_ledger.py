"""Harvesting on the ledger's lots: lot ids, conflicts from the ledger's purchases and
reinvested dividends, and the disallowed loss by the ledger engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from assetloc.harvest import harvest
from assetloc.ledger.context import complete

from support.ledger_households import checked, fields, inputs_for, tx

SECURITIES = [
    {"symbol": "STK", "asset_class": "us_equity_large_cap", "group": "stk", "price": 100.0},
    {"symbol": "STK2", "asset_class": "us_equity_large_cap", "group": "stk2", "price": 90.0},
    {"symbol": "BON", "asset_class": "us_corp_bonds_core", "group": "bon", "price": 100.0},
]


def _loaded(rows: list[tuple[Any, ...]], **extra: Any) -> Any:
    d: dict[str, Any] = {
        "investor": {"ordinary_rate": 0.24, "capital_gains_rate": 0.15},
        "accounts": [
            {"id": "brk", "type": "taxable", "cash": 0.0},
            {"id": "roth", "type": "roth", "cash": 0.0},
            {"id": "wife", "type": "taxable", "cash": 0.0, "owner": "spouse"},
        ],
        "objective": {"kind": "fixed_mix", "mix": {"us_equity_large_cap": 1.0}},
        "securities": SECURITIES,
        "ledger": {"url": "sqlite:///unused.db", "positions": True},
        "rebalance": {"as_of": "2026-06-30"},
    }
    d.update(extra)
    h = fields(d)
    txs = [tx(*row, seq=i + 1) for i, row in enumerate(rows)]
    out = complete(h, inputs_for(h, txs))
    return checked(out.household), out


BASE: list[tuple[Any, ...]] = [("2024-03-01", "brk", "STK", "buy", 20, 150.0)]  # $1,000 loss


def test_the_lot_is_the_ledger_id_and_nothing_washes_it() -> None:
    h, loaded = _loaded([*BASE, ("2025-01-02", "roth", "BON", "buy", 10, 100.0)])
    (c,) = harvest(h, ledger=loaded.ledger).candidates
    assert (c.lot, c.shares, c.loss, c.term) == ("t1", 20.0, pytest.approx(1000.0), "long")
    assert c.conflicts == () and c.disallowed == 0.0
    assert c.tax_value_now == pytest.approx(240.0)
    assert c.replacement is not None and c.replacement.symbol == "STK2"


def test_a_roth_purchase_10_days_ago_already_washes_for_good() -> None:
    h, loaded = _loaded([*BASE, ("2026-06-20", "roth", "STK", "buy", 8, 100.0)])
    (c,) = harvest(h, ledger=loaded.ledger).candidates
    (x,) = c.conflicts
    assert (x.account, x.kind, x.permanent, x.washes) == ("roth", "purchase", True, True)
    # the ledger engine: 8 of 20 shares replaced in a Roth, 8 x $50 lost for good
    assert c.disallowed == pytest.approx(400.0) and c.permanent == pytest.approx(400.0)
    assert c.tax_value_now == pytest.approx(0.24 * 600.0)


def test_reinvested_dividends_of_the_last_year_are_likely_to_recur() -> None:
    rows = [
        *BASE,
        ("2025-09-30", "brk", "STK", "reinvest", 0.5, 110.0),  # 9 months ago
        ("2026-03-31", "brk", "STK", "reinvest", 0.5, 105.0),  # 3 months ago
        ("2026-06-25", "brk", "STK", "reinvest", 0.4, 100.0),  # 5 days ago: washes
    ]
    h, loaded = _loaded(rows)
    cands = harvest(h, ledger=loaded.ledger).candidates
    c = next(c for c in cands if c.lot == "t1")
    kinds = [(x.date, x.kind, x.washes) for x in c.conflicts]
    assert kinds == [
        (dt.date(2025, 9, 30), "reinvested dividend (likely to recur)", False),
        (dt.date(2026, 3, 31), "reinvested dividend (likely to recur)", False),
        (dt.date(2026, 6, 25), "reinvested dividend", True),
    ]
    # by the engine: the 0.4 shares of June 25 replace 0.4 of the 20 sold ($50 each,
    # deferred: a taxable purchase); the sale draws only lot t1
    assert c.disallowed == pytest.approx(0.4 * 50.0) and c.permanent == 0.0


def test_a_spouses_purchase_washes_unless_include_spouse_is_false() -> None:
    rows = [*BASE, ("2026-07-01", "wife", "STK", "buy", 5, 100.0)]
    h, loaded = _loaded(rows, rebalance={"as_of": "2026-07-05"})
    (c,) = [c for c in harvest(h, ledger=loaded.ledger).candidates if c.lot == "t1"]
    assert [x.account for x in c.conflicts] == ["wife"]
    assert c.disallowed == pytest.approx(250.0)
    ledger = {"url": "sqlite:///unused.db", "positions": True, "include_spouse": False}
    h, loaded = _loaded(rows, rebalance={"as_of": "2026-07-05"}, ledger=ledger)
    (c,) = [c for c in harvest(h, ledger=loaded.ledger).candidates if c.lot == "t1"]
    assert c.conflicts == () and c.disallowed == 0.0


def test_planned_purchases_after_count_by_the_engine_too() -> None:
    planned = [{"account": "roth", "symbol": "STK", "date": "2026-07-15", "amount": 300.0}]
    h, loaded = _loaded(BASE, planned_purchases=planned)
    (c,) = harvest(h, ledger=loaded.ledger).candidates
    assert [(x.kind, x.permanent) for x in c.conflicts] == [("planned purchase", True)]
    assert c.disallowed == pytest.approx(150.0) and c.permanent == pytest.approx(150.0)


def test_a_purchase_partly_used_by_an_earlier_loss_sale_washes_only_the_rest() -> None:
    """10 bought June 10; 4 of the 2024 lot sold at a loss June 15 take 4 of them (that
    lot part, tacked, is t2.w1). Today the 16 shares left of the 2024 lot ($50 a share
    under water) are washed by the 6 replacement shares still unused: 6 x $50 = $300. The
    purchase never washes its own lots (t2, t2.w1)."""
    rows = [
        *BASE,
        ("2026-06-10", "brk", "STK", "buy", 10, 130.0),
        ("2026-06-15", "brk", "STK", "sell", 4, 120.0, "2024-03-01"),
    ]
    h, loaded = _loaded(rows)
    by_lot = {c.lot: c for c in harvest(h, ledger=loaded.ledger).candidates}
    assert set(by_lot) == {"t1", "t2", "t2.w1"}
    assert by_lot["t1"].shares == 16.0 and by_lot["t1"].disallowed == pytest.approx(300.0)
    assert by_lot["t2.w1"].conflicts == () and by_lot["t2"].conflicts == ()
    assert by_lot["t2.w1"].term == "long"  # the tacked holding period


def test_a_roth_purchase_used_up_by_an_earlier_loss_sale_no_longer_washes() -> None:
    """The Roth bought 8 shares June 10 and they replaced the 8 shares of the 2024 lot sold
    at a loss June 15 (lost for good). Selling the other 12 today finds that purchase in
    the window, but its shares are used (Reg. §1.1091-1: each replacement share once): it
    is listed, says it does not wash, and nothing more is disallowed."""
    rows = [
        *BASE,
        ("2026-06-10", "roth", "STK", "buy", 8, 130.0),
        ("2026-06-15", "brk", "STK", "sell", 8, 120.0, "2024-03-01"),
    ]
    h, loaded = _loaded(rows)
    (c,) = harvest(h, ledger=loaded.ledger).candidates
    (x,) = c.conflicts
    assert (x.account, x.permanent, x.washes) == ("roth", True, False)
    assert "already replaced an earlier loss sale" in x.note
    assert c.shares == 12.0 and c.disallowed == 0.0
    # one more share in the Roth purchase: that one share still washes today
    rows[1] = ("2026-06-10", "roth", "STK", "buy", 9, 130.0)
    h, loaded = _loaded(rows)
    (c,) = harvest(h, ledger=loaded.ledger).candidates
    assert c.conflicts[0].washes and c.disallowed == pytest.approx(50.0)

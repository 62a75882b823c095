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


# ------------------------------------------------ the ledger engine as the reference


LEDGER_SECURITIES = [
    {"symbol": "STK", "asset_class": "us_equity_large_cap", "group": "stk", "price": 100.0},
    {"symbol": "STK2", "asset_class": "us_equity_large_cap", "group": "stk2", "price": 100.0},
    {"symbol": "BON", "asset_class": "us_corp_bonds_core", "group": "bon", "price": 100.0},
]
BASE: list[tuple[Any, ...]] = [
    ("2020-01-15", "brk", "STK", "buy", 50, 140.0),  # the loss lot: $40 a share
    ("2020-01-15", "ira", "BON", "buy", 70, 100.0),
]


def _ledger_household(rows: list[tuple[Any, ...]], **extra: Any) -> tuple[Any, Any]:
    """(household completed from the ledger ``BASE + rows``, its ledger context)."""
    from assetloc.ledger.context import complete

    from support.ledger_households import checked, fields, inputs_for, tx

    d = household_dict(
        [
            account("brk", "taxable", 0.0, withdrawal=2000.0),
            account("ira", "traditional", 0.0),
        ],
        securities=LEDGER_SECURITIES,
        rebalance={"allow_losses": True},
    )
    d["ledger"] = {"url": "sqlite:///unused.db", "positions": True}
    d.update(extra)
    h = fields(d)
    txs = [tx(*row, seq=i + 1) for i, row in enumerate(BASE + rows)]
    loaded = complete(h, inputs_for(h, txs))
    return checked(loaded.household), loaded.ledger


def _engine_disallowed(result: Any, ledger: Any, h: Any) -> tuple[float, float]:
    """The ledger engine's disallowed loss (and permanent part) of the rebalance's sells,
    appended to the ledger on the trade date (lots named by their acquisition dates), with
    the planned and recurring purchases of the 30 days after."""
    import datetime as dt

    from assetloc.ledger.engine import derive
    from assetloc.ledger.planned import future_purchases
    from assetloc.ledger.transactions import Action, Transaction

    day = result.as_of
    seq = max(t.seq for t in ledger.inputs.transactions) + 1
    orders: list[Transaction] = []
    for t in sorted(result.trades, key=lambda t: t.side != "sell"):
        lot = ";".join(f"{x.acquired.isoformat()}:{x.shares!r}" for x in t.lots)
        action = Action.SELL if t.side == "sell" else Action.BUY
        orders.append(
            Transaction(
                day,
                t.account,
                t.symbol,
                action,
                t.shares,
                t.price,
                lot=lot,
                id=f"order{seq}",
                seq=seq,
            )
        )
        seq += 1
    ahead = future_purchases(h, day, day + dt.timedelta(days=30), lambda s: 100.0)
    extra = [p.transaction(seq + i) for i, p in enumerate(ahead)]
    out = derive(
        [*ledger.inputs.transactions, *orders, *extra], ledger.inputs.accounts, ledger.inputs.groups
    )
    sells = {t.id for t in orders if t.action == Action.SELL}
    rows = [s for s in out.sales if s.transaction in sells]
    return sum(s.disallowed for s in rows), sum(s.disallowed for s in rows if s.permanent)


LEDGER_CASES: dict[str, list[tuple[Any, ...]]] = {
    # the IRA bought 5 STK and sold them again: still a permanent replacement
    "ira_round_trip": [
        ("2026-06-20", "ira", "STK", "buy", 5, 100.0),
        ("2026-06-25", "ira", "STK", "sell", 5, 100.0),
    ],
    # a taxable lot bought 29 days ago and sold at a loss 20 days ago: the IRA purchase of
    # 5 on June 5 washed that loss (its capacity is used); the lot's own purchase of 10
    # still replaces 10 shares of today's loss sale (acquired in the window, sold since)
    "capacity_used_once": [
        ("2026-06-01", "brk", "STK", "buy", 10, 120.0),
        ("2026-06-05", "ira", "STK", "buy", 5, 100.0),
        ("2026-06-10", "brk", "STK", "sell", 10, 100.0, "2026-06-01"),
    ],
    # a reinvested dividend in the IRA 12 days ago and nothing else
    "reinvested_dividend": [("2026-06-18", "ira", "STK", "reinvest", 0.75, 100.0)],
    "no_replacement": [],
}


@pytest.mark.parametrize("case", sorted(LEDGER_CASES))
def test_the_reported_disallowed_loss_is_the_ledger_engines(case: str) -> None:
    h, ledger = _ledger_household(LEDGER_CASES[case])
    r = rebalance(h, ledger=ledger)
    assert [s for t in r.trades for s in t.lots if s.gain < 0]  # a loss sale happened
    dis, perm = _engine_disallowed(r, ledger, h)
    assert r.tax.disallowed_loss == pytest.approx(dis, abs=1e-6)
    assert r.tax.permanently_disallowed_loss == pytest.approx(perm, abs=1e-6)
    lots = [s for t in r.trades for s in t.lots]
    assert sum(s.disallowed_loss for s in lots) == pytest.approx(dis, abs=1e-6)


def test_the_ledger_cases_are_not_vacuous() -> None:
    """The hand figures of the cases (so that the equality above compares something)."""
    hand = {
        "ira_round_trip": (5 * 40.0, 5 * 40.0),
        "capacity_used_once": (10 * 40.0, 0.0),
        "reinvested_dividend": (0.75 * 40.0, 0.75 * 40.0),
        "no_replacement": (0.0, 0.0),
    }
    for case, (dis, perm) in hand.items():
        h, ledger = _ledger_household(LEDGER_CASES[case])
        r = rebalance(h, ledger=ledger)
        assert (r.tax.disallowed_loss, r.tax.permanently_disallowed_loss) == (
            pytest.approx(dis),
            pytest.approx(perm),
        ), case


def test_a_planned_purchase_after_the_trade_date_by_the_ledger_engine() -> None:
    planned = [{"account": "ira", "symbol": "STK", "date": "2026-07-20", "amount": 300.0}]
    h, ledger = _ledger_household([], planned_purchases=planned)
    r = rebalance(h, ledger=ledger)
    dis, perm = _engine_disallowed(r, ledger, h)
    assert (dis, perm) == (pytest.approx(3 * 40.0), pytest.approx(3 * 40.0))
    assert r.tax.disallowed_loss == pytest.approx(dis)
    assert r.tax.permanently_disallowed_loss == pytest.approx(perm)

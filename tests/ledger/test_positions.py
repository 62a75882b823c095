"""Household positions and the guard's recent trades from the ledger's lots and sales (no
database: typed open lots and sales), the gains feed and the purchase schedules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from assetloc import parse_household
from assetloc.errors import InputError
from assetloc.inputs.holdings import RecurringPurchase
from assetloc.inputs.household import parse_fields
from assetloc.ledger.gains_feed import household_with_gains
from assetloc.ledger.planned import future_purchases, schedule
from assetloc.ledger.positions import household_from_lots, lot_ids, recent_trades
from assetloc.ledger.records import AccountInfo, OpenLot, Sale
from assetloc.ledger.transactions import Action, Transaction

D = dt.date


def _file(**extra: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "investor": {"ordinary_rate": 0.24, "capital_gains_rate": 0.15},
        "accounts": [
            {"id": "brk", "type": "taxable", "cash": 100.0},
            {"id": "ira", "type": "traditional", "cash": 0.0},
        ],
        "objective": {"kind": "fixed_mix", "mix": {"us_equity_large_cap": 1.0}},
        "securities": [{"symbol": "VTI", "price": 250.0}],
    }
    d.update(extra)
    return d


def _lot(
    account: str,
    lot: str,
    acquired: D,
    shares: float,
    basis: float,
    adj: float = 0.0,
    opened: D | None = None,
) -> OpenLot:
    return OpenLot(account, "VTI", lot, opened or acquired, acquired, shares, basis, adj)


LOTS = [
    _lot("brk", "b", D(2024, 5, 1), 4.0, 900.0, adj=50.0, opened=D(2025, 3, 1)),  # tacked
    _lot("brk", "a", D(2023, 1, 2), 6.0, 1200.0),
    _lot("ira", "c", D(2022, 1, 2), 10.0, 2000.0),
]


def test_positions_and_lots_come_from_the_open_lots() -> None:
    h = household_from_lots(parse_fields(_file()), LOTS)
    brk, ira = h.accounts
    (pos,) = brk.positions
    assert (pos.symbol, pos.shares, pos.price) == ("VTI", 10.0, 250.0)
    assert pos.lots is not None
    # in acquisition order; the tacked date and the basis with its wash adjustment
    assert [(x.acquired, x.shares, x.cost_basis) for x in pos.lots] == [
        (D(2023, 1, 2), 6.0, 1200.0),
        (D(2024, 5, 1), 4.0, 900.0),
    ]
    assert brk.cash == 100.0
    assert ira.positions[0].shares == 10.0 and ira.positions[0].lots is None
    assert lot_ids(h, LOTS) == {
        "accounts[0].positions[0].lots[0]": "a",
        "accounts[0].positions[0].lots[1]": "b",
    }
    parse_household(h.model_dump(exclude_unset=True))  # a valid household file


def test_no_price_and_positions_in_the_file_are_errors() -> None:
    with pytest.raises(InputError, match=r"^securities: no price for VTI: the ledger holds 10"):
        household_from_lots(parse_fields(_file(securities=[])), LOTS)
    d = _file()
    d["accounts"][1]["positions"] = [{"symbol": "VTI", "shares": 1, "price": 250.0}]
    with pytest.raises(InputError, match=r"^accounts\[1\]\.positions: "):
        household_from_lots(parse_fields(d), LOTS)
    d = _file()
    d["accounts"][0] = {"id": "brk", "type": "taxable", "balance": 5.0}
    with pytest.raises(InputError, match=r"^accounts\[0\]\.balance: "):
        household_from_lots(parse_fields(d), LOTS)


ACCOUNTS = {"brk": AccountInfo("brk", True), "ira": AccountInfo("ira", False)}


def _t(day: D, account: str, action: Action, shares: float, tid: str, seq: int = 0) -> Transaction:
    return Transaction(day, account, "VTI", action, shares, 200.0, id=tid, seq=seq)


def _sale(tid: str, account: str, gain: float) -> Sale:
    return Sale(
        account,
        "VTI",
        D(2026, 6, 20),
        D(2024, 1, 1),
        1.0,
        100.0,
        100.0 - gain,
        gain,
        "long",
        "",
        0.0,
        False,
        "x",
        tid,
    )


def test_recent_trades_are_the_windows_purchases_and_taxable_loss_sales() -> None:
    as_of = D(2026, 6, 30)
    ts = [
        _t(D(2026, 5, 30), "brk", Action.BUY, 3.0, "old"),  # day 31 before: out
        _t(D(2026, 5, 31), "ira", Action.REINVEST, 0.5, "div"),  # day 30: in
        _t(D(2026, 6, 10), "brk", Action.BUY, 5.0, "held"),  # 2 of 5 still held
        _t(D(2026, 6, 20), "brk", Action.SELL, 2.0, "loss"),
        _t(D(2026, 6, 21), "ira", Action.SELL, 1.0, "iraloss"),  # no tax loss
        _t(D(2026, 6, 22), "brk", Action.SELL, 1.0, "gain"),
        _t(D(2026, 7, 1), "brk", Action.BUY, 1.0, "later"),  # after the date
    ]
    sales = [
        _sale("loss", "brk", -30.0),
        _sale("loss", "brk", -20.0),
        _sale("iraloss", "ira", -10.0),
        _sale("gain", "brk", 5.0),
    ]
    held = [_lot("brk", "held", D(2026, 6, 10), 2.0, 400.0)]
    out = recent_trades(ts, sales, ACCOUNTS, as_of, held_lots=held)
    got = [(t.account, t.side, t.date, t.shares, t.realized_gain) for t in out]
    assert got == [
        ("ira", "buy", D(2026, 5, 31), 0.5, None),
        ("brk", "buy", D(2026, 6, 10), 3.0, None),  # the 2 held are the book's lot
        ("brk", "sell", D(2026, 6, 20), 2.0, -50.0),
    ]


def test_the_gains_feed_fills_income_and_refuses_both() -> None:
    d = _file(investor={"filing_status": "single"}, income={"wages": 90_000.0})
    h = household_with_gains(parse_household(d), -1200.0, 5000.0)
    assert h.income is not None
    assert (h.income.short_term_gains, h.income.long_term_gains) == (-1200.0, 5000.0)
    d["income"]["long_term_gains"] = 10.0
    with pytest.raises(InputError, match=r"^income\.long_term_gains: .*give one or the other"):
        household_with_gains(parse_household(d), 0.0, 0.0)
    with pytest.raises(InputError, match=r"^ledger\.gains_to_income: needs an \[income\]"):
        household_with_gains(parse_household(_file()), 0.0, 0.0)


@pytest.mark.parametrize(
    ("every", "start", "until", "expected"),
    [
        ("weekly", D(2026, 1, 1), D(2026, 1, 22), [1, 8, 15, 22]),
        ("biweekly", D(2026, 1, 1), D(2026, 1, 28), [1, 15]),
        ("monthly", D(2026, 1, 31), D(2026, 4, 30), ["1-31", "2-28", "3-31", "4-30"]),
        ("semimonthly", D(2026, 1, 1), D(2026, 2, 10), ["1-1", "1-16", "2-1"]),
        ("quarterly", D(2025, 11, 30), D(2026, 6, 1), ["11-30", "2-28", "5-30"]),
    ],
)
def test_schedules(every: str, start: D, until: D, expected: list[Any]) -> None:
    r = RecurringPurchase(account="a", symbol="X", every=every, start=start, amount=1.0)
    got = list(schedule(r, until))
    if isinstance(expected[0], int):
        assert got == [D(2026, 1, d) for d in expected]
    else:
        assert [f"{x.month}-{x.day}" for x in got] == expected


def test_future_purchases_in_a_window_and_their_shares() -> None:
    d = _file(
        planned_purchases=[
            {"account": "ira", "symbol": "vti", "date": "2026-07-10", "amount": 500.0}
        ],
        recurring_purchases=[
            {
                "account": "brk",
                "symbol": "VTI",
                "every": "monthly",
                "start": "2026-01-31",
                "end": "2026-07-31",
                "amount": 250.0,
            }
        ],
    )
    h = parse_household(d)
    out = future_purchases(h, D(2026, 6, 30), D(2026, 7, 30), lambda s: 250.0)
    assert [(p.date, p.account, p.shares, p.kind) for p in out] == [
        (D(2026, 6, 30), "brk", 1.0, "recurring"),
        (D(2026, 7, 10), "ira", 2.0, "planned"),
    ]
    with pytest.raises(InputError, match=r"^planned_purchases\[0\]\.symbol: no price for VTI"):
        future_purchases(h, D(2026, 6, 30), D(2026, 7, 30), lambda s: None)

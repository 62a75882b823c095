"""The engine's contract beyond the golden cases: one-line errors naming the transaction,
ids filled in, ties ordered by seq, transfers and gifts, fractional shares."""

from __future__ import annotations

import datetime as dt

import pytest

from assetloc.errors import InputError
from assetloc.ledger.engine import LedgerError, derive
from assetloc.ledger.records import AccountInfo
from assetloc.ledger.transactions import Action, Transaction, transaction_id

D = dt.date
ACCOUNTS = {
    "tx": AccountInfo("tx", taxable=True),
    "tx2": AccountInfo("tx2", taxable=True),
    "ira": AccountInfo("ira", taxable=False),
}


def tx(day: int, action: str, shares: float, price: float = 10.0, **kw: object) -> Transaction:
    fields: dict[str, object] = {
        "date": D(2024, 1, 1) + dt.timedelta(days=day),
        "account": "tx",
        "symbol": "VTI",
        "action": Action(action),
        "shares": shares,
        "price": price,
        "seq": day * 10,
    }
    fields.update(kw)
    return Transaction(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([tx(0, "buy", 10), tx(1, "sell", 11)], "11 shares asked, 10 held"),
        ([tx(0, "sell", 1)], "1 shares asked, 0 held"),
        ([tx(0, "buy", 10, account="nope")], "account 'nope' is not one of"),
        ([tx(0, "buy", 0)], "shares must be > 0"),
        ([tx(0, "buy", float("nan"))], "shares must be > 0"),
        ([tx(0, "buy", 10, price=-1)], "price must be >= 0"),
        ([tx(0, "buy", 10, fees=-0.5)], "fees must be >= 0"),
        ([tx(0, "buy", 10), tx(1, "split", 0)], "split ratio must be > 0"),
        ([tx(0, "buy", 10), tx(1, "sell", 5, lot="2023-05-05")], "names no open lot"),
        ([tx(0, "buy", 10, id="b1"), tx(1, "sell", 5, lot="b1:6")], "names 6 shares, not 5"),
        ([tx(0, "buy", 10, id="b1"), tx(1, "sell", 5, lot="b1:11")], "has 10 shares"),
        (
            [tx(0, "buy", 4, id="b1"), tx(0, "buy", 4, id="b2", seq=1), tx(1, "sell", 6, lot="b1")],
            "covers 4 of 6 shares",
        ),
        ([tx(0, "buy", 10, id="b1"), tx(1, "sell", 5, lot="b1:x")], "lot selection"),
        ([tx(0, "transfer_out", 3)], "3 shares asked, 0 held"),
        ([tx(0, "transfer_in", 3, lot="someday")], "needs its acquisition date"),
        ([tx(0, "transfer_in", 3, lot="2030-01-01")], "after the transfer"),
    ],
)
def test_errors_name_the_transaction(rows: list[Transaction], message: str) -> None:
    with pytest.raises(LedgerError, match=message) as info:
        derive(rows, ACCOUNTS, {})
    err = info.value
    assert isinstance(err, InputError) and err.exit_code == 2
    bad = err.transaction
    assert str(err).startswith(
        f"ledger {bad.date.isoformat()} {bad.account} {bad.action.value} VTI: "
    )
    assert "\n" not in str(err)


def test_ids_filled_in_and_identical_rows_stay_two() -> None:
    b = tx(0, "buy", 5)
    rows = [b, b._replace(seq=1), tx(40, "sell", 10, price=12)]
    result = derive(rows, ACCOUNTS, {})
    assert [s.lot for s in result.sales] == [transaction_id(b, 0), transaction_id(b, 1)]
    assert sum(s.gain for s in result.sales) == pytest.approx(20.0)


def test_same_day_seq_orders_a_buy_before_a_sell() -> None:
    rows = [tx(0, "sell", 5, seq=2), tx(0, "buy", 5, seq=1)]
    (sale,) = derive(rows, ACCOUNTS, {}).sales
    assert sale.shares == 5 and sale.gain == 0.0


def test_gift_removes_shares_without_a_sale() -> None:
    rows = [tx(0, "buy", 10), tx(5, "transfer_out", 4)]
    result = derive(rows, ACCOUNTS, {})
    assert result.sales == ()
    assert [lot.shares for lot in result.lots] == [6]


def test_transfer_in_before_its_transfer_out_the_same_day() -> None:
    rows = [
        tx(0, "buy", 10, id="b1", price=7),
        tx(9, "transfer_in", 10, account="tx2", seq=1),
        tx(9, "transfer_out", 10, seq=2),
    ]
    (lot,) = derive(rows, ACCOUNTS, {}).lots
    assert (lot.account, lot.lot, lot.basis, lot.acquired) == ("tx2", "b1", 70.0, D(2024, 1, 1))


def test_washed_lot_moved_in_kind_keeps_its_adjustment() -> None:
    rows = [
        tx(0, "buy", 10, id="b1", price=10),
        tx(40, "sell", 10, price=8),
        tx(45, "buy", 10, id="b2", price=8),
        tx(50, "transfer_out", 10),
        tx(50, "transfer_in", 10, account="tx2", seq=501),
    ]
    (lot,) = derive(rows, ACCOUNTS, {}).lots
    assert (lot.account, lot.lot, lot.basis, lot.wash_adjustment) == ("tx2", "b2", 100.0, 20.0)
    assert lot.acquired == D(2024, 2, 15) - dt.timedelta(days=40)


def test_tiny_share_remainders_are_zero() -> None:
    rows = [tx(0, "buy", 1 / 3), tx(0, "buy", 1 / 3, seq=1), tx(1, "sell", 2 / 3 + 1e-12)]
    result = derive(rows, ACCOUNTS, {})
    assert result.lots == ()
    assert sum(s.shares for s in result.sales) == pytest.approx(2 / 3)


def test_group_member_replaces_and_others_do_not() -> None:
    rows = [
        tx(0, "buy", 10, symbol="VTI"),
        tx(40, "sell", 10, price=8, symbol="VTI"),
        tx(41, "buy", 10, symbol="ITOT", price=8),
        tx(42, "buy", 10, symbol="BND", price=8),
    ]
    (sale,) = derive(rows, ACCOUNTS, {"VTI": "total", "ITOT": "total"}).sales
    assert sale.disallowed == pytest.approx(20.0)
    (sale,) = derive(rows, ACCOUNTS, {}).sales
    assert sale.disallowed == 0.0


def test_sales_in_a_year() -> None:
    rows = [tx(0, "buy", 10), tx(100, "sell", 5), tx(400, "sell", 5)]
    result = derive(rows, ACCOUNTS, {})
    assert [s.sold.year for s in result.sales_in(2025)] == [2025]
    assert len(result.sales_in(2024)) == 1

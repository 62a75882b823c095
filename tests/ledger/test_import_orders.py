"""A ``rebalance --orders`` CSV, written by the real rebalance, recorded as executed: the
ledger's positions afterwards are the holdings plus the trades (the rebalance's own trade
list is the reference)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from assetloc.errors import InputError
from assetloc.inputs.household import load_household
from assetloc.ledger.api import import_file, open_lots, parse_file
from assetloc.ledger.transactions import Action
from assetloc.rebalance import rebalance

from support.rebalance_files import HOUSEHOLD

# the rebalance household's holdings as a ledger history
HISTORY = """date,account,symbol,action,shares,price
2020-01-15,brokerage,VTI,buy,60,150
2025-03-02,brokerage,VTI,buy,40,295
2019-05-01,ira,BND,buy,300,80
"""


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "house.toml"
    path.write_text(HOUSEHOLD + '\n[ledger]\nurl = "sqlite:///ledger.db"\n', encoding="utf-8")
    (tmp_path / "history.csv").write_text(HISTORY, encoding="utf-8")
    return path, tmp_path / "orders.csv"


def test_orders_written_by_rebalance_import_as_executed(setup: tuple[Path, Path]) -> None:
    path, orders = setup
    h = load_household(path)
    result = rebalance(h)
    assert result.trades, "the example must trade"
    result.write_orders(orders)
    import_file(h, path, path.parent / "history.csv")
    day = dt.date(2026, 6, 30)
    r = import_file(h, path, orders, as_of=day)
    assert (r.format, r.added, r.rows) == ("orders", len(result.trades), len(result.trades))
    # positions after = the history's + buys - sells (the rebalance's trade list)
    want: dict[tuple[str, str], float] = defaultdict(float)
    for acc, sym, n in (("brokerage", "VTI", 100), ("ira", "BND", 300)):
        want[(acc, sym)] += n
    for t in result.trades:
        want[(t.account, t.symbol)] += t.shares if t.side == "buy" else -t.shares
    got: dict[tuple[str, str], float] = defaultdict(float)
    for lot in open_lots(h, path, day).lots:
        got[(lot.account, lot.symbol)] += lot.shares
    assert {k: round(v, 6) for k, v in got.items() if round(v, 6)} == {
        k: round(v, 6) for k, v in want.items() if round(v, 6)
    }
    assert import_file(h, path, orders, as_of=day).added == 0  # idempotent


def test_order_rows_become_buys_and_sells_at_the_stated_price(setup: tuple[Path, Path]) -> None:
    path, orders = setup
    orders.write_text(
        "account,action,symbol,quantity,order_type,estimated_price,estimated_amount,lots\n"
        "brokerage,SELL,VTI,25,MARKET,250.0000,6250.00,2020-01-15:20:150.0000;2025-03-02:5:295.0000\n"
        "ira,BUY,vxus,10.5,MARKET,61.2500,643.13,\n",
        encoding="utf-8",
    )
    h = load_household(path)
    parsed = parse_file(orders, h, today=dt.date(2026, 7, 1))
    sell, buy = (r.transaction for r in parsed.rows)
    assert (sell.action, sell.shares, sell.price, sell.fees) == (Action.SELL, 25, 250.0, 0.0)
    assert sell.lot == "2020-01-15:20.0;2025-03-02:5.0"
    assert (buy.action, buy.symbol, buy.shares, buy.price) == (Action.BUY, "VXUS", 10.5, 61.25)
    assert {sell.date, buy.date} == {dt.date(2026, 7, 1)}  # no date column: today
    lines = orders.read_text(encoding="utf-8").splitlines()
    dated = [lines[0] + ",trade_date"] + [ln + ",2026-05-04" for ln in lines[1:]]
    orders.write_text("\n".join(dated) + "\n", encoding="utf-8")
    assert {r.transaction.date for r in parse_file(orders, h).rows} == {dt.date(2026, 5, 4)}
    given = parse_file(orders, h, as_of=dt.date(2026, 5, 5))
    assert {r.transaction.date for r in given.rows} == {dt.date(2026, 5, 5)}  # --as-of wins


def test_a_bad_order_row_names_row_and_column(setup: tuple[Path, Path]) -> None:
    path, orders = setup
    h = load_household(path)
    head = "account,action,symbol,quantity,order_type,estimated_price,estimated_amount,lots\n"
    for row, says in (
        (
            "brokerage,HOLD,VTI,1,MARKET,1,1,",
            "orders.csv row 2, column action: must be BUY or SELL",
        ),
        ("brokerage,BUY,VTI,x,MARKET,1,1,", "orders.csv row 2, column quantity: not a number"),
        ("nowhere,BUY,VTI,1,MARKET,1,1,", "orders.csv row 2, column account: unknown account"),
        (
            "brokerage,SELL,VTI,1,MARKET,1,1,2020-01-15",
            "row 2, column lots: expected acquired:shares",
        ),
    ):
        orders.write_text(head + row + "\n", encoding="utf-8")
        with pytest.raises(InputError, match=says):
            parse_file(orders, h)

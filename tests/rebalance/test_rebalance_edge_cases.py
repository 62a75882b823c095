"""Regression tests for the review of the rebalance capability (one section per finding)."""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

from assetloc import parse_household
from assetloc.errors import InputError
from assetloc.present import jsonout
from assetloc.present.rebalance_tables import print_result
from assetloc.rebalance import rebalance
from assetloc.rebalance.book import build_book
from assetloc.rebalance.gaintax import plan_tax
from assetloc.rebalance.target import plan_after_flows
from assetloc.rebalance.washsale import build_guard, disallowed_losses
from assetloc.tax.gains import StatedGainTax

from support.cli_runner import run_cli
from support.rebalance_files import CSV, HOUSEHOLD, write
from support.rebalance_support import LONG_AGO, account, household, household_dict, lot, pos

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


# --- 2. wash sales match shares (Reg. §1.1091-1(c)-(e)) -------------------------------------


def _wash_household(
    lots: list[dict[str, Any]], recent: list[dict[str, Any]], withdrawal: float
) -> Any:
    shares = sum(x["shares"] for x in lots)
    return household(
        [
            account(
                "brk", "taxable", 0.0, [pos("STK", shares, 100.0, lots)], withdrawal=withdrawal
            ),
            account("ira", "traditional", 0.0, [pos("STK", 30, 100.0), pos("BON", 40, 100.0)]),
        ],
        recent=recent,
        rebalance={"allow_losses": True},
    )


def test_a_lot_is_not_its_own_replacement_even_when_listed_as_a_recent_buy() -> None:
    """10 STK bought 10 days ago at $140 (listed in recent_trades too), 5 sold at $100."""
    lots = [lot("2026-06-20", 10, 1400.0)]
    recent = [
        {"account": "brk", "symbol": "STK", "side": "buy", "date": "2026-06-20", "shares": 10}
    ]
    r = rebalance(_wash_household(lots, recent, 500.0))
    sales = [s for t in r.trades for s in t.lots]
    assert [s.shares for s in sales] == pytest.approx([5.0])
    assert not r.wash_sale_flags and r.tax.disallowed_loss == 0.0
    # a short-term loss of 5 x $40, deducted against ordinary income (37%)
    assert r.tax.estimated_tax == pytest.approx(-0.37 * 200.0)


def test_only_as_many_shares_as_were_bought_are_disallowed_and_deferred() -> None:
    """20 shares sold at a $40 loss; 10 shares bought 10 days ago (a taxable lot, kept)."""
    lots = [lot(LONG_AGO, 50, 50 * 140.0), lot("2026-06-20", 10, 10 * 90.0)]
    r = rebalance(_wash_household(lots, [], 2000.0))
    sold = {s.field: s for t in r.trades for s in t.lots}
    old = sold["accounts[0].positions[0].lots[0]"]
    assert old.shares == pytest.approx(20.0)
    assert "accounts[0].positions[0].lots[1]" not in sold
    # hand: min(20 sold, 10 replacement) x $40 = $400 disallowed, deferred (taxable purchase)
    assert old.disallowed_loss == pytest.approx(400.0)
    assert r.tax.disallowed_loss == pytest.approx(400.0)
    assert r.tax.permanently_disallowed_loss == 0.0
    assert r.tax.to_dict()["deferred_loss"] == pytest.approx(400.0)
    assert r.tax.estimated_tax == pytest.approx(-0.37 * (800.0 - 400.0))


# --- 3. --holdings: the household is checked after the CSV is applied ----------------------


def test_skeleton_household_with_holdings_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    skeleton = tomllib.loads(HOUSEHOLD)
    for acc in skeleton["accounts"]:
        acc["cash"] = 0
        acc["positions"] = []
    text = HOUSEHOLD.split("[[accounts]]")[0] + "".join(
        f'[[accounts]]\nid = "{a["id"]}"\ntype = "{a["type"]}"\ncash = 0\n'
        + "".join(f"{k} = {a[k]}\n" for k in ("contribution", "withdrawal") if k in a)
        for a in skeleton["accounts"]
    )
    text += HOUSEHOLD[HOUSEHOLD.index("[objective]") :]
    toml_path = write(tmp_path, "skeleton.toml", text)
    csv_path = write(tmp_path, "holdings.csv", CSV)
    code, out, err = run_cli(capsys, "rebalance", toml_path, "--holdings", csv_path, "--json")
    assert code == 0, err
    # the same orders as the household file that holds everything itself
    full = rebalance(parse_household(tomllib.loads(HOUSEHOLD)))
    assert json.loads(out)["trades"] == jsonout.clean([t.to_dict() for t in full.trades], "trades")
    # still checked after the CSV: a CSV that leaves nothing to allocate is one error line
    empty = write(tmp_path, "empty.csv", "account,symbol,shares,price\nbrokerage,CASH,0,\n")
    code, _, err = run_cli(capsys, "rebalance", toml_path, "--holdings", empty)
    assert code == 2 and "all balances are zero" in err


# --- 4. the reported tax nets Schedule D exactly ---------------------------------------------


@pytest.mark.parametrize(
    ("st", "lt", "allow", "hand"),
    [
        (1615.45, -1000.0, True, 615.45 * 0.32),  # LT loss offsets ST gain: 32% on the rest
        (-1000.0, 1615.45, True, 615.45 * 0.15),  # ST loss offsets LT gain: 15% on the rest
        (1000.0, 2000.0, True, 1000 * 0.32 + 2000 * 0.15),
        (500.0, -1000.0, True, -500 * 0.32),  # a net loss: deducted from ordinary income
        (-500.0, -1000.0, True, -1500 * 0.32),
        (-1000.0, -19000.0, True, -3000 * 0.32),  # at most $3,000 a year
        (5000.0, -30000.0, True, -3000 * 0.32),
        (500.0, -1000.0, False, 0.0),  # no credit without allow_losses
    ],
)
def test_schedule_d_netting(st: float, lt: float, allow: bool, hand: float) -> None:
    assert plan_tax(StatedGainTax(0.32, 0.15, allow), st, lt).tax == pytest.approx(hand)


def test_reported_tax_of_a_long_term_loss_against_a_short_term_gain() -> None:
    """The review's case: ST +$1,615.45, LT -$1,000 → $196.94, not the bound's $316.94."""
    brk = account(
        "brk",
        "taxable",
        0.0,
        [
            pos("STK", 100, 500.0, [lot("2026-03-01", 100, 100 * 450.0)]),
            pos("STK2", 10, 200.0, [lot(LONG_AGO, 10, 10 * 300.0)]),
            pos("BON", 1, 70.0, [lot(LONG_AGO, 1, 70.0)]),
        ],
    )
    r = rebalance(household([brk], ordinary=0.32, gains=0.15))
    st, lt = r.tax.short_term_gain, r.tax.long_term_gain
    assert st > 0 > lt and st + lt > 0
    assert lt == pytest.approx(-1000.0)
    assert r.tax.estimated_tax == pytest.approx(0.32 * (st + lt))


# --- 5. dust orders the MILP did not place are dropped, and never charged -------------------

# a fuzzed household (shrunk) where HiGHS left "buy VTI 0.000037" ($0.01) in a1
DUST_HOUSEHOLD = (
    '{"name":"t","investor":{"ordinary_rate":0.32,"capital_gains_rate":0.2},"objective":{"kin'
    'd":"fixed_mix","mix":{"us_equity_large_cap":0.45,"us_equity_small_mid_cap":0.1,"non_us_e'
    'quity_developed":0.15,"non_us_equity_emerging":0.05,"us_corp_bonds_core":0.25}},"account'
    's":[{"id":"a0","type":"taxable","cash":0.0,"positions":[{"symbol":"VWO","shares":163.255'
    ',"price":55.12,"lots":[{"acquired":"2024-09-11","shares":55.335,"cost_basis":3703.2},{"a'
    'cquired":"2026-11-19","shares":33.355,"cost_basis":1282.83},{"acquired":"2024-09-11","sh'
    'ares":12.0,"cost_basis":735.72},{"acquired":"2021-05-30","shares":62.565,"cost_basis":46'
    '19.68}]},{"symbol":"AGG","shares":10.396,"price":74.26,"lots":[{"acquired":"2026-10-20",'
    '"shares":10.396,"cost_basis":914.81}]},{"symbol":"VB","shares":191.76600000000002,"price'
    '":229.6,"lots":[{"acquired":"2026-05-04","shares":63.0,"cost_basis":9416.83},{"acquired"'
    ':"2026-10-22","shares":73.0,"cost_basis":21316.78},{"acquired":"2024-09-11","shares":9.5'
    '09,"cost_basis":2359.76},{"acquired":"2026-10-22","shares":46.257,"cost_basis":14663.38}'
    ']}]},{"id":"a1","type":"traditional","cash":100.0,"positions":[{"symbol":"IVV","shares":'
    '190.03,"price":563.67}],"contribution":10000.0},{"id":"a2","type":"roth","cash":5000.0,"'
    'positions":[{"symbol":"VTI","shares":36.67,"price":353.38}]}],"rebalance":{"as_of":"2026'
    '-11-20","mode":"full","allow_losses":true,"min_trade":500.0,"cost_per_trade":5.0},"recen'
    't_trades":[]}'
)


def test_orders_under_min_trade_are_dropped_and_costs_match_the_orders() -> None:
    d = json.loads(DUST_HOUSEHOLD)
    r = rebalance(parse_household(d))
    opts = d["rebalance"]
    assert r.trades
    assert all(t.amount >= opts["min_trade"] - 0.01 for t in r.trades)
    assert r.trading_costs == pytest.approx(opts["cost_per_trade"] * len(r.trades))
    # each account's cash recomputed from its orders: the reported figure, never negative
    for acc, state in zip(d["accounts"], r.accounts, strict=True):
        cash = acc.get("cash", 0.0) + acc.get("contribution", 0.0) - acc.get("withdrawal", 0.0)
        for t in r.trades:
            if t.account == acc["id"]:
                cash += (t.amount if t.side == "sell" else -t.amount) - opts["cost_per_trade"]
        assert state.cash_after == pytest.approx(cash, abs=0.01)
        assert cash >= -0.005


# --- 6. the orders CSV tells apart two lots of the same date ---------------------------------


def test_orders_name_lots_by_date_shares_and_basis_per_share() -> None:
    brk = account(
        "brk",
        "taxable",
        0.0,
        [
            pos("STK", 20, 500.0, [lot(LONG_AGO, 10, 1000.0), lot(LONG_AGO, 10, 4900.0)]),
            pos("BON", 10, 70.0, [lot(LONG_AGO, 10, 700.0)]),
        ],
    )
    r = rebalance(household([brk]))
    rows = {row["symbol"]: row for row in r.orders_rows()}
    parts = rows["STK"]["lots"].split(";")
    sold = {round(s.cost_basis / s.shares, 4): s.shares for t in r.trades for s in t.lots}
    # hand: the lots' bases per share are $1,000 / 10 = $100 and $4,900 / 10 = $490
    assert {float(p.split(":")[2]) for p in parts} <= {100.0, 490.0}
    for p in parts:
        acquired, shares, basis = p.split(":")
        assert acquired == LONG_AGO
        assert float(shares) == pytest.approx(sold[float(basis)], abs=1e-6)


# --- 7. text output keeps square brackets ----------------------------------------------------


def test_text_output_escapes_rich_markup() -> None:
    brk = account("brk", "taxable", 0.0, [pos("STK", 10, 100.0, [lot(LONG_AGO, 10, 500.0)])])
    r = rebalance(household([brk]))
    text = "no price in [[securities]]: add one to [[securities]] [bold]"
    r = dataclasses.replace(r, notes=(text,), binding=(text,))
    buf = io.StringIO()
    print_result(r, Console(file=buf, width=200))
    out = buf.getvalue()
    assert out.count(text) == 2


# --- 8. holdings fields take numbers only -----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("accounts", 0, "positions", 0, "price"), True),
        (("accounts", 0, "positions", 0, "shares"), "10"),
        (("accounts", 0, "positions", 0, "lots", 0, "cost_basis"), "500"),
        (("rebalance", "min_trade"), "100"),
        (("recent_trades", 0, "shares"), False),
    ],
)
def test_holdings_numbers_are_not_coerced(path: tuple[Any, ...], value: Any) -> None:
    brk = account("brk", "taxable", 0.0, [pos("STK", 10, 100.0, [lot(LONG_AGO, 10, 500.0)])])
    recent = [{"account": "brk", "symbol": "STK", "side": "buy", "date": LONG_AGO, "shares": 1}]
    d = household_dict([brk], recent=recent)
    node = d
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(InputError) as err:
        parse_household(d)
    assert "must be a number" in str(err.value)
    assert re.search(rf"\b{path[-1]}:? must be a number", str(err.value))


# --- 9. the mode argument of the Python API is checked ---------------------------------------


def test_rebalance_rejects_an_unknown_mode() -> None:
    brk = account("brk", "taxable", 0.0, [pos("STK", 10, 100.0, [lot(LONG_AGO, 10, 500.0)])])
    with pytest.raises(InputError) as err:
        rebalance(household([brk]), mode="bogus")  # type: ignore[arg-type]
    assert str(err.value).startswith("mode:") and "bogus" in str(err.value)


# --- 10. wash-sale messages stay short however many purchases match -------------------------


def test_wash_sale_reason_names_three_matches_and_counts_the_rest() -> None:
    """30 one-share IRA buys; 20 shares sold at a $40 loss match the first 20 of them."""
    lots = [lot(LONG_AGO, 50, 50 * 140.0)]
    recent = [
        {"account": "ira", "symbol": "STK", "side": "buy", "date": "2026-06-25", "shares": 1}
        for _ in range(30)
    ]
    r = rebalance(_wash_household(lots, recent, 2000.0))
    (sale,) = [s for t in r.trades for s in t.lots]
    assert sale.shares == pytest.approx(20.0)
    assert sale.disallowed_loss == pytest.approx(20 * 40.0)  # hand: 20 matched shares x $40
    assert sale.permanently_disallowed_loss == pytest.approx(20 * 40.0)
    assert sale.wash_sale_reason.count("recent_trades[") == 3
    assert sale.wash_sale_reason.endswith("and 17 more")
    assert len(r.wash_sale_flags) == 1 and len(r.wash_sale_flags[0]) < 600


@pytest.mark.parametrize("ira_sold", [0.0, 3.0, 5.0])
def test_an_ira_replacement_sold_in_this_rebalance_still_disallows(ira_sold: float) -> None:
    """5 STK bought in the IRA 5 days ago (all it holds); 20 taxable shares sold at a $40
    loss. The IRA purchase disallows the loss on 5 shares for good (Rev. Rul. 2008-5: the
    purchase counts), whether or not the IRA sells them again in the same rebalance."""
    hand = 5 * 40.0
    recent = [{"account": "ira", "symbol": "STK", "side": "buy", "date": "2026-06-25", "shares": 5}]
    h = household(
        [
            account("brk", "taxable", 0.0, [pos("STK", 50, 100.0, [lot(LONG_AGO, 50, 7000.0)])]),
            account("ira", "traditional", 0.0, [pos("STK", 5, 100.0), pos("BON", 40, 100.0)]),
        ],
        recent=recent,
    )
    book = build_book(h, plan_after_flows(h).problem.market.ids)
    guard = build_guard(h, book)
    lot_sold = np.array([20.0])
    buy = np.zeros_like(book.shares)
    sell = np.zeros_like(book.shares)
    sell[book.account_ids.index("ira"), book.security_index("STK")] = ira_sold
    sell[book.account_ids.index("brk"), book.security_index("STK")] = 20.0
    dis = disallowed_losses(book, guard, lot_sold, buy)
    assert dis.loss[0] == pytest.approx(hand)
    assert dis.permanent[0] == pytest.approx(hand)


def test_cash_flow_cap_with_whole_shares_and_no_securities() -> None:
    """Only cash: the sale cap's headroom has no share price to take (was a ValueError)."""
    ira = account("ira", "traditional", 1000.0, withdrawal=100.0)
    h = household([ira], securities=[], rebalance={"mode": "cash_flow_only", "whole_shares": True})
    r = rebalance(h)
    assert not r.trades
    assert r.accounts[0].cash_after == pytest.approx(1000.0 - 100.0)

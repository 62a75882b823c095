"""Regression tests for the review of the rebalance capability (one section per finding)."""

from __future__ import annotations

import itertools
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from assetloc import parse_household
from assetloc.rebalance import rebalance
from assetloc.rebalance.tax import TaxRates, schedule_d_tax
from rebalance_support import LONG_AGO, account, household, lot, pos
from test_rebalance_cli import CSV, HOUSEHOLD, write

from cli_runner import run_cli

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
    # a short-term loss of 5 x $40, credited at the lower rate (15%)
    assert r.tax.estimated_tax == pytest.approx(-0.15 * 200.0)


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
    assert r.tax.estimated_tax == pytest.approx(-0.15 * (800.0 - 400.0))


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
    assert json.loads(out)["trades"] == [t.to_dict() for t in full.trades]
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
        (500.0, -1000.0, True, -500 * 0.15),  # a net loss: credited at the lower rate
        (-500.0, -1000.0, True, -1500 * 0.15),
        (500.0, -1000.0, False, 0.0),  # no credit without allow_losses
    ],
)
def test_schedule_d_netting(st: float, lt: float, allow: bool, hand: float) -> None:
    assert schedule_d_tax(st, lt, TaxRates(0.32, 0.15, allow)) == pytest.approx(hand)


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

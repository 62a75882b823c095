"""Tax-loss harvesting on lots typed in the household file: thresholds, the tax value now
(hand-computed brackets, taxcalc), the deferral's closed form, conflicts, blocked_until and
the replacement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from assetloc import parse_household
from assetloc.errors import InputError
from assetloc.harvest import harvest

from support.rebalance_support import AS_OF, LONG_AGO, RECENT, account, household_dict, lot, pos


def _brk(lots: list[dict[str, Any]], price: float = 100.0, symbol: str = "STK") -> dict[str, Any]:
    shares = sum(x["shares"] for x in lots)
    return account("brk", "taxable", 0.0, [pos(symbol, shares, price, lots)])


def _h(accounts: list[dict[str, Any]], **extra: Any) -> Any:
    d = household_dict(accounts, ordinary=0.24, gains=0.15)
    d.update(extra)
    return parse_household(d)


def test_2000_loss_at_24pct_ordinary_saves_480_and_5000_saves_720_carrying_2000() -> None:
    """Stated rates, no gains this year: a net loss offsets ordinary income up to $3,000
    (IRC §1211(b)) at 24%, the rest carries forward (§1212(b))."""
    small = harvest(_h([_brk([lot(RECENT, 20, 20 * 200.0)])]))  # $4,000 basis, $2,000 value
    (c,) = small.candidates
    assert c.loss == pytest.approx(2000.0)
    assert c.term == "short"
    assert c.tax_value_now == pytest.approx(0.24 * 2000.0)  # $480
    assert c.carryforward == pytest.approx(0.0)
    big = harvest(_h([_brk([lot(LONG_AGO, 50, 50 * 200.0)])]))  # $5,000 long-term loss
    (c,) = big.candidates
    assert c.loss == pytest.approx(5000.0) and c.term == "long"
    assert c.tax_value_now == pytest.approx(0.24 * 3000.0)  # $720
    assert c.carryforward == pytest.approx(2000.0)
    assert "stated marginal rates" in big.to_dict()["assumptions"]["tax_value_now"]


def test_thresholds_both_must_hold() -> None:
    lots = [
        lot(LONG_AGO, 10, 10 * 109.0),  # $90 loss: under $100
        lot(LONG_AGO, 100, 100 * 104.0),  # $400 loss, 3.8% of basis: under 5%
        lot(LONG_AGO, 10, 10 * 120.0),  # $200 loss, 16.7%: a candidate
    ]
    r = harvest(_h([_brk(lots)]))
    assert [c.loss for c in r.candidates] == [pytest.approx(200.0)]
    r = harvest(_h([_brk(lots)]), min_loss=50.0, min_loss_pct=0.0)
    assert sorted(c.loss for c in r.candidates) == pytest.approx([90.0, 200.0, 400.0])
    with pytest.raises(InputError, match="min_loss_pct"):
        harvest(_h([_brk(lots)]), min_loss_pct=1.5)


def test_gains_and_tax_advantaged_lots_are_not_candidates() -> None:
    accounts = [
        _brk([lot(LONG_AGO, 10, 500.0)]),  # a gain
        account("ira", "traditional", 0.0, [pos("BON", 10, 100.0, [lot(LONG_AGO, 10, 5000.0)])]),
    ]
    assert harvest(_h(accounts)).candidates == ()


def test_deferral_value_is_the_closed_form_and_step_up_never_pays_it() -> None:
    """deferral = now - L x t_LT / (1 + r)^T; L = $2,000, t_LT = 15%, r = 3%, T = 20."""
    accounts = [_brk([lot(RECENT, 20, 4000.0)])]
    (c,) = harvest(_h(accounts), discount_rate=0.03).candidates
    assert c.deferral_value == pytest.approx(480.0 - 2000.0 * 0.15 / 1.03**20)
    d = household_dict(accounts, ordinary=0.24, gains=0.15)
    d["investor"]["liquidation"] = "step_up"
    (s,) = harvest(parse_household(d), discount_rate=0.03).candidates
    assert s.deferral_value == pytest.approx(s.tax_value_now) == pytest.approx(480.0)


def test_blocked_until_is_day_31_and_day_31_purchases_do_not_wash() -> None:
    """A sale on June 30 may be followed by a purchase on July 31 (day 31), not July 30."""
    accounts = [_brk([lot(LONG_AGO, 20, 4000.0)])]
    for day, washes in (("2026-07-30", True), ("2026-07-31", False)):
        planned = [{"account": "brk", "symbol": "STK", "date": day, "amount": 500.0}]
        (c,) = harvest(_h(accounts, planned_purchases=planned)).candidates
        assert c.blocked_until == dt.date(2026, 7, 31) == AS_OF + dt.timedelta(days=31)
        assert bool(c.conflicts) is washes
        # 5 shares planned ($500 at $100) replace 5 of the 20 sold: 5 x $100 disallowed
        assert c.disallowed == pytest.approx(500.0 if washes else 0.0)
        assert c.permanent == pytest.approx(0.0)


def test_a_401k_recurring_contribution_into_the_same_fund_conflicts_for_good() -> None:
    accounts = [
        _brk([lot(LONG_AGO, 20, 4000.0)]),  # $2,000 loss, $100 a share
        account("k401", "traditional", 0.0, [pos("STK", 10, 100.0)]),
    ]
    recurring = [
        {
            "account": "k401",
            "symbol": "STK",
            "every": "biweekly",
            "start": "2026-06-19",
            "amount": 300.0,
        }
    ]  # June 19 (11 days before: presumed made, no ledger says otherwise), July 3, 17, 31
    (c,) = harvest(_h(accounts, recurring_purchases=recurring)).candidates
    dates = [x.date for x in c.conflicts]
    assert dates == [dt.date(2026, 6, 19), dt.date(2026, 7, 3), dt.date(2026, 7, 17)]
    assert all(x.permanent and x.kind == "recurring purchase" for x in c.conflicts)
    assert all(x.shares == pytest.approx(3.0) for x in c.conflicts)  # $300 at $100
    # 9 of the 20 shares replaced in the 401(k) (July 31 is day 31: not): 9 x $100 lost
    # for good; the allowed $1,100 saves 24%
    assert c.disallowed == pytest.approx(900.0)
    assert c.permanent == pytest.approx(900.0)
    assert c.tax_value_now == pytest.approx(0.24 * 1100.0)


def test_a_recent_buy_in_the_file_already_washes() -> None:
    accounts = [
        _brk([lot(LONG_AGO, 20, 4000.0)]),
        account("roth", "roth", 0.0, [pos("STK", 4, 100.0)]),
    ]
    recent = [
        {"account": "roth", "symbol": "STK", "side": "buy", "date": "2026-06-10", "shares": 4}
    ]
    (c,) = harvest(_h(accounts, recent_trades=recent)).candidates
    assert [(x.kind, x.permanent) for x in c.conflicts] == [("recent trade", True)]
    assert c.permanent == pytest.approx(400.0)


def test_the_replacement_is_the_same_class_in_another_group_preferring_one_held() -> None:
    listed = harvest(_h([_brk([lot(LONG_AGO, 20, 4000.0)])]))
    (c,) = listed.candidates
    assert c.replacement is not None
    assert (c.replacement.symbol, c.replacement.source) == ("STK2", "household")
    assert c.replacement.asset_class == "us_equity_large_cap" and c.replacement.group == "stk2"
    held = [
        _brk([lot(LONG_AGO, 20, 4000.0)]),
        account("ira", "traditional", 0.0, [pos("VOO", 10, 500.0)]),  # bundled, same class
    ]
    d = household_dict(held, ordinary=0.24, gains=0.15)
    (c,) = harvest(parse_household(d)).candidates
    assert c.replacement is not None and c.replacement.symbol == "VOO" and c.replacement.held
    alone = [{"symbol": "ODD", "asset_class": "us_equity_large_cap", "group": "odd"}]
    d = household_dict([_brk([lot(LONG_AGO, 20, 4000.0)], symbol="ODD")], securities=alone)
    (c,) = harvest(parse_household(d)).candidates
    # the bundled table still offers large-cap funds of other groups
    assert c.replacement is not None and c.replacement.group != "odd"


def test_json_shape_and_order() -> None:
    lots = [lot(LONG_AGO, 10, 1500.0), lot(RECENT, 10, 3000.0)]
    r = harvest(_h([_brk(lots)]))
    d = r.to_dict()
    assert set(d) >= {"as_of", "candidates", "assumptions", "notice"}
    assert [c["loss"] for c in d["candidates"]] == pytest.approx([2000.0, 500.0])
    keys = {
        "account",
        "symbol",
        "lot",
        "shares",
        "loss",
        "replacement",
        "tax_value_now",
        "deferral_value",
        "blocked_until",
        "conflicts",
        "term",
        "loss_carried_forward",
    }
    assert keys <= set(d["candidates"][0])
    assert d["candidates"][0]["lot"] == RECENT
    assert np.isfinite([c["deferral_value"] for c in d["candidates"]]).all()

"""Rebalance properties: brute-force minimum tax, more cash never costs tax, on-target
households do not trade, after-trade cash and positions never negative."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assetloc import optimize, parse_household
from assetloc.rebalance import rebalance
from assetloc.rebalance.engine import prepare

from support.rebalance_support import (
    AS_OF,
    BOND,
    LONG_AGO,
    RECENT,
    STOCK,
    account,
    household_dict,
    lot,
    pos,
    stated_tax,
)

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


# ------------------------------------------------------------------ brute force (exact)


def brute_force_case(seed: int) -> tuple[dict[str, Any], float, int]:
    """A taxable account, one fund, 2-3 whole-share lots, a withdrawal of n shares.

    Bands are zero, so raising more than the withdrawal leaves cash outside the band and
    costs far more than any tax: the model must sell exactly n shares at the least tax.
    """
    rng = np.random.default_rng(seed)
    n_lots = int(rng.integers(2, 4))
    lots = []
    for _ in range(n_lots):
        q = int(rng.integers(1, 7))
        basis = float(rng.choice([30.0, 60.0, 90.0, 110.0, 140.0, 170.0]) + rng.integers(0, 9))
        lots.append(lot(str(rng.choice([LONG_AGO, RECENT])), q, q * basis))
    total = sum(int(x["shares"]) for x in lots)
    n = int(rng.integers(1, total))  # keep something to allocate
    credit = bool(rng.random() < 0.5)
    d = household_dict(
        [
            account(
                "brk",
                "taxable",
                0.0,
                [pos("STK", total, 100.0, lots)],
                withdrawal=100.0 * n,
            )
        ],
        {STOCK: 1.0},
        rebalance={
            "whole_shares": True,
            "band_absolute": 0.0,
            "band_relative": 0.0,
            "allow_losses": credit,
        },
    )
    best = np.inf
    ranges = [range(int(x["shares"]) + 1) for x in lots]
    for combo in itertools.product(*ranges):
        if sum(combo) != n:
            continue
        st_g = lt_g = 0.0
        for q, x in zip(combo, lots, strict=True):
            gain = q * (100.0 - x["cost_basis"] / x["shares"])
            if x["acquired"] == RECENT:
                st_g += gain
            else:
                lt_g += gain
        best = min(best, stated_tax(st_g, lt_g, 0.37, 0.15, credit))
    return d, float(best), n


@pytest.mark.parametrize("seed", range(12))
def test_tax_equals_the_brute_force_minimum(seed: int) -> None:
    """The sale of n shares has the least tax of any (Schedule D with the $3,000 limit, a
    net loss at the ordinary rate), and the model's tax is a lower bound of that minimum.

    The exact tax is not convex (a short-term loss is worth 37% against ordinary income but
    15% against long-term gains), so the convex model's best sale need not be the cheapest
    in general (``test_rebalance.py`` has such a case); in these twelve it is."""
    d, best, n = brute_force_case(seed)
    r = rebalance(parse_household(d))
    sold = sum(t.shares for t in r.trades if t.side == "sell")
    assert sold == n
    assert r.tax.estimated_tax == pytest.approx(best, abs=0.01)  # to the cent (MIP gap)
    assert r.solver["model_tax"] <= best + 0.01  # the model bounds the tax from below
    # the reported tax is the documented formula on the reported gains
    again = stated_tax(r.tax.short_term_gain, r.tax.long_term_gain, 0.37, 0.15, r.tax.allow_losses)
    assert r.tax.estimated_tax == pytest.approx(again, abs=1e-9)


def test_brute_force_cases_cover_losses_and_both_terms() -> None:
    kinds = set()
    for seed in range(12):
        d, _, _ = brute_force_case(seed)
        for x in d["accounts"][0]["positions"][0]["lots"]:
            kinds.add((x["acquired"] == RECENT, x["cost_basis"] / x["shares"] > 100.0))
    assert kinds == {(False, False), (False, True), (True, False), (True, True)}


# ------------------------------------------------------------- random households


@st.composite
def households(
    draw: st.DrawFn, *, allow_losses: bool | None = None, losses: bool = True
) -> dict[str, Any]:
    """A taxable account (2 funds, 1-3 lots each) and an IRA, 2 classes, random drift.

    ``losses = False`` keeps every lot at a gain (basis at most the price).
    """

    def lots_for(shares: int, price: float) -> list[dict[str, Any]]:
        k = draw(st.integers(1, 3))
        cuts = (
            sorted(
                draw(
                    st.lists(
                        st.integers(1, shares - 1), min_size=k - 1, max_size=k - 1, unique=True
                    )
                )
            )
            if shares > k
            else []
        )
        parts = np.diff([0, *cuts, shares]).tolist() if cuts else [shares]
        out = []
        for q in parts:
            basis = draw(st.floats(0.3, 1.6 if losses else 1.0)) * price
            when = draw(st.sampled_from([LONG_AGO, RECENT, "2025-06-01"]))
            out.append(lot(when, float(q), round(q * basis, 2)))
        return out

    p_s = draw(st.floats(20.0, 400.0))
    p_b = draw(st.floats(20.0, 120.0))
    q_s = draw(st.integers(2, 400))
    q_b = draw(st.integers(2, 400))
    taxable = account(
        "brk",
        "taxable",
        draw(st.floats(0.0, 5000.0)),
        [pos("STK", q_s, p_s, lots_for(q_s, p_s)), pos("BON", q_b, p_b, lots_for(q_b, p_b))],
    )
    ira = account(
        "ira",
        "traditional",
        draw(st.floats(0.0, 5000.0)),
        [pos("STK", draw(st.integers(0, 300)), p_s), pos("BON2", draw(st.integers(0, 300)), p_b)],
    )
    w = draw(st.floats(0.2, 0.8))
    credit = draw(st.booleans()) if allow_losses is None else allow_losses
    return household_dict(
        [taxable, ira],
        {STOCK: round(w, 4), BOND: round(1 - round(w, 4), 10)},
        rebalance={"allow_losses": credit},
    )


def estimated_tax(d: dict[str, Any]) -> float:
    return rebalance(parse_household(d)).tax.estimated_tax


@SETTINGS
@given(
    d=households(allow_losses=False),
    extra=st.floats(100.0, 50_000.0),
    where=st.sampled_from([0, 1]),
)
def test_adding_cash_never_increases_the_tax(d: dict[str, Any], extra: float, where: int) -> None:
    before = estimated_tax(d)
    d["accounts"][where]["cash"] += extra
    after = estimated_tax(d)
    assert after <= before + 0.01, (before, after)


@SETTINGS
@given(
    d=households(allow_losses=True, losses=False),
    extra=st.floats(100.0, 50_000.0),
    where=st.sampled_from([0, 1]),
)
def test_adding_cash_never_increases_the_tax_with_loss_credit(
    d: dict[str, Any], extra: float, where: int
) -> None:
    """With credit for losses the model also harvests them when that pays, and new cash can
    change which harvest pays (a purchase the cash makes worthwhile blocks selling that group
    at a loss): the property is about rebalancing, so these lots are all at a gain. It is a
    property of the LP at a fixed price of deviation (``distance_weight``), the relaxation
    argument; the cost-benefit rule's search is not an LP in the cash.

    The argument needs the same targets elsewhere: when the cash moves the optimizer's
    location, another account's target changes and the LP is not a relaxation; the tax can
    then rise (Hypothesis found two: $100 more in the taxable account put the bonds' target in
    the IRA, which then could not buy stocks, so the taxable account sold $4.60 of bonds for
    $0.35 of tax to reach the band; $100 more in the IRA moved stocks' target to the taxable
    account, which then sold a bond lot at a gain, $1.11). Such draws are set aside: the
    other accounts' targets (dollars) and every account's menu must stay the same."""
    d["rebalance"]["distance_weight"] = 0.01
    menus, targets = target_of(d)
    before = estimated_tax(d)
    d["accounts"][where]["contribution"] = extra
    menus2, targets2 = target_of(d)
    others = [k for k in range(len(targets)) if k != where]
    assume(np.array_equal(menus, menus2))
    assume(np.allclose(targets[others], targets2[others], atol=1.0))
    after = estimated_tax(d)
    assert after <= before + 0.01, (before, after)


def target_of(d: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(K, S) what each account may buy once the target is known; (K, C) its target."""
    prep = prepare(parse_household(d))
    return prep.book.buyable, prep.target.dollars


@SETTINGS
@given(
    d=households(),
    mode=st.sampled_from(["full", "cash_flow_only", "within_bands"]),
    whole=st.booleans(),
    min_trade=st.sampled_from([0.0, 250.0]),
    cost=st.sampled_from([0.0, 5.0]),
    withdraw=st.floats(0.0, 0.5),
)
def test_after_trades_cash_and_positions_are_never_negative(
    d: dict[str, Any], mode: str, whole: bool, min_trade: float, cost: float, withdraw: float
) -> None:
    d["rebalance"].update(
        {"mode": mode, "whole_shares": whole, "min_trade": min_trade, "cost_per_trade": cost}
    )
    brk = d["accounts"][0]
    value = brk["cash"] + sum(p["shares"] * p["price"] for p in brk["positions"])
    brk["withdrawal"] = round(withdraw * value, 2)
    try:
        r = rebalance(parse_household(d))
    except Exception as err:  # only an infeasible withdrawal under whole shares / min trade
        from assetloc import InfeasibleError

        assert isinstance(err, InfeasibleError) and (whole or min_trade > 0), err
        return
    for acc_d, acc in zip(d["accounts"], r.accounts, strict=True):
        held = {p["symbol"]: p["shares"] for p in acc_d["positions"]}
        price = {p["symbol"]: p["price"] for p in acc_d["positions"]}
        cash = acc_d["cash"] + acc_d.get("contribution", 0.0) - acc_d.get("withdrawal", 0.0)
        for t in r.trades:
            if t.account == acc_d["id"]:
                sign = 1 if t.side == "buy" else -1
                held[t.symbol] = held.get(t.symbol, 0.0) + sign * t.shares
                price.setdefault(t.symbol, t.price)
                cash -= sign * t.amount + cost
                if whole:
                    assert t.shares == round(t.shares)
                if min_trade:
                    assert t.amount >= min_trade - 1e-6
        assert cash >= -0.01
        assert acc.cash_after == pytest.approx(cash, abs=0.01)
        assert all(q >= -1e-9 for q in held.values())
        if mode == "cash_flow_only" and acc_d.get("withdrawal", 0.0) <= acc_d["cash"]:
            assert not any(t.side == "sell" for t in r.trades if t.account == acc_d["id"])
    for t in r.trades:  # lots sold never exceed the lot
        for s in t.lots:
            assert s.shares <= 1e9


@st.composite
def on_target_households(draw: st.DrawFn) -> dict[str, Any]:
    """Holdings equal to the optimizer's own target: one fund per class."""
    classes = [STOCK, BOND, "non_us_equity_developed", "tips"][: draw(st.integers(2, 4))]
    raw = [draw(st.floats(0.05, 1.0)) for _ in classes]
    mix = {c: round(w / sum(raw), 6) for c, w in zip(classes, raw, strict=True)}
    mix[classes[-1]] = round(1.0 - sum(mix[c] for c in classes[:-1]), 10)
    types = ["taxable", draw(st.sampled_from(["traditional", "roth"]))]
    if draw(st.booleans()):
        types.append("roth")
    balances = [draw(st.floats(5_000.0, 500_000.0)) for _ in types]
    plain = household_dict(
        [
            {"id": f"a{k}", "type": t, "balance": b}
            for k, (t, b) in enumerate(zip(types, balances, strict=True))
        ],
        mix,
        securities=[
            {"symbol": f"F{i}", "asset_class": c, "group": f"g{i}"} for i, c in enumerate(classes)
        ],
    )
    plan = optimize(parse_household(plain))
    ids = plan.problem.market.ids
    prices = [draw(st.floats(10.0, 500.0)) for _ in classes]
    gain = draw(st.floats(0.0, 0.9))  # the taxable lots are at a gain (or at cost)
    accounts = []
    for k, t in enumerate(types):
        positions = []
        for i, c in enumerate(classes):
            dollars = plan.dollars[k, ids.index(c)]
            if dollars < 0.01:
                continue
            q = dollars / prices[i]
            lots = [lot(LONG_AGO, q, q * prices[i] * (1 - gain))] if t == "taxable" else None
            positions.append(pos(f"F{i}", q, prices[i], lots))
        accounts.append(account(f"a{k}", t, 0.0, positions))
    d = dict(plain)
    d["accounts"] = accounts
    d["rebalance"] = {
        "as_of": AS_OF.isoformat(),
        "mode": draw(st.sampled_from(["full", "within_bands"])),
    }
    return d


@SETTINGS
@given(d=on_target_households())
def test_household_on_target_gets_no_trades(d: dict[str, Any]) -> None:
    r = rebalance(parse_household(d))
    assert r.trades == ()
    assert r.within_bands


@pytest.mark.parametrize("seed", range(4))
def test_large_milp_restriction_stays_feasible_and_near_the_full_milp(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The LP-guided restriction of large MILPs (forced on here for a small one)."""
    from assetloc.rebalance import trades

    rng = np.random.default_rng(seed)
    lots = [
        lot(str(rng.choice([LONG_AGO, RECENT])), 10.0, 10.0 * float(rng.uniform(40.0, 130.0)))
        for _ in range(6)
    ]
    d = household_dict(
        [
            account("brk", "taxable", 500.0, [pos("STK", 60, 100.0, lots)], withdrawal=1234.0),
            account("ira", "traditional", 0.0, [pos("BON", 80, 50.0), pos("STK2", 10, 90.0)]),
        ],
        rebalance={"whole_shares": True, "min_trade": 150.0, "cost_per_trade": 2.0},
    )
    d["securities"] = [
        {**s, "price": 90.0} if s["symbol"] == "STK2" else s for s in d["securities"]
    ]
    full = rebalance(parse_household(d))
    monkeypatch.setattr(trades, "LARGE_MILP", 0)
    restricted = rebalance(parse_household(d))
    for r in (full, restricted):
        assert all(a.cash_after >= 0 for a in r.accounts)
        assert all(t.shares == round(t.shares) and t.amount >= 150.0 for t in r.trades)
        assert r.within_bands
    g_full, g_restricted = full.solver["objective_dollars"], restricted.solver["objective_dollars"]
    assert g_restricted >= g_full - 0.05  # the full MILP is the better (or equal) one
    assert g_restricted <= g_full + 0.01 * abs(g_full) + 25.0  # and the restriction is close

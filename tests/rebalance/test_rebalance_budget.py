"""Issue 10, parts 3 and 4: the cost-benefit rule, tax and gain budgets, no stranded cash.

References are independent of the engine's own figures: the household utility is recomputed
here from the plan's arrays (numpy, not :mod:`assetloc.rebalance.benefit`), taxes by
:func:`rebalance_support.reference_tax` (the year's return called directly, or Schedule D at
stated rates written out), distances from the reported holdings and the target,
alternatives built by hand (the chosen trades minus their gain-realizing sales).

Since municipal bonds are priced from yields, ``examples/four_accounts.toml`` reaches its
target with a net loss; the marginal tests run on a variant whose brokerage holds only
appreciated VTI (``appreciated``), which the cost-benefit rule sells at a taxable gain.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
import tomllib
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetloc import parse_household
from assetloc.errors import InputError
from assetloc.inputs.household import Household, load_household
from assetloc.inputs.securities import normalize, security_table
from assetloc.rebalance import rebalance
from assetloc.rebalance.benefit import annuity_factor, break_even_years
from assetloc.rebalance.engine import prepare
from assetloc.rebalance.result import RebalanceResult

from support.cli_runner import run_cli
from support.paths import ROOT
from support.rebalance_support import (
    BOND,
    LONG_AGO,
    RECENT,
    STOCK,
    account,
    household_dict,
    lot,
    pos,
    reference_tax,
)

FOUR = ROOT / "examples" / "four_accounts.toml"
CENT = 0.005
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------- independent references


class Utility:
    """U = mu'e - (A/2) e'Σe of holdings (financial view, mean-variance objective), from the
    plan's arrays: x[k,i] = dollars·v[k]/F, e = Σ_k τ[k]·x[k]; uninvested cash in the cash
    class. Class dollars from positions × prices × the securities table's splits."""

    def __init__(self, h: Household) -> None:
        plan = prepare(h).plan
        self.p = plan.problem
        assert self.p.kind == "mean_variance" and self.p.context == "financial"
        self.h = h
        self.table = security_table(h.securities)
        self.ids = self.p.market.ids
        self.price = {normalize(p.symbol): p.price for a in h.accounts for p in a.positions}
        for sec in h.securities:
            if sec.price is not None:
                self.price.setdefault(normalize(sec.symbol), sec.price)

    def of(self, positions: list[dict[str, float]], cash: list[float]) -> float:
        p = self.p
        dollars = np.zeros((p.k, p.n))
        for k, held in enumerate(positions):
            for sym, q in held.items():
                split = self.table.require(sym, "test").security.split
                for cid, w in split.items():
                    i = self.ids.index(cid) if cid in self.ids else self.ids.index(CASH_ID)
                    dollars[k, i] += w * q * self.price[normalize(sym)]
            dollars[k, self.ids.index(CASH_ID)] += cash[k]
        x = dollars * p.value_factor[:, None] / p.wealth
        e = (p.tau * x).sum(axis=0)
        return float(p.mu @ e - 0.5 * p.risk_aversion * e @ p.cov @ e)

    def of_result(self, r: RebalanceResult) -> float:
        return self.of(
            [dict(a.positions_after) for a in r.accounts], [a.cash_after for a in r.accounts]
        )

    @property
    def pv_per_utility(self) -> float:
        """Dollars today per unit of U a year: F × Σ_t (1 + r)^-t over the horizon."""
        r = self.p.market.cash_rate
        n = self.h.investor.horizon_years
        return self.p.wealth * sum((1 + r) ** -t for t in range(1, n + 1))


CASH_ID = "us_treasuries_cash_equivalents"


def reported_tax(h: Household, r: RebalanceResult) -> float:
    """The result's tax recomputed from its lot sales (no wash sales in these households)."""
    st_g = sum(lot.gain for t in r.trades for lot in t.lots if lot.term == "short")
    lt_g = sum(lot.gain for t in r.trades for lot in t.lots if lot.term == "long")
    return reference_tax(h, st_g, lt_g)


def without_gain_sales(
    h: Household, r: RebalanceResult
) -> tuple[list[dict[str, float]], list[float], float]:
    """The chosen trades minus every taxable sale of a lot at a gain; purchases in that
    account are scaled down (pro rata) to what its cash still pays for. Returns positions,
    cash and the tax of what is left (dollars)."""
    positions = [{normalize(p.symbol): p.shares for p in a.positions} for a in h.accounts]
    cash = [(a.cash or 0.0) + a.contribution - a.withdrawal for a in h.accounts]
    ids = [a.id for a in h.accounts]
    st_g = lt_g = 0.0
    buys: dict[int, list[tuple[str, float, float]]] = {}
    for t in r.trades:
        k = ids.index(t.account)
        if t.side == "buy":
            buys.setdefault(k, []).append((t.symbol, t.shares, t.price))
            continue
        kept = [lot for lot in t.lots if lot.gain <= 0] if t.lots else None
        shares = t.shares if kept is None else sum(lot.shares for lot in kept)
        positions[k][t.symbol] -= shares
        cash[k] += shares * t.price
        for sale in kept or []:
            if sale.term == "short":
                st_g += sale.gain
            else:
                lt_g += sale.gain
    for k, orders in buys.items():
        spend = sum(q * p for _, q, p in orders)
        scale = min(1.0, max(cash[k], 0.0) / spend) if spend > 0 else 0.0
        for sym, q, p in orders:
            positions[k][sym] = positions[k].get(sym, 0.0) + q * scale
            cash[k] -= q * scale * p
    return positions, cash, reference_tax(h, st_g, lt_g)


def distance(r: RebalanceResult) -> float:
    """Half the sum over classes and cash of |share − target share| (decimal), from the
    reported dollars."""
    total = float(r.after.dollars.sum() + r.after.cash.sum())
    after = np.append(r.after.dollars.sum(axis=0), r.after.cash.sum()) / total
    target = np.append(r.target.sum(axis=0), 0.0) / float(r.target.sum())
    return 0.5 * float(np.abs(after - target).sum())


def allowance(h: Household, r: RebalanceResult) -> list[float]:
    """Cash each account may keep: max(min_trade, 0.5% of its value after the cash flows)."""
    out = []
    for a in h.accounts:
        value = a.market_value + a.contribution - a.withdrawal
        out.append(max(h.rebalance.min_trade, 0.005 * value))
    return out


def with_budget(h: Household, **budgets: float) -> Household:
    return h.model_copy(update={"rebalance": h.rebalance.model_copy(update=budgets)})


@pytest.fixture(scope="module")
def four() -> Household:
    return load_household(FOUR)


@pytest.fixture(scope="module")
def four_default(four: Household) -> RebalanceResult:
    return rebalance(four)


@pytest.fixture(scope="module")
def four_zero(four: Household) -> RebalanceResult:
    return rebalance(with_budget(four, tax_budget=0.0))


def appreciated_household() -> Household:
    """The trial household with a brokerage of 900 VTI only (~$297k, every lot at a gain,
    one short-term): reaching the target means selling VTI at a taxable gain. The 401(k)
    holds its stable value fund's $22k in FXNAX instead (and cannot buy SVF): with both on
    its menu, the trade model's L1 distance is indifferent between them at some caps, and
    the choice it makes flips from one cap to the next, which the quadratic utility values
    differently (a known limitation of the search, docs/rebalance.md)."""
    d = tomllib.loads(FOUR.read_text(encoding="utf-8"))
    brk = copy.deepcopy(d["accounts"][0])
    vti = next(p for p in brk["positions"] if p["symbol"] == "VTI")
    vti["lots"].append({"acquired": dt.date(2019, 4, 1), "shares": 350, "cost_basis": 63000.0})
    vti["shares"] = sum(x["shares"] for x in vti["lots"])
    brk["positions"] = [vti]
    d["accounts"][0] = brk
    k401 = d["accounts"][1]
    k401["funds"] = [f for f in k401["funds"] if f != "SVF"]
    k401["positions"] = [p for p in k401["positions"] if p["symbol"] != "SVF"]
    fxnax = next(p for p in k401["positions"] if p["symbol"] == "FXNAX")
    fxnax["shares"] += 22000.0 / fxnax["price"]
    return parse_household(d)


@pytest.fixture(scope="module")
def appreciated() -> Household:
    return appreciated_household()


@pytest.fixture(scope="module")
def appreciated_default(appreciated: Household) -> RebalanceResult:
    return rebalance(appreciated)


@pytest.fixture(scope="module")
def appreciated_zero(appreciated: Household) -> RebalanceResult:
    return rebalance(with_budget(appreciated, tax_budget=0.0))


# ------------------------------------------------------------------ the trial household


@pytest.mark.parametrize("name", ["four", "appreciated"])
def test_default_realizes_no_gain_whose_tax_exceeds_its_benefit(
    name: str, request: pytest.FixtureRequest
) -> None:
    four: Household = request.getfixturevalue(name)
    r: RebalanceResult = request.getfixturevalue(f"{name}_default")
    r0: RebalanceResult = request.getfixturevalue(f"{name}_zero")
    u = Utility(four)
    assert reported_tax(four, r) == pytest.approx(r.tax.estimated_tax, abs=CENT)
    net = (u.of_result(r) - u.of_result(r0)) * u.pv_per_utility - (
        r.tax.estimated_tax - r0.tax.estimated_tax
    )
    assert net >= -1.0, net  # the rule's trades beat not realizing the gains
    # the same, against the chosen trades with their gain-realizing sales taken out by hand
    pos_, cash, tax = without_gain_sales(four, r)
    u_alt = u.of(pos_, cash)
    net_alt = (u.of_result(r) - u_alt) * u.pv_per_utility - (r.tax.estimated_tax - tax)
    assert net_alt >= -1.0, net_alt
    # the reported figures are these quantities
    cb = r.cost_benefit
    gain_bp = 1e4 * (u.of_result(r) - u.of_result(r0))
    assert cb["utility_gain_bp"] == pytest.approx(gain_bp, abs=0.05)
    assert cb["benefit_per_year"] == pytest.approx(gain_bp / 1e4 * u.p.wealth, rel=0.02, abs=5)
    assert cb["present_value"] == pytest.approx(
        cb["benefit_per_year"] * u.pv_per_utility / u.p.wealth, rel=1e-9
    )
    assert cb["tax_now"] == pytest.approx(r.tax.estimated_tax)


@pytest.mark.parametrize("share", [0.5, 0.85, 1.3, 2.5])
def test_realizing_less_or_more_gain_than_the_rule_does_not_pay_better(
    appreciated: Household,
    appreciated_default: RebalanceResult,
    appreciated_zero: RebalanceResult,
    share: float,
) -> None:
    """At the margin: the same household realizing less gain (a tax budget below the rule's
    tax) or more (a high fixed price of deviation with a budget above it) has no higher
    PV(benefit) − tax, recomputed independently (utility from the plan's arrays, tax from
    the year's return)."""
    four = appreciated
    u = Utility(four)
    r, r0 = appreciated_default, appreciated_zero
    assert r.tax.estimated_tax > 100.0  # the household realizes gains: the margin is tested
    assert reported_tax(four, r) == pytest.approx(r.tax.estimated_tax, abs=CENT)

    def net(x: RebalanceResult) -> float:
        du = u.of_result(x) - u.of_result(r0)
        return du * u.pv_per_utility - (reported_tax(four, x) - reported_tax(four, r0))

    budget = share * r.tax.estimated_tax
    if share < 1:
        other = rebalance(with_budget(four, tax_budget=budget))
    else:  # the rule stops at its own cap: more gain comes from the fixed price, capped
        other = rebalance(with_budget(four, tax_budget=budget, distance_weight=1.0))
        assert other.tax.estimated_tax > r.tax.estimated_tax + 100.0
    tolerance = 0.02 * r.tax.estimated_tax  # the search is on the LP, in 5-7 caps
    assert net(other) <= net(r) + tolerance, (share, net(other), net(r))


def test_default_on_the_trial_household_pays_no_tax(four_default: RebalanceResult) -> None:
    """examples/four_accounts.toml reaches its target with a net loss (module docstring):
    the cost-benefit rule has nothing to weigh, and says so."""
    cb = four_default.cost_benefit
    assert {"tax_now", "utility_gain_bp", "benefit_per_year", "break_even_years"} <= set(cb)
    assert cb["tax_now"] == 0.0
    assert cb["full_rebalance"]["tax_now"] > 100.0  # a full rebalance would pay tax


def test_default_realizes_gains_on_the_appreciated_variant_and_says_what_they_buy(
    appreciated_default: RebalanceResult,
) -> None:
    cb = appreciated_default.cost_benefit
    assert {"tax_now", "utility_gain_bp", "benefit_per_year", "break_even_years"} <= set(cb)
    assert cb["tax_now"] > 100.0  # the variant pays tax for them
    assert cb["benefit_per_year"] > 0
    be = cb["break_even_years"]
    assert be is not None and 0 < be <= 20  # repaid within the horizon
    assert cb["tax_now"] <= cb["full_rebalance"]["tax_now"] + CENT


def test_tax_budget_zero_realizes_no_net_gain(four_zero: RebalanceResult) -> None:
    r = four_zero
    gain = sum(lot.gain for t in r.trades for lot in t.lots)
    assert gain <= CENT
    assert r.tax.estimated_tax <= CENT
    assert r.cost_benefit["tax_now"] == 0.0
    assert r.cost_benefit["budget_binds"] == ["tax_budget"]  # a full rebalance would pay tax


def test_a_binding_budget_says_how_far_from_target_it_leaves_the_household(
    appreciated: Household, appreciated_default: RebalanceResult
) -> None:
    budget = 500.0
    assert appreciated_default.tax.estimated_tax > budget  # the rule alone would pay more
    r = rebalance(with_budget(appreciated, tax_budget=budget))
    cb = r.cost_benefit
    assert r.tax.estimated_tax <= budget + CENT
    dist = cb["distance_from_target"]
    assert dist["points"] == pytest.approx(100 * distance(r), abs=1e-6)
    total = float(r.after.dollars.sum() + r.after.cash.sum())
    assert dist["dollars"] == pytest.approx(distance(r) * total, rel=1e-6)
    assert set(dist["out_of_band"]) == set(r.drift_after.out_classes())
    assert cb["budget_binds"] == ["tax_budget"]


@pytest.mark.parametrize("budget", [None, 0.0, 2500.0])
def test_no_account_ends_with_stranded_cash(four: Household, budget: float | None) -> None:
    h = four if budget is None else with_budget(four, tax_budget=budget)
    r = rebalance(h)
    for a, limit in zip(r.accounts, allowance(h, r), strict=True):
        assert -0.01 <= a.cash_after <= limit + 0.01, (a.id, a.cash_after, limit)
    assert r.stranded_cash == ()
    # cash is a row of the household table, and the rows add up to the household
    rows = r.to_dict()["allocation"]["household"]
    assert rows[-1]["class"] == "cash"
    assert sum(row["after"] for row in rows) == pytest.approx(1.0, abs=1e-9)
    assert sum(row["before"] for row in rows) == pytest.approx(1.0, abs=1e-9)


def test_target_uses_only_classes_each_account_can_buy(
    four: Household, four_default: RebalanceResult
) -> None:
    """Each account's target dollars sit in classes a security it can buy offers: held
    anywhere or listed with a price, within its own fund list."""
    table = security_table(four.securities)
    held = {normalize(p.symbol) for a in four.accounts for p in a.positions}
    listed = {normalize(s.symbol) for s in four.securities if s.price is not None}
    r = four_default
    for k, acc in enumerate(four.accounts):
        can = held | listed
        if acc.funds is not None:
            can &= {normalize(s) for s in acc.funds}
        classes = {c for s in can for c, w in table.require(s, "t").security.split.items() if w}
        for i, cid in enumerate(r.classes):
            if r.target[k, i] > 1.0:
                assert cid in classes, (acc.id, cid)
    for cid in r.dropped_classes:
        assert cid not in r.classes
        assert any(cid in n for n in r.notes)


def test_rebalance_json_parses_via_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "assetloc", "rebalance", str(FOUR), "--json", "--tax-budget", "0"],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    banner = [ln for ln in lines if ln.startswith(("Running HiGHS", "Includes third-party"))]
    if banner:  # HiGHS's banner is silenced by another part of issue 10 (merged separately)
        pytest.xfail("HiGHS prints its banner on stdout: " + banner[0][:40])
    d = json.loads(proc.stdout)
    assert d["cost_benefit"]["tax_now"] <= CENT
    assert d["allocation"]["household"][-1]["class"] == "cash"


def test_budget_options_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "rebalance", str(FOUR), "--tax-budget", "-5")
    assert code == 2 and err.strip().startswith("error: --tax-budget:")
    assert len(err.strip().splitlines()) == 1
    code, _, err = run_cli(capsys, "rebalance", str(FOUR), "--gain-budget", "lots")
    assert code == 2 and err.strip().startswith("error: --gain-budget:")
    code, out, err = run_cli(capsys, "rebalance", str(FOUR), "--tax-budget", "0")
    assert code == 0, err
    assert "What the tax buys" in out and "cash (uninvested)" in out


def test_budget_keys_are_checked_in_the_file() -> None:
    d = household_dict([account("brk", "taxable", 100.0)], rebalance={"tax_budget": -1})
    with pytest.raises(Exception, match="tax_budget"):
        parse_household(d)


# ---------------------------------------------------------------------- closed forms


@pytest.mark.parametrize(("rate", "years"), [(0.0, 7), (0.036, 20), (0.08, 3)])
def test_annuity_factor_is_the_sum_of_discount_factors(rate: float, years: int) -> None:
    assert annuity_factor(rate, years) == pytest.approx(
        sum((1 + rate) ** -t for t in range(1, years + 1)), rel=1e-12
    )


@pytest.mark.parametrize(("tax", "benefit", "rate"), [(1000.0, 150.0, 0.036), (500.0, 50.0, 0.0)])
def test_break_even_years_repay_the_tax(tax: float, benefit: float, rate: float) -> None:
    n = break_even_years(tax, benefit, rate)
    assert n is not None
    assert benefit * annuity_factor(rate, n) == pytest.approx(tax, rel=1e-9)
    if rate > 0:  # a benefit below the interest on the tax never repays it
        assert break_even_years(tax, tax * rate * 0.99, rate) is None
    else:  # undiscounted, any benefit repays it: 1% of the tax a year in 100 years
        assert break_even_years(tax, tax * 0.01, rate) == pytest.approx(100.0, rel=1e-9)
    assert break_even_years(0.0, benefit, rate) == 0.0


# ------------------------------------------------------------------- properties


@st.composite
def taxable_households(draw: st.DrawFn) -> dict[str, Any]:
    """A taxable account holding two funds at gains (both terms) far from a 2-class mix, and
    a small IRA: realizing gains is the only way to the target."""
    p_s = draw(st.floats(50.0, 300.0))
    p_b = draw(st.floats(50.0, 120.0))
    q_s = draw(st.integers(50, 400))
    q_b = draw(st.integers(5, 100))

    def lots_for(q: int, p: float) -> list[dict[str, Any]]:
        first = draw(st.integers(1, q))
        out = [lot(LONG_AGO, float(first), round(first * p * draw(st.floats(0.2, 0.95)), 2))]
        if q > first:
            rest = q - first
            out.append(lot(RECENT, float(rest), round(rest * p * draw(st.floats(0.5, 1.3)), 2)))
        return out

    brk = account(
        "brk",
        "taxable",
        draw(st.floats(0.0, 2000.0)),
        [pos("STK", q_s, p_s, lots_for(q_s, p_s)), pos("BON", q_b, p_b, lots_for(q_b, p_b))],
    )
    ira = account("ira", "traditional", 0.0, [pos("BON2", draw(st.integers(1, 30)), p_b)])
    w = round(draw(st.floats(0.2, 0.6)), 4)
    return household_dict(
        [brk, ira],
        {STOCK: w, BOND: round(1 - w, 10)},
        rebalance={"allow_losses": draw(st.booleans())},
    )


@SETTINGS
@given(d=taxable_households(), budget=st.floats(0.0, 20_000.0))
def test_tax_realized_never_exceeds_the_budget(d: dict[str, Any], budget: float) -> None:
    d["rebalance"]["tax_budget"] = budget
    r = rebalance(parse_household(d))
    assert r.tax.estimated_tax <= budget + CENT
    assert reported_tax(parse_household(d), r) <= budget + CENT
    for a in r.accounts:
        assert a.cash_after >= -0.01


@SETTINGS
@given(d=taxable_households(), gain=st.floats(0.0, 20_000.0))
def test_net_gain_never_exceeds_the_gain_budget(d: dict[str, Any], gain: float) -> None:
    d["rebalance"]["gain_budget"] = gain
    r = rebalance(parse_household(d))
    realized = sum(lot.gain for t in r.trades for lot in t.lots)
    assert realized <= gain + CENT


@SETTINGS
@given(d=taxable_households(), small=st.floats(0.0, 5000.0), extra=st.floats(1.0, 10_000.0))
def test_a_larger_budget_never_ends_farther_from_target(
    d: dict[str, Any], small: float, extra: float
) -> None:
    d["rebalance"]["tax_budget"] = small
    near = rebalance(parse_household(d))
    d["rebalance"]["tax_budget"] = small + extra
    far = rebalance(parse_household(d))
    assert distance(far) <= distance(near) + 1e-4, (distance(far), distance(near))


def test_a_fund_list_limits_what_an_account_buys(four_default: RebalanceResult) -> None:
    funds = {"FXAIX", "FXNAX", "FTIHX", "SVF"}
    bought = {t.symbol for t in four_default.trades if t.account == "401k" and t.side == "buy"}
    assert bought <= funds


def test_a_fund_nobody_can_buy_is_one_error_line() -> None:
    d = household_dict(
        [
            account("brk", "taxable", 100.0, [pos("STK", 10, 100.0, [lot(LONG_AGO, 10, 900.0)])]),
            account("k", "traditional", 100.0, [pos("BON", 10, 100.0)], funds=["BON", "VOO"]),
        ]
    )
    with pytest.raises(InputError, match=r"accounts\[1\]\.funds\[1\]"):
        rebalance(parse_household(d))


@SETTINGS
@given(d=taxable_households(), budget=st.floats(0.0, 5000.0))
def test_the_fixed_price_rule_keeps_within_the_budget_too(d: dict[str, Any], budget: float) -> None:
    d["rebalance"].update({"distance_weight": 0.01, "tax_budget": budget})
    r = rebalance(parse_household(d))
    assert r.cost_benefit["rule"] == "distance_weight"
    assert r.tax.estimated_tax <= budget + CENT

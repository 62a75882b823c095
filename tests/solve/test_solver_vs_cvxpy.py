"""The optimizer against an independent cvxpy model built from the household file itself.

The oracle reads the household (the TOML file, or the dict a generator made) and builds the
joint problem of DESIGN.md §1–3 on its own: the after-tax value factors v_k (traditional
balance × (1 − withdrawal rate), Roth and a tax-free HSA 1, taxable at market), the budgets
a_k = v_k b_k / F, τ per account type, menus (a plan's ``funds`` through the securities
table), account bounds (shares of the account), household bounds (shares of F), the fixed
mix on either basis, the net-worth view z = (F·e + H·h − L·l)/W and the objective. It then
solves that with cvxpy + Clarabel, and the tie-break rule (tax-free accounts take the
highest expected returns first, then the pro-rata split) as an LP and a QP.

What it takes from the package, and why that is independent enough:

* generated households state their market inline (returns, volatilities, correlations,
  effective tax rates): nothing at all is taken from the package there;
* for the bundled presets, the market: the expected returns used (after Black–Litterman)
  and each class's return kept per account type, from ``assetloc taxes --json`` (the
  documented output a user reads), the withdrawal rate from the same output, and the
  covariance from the resolved market. These are inputs of the optimization, each checked
  against its own oracles elsewhere (tests/market, tests/tax: taxcalc, closed forms); what
  is checked here is how the package turns them and the file into the problem, and solves
  it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assetloc import optimize, parse_household
from assetloc.model.market import resolve_market

from support.cli_runner import cli_json
from support.householdgen import random_household
from support.paths import DATA, EXAMPLES

pytestmark = pytest.mark.filterwarnings("ignore:Solution may be inaccurate")

N_HOUSEHOLDS = 300
OBJ_TOL = 1e-7  # objective: decimals per year (or variance)
CON_TOL = 1e-9  # constraints: shares of after-tax wealth
REPORT_TOL = 1e-10  # the package's reported metrics against the oracle's formula at its x
TRACKING_TOL = 1e-5  # volatility of our exposure minus the oracle's, decimal a year (0.1 bp):
# an interior-point optimum is accurate in its objective (1e-10), not along flat directions of
# Σ (measured: up to 2.3e-6; the largest share difference 1.4e-4 of F, ours the better)
HOLDING_TOL = 5e-5  # holdings after the tie-break rule, share of F (measured: up to 1.5e-5)
TIE_TOL = 1e-8  # tax-free expected return below the most possible (measured: up to 3.6e-9)
DEFAULT_RISK_AVERSION = 3.74  # the README's default A
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.toml"))


@dataclass(frozen=True)
class Market:
    """What the oracle needs of the market: class ids, μ, Σ, τ per account type, the
    withdrawal rate that values tax-deferred balances (decimals)."""

    ids: list[str]
    mu: np.ndarray
    cov: np.ndarray
    keep: dict[str, np.ndarray]  # account type -> share of each class's return kept
    withdrawal: float


@dataclass(frozen=True)
class Oracle:
    """The joint problem over x[k, i], shares of F (DESIGN.md §3)."""

    market: Market
    balances: np.ndarray  # (K,) dollars, face value
    v: np.ndarray  # (K,) after-tax dollars per dollar of balance
    tau: np.ndarray  # (K, n)
    lower: np.ndarray  # (K, n)
    upper: np.ndarray  # (K, n)
    class_lower: np.ndarray  # (n,)
    class_upper: np.ndarray  # (n,)
    mix: np.ndarray | None  # (n,) fixed household mix
    mix_weights: np.ndarray  # (K,)
    kind: str
    risk_aversion: float
    target: float | None
    scale: float  # z = scale·e + offset (net worth) or e (financial)
    offset: np.ndarray
    tax_free: np.ndarray  # (K,) bool: Roth, tax-free HSA

    @property
    def wealth(self) -> float:
        """F, after-tax dollars."""
        return float(self.v @ self.balances)

    @property
    def budgets(self) -> np.ndarray:
        """a_k = v_k b_k / F."""
        return self.v * self.balances / self.wealth


# ------------------------------------------------------------------------ the market


def inline_market(d: dict[str, Any]) -> Market:
    """A market stated in the household dict itself: effective tax rates given, no foreign
    tax, so τ = 1 − t in taxable accounts and 1 elsewhere; stated rates value withdrawals."""
    spec = d["assumptions"]
    classes = spec["classes"]
    mu = np.array([c["expected_return"] for c in classes], dtype=float)
    vol = np.array([c["volatility"] for c in classes], dtype=float)
    t = np.array([c.get("effective_tax_rate", 0.0) for c in classes], dtype=float)
    ones = np.ones(len(classes))
    inv = d["investor"]
    return Market(
        ids=[c["id"] for c in classes],
        mu=mu,
        cov=np.outer(vol, vol) * np.array(spec["correlation"], dtype=float),
        keep={"taxable": 1.0 - t, "traditional": ones, "roth": ones, "hsa": ones},
        withdrawal=float(inv.get("retirement_rate", inv["ordinary_rate"])),
    )


def package_market(path: Path) -> Market:
    """The market of a preset household: ``assetloc taxes --json`` and Σ."""
    doc = cli_json("taxes", str(path))
    ids = [c["id"] for c in doc["classes"]]
    pre = np.array([c["pre_tax_return"] for c in doc["classes"]])
    keep = {
        t: np.array([c["after_tax_return"][t] for c in doc["classes"]]) / pre
        for t in ("taxable", "traditional", "roth", "hsa")
    }
    market = resolve_market(parse_household(tomllib.loads(path.read_text(encoding="utf-8"))))
    assert list(market.ids) == ids
    return Market(ids, pre, np.asarray(market.covariance), keep, doc["rates"]["withdrawal"])


# --------------------------------------------------------------------- the household


def security_classes(d: dict[str, Any]) -> dict[str, set[str]]:
    """Symbol -> the classes it holds: the bundled table, then the file's own entries."""
    table: dict[str, set[str]] = {}
    bundled = tomllib.loads((DATA / "securities.toml").read_text(encoding="utf-8"))
    for entry in [*bundled["securities"], *d.get("securities", [])]:
        if "asset_class" in entry:
            table[entry["symbol"]] = {entry["asset_class"]}
        elif "classes" in entry:
            table[entry["symbol"]] = {c for c, w in entry["classes"].items() if w > 0}
    return table


def balance(acc: dict[str, Any]) -> float:
    """An account's balance: as given, or cash plus shares × price."""
    if "balance" in acc:
        return float(acc["balance"])
    return float(acc.get("cash", 0.0)) + sum(p["shares"] * p["price"] for p in acc["positions"])


def present_value_mix(item: dict[str, Any], ids: list[str]) -> tuple[float, np.ndarray]:
    """(present value, mix over ids) of human capital or a liability given by its PV."""
    if "present_value" not in item:
        pytest.skip("the oracle models present values, not cash flows")
    mix = np.array([item["mix"].get(c, 0.0) for c in ids])
    assert set(item["mix"]) <= set(ids), "a net-worth class outside the universe"
    return float(item["present_value"]), mix / mix.sum()


def oracle_problem(d: dict[str, Any], market: Market) -> Oracle:
    """The joint problem of household dict ``d`` on ``market``, from the file's fields."""
    opts = d.get("options", {})
    if opts.get("taxable_value", "market") != "market":
        pytest.skip("the oracle values taxable accounts at market")
    ids, n = market.ids, len(market.ids)
    accounts = d["accounts"]
    k = len(accounts)
    types = [a["type"] for a in accounts]
    hsa_free = opts.get("hsa_treatment", "tax_free") == "tax_free"
    after_tax = opts.get("tax_deferred_basis", "after_tax") == "after_tax"
    deferred = [t == "traditional" or (t == "hsa" and not hsa_free) for t in types]
    v = np.array([1.0 - market.withdrawal if (dd and after_tax) else 1.0 for dd in deferred])
    b = np.array([balance(a) for a in accounts])
    wealth = float(v @ b)
    a = v * b / wealth
    tau = np.vstack([market.keep[t] for t in types])

    funds = security_classes(d)
    lower, upper = np.zeros((k, n)), np.repeat(a[:, None], n, axis=1)
    for kk, acc in enumerate(accounts):
        allowed = set(ids)
        if "menu" in acc:
            allowed &= set(acc["menu"])
        if "funds" in acc:
            allowed &= set().union(*(funds[s] for s in acc["funds"]))
        for i, c in enumerate(ids):
            if c not in allowed:
                upper[kk, i] = 0.0
        for c, bd in acc.get("bounds", {}).items():
            if c in ids:
                i = ids.index(c)
                lower[kk, i] = bd.get("min", 0.0) * a[kk]
                upper[kk, i] = min(upper[kk, i], bd.get("max", 1.0) * a[kk])
    class_lower, class_upper = np.zeros(n), np.ones(n)
    for c, bd in d.get("bounds", {}).items():
        if c in ids:
            class_lower[ids.index(c)] = bd.get("min", 0.0)
            class_upper[ids.index(c)] = bd.get("max", 1.0)

    obj = d["objective"]
    kind = obj["kind"]
    if kind not in ("mean_variance", "fixed_mix", "target_return", "target_volatility"):
        pytest.skip(f"the oracle has no {kind} objective")
    if "reference" in obj:
        pytest.skip("the oracle takes risk aversion as given")
    mix, mix_weights = None, np.ones(k)
    if kind == "fixed_mix":
        m = np.array([obj["mix"].get(c, 0.0) for c in ids])
        mix = m / m.sum()
        if obj.get("mix_basis", "after_tax") == "pre_tax":  # the mix of face dollars
            mix_weights = wealth / (v * b.sum())
    target = obj.get("target_return", obj.get("target_volatility"))

    hc = [d["human_capital"]] if "human_capital" in d else []
    liab = d.get("liabilities", [])
    offset = np.zeros(n)
    worth = wealth
    for sign, items in ((1.0, hc), (-1.0, liab)):
        for item in items:
            pv, m = present_value_mix(item, ids)
            offset += sign * pv * m
            worth += sign * pv
    context = opts.get("context", "net_worth" if hc or liab else "financial")
    if context == "net_worth":
        scale, offset = wealth / worth, offset / worth
    else:
        scale, offset = 1.0, np.zeros(n)
    return Oracle(
        market=market,
        balances=b,
        v=v,
        tau=tau,
        lower=lower,
        upper=upper,
        class_lower=class_lower,
        class_upper=class_upper,
        mix=mix,
        mix_weights=mix_weights,
        kind=kind,
        risk_aversion=float(obj.get("risk_aversion", DEFAULT_RISK_AVERSION)),
        target=None if target is None else float(target),
        scale=scale,
        offset=offset,
        tax_free=np.array([t == "roth" or (t == "hsa" and hsa_free) for t in types]),
    )


# ------------------------------------------------------------------------- the solve


def _root(cov: np.ndarray) -> np.ndarray:
    lam, vec = np.linalg.eigh(cov)
    return (vec * np.sqrt(np.clip(lam, 0, None))).T


def _feasible(o: Oracle, x: cp.Variable) -> list[Any]:
    cons = [x >= o.lower, x <= o.upper, cp.sum(x, axis=1) == o.budgets]
    cons += [cp.sum(x, axis=0) >= o.class_lower, cp.sum(x, axis=0) <= o.class_upper]
    if o.mix is not None:
        cons.append(o.mix_weights @ x == o.mix)
    return cons


def _solve(prob: cp.Problem, solver: str = "CLARABEL", **tight: float) -> None:
    prob.solve(solver=solver, **tight)
    assert prob.status in ("optimal", "optimal_inaccurate"), prob.status


def stage1(o: Oracle) -> tuple[float, np.ndarray]:
    """(optimal objective, after-tax exposure e) of the oracle's problem."""
    x = cp.Variable(o.tau.shape)
    e = cp.sum(cp.multiply(o.tau, x), axis=0)
    z = o.scale * e + o.offset
    root = _root(o.market.cov)
    ret, var = o.market.mu @ z, cp.sum_squares(root @ z)
    cons = _feasible(o, x)
    if o.kind == "target_return":
        prob = cp.Problem(cp.Minimize(var), [*cons, ret >= o.target])
    elif o.kind == "target_volatility":
        prob = cp.Problem(cp.Maximize(ret), [*cons, cp.norm(root @ z) <= o.target])
    else:
        prob = cp.Problem(cp.Maximize(ret - o.risk_aversion / 2 * var), cons)
    _solve(prob, tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    return float(prob.value), np.asarray(e.value)


def tie_break_check(o: Oracle, x_ours: np.ndarray) -> tuple[float, float, np.ndarray]:
    """The rule on the face of our holdings' exposure e (checked against the oracle's own
    optimum before): (the tax-free expected return of ``x_ours``, the most any holding with
    exposure e can put there (LP), the holdings that minimize Σ x²/a_k among those with e
    and our tax-free return (QP: the pro-rata split))."""
    e_ours = (o.tau * x_ours).sum(axis=0)
    x = cp.Variable(o.tau.shape)
    e = cp.sum(cp.multiply(o.tau, x), axis=0)
    funded = o.budgets > 0
    cons = [*_feasible(o, x), e == e_ours]
    if not funded.all():
        cons.append(x[~funded, :] == 0)
    r = np.where(o.tax_free[:, None], o.market.mu[None, :], 0.0)
    ours = float((r * x_ours).sum())
    best = ours
    if o.tax_free.any():
        lp = cp.Problem(cp.Maximize(cp.sum(cp.multiply(r, x))), cons)
        # HiGHS's default feasibility tolerance (1e-7) lets it zero a class held at 1e-7
        # of F and move that money to a higher return (seed 155633: 2.6e-8 "better" than
        # any exact answer), so the oracle is solved to 1e-9 first; where our holdings meet
        # their own budgets only to that (the system e == e_ours then infeasible at 1e-9),
        # at HiGHS's default
        try:
            lp.solve(
                solver="HIGHS", primal_feasibility_tolerance=1e-9, dual_feasibility_tolerance=1e-9
            )
        except cp.error.SolverError:
            pass
        if lp.status not in ("optimal", "optimal_inaccurate"):
            _solve(lp, "HIGHS")
        best = float(lp.value)
        cons.append(cp.sum(cp.multiply(r, x)) == ours)
    w = np.where(funded, 1.0 / np.where(funded, o.budgets, 1.0), 0.0)
    qp = cp.Problem(cp.Minimize(cp.sum(cp.multiply(w[:, None], cp.square(x)))), cons)
    _solve(qp)
    return ours, best, np.asarray(x.value)


def objective_at(o: Oracle, x: np.ndarray) -> tuple[float, float, float]:
    """(objective, E, V) of holdings x in the oracle's view."""
    z = o.scale * (o.tau * x).sum(axis=0) + o.offset
    ret, var = float(o.market.mu @ z), float(z @ o.market.cov @ z)
    if o.kind == "target_return":
        return var, ret, var
    if o.kind == "target_volatility":
        return ret, ret, var
    return ret - o.risk_aversion / 2 * var, ret, var


def check_constraints(o: Oracle, x: np.ndarray) -> None:
    assert np.all(x >= o.lower - CON_TOL)
    assert np.all(x <= o.upper + CON_TOL)
    np.testing.assert_allclose(x.sum(axis=1), o.budgets, atol=CON_TOL)
    mix = x.sum(axis=0)
    assert np.all(mix >= o.class_lower - CON_TOL) and np.all(mix <= o.class_upper + CON_TOL)
    if o.mix is not None:
        np.testing.assert_allclose(o.mix_weights @ x, o.mix, atol=CON_TOL)
    _, ret, var = objective_at(o, x)
    if o.kind == "target_return":
        assert ret >= o.target - CON_TOL
    if o.kind == "target_volatility":
        assert np.sqrt(var) <= o.target + 1e-8


# ------------------------------------------------------------------------ the check


def check_against_oracle(d: dict[str, Any], market: Market, *, holdings: bool = True) -> None:
    """optimize(d) against the oracle: after-tax values, constraints, objective, the
    reported metrics, the exposure and (after the tie-break rule) the holdings."""
    o = oracle_problem(d, market)
    plan = optimize(parse_household(d))
    doc = plan.to_dict()
    ids = market.ids
    assert list(doc["household"]["mix"]) == ids
    dollars = np.array([[acc["holdings"][c] for c in ids] for acc in doc["accounts"]])
    for acc, b, v in zip(doc["accounts"], o.balances, o.v, strict=True):
        assert acc["balance"] == pytest.approx(b, abs=1e-6)
        assert acc["after_tax_value"] == pytest.approx(v * b, abs=1e-6)
    assert doc["household"]["after_tax_wealth"] == pytest.approx(o.wealth, rel=1e-12)
    x = dollars * o.v[:, None] / o.wealth
    check_constraints(o, x)

    best, e_star = stage1(o)
    ours, ret, var = objective_at(o, x)
    assert abs(ours - best) <= OBJ_TOL
    m = doc["metrics"]
    assert m["expected_return"] == pytest.approx(ret, abs=REPORT_TOL)
    assert m["volatility"] == pytest.approx(np.sqrt(var), abs=REPORT_TOL)
    assert m["utility"] == pytest.approx(ret - o.risk_aversion / 2 * var, abs=REPORT_TOL)
    gap = o.scale * ((o.tau * x).sum(axis=0) - e_star)  # the portfolio z differs by this
    assert np.sqrt(max(float(gap @ o.market.cov @ gap), 0.0)) <= TRACKING_TOL
    if holdings:
        ours, most, pro_rata = tie_break_check(o, x)
        assert ours >= most - TIE_TOL
        np.testing.assert_allclose(x, pro_rata, atol=HOLDING_TOL)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_examples_match_the_oracle(path: Path) -> None:
    d = tomllib.loads(path.read_text(encoding="utf-8"))
    check_against_oracle(d, package_market(path))


@pytest.mark.parametrize("seed", range(N_HOUSEHOLDS))
def test_generated_households_match_the_oracle(seed: int) -> None:
    d = random_household(seed)
    check_against_oracle(d, inline_market(d))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(N_HOUSEHOLDS, 2**32 - 1))
@example(seed=11897268)  # the oracle's exposure 1.4e-4 of F off ours, ours the better
@example(seed=155633)  # a class held at 1e-7 of F: the oracle's LP needs tight tolerances
def test_hypothesis_households_match_the_oracle(seed: int) -> None:
    d = random_household(seed)
    check_against_oracle(d, inline_market(d))

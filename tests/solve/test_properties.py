"""Invariants of the optimizer (hypothesis) and reference cases from the sources."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assetloc import Household, InfeasibleError, build_problem, optimize, parse_household
from assetloc.analysis.plan import metrics

from support.householdgen import random_household, random_market

seeds = st.integers(min_value=0, max_value=10**6)
QP_KINDS = ("mean_variance", "fixed_mix", "target_return")
PROPS = settings(max_examples=25, deadline=None)


def _unique_households(seed: int, kind: str) -> dict[str, Any]:
    """A random household whose optimum is unique in holdings as well as exposure."""
    return random_household(seed, kind)


@PROPS
@given(
    seed=seeds, factor=st.floats(min_value=0.01, max_value=100.0), kind=st.sampled_from(QP_KINDS)
)
def test_scaling_balances_scales_dollars(seed: int, factor: float, kind: str) -> None:
    data = random_household(seed, kind)
    scaled = copy.deepcopy(data)
    for acc in scaled["accounts"]:
        acc["balance"] *= factor
    a = optimize(parse_household(data)).dollars
    b = optimize(parse_household(scaled)).dollars
    np.testing.assert_allclose(b, a * factor, rtol=1e-6, atol=1e-6 * factor * a.max())


@PROPS
@given(seed=seeds, kind=st.sampled_from(QP_KINDS))
def test_permuting_classes_permutes_answer(seed: int, kind: str) -> None:
    data = random_household(seed, kind)
    market = data["assumptions"]
    n = len(market["classes"])
    perm = np.random.default_rng(seed).permutation(n)
    permuted = copy.deepcopy(data)
    permuted["assumptions"]["classes"] = [market["classes"][i] for i in perm]
    corr = np.array(market["correlation"])
    permuted["assumptions"]["correlation"] = corr[np.ix_(perm, perm)].tolist()
    a = optimize(parse_household(data))
    b = optimize(parse_household(permuted))
    assert abs(a.metrics.utility - b.metrics.utility) < 1e-9
    np.testing.assert_allclose(b.x, a.x[:, perm], atol=1e-7)


@PROPS
@given(seed=seeds, kind=st.sampled_from(QP_KINDS), acc_type=st.sampled_from(["taxable", "roth"]))
def test_zero_balance_account_changes_nothing(seed: int, kind: str, acc_type: str) -> None:
    data = random_household(seed, kind)
    extra = copy.deepcopy(data)
    extra["accounts"].insert(1, {"id": "empty", "type": acc_type, "balance": 0.0})
    a = optimize(parse_household(data))
    b = optimize(parse_household(extra))
    # dollars agree to 1e-5 of the household's balance (the exposures are unique; holdings
    # inherit the solver tolerance through near-flat directions of the variance)
    tol = 1e-5 * sum(acc["balance"] for acc in data["accounts"])
    np.testing.assert_allclose(np.delete(b.dollars, 1, axis=0), a.dollars, atol=tol)
    np.testing.assert_allclose(b.dollars[1], 0.0, atol=1e-9)


@PROPS
@given(seed=seeds, a=st.floats(min_value=0.5, max_value=20.0))
def test_one_untaxed_account_is_plain_mean_variance(seed: int, a: float) -> None:
    rng = np.random.default_rng(seed)
    market = random_market(rng, int(rng.integers(2, 12)))
    for c in market["classes"]:
        c["effective_tax_rate"] = 0.0
    data = {
        "investor": {"ordinary_rate": 0.0, "capital_gains_rate": 0.0},
        "accounts": [{"id": "only", "type": "taxable", "balance": 1000.0}],
        "assumptions": market,
        "objective": {"kind": "mean_variance", "risk_aversion": a},
    }
    plan = optimize(parse_household(data))
    p = build_problem(parse_household(data))
    w = cp.Variable(p.n)
    prob = cp.Problem(
        cp.Maximize(p.mu @ w - a / 2 * cp.quad_form(w, cp.psd_wrap(p.cov))),
        [w >= 0, cp.sum(w) == 1],
    )
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11)
    assert abs(plan.metrics.utility - prob.value) < 1e-8
    # weights are ill-conditioned when Σ is (a flat optimum); utility is the sharp check
    np.testing.assert_allclose(plan.x[0], w.value, atol=1e-3)


@PROPS
@given(seed=seeds)
def test_tax_free_accounts_hold_the_highest_returns(seed: int) -> None:
    """Guide's rule: between a traditional and a Roth account (both full menus), no class
    held in the traditional account has a higher expected return than one in the Roth."""
    data = random_household(seed, "mean_variance")
    data["accounts"] = [
        {"id": "tax", "type": "taxable", "balance": 300000.0},
        {"id": "ira", "type": "traditional", "balance": 200000.0},
        {"id": "roth", "type": "roth", "balance": 100000.0},
    ]
    data["bounds"] = {}
    plan = optimize(parse_household(data))
    mu = plan.problem.mu
    dust = 1e-7  # shares of F; the rule is exact up to the stage-2a slack (1e-13) / Δμ
    held_ira = plan.x[1] > dust
    held_roth = plan.x[2] > dust
    assume(held_ira.any() and held_roth.any())  # else the rule has nothing to order
    assert mu[held_ira].max() <= mu[held_roth].min() + 1e-12


def test_same_type_accounts_split_pro_rata() -> None:
    data = random_household(7, "mean_variance")
    data["accounts"] = [
        {"id": "ira1", "type": "traditional", "balance": 100000.0},
        {"id": "ira2", "type": "traditional", "balance": 300000.0},
    ]
    data["bounds"] = {}
    plan = optimize(parse_household(data))
    np.testing.assert_allclose(plan.dollars[1], 3 * plan.dollars[0], atol=1e-4)


def test_same_file_same_answer(tmp_path: Any) -> None:
    data = random_household(11)
    a = optimize(parse_household(data)).to_dict()
    b = optimize(parse_household(copy.deepcopy(data))).to_dict()
    assert a == b


def test_reichenstein_fifty_fifty() -> None:
    """DESIGN.md §1: $500k 401(k) all stocks at T = 25% plus $375k Roth all bonds looks
    57/43 pre-tax and is exactly 50/50 after tax."""
    data = {
        "investor": {"ordinary_rate": 0.25, "capital_gains_rate": 0.15},
        "accounts": [
            {
                "id": "401k",
                "type": "traditional",
                "balance": 500000.0,
                "menu": ["us_equity_large_cap"],
            },
            {"id": "roth", "type": "roth", "balance": 375000.0, "menu": ["us_corp_bonds_core"]},
        ],
        "assumptions": {
            "preset": "horizon-2025",
            "universe": ["us_equity_large_cap", "us_corp_bonds_core"],
        },
        "objective": {"kind": "mean_variance"},
    }
    plan = optimize(parse_household(data))
    np.testing.assert_allclose(plan.mix, [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(plan.mix_pre_tax, [500 / 875, 375 / 875], atol=1e-12)
    assert round(100 * plan.weights_pre_tax[0]) == 57


def test_kaplan_part_iii_utility_identity() -> None:
    """Kaplan Part III: A ≈ 3.74, E 5.79%, SD 10.33% → U 3.80% (his rounding)."""
    data = {
        "investor": {"ordinary_rate": 0.3, "capital_gains_rate": 0.15},
        "accounts": [{"id": "roth", "type": "roth", "balance": 1.0}],
        "assumptions": {
            "cash_rate": 0.02,
            "correlation": [[1.0]],
            "classes": [
                {
                    "id": "ref",
                    "expected_return": 0.0579,
                    "volatility": 0.1033,
                    "effective_tax_rate": 0.0,
                }
            ],
        },
        "objective": {"kind": "mean_variance", "risk_aversion": 3.74},
    }
    h = parse_household(data)
    m = metrics(build_problem(h), np.ones((1, 1)))
    assert m.utility == pytest.approx(0.0579 - 3.74 / 2 * 0.1033**2, abs=1e-15)
    assert round(100 * m.utility, 2) == pytest.approx(3.80, abs=0.011)


def test_three_accounts_example_allocates_every_dollar(example: Callable[[str], Household]) -> None:
    plan = optimize(example("three_accounts"))
    d = plan.to_dict()
    for acc in d["accounts"]:
        assert sum(acc["holdings"].values()) == pytest.approx(acc["balance"], abs=1e-6)
    assert d["household"]["mix"]["us_equity_large_cap"] == pytest.approx(0.6, abs=1e-12)
    # bonds go to the IRA first (highest tax drag), stocks fill the taxable account
    assert d["accounts"][1]["holdings"]["us_corp_bonds_core"] == pytest.approx(150000, abs=0.01)
    assert d["accounts"][0]["holdings"]["us_equity_large_cap"] == pytest.approx(200000, abs=0.01)
    assert plan.improvement_bp("duplicate")["utility_bp"] > 0


@PROPS
@given(seed=seeds, kind=st.sampled_from(QP_KINDS))
def test_merging_interchangeable_accounts_is_exact(seed: int, kind: str) -> None:
    """Solving over merged accounts gives what solving account by account gives."""
    import assetloc.solve._solver as solver_module

    data = random_household(seed, kind)
    rng = np.random.default_rng(seed)
    # add twins of existing accounts (same type, menu), which the solver merges
    twins = [
        dict(copy.deepcopy(a), id=a["id"] + "_twin")
        for a in data["accounts"]
        if "bounds" not in a and rng.random() < 0.7
    ]
    for t in twins:
        t["balance"] = float(rng.uniform(1e4, 3e5))
    data["accounts"] += twins
    h = parse_household(data)

    def outcome() -> Any:
        try:
            return optimize(h)
        except InfeasibleError:  # twins change the budgets: a fixed mix or target may fail
            return None

    merged_plan = outcome()
    with pytest.MonkeyPatch.context() as mp:
        alone = lambda p, tf: ([[k] for k in range(p.k)], [[k] for k in range(p.k)])  # noqa: E731
        mp.setattr(solver_module, "partition", alone)
        plain = outcome()
    assert (merged_plan is None) == (plain is None)
    if plain is None:
        return
    assert abs(merged_plan.metrics.utility - plain.metrics.utility) < 1e-9
    scale = sum(a["balance"] for a in data["accounts"])
    np.testing.assert_allclose(merged_plan.dollars, plain.dollars, atol=1e-5 * scale)

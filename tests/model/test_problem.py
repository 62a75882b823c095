"""The Problem API: new problems for what callers used to do by hand (issue 12)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from assetloc import build_problem, load_household
from assetloc.errors import InputError
from assetloc.model.problem import Problem
from assetloc.solve import solve
from assetloc.types import AccountType, FloatArray, ObjectiveKind, View

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "three_accounts.toml"


def _fixed_mix_problem() -> Problem:
    p = build_problem(load_household(EXAMPLE))
    assert p.kind == ObjectiveKind.FIXED_MIX and p.mix is not None
    return p


def _mean_variance(p: Problem, x: FloatArray) -> float:
    """U = E − (A/2)·V in the optimized view, from the arrays (not the package's metrics)."""
    z = p.view().portfolio(np.einsum("ki,ki->i", p.tau, x))
    return float(p.mu @ z - p.risk_aversion / 2 * z @ p.cov @ z)


def test_released_problem_is_mean_variance_over_the_same_accounts() -> None:
    p = _fixed_mix_problem()
    free = p.released()
    assert free.kind == ObjectiveKind.MEAN_VARIANCE and free.mix is None and free.target is None
    assert free.wealth == p.wealth and free.risk_aversion == p.risk_aversion
    np.testing.assert_array_equal(free.budgets, p.budgets)
    np.testing.assert_array_equal(free.tau, p.tau)
    assert p.kind == ObjectiveKind.FIXED_MIX  # the original is unchanged
    # The fixed-mix optimum is feasible once the mix is released: releasing cannot lose utility.
    fixed, best = solve(p).x, solve(free).x
    assert _mean_variance(free, best) >= _mean_variance(free, fixed) - 1e-12


def test_with_objective_fixed_mix_holds_the_mix() -> None:
    p = _fixed_mix_problem()
    mix = np.full(p.n, 1.0 / p.n)
    x = solve(p.released().with_objective(ObjectiveKind.FIXED_MIX, mix=mix)).x
    np.testing.assert_allclose(x.sum(axis=0), mix, atol=1e-9)  # after-tax basis: weights 1


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        (ObjectiveKind.FIXED_MIX, "objective.mix"),
        (ObjectiveKind.TARGET_RETURN, "objective.target_return"),
        (ObjectiveKind.TARGET_VOLATILITY, "objective.target_volatility"),
        (ObjectiveKind.CRRA, "objective.risk_tolerance"),
    ],
)
def test_with_objective_names_what_the_kind_needs(kind: ObjectiveKind, field: str) -> None:
    with pytest.raises(InputError) as err:
        _fixed_mix_problem().with_objective(kind)
    assert err.value.field == field


def test_with_objective_changes_the_view() -> None:
    p = _fixed_mix_problem()
    q = p.released().with_objective(ObjectiveKind.MEAN_VARIANCE, context=View.NET_WORTH)
    assert q.context is View.NET_WORTH and q.view().name is View.NET_WORTH


def test_tax_blind_keeps_every_dollar_of_return() -> None:
    p = _fixed_mix_problem()
    x = solve(p).x
    np.testing.assert_array_equal(p.tax_blind().exposure(x), x.sum(axis=0))  # τ = 1: e = Σ_k x[k]


def test_with_accounts_keeps_wealth_and_takes_the_budgets() -> None:
    p = _fixed_mix_problem()
    budgets = p.budgets[::-1].copy()
    q = p.with_accounts(
        budgets,
        account_ids=p.account_ids[::-1],
        account_types=p.account_types[::-1],
        tau=p.tau[::-1],
        lower=p.lower[::-1],
        upper=p.upper[::-1],
        mix_weights=p.mix_weights[::-1],
        menu=None,
    )
    assert q.wealth == p.wealth and q.budgets is budgets
    np.testing.assert_array_equal(q.value_factor, np.ones(p.k))
    np.testing.assert_array_equal(q.balances, budgets * p.wealth)
    assert q.account_ids == p.account_ids[::-1] and p.account_ids != q.account_ids
    # the fast copy is the dataclass's own replace: every other field is p's, and q is a
    # Problem like any other (equal fields, frozen)
    same = {f.name for f in dataclasses.fields(Problem)} - {
        "account_ids", "account_types", "balances", "value_factor", "budgets", "tau",
        "lower", "upper", "mix_weights", "menu",
    }  # fmt: skip
    assert all(getattr(q, f) is getattr(p, f) for f in same)
    assert type(q) is Problem and q.cov is p.cov and q.k == p.k
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.wealth = 1.0  # type: ignore[misc]


def test_choices_read_and_print_as_their_strings() -> None:
    assert AccountType("hsa") is AccountType.HSA
    assert json.dumps({AccountType.ROTH: [ObjectiveKind.CRRA]}) == '{"roth": ["crra"]}'
    assert repr(ObjectiveKind.CRRA) == "'crra'" and f"{View.NET_WORTH}" == "net_worth"

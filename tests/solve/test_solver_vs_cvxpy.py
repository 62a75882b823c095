"""The optimizer against an independent cvxpy formulation on random households."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest

from assetloc import build_problem, optimize, parse_household
from assetloc.model.problem import Problem

from support.householdgen import random_household

N_HOUSEHOLDS = 300
OBJ_TOL = 1e-7  # objective: decimals per year (or variance)
CON_TOL = 1e-9  # constraints: shares of after-tax wealth


def cvxpy_optimum(p: Problem) -> float:
    """Optimal objective value from a from-scratch cvxpy model (Clarabel)."""
    x = cp.Variable((p.k, p.n))
    e = cp.sum(cp.multiply(p.tau, x), axis=0)
    cons = [x >= p.lower, x <= p.upper, cp.sum(x, axis=1) == p.budgets]
    lo, hi = p.class_lower, p.class_upper
    cons += [cp.sum(x, axis=0) >= lo, cp.sum(x, axis=0) <= hi]
    if p.mix is not None:
        cons.append(p.mix_weights @ x == p.mix)
    lam, vec = np.linalg.eigh(p.cov)
    root = (vec * np.sqrt(np.clip(lam, 0, None))).T
    ret = p.mu @ e
    var = cp.sum_squares(root @ e)
    if p.kind == "target_return":
        prob = cp.Problem(cp.Minimize(var), [*cons, ret >= p.target])
    elif p.kind == "target_volatility":
        prob = cp.Problem(cp.Maximize(ret), [*cons, cp.norm(root @ e) <= p.target])
    else:
        prob = cp.Problem(cp.Maximize(ret - p.risk_aversion / 2 * var), cons)
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    assert prob.status in ("optimal", "optimal_inaccurate"), prob.status
    return float(prob.value)


def our_objective(p: Problem, x: np.ndarray) -> float:
    e = p.exposure(x)
    ret, var = float(p.mu @ e), float(e @ p.cov @ e)
    if p.kind == "target_return":
        return var
    if p.kind == "target_volatility":
        return ret
    return ret - p.risk_aversion / 2 * var


def check_constraints(p: Problem, x: np.ndarray) -> None:
    assert np.all(x >= p.lower - CON_TOL)
    assert np.all(x <= p.upper + CON_TOL)
    np.testing.assert_allclose(x.sum(axis=1), p.budgets, atol=CON_TOL)
    mix = x.sum(axis=0)
    assert np.all(mix >= p.class_lower - CON_TOL) and np.all(mix <= p.class_upper + CON_TOL)
    if p.mix is not None:
        np.testing.assert_allclose(p.mix_weights @ x, p.mix, atol=CON_TOL)
    e = p.exposure(x)
    if p.kind == "target_return":
        assert p.mu @ e >= p.target - CON_TOL
    if p.kind == "target_volatility":
        assert np.sqrt(e @ p.cov @ e) <= p.target + 1e-8


@pytest.mark.parametrize("seed", range(N_HOUSEHOLDS))
def test_matches_cvxpy(seed: int) -> None:
    h = parse_household(random_household(seed))
    plan = optimize(h)
    p = build_problem(h)
    check_constraints(p, plan.x)
    assert abs(our_objective(p, plan.x) - cvxpy_optimum(p)) <= OBJ_TOL

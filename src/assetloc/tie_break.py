"""Stage 2: among all holdings with the optimal exposure e*, pick one by a stated rule.

The rule, lexicographic:

* 2a (tax-free first): maximize r'x, the expected return held in tax-free accounts (Roth, a
  tax-free HSA): the classes with the highest expected return go there first (the guide);
* 2b (pro rata): among those, minimize Σ x[k,i]²/a[k], whose unique minimizer splits a class
  across interchangeable accounts in proportion to their after-tax balances.

2a is an LP and 2b a strictly convex QP with 2a's optimum held as an equality: exact.
Classes the household does not hold (e*[i] = 0) are held in no account (τ > 0, x ≥ 0), so
they leave both problems first; this usually removes most of the variables.
"""

from __future__ import annotations

import numpy as np

from assetloc.assumptions import FloatArray
from assetloc.errors import SolverError
from assetloc.problem import Problem
from assetloc.qp import Constraints, Infeasible, lp, qp, with_row

HELD_TOL = 1e-13  # an exposure this small (share of F) is a class not held
TIE_SLACK = 1e-9  # relative slack on stage 2a's optimum when the exact face is too thin


def tie_break(
    p: Problem, m: FloatArray, c: Constraints, x1: FloatArray, tax_free: np.ndarray
) -> FloatArray:
    """Holdings (flattened K·n) with exposure M x1 chosen by the tax-free-first, then
    pro-rata rule; ``tax_free`` marks the accounts (K,). Raises on solver failure."""
    n, k = p.n, p.k
    e_star = m @ x1
    cols = np.flatnonzero((np.tile(e_star > HELD_TOL, k) & (c.ub > 0)) | (c.lb > 0))
    eq = np.vstack([c.a[: c.m_eq], m])[:, cols]
    eq_rhs = np.concatenate([c.lo[: c.m_eq], e_star])
    ineq = c.a[c.m_eq :, cols]
    budgets = np.repeat(p.budgets, n)[cols]
    weight = np.diag(1.0 / budgets)  # every live variable is in an account with a[k] > 0
    tf = np.repeat(tax_free, n)[cols]
    ret = np.where(tf, np.tile(p.mu, k)[cols], 0.0)
    held = Constraints(
        c.lb[cols], c.ub[cols], *_rows(eq, eq_rhs, ineq, c.lo[c.m_eq :], c.hi[c.m_eq :])
    )
    x = np.zeros(k * n)
    if not tf.any() or tf.all() or not ret.any():  # no trade-off: the pro-rata rule alone
        x[cols] = qp(weight, np.zeros(len(cols)), held, "stage 2")
        return x
    best = float(ret @ lp(-ret, held, "stage 2a"))
    try:  # 2a's optimum as an equality: exact, and better conditioned than a tiny slack
        x[cols] = qp(weight, np.zeros(len(cols)), _with_equality(held, ret, best), "stage 2b")
    except (Infeasible, SolverError):  # the exact face is too thin for the solvers
        slack = best - TIE_SLACK * (1.0 + abs(best))
        x[cols] = qp(weight, np.zeros(len(cols)), with_row(held, ret, slack), "stage 2b")
    return x


def _rows(
    eq: FloatArray, eq_rhs: FloatArray, ineq: FloatArray, lo: FloatArray, hi: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, int]:
    """(A, lo, hi, m_eq) without rows left empty by the classes not held.

    An empty equality row holds (its right side, an exposure below HELD_TOL, is zero to the
    solvers' tolerance); an empty household-bound row holds because stage 1 met it.
    """
    keep_eq = np.abs(eq).max(axis=1, initial=0.0) > 0
    keep_in = np.abs(ineq).max(axis=1, initial=0.0) > 0
    rhs = eq_rhs[keep_eq]
    return (
        np.vstack([eq[keep_eq], ineq[keep_in]]),
        np.concatenate([rhs, lo[keep_in]]),
        np.concatenate([rhs, hi[keep_in]]),
        int(keep_eq.sum()),
    )


def _with_equality(c: Constraints, row: FloatArray, value: float) -> Constraints:
    """``c`` with row'x = value as one more equality."""
    m = c.m_eq
    return Constraints(
        c.lb,
        c.ub,
        np.vstack([c.a[:m], row[None, :], c.a[m:]]),
        np.concatenate([c.lo[:m], [value], c.lo[m:]]),
        np.concatenate([c.hi[:m], [value], c.hi[m:]]),
        m + 1,
    )

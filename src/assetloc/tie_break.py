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
from assetloc.constraints import constraints, exposure_map, holdings
from assetloc.errors import SolverError
from assetloc.problem import Problem
from assetloc.qp import Constraints, Infeasible, lp, qp, with_row

HELD_TOL = 1e-13  # an exposure this small (share of F) is a class not held
TIE_SLACK = 1e-9  # relative slack on stage 2a's optimum when the exact face is too thin


def tie_break(p: Problem, e_star: FloatArray, tax_free: np.ndarray) -> FloatArray:
    """Holdings (K, n) with exposure ``e_star`` chosen by the tax-free-first, then pro-rata
    rule; ``tax_free`` marks the accounts (K,). Raises on solver failure."""
    n, k = p.n, p.k
    held = e_star > HELD_TOL
    cols = np.flatnonzero(((p.upper > 0) & held) | (p.lower > 0))
    c = constraints(p, cols)
    m = exposure_map(p, cols)[held]
    fixed = Constraints(
        c.lb,
        c.ub,
        np.vstack([c.a[: c.m_eq], m, c.a[c.m_eq :]]),
        np.concatenate([c.lo[: c.m_eq], e_star[held], c.lo[c.m_eq :]]),
        np.concatenate([c.hi[: c.m_eq], e_star[held], c.hi[c.m_eq :]]),
        c.m_eq + len(m),
    )
    weight = np.diag(1.0 / np.repeat(p.budgets, n)[cols])  # live x are in funded accounts
    tf = np.repeat(tax_free, n)[cols]
    ret = np.where(tf, np.tile(p.mu, k)[cols], 0.0)
    zero = np.zeros(len(cols))
    if tf.all() or not ret.any():  # no trade-off: the pro-rata rule alone
        return holdings(p, cols, qp(weight, zero, fixed, "stage 2"))
    best = float(ret @ lp(-ret, fixed, "stage 2a"))
    try:  # 2a's optimum as an equality: exact, and better conditioned than a tiny slack
        y = qp(weight, zero, _with_equality(fixed, ret, best), "stage 2b")
    except (Infeasible, SolverError):  # the exact face is too thin for the solvers
        y = qp(weight, zero, with_row(fixed, ret, best - TIE_SLACK * (1.0 + abs(best))), "stage 2b")
    return holdings(p, cols, y)


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

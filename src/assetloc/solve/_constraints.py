"""The linear constraints of the joint problem, over the holdings that may be nonzero.

x[k, i] is the share of after-tax wealth F held in class i inside account k, flattened
row-major (index k·n + i). Holdings off an account's menu or in an empty account are zero
and never reach a solver: problems are posed over ``cols``, the indices of the others.
"""

from __future__ import annotations

import numpy as np

from assetloc.model.problem import Problem
from assetloc.solve._kernels import holding_bounds
from assetloc.solve._qp import INF, Constraints, independent_rows
from assetloc.types import FloatArray


def variables(p: Problem) -> np.ndarray:
    """Flat indices k·n + i of the holdings x[k, i] that may be nonzero: on the account's
    menu, in a funded account (or forced above zero by a bound). The rest are zero and never
    reach a solver."""
    return np.flatnonzero(p.upper + p.lower)  # both are nonnegative


def exposure_map(p: Problem, cols: np.ndarray | None = None) -> FloatArray:
    """M with e = M x for x over ``cols`` (default: every holding), shape (n, len(cols))."""
    cols = np.arange(p.k * p.n) if cols is None else cols
    m: FloatArray = (cols % p.n == np.arange(p.n)[:, None]) * p.tau.ravel()[cols]
    return m


def constraints(p: Problem, cols: np.ndarray | None = None) -> Constraints:
    """Budgets, mix and household bounds as rows; account bounds as bounds; over the holdings
    ``cols`` (default: every holding; the others are held at zero).

    Objective constraints (a return target) are added by :func:`with_row`.
    """
    n, k = p.n, p.k
    cols = np.arange(k * n) if cols is None else cols
    budgets = p.budgets
    # x[k, i] <= a[k] is implied by the budget and x >= 0; stating it again makes every
    # single-class account a degenerate vertex, which active-set solvers handle badly.
    lb, ub, in_account, binds = holding_bounds(cols, p.lower, p.upper, budgets, INF)
    if p.mix is None:
        # Budget rows touch disjoint variables: independent unless all of a row's are fixed.
        eq = in_account[binds]  # Σ_i x[k, i] = a[k]
        eq_rhs = budgets[binds]
    else:  # Σ_k w[k]·x[k, i] = mix[i]; the mix rows and the budgets share one dependency
        active = budgets > 0
        acc = cols // n
        eq = np.vstack(
            [in_account[active], (cols % n == np.arange(n)[:, None]) * p.mix_weights[acc]]
        )
        rows = independent_rows(eq, lb == ub)
        eq = eq[rows]
        eq_rhs = np.concatenate([budgets[active], p.mix])[rows]
    a, lo, hi = eq, eq_rhs, eq_rhs
    if p.class_lower.any() or p.class_upper.min() < 1:  # lo ≤ Σ_k x[k, i] ≤ hi
        bounded = np.flatnonzero((p.class_lower > 0) | (p.class_upper < 1))
        a = np.vstack([eq, cols % n == bounded[:, None]])
        lo = np.concatenate([eq_rhs, p.class_lower[bounded]])
        hi = np.concatenate([eq_rhs, p.class_upper[bounded]])
    return Constraints(lb=lb, ub=ub, a=a, lo=lo, hi=hi, m_eq=len(eq))


def holdings(p: Problem, cols: np.ndarray, y: FloatArray) -> FloatArray:
    """Holdings x (K, n) from the values ``y`` of the holdings ``cols`` (the rest zero)."""
    x = np.zeros(p.k * p.n)
    x[cols] = y
    return x.reshape(p.k, p.n)

"""Stage 2: among all holdings with the optimal exposure e*, pick one by a stated rule.

The rule, lexicographic:

* 2a (tax-free first): maximize r'x, the expected return held in tax-free accounts (Roth, a
  tax-free HSA): the classes with the highest expected return go there first (the guide);
* 2b (pro rata): among those, minimize Σ x[k,i]²/a[k], whose unique minimizer splits a class
  across interchangeable accounts in proportion to their after-tax balances.

Usually no further solve is needed. Stage 1 works on groups of interchangeable accounts
(:mod:`assetloc.solve._merge`); when its optimum is the only group holding with exposure e*
(:func:`unique_optimum`, a test on stage 1's own multipliers), every x with exposure e*
has the same group holdings, and the rule only splits each group between its tax-free and
other accounts: a fractional knapsack (fill the tax-free accounts with the highest expected
returns first) then, among classes of equal return at the margin, the pro-rata split
(:func:`split`). Both are exact, in closed form.

Otherwise (stage 1's optimum not provably unique, or its multipliers unknown) the rule is
solved as posed: 2a is an LP and 2b a strictly convex QP with 2a's optimum held as an
equality (:func:`tie_break`). Classes the household does not hold (e*[i] = 0) are held in
no account (τ > 0, x ≥ 0), so they leave both problems first.
"""

from __future__ import annotations

import numpy as np

from assetloc.errors import SolverError
from assetloc.model.problem import Problem
from assetloc.solve._constraints import constraints, exposure_map, holdings
from assetloc.solve._kernels import face_matrix, split_groups
from assetloc.solve._merge import group_index
from assetloc.solve._qp import Constraints, Duals, Infeasible, lp, qp, rank, with_row
from assetloc.types import FloatArray

HELD_TOL = 1e-13  # an exposure this small (share of F) is a class not held
STRICT_TOL = 1e-9  # multipliers below this share of the largest (and of 1) count as zero
TIE_SLACK = 1e-9  # relative slack on stage 2a's optimum when the exact face is too thin


def tie_break(p: Problem, e_star: FloatArray, tax_free: np.ndarray) -> FloatArray:
    """Holdings (K, n) with exposure ``e_star`` chosen by the tax-free-first, then pro-rata
    rule; ``tax_free`` marks the accounts (K,). Raises on solver failure."""
    n, k = p.n, p.k
    held = e_star > HELD_TOL
    cols = np.flatnonzero(((p.upper > 0) & held) | (p.lower > 0))
    c = constraints(p, cols)
    fixed = _with_equalities(c, exposure_map(p, cols)[held], e_star[held])  # M x = e*
    weight = np.diag(1.0 / np.repeat(p.budgets, n)[cols])  # live x are in funded accounts
    tf = np.repeat(tax_free, n)[cols]
    ret = np.where(tf, np.tile(p.mu, k)[cols], 0.0)
    zero = np.zeros(len(cols))
    if tf.all() or not ret.any():  # no trade-off: the pro-rata rule alone
        return holdings(p, cols, qp(weight, zero, fixed, "stage 2"))
    best = float(ret @ lp(-ret, fixed, "stage 2a"))
    try:  # 2a's optimum as an equality: exact, and better conditioned than a tiny slack
        y = qp(weight, zero, _with_equalities(fixed, ret[None, :], np.array([best])), "stage 2b")
    except (Infeasible, SolverError):  # the exact face is too thin for the solvers
        y = qp(weight, zero, with_row(fixed, ret, best - TIE_SLACK * (1.0 + abs(best))), "stage 2b")
    return holdings(p, cols, y)


def _with_equalities(c: Constraints, rows: FloatArray, values: FloatArray) -> Constraints:
    """``c`` with rows x = values as more equalities (after its own)."""
    m = c.m_eq
    return Constraints(
        c.lb,
        c.ub,
        np.vstack([c.a[:m], rows, c.a[m:]]),
        np.concatenate([c.lo[:m], values, c.lo[m:]]),
        np.concatenate([c.hi[:m], values, c.hi[m:]]),
        m + len(rows),
    )


def unique_optimum(c: Constraints, m: FloatArray, duals: Duals) -> bool:
    """Is stage 1's optimum y the only point of ``c`` with exposure M y? (sufficient test)

    Along a direction d to another such point, M d = 0, so the objective (a function of the
    exposure) does not change, and stationarity gives Σ ν_j d_j + Σ λ_r a_r'd = 0 over the
    active constraints, each term ≤ 0: d vanishes on every bound, and is orthogonal to every
    row, with a nonzero multiplier. If the equality rows, M and those rows have full column
    rank on the remaining variables, d = 0. (Matrix: :func:`kernels.face_matrix`; rank: LAPACK.)
    """
    mat = face_matrix(duals.values, c.lb, c.ub, c.a, c.m_eq, m, STRICT_TOL)
    return bool(mat.shape[1] == 0 or (mat.shape[0] >= mat.shape[1] and rank(mat) == mat.shape[1]))


def split(p: Problem, parts: list[list[int]], y: FloatArray, tax_free: np.ndarray) -> FloatArray:
    """Holdings per account (K, n) from group holdings ``y`` (G, n) by the rule: within a
    group, its tax-free accounts take the classes with the highest expected return first
    (ties at the margin pro rata); each side is split pro rata across its accounts.
    (Kernel: :func:`kernels.split_groups`.)"""
    return split_groups(y, group_index(parts, p.k), tax_free, p.budgets, p.mu, HELD_TOL)

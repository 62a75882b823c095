"""Compiled inner loops of the solver (numba): checking a solution against the constraints,
the uniqueness test of stage 1's optimum, and the closed-form split of the tie-break rule.

Plain loops over small arrays (a few accounts, a few dozen classes). Written with numpy
calls they cost a microsecond per call and a solve needs dozens; compiled, each is one call.
Compiled code is cached next to this file (``cache=True``): the first run in a fresh
checkout compiles it once, in about a second. Units: shares of after-tax wealth F.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from assetloc.assumptions import FloatArray


@njit(cache=True)
def worst_violation(
    x: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    budgets: FloatArray,
    class_lower: FloatArray,
    class_upper: FloatArray,
    mix: FloatArray,
    mix_weights: FloatArray,
) -> float:
    """Largest violation by x (K, n) of bounds, budgets, household class bounds and, when
    ``mix`` is not empty, the fixed mix Σ_k w[k]·x[k, i] = mix[i]; 0 if none."""
    k, n = x.shape
    worst = 0.0
    for a in range(k):
        total = 0.0
        for i in range(n):
            v = x[a, i]
            total += v
            worst = max(worst, lower[a, i] - v, v - upper[a, i])
        worst = max(worst, abs(total - budgets[a]))
    for i in range(n):
        held = 0.0
        weighted = 0.0
        for a in range(k):
            held += x[a, i]
            weighted += mix_weights[a] * x[a, i]
        worst = max(worst, class_lower[i] - held, held - class_upper[i])
        if mix.size:
            worst = max(worst, abs(weighted - mix[i]))
    return worst


@njit(cache=True)
def face_is_a_point(
    lam: FloatArray,
    lb: FloatArray,
    ub: FloatArray,
    a: FloatArray,
    m_eq: int,
    m: FloatArray,
    strict_tol: float,
    rank_tol: float,
) -> bool:
    """The test of :func:`assetloc.tie_break.unique_optimum` on DAQP's multipliers ``lam``
    (bounds, then rows of ``a``): do the equality rows, the rows with a nonzero multiplier
    and M have full column rank on the variables without one? (QR; R's diagonal.)"""
    nv, nr = lb.size, a.shape[0]
    top = 0.0
    for j in range(nv + nr):
        top = max(top, abs(lam[j]))
    tol = strict_tol * top
    cols = [j for j in range(nv) if abs(lam[j]) <= tol and lb[j] < ub[j]]
    if len(cols) == 0:
        return True
    rows = [r for r in range(nr) if r < m_eq or abs(lam[nv + r]) > tol]
    n_rows = len(rows) + m.shape[0]
    if n_rows < len(cols):
        return False
    mat = np.empty((n_rows, len(cols)))
    for jj, j in enumerate(cols):
        for rr, r in enumerate(rows):
            mat[rr, jj] = a[r, j]
        for i in range(m.shape[0]):
            mat[len(rows) + i, jj] = m[i, j]
    r_factor = np.linalg.qr(mat)[1]
    diag = np.abs(np.diag(r_factor))
    floor = rank_tol * max(1.0, diag.max())
    return bool(np.all(diag > floor))


@njit(cache=True)
def split_groups(
    y: FloatArray,
    group_of: np.ndarray,
    is_free: np.ndarray,
    budgets: FloatArray,
    mu: FloatArray,
    held_tol: float,
) -> FloatArray:
    """Holdings per account (K, n) from group holdings ``y`` (G, n): within a group its
    tax-free accounts take the classes with the highest expected return ``mu`` first (ties at
    the margin split by :func:`tie_share`), each side pro rata to its accounts' budgets."""
    k, n = group_of.size, y.shape[1]
    x = np.zeros((k, n))
    for g in range(y.shape[0]):
        a_free = 0.0
        a_other = 0.0
        for acc in range(k):
            if group_of[acc] == g:
                if is_free[acc]:
                    a_free += budgets[acc]
                else:
                    a_other += budgets[acc]
        if a_free > 0.0 and a_other > 0.0:
            r = fill(mu, y[g], a_free, a_other, held_tol)
            for acc in range(k):
                if group_of[acc] == g and is_free[acc]:
                    x[acc] = r * (budgets[acc] / a_free)
                elif group_of[acc] == g:
                    x[acc] = (y[g] - r) * (budgets[acc] / a_other)
        else:
            total = a_free + a_other
            for acc in range(k):
                if group_of[acc] == g:
                    x[acc] = y[g] * (budgets[acc] / total if total > 0.0 else 0.0)
    return x


@njit(cache=True)
def fill(
    mu: FloatArray, z: FloatArray, a_free: float, a_other: float, held_tol: float
) -> FloatArray:
    """Tax-free holdings r (n,) of a group holding z: max μ'r over 0 ≤ r ≤ z, Σ r = a_free
    (greedy: highest μ first), then among classes of equal μ at the margin the least
    Σ r²/a_free + (z − r)²/a_other."""
    n = z.size
    r = np.zeros(n)
    held = np.array([i for i in range(n) if z[i] > held_tol], dtype=np.int64)
    order = held[np.argsort(-mu[held], kind="mergesort")]  # stable: ties keep class order
    left = a_free
    j = 0
    while j < order.size and left > 0.0:
        end = j + 1
        while end < order.size and mu[order[end]] == mu[order[j]]:
            end += 1
        block = order[j:end]
        room = z[block].sum()
        if left >= room:
            r[block] = z[block]
        elif block.size == 1:
            r[block[0]] = left
        else:
            r[block] = tie_share(z[block], left, a_free / (a_free + a_other))
        left -= room
        j = end
    return r


@njit(cache=True)
def tie_share(z: FloatArray, total: float, c: float) -> FloatArray:
    """argmin Σ r²/a_f + (z − r)²/a_o s.t. Σ r = total, 0 ≤ r ≤ z, where c = a_f/(a_f + a_o):
    r_i = clip(c·z_i + λ, 0, z_i), λ found exactly on the piecewise-linear Σ r(λ)."""
    knots = np.sort(np.concatenate((-c * z, (1.0 - c) * z)))
    sums = np.array([np.minimum(np.maximum(c * z + kn, 0.0), z).sum() for kn in knots])
    lam = knots[-1]
    for j in range(1, knots.size):
        if sums[j] >= total:
            lo, hi, s_lo, s_hi = knots[j - 1], knots[j], sums[j - 1], sums[j]
            lam = lo + (total - s_lo) * (hi - lo) / (s_hi - s_lo) if s_hi > s_lo else lo
            break
    return np.minimum(np.maximum(c * z + lam, 0.0), z)


@njit(cache=True)
def must_stand_alone(lower: FloatArray, upper: FloatArray, budgets: FloatArray) -> np.ndarray:
    """Accounts (K,) that cannot be merged with others: a bound of their own (a minimum
    above zero, a maximum below the budget on a menu class) or no budget."""
    k, n = upper.shape
    alone = np.zeros(k, dtype=np.bool_)
    for a in range(k):
        alone[a] = budgets[a] <= 0.0
        for i in range(n):
            if lower[a, i] > 0.0 or 0.0 < upper[a, i] < budgets[a]:
                alone[a] = True
    return alone


@njit(cache=True)
def pooled_accounts(
    group_of: np.ndarray,
    n_groups: int,
    budgets: FloatArray,
    tau: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    weights: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Account-level arrays of the groups (budgets, τ, lower, upper, mix weights), each
    group's from its first account; a group of several may hold its whole budget in any
    class on their (common) menu."""
    n = tau.shape[1]
    size = np.zeros(n_groups, dtype=np.int64)
    first = np.full(n_groups, -1, dtype=np.int64)
    budget_g = np.zeros(n_groups)
    for a in range(group_of.size):
        g = group_of[a]
        budget_g[g] += budgets[a]
        size[g] += 1
        if first[g] < 0:
            first[g] = a
    tau_g, lower_g, upper_g = tau[first], lower[first], upper[first]
    for g in range(n_groups):
        if size[g] > 1:
            for i in range(n):
                upper_g[g, i] = budget_g[g] if upper_g[g, i] > 0.0 else 0.0
    return budget_g, tau_g, lower_g, upper_g, weights[first]


@njit(cache=True)
def holding_bounds(
    cols: np.ndarray, lower: FloatArray, upper: FloatArray, budgets: FloatArray, inf: float
) -> tuple[FloatArray, FloatArray, FloatArray, np.ndarray]:
    """For the holdings ``cols`` (flat k·n + i): bounds lb, ub (``inf`` where the budget
    implies the bound), the budget rows (K, len(cols)), and the accounts whose row binds
    anything (funded, with a holding not fixed by its bounds)."""
    k, n = upper.shape
    nv = cols.size
    lb, ub = np.empty(nv), np.empty(nv)
    rows = np.zeros((k, nv))
    binds = np.zeros(k, dtype=np.bool_)
    for j in range(nv):
        a, i = cols[j] // n, cols[j] % n
        lb[j], ub[j] = lower[a, i], upper[a, i]
        funded = budgets[a] > 0.0
        if funded and ub[j] >= budgets[a]:
            ub[j] = inf
        rows[a, j] = 1.0
        if funded and lb[j] != upper[a, i]:
            binds[a] = True
    return lb, ub, rows, binds

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

from assetloc.types import FloatArray


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
def face_matrix(
    lam: FloatArray,
    lb: FloatArray,
    ub: FloatArray,
    a: FloatArray,
    m_eq: int,
    m: FloatArray,
    strict_tol: float,
) -> FloatArray:
    """The matrix of :func:`assetloc.solve._tie_break.unique_optimum`'s rank test, from DAQP's
    multipliers ``lam`` (bounds, then rows of ``a``, then any rows added to ``a``): the
    equality rows, the rows of ``a`` with a nonzero multiplier and M, on the variables without
    one (shape (0, 0) if none). A multiplier counts as nonzero above ``strict_tol`` times the
    largest, and at least ``strict_tol``: an interior optimum has only noise (about 1e-17)."""
    nv, nr = lb.size, a.shape[0]
    top = 1.0  # H is scaled to a largest diagonal of 1: multipliers below strict_tol are noise
    for j in range(lam.size):  # every row, an objective's (a return target) included
        top = max(top, abs(lam[j]))
    tol = strict_tol * top
    n_cols = 0
    cols = np.empty(nv, dtype=np.int64)
    for j in range(nv):
        if abs(lam[j]) <= tol and lb[j] < ub[j]:
            cols[n_cols] = j
            n_cols += 1
    n_rows = 0
    rows = np.empty(nr, dtype=np.int64)
    for r in range(nr):
        if r < m_eq or abs(lam[nv + r]) > tol:
            rows[n_rows] = r
            n_rows += 1
    if n_cols == 0:
        return np.zeros((0, 0))
    mat = np.empty((n_rows + m.shape[0], n_cols))
    for jj in range(n_cols):
        for rr in range(n_rows):
            mat[rr, jj] = a[rows[rr], cols[jj]]
        for i in range(m.shape[0]):
            mat[n_rows + i, jj] = m[i, cols[jj]]
    return mat


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
    order = np.empty(n, dtype=np.int64)  # held classes by expected return, high to low
    count = 0
    for i in range(n):
        if z[i] > held_tol:
            pos = count  # insertion sort, stable: ties keep the class order
            while pos > 0 and mu[order[pos - 1]] < mu[i]:
                order[pos] = order[pos - 1]
                pos -= 1
            order[pos] = i
            count += 1
    left = a_free
    j = 0
    while j < count and left > 0.0:
        end = j + 1
        while end < count and mu[order[end]] == mu[order[j]]:
            end += 1
        room = 0.0
        for b in range(j, end):
            room += z[order[b]]
        if left >= room:
            for b in range(j, end):
                r[order[b]] = z[order[b]]
        elif end - j == 1:
            r[order[j]] = left
        else:
            block = z[order[j:end]]
            shares = tie_share(block, left, a_free / (a_free + a_other))
            for b in range(j, end):
                r[order[b]] = shares[b - j]
        left -= room
        j = end
    return r


@njit(cache=True)
def tie_share(z: FloatArray, total: float, c: float) -> FloatArray:
    """argmin Σ r²/a_f + (z − r)²/a_o s.t. Σ r = total, 0 ≤ r ≤ z, where c = a_f/(a_f + a_o):
    r_i = clip(c·z_i + λ, 0, z_i), λ found exactly on the piecewise-linear, nondecreasing
    S(λ) = Σ r_i(λ), which bends at λ = −c·z_i and (1 − c)·z_i."""
    n = z.size
    knots = np.empty(2 * n)
    sums = np.empty(2 * n)
    for i in range(n):
        knots[i], knots[n + i] = -c * z[i], (1.0 - c) * z[i]
    knots.sort()
    for j in range(2 * n):
        sums[j] = 0.0
        for i in range(n):
            sums[j] += min(max(c * z[i] + knots[j], 0.0), z[i])
    lam = knots[-1]
    for j in range(1, 2 * n):
        if sums[j] >= total:
            lo, hi, s_lo, s_hi = knots[j - 1], knots[j], sums[j - 1], sums[j]
            lam = lo + (total - s_lo) * (hi - lo) / (s_hi - s_lo) if s_hi > s_lo else lo
            break
    r = np.empty(n)
    for i in range(n):
        r[i] = min(max(c * z[i] + lam, 0.0), z[i])
    return r


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

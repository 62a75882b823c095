"""Stage 2: among all holdings with the optimal exposure e*, pick one by a stated rule.

The rule, lexicographic:

* 2a (tax-free first): maximize r'x, the expected return held in tax-free accounts (Roth, a
  tax-free HSA): the classes with the highest expected return go there first (the guide);
* 2b (pro rata): among those, minimize Σ x[k,i]²/a[k], whose unique minimizer splits a class
  across interchangeable accounts in proportion to their after-tax balances.

Usually no further solve is needed. Stage 1 works on groups of interchangeable accounts
(:mod:`assetloc.merge`); when its optimum is the only group holding with exposure e*
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

from assetloc.assumptions import FloatArray
from assetloc.constraints import constraints, exposure_map, holdings
from assetloc.errors import SolverError
from assetloc.problem import Problem
from assetloc.qp import Constraints, Duals, Infeasible, lp, qp, rank, with_row

HELD_TOL = 1e-13  # an exposure this small (share of F) is a class not held
STRICT_TOL = 1e-9  # multipliers below this share of the largest count as zero
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


def unique_optimum(c: Constraints, m: FloatArray, duals: Duals) -> bool:
    """Is stage 1's optimum y the only point of ``c`` with exposure M y? (sufficient test)

    Along a direction d to another such point, M d = 0, so the objective (a function of the
    exposure) does not change, and stationarity gives Σ ν_j d_j + Σ λ_r a_r'd = 0 over the
    active constraints, each term ≤ 0: d vanishes on every bound, and is orthogonal to every
    row, with a nonzero multiplier. If the equality rows, M and those rows have full column
    rank on the remaining variables, d = 0.
    """
    nv = len(c.lb)
    lam = np.abs(duals.all[: nv + len(c.lo)])
    tol = STRICT_TOL * float(lam.max())
    cols = (lam[:nv] <= tol) & (c.lb < c.ub)
    n_cols = int(np.count_nonzero(cols))
    if n_cols == 0:
        return True
    rows = lam[nv:] > tol
    rows[: c.m_eq] = True
    a = np.concatenate((c.a[rows], m)).compress(cols, axis=1)
    return len(a) >= n_cols and rank(a) == n_cols


def split(p: Problem, parts: list[list[int]], y: FloatArray, tax_free: np.ndarray) -> FloatArray:
    """Holdings per account (K, n) from group holdings ``y`` (G, n) by the rule: within a
    group, its tax-free accounts take the classes with the highest expected return first
    (ties at the margin pro rata); each side is split pro rata across its accounts."""
    b = p.budgets.tolist()
    is_free = tax_free.tolist()
    out: list[FloatArray] = [y[0]] * p.k
    for g, members in enumerate(parts):
        free = [k for k in members if is_free[k]]
        other = [k for k in members if not is_free[k]]
        if free and other:
            a_free, a_other = sum([b[k] for k in free]), sum([b[k] for k in other])
            r = _fill(p.mu, y[g], a_free, a_other)
            sides = [(free, r, a_free), (other, y[g] - r, a_other)]
        else:
            sides = [(members, y[g], sum([b[k] for k in members]))]
        for accounts, held, total in sides:
            for k in accounts:
                out[k] = held * (b[k] / total if total > 0 else 0.0)
    return np.array(out)


def _fill(mu: FloatArray, z: FloatArray, a_free: float, a_other: float) -> FloatArray:
    """Tax-free holdings r (n,) of a group holding z: max μ'r over 0 ≤ r ≤ z, Σ r = a_free
    (greedy: highest μ first), then among classes of equal μ at the margin the least
    Σ r²/a_free + (z − r)²/a_other."""
    zs, mus = z.tolist(), mu.tolist()
    r = [0.0] * len(zs)
    order = [i for i, zi in enumerate(zs) if zi > HELD_TOL]
    order.sort(key=mus.__getitem__, reverse=True)  # stable: ties keep the class order
    left = a_free
    j = 0
    while j < len(order) and left > 0:
        end = j + 1
        while end < len(order) and mus[order[end]] == mus[order[j]]:
            end += 1
        block = order[j:end]
        room = sum([zs[i] for i in block])
        if left >= room:
            shares = [zs[i] for i in block]
        elif len(block) == 1:
            shares = [left]
        else:
            shares = _share([zs[i] for i in block], left, a_free / (a_free + a_other))
        for i, v in zip(block, shares, strict=True):
            r[i] = v
        left -= room
        j = end
    return np.array(r)


def _share(z: list[float], total: float, c: float) -> list[float]:
    """argmin Σ r²/a_f + (z − r)²/a_o s.t. Σ r = total, 0 ≤ r ≤ z, where c = a_f/(a_f + a_o):
    r_i = clip(c·z_i + λ, 0, z_i), λ found exactly on the piecewise-linear Σ r(λ)."""

    def r_of(lam: float) -> list[float]:
        return [min(max(c * zi + lam, 0.0), zi) for zi in z]

    inner = (total - c * sum(z)) / len(z)  # no r_i at a bound: one shift for all
    if all(0.0 <= c * zi + inner <= zi for zi in z):
        return [c * zi + inner for zi in z]
    knots = sorted({-c * zi for zi in z} | {(1.0 - c) * zi for zi in z})
    sums = [sum(r_of(k)) for k in knots]  # nondecreasing, from 0 to Σ z
    for j in range(1, len(knots)):
        if sums[j] >= total:
            lo, hi, s_lo, s_hi = knots[j - 1], knots[j], sums[j - 1], sums[j]
            return r_of(lo + (total - s_lo) * (hi - lo) / (s_hi - s_lo) if s_hi > s_lo else lo)
    return r_of(knots[-1])

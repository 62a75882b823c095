"""Inner loops of the solver in numpy: checking a solution against the constraints, the
uniqueness test of stage 1's optimum, and the closed-form split of the tie-break rule.

Small arrays (a few accounts, a few dozen classes). Sums that feed results run in the
order of a plain loop (``np.cumsum``, or a loop over accounts), so the figures do not
depend on how numpy groups a reduction. The Python here is the reference; the
functions the solver calls are their C translation (``_ckernels.c``, built at install when
a C compiler is there; no import or compile cost at run time, unlike the numba kernels these
once were), checked against the Python bit for bit (``tests/solve/test_ckernels.py``).
Without it, or with ``ASSETLOC_PURE_PYTHON=1``, the Python runs: the same numbers.
Units: shares of after-tax wealth F.
"""

from __future__ import annotations

from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np

from assetloc.native import extension
from assetloc.types import FloatArray


def _sequential_sum(a: FloatArray, axis: int) -> FloatArray:
    """Σ of ``a`` along ``axis`` added left to right (a plain loop's rounding)."""
    if a.shape[axis] == 0:
        return np.zeros(np.delete(a.shape, axis))
    return np.asarray(np.cumsum(a, axis=axis).take(-1, axis=axis), dtype=float)


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
    held = _sequential_sum(x, 0)
    gaps = [
        (lower - x).ravel(),
        (x - upper).ravel(),
        np.abs(_sequential_sum(x, 1) - budgets),
        class_lower - held,
        held - class_upper,
    ]
    if mix.size:
        gaps.append(np.abs(_sequential_sum(mix_weights[:, None] * x, 0) - mix))
    return max(0.0, *(float(g.max()) for g in gaps if g.size))


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
    # H is scaled to a largest diagonal of 1: multipliers below strict_tol are noise;
    # every row counts, an objective's (a return target) included
    top = max(1.0, float(np.abs(lam).max())) if lam.size else 1.0
    tol = strict_tol * top
    cols = np.flatnonzero((np.abs(lam[:nv]) <= tol) & (lb < ub))
    rows = np.flatnonzero((np.arange(nr) < m_eq) | (np.abs(lam[nv : nv + nr]) > tol))
    if cols.size == 0:
        return np.zeros((0, 0))
    return np.vstack([a[np.ix_(rows, cols)], m[:, cols]])


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
        members = np.flatnonzero(group_of == g)
        free = members[is_free[members]]
        other = members[~is_free[members]]
        a_free = _loop_sum(budgets[free])
        a_other = _loop_sum(budgets[other])
        if a_free > 0.0 and a_other > 0.0:
            r = fill(mu, y[g], a_free, a_other, held_tol)
            x[free] = r * (budgets[free] / a_free)[:, None]
            x[other] = (y[g] - r) * (budgets[other] / a_other)[:, None]
        else:
            total = a_free + a_other
            share = budgets[members] / total if total > 0.0 else np.zeros(members.size)
            x[members] = y[g] * share[:, None]
    return x


def _loop_sum(values: FloatArray) -> float:
    """0.0 + v[0] + v[1] + ..., left to right."""
    total = 0.0
    for v in values.tolist():
        total += v
    return total


def fill(
    mu: FloatArray, z: FloatArray, a_free: float, a_other: float, held_tol: float
) -> FloatArray:
    """Tax-free holdings r (n,) of a group holding z: max μ'r over 0 ≤ r ≤ z, Σ r = a_free
    (greedy: highest μ first), then among classes of equal μ at the margin the least
    Σ r²/a_free + (z − r)²/a_other."""
    r = np.zeros(z.size)
    held = np.flatnonzero(z > held_tol)
    order = held[np.argsort(-mu[held], kind="stable")]  # high to low; ties keep class order
    count = order.size
    left = a_free
    j = 0
    while j < count and left > 0.0:
        end = j + 1
        while end < count and mu[order[end]] == mu[order[j]]:
            end += 1
        block = order[j:end]
        room = _loop_sum(z[block])
        if left >= room:
            r[block] = z[block]
        elif end - j == 1:
            r[order[j]] = left
        else:
            r[block] = tie_share(z[block], left, a_free / (a_free + a_other))
        left -= room
        j = end
    return r


def tie_share(z: FloatArray, total: float, c: float) -> FloatArray:
    """argmin Σ r²/a_f + (z − r)²/a_o s.t. Σ r = total, 0 ≤ r ≤ z, where c = a_f/(a_f + a_o):
    r_i = clip(c·z_i + λ, 0, z_i), λ found exactly on the piecewise-linear, nondecreasing
    S(λ) = Σ r_i(λ), which bends at λ = −c·z_i and (1 − c)·z_i."""
    knots = np.sort(np.concatenate([-c * z, (1.0 - c) * z]))
    sums = _sequential_sum(np.minimum(np.maximum(c * z + knots[:, None], 0.0), z), 1)
    lam = knots[-1]
    reached = np.flatnonzero(sums[1:] >= total)
    if reached.size:
        j = int(reached[0]) + 1
        lo, hi, s_lo, s_hi = knots[j - 1], knots[j], sums[j - 1], sums[j]
        lam = lo + (total - s_lo) * (hi - lo) / (s_hi - s_lo) if s_hi > s_lo else lo
    out: FloatArray = np.minimum(np.maximum(c * z + lam, 0.0), z)
    return out


def must_stand_alone(lower: FloatArray, upper: FloatArray, budgets: FloatArray) -> np.ndarray:
    """Accounts (K,) that cannot be merged with others: a bound of their own (a minimum
    above zero, a maximum below the budget on a menu class) or no budget."""
    own_bound = (lower > 0.0) | ((upper > 0.0) & (upper < budgets[:, None]))
    return np.asarray((budgets <= 0.0) | own_bound.any(axis=1))


def pooled_accounts(
    group_of: np.ndarray,
    first: np.ndarray,
    budgets: FloatArray,
    tau: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    weights: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Account-level arrays of the groups (budgets, τ, lower, upper, mix weights), each
    group's from its first account (``first``: the first account of groups 0..G-1); a
    group of several may hold its whole budget in any class on their (common) menu."""
    n_groups = first.size
    # Σ of the members' budgets, added in account order
    budget_g = np.asarray(np.bincount(group_of, weights=budgets, minlength=n_groups), dtype=float)
    size = np.bincount(group_of, minlength=n_groups)
    tau_g, lower_g, upper_g = tau[first], lower[first], upper[first]
    pooled = size > 1
    upper_g[pooled] = np.where(upper_g[pooled] > 0.0, budget_g[pooled, None], 0.0)
    return budget_g, tau_g, lower_g, upper_g, weights[first]


def holding_bounds(
    cols: np.ndarray, lower: FloatArray, upper: FloatArray, budgets: FloatArray, inf: float
) -> tuple[FloatArray, FloatArray, FloatArray, np.ndarray]:
    """For the holdings ``cols`` (flat k·n + i): bounds lb, ub (``inf`` where the budget
    implies the bound), the budget rows (K, len(cols)), and the accounts whose row binds
    anything (funded, with a holding not fixed by its bounds)."""
    k, n = upper.shape
    acc = cols // n
    lb, stated = lower.ravel()[cols], upper.ravel()[cols]
    funded = budgets[acc] > 0.0
    ub = np.where(funded & (stated >= budgets[acc]), inf, stated)
    rows = (acc == np.arange(k)[:, None]).astype(float)
    binds = np.zeros(k, dtype=np.bool_)
    binds[acc[funded & (lb != stated)]] = True
    return lb, ub, rows, binds


def portfolio_moments(
    tau: FloatArray,
    x: FloatArray,
    scale: float,
    offset: FloatArray,
    mu: FloatArray,
    cov: FloatArray,
) -> tuple[float, float]:
    """E = μ'z (decimal a year) and V = z'Σz (decimal² a year) of the portfolio
    z = scale·e + offset, e = Σ_k τ[k]·x[k] the after-tax exposure of holdings x (K, n);
    every sum left to right (Σz first over the columns of Σ: (Σz)_i = Σ_j Σ_ij·z_j)."""
    e = _sequential_sum(tau * x, 0)
    z = scale * e + offset
    er = float(_sequential_sum(mu * z, 0))
    var = float(_sequential_sum(z * _sequential_sum(cov * z, 1), 0))
    return er, var


#: the Python functions above, by name: the reference of their C translation
REFERENCE: dict[str, Any] = {
    f.__name__: f
    for f in (
        worst_violation,
        face_matrix,
        split_groups,
        must_stand_alone,
        pooled_accounts,
        holding_bounds,
        portfolio_moments,
    )
}


def _compiled() -> ModuleType | None:
    """``_ckernels`` configured with :data:`REFERENCE` (what it hands inputs off its common
    path to), or None when it was not built or ``ASSETLOC_PURE_PYTHON`` is set."""
    _ckernels = extension("assetloc.solve._ckernels")
    if _ckernels is not None:
        _ckernels.configure(SimpleNamespace(**REFERENCE))
    return _ckernels


#: the C translation in use, or None (then the names above are the Python)
compiled = _compiled()
if compiled is not None:  # the module's names become the C functions, for every importer
    globals().update({name: getattr(compiled, name) for name in REFERENCE})

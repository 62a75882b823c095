"""Baselines a household is compared with (DESIGN.md §3, Kaplan Part III).

Both take the household mix (after-tax shares of F, summing to 1) and only place it:

* ``duplicate``: the same mix inside every account (the naive approach);
* ``rule_of_thumb``: the guide's placement — tax-deferred accounts take the least
  tax-efficient classes first (highest tax drag t·μ), tax-free accounts the highest expected
  returns, taxable accounts the rest, most tax-efficient first.

Where a menu forbids a class, the account's share of it is spread over the classes it may
hold in proportion to the mix (duplicate) or left to the next account (rule of thumb); so a
baseline's mix can differ from the target when menus bind.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from assetloc.model.problem import Problem
from assetloc.types import FloatArray


def duplicate(p: Problem, mix: FloatArray) -> FloatArray:
    """x[k, i] = a[k]·mix[i] (renormalized over each account's menu), shape (K, n)."""
    allowed = p.upper > 0
    w = mix * allowed  # (K, n); an account whose menu holds none of the mix: its menu evenly
    sums = w.sum(axis=1)
    if (sums <= 0).any():
        w[sums <= 0] = allowed[sums <= 0]
        sums = w.sum(axis=1)
    a = p.budgets[:, None]
    x: FloatArray = np.divide(a * w, sums[:, None], out=np.zeros((p.k, p.n)), where=a > 0)
    return x


def _fill(
    x: list[list[float]],
    remaining: list[float],
    k: int,
    cap: float,
    order: list[int],
    allowed: list[list[bool]],
) -> float:
    """Fill account ``k`` up to ``cap`` with the classes in ``order`` it may hold (plain
    floats: the same IEEE sums as numpy's, without its per-element cost)."""
    row, ok = x[k], allowed[k]
    for i in order:
        if cap <= 0:
            break
        if not ok[i]:
            continue
        take = min(remaining[i], cap)
        row[i] += take
        remaining[i] -= take
        cap -= take
    return cap


def rule_of_thumb(
    p: Problem, mix: FloatArray, tax_deferred: NDArray[np.bool_], tax_free: NDArray[np.bool_]
) -> FloatArray:
    """The guide's placement of ``mix``; ``tax_deferred``/``tax_free`` flag accounts (K,)."""
    allowed = p.upper > 0
    drag = p.tax_rate * p.mu
    # stable sorts: ties keep class order (finite values: NaN cannot reach a Problem)
    by_drag_desc = np.argsort(-drag, kind="stable").tolist()
    by_return_desc = np.argsort(-p.mu, kind="stable").tolist()
    by_drag_asc = np.argsort(drag, kind="stable").tolist()
    remaining = mix.astype(float).tolist()
    held = [[0.0] * p.n for _ in range(p.k)]
    caps = p.budgets.astype(float).tolist()
    ok = allowed.tolist()
    passes = (
        (tax_deferred, by_drag_desc),
        (tax_free, by_return_desc),
        (~(tax_deferred | tax_free), by_drag_asc),
    )
    for group, order in passes:
        for k in np.flatnonzero(group).tolist():
            caps[k] = _fill(held, remaining, k, caps[k], order, ok)
    x = np.array(held, dtype=float).reshape(p.k, p.n)
    for k in np.flatnonzero(np.array(caps) > 1e-15).tolist():  # menus left room: fill with allowed
        w = allowed[k].astype(float)
        x[k] += caps[k] * w / w.sum()
    return x

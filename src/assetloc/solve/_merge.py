"""Merge interchangeable accounts before solving, and split the answer back exactly.

Accounts with the same τ row, the same classes open to them (the menu, less any class a bound
holds at zero), the same mix weight and no other account bounds are
interchangeable: any split of a group's holdings between them is feasible and gives the
same exposures. Solving over groups (one budget each, the sum of its accounts') is exact:

* stage 1 depends only on the exposures, so it may merge tax-free with other accounts;
* stage 2's rule is preserved when groups do not mix tax-free and other accounts: the
  tax-free return is a sum over groups, and Σ_k x[k,i]²/a[k] over a group is minimized by the
  pro-rata split, where it equals y[g,i]²/a[g] — the same rule one level up.

So the answer for a group is split pro rata to its accounts' after-tax balances.
"""

from __future__ import annotations

import numpy as np

from assetloc.model.problem import Problem
from assetloc.solve._kernels import must_stand_alone, pooled_accounts, split_groups
from assetloc.types import FloatArray


def partition(p: Problem, tax_free: np.ndarray) -> tuple[list[list[int]], list[list[int]]]:
    """Groups of interchangeable accounts, in first-appearance order: for stage 1 (tax-free
    and other accounts together) and for the tie-break rule (``tax_free`` (K,) apart)."""
    alone = must_stand_alone(p.lower, p.upper, p.budgets).tolist()
    allowed = p.upper > 0  # the menu less any class held at zero by a bound (max = 0)
    weights = p.mix_weights.tolist()
    free = tax_free.tolist()
    coarse: dict[tuple[object, ...], list[int]] = {}
    fine: dict[tuple[object, ...], list[int]] = {}
    for k in range(p.k):
        # τ > 0, so byte equality is float equality (no signed zeros)
        key = ("alone", k) if alone[k] else (p.tau[k].tobytes(), allowed[k].tobytes(), weights[k])
        coarse.setdefault(key, []).append(k)
        fine.setdefault((key, free[k]), []).append(k)
    return list(coarse.values()), list(fine.values())


def merged(p: Problem, parts: list[list[int]]) -> Problem:
    """``p`` with each group of accounts as one account (same wealth F, same views)."""
    if len(parts) == p.k:
        return p
    first = np.array([g[0] for g in parts])  # each group's first account
    budgets, tau, lower, upper, weights = pooled_accounts(
        group_index(parts, p.k), first, p.budgets, p.tau, p.lower, p.upper, p.mix_weights
    )
    return p.with_accounts(
        budgets,
        account_ids=tuple(["+".join([p.account_ids[k] for k in g]) for g in parts]),
        account_types=tuple([p.account_types[g[0]] for g in parts]),
        tau=tau,
        lower=lower,
        upper=upper,
        mix_weights=weights,
        menu=None if p.menu is None else p.menu[first],
    )


def spread(p: Problem, parts: list[list[int]], y: FloatArray) -> FloatArray:
    """Holdings per account (K, n) from holdings per group (G, n), pro rata."""
    no_tax_free = np.zeros(p.k, dtype=bool)  # the split rule with nothing to fill first
    return split_groups(y, group_index(parts, p.k), no_tax_free, p.budgets, p.mu, 0.0)


def group_index(parts: list[list[int]], k: int) -> np.ndarray:
    """The group of each of the ``k`` accounts, shape (K,)."""
    group_of = [0] * k
    for g, members in enumerate(parts):
        for member in members:
            group_of[member] = g
    return np.array(group_of, dtype=np.int64)

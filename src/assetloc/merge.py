"""Merge interchangeable accounts before solving, and split the answer back exactly.

Accounts with the same τ row, the same menu, the same mix weight and no account bounds are
interchangeable: any split of a group's holdings between them is feasible and gives the
same exposures. Solving over groups (one budget each, the sum of its accounts') is exact:

* stage 1 depends only on the exposures, so it may merge tax-free with other accounts;
* stage 2's rule is preserved when groups do not mix tax-free and other accounts: the
  tax-free return is a sum over groups, and Σ_k x[k,i]²/a[k] over a group is minimized by the
  pro-rata split, where it equals y[g,i]²/a[g] — the same rule one level up.

So the answer for a group is split pro rata to its accounts' after-tax balances.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from assetloc.assumptions import FloatArray
from assetloc.problem import Problem


def groups(p: Problem, tax_free: np.ndarray | None = None) -> list[list[int]]:
    """Accounts that can be merged, in first-appearance order (``tax_free`` splits them)."""
    bounded = (p.lower > 0).any(axis=1) | ((p.upper > 0) & (p.upper < p.budgets[:, None])).any(
        axis=1
    )
    alone = bounded | (p.budgets <= 0)
    allowed = p.upper > 0 if p.menu is None else p.menu
    out: dict[tuple[object, ...], list[int]] = {}
    for k in range(p.k):
        key: tuple[object, ...] = (
            ("alone", k)
            if alone[k]
            else (
                p.tau[k].tobytes(),  # exact equality, as floats (τ > 0: no signed zeros)
                allowed[k].tobytes(),
                float(p.mix_weights[k]),
                bool(tax_free[k]) if tax_free is not None else False,
            )
        )
        out.setdefault(key, []).append(k)
    return list(out.values())


def merged(p: Problem, parts: list[list[int]]) -> Problem:
    """``p`` with each group of accounts as one account (same wealth F, same views)."""
    budgets = np.array([p.budgets[g].sum() for g in parts])
    first = [g[0] for g in parts]
    upper = np.where(p.upper[first] > 0, budgets[:, None], 0.0)
    alone = [len(g) == 1 for g in parts]
    upper[alone] = p.upper[first][alone]  # a single account keeps its own bounds
    return dataclasses.replace(
        p,
        account_ids=tuple("+".join(p.account_ids[k] for k in g) for g in parts),
        account_types=tuple(p.account_types[g[0]] for g in parts),
        balances=budgets * p.wealth,
        value_factor=np.ones(len(parts)),
        tau=p.tau[first],
        lower=p.lower[first],
        upper=upper,
        mix_weights=p.mix_weights[first],
        menu=None if p.menu is None else p.menu[first],
    )


def spread(p: Problem, parts: list[list[int]], y: FloatArray) -> FloatArray:
    """Holdings per account (K, n) from holdings per group (G, n), pro rata."""
    x = np.zeros((p.k, p.n))
    budgets = p.budgets
    for g, members in enumerate(parts):
        total = budgets[members].sum()
        for k in members:
            x[k] = y[g] * (budgets[k] / total if total > 0 else 0.0)
    return x

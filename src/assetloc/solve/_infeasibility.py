"""Say which constraints conflict when a problem has no feasible allocation.

The constraints are grouped by what a user wrote (an account's budget, its menu, its
bounds, a household bound, the fixed mix, a target). A deletion filter (Chinneck) drops each
group in turn and keeps it out while the rest stays infeasible; what remains is a minimal
set of groups that cannot hold together. Each feasibility test is an LP solved by HiGHS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assetloc.model.problem import Problem
from assetloc.types import FloatArray, ObjectiveKind


@dataclass
class _Group:
    name: str
    rows: list[tuple[FloatArray, float, float]] = field(default_factory=list)
    upper: dict[int, float] = field(default_factory=dict)  # variable index -> upper bound
    lower: dict[int, float] = field(default_factory=dict)


def _groups(p: Problem) -> list[_Group]:
    n, k = p.n, p.k
    nv = n * k
    budgets = p.budgets
    ids = p.market.ids
    out: list[_Group] = []
    for kk, acc in enumerate(p.account_ids):
        g = _Group(f"budget of account {acc!r} (holds {budgets[kk]:.4g} of after-tax wealth)")
        row = np.zeros(nv)
        row[kk * n : (kk + 1) * n] = 1.0
        g.rows.append((row, float(budgets[kk]), float(budgets[kk])))
        out.append(g)
        menu = _Group(f"menu of account {acc!r}")
        bounds = _Group(f"bounds of account {acc!r}")
        on_menu = p.menu[kk] if p.menu is not None else p.upper[kk] > 0
        for i in range(n):
            j = kk * n + i
            if not on_menu[i] and budgets[kk] > 0:
                menu.upper[j] = 0.0
            elif p.upper[kk, i] < budgets[kk]:
                bounds.upper[j] = float(p.upper[kk, i])
            if p.lower[kk, i] > 0:
                bounds.lower[j] = float(p.lower[kk, i])
        out += [g2 for g2 in (menu, bounds) if g2.upper or g2.lower]
    for i in range(n):
        if p.class_lower[i] > 0 or p.class_upper[i] < 1:
            row = np.zeros(nv)
            row[i::n] = 1.0
            g = _Group(
                f"household bound on {ids[i]} [{p.class_lower[i]:.4g}, {p.class_upper[i]:.4g}]"
            )
            g.rows.append((row, float(p.class_lower[i]), float(p.class_upper[i])))
            out.append(g)
    if p.mix is not None:
        for i in range(n):
            row = np.zeros(nv)
            row[i::n] = p.mix_weights
            g = _Group(f"fixed mix {ids[i]} = {p.mix[i]:.4g}")
            g.rows.append((row, float(p.mix[i]), float(p.mix[i])))
            out.append(g)
    if p.kind == ObjectiveKind.TARGET_RETURN:
        target = p.required_target()
        view = p.view()
        row = np.zeros(nv)
        for kk in range(k):
            row[kk * n : (kk + 1) * n] = view.scale * p.tau[kk] * p.mu
        const = float(p.mu @ view.offset)
        g = _Group(f"target return {target:.4g} (after tax, {view.name} view)")
        g.rows.append((row, target - const, np.inf))
        out.append(g)
    return out


def _feasible(groups: list[_Group], nv: int) -> bool:
    lb = np.zeros(nv)
    ub = np.full(nv, np.inf)
    a_ub: list[FloatArray] = []
    b_ub: list[float] = []
    a_eq: list[FloatArray] = []
    b_eq: list[float] = []
    for g in groups:
        for j, u in g.upper.items():
            ub[j] = min(ub[j], u)
        for j, lo in g.lower.items():
            lb[j] = max(lb[j], lo)
        for row, lo_r, hi_r in g.rows:
            if lo_r == hi_r:
                a_eq.append(row)
                b_eq.append(lo_r)
                continue
            if np.isfinite(hi_r):
                a_ub.append(row)
                b_ub.append(hi_r)
            if np.isfinite(lo_r) and lo_r > -np.inf:
                a_ub.append(-row)
                b_ub.append(-lo_r)
    if np.any(lb > ub + 1e-12):
        return False
    from scipy.optimize import linprog  # diagnosis only: scipy.optimize is slow to import

    res = linprog(
        np.zeros(nv),
        A_ub=np.array(a_ub) if a_ub else None,
        b_ub=np.array(b_ub) if b_ub else None,
        A_eq=np.array(a_eq) if a_eq else None,
        b_eq=np.array(b_eq) if b_eq else None,
        bounds=np.column_stack([lb, ub]),
        method="highs",
    )
    return bool(res.status == 0)


def diagnose(p: Problem) -> list[str]:
    """Names of a minimal set of constraint groups that cannot all hold."""
    groups = _groups(p)
    nv = p.n * p.k
    if _feasible(groups, nv):
        if p.kind == ObjectiveKind.TARGET_VOLATILITY:
            return [
                f"target volatility {p.target:.4g} is below the least volatility the "
                "other constraints allow"
            ]
        return ["the solver reported infeasibility, but an LP check finds a feasible point"]
    keep = list(groups)
    for g in groups:
        trial = [h for h in keep if h is not g]
        if not _feasible(trial, nv):
            keep = trial
    return [g.name for g in keep]

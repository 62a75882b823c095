"""The frontier sweep: least-variance holdings at each return target, in one view.

Each point is a QP solved by the same solver as the optimizer, over the same accounts,
menus and bounds, on the merged problem (points depend on exposures only, so
interchangeable accounts are one). The QP is assembled once: between points only the
return target (the lower bound of one row) changes, and DAQP starts each point from the
previous one's active set (:class:`~assetloc.solve._qp.WarmRowQP`; ``warm=False`` solves
every point from scratch, as a check). Returns decimals per year, after tax.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assetloc.errors import InfeasibleError, InputError
from assetloc.model.problem import Problem, View
from assetloc.solve._constraints import constraints, exposure_map, variables
from assetloc.solve._infeasibility import diagnose
from assetloc.solve._merge import merged, partition
from assetloc.solve._qp import Constraints, WarmRowQP
from assetloc.solve._solver import (
    QP_PROX,
    Infeasible,
    max_return,
    min_variance,
    return_row,
    solve_stage1,
)
from assetloc.types import FloatArray, ObjectiveKind
from assetloc.types import View as ViewName

__all__ = ["FrontierSweep", "frontier_sweep"]


@dataclass(frozen=True)
class FrontierSweep:
    """Holdings of the merged problem along one view's frontier.

    ``exposure`` maps merged holdings to class exposures (n × variables); ``holdings`` are
    the points from least variance to greatest return; ``optimum`` the utility optimum of
    the view (exact, not read off the grid). ``problem`` is the released problem (a fixed
    mix or target becomes mean-variance, so the frontier spans every allocation).
    """

    problem: Problem
    view: View
    exposure: FloatArray
    holdings: tuple[FloatArray, ...]
    optimum: FloatArray


def least_variance_sweep(p: Problem, m: FloatArray, c: Constraints, view: View) -> WarmRowQP:
    """Least V_view under ``c`` and E_view >= r, set up once for many targets r: the QP of
    :func:`~assetloc.solve._solver.min_variance` (the same scaling and proximal weight) with
    the target row's bound E_view − constant left to each solve."""
    s, c0 = view.scale, view.offset
    h = s * s * (m.T @ p.cov @ m)
    f = s * (m.T @ (p.cov @ c0))
    scale = float(h.diagonal().max(initial=0.0)) or 1.0
    row, _ = return_row(p, m, view)
    return WarmRowQP(h / scale, f / scale, c, row, "least variance", eps_prox=QP_PROX)


def frontier_sweep(
    p: Problem, view_name: str, points: int = 50, *, warm: bool = True
) -> FrontierSweep:
    """Sweep ``points`` return targets of ``p``'s frontier in ``view_name``.

    ``warm``: re-solve one assembled QP from point to point (default); False solves each
    point from scratch (the same points to solver tolerance; for tests and benchmarks).

    Raises :class:`~assetloc.errors.InputError` when ``points < 2`` and
    :class:`~assetloc.errors.InfeasibleError` when the constraints conflict.
    """
    if points < 2:
        raise InputError("points", f"must be at least 2, got {points}")
    free = p.released()
    view = free.view(view_name)
    pooled = merged(free, partition(free, np.zeros(free.k, dtype=bool))[0])
    cols = variables(pooled)
    m = exposure_map(pooled, cols)
    c = constraints(pooled, cols)
    try:
        x_lo = min_variance(free, m, c, view, None)
        x_hi = max_return(free, m, c, view)
        row = view.scale * (free.mu @ m)
        const = float(free.mu @ view.offset)
        e_lo, e_hi = float(row @ x_lo) + const, float(row @ x_hi) + const
        xs = [x_lo]
        targets = [float(r) for r in np.linspace(e_lo, e_hi, points)[1:]]
        if warm:
            sweep = least_variance_sweep(free, m, c, view)
            xs += [sweep.solve(r - const) for r in targets]
        else:
            xs += [min_variance(free, m, c, view, r) for r in targets]
        crra = p.kind == ObjectiveKind.CRRA
        opt_problem = free.with_objective(
            ObjectiveKind.CRRA if crra else ObjectiveKind.MEAN_VARIANCE, context=ViewName(view_name)
        )
        x_opt = solve_stage1(opt_problem, m, c, view)
    except Infeasible:
        raise InfeasibleError(diagnose(free)) from None
    return FrontierSweep(free, view, m, tuple(xs), x_opt)

"""The QP layer: solve a :class:`~assetloc.model.problem.Problem`, or sweep its frontier.

Everything else here is private (``_solver``, ``_qp``, ``_constraints``, ``_merge``,
``_infeasibility``, ``_kernels``, ``_tie_break``); :mod:`assetloc.solve.highs` makes a
silent HiGHS solver for the rebalancer's LPs. :func:`portfolio_moments` (E and V of the
portfolio of holdings, in a view) is the solver's kernel that the plan's metrics use.
"""

from assetloc.solve._frontier import FrontierSweep, frontier_sweep
from assetloc.solve._kernels import portfolio_moments
from assetloc.solve._solver import Solution, solve, solve_steps

__all__ = [
    "FrontierSweep",
    "Solution",
    "frontier_sweep",
    "portfolio_moments",
    "solve",
    "solve_steps",
]

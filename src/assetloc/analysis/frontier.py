"""The after-tax efficient frontier in the financial and the net-worth view.

For each view, the least-variance portfolio at each return target between the
least-variance point and the greatest-return point (each a QP solved by the same solver as
the optimizer, over the same accounts, menus and bounds; a fixed mix is released so that the
frontier spans every allocation). The optimum of the household's utility in that view, and
the indifference curve through it, come with it. Decimals per year, after tax.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

from assetloc.analysis.plan import metrics
from assetloc.inputs.household import Household
from assetloc.model.problem import Problem, View, build_problem
from assetloc.solve import frontier_sweep
from assetloc.types import FloatArray

VIEWS = ("financial", "net_worth")

#: A utility u(E, V) of expected return and variance (decimals per year).
Utility = Callable[[float, float], float]


@dataclass(frozen=True)
class Point:
    """A portfolio's after-tax expected return, volatility and utility (decimals)."""

    expected_return: float
    volatility: float
    utility: float

    def to_dict(self) -> dict[str, float]:
        """Plain floats."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Frontier:
    """One view's frontier, its utility optimum, indifference curve and the chosen plan."""

    view: str
    points: tuple[Point, ...]
    optimum: Point
    indifference: tuple[tuple[float, float], ...]  # (volatility, expected_return)
    chosen: Point | None = None  # the household's optimized plan seen in this view

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "view": self.view,
            "points": [p.to_dict() for p in self.points],
            "optimum": self.optimum.to_dict(),
            "indifference": [
                {"volatility": sd, "expected_return": er} for sd, er in self.indifference
            ],
            "chosen": None if self.chosen is None else self.chosen.to_dict(),
        }


def _utility_fn(p: Problem) -> Utility:
    return p.utility


def _point(p: Problem, m: FloatArray, view: View, x: FloatArray, u: Utility) -> Point:
    z = view.portfolio(m @ x)
    er, var = float(p.mu @ z), float(z @ p.cov @ z)
    return Point(er, float(np.sqrt(max(var, 0.0))), float(u(er, var)))


def _indifference(
    opt: Point, u: Utility, sd_max: float, n: int = 60
) -> tuple[tuple[float, float], ...]:
    """E(SD) with u(E, SD²) = u* (solved per SD by Brent's method)."""
    out = []
    for sd in np.linspace(0.0, sd_max, n):
        var = float(sd * sd)

        def f(e: float, var: float = var) -> float:
            return u(e, var) - opt.utility

        lo, hi = opt.expected_return - 1.0, opt.expected_return + 1.0
        f_lo, f_hi = f(lo), f(hi)
        if not (np.isfinite(f_lo) and np.isfinite(f_hi)) or f_lo * f_hi > 0:
            continue
        out.append((float(sd), float(brentq(f, lo, hi, xtol=1e-12))))
    return tuple(out)


def view_frontier(p: Problem, view_name: str, points: int = 50) -> Frontier:
    """The frontier of ``p`` in one view, with ``points`` return targets."""
    sweep = frontier_sweep(p, view_name, points)
    u = _utility_fn(p)
    free, view, m = sweep.problem, sweep.view, sweep.exposure
    pts = tuple(_point(free, m, view, x, u) for x in sweep.holdings)
    opt = _point(free, m, view, sweep.optimum, u)
    sd_max = max(pt.volatility for pt in pts) * 1.05
    return Frontier(
        view=view_name,
        points=pts,
        optimum=opt,
        indifference=_indifference(opt, u, sd_max),
    )


def frontiers(
    h: Household, points: int = 50, chosen_x: FloatArray | None = None
) -> dict[str, Frontier]:
    """Frontiers in both views (the net-worth one only when H or L are given)."""
    p = build_problem(h)
    names = VIEWS if p.has_net_worth else ("financial",)
    out = {}
    for name in names:
        f = view_frontier(p, name, points)
        if chosen_x is not None:
            mt = metrics(p, chosen_x, name)
            u = _utility_fn(p)
            z = p.view(name).portfolio(p.exposure(chosen_x))
            chosen = Point(
                mt.expected_return,
                mt.volatility,
                float(u(mt.expected_return, float(z @ p.cov @ z))),
            )
            f = dataclasses.replace(f, chosen=chosen)
        out[name] = f
    return out

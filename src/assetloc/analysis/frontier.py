"""The after-tax efficient frontier in the financial and the net-worth view.

For each view, the least-variance portfolio at each return target between the
least-variance point and the greatest-return point (each a QP solved by the same solver as
the optimizer, over the same accounts, menus and bounds; a fixed mix is released so that the
frontier spans every allocation). The optimum of the household's utility in that view, and
the indifference curve through it, come with it. Decimals per year, after tax.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from assetloc.analysis.plan import metrics
from assetloc.errors import InputError
from assetloc.inputs.household import Household
from assetloc.model.problem import Problem, View, build_problem
from assetloc.solve import frontier_sweep
from assetloc.types import FloatArray
from assetloc.units import pct

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from assetloc.analysis.compare import Comparison

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

    def to_frame(self) -> pd.DataFrame:
        """The frontier's points: expected return, volatility, utility (decimals per year)."""
        import pandas as pd

        return pd.DataFrame(
            [dataclasses.asdict(pt) for pt in self.points],
            columns=["expected_return", "volatility", "utility"],
        )

    def __repr__(self) -> str:
        """One line: the view, the number of points and the optimum."""
        o = self.optimum
        return (
            f"<Frontier {self.view} view, {len(self.points)} points; optimum "
            f"E {pct(o.expected_return)}, SD {pct(o.volatility)}, U {pct(o.utility)}>"
        )

    def summary(self) -> str:
        """The optimum, the range spanned, and where the household's plan sits."""
        lo, hi = self.points[0], self.points[-1]
        lines = [
            repr(self),
            f"  from E {pct(lo.expected_return)} at SD {pct(lo.volatility)} "
            f"to E {pct(hi.expected_return)} at SD {pct(hi.volatility)}",
        ]
        if self.chosen is not None:
            c = self.chosen
            lines.append(
                f"  the household's plan: E {pct(c.expected_return)}, SD {pct(c.volatility)}, "
                f"U {pct(c.utility)}"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The points as a small table (percent per year) for notebooks."""
        style = self.to_frame().style.format(pct)
        return str(style.set_caption(repr(self)).to_html())

    def plot(self, ax: Axes | None = None) -> Axes:
        """The frontier, its optimum and indifference curve (a new figure without ``ax``)."""
        from assetloc.present import charts

        return charts.plot_frontier(self, ax)


@dataclass(frozen=True)
class Frontiers(Mapping[str, Frontier]):
    """The frontier in each view of one household (a mapping view name → :class:`Frontier`).

    ``context`` is the view the optimizer used; ``fixed_mix`` is True when the household
    places a fixed mix (each frontier's optimum then releases the mix).
    """

    views: dict[str, Frontier]
    context: str = "financial"
    fixed_mix: bool = False

    def __getitem__(self, view: str) -> Frontier:
        """The frontier of ``view``; an unknown view raises :class:`InputError`."""
        if view not in self.views:
            known = ", ".join(self.views)
            raise InputError("view", f"no frontier in the {view!r} view; known: {known}")
        return self.views[view]

    def __iter__(self) -> Iterator[str]:
        """View names, financial first."""
        return iter(self.views)

    def __len__(self) -> int:
        """Number of views."""
        return len(self.views)

    def to_dict(self) -> dict[str, Any]:
        """View name → :meth:`Frontier.to_dict`."""
        return {name: f.to_dict() for name, f in self.views.items()}

    def to_frame(self) -> pd.DataFrame:
        """Every view's points in one long table with a ``view`` column."""
        import pandas as pd

        return pd.concat(
            [f.to_frame().assign(view=name) for name, f in self.views.items()], ignore_index=True
        )

    def __repr__(self) -> str:
        """One line per view."""
        inner = "; ".join(repr(f).strip("<>") for f in self.views.values())
        return f"<Frontiers (optimized view: {self.context}): {inner}>"

    def summary(self) -> str:
        """Each view's summary."""
        return "\n".join(f.summary() for f in self.views.values())

    def _repr_html_(self) -> str:
        """Each view's optimum and chosen plan in one small table for notebooks."""
        import pandas as pd

        rows = {}
        for name, f in self.views.items():
            rows[(name, "optimum")] = dataclasses.asdict(f.optimum)
            if f.chosen is not None:
                rows[(name, "household's plan")] = dataclasses.asdict(f.chosen)
        frame = pd.DataFrame.from_dict(rows, orient="index")
        return str(frame.style.format(pct).set_caption(repr(self)).to_html())

    def plot(self, ax: Axes | None = None, comparison: Comparison | None = None) -> Axes:
        """Every view side by side on shared axes (a new figure), or the optimized view on
        ``ax``; ``comparison`` marks each method's portfolio. Returns the optimized view's axes.
        """
        from assetloc.present import charts

        return charts.plot_frontiers(self, ax, comparison=comparison)


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
    from scipy.optimize import brentq

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


def frontiers(h: Household, points: int = 50, chosen_x: FloatArray | None = None) -> Frontiers:
    """Frontiers in both views (the net-worth one only when H or L are given).

    ``chosen_x`` (the plan's holdings, shares of F) marks where the household's plan sits.
    """
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
    return Frontiers(views=out, context=p.context, fixed_mix=p.kind == "fixed_mix")

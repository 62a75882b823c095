"""Kaplan Part III's methods side by side (DESIGN.md §3).

* ``joint``: the optimizer (allocation and location together, after tax).
* ``duplicate``: the joint household mix held identically in every account.
* ``separate``: each account optimized alone as if it were the household's whole financial
  wealth (human capital and liabilities scaled by its share), the guide's common mistake.
* ``two_step``: the mix chosen ignoring tax (every τ = 1), then placed to maximize the
  after-tax objective (a fixed-mix optimization).
* ``rule_of_thumb``: the joint household mix placed by the guide's rule.

Each is reported in both views (financial assets; net worth when H or L exist) with E, SD,
utility and Sharpe ratio (after tax, decimals per year) and its holdings by account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from assetloc.analysis.baselines import duplicate, rule_of_thumb
from assetloc.analysis.optimize import optimize, tax_flags
from assetloc.analysis.plan import Metrics, Plan, metrics
from assetloc.errors import AssetlocError, InputError
from assetloc.inputs.household import Household, NetWorthItem
from assetloc.model.problem import Problem, build_problem
from assetloc.solve import solve
from assetloc.types import FloatArray, ObjectiveKind
from assetloc.units import bp, pct

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

METHODS = ("joint", "duplicate", "separate", "two_step", "rule_of_thumb")


@dataclass(frozen=True)
class MethodResult:
    """One method's holdings (shares of F, (K, n)) and metrics per view, or why it failed."""

    name: str
    x: FloatArray | None
    metrics: dict[str, Metrics]
    error: str | None = None


@dataclass(frozen=True)
class Comparison:
    """All methods for one household."""

    problem: Problem
    methods: tuple[MethodResult, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The methods' names, in order."""
        return tuple(r.name for r in self.methods)

    @property
    def views(self) -> tuple[str, ...]:
        """The views any method has metrics in (``financial``, then ``net_worth``)."""
        return tuple(
            v for v in ("financial", "net_worth") if any(v in r.metrics for r in self.methods)
        )

    def method(self, name: str) -> MethodResult:
        """The result of method ``name``; an unknown name raises :class:`InputError`."""
        for r in self.methods:
            if r.name == name:
                return r
        raise InputError("method", f"unknown method {name!r}; known: {', '.join(self.names)}")

    def improvement_bp(self, name: str, over: str = "duplicate", view: str | None = None) -> float:
        """Utility of ``name`` minus that of ``over`` in ``view`` (default: the optimized
        one), basis points a year; a method without metrics there raises :class:`InputError`."""
        view = view or self.problem.context
        a, b = self.method(name).metrics.get(view), self.method(over).metrics.get(view)
        if a is None or b is None:
            missing = name if a is None else over
            raise InputError("method", f"{missing!r} has no metrics in the {view} view")
        return 1e4 * (a.utility - b.utility)

    def to_frame(self) -> pd.DataFrame:
        """One row per method; columns (view, metric): E, SD, U, Sharpe (decimals per year)."""
        import pandas as pd

        keys = ("expected_return", "volatility", "utility", "sharpe")
        cols = pd.MultiIndex.from_tuples([(v, k) for v in self.views for k in keys])
        rows = [
            [
                getattr(r.metrics[v], k) if v in r.metrics else float("nan")
                for v in self.views
                for k in keys
            ]
            for r in self.methods
        ]
        frame = pd.DataFrame(rows, index=list(self.names), columns=cols, dtype=float)
        frame.index.name = "method"
        return frame

    def __repr__(self) -> str:
        """One line: the methods, and the joint method's gain over duplicate."""
        ctx = self.problem.context
        gain = ""
        if {"joint", "duplicate"} <= set(self.names):
            try:
                gain = f"; joint vs duplicate U {bp(self.improvement_bp('joint'))}/yr"
            except InputError:
                gain = ""
        return f"<Comparison of {len(self.methods)} methods in the {ctx} view{gain}>"

    def summary(self) -> str:
        """One line per method: E, SD, U in each view (after tax, per year), or why it failed."""
        lines = [repr(self)]
        for r in self.methods:
            if r.error is not None:
                lines.append(f"  {r.name:<14} not available: {r.error}")
                continue
            cells = "; ".join(
                f"{v}: E {pct(m.expected_return)}, SD {pct(m.volatility)}, U {pct(m.utility)}"
                for v, m in r.metrics.items()
            )
            lines.append(f"  {r.name:<14} {cells}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The metrics table (percent per year) for notebooks."""
        frame = self.to_frame()
        sharpe = [c for c in frame.columns if c[1] == "sharpe"]
        style = frame.style.format(pct, na_rep="–").format("{:.3f}", subset=sharpe, na_rep="–")
        return str(style.set_caption(repr(self)).to_html())

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each method's E against SD (a new figure with the utility gains without ``ax``)."""
        from assetloc.present import charts

        return charts.plot_comparison(self, ax)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: metrics per view and holdings in each account's own dollars."""
        p = self.problem
        out = []
        for r in self.methods:
            d: dict[str, Any] = {"name": r.name}
            if r.error is not None:
                d["error"] = r.error
            for view, mt in r.metrics.items():
                d[view] = mt.to_dict()
            if r.x is not None:
                dollars = p.dollars(r.x)
                d["accounts"] = [
                    {
                        "id": p.account_ids[k],
                        "holdings": dict(zip(p.market.ids, map(float, dollars[k]), strict=True)),
                    }
                    for k in range(p.k)
                ]
            out.append(d)
        return {"context": p.context, "methods": out}


def _scaled(item: NetWorthItem, share: float) -> NetWorthItem:
    if item.present_value is not None:
        return item.model_copy(update={"present_value": item.present_value * share})
    if item.cash_flows is None:
        raise InputError(item.id, "give present_value or cash_flows (not both)")
    cf = item.cash_flows.model_copy(update={"annual_amount": item.cash_flows.annual_amount * share})
    return item.model_copy(update={"cash_flows": cf})


def separate(h: Household, p: Problem) -> FloatArray:
    """Each account optimized on its own; x in shares of the household's F."""
    x = np.zeros((p.k, p.n))
    for k, acc in enumerate(h.accounts):
        share = float(p.budgets[k])
        if share <= 0:
            continue
        update: dict[str, Any] = {"accounts": [acc]}
        if h.human_capital is not None:
            update["human_capital"] = _scaled(h.human_capital, share)
        update["liabilities"] = [_scaled(item, share) for item in h.liabilities]
        sub = h.model_copy(update=update)
        plan = optimize(sub)
        cols = [plan.problem.market.ids.index(c) for c in p.market.ids]
        x[k] = plan.x[0, cols] * share
    return x


def two_step(h: Household, p: Problem) -> FloatArray:
    """Mix chosen ignoring tax, then placed after tax."""
    _, free = tax_flags(h)
    mix = solve(p.tax_blind(), tax_free=free).x.sum(axis=0)
    # Placement keeps the household's utility: CRRA stays CRRA, others place by U = E - A/2 V.
    crra = p.kind == ObjectiveKind.CRRA
    placed = p.with_objective(ObjectiveKind.CRRA if crra else ObjectiveKind.FIXED_MIX, mix=mix)
    return solve(placed, tax_free=free).x


def compare(h: Household, plan: Plan | None = None) -> Comparison:
    """Run every method; a method that cannot be solved is reported with its reason."""
    plan = plan or optimize(h)
    p = plan.problem
    deferred, free = tax_flags(h)
    views = ("financial", "net_worth") if p.has_net_worth else ("financial",)
    builders: dict[str, Callable[[], FloatArray]] = {
        "joint": lambda: plan.x,
        "duplicate": lambda: duplicate(p, plan.weights),
        "separate": lambda: separate(h, build_problem(h)),
        "two_step": lambda: two_step(h, p),
        "rule_of_thumb": lambda: rule_of_thumb(p, plan.weights, deferred, free),
    }
    results = []
    for name in METHODS:
        try:
            x = builders[name]()
        except AssetlocError as err:
            results.append(MethodResult(name, None, {}, error=str(err)))
            continue
        results.append(MethodResult(name, x, {v: metrics(p, x, v) for v in views}))
    return Comparison(problem=p, methods=tuple(results))

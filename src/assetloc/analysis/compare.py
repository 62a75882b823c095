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
from typing import Any

import numpy as np

from assetloc.analysis.baselines import duplicate, rule_of_thumb
from assetloc.analysis.optimize import optimize, tax_flags
from assetloc.analysis.plan import Metrics, Plan, metrics
from assetloc.errors import AssetlocError, InputError
from assetloc.inputs.household import Household, NetWorthItem
from assetloc.model.problem import Problem, build_problem
from assetloc.solve import solve
from assetloc.types import FloatArray, ObjectiveKind

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
        "duplicate": lambda: duplicate(p, plan.mix),
        "separate": lambda: separate(h, build_problem(h)),
        "two_step": lambda: two_step(h, p),
        "rule_of_thumb": lambda: rule_of_thumb(p, plan.mix, deferred, free),
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

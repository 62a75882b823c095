"""The public entry point: household → problem → solver → plan."""

from __future__ import annotations

from typing import Any

import numpy as np

from assetloc.analysis.baselines import duplicate, rule_of_thumb
from assetloc.analysis.concentration import concentration_notes
from assetloc.analysis.plan import Baseline, Plan, metrics
from assetloc.inputs.household import Household
from assetloc.market.assumptions import MarketAssumptions
from assetloc.market.reference import preset_reference
from assetloc.model.problem import Problem, build_problem
from assetloc.solve import solve_steps
from assetloc.steps import Steps, run
from assetloc.tax.classes import is_tax_deferred, is_tax_free

TIE_BREAK_RULE = (
    "Accounts that are interchangeable per after-tax dollar are split by a fixed rule: "
    "tax-free accounts (Roth, tax-free HSA) take the classes with the highest expected "
    "return first; the rest is split across interchangeable accounts pro rata to their "
    "after-tax balances."
)


TIE_BREAK_FAILED = (
    "The tie-break rule could not be applied numerically to this household: the holdings "
    "are one optimal solution (same after-tax exposures and utility), not necessarily the "
    "one the rule would pick."
)


def tax_flags(h: Household) -> tuple[np.ndarray, np.ndarray]:
    """Which accounts are tax-deferred and which tax-free, shape (K,) each."""
    deferred = np.array([is_tax_deferred(a.type, h.options) for a in h.accounts])
    free = np.array([is_tax_free(a.type, h.options) for a in h.accounts])
    return deferred, free


def assumptions_summary(h: Household, p: Problem) -> dict[str, Any]:
    """Every assumption behind a result, for output (rates as decimals)."""
    m = p.market
    prof = p.taxes.profile
    return {
        "preset": m.name,
        "source": m.source,
        "date": m.date,
        "notes": list(m.notes),
        "cash_rate": m.cash_rate,
        "ordinary_rate": prof.ordinary,
        "capital_gains_rate": prof.long_term,
        "qualified_dividend_rate": prof.qualified,
        "retirement_rate": prof.withdrawal,
        "rates": prof.rates(),
        "horizon_years": h.investor.horizon_years,
        "liquidation": h.investor.liquidation,
        "tax_deferred_basis": h.options.tax_deferred_basis,
        "taxable_value": h.options.taxable_value,
        "hsa_treatment": h.options.hsa_treatment,
        "objective": h.objective.kind,
        "risk_aversion": p.risk_aversion,
        "risk_tolerance": p.risk_tolerance,
        "utility": (
            "CRRA, Levy-Markowitz: U = u(1+E) + u''(1+E) SD^2 / 2, "
            f"u(w) = (w^(1-1/theta) - 1)/(1 - 1/theta), theta = {p.risk_tolerance}"
            if p.kind == "crra"
            else f"mean-variance: U = E - (A/2) SD^2, A = {p.risk_aversion:.6g}"
        ),
        "effective_tax_rates": dict(zip(m.ids, map(float, p.tax_rate), strict=True)),
        "effective_tax_rate_origin": dict(zip(m.ids, p.taxes.origin, strict=True)),
        "tax_assumptions": list(p.taxes.assumptions),
        "units": "dollars; returns and rates are decimals per year, after tax unless named",
        "horizon": "one period (Kaplan's single-period mean-variance model)",
        "universe": universe_summary(m),
        "returns": returns_summary(m),
    }


def method_summary(m: MarketAssumptions) -> dict[str, Any]:
    """``market`` (preset, source, date), ``universe`` and ``returns`` of a market, for
    every command's output."""
    return {
        "market": {"preset": m.name, "source": m.source, "date": m.date},
        "universe": universe_summary(m),
        "returns": returns_summary(m),
    }


def universe_summary(m: MarketAssumptions) -> dict[str, Any]:
    """The classes optimized and those left out, with why."""
    held = [c for c, ok in zip(m.ids, m.holdable or (True,) * len(m.ids), strict=True) if ok]
    return {
        "classes": held,
        "excluded": dict(m.excluded),
        "labels": {**dict(zip(m.ids, m.labels, strict=True)), **dict(m.excluded_labels)},
        "rule": m.universe_rule,
    }


def returns_summary(m: MarketAssumptions) -> dict[str, Any]:
    """How the expected returns were made: robust (Black–Litterman) or as stated."""
    if m.robust is None:
        return {
            "method": "as_given",
            "reason": m.returns_reason or "objective.returns = 'as_given'",
            "expected_return": dict(zip(m.ids, map(float, m.expected_return), strict=True)),
        }
    bl = m.robust
    ref = preset_reference(m.name)
    return {
        "method": "robust",
        "model": (
            "Black-Litterman: equilibrium pi = cash + delta Sigma w_ref; views q = the stated "
            "returns with Omega = ((1 - c)/c) diag(tau Sigma); posterior = pi + tau Sigma "
            "(tau Sigma + Omega)^-1 (q - pi)"
        ),
        "view_confidence": bl.confidence,
        "tau": bl.tau,
        "market_risk_aversion": bl.risk_aversion,
        "reference_source": ref.source if ref else "",
        "reference_date": ref.date if ref else "",
        "reference_portfolio": dict(zip(m.ids, map(float, bl.reference), strict=True)),
        "stated": dict(zip(m.ids, map(float, bl.views), strict=True)),
        "equilibrium": dict(zip(m.ids, map(float, bl.equilibrium), strict=True)),
        "expected_return": dict(zip(m.ids, map(float, bl.posterior), strict=True)),
    }


def optimize(h: Household) -> Plan:
    """Jointly choose the household mix and its location across accounts (``joint``).

    Returns a :class:`Plan` with the ``duplicate`` and ``rule_of_thumb`` baselines holding the
    same household mix. Raises :class:`~assetloc.errors.InfeasibleError` (exit 3) when the
    constraints conflict and :class:`~assetloc.errors.InputError` (exit 2) on bad input.
    """
    return run(optimize_steps(h))


def optimize_steps(h: Household) -> Steps[Plan]:
    """:func:`optimize` in stages (:mod:`assetloc.steps`: a batch runs a chunk's in lockstep)."""
    p = build_problem(h)
    deferred, free = tax_flags(h)
    yield
    sol = yield from solve_steps(p, tax_free=free)
    yield
    mix = sol.x.sum(axis=0)
    summary = assumptions_summary(h, p)
    yield
    summary["concentration"] = concentration_notes(
        p.market.name, p.market.ids, p.market.labels, mix
    )
    yield
    baselines = {"duplicate": duplicate(p, mix)}
    yield
    baselines["rule_of_thumb"] = rule_of_thumb(p, mix, deferred, free)
    yield
    return Plan(
        method="joint",
        problem=p,
        x=sol.x,
        metrics=metrics(p, sol.x),
        baselines={n: Baseline(n, x, metrics(p, x)) for n, x in baselines.items()},
        tie_break=TIE_BREAK_RULE if sol.tie_break_applied else TIE_BREAK_FAILED,
        assumptions=summary,
    )

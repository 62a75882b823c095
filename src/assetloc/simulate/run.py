"""``simulate(h)``: the household year by year under each strategy, side by side.

household → the joint plan and the other strategies' holdings (:mod:`.strategies`) →
the scenarios (:mod:`.returns`) → one vectorized engine run per strategy (:mod:`.engine`)
→ :class:`~assetloc.simulate.result.SimulationResult`. Every strategy sees the same
scenarios, cash flows and tax rules. Today's dollars throughout (nominal amounts divided
by (1 + inflation)^t).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from assetloc.errors import InputError
from assetloc.inputs.household import Household
from assetloc.inputs.plan import PlanSettings
from assetloc.model.problem import Problem
from assetloc.simulate.engine import ClassIncome, EngineSpec, describe, run_engine
from assetloc.simulate.lifecycle import Lifecycle, earnings_of, lifecycle
from assetloc.simulate.outcome import StrategyOutcome
from assetloc.simulate.result import SimulationResult
from assetloc.simulate.returns import Scenarios, scenarios
from assetloc.simulate.schedules import rmd_fraction, rmd_start_age
from assetloc.simulate.settings import Timeline, timeline
from assetloc.simulate.strategies import (
    BUDGET_GRID,
    STRATEGIES,
    Replacer,
    account_weights,
    targets,
)
from assetloc.simulate.taxable_lots import DEFAULT_LOTS
from assetloc.simulate.yearly_tax import EngineYearTax, StatedYearTax, YearTax, bracket_index
from assetloc.tax.classes import is_tax_deferred
from assetloc.tax.law import supported_years, year_law
from assetloc.types import FloatArray
from assetloc.units import usd

Progress = Callable[[int, int, str], None]


def resolved_settings(
    h: Household,
    *,
    paths: int | None = None,
    years: int | None = None,
    seed: int | None = None,
    returns: str | None = None,
) -> PlanSettings:
    """The household's ``[plan]`` with the command's overrides, defaults resolved."""
    base = h.plan or PlanSettings()
    update: dict[str, Any] = {}
    if paths is not None:
        update["paths"] = paths
    if years is not None:
        update["years"] = years
        if base.retire_in is not None and base.retire_in > years:
            update["retire_in"] = years
    if seed is not None:
        update["seed"] = seed
    if returns is not None:
        if returns not in ("montecarlo", "bootstrap", "deterministic"):
            raise InputError(
                "returns", f"must be montecarlo, bootstrap or deterministic, got {returns!r}"
            )
        update["returns"] = returns
    raw = base.model_copy(update=update)
    return raw.resolved(h.investor.age)


def class_income(p: Problem) -> ClassIncome:
    """How each class of the problem's market pays out; a class without tax traits is
    treated as all income (taxed yearly as interest)."""
    m = p.market
    n = len(m.ids)
    traits = m.traits or (None,) * n
    mu = m.expected_return
    y = np.array(
        [
            mu[i] if t is None or t.income_yield is None else t.income_yield
            for i, t in enumerate(traits)
        ]
    )

    def col(name: str, default: float) -> FloatArray:
        return np.array([default if t is None else float(getattr(t, name)) for t in traits])

    return ClassIncome(
        yield_=np.asarray(y, float),
        qualified=col("qualified_share", 0.0),
        exempt=col("exempt_share", 0.0),
        state_exempt=col("state_exempt_share", 0.0),
        interest=np.array([t is None or t.income_yield is None for t in traits], dtype=bool),
        foreign=col("foreign_tax_share", 0.0),
        turnover=col("turnover", 0.0),
        long_term=col("long_term_share", 1.0),
    )


def _basis_share(h: Household) -> FloatArray:
    """Per account, cost basis per dollar of value of its lots (1 without lots)."""
    out = np.ones(len(h.accounts))
    for k, acc in enumerate(h.accounts):
        cost = value = 0.0
        for pos in acc.positions:
            if pos.lots is None:
                continue
            for lot in pos.lots:
                cost += lot.cost_basis
                value += lot.shares * pos.price
        if value > 0:
            out[k] = cost / value
    return out


def _year_tax(h: Household, p: Problem, settings: PlanSettings, years: int) -> YearTax:
    situation = p.taxes.situation
    if situation.filer is None:
        return StatedYearTax(situation.profile, settings.inflation)
    f = situation.filer
    return EngineYearTax(
        filing_status=f.filing_status,
        tax_year=f.year,
        inflation=settings.inflation,
        years=years,
        state_rate=f.state_rate,
        muni_in_state=f.muni_in_state,
        age=f.age,
        spouse_age=f.spouse_age,
    )


def _rmd(h: Household, tl: Timeline, years: int) -> FloatArray:
    """(years, K) share of last year's balance each traditional account must pay out."""
    out = np.zeros((years, len(h.accounts)))
    tax_year = h.investor.tax_year
    for k, acc in enumerate(h.accounts):
        if acc.type != "traditional":
            continue
        age = tl.spouse_age if acc.owner == "spouse" else tl.age
        if age is None:
            continue
        ages = age + np.arange(years)
        out[:, k] = rmd_fraction(ages, rmd_start_age(tax_year - age))
    return out


def engine_spec(
    h: Household, p: Problem, settings: PlanSettings, tl: Timeline, *, lots: int = DEFAULT_LOTS
) -> EngineSpec:
    """The engine's arrays for ``h`` under ``settings`` (today's dollars)."""
    years = tl.years
    k_all = len(h.accounts)
    t = np.arange(years)
    working = t < tl.retire_in
    contrib = np.zeros((years, k_all))
    for k, acc in enumerate(h.accounts):
        contrib[:, k] = settings.contributions.get(acc.id, 0.0) * working
    deferred = tuple(is_tax_deferred(a.type, h.options) for a in h.accounts)
    pretax = np.array([deferred[k] or a.type == "hsa" for k, a in enumerate(h.accounts)])
    situation = p.taxes.situation
    wages = np.zeros(years)
    itemized = 0.0
    if situation.filer is not None and situation.income is not None:
        wages = np.maximum(situation.income.wages * working - contrib[:, pretax].sum(axis=1), 0.0)
        itemized = situation.income.itemized_deductions
    prof = situation.profile
    return EngineSpec(
        kinds=tuple(str(a.type) for a in h.accounts),
        deferred=deferred,
        start=np.array([a.market_value for a in h.accounts], float),
        basis_share=_basis_share(h),
        classes=class_income(p),
        contributions=contrib,
        spending=np.where(working, 0.0, settings.spending),
        social_security=np.where(t >= tl.social_security_in, settings.social_security, 0.0),
        wages=wages,
        itemized=itemized,
        rmd_fraction=_rmd(h, tl, years),
        retire_in=tl.retire_in,
        order=settings.withdrawal_order,
        fill_bracket_rate=settings.fill_bracket_rate,
        inflation=settings.inflation,
        tax=_year_tax(h, p, settings, years),
        gains_rate=prof.long_term,
        gain_budget=_gain_budget(settings.tax_budget, prof.long_term),
        withdrawal_rate=prof.withdrawal,
        liquidation=str(h.investor.liquidation),
        lots=lots,
    )


def _lifecycle(
    h: Household, p: Problem, plan_return: float, settings: PlanSettings, tl: Timeline
) -> Lifecycle | None:
    rate = (1.0 + plan_return) / (1.0 + settings.inflation) - 1.0
    try:
        earnings = earnings_of(h, tl.retire_in, rate)
        return lifecycle(
            p.wealth, earnings, tl.retire_in, rate, settings.time_preference, settings.eis, tl.years
        )
    except (ValueError, InputError):
        return None


def _schedule(withdrawals: ArrayLike, years: int, accounts: int) -> FloatArray:
    """A withdrawal schedule (years, accounts) of finite dollars >= 0, or an InputError."""
    w = np.asarray(withdrawals, dtype=float)
    if w.shape != (years, accounts):
        raise InputError(
            "withdrawals", f"needs shape (years, accounts) = ({years}, {accounts}), got {w.shape}"
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InputError("withdrawals", "must be finite dollars >= 0")
    return w


def check_fill_bracket(h: Household) -> None:
    """``plan.fill_bracket_rate``, when a ``fill_bracket`` order uses it, names a federal
    bracket rate of ``investor.tax_year`` (else :class:`InputError`): with stated rates too,
    where the order has no brackets to fill and falls back to taxable first (said in the
    output), a wrong rate is still a wrong input."""
    plan = h.plan
    if plan is not None and plan.withdrawal_order == "fill_bracket":
        years = supported_years()
        year = h.investor.tax_year if h.investor.tax_year in years else max(years)
        bracket_index(year_law(year).bracket_rate, plan.fill_bracket_rate)


def simulate(
    h: Household,
    *,
    paths: int | None = None,
    years: int | None = None,
    seed: int | None = None,
    returns: str | None = None,
    strategies: tuple[str, ...] = STRATEGIES,
    progress: Progress | None = None,
    lots: int = DEFAULT_LOTS,
    scenario: Scenarios | None = None,
    budget_grid: float = BUDGET_GRID,
    withdrawals: ArrayLike | None = None,
) -> SimulationResult:
    """Simulate ``h`` under each strategy (see the module docstring).

    ``paths``, ``years``, ``seed``, ``returns`` override ``[plan]``; ``progress`` is called
    as ``progress(done, total, what)``; ``lots`` caps the lots per taxable account and
    class; ``scenario`` replaces the drawn returns (same shape, nominal; for tests);
    ``budget_grid`` rounds the account shares of a batched re-solve (0: exact);
    ``withdrawals`` (years, accounts), gross today's dollars a year per account in the
    household's account order, replaces the withdrawal order from retirement (another
    planner's schedule, e.g. Owl's; see :class:`~assetloc.simulate.spec.EngineSpec`).
    """
    began = time.perf_counter()
    check_fill_bracket(h)
    settings = resolved_settings(h, paths=paths, years=years, seed=seed, returns=returns)
    tl = timeline(h.model_copy(update={"plan": settings}))
    assert settings.years is not None
    tg = targets(h, tuple(strategies))
    p = tg.problem
    sc = scenario or scenarios(p.market, settings)
    spec = engine_spec(h, p, settings, tl, lots=lots)
    if withdrawals is not None:
        spec = dataclasses.replace(
            spec, withdrawals=_schedule(withdrawals, tl.years, len(h.accounts))
        )
    total = len(tg.holdings)
    outcomes: dict[str, StrategyOutcome] = {}
    replacing_errors: dict[str, str] = {}
    residual = 0.0
    if progress is not None:
        progress(0, total, "simulating")
    for i, (name, x) in enumerate(tg.holdings.items()):
        w = account_weights(x, p)
        resolver = None
        if name in tg.placers and settings.reoptimize_every > 0:
            resolver = Replacer(p, tg.placers[name], settings.reoptimize_every, budget_grid)
        run = run_engine(spec, sc.total, w, name, resolver)
        out = run.outcome
        if resolver is not None:
            out = _with_reoptimized(out, resolver.summary())
            if (note := resolver.error_note()) is not None:
                replacing_errors[name] = note
        outcomes[name] = out
        residual = max(residual, run.residual)
        if progress is not None:
            progress(i + 1, total, f"simulated {name}")
    assumptions: dict[str, Any] = {
        **describe(spec),
        "plan": settings.model_dump(mode="json"),
        "retire_in": tl.retire_in,
        **_horizon_note(h, settings),
        "social_security_in": tl.social_security_in,
        "rmd": (
            "IRS Uniform Lifetime Table from the SECURE 2.0 age"
            if tl.age is not None
            else "no RMDs: investor.age is not given"
        ),
        "gross_up_residual": residual,
        "returns_notes": list(sc.notes),
        "strategy_errors": dict(tg.errors),
        "targets": (
            "each account rebalanced every year to the strategy's shares of its own "
            "balance; the first year starts at the target (that move is not taxed)"
        ),
        "replacing": (
            f"every {settings.reoptimize_every} years joint is re-solved, and rule_of_thumb "
            "and two_step place their first mix again, on each path's own account shares "
            f"(rounded to {budget_grid:g} of F for batching); duplicate places the re-solved "
            "joint mix in every account; separate does not depend on the shares"
            if settings.reoptimize_every > 0
            else "reoptimize_every = 0: every strategy holds its first shares in each account"
        ),
        "replacing_errors": replacing_errors
        or "none: every re-placement was solved (a failed one keeps the path's old targets "
        "until the next date; counted per strategy as kept_old_targets, path-dates)",
        "deflator": (
            f"(1 + {settings.inflation:g})^t every year on every path (a bootstrap's "
            "historical inflation is not used)"
        ),
        "income_used": (
            "wages (less pre-tax contributions) and itemized deductions from the household's "
            "income until retirement; investment income, gains, distributions and benefits "
            "are the simulation's own"
        ),
        "unmodelled_in_the_simulator": [
            "drift bands and a tax budget: every account returns to its target each year",
            "the wash-sale rule: a loss realized in a taxable account is allowed even when "
            "the same class is bought that day in another account or the same account",
            "Roth conversions",
            "the household's [income] other than wages and itemized deductions",
        ],
        "risk_adjusted": (
            f"location_value_bp.<strategy>.risk_adjusted: certainty equivalents of terminal "
            f"wealth for a CRRA investor of relative risk aversion {p.risk_aversion:.3g} "
            "(the household's risk aversion), ((CE_s / CE_duplicate)^(1/T) - 1) x 10,000; "
            "ruled by the worst paths, so noisy on small runs (use 1,000 paths or more); "
            "null when a path ends with no wealth"
        ),
        "tax_budget": (
            "none: every account returns to its target each year"
            if spec.gain_budget is None
            else f"rebalancing sales in taxable accounts may realize at most "
            f"{usd(spec.gain_budget, 0)} (today's dollars) more net gain a year than the "
            f"withdrawals need: plan.tax_budget at the long-term rate {spec.gains_rate:g}; "
            "the taxable accounts stay off target by what the budget forbids"
        ),
        "gains_rate": spec.gains_rate,
        "withdrawal_rate": spec.withdrawal_rate,
    }
    if withdrawals is not None:
        assumptions["withdrawal_order"] = "a given schedule (years x accounts) from retirement"
    if settings.withdrawal_order == "fill_bracket" and isinstance(spec.tax, StatedYearTax):
        assumptions["withdrawal_order_note"] = (
            "fill_bracket needs brackets (a filing status); with stated rates the order is "
            "taxable first"
        )
    return SimulationResult(
        paths=sc.paths,
        years=settings.years,
        seed=sc.seed,
        returns=sc.method,
        outcomes=outcomes,
        lifecycle=_lifecycle(h, p, tg.plan.metrics.expected_return, settings, tl),
        assumptions=assumptions,
        elapsed_s=time.perf_counter() - began,
        risk_aversion=p.risk_aversion,
        household_mix=household_mixes(p, tg.holdings, outcomes),
    )


def household_mixes(
    p: Problem, holdings: dict[str, FloatArray], outcomes: dict[str, StrategyOutcome]
) -> dict[str, dict[str, float]]:
    """Each strategy's household mix judged pre-tax (μ, Σ of the problem), at the start
    (Σ_k x[k], shares of F) and held over the run (the mean over paths of
    :attr:`StrategyOutcome.held_mix`): expected return μ'm and, at the start, volatility
    √(m'Σm) (decimals a year); against joint's, the share of F held in other classes,
    ½ Σ_i |m_i − m_J,i|, and the difference in expected return, (μ'm − μ'm_J)·10⁴ bp."""
    mixes: dict[str, tuple[FloatArray, FloatArray | None]] = {}
    for name, x in holdings.items():
        o = outcomes.get(name)
        held = None if o is None or o.held_mix is None else np.asarray(o.held_mix).mean(axis=0)
        mixes[name] = (np.asarray(x, float).sum(axis=0), held)
    joint = mixes.get("joint")
    out: dict[str, dict[str, float]] = {}
    for name, (start, held) in mixes.items():
        entry = {
            "start_expected_return": float(p.mu @ start),
            "start_volatility": float(np.sqrt(max(float(start @ p.cov @ start), 0.0))),
        }
        if held is not None:
            entry["held_expected_return"] = float(p.mu @ held)
        if joint is not None:
            entry["start_gap_vs_joint"] = 0.5 * float(np.abs(start - joint[0]).sum())
            if held is not None and joint[1] is not None:
                entry["held_gap_vs_joint"] = 0.5 * float(np.abs(held - joint[1]).sum())
                entry["held_expected_return_vs_joint_bp"] = 1e4 * float(p.mu @ (held - joint[1]))
        out[name] = entry
    return out


def _gain_budget(tax_budget: float | None, long_term: float) -> float | None:
    """The net gain a year that costs ``tax_budget`` at the long-term rate (None: no cap;
    a 0% rate: no cap either, no gain costs tax)."""
    if tax_budget is None or long_term <= 0:
        return None
    return tax_budget / long_term


def _horizon_note(h: Household, settings: PlanSettings) -> dict[str, str]:
    """A note when the retirement asked for (or defaulted) falls beyond the years simulated."""
    asked = h.plan.retire_in if h.plan is not None else None
    if asked is not None and settings.years is not None and asked > settings.years:
        return {
            "retire_in_note": f"plan.retire_in = {asked} is beyond the {settings.years} years "
            "simulated: no retirement within the horizon (no spending, no withdrawals)"
        }
    if settings.retire_in is not None and settings.retire_in == settings.years:
        return {"retire_in_note": "no retirement within the years simulated"}
    return {}


def _with_reoptimized(out: StrategyOutcome, summary: dict[str, float]) -> StrategyOutcome:
    from dataclasses import replace

    return replace(out, reoptimized=summary)

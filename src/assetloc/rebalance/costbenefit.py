"""How much tax a rebalance may realize: the cost-benefit rule and the budgets.

A taxable gain must pay for itself. The trades are chosen among the solutions of the trade
model with the estimated tax capped, t ≤ b (:mod:`~assetloc.rebalance.trades`, weights
``CAPPED``: as close to the target as the cap allows, the least tax among equally close
choices). For a cap b the holdings H(b) are valued exactly (:mod:`~assetloc.rebalance.benefit`)
and

    net(b) = F·[U(H(b)) − U(H(b₀))]·a(r, n) − [tax(b) − tax(b₀)] − [costs(b) − costs(b₀)]

where b₀ is the no-gain alternative (the cap at zero tax and zero net gain: cash flows,
tax-advantaged accounts and losses only; or the least tax a withdrawal needs), F the
after-tax wealth, a(r, n) the annuity factor over ``horizon_years`` at the cash rate, tax the
reported tax (:func:`~assetloc.rebalance.gaintax.plan_tax`: the household's gain tax, by the
year's return, never the trade model's convex bound) and costs the trading costs.

Search: net(b) is evaluated on the LP relaxation (warm-started HiGHS re-solves,
:class:`~assetloc.rebalance.trades.CapSweep`) at caps between the no-gain tax and the tax of a
full rebalance (the cap that no longer binds): a coarse grid, then golden-section steps
around its best point. The caps are on the model's tax t; net(b) counts the reported tax of
each LP solution (before rounding). The best cap b* is solved exactly (two stages, the MILP
when asked); the result is the better of the no-gain alternative and H(b*) by net computed from the
rounded orders, so the chosen trades never do worse than not realizing the gains. With
``allow_losses`` the caps searched start below the no-gain tax (harvesting); a candidate that
leaves an account more uninvested cash than its allowance is never chosen. Limitation: the
trade model's distance is L1 in pre-tax class dollars while U is quadratic in after-tax
exposure, so the caps span a path chosen by the L1 model; U only picks the point on it.

Budgets: ``tax_budget`` and ``gain_budget`` cap the rule: b ≤ tax_budget and net realized gain
≤ gain_budget. The rule's best cap is found without the budget, then the cap is
min(b*, budget) — a larger budget never stops farther from the target — and the chosen trades
are still the better of that and the no-gain alternative. A budget therefore never forces a
gain whose tax exceeds its modelled benefit.

The budget is on the REPORTED tax: the model's cap starts at the budget (less a tenth of a
cent for rounding), and when the reported tax of the rounded orders exceeds the budget (the
convex model is below the exact tax where the exact tax is not convex, and can be above it
by the interpolation between grid points), the cap is lowered by the excess and the model
solved again, up to ``TIGHTEN_STEPS`` times; if that does not bring the reported tax within
the budget, the no-gain alternative is chosen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assetloc.errors import InfeasibleError
from assetloc.rebalance.benefit import Valuation, break_even_years
from assetloc.rebalance.trades import CAPPED, CapSweep, ModelSpec, TradeSolution, Weights, solve
from assetloc.types import FloatArray
from assetloc.units import usd

GRID = 3  # coarse caps between the no-gain and the full tax (besides the two ends)
GOLDEN_STEPS = 2  # golden-section refinements around the grid's best
CAP_TOLERANCE = 0.01  # dollars: a cap within a cent of the tax counts as binding
INV_PHI = (math.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class Outcome:
    """Rounded orders of one solution and what they are worth.

    tax : reported estimated tax; gain : net realized gain (dollars); costs : trading costs
    (dollars); utility : U of the holdings after the orders (decimal per year); cash : (K,)
    dollars of uninvested cash after them.
    """

    sol: TradeSolution
    buy: FloatArray
    sell: FloatArray
    lot_sold: FloatArray
    tax: float
    gain: float
    costs: float
    utility: float
    cash: FloatArray


@dataclass(frozen=True)
class Decision:
    """The chosen outcome, the no-gain alternative, the full rebalance, and the facts."""

    chosen: Outcome
    no_gain: Outcome
    full: tuple[float, float] | None
    rule: str
    cap: float | None
    budget_binds: list[str] = field(default_factory=list)
    searched: int = 0
    full_excess: float | None = None


Evaluate = Callable[[TradeSolution], Outcome]
SolutionTax = Callable[[TradeSolution], float]  # the reported tax of unrounded trades


def _net(o: Outcome, base: Outcome, val: Valuation) -> float:
    pv = (o.utility - base.utility) * val.wealth * val.annuity
    return pv - (o.tax - base.tax) - (o.costs - base.costs)


def _solve_capped(sweep: CapSweep, tax_cap: float | None, gain_cap: float | None) -> TradeSolution:
    """The model's answer at these caps: the warm LP, or :func:`solve` for a MILP or when the
    sweep's fixed wash-sale choices leave no feasible trade at the caps."""
    if not sweep.integer:
        try:
            return sweep.solution(tax_cap, gain_cap)
        except InfeasibleError:
            pass
    return solve(sweep.spec.relaxed(tax_cap=tax_cap, gain_cap=gain_cap))


def _no_gain(sweep: CapSweep, tax_budget: float | None, evaluate: Evaluate) -> Outcome:
    """The no-gain alternative: zero tax and zero net gain, or, when zero is infeasible, the
    least tax the withdrawals need (the model's least, plus a cent) and no gain cap; within
    ``tax_budget`` by the reported tax (else the plan of least tax, or infeasible)."""
    try:
        return evaluate(_solve_capped(sweep, 0.0, 0.0))
    except InfeasibleError:
        spec = sweep.spec
        least = solve(
            spec.relaxed(weights=Weights(band=0.0, household=0.0), tax_cap=None, gain_cap=None)
        )
        floor = evaluate(least)
        need = min(floor.tax, least.tax)  # the model's least is a lower bound of the tax
        if tax_budget is not None and tax_budget < need - CAP_TOLERANCE:
            raise InfeasibleError(
                [
                    f"rebalance.tax_budget ({usd(tax_budget, 2)}): the withdrawals need at least "
                    f"{usd(need, 2)} of tax"
                ]
            ) from None
        out = evaluate(_solve_capped(sweep, least.tax + CAP_TOLERANCE, spec.gain_cap))
        if tax_budget is None or out.tax <= tax_budget + BUDGET_TOLERANCE:
            return out
        if floor.tax <= tax_budget + BUDGET_TOLERANCE:
            return floor
        raise InfeasibleError(
            [
                f"rebalance.tax_budget ({usd(tax_budget, 2)}): the sales of least tax found for "
                f"the withdrawals realize {usd(floor.tax, 2)} of tax"
            ]
        ) from None


TIGHTEN_STEPS = 6  # re-solves that lower the model's cap until the reported tax fits a budget
BUDGET_TOLERANCE = 1e-6  # dollars: the reported tax may exceed the budget by float noise only


def _within_budget(
    solve_at: Callable[[float | None], Outcome], cap: float | None, tax_budget: float | None
) -> tuple[Outcome | None, float | None, bool]:
    """The outcome at model cap ``cap``, with the cap lowered until the REPORTED tax is
    within ``tax_budget`` (module doc): (outcome or None when it cannot be, the cap used,
    whether it was lowered). The first solve's InfeasibleError propagates."""
    out = solve_at(cap)
    if tax_budget is None or cap is None:
        return out, cap, False
    lowered = False
    for step in range(TIGHTEN_STEPS):
        excess = out.tax - tax_budget
        if excess <= BUDGET_TOLERANCE:
            return out, cap, lowered
        cap = min(cap, out.sol.tax) - excess - ROUNDING_MARGIN * 2**step
        lowered = True
        try:
            out = solve_at(cap)
        except InfeasibleError:
            return None, cap, lowered
    return (out if out.tax <= tax_budget + BUDGET_TOLERANCE else None), cap, lowered


def _search(
    sweep: CapSweep,
    lo: float,
    hi: float,
    val: Valuation,
    u0: float,
    f_hi: float,
    start: float,
    no_gain_cash: FloatArray,
    tax_of: SolutionTax,
    tax0: float,
) -> tuple[float, int]:
    """The cap in [start, hi] with the best approximate net (LP, unrounded; module doc).

    ``lo``, ``u0``: the model tax (cap) and utility of the no-gain alternative (its net is 0
    by definition); ``tax0``: its reported tax (``tax_of``, unrounded); ``f_hi``: the
    approximate net of the full rebalance; ``start``: the lowest cap (below ``lo`` when
    harvesting losses earns credit). Nets count the reported tax of each solution."""
    book = sweep.spec.book
    price = np.nan_to_num(book.price)
    cash0 = book.available_cash
    scale = val.wealth * val.annuity
    gain_cap = sweep.spec.gain_cap
    cash_limit = _cash_limit(sweep.spec, no_gain_cash)
    memo: dict[float, float] = {lo: 0.0, hi: f_hi}

    def f(b: float) -> float:
        if b not in memo:
            try:
                sol = sweep.solution(b, gain_cap, exact=False)
            except InfeasibleError:  # the sweep's wash-sale choices cannot meet this cap
                memo[b] = -np.inf
                return memo[b]
            shares = np.maximum(book.shares + sol.buy - sol.sell, 0.0)
            cash = cash0 + (sol.sell * price).sum(axis=1) - (sol.buy * price).sum(axis=1)
            if _strands(cash, sweep.spec, cash_limit):
                memo[b] = -np.inf
                return memo[b]
            memo[b] = (val.utility(shares, cash) - u0) * scale - (tax_of(sol) - tax0)
        return memo[b]

    grid = [start + (hi - start) * j / (GRID + 1) for j in range(GRID + 2)]
    values = [f(b) for b in grid]
    best = int(np.argmax(values))
    a = grid[max(best - 1, 0)]
    c = grid[min(best + 1, GRID + 1)]
    x1 = c - INV_PHI * (c - a)
    x2 = a + INV_PHI * (c - a)
    for _ in range(GOLDEN_STEPS):
        if f(x1) >= f(x2):
            c, x2 = x2, x1
            x1 = c - INV_PHI * (c - a)
        else:
            a, x1 = x1, x2
            x2 = a + INV_PHI * (c - a)
    cap = max(memo, key=lambda b: memo[b])
    return cap, len(memo) - 2


STRAND_TOLERANCE = 1.0  # dollars
ROUNDING_MARGIN = 0.001  # dollars: rounding orders to 1e-6 shares may add this much gain tax


def _model_cap(tax_budget: float | None) -> float | None:
    """The model's cap for a budget: a tenth of a cent below it, so that the reported tax of
    the rounded orders stays within the budget (a zero budget stays zero)."""
    if tax_budget is None:
        return None
    return tax_budget - ROUNDING_MARGIN if tax_budget >= 10 * ROUNDING_MARGIN else tax_budget


def _cash_limit(spec: ModelSpec, no_gain_cash: FloatArray) -> FloatArray:
    """(K,) the most uninvested cash a candidate may leave: the allowance, or what the no-gain
    alternative leaves anyway (dollars)."""
    allowance = spec.cash_allowance if spec.cash_allowance is not None else np.zeros(spec.book.k)
    target = spec.cash_target if spec.cash_target is not None else np.zeros(spec.book.k)
    return np.maximum(target + allowance, no_gain_cash) + STRAND_TOLERANCE


def _strands(cash: FloatArray, spec: ModelSpec, limit: FloatArray) -> bool:
    """True when an account would keep more uninvested cash than ``limit`` (e.g. a loss
    harvested to cash): not a trade the rule chooses."""
    return bool((np.asarray(cash) > limit).any())


def decide(
    spec: ModelSpec,
    evaluate: Evaluate,
    val: Valuation,
    tax_budget: float | None,
    gain_budget: float | None,
    legacy: bool,
    solution_tax: SolutionTax | None = None,
) -> Decision:
    """The trades of a rebalance under the cost-benefit rule and the budgets (module doc).

    ``legacy``: the file set ``distance_weight``; the fixed price of deviation decides, capped
    by the budgets, and the cost-benefit figures are only reported. ``evaluate`` rounds a
    solution to orders and gives their reported tax; ``solution_tax`` the reported tax of an
    unrounded solution (default: the model's tax t), for the search.
    """
    tax_of: SolutionTax = solution_tax or (lambda sol: sol.tax)
    base = spec.relaxed(weights=CAPPED, tax_cap=None, gain_cap=gain_budget)
    sweep = CapSweep(base)

    def exact(tax_cap: float | None, gain_cap: float | None) -> Outcome:
        return evaluate(_solve_capped(sweep, tax_cap, gain_cap))

    no_gain = _no_gain(sweep, tax_budget, evaluate)
    if legacy:

        def fixed_price(cap: float | None) -> Outcome:
            return evaluate(solve(spec.relaxed(tax_cap=cap, gain_cap=gain_budget)))

        found, fixed_cap, lowered = _within_budget(fixed_price, _model_cap(tax_budget), tax_budget)
        chosen = no_gain if found is None else found
        binds = _binds(chosen, tax_budget, gain_budget, lowered=lowered)
        return Decision(chosen, no_gain, None, "distance_weight", fixed_cap, binds)
    full_lp = sweep.solution(None, gain_budget, exact=False)
    lo, hi = no_gain.sol.tax, full_lp.tax
    tax0 = tax_of(no_gain.sol)
    full = _approximate(full_lp, spec, val, tax_of)
    f_hi = (full[1] - no_gain.utility) * val.wealth * val.annuity - (full[0] - tax0)
    searched = 0
    cap: float | None = None
    lowered = False
    start = lo
    if spec.gain_tax.allow_losses:  # harvesting: caps below the no-gain tax buy credit
        harvest = solve(base.relaxed(weights=Weights(band=0.0, household=0.0), tax_cap=None))
        start = min(lo, harvest.tax)

    def capped(c: float | None) -> Outcome:
        return exact(c, gain_budget)

    if hi <= start + CAP_TOLERANCE:
        found, cap, lowered = _within_budget(capped, _model_cap(tax_budget), tax_budget)
        chosen = no_gain if found is None else found
    else:
        b_star, searched = _search(
            sweep, lo, hi, val, no_gain.utility, f_hi, start, no_gain.cash, tax_of, tax0
        )
        cap = b_star if tax_budget is None else min(b_star, _model_cap(tax_budget) or 0.0)
        options = [no_gain]
        if abs(cap - lo) > CAP_TOLERANCE:  # at the no-gain tax: the no-gain alternative
            first = None if cap >= hi and tax_budget is None else cap
            candidate, cap, lowered = _within_budget(capped, first, tax_budget)
            if candidate is not None and not _strands(
                candidate.cash, spec, _cash_limit(spec, no_gain.cash)
            ):
                options.append(candidate)
        chosen = max(options, key=lambda o: _net(o, no_gain, val))
    binds = _binds(chosen, tax_budget, gain_budget, hi, lowered)
    excess = float(full_lp.band_excess.sum()) if gain_budget is None else None
    return Decision(chosen, no_gain, full, "cost_benefit", cap, binds, searched, excess)


def _approximate(
    sol: TradeSolution, spec: ModelSpec, val: Valuation, tax_of: SolutionTax
) -> tuple[float, float]:
    """(reported tax, utility) of an unrounded solution: the full rebalance, for the report."""
    book = spec.book
    price = np.nan_to_num(book.price)
    shares = np.maximum(book.shares + sol.buy - sol.sell, 0.0)
    cash = book.available_cash + (sol.sell * price).sum(axis=1) - (sol.buy * price).sum(axis=1)
    return tax_of(sol), val.utility(shares, cash)


def _binds(
    chosen: Outcome,
    tax_budget: float | None,
    gain_budget: float | None,
    hi: float | None = None,
    lowered: bool = False,
) -> list[str]:
    """The budgets that stop the trades short of where they would go without them (``hi``:
    the model tax of the full rebalance; ``lowered``: the model's cap was lowered to bring
    the reported tax of the chosen trades within the tax budget)."""
    out = []
    further = hi is None or hi > chosen.sol.tax + CAP_TOLERANCE
    at_budget = tax_budget is not None and (
        chosen.tax >= tax_budget - CAP_TOLERANCE
        or chosen.sol.tax >= tax_budget - CAP_TOLERANCE
        or lowered
    )
    if at_budget and further:
        out.append("tax_budget")
    if gain_budget is not None and chosen.gain >= gain_budget - CAP_TOLERANCE and further:
        out.append("gain_budget")
    return out


def report(
    d: Decision, val: Valuation, u_today: float, total: float, distance: dict[str, Any]
) -> dict[str, Any]:
    """The ``cost_benefit`` object of the JSON (dollars, basis points, years)."""
    o, base = d.chosen, d.no_gain
    du = o.utility - base.utility
    per_year = du * val.wealth
    tax_extra = o.tax - base.tax
    out: dict[str, Any] = {
        "rule": d.rule,
        "tax_now": o.tax,
        "utility_gain_bp": 1e4 * du,
        "benefit_per_year": per_year,
        "present_value": per_year * val.annuity,
        "break_even_years": break_even_years(tax_extra, per_year, val.discount_rate),
        "tax_of_gain_realizing_trades": tax_extra,
        "net_benefit": per_year * val.annuity - tax_extra - (o.costs - base.costs),
        "compared_with": "the same rebalance without gain-realizing sales (tax and net gain "
        "capped at zero)",
        "utility_gain_vs_today_bp": 1e4 * (o.utility - u_today),
        "discount_rate": val.discount_rate,
        "horizon_years": val.horizon_years,
        "annuity_factor": val.annuity,
        "after_tax_wealth": val.wealth,
        "risk_aversion": val.risk_aversion,
        "utility": "tracking" if val.tracking else "mean_variance",
        "tax_cap": d.cap,
        "budget_binds": list(d.budget_binds),
        "caps_searched": d.searched,
    }
    if d.full is not None:
        fu = d.full[1] - base.utility
        out["full_rebalance"] = {
            "tax_now": d.full[0],
            "benefit_per_year": fu * val.wealth,
            "present_value": fu * val.wealth * val.annuity,
        }
    out["distance_from_target"] = distance
    return out

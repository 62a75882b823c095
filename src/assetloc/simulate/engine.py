"""The year-by-year simulator of one strategy, vectorized over paths (no per-path loop).

State per path: the balance of every class in every tax-advantaged account, and in every
taxable account its lots (:mod:`~assetloc.simulate.taxable_lots`); the capital loss
carried forward by character. Money is in **today's dollars** (nominal / (1 + π)^t);
returns arrive nominal and are deflated, lots keep nominal costs so that the gains taxed
are nominal gains (inflation is taxed as it is in life).

One year ``t`` (0 = the current tax year), in this order:

1. **Returns.** Each class's nominal total return R splits into income, y per dollar of
   the start-of-year value (the class's ``income_yield``; a class whose return is all
   income has y = μ, its expected return, so its price moves by R − μ), and the price
   change R − y. In a taxable account the income is paid in cash and taxed this year by
   kind (qualified dividends; municipal interest; Treasury interest; the rest as interest
   for an all-income class, non-qualified dividends otherwise), and fund turnover
   distributes a share of each lot's unrealized gain (taxed; its long-term share long-term;
   reinvested, so the lot's cost rises). In tax-advantaged accounts nothing is taxed, but
   the foreign tax withheld (``foreign_tax_share`` × y) is lost (in taxable accounts it is
   credited, so it costs nothing there), as in :mod:`assetloc.tax.effective`.
2. **Cash flows.** Contributions until retirement (pre-tax to traditional accounts and
   HSAs: they lower taxable wages). The cash the accounts must give is
   X = spending − Social Security + (the year's tax − the tax on the wages alone): wages
   pay their own tax and, before retirement, the household's living; from retirement the
   accounts pay ``spending`` after tax. Required minimum distributions come out of
   traditional accounts first (1/divisor of last year's balance); the rest of X comes by
   the withdrawal order (before retirement: from taxable accounts only, any shortfall paid
   from wages). A negative X (benefits or RMDs beyond the need) is saved in the taxable
   accounts. ``fill_bracket`` takes traditional withdrawals up to the top of the bracket
   taxed at ``fill_bracket_rate`` first (rates stated without brackets: taxable first).
3. **Rebalancing.** Every account returns to its target shares; in a taxable account the
   cash (income, contributions, savings, less the withdrawal) is used first, so only what
   is still above target is sold, highest-cost lots first (all long-term).
4. **Tax.** The year's return on all of it (:mod:`~assetloc.simulate.yearly_tax`). Tax
   depends on the withdrawal and the withdrawal on the tax: X is solved per path by the
   secant method on the fixed point X = need(X), to :data:`~assetloc.simulate.year_flows.TOLERANCE`
   dollars (:mod:`~assetloc.simulate.year_flows`; the largest residual is reported).

Wealth at each year end is after tax (see :class:`~assetloc.simulate.outcome.
StrategyOutcome`); at the end the taxable accounts are liquidated (the net unrealized gain
taxed at the long-term rate) unless ``liquidation`` is ``step_up`` or ``donate``.
Estimates, not tax advice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assetloc.simulate.outcome import StrategyOutcome
from assetloc.simulate.spec import ClassIncome, EngineSpec
from assetloc.simulate.sustainable import sustainable_spending
from assetloc.simulate.taxable_lots import MIN_PRICE, Lots
from assetloc.simulate.year_flows import (
    MAX_ITERATIONS,
    TOLERANCE,
    Layout,
    YearInputs,
    gross_up,
)
from assetloc.tax.income import INCOME_KEYS
from assetloc.types import FloatArray
from assetloc.units import usd

__all__ = [
    "MAX_ITERATIONS",
    "TOLERANCE",
    "ClassIncome",
    "EngineRun",
    "EngineSpec",
    "Retarget",
    "describe",
    "run_engine",
]

#: Sales in a taxable account under this (today's dollars) are not counted as sales.
SALE_DUST = 1.0

#: Paths simulated at once (the lot arrays of a chunk stay in cache).
CHUNK = 1000

#: Re-targeting hook: (year t, balances (P, K) at face value being rebalanced this year,
#: today's dollars, current target shares (P, K, n)) → new target shares (P, K, n), or None
#: to keep the current ones.
Retarget = Callable[[int, FloatArray, FloatArray], "FloatArray | None"]


@dataclass
class EngineRun:
    """An outcome plus what the run recorded for checks."""

    outcome: StrategyOutcome
    residual: float  # largest gross-up residual, dollars
    iterations: int  # most secant steps any year took
    income: dict[str, FloatArray] = field(default_factory=dict)  # key -> (P, years)
    total_tax: FloatArray | None = None  # (P, years) the return's total tax


def run_engine(
    spec: EngineSpec,
    returns: FloatArray,
    weights: FloatArray,
    name: str,
    retarget: Retarget | None = None,
    chunk: int = CHUNK,
) -> EngineRun:
    """Simulate one strategy: ``returns`` (P, years, n) nominal decimals, ``weights``
    (K, n) or (P, K, n) target shares of each account's balance (rows sum to 1).

    Paths are independent: they are simulated ``chunk`` at a time (vectorized within a
    chunk), which keeps the lot arrays in the processor's cache.
    """
    paths = returns.shape[0]
    w = np.asarray(weights, float)
    runs = []
    for lo in range(0, paths, max(int(chunk), 1)):
        hi = min(lo + max(int(chunk), 1), paths)
        part = w if w.ndim == 2 else w[lo:hi]
        runs.append(_run_chunk(spec, returns[lo:hi], part, name, retarget))
    if len(runs) == 1:
        return runs[0]
    return _joined(runs)


def _joined(runs: list[EngineRun]) -> EngineRun:
    """One run from runs over consecutive path chunks."""
    outs = [r.outcome for r in runs]

    def cat(attr: str) -> Any:
        return np.concatenate([getattr(o, attr) for o in outs], axis=0)

    outcome = StrategyOutcome(
        name=outs[0].name,
        wealth=cat("wealth"),
        terminal_wealth=cat("terminal_wealth"),
        spending=cat("spending"),
        spending_paid=cat("spending_paid"),
        lifetime_tax=cat("lifetime_tax"),
        tax=cat("tax"),
        taxable_sale=cat("taxable_sale"),
        taxable_sale_tax=cat("taxable_sale_tax"),
        held_mix=None if outs[0].held_mix is None else cat("held_mix"),
    )
    income = (
        {k: np.concatenate([r.income[k] for r in runs], axis=0) for k in runs[0].income}
        if runs[0].income
        else {}
    )
    total = (
        np.concatenate([r.total_tax for r in runs if r.total_tax is not None], axis=0)
        if runs[0].total_tax is not None
        else None
    )
    return EngineRun(
        outcome,
        max(r.residual for r in runs),
        max(r.iterations for r in runs),
        income,
        total,
    )


def _run_chunk(
    spec: EngineSpec,
    returns: FloatArray,
    weights: FloatArray,
    name: str,
    retarget: Retarget | None,
) -> EngineRun:
    """:func:`run_engine` on one chunk of paths."""
    paths, years, n = returns.shape
    layout = Layout.of(spec)
    k_all = len(spec.kinds)
    w = np.broadcast_to(np.asarray(weights, float), (paths, k_all, n)).copy()
    tx, ot = layout.tx, layout.ot
    c = spec.classes
    infl = 1.0 + spec.inflation
    tax = spec.tax
    fill_top = (
        [tax.bracket_top(t, spec.fill_bracket_rate) for t in range(years)]
        if spec.order == "fill_bracket"
        else [None] * years
    )

    # start: every account at its target
    start = spec.start
    adv = w[:, ot, :] * start[ot][None, :, None]
    price = np.ones((paths, n))
    lots = Lots.start(
        w[:, tx, :] * start[tx][None, :, None],
        w[:, tx, :] * (start[tx] * spec.basis_share[tx])[None, :, None],
        spec.lots,
    )
    carry_st = np.zeros(paths)
    carry_lt = np.zeros(paths)
    zero = np.zeros(paths)

    wage_tax = np.empty(years)
    for t in range(years):
        base = {k: np.zeros(1) for k in INCOME_KEYS}
        base["wages"] = np.array([spec.wages[t]])
        base["itemized_deductions"] = np.array([spec.itemized])
        wage_tax[t] = float(tax.lines(t, base)["total_tax"][0])

    wealth = np.empty((paths, years + 1))
    tax_paid = np.zeros((paths, years))
    paid = np.zeros((paths, years))
    sale_flag = np.zeros((paths, years), dtype=bool)
    sale_tax = np.zeros((paths, years))
    recorded: dict[str, FloatArray] = (
        {k: np.zeros((paths, years)) for k in INCOME_KEYS} if spec.record_income else {}
    )
    total_tax = np.zeros((paths, years)) if spec.record_income else None
    residual = 0.0
    most_steps = 0
    ot_value = np.array([(1.0 - spec.withdrawal_rate) if spec.deferred[k] else 1.0 for k in ot])

    def after_tax(deflator: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per account after-tax value (P, K), the taxable unrealized gain (P,) and the
        household's value by class (P, n): taxable at market, tax-deferred after the
        withdrawal rate (as x, shares of F)."""
        out = np.zeros((paths, k_all))
        gain = np.zeros(paths)
        by_class = np.zeros((paths, n))
        if tx:
            market = lots.value(price)  # (P, A, n), nominal
            unreal = lots.unrealized(price).sum(axis=2) / deflator
            out[:, tx] = market.sum(axis=2) / deflator - spec.gains_rate * np.maximum(unreal, 0.0)
            gain = np.maximum(unreal, 0.0).sum(axis=1)
            by_class += (market / deflator).sum(axis=1)
        if ot:
            out[:, ot] = adv.sum(axis=2) * ot_value[None, :]
            by_class += (adv * ot_value[None, :, None]).sum(axis=1)
        return out, gain, by_class

    per_account, _, _ = after_tax(1.0)
    wealth[:, 0] = per_account.sum(axis=1)
    deflator = 1.0
    mix_sum = np.zeros((paths, n))
    mix_years = np.zeros(paths)

    def hold_mix(by_class: FloatArray) -> None:
        """Add this year end's household mix (value shares by class, (P, n))."""
        total = by_class.sum(axis=1)
        held = total > 0
        mix_sum[held] += by_class[held] / total[held, None]
        mix_years[held] += 1.0

    for t in range(years):
        retired = t >= spec.retire_in
        r = returns[:, t, :]
        prev_deflator = deflator
        deflator = deflator * infl

        # 1. returns
        income = {k: zero for k in INCOME_KEYS}
        if tx:
            v0 = lots.value(price)
            inc_nom = v0 * c.yield_[None, None, :]
            price = np.maximum(price * (1.0 + r - c.yield_[None, :]), MIN_PRICE)
            dist = lots.turnover(price, c.turnover) / deflator
            inc = inc_nom / deflator
            rest = inc * (1.0 - c.qualified - c.exempt - c.state_exempt)
            qualified = (inc * c.qualified).sum(axis=(1, 2))
            nonqual = (rest * ~c.interest).sum(axis=(1, 2))
            income = {
                **income,
                "taxable_interest": (rest * c.interest).sum(axis=(1, 2)),
                "treasury_interest": (inc * c.state_exempt).sum(axis=(1, 2)),
                "tax_exempt_interest": (inc * c.exempt).sum(axis=(1, 2)),
                "ordinary_dividends": qualified + nonqual,
                "qualified_dividends": qualified,
                "short_term_gains": (dist * (1.0 - c.long_term)).sum(axis=(1, 2)),
                "long_term_gains": (dist * c.long_term).sum(axis=(1, 2)),
            }
            values = lots.value(price) / deflator  # (P, A, n) today's dollars
            cash_tx = inc.sum(axis=2) + spec.contributions[t, tx][None, :]
            avail_tx = values.sum(axis=2) + cash_tx
            table = lots.sale_table(price)
        else:
            values = np.zeros((paths, 0, n))
            cash_tx = avail_tx = np.zeros((paths, 0))
            table = None
        ot_start = adv.sum(axis=2)  # last December 31 (today's dollars of last year)
        if ot:
            keep = 1.0 + r - c.foreign * c.yield_
            adv = adv * keep[:, None, :] / infl
        bal_ot = adv.sum(axis=2) + spec.contributions[t, ot][None, :]
        rmd = spec.rmd_fraction[t, ot][None, :] * ot_start / infl
        rmd = np.minimum(rmd, bal_ot)
        if retarget is not None:  # re-solve on the balances being rebalanced
            face = np.zeros((paths, k_all))
            face[:, tx] = avail_tx
            face[:, ot] = bal_ot
            new = retarget(t, face, w)
            if new is not None:
                w = np.asarray(new, float)
        w_tx, w_ot = w[:, tx, :], w[:, ot, :]
        income["wages"] = np.full(paths, spec.wages[t])
        income["itemized_deductions"] = np.full(paths, spec.itemized)
        income["social_security"] = np.full(paths, spec.social_security[t])
        income["short_term_carryforward"] = carry_st
        income["long_term_carryforward"] = carry_lt
        spend = spec.spending[t] if retired else 0.0
        ss = spec.social_security[t]

        # 2–4. the gross-up
        year = YearInputs(
            t=t,
            retired=retired,
            spend=spend,
            social_security=ss,
            rmd=rmd,
            bal_ot=bal_ot,
            avail_tx=avail_tx,
            values=values,
            w_tx=w_tx,
            table=table,
            deflator=deflator,
            income=income,
            wage_tax=float(wage_tax[t]),
            schedule=None if spec.withdrawals is None else spec.withdrawals[t],
        )
        ev, res, steps = gross_up(spec, layout, year, fill_top[t])
        residual = max(residual, res)
        most_steps = max(most_steps, steps)

        # apply the year
        if ot:
            left = bal_ot - ev.take_ot
            adv = w_ot * np.maximum(left, 0.0)[:, :, None]
        if tx:
            assert table is not None
            lots.sell(table, ev.sell * deflator, price)
            lots.buy(ev.buy * deflator, price)
        carry_st = ev.lines["carryforward_short_term"]
        carry_lt = ev.lines["carryforward_long_term"]
        tax_paid[:, t] = ev.lines["total_tax"] - wage_tax[t]
        if retired:
            paid[:, t] = np.maximum(spend - ev.shortfall, 0.0)
        if tx:
            outflow = np.maximum(ev.take_tx - ev.deposit_tx - cash_tx, 0.0)
            sold = ev.sell.sum(axis=2)
            rebalance = np.maximum(sold - outflow, 0.0)
            sale_flag[:, t] = (rebalance > SALE_DUST).any(axis=1)
            if sale_flag[:, t].any():
                part = np.divide(rebalance, sold, out=np.zeros_like(sold), where=sold > 0)
                cut = dict(ev.income)
                cut["long_term_gains"] = ev.income["long_term_gains"] - (ev.gains * part).sum(
                    axis=1
                )
                without = tax.lines(t, cut)["total_tax"]
                sale_tax[:, t] = np.where(sale_flag[:, t], ev.lines["total_tax"] - without, 0.0)
        if spec.record_income:
            for k in INCOME_KEYS:
                recorded[k][:, t] = ev.income[k]
            assert total_tax is not None
            total_tax[:, t] = ev.lines["total_tax"]
        per_account, _, by_class = after_tax(deflator)
        wealth[:, t + 1] = per_account.sum(axis=1)
        hold_mix(by_class)
        del prev_deflator

    terminal = wealth[:, -1].copy()
    if spec.liquidation != "liquidate" and tx:
        _, gain, _ = after_tax(deflator)
        terminal = terminal + spec.gains_rate * gain
    spending = sustainable_spending(wealth, terminal, paid, spec.social_security, spec.retire_in)
    outcome = StrategyOutcome(
        name=name,
        wealth=wealth,
        terminal_wealth=terminal,
        spending=spending,
        spending_paid=paid,
        lifetime_tax=tax_paid.sum(axis=1),
        tax=tax_paid,
        taxable_sale=sale_flag,
        taxable_sale_tax=sale_tax,
        held_mix=mix_sum / np.maximum(mix_years, 1.0)[:, None],
    )
    return EngineRun(outcome, residual, most_steps, recorded, total_tax)


def describe(spec: EngineSpec) -> dict[str, Any]:
    """The engine's assumptions, for the result's ``assumptions``."""
    return {
        "engine": (
            "year by year, vectorized over paths: returns split into income (taxed yearly "
            "in taxable accounts) and price change; contributions until retirement; from "
            "retirement, spending after tax by the withdrawal order; RMDs; Social Security; "
            "every account rebalanced to its target each year, cash flows first, taxable "
            "sales highest-cost lots first (all long-term)"
        ),
        "gross_up": (
            f"the year's withdrawal solves X = spending - benefits + tax(X) per path by the "
            f"secant method to {usd(TOLERANCE, 2)} (at most {MAX_ITERATIONS} steps)"
        ),
        "lots": (
            f"up to {spec.lots} lots per taxable account and class (the two lowest-cost "
            "lots are merged at their average cost when a new one needs room)"
        ),
        "tax_model": spec.tax.source,
        "withdrawal_order": spec.order,
        "liquidation": spec.liquidation,
    }

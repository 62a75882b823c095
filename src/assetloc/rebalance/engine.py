"""Rebalance a household: target after cash flows → trade optimization → orders and checks.

Steps (each in its own module):

1. :mod:`~assetloc.rebalance.target`: the optimizer's plan on the post-cash-flow balances;
2. :mod:`~assetloc.rebalance.book`: holdings as arrays, with the input checks;
3. :mod:`~assetloc.rebalance.current`: allocation, drift and bands today;
4. :mod:`~assetloc.rebalance.washsale`: the wash-sale guard;
5. :mod:`~assetloc.rebalance.trades`: the LP/MILP (HiGHS);
6. rounding to order quantities, the after state, the realized gains and their tax
   (:mod:`~assetloc.rebalance.gaintax`: the household's gain tax, by the year's return);
7. :mod:`~assetloc.rebalance.binding`: which constraints bind when a band is not reached.

Modes: ``full`` trades toward the target; ``cash_flow_only`` invests contributions and
idle cash, and sells only what withdrawals need; ``within_bands`` does nothing when every
class is inside its band (it still places the cash flows, as ``cash_flow_only``, when there
are any) and trades as ``full`` otherwise.

Order quantities: whole shares when asked; otherwise shares rounded to 1e-6 (purchases
down). Orders under half a cent are dropped, and so are orders the MILP did not place (binary
0) or that are under the minimum trade: tolerance-sized dust, never charged a cost per
trade. If rounding leaves an account a fraction of a cent short, its largest purchase is
trimmed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from assetloc.analysis.optimize import method_summary, optimize, universe_summary
from assetloc.analysis.plan import Plan
from assetloc.errors import InputError
from assetloc.inputs.holdings import NEAR_LONG_TERM_DAYS, long_term_on
from assetloc.inputs.household import Household
from assetloc.ledger.context import LedgerContext
from assetloc.market.assumptions import load_preset, preset_names
from assetloc.model.market import resolve_market
from assetloc.rebalance.benefit import Valuation, valuation
from assetloc.rebalance.binding import binding_constraints
from assetloc.rebalance.book import Book, anniversary_day, build_book
from assetloc.rebalance.costbenefit import Decision, Outcome, decide, report
from assetloc.rebalance.current import Allocation, Drift, allocation, band_widths, drift
from assetloc.rebalance.gaintax import gain_tax_of, plan_tax
from assetloc.rebalance.ledger_wash import ledger_wash_sales
from assetloc.rebalance.result import (
    AccountState,
    DeferredLot,
    LotSale,
    NearLongTerm,
    RealizedTax,
    RebalanceResult,
    Trade,
)
from assetloc.rebalance.target import (
    Investable,
    Target,
    investable,
    post_flow_household,
    target_for,
)
from assetloc.rebalance.trades import CAPPED, ModelSpec, TradeSolution, Weights
from assetloc.rebalance.washsale import WashSaleGuard, build_guard, disallowed_losses
from assetloc.tax.gains import GainTax
from assetloc.types import RebalanceMode
from assetloc.units import CENT, usd

Mode = RebalanceMode
MODES: tuple[RebalanceMode, ...] = tuple(RebalanceMode)
FRACTION_QUANTUM = 1e-6  # shares
DUST = CENT  # dollars: trades, cash and carryforwards below a cent are zero


def _with_options(
    h: Household,
    mode: Mode | None,
    as_of: dt.date | None,
    tax_budget: float | None = None,
    gain_budget: float | None = None,
) -> Household:
    update: dict[str, Any] = {}
    for name, value in (("tax_budget", tax_budget), ("gain_budget", gain_budget)):
        if value is not None:
            if not math.isfinite(value) or value < 0:
                raise InputError(name, f"must be a number of dollars >= 0 (got {value!r})")
            update[name] = float(value)
    if mode is not None:
        if mode not in MODES:
            raise InputError("mode", f"must be one of {', '.join(MODES)} (got {mode!r})")
        update["mode"] = RebalanceMode(mode)
    if as_of is not None:
        update["as_of"] = as_of
    if not update:
        return h
    return h.model_copy(update={"rebalance": h.rebalance.model_copy(update=update)})


def _round_trades(
    book: Book, sol: TradeSolution, whole: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order quantities: (buy (K,S), sell (K,S), lot_sold (L,)) in shares."""
    q = 1.0 if whole else FRACTION_QUANTUM
    buy = np.floor(sol.buy / q + 1e-3) * q if not whole else np.round(sol.buy)
    lot_sold = np.minimum(
        np.round(sol.lot_sold / FRACTION_QUANTUM) * FRACTION_QUANTUM, book.lot_shares
    )
    price = np.nan_to_num(book.price)
    lot_sold = np.where(lot_sold * book.lot_price < DUST, 0.0, lot_sold)
    sell = np.zeros_like(sol.sell)
    untaxed = ~book.taxable[:, None] & (book.shares > 0)
    raw = np.where(untaxed, sol.sell, 0.0)
    sell = np.where(untaxed, np.minimum(np.round(raw / q) * q, book.shares), 0.0)
    np.add.at(sell, (book.lot_account, book.lot_security), lot_sold)
    buy = np.where(buy * price < DUST, 0.0, buy)
    sell = np.where(sell * price < DUST, 0.0, sell)
    return buy, sell, lot_sold


def _drop_unplaced(
    book: Book,
    sol: TradeSolution,
    buy: np.ndarray,
    sell: np.ndarray,
    lot_sold: np.ndarray,
    min_trade: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop orders whose binary is 0 or whose dollars are under ``min_trade`` (a cent of
    rounding allowed): solver tolerances can leave such dust, which the optimization never
    paid a cost per trade for. The cash check after (``_repair_cash``) sees what is left."""
    price = np.nan_to_num(book.price)
    keep_buy = buy * price >= min_trade - 0.01
    keep_sell = sell * price >= min_trade - 0.01
    if sol.buy_placed is not None and sol.sell_placed is not None:
        keep_buy &= sol.buy_placed
        keep_sell &= sol.sell_placed
    buy = np.where(keep_buy, buy, 0.0)
    sell = np.where(keep_sell, sell, 0.0)
    lot_sold = np.where(keep_sell[book.lot_account, book.lot_security], lot_sold, 0.0)
    return buy, sell, lot_sold


def _cash_after(book: Book, buy: np.ndarray, sell: np.ndarray, cost: float) -> np.ndarray:
    price = np.nan_to_num(book.price)
    orders = (buy > 0).sum(axis=1) + (sell > 0).sum(axis=1)
    cash: np.ndarray = (
        book.available_cash + (sell * price).sum(axis=1) - (buy * price).sum(axis=1) - cost * orders
    )
    return cash


def _repair_cash(
    book: Book, buy: np.ndarray, sell: np.ndarray, cost: float, whole: bool
) -> np.ndarray:
    """Trim purchases where rounding left an account short by more than half a cent."""
    q = 1.0 if whole else FRACTION_QUANTUM
    price = np.nan_to_num(book.price)
    cash = _cash_after(book, buy, sell, cost)
    for k in np.flatnonzero(cash < -DUST):
        s = int(np.argmax(buy[k] * price[k]))
        cut = math.ceil(-cash[k] / price[k, s] / q) * q
        buy[k, s] = max(0.0, buy[k, s] - cut)
    return buy


def _trades(
    book: Book,
    guard: WashSaleGuard,
    buy: np.ndarray,
    sell: np.ndarray,
    lot_sold: np.ndarray,
) -> tuple[list[Trade], list[str]]:
    dis = disallowed_losses(book, guard, lot_sold, buy)
    trades: list[Trade] = []
    flags: list[str] = []
    # the lots sold, in book order, grouped by position (account, security)
    sold = np.flatnonzero(lot_sold > 0)
    position = book.lot_account[sold] * book.s + book.lot_security[sold]
    order = np.argsort(position, kind="stable")
    sold = sold[order]
    starts = np.searchsorted(position[order], np.arange(book.k * book.s + 1)).tolist()
    # per lot sold, as Python floats (the same operations as lot by lot, in one pass)
    shares_sold = lot_sold[sold]
    sold_q = shares_sold.tolist()
    sold_basis = (book.lot_basis[sold] * shares_sold / book.lot_shares[sold]).tolist()
    sold_loss = dis.loss[sold].tolist()
    sold_perm = dis.permanent[sold].tolist()
    sold_long = book.lot_long_term[sold].tolist()
    sold_lot = sold.tolist()
    for k in range(book.k):
        for s in range(book.s):
            p = float(book.price[k, s])
            if sell[k, s] > 0:
                lots = []
                here = k * book.s + s
                for j in range(starts[here], starts[here + 1]):
                    lot, q, loss = sold_lot[j], sold_q[j], sold_loss[j]
                    wash = loss > 0
                    reason = dis.reasons.get(lot, "")
                    sale = LotSale(
                        field=book.lot_field[lot],
                        acquired=book.lot_acquired[lot],
                        shares=q,
                        cost_basis=sold_basis[j],
                        proceeds=q * p,
                        term="long" if sold_long[j] else "short",
                        wash_sale=wash,
                        wash_sale_reason=reason,
                        disallowed_loss=loss,
                        permanently_disallowed_loss=sold_perm[j],
                    )
                    lots.append(sale)
                    if wash:
                        perm = sold_perm[j]
                        flags.append(
                            f"{book.account_ids[k]}: selling {book.symbols[s]} lot "
                            f"{book.lot_acquired[lot]} at a loss of {usd(-sale.gain, 2)} is a wash "
                            f"sale: replacement shares were bought within 30 days ({reason}); "
                            f"{usd(loss, 2)} of the loss is disallowed and earns no "
                            f"credit here ({usd(perm, 2)} permanently, matched with purchases "
                            "in an IRA, Roth or HSA; the rest is added to the replacement "
                            "shares' basis)"
                        )
                trades.append(
                    Trade(
                        book.account_ids[k],
                        book.account_types[k],
                        book.symbols[s],
                        "sell",
                        float(sell[k, s]),
                        p,
                        tuple(lots),
                    )
                )
            if buy[k, s] > 0:
                trades.append(
                    Trade(
                        book.account_ids[k],
                        book.account_types[k],
                        book.symbols[s],
                        "buy",
                        float(buy[k, s]),
                        p,
                    )
                )
    return trades, flags


def _positions(book: Book, shares: np.ndarray, k: int) -> dict[str, float]:
    return {book.symbols[s]: float(shares[k, s]) for s in range(book.s) if shares[k, s] > 0}


def _nets(trades: list[Trade]) -> tuple[float, float, float, float, float, float]:
    """(ST gain, LT gain, ST taxed, LT taxed, disallowed, permanent) of the trades' lot
    sales, dollars; "taxed" counts the losses wash sales disallow as zero."""
    st = lt = st_eff = lt_eff = disallowed = permanent = 0.0
    for t in trades:
        for lot in t.lots:
            eff = lot.gain + lot.disallowed_loss
            disallowed += lot.disallowed_loss
            permanent += lot.permanently_disallowed_loss
            if lot.term == "short":
                st += lot.gain
                st_eff += eff
            else:
                lt += lot.gain
                lt_eff += eff
    return st, lt, st_eff, lt_eff, disallowed, permanent


RATE_DIGITS = 8  # marginal rates are reported to 8 decimals (float noise of the difference)


def _tax_summary(trades: list[Trade], gain_tax: GainTax) -> RealizedTax:
    st, lt, st_eff, lt_eff, disallowed, permanent = _nets(trades)
    detail = plan_tax(gain_tax, st_eff, lt_eff)
    return RealizedTax(
        short_term_gain=st,
        long_term_gain=lt,
        estimated_tax=detail.tax,
        disallowed_loss=disallowed,
        permanently_disallowed_loss=permanent,
        short_term_rate=round(gain_tax.short_term_rate, RATE_DIGITS),
        long_term_rate=round(gain_tax.long_term_rate, RATE_DIGITS),
        allow_losses=gain_tax.allow_losses,
        taxed_short_term_gain=st_eff,
        taxed_long_term_gain=lt_eff,
        carryforward_short_term=detail.carryforward_short_term + 0.0,  # never -0.0
        carryforward_long_term=detail.carryforward_long_term + 0.0,
        loss_deducted=detail.loss_deducted + 0.0,
        source=gain_tax.source,
    )


def days_to_long_term(book: Book) -> np.ndarray:
    """(L,) days from the trade date until each lot may be sold long-term (0 if it is)."""
    first = anniversary_day(book.lot_day) + 1  # the day after the anniversary
    days = np.maximum(first - book.as_of.toordinal(), 0)
    return np.asarray(np.where(book.lot_long_term, 0, days), dtype=int)


def near_long_term(book: Book, days: np.ndarray | None = None) -> np.ndarray:
    """(L,) True for lots at a short-term gain that turn long-term within 30 days
    (``days``: :func:`days_to_long_term`, when already computed)."""
    days = days_to_long_term(book) if days is None else days
    return (
        ~book.lot_long_term
        & (book.lot_gain_per_share > 0)
        & (days >= 1)
        & (days <= NEAR_LONG_TERM_DAYS)
    )


def _near_long_term_sales(
    book: Book, trades: list[Trade], gain_tax: GainTax, tax: RealizedTax
) -> list[NearLongTerm]:
    """Lots sold at a short-term gain that turn long-term within 30 days, with the tax of
    the plan minus its tax had that lot's gain been long-term (dollars, by the gain tax)."""
    days = days_to_long_term(book)
    near = near_long_term(book, days)
    index = {book.lot_field[i]: int(i) for i in np.flatnonzero(near)}  # other lots: not near
    out: list[NearLongTerm] = []
    if not index:
        return out
    st, lt = tax.taxed_short_term_gain, tax.taxed_long_term_gain
    for t in trades:
        for sale in t.lots:
            lot = index.get(sale.field, -1)
            gain = sale.gain + sale.disallowed_loss
            if lot < 0 or sale.term != "short" or gain <= 0:
                continue
            waited = plan_tax(gain_tax, st - gain, lt + gain).tax
            out.append(
                NearLongTerm(
                    account=t.account,
                    symbol=t.symbol,
                    lot=sale.field,
                    acquired=sale.acquired,
                    long_term_on=long_term_on(sale.acquired),
                    days_to_long_term=int(days[lot]),
                    gain=gain,
                    tax_saved_by_waiting=tax.estimated_tax - waited,
                )
            )
    return out


def _near_long_term_note(x: NearLongTerm) -> str:
    day = "day" if x.days_to_long_term == 1 else "days"
    return (
        f"{x.account}: {x.symbol} lot {x.acquired} is sold at a short-term gain of "
        f"{usd(x.gain, 2)}; it turns long-term on {x.long_term_on} ({x.days_to_long_term} "
        f"{day}), and waiting would save {usd(x.tax_saved_by_waiting, 2)} of this plan's tax "
        "(defer_near_long_term = true in [rebalance] forbids such sales)"
    )


def _deferred(book: Book, blocked: np.ndarray) -> list[DeferredLot]:
    days = days_to_long_term(book)
    return [
        DeferredLot(
            account=book.account_ids[int(book.lot_account[lot])],
            symbol=book.symbols[int(book.lot_security[lot])],
            lot=book.lot_field[lot],
            acquired=book.lot_acquired[lot],
            long_term_on=long_term_on(book.lot_acquired[lot]),
            days_to_long_term=int(days[lot]),
            unrealized_gain=float(book.lot_gain_per_share[lot] * book.lot_shares[lot]),
        )
        for lot in map(int, np.flatnonzero(blocked))
    ]


def _deferred_note(lots: list[DeferredLot]) -> str:
    parts = [
        f"{x.account} {x.symbol} lot {x.acquired} (long-term on {x.long_term_on}, "
        f"{usd(x.unrealized_gain, 2)} of gain)"
        for x in lots
    ]
    return (
        "defer_near_long_term: lots at a short-term gain that turn long-term within "
        f"{NEAR_LONG_TERM_DAYS} days are not sold: " + "; ".join(parts)
    )


def _decide(mode: str, any_out: bool, flows: bool) -> tuple[str, str]:
    """(action, reason) for the requested mode."""
    if mode == "full":
        return "full", "full rebalance toward the target"
    if mode == "cash_flow_only":
        return "cash_flow_only", "cash flows only: no sales beyond what withdrawals need"
    if any_out:
        return "full", "a class is out of its band: full rebalance"
    if flows:
        return "cash_flow_only", "every class is within its band: only the cash flows are placed"
    return "none", "every class is within its band and there are no cash flows: no trades"


CASH = "cash"  # the row of uninvested cash in allocation tables and the band check
CASH_SHARE = 0.005  # an account may keep this share of its value (or min_trade) as cash


def model_spec(
    h: Household,
    book: Book,
    target: Target,
    guard: WashSaleGuard,
    sales: str,
    gain_tax: GainTax | None = None,
) -> ModelSpec:
    """The optimization's inputs for ``h`` (sales: "all" or "cash_flow"; ``gain_tax``: the
    household's, by default from the file)."""
    opts = h.rebalance
    band_share = band_widths(target.shares, opts.band_absolute, opts.band_relative)
    weight = 0.01 if opts.distance_weight is None else opts.distance_weight
    return ModelSpec(
        book=book,
        target=target.dollars,
        band=band_share * target.total,
        gain_tax=gain_tax_of(h) if gain_tax is None else gain_tax,
        buy_blocked=guard.buy_blocked(book),
        loss_void=guard.lot_flagged(book),
        loss_forfeit=guard.lot_forfeit(book),
        sales="all" if sales == "all" else "cash_flow",
        whole_shares=opts.whole_shares,
        min_trade=opts.min_trade,
        cost_per_trade=opts.cost_per_trade,
        weights=Weights(household=weight),
        cash_target=np.zeros(book.k),
        cash_band=float(cash_band(book, _totals(book), opts.min_trade).sum()),
        cash_allowance=cash_band(book, _totals(book), opts.min_trade),
        lot_blocked=near_long_term(book) if opts.defer_near_long_term else None,
    )


def _totals(book: Book) -> np.ndarray:
    """(K,) dollars each account holds after the cash flows."""
    totals: np.ndarray = book.value.sum(axis=1) + book.available_cash
    return totals


@dataclass(frozen=True)
class Prepared:
    """A rebalance's inputs: the book, the investable target, its plan and valuation."""

    household: Household
    book: Book
    invest: Investable
    plan: Plan
    target: Target
    valuation: Valuation
    method: dict[str, Any]  # universe (with the classes dropped here) and returns


def prepare(h: Household) -> Prepared:
    """Book, investable target and valuation of ``h`` (options already applied).

    The target is the optimizer's plan on the post-flow balances with each account's menu
    restricted to the classes it can buy and classes nobody can buy left out
    (:func:`~assetloc.rebalance.target.investable`).
    """
    h_post = post_flow_household(h)
    market = resolve_market(h_post)
    ids = market.ids
    book = build_book(h, ids)
    invest = investable(h_post, ids, book.classes, book.buyable, book.split)
    if invest.dropped:
        keep = [j for j, c in enumerate(book.classes) if c not in invest.dropped]
        book = replace(
            book, classes=tuple(book.classes[j] for j in keep), split=book.split[:, keep]
        )
    plan = optimize(invest.household)
    target = target_for(plan, book.classes)
    book = replace(book, buyable=book.buyable & fits_target(book.split, target.dollars))
    val = valuation(plan, book, h.investor.horizon_years)
    universe = universe_summary(market)
    universe["excluded"].update(
        {c: "no security any account can buy maps to it" for c in invest.dropped}
    )
    universe["classes"] = [c for c in universe["classes"] if c not in invest.dropped]
    if invest.dropped:
        universe["rule"] += "; less the classes no account can buy"
    method = {**method_summary(plan.problem.market), "universe": universe}
    return Prepared(h, book, invest, plan, target, val, method)


FIT_SHARE = 0.5  # a security is bought where at least this share of it is in target classes


def fits_target(split: np.ndarray, target: np.ndarray) -> np.ndarray:
    """(K, S) True where at least half of a security's dollar (``split`` (S, C)) is in
    classes the account's own target holds (``target`` (K, C) dollars): an account buys
    only what its target holds (no municipal bonds bought in a Roth IRA to make up for a
    taxable account that cannot sell its stocks without tax)."""
    held = (target > 0.5).astype(float)  # at least 50 cents of target
    fits: np.ndarray = held @ split.T >= FIT_SHARE - 1e-12
    return fits


def _finish(
    book: Book,
    guard: WashSaleGuard,
    sol: TradeSolution,
    h: Household,
    val: Valuation,
    gain_tax: GainTax,
) -> Outcome:
    """Round ``sol`` to orders and value them (tax, gain, costs, utility)."""
    opts = h.rebalance
    buy, sell, lot_sold = _round_trades(book, sol, opts.whole_shares)
    buy, sell, lot_sold = _drop_unplaced(book, sol, buy, sell, lot_sold, opts.min_trade)
    buy = _repair_cash(book, buy, sell, opts.cost_per_trade, opts.whole_shares)
    tax, gain = _tax_of(book, guard, buy, sell, lot_sold, gain_tax)
    shares = np.maximum(book.shares + buy - sell, 0.0)
    cash = _cash_after(book, buy, sell, opts.cost_per_trade)
    costs = opts.cost_per_trade * int((buy > 0).sum() + (sell > 0).sum())
    return Outcome(sol, buy, sell, lot_sold, tax, gain, costs, val.utility(shares, cash), cash)


def _tax_of(
    book: Book,
    guard: WashSaleGuard,
    buy: np.ndarray,
    sell: np.ndarray,
    lot_sold: np.ndarray,
    gain_tax: GainTax,
) -> tuple[float, float]:
    """(reported tax, net gain after disallowed losses) of orders, dollars: the same
    figures as :func:`_tax_summary` of their trades, vectorized (the gain tax of the nets)."""
    st, lt = taxed_nets(book, guard, buy, sell, lot_sold)
    return plan_tax(gain_tax, st, lt).tax, st + lt


def taxed_nets(
    book: Book, guard: WashSaleGuard, buy: np.ndarray, sell: np.ndarray, lot_sold: np.ndarray
) -> tuple[float, float]:
    """(net short-term, net long-term) gain of lot sales after the losses wash sales
    disallow (share matching), dollars."""
    dis = disallowed_losses(book, guard, lot_sold, buy)
    eff = lot_sold * book.lot_gain_per_share + np.where(lot_sold > 0, dis.loss, 0.0)
    return float(eff[~book.lot_long_term].sum()), float(eff[book.lot_long_term].sum())


def cash_band(book: Book, totals: np.ndarray, min_trade: float) -> np.ndarray:
    """(K,) dollars of uninvested cash each account may keep: max(min_trade, 0.5% of it)."""
    return np.maximum(min_trade, CASH_SHARE * totals)


def _with_cash(d: Drift, alloc: Allocation, target_cash: float, band: float) -> Drift:
    """``d`` with a cash row (share of uninvested cash, its target and band)."""
    tot = alloc.total
    share = float(alloc.cash.sum()) / tot if tot > 0 else 0.0
    return Drift(
        (*d.classes, CASH),
        np.append(d.shares, share),
        np.append(d.target, target_cash),
        np.append(d.band, band),
    )


def _distance(d: Drift, total: float, binds: list[str]) -> dict[str, Any]:
    """How far from the target the household ends (dollars, percentage points)."""
    half = 0.5 * float(np.abs(d.drift).sum())
    return {
        "dollars": half * total,
        "points": 100.0 * half,
        "measure": "half the sum of |share - target| over the classes and cash: the share of "
        "the household that would still have to move",
        "out_of_band": d.out_classes(),
        "budget_binds": binds,
    }


def _stranded(
    book: Book,
    cash_after: np.ndarray,
    totals: np.ndarray,
    target_cash: np.ndarray,
    allowance: np.ndarray,
    invest: Investable,
    opts: Any,
) -> list[str]:
    """Why an account keeps more than its allowance of uninvested cash, one line each."""
    out = []
    for k in range(book.k):
        extra = cash_after[k] - target_cash[k]
        if extra <= allowance[k] + DUST:
            continue
        acc = book.account_ids[k]
        if not invest.menus[k]:
            why = "it can buy no security of the target's classes"
        elif opts.whole_shares:
            why = "whole shares: what is left buys less than one share of what it needs"
        elif opts.min_trade > 0:
            why = f"the minimum trade ({usd(opts.min_trade, 2)})"
        else:
            why = "the securities it can buy would move it away from its target"
        out.append(
            f"{acc}: {usd(cash_after[k], 2)} stays uninvested "
            f"(allowance {usd(allowance[k], 2)}): {why}"
        )
    return out


def rebalance(
    h: Household,
    *,
    mode: Mode | None = None,
    as_of: dt.date | None = None,
    tax_budget: float | None = None,
    gain_budget: float | None = None,
    ledger: LedgerContext | None = None,
    ledger_notes: Sequence[str] = (),
) -> RebalanceResult:
    """Tax-aware rebalance of ``h`` toward its optimized target (see the module doc).

    ``mode``, ``as_of``, ``tax_budget`` and ``gain_budget`` (dollars) override the file's
    ``[rebalance]`` options. ``ledger``: the household's ledger
    (:func:`assetloc.ledger.context.apply_ledger`, which also completed ``h``); when the
    lots come from it, the reported wash sales are the ledger engine's
    (:mod:`~assetloc.rebalance.ledger_wash`); ``ledger_notes`` join the result's notes.

    Raises :class:`~assetloc.errors.InputError` (exit 2) on bad input,
    :class:`~assetloc.errors.InfeasibleError` (exit 3) when a withdrawal cannot be raised
    under the order rules (or within the tax budget), :class:`~assetloc.errors.SolverError`
    (exit 4).
    """
    h = _with_options(h, mode, as_of, tax_budget, gain_budget)
    opts = h.rebalance
    prep = prepare(h)
    gain_tax = gain_tax_of(h)
    book, target, val = prep.book, prep.target, prep.valuation
    guard = build_guard(h, book)
    band_share = band_widths(target.shares, opts.band_absolute, opts.band_relative)
    totals = _totals(book)
    allowance = cash_band(book, totals, opts.min_trade)
    target_cash = np.zeros(book.k)  # the target holds no uninvested cash
    cash_share = float(target_cash.sum()) / target.total if target.total > 0 else 0.0
    cash_bandw = float(allowance.sum()) / target.total if target.total > 0 else 0.0
    before = allocation(book, book.shares, book.cash)
    drift_before = _with_cash(
        drift(before, target.shares, band_share), before, cash_share, cash_bandw
    )
    flows = bool((book.contribution > 0).any() or (book.withdrawal > 0).any())
    action, reason = _decide(opts.mode, drift_before.any_out, flows)

    u_today = val.utility(book.shares, book.available_cash)
    binding: list[str] = []
    solver_info: dict[str, Any] = {"solver": "HiGHS (highspy)", "solved": False}
    decision: Decision | None = None
    if action == "none":
        buy = np.zeros_like(book.shares)
        sell = np.zeros_like(book.shares)
        lot_sold = np.zeros(book.n_lots)
    else:
        sales = "all" if action == "full" else "cash_flow"
        spec = model_spec(h, book, target, guard, sales, gain_tax)

        def evaluate(sol: TradeSolution) -> Outcome:
            return _finish(book, guard, sol, h, val, gain_tax)

        def solution_tax(sol: TradeSolution) -> float:
            st, lt = taxed_nets(book, guard, sol.buy, sol.sell, sol.lot_sold)
            return plan_tax(gain_tax, st, lt).tax

        decision = decide(
            spec,
            evaluate,
            val,
            opts.tax_budget,
            opts.gain_budget,
            legacy=opts.distance_weight is not None,
            solution_tax=solution_tax,
        )
        chosen = decision.chosen
        sol = chosen.sol
        buy, sell, lot_sold = chosen.buy, chosen.sell, chosen.lot_sold
        cap = decision.cap
        bind_spec = spec.relaxed(tax_cap=cap, gain_cap=opts.gain_budget)
        if decision.rule == "cost_benefit":
            bind_spec = bind_spec.relaxed(weights=CAPPED)
        binding = binding_constraints(bind_spec, sol, decision.full_excess)
        solver_info = {
            "solver": "HiGHS (highspy)",
            "solved": True,
            "status": sol.status,
            "problem": "MILP" if sol.n_integer else "LP",
            "variables": sol.n_vars,
            "rows": sol.n_rows,
            "integer_variables": sol.n_integer,
            "stages": sol.stages,
            "wash_sale_lps": sol.lp_nodes,
            "gap_to_lp_bound": sol.mip_gap,
            "seconds": sol.seconds,
            "objective_dollars": sol.objective,
            "model_tax": sol.tax,
        }

    trades, flags = _trades(book, guard, buy, sell, lot_sold)
    if ledger is not None and ledger.positions:
        trades, flags = ledger_wash_sales(trades, ledger, guard.future)
    after_shares = np.maximum(book.shares + buy - sell, 0.0)
    cash_after = _cash_after(book, buy, sell, opts.cost_per_trade)
    cash_after = np.where(np.abs(cash_after) < DUST, 0.0, cash_after)
    after: Allocation = allocation(book, after_shares, cash_after)
    drift_after = _with_cash(drift(after, target.shares, band_share), after, cash_share, cash_bandw)
    if action == "none":
        drift_after = drift_before
    if drift_after.any_out and not binding:
        out = ", ".join(drift_after.out_classes())
        if decision is not None and decision.rule == "cost_benefit":
            why = (
                "the cost-benefit rule: closing the gap would realize gains whose tax "
                "exceeds the modelled benefit"
            )
            if decision.budget_binds:
                why = f"the {' and '.join(decision.budget_binds)}"
        else:
            why = "rounding the orders (whole shares, minimum trade) and trading costs"
        binding = [f"outside the bands after the trades: {out} ({why})"]
    stranded = _stranded(book, cash_after, totals, target_cash, allowance, prep.invest, opts)
    accounts = tuple(
        AccountState(
            id=book.account_ids[k],
            type=book.account_types[k],
            contribution=float(book.contribution[k]),
            withdrawal=float(book.withdrawal[k]),
            cash_before=float(book.cash[k]),
            cash_after=float(cash_after[k]),
            positions_before=_positions(book, book.shares, k),
            positions_after=_positions(book, after_shares, k),
        )
        for k in range(book.k)
    )
    losses = sorted(
        {
            book.groups[book.security_index(t.symbol)]
            for t in trades
            if t.side == "sell" and any(lot.gain < 0 for lot in t.lots)
        }
    )
    notes = list(ledger_notes) + list(book.notes) + list(prep.invest.notes) + list(guard.notes)
    tax = _tax_summary(trades, gain_tax)
    near = _near_long_term_sales(book, trades, gain_tax, tax)
    notes += [_near_long_term_note(x) for x in near]
    deferred = _deferred(book, near_long_term(book)) if opts.defer_near_long_term else []
    if deferred:
        notes.append(_deferred_note(deferred))
    if tax.carryforward > DUST:
        notes.append(
            f"a net capital loss of {usd(tax.carryforward, 2)} is not deductible this year and "
            "carries forward (short-term "
            f"{usd(tax.carryforward_short_term, 2)}, "
            f"long-term {usd(tax.carryforward_long_term, 2)})"
        )
    n_orders = len(trades)
    costs = opts.cost_per_trade * n_orders
    if decision is None:
        u_after = val.utility(after_shares, cash_after)
        none = Outcome(
            _no_solution(book),
            buy,
            sell,
            lot_sold,
            tax.estimated_tax,
            0.0,
            costs,
            u_after,
            cash_after,
        )
        decision = Decision(none, none, None, "none", None)
    dist = _distance(drift_after, after.total, list(decision.budget_binds))
    cost_benefit = report(decision, val, u_today, after.total, dist)
    return RebalanceResult(
        as_of=book.as_of,
        mode=opts.mode,
        action=action,
        reason=reason,
        trades=tuple(trades),
        accounts=accounts,
        tax=tax,
        trading_costs=costs,
        classes=book.classes,
        target=target.dollars,
        before=before,
        after=after,
        drift_before=drift_before,
        drift_after=drift_after,
        binding=tuple(binding),
        wash_sale_flags=tuple(flags),
        blocked_groups=dict(guard.blocked),
        avoid_buying=tuple(losses),
        notes=tuple(notes),
        solver=solver_info,
        cost_benefit=cost_benefit,
        dropped_classes=prep.invest.dropped,
        target_cash=target_cash,
        cash_allowance=allowance,
        stranded_cash=tuple(stranded),
        labels=class_labels(prep.plan),
        method=prep.method,
        near_long_term=tuple(near),
        deferred_lots=tuple(deferred),
        defer_near_long_term=opts.defer_near_long_term,
    )


def class_labels(plan: Plan) -> dict[str, str]:
    """Human labels of the plan's classes and of the rest of its preset (for tables)."""
    m = plan.problem.market
    labels = dict(zip(m.ids, m.labels, strict=True))
    if m.name in preset_names():
        full = load_preset(m.name)
        labels = {**dict(zip(full.ids, full.labels, strict=True)), **labels}
    return labels


def _no_solution(book: Book) -> TradeSolution:
    """A placeholder solution for a rebalance that does not trade."""
    z = np.zeros((book.k, book.s))
    return TradeSolution(
        buy=z,
        sell=z,
        lot_sold=np.zeros(book.n_lots),
        tax=0.0,
        band_excess=np.zeros(book.c),
        household_deviation=np.zeros(book.c),
        objective=0.0,
        stage1_objective=0.0,
        status="not solved",
        seconds=0.0,
        n_vars=0,
        n_rows=0,
        n_integer=0,
        stages=0,
    )

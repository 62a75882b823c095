"""Rebalance a household: target after cash flows → trade optimization → orders and checks.

Steps (each in its own module):

1. :mod:`~assetloc.rebalance.target`: the optimizer's plan on the post-cash-flow balances;
2. :mod:`~assetloc.rebalance.book`: holdings as arrays, with the input checks;
3. :mod:`~assetloc.rebalance.current`: allocation, drift and bands today;
4. :mod:`~assetloc.rebalance.washsale`: the wash-sale guard;
5. :mod:`~assetloc.rebalance.trades`: the LP/MILP (HiGHS);
6. rounding to order quantities, the after state, the realized gains and the estimated tax;
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
from typing import Any, Literal, get_args

import numpy as np

from assetloc.errors import InputError
from assetloc.household import Household
from assetloc.rebalance.binding import binding_constraints
from assetloc.rebalance.book import Book, build_book
from assetloc.rebalance.current import Allocation, allocation, band_widths, drift
from assetloc.rebalance.result import (
    AccountState,
    LotSale,
    RebalanceResult,
    TaxSummary,
    Trade,
)
from assetloc.rebalance.target import Target, plan_after_flows, target_for
from assetloc.rebalance.tax import TaxRates, schedule_d_tax
from assetloc.rebalance.trades import ModelSpec, TradeSolution, Weights, solve
from assetloc.rebalance.washsale import WashSaleGuard, build_guard, disallowed_losses
from assetloc.taxes import tax_profile

Mode = Literal["full", "cash_flow_only", "within_bands"]
MODES: tuple[str, ...] = get_args(Mode)
FRACTION_QUANTUM = 1e-6  # shares
DUST = 0.005  # dollars


def _with_options(h: Household, mode: Mode | None, as_of: dt.date | None) -> Household:
    update: dict[str, Any] = {}
    if mode is not None:
        if mode not in MODES:
            raise InputError("mode", f"must be one of {', '.join(MODES)} (got {mode!r})")
        update["mode"] = mode
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
    return (
        book.available_cash + (sell * price).sum(axis=1) - (buy * price).sum(axis=1) - cost * orders
    )


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
    dis = disallowed_losses(book, guard, lot_sold, buy, sell)
    trades: list[Trade] = []
    flags: list[str] = []
    for k in range(book.k):
        for s in range(book.s):
            p = float(book.price[k, s])
            if sell[k, s] > 0:
                lots = []
                for lot_ix in np.flatnonzero((book.lot_account == k) & (book.lot_security == s)):
                    lot = int(lot_ix)
                    q = float(lot_sold[lot])
                    if q <= 0:
                        continue
                    basis = float(book.lot_basis[lot] * q / book.lot_shares[lot])
                    wash = bool(dis.loss[lot] > 0)
                    reason = dis.reasons.get(lot, "")
                    sale = LotSale(
                        field=book.lot_field[lot],
                        acquired=book.lot_acquired[lot],
                        shares=q,
                        cost_basis=basis,
                        proceeds=q * p,
                        term="long" if book.lot_long_term[lot] else "short",
                        wash_sale=wash,
                        wash_sale_reason=reason,
                        disallowed_loss=float(dis.loss[lot]),
                        permanently_disallowed_loss=float(dis.permanent[lot]),
                    )
                    lots.append(sale)
                    if wash:
                        perm = float(dis.permanent[lot])
                        flags.append(
                            f"{book.account_ids[k]}: selling {book.symbols[s]} lot "
                            f"{book.lot_acquired[lot]} at a loss of ${-sale.gain:,.2f} is a wash "
                            f"sale: replacement shares were bought within 30 days ({reason}); "
                            f"${dis.loss[lot]:,.2f} of the loss is disallowed and earns no "
                            f"credit here (${perm:,.2f} permanently, matched with purchases "
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


def _tax_summary(trades: list[Trade], rates: TaxRates) -> TaxSummary:
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
    return TaxSummary(
        short_term_gain=st,
        long_term_gain=lt,
        estimated_tax=schedule_d_tax(st_eff, lt_eff, rates),
        disallowed_loss=disallowed,
        permanently_disallowed_loss=permanent,
        short_term_rate=rates.short_term,
        long_term_rate=rates.long_term,
        allow_losses=rates.allow_losses,
    )


def tax_rates(h: Household) -> TaxRates:
    """Short- and long-term gain rates from the investor's tax profile (all-in decimals)."""
    prof = tax_profile(h.investor)
    return TaxRates(prof.short_term, prof.long_term, h.rebalance.allow_losses)


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


def model_spec(
    h: Household, book: Book, target: Target, guard: WashSaleGuard, sales: str
) -> ModelSpec:
    """The optimization's inputs for ``h`` (sales: "all" or "cash_flow")."""
    opts = h.rebalance
    band_share = band_widths(target.shares, opts.band_absolute, opts.band_relative)
    rates = tax_rates(h)
    return ModelSpec(
        book=book,
        target=target.dollars,
        band=band_share * target.total,
        rates=rates,
        buy_blocked=guard.buy_blocked(book),
        loss_void=guard.lot_flagged(book),
        loss_forfeit=guard.lot_forfeit(book),
        sales="all" if sales == "all" else "cash_flow",
        whole_shares=opts.whole_shares,
        min_trade=opts.min_trade,
        cost_per_trade=opts.cost_per_trade,
        weights=Weights(household=opts.distance_weight),
    )


def rebalance(
    h: Household, *, mode: Mode | None = None, as_of: dt.date | None = None
) -> RebalanceResult:
    """Tax-aware rebalance of ``h`` toward its optimized target (see the module doc).

    ``mode`` and ``as_of`` override the file's ``[rebalance]`` options. Raises
    :class:`~assetloc.errors.InputError` (exit 2) on bad input,
    :class:`~assetloc.errors.InfeasibleError` (exit 3) when a withdrawal cannot be raised
    under the order rules, :class:`~assetloc.errors.SolverError` (exit 4).
    """
    h = _with_options(h, mode, as_of)
    opts = h.rebalance
    plan = plan_after_flows(h)
    book = build_book(h, plan.problem.market.ids)
    target = target_for(plan, book.classes)
    guard = build_guard(h, book)
    band_share = band_widths(target.shares, opts.band_absolute, opts.band_relative)
    before = allocation(book, book.shares, book.cash)
    drift_before = drift(before, target.shares, band_share)
    flows = bool((book.contribution > 0).any() or (book.withdrawal > 0).any())
    action, reason = _decide(opts.mode, drift_before.any_out, flows)

    rates = tax_rates(h)
    binding: list[str] = []
    solver_info: dict[str, Any] = {"solver": "HiGHS (highspy)", "solved": False}
    if action == "none":
        buy = np.zeros_like(book.shares)
        sell = np.zeros_like(book.shares)
        lot_sold = np.zeros(book.n_lots)
    else:
        spec = model_spec(h, book, target, guard, "all" if action == "full" else "cash_flow")
        sol = solve(spec)
        buy, sell, lot_sold = _round_trades(book, sol, opts.whole_shares)
        buy, sell, lot_sold = _drop_unplaced(book, sol, buy, sell, lot_sold, opts.min_trade)
        buy = _repair_cash(book, buy, sell, opts.cost_per_trade, opts.whole_shares)
        binding = binding_constraints(spec, sol)
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
    after_shares = np.maximum(book.shares + buy - sell, 0.0)
    cash_after = _cash_after(book, buy, sell, opts.cost_per_trade)
    cash_after = np.where(np.abs(cash_after) < DUST, 0.0, cash_after)
    after: Allocation = allocation(book, after_shares, cash_after)
    drift_after = drift(after, target.shares, band_share)
    if action == "none":
        drift_after = drift(before, target.shares, band_share)
    if drift_after.any_out and not binding:
        out = ", ".join(drift_after.out_classes())
        why = "rounding the orders (whole shares, minimum trade) and trading costs"
        binding = [f"outside the bands after the trades: {out} ({why})"]
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
    notes = list(book.notes) + list(guard.notes)
    n_orders = len(trades)
    return RebalanceResult(
        as_of=book.as_of,
        mode=opts.mode,
        action=action,
        reason=reason,
        trades=tuple(trades),
        accounts=accounts,
        tax=_tax_summary(trades, rates),
        trading_costs=opts.cost_per_trade * n_orders,
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
    )

"""One simulated year's cash flows at a trial withdrawal X, and the gross-up solving X.

:func:`evaluate` takes X, the cash the accounts must give this year (today's dollars per
path), and works out where it comes from (RMDs first, then the withdrawal order; before
retirement, taxable accounts only; a negative X is saved in the taxable accounts), the
taxable accounts' rebalancing (cash first, then sales from the top lots), and the year's
tax. :func:`gross_up` solves X = need(X) = spending − benefits + (tax − tax on wages) per
path by the secant method (``fill_bracket`` also iterates the traditional withdrawal that
fills the bracket), to :data:`TOLERANCE` dollars.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assetloc.simulate.spec import EngineSpec
from assetloc.simulate.taxable_lots import SaleTable
from assetloc.simulate.withdrawals import in_order, pro_rata, proportional
from assetloc.types import FloatArray

#: Gross-up tolerance, today's dollars: |X − need(X)| on every path.
TOLERANCE = 0.01
MAX_ITERATIONS = 60


@dataclass(frozen=True)
class Layout:
    """Which accounts are which: ``tx`` taxable (global indices), ``ot`` the others;
    ``trad``, ``roth``, ``hsa`` positions within ``ot``; ``deferred_ot`` (len(ot),) bool."""

    tx: list[int]
    ot: list[int]
    trad: list[int]
    roth: list[int]
    hsa: list[int]
    deferred_ot: np.ndarray

    @classmethod
    def of(cls, spec: EngineSpec) -> Layout:
        """The layout of ``spec``'s accounts."""
        kinds = spec.kinds
        ot = [k for k, kind in enumerate(kinds) if kind != "taxable"]
        local = [kinds[k] for k in ot]
        return cls(
            tx=[k for k, kind in enumerate(kinds) if kind == "taxable"],
            ot=ot,
            trad=[j for j, kd in enumerate(local) if kd == "traditional"],
            roth=[j for j, kd in enumerate(local) if kd == "roth"],
            hsa=[j for j, kd in enumerate(local) if kd == "hsa"],
            deferred_ot=np.array([spec.deferred[k] for k in ot], dtype=bool),
        )


@dataclass(frozen=True)
class YearInputs:
    """The year's state before its flows (today's dollars; arrays with a path axis).

    ``rmd`` (P, len(ot)) required distributions; ``bal_ot`` balances of the other
    accounts after returns and contributions; ``avail_tx`` (P, A) taxable accounts' value
    plus their cash; ``values`` (P, A, n) their holdings; ``w_tx`` their target shares;
    ``table`` their lots' sale table (None without taxable accounts); ``deflator``
    (1 + π)^(t+1); ``income`` the year's income before sales and distributions.
    """

    t: int
    retired: bool
    spend: float
    social_security: float
    rmd: FloatArray
    bal_ot: FloatArray
    avail_tx: FloatArray
    values: FloatArray
    w_tx: FloatArray
    table: SaleTable | None
    deflator: float
    income: dict[str, FloatArray]
    wage_tax: float
    schedule: FloatArray | None = None  # (K,) this year's fixed withdrawals, if any


@dataclass
class YearFlows:
    """One evaluation of the year's flows at a given X (all arrays today's dollars)."""

    x: FloatArray
    need: FloatArray
    take_tx: FloatArray
    take_ot: FloatArray
    deposit_tx: FloatArray
    sell: FloatArray
    buy: FloatArray
    gains: FloatArray  # (P, A) realized on sales
    shortfall: FloatArray
    lines: dict[str, FloatArray]
    income: dict[str, FloatArray]
    trad_target: FloatArray


def evaluate(
    spec: EngineSpec, layout: Layout, year: YearInputs, x: FloatArray, trad_target: FloatArray
) -> YearFlows:
    """The year's flows and tax if the accounts give ``x`` (P,) (module docstring)."""
    rmd, bal_ot, avail_tx = year.rmd, year.bal_ot, year.avail_tx
    if year.schedule is not None and year.retired:
        take_tx, take_ot, dep_tx_total, short = _scheduled(layout, year, x)
        return _flows(spec, layout, year, x, trad_target, take_tx, take_ot, dep_tx_total, short)
    forced = rmd.copy()
    if spec.order == "fill_bracket" and year.retired and layout.trad:
        forced[:, layout.trad] = np.maximum(
            forced[:, layout.trad], pro_rata(trad_target, bal_ot[:, layout.trad])
        )
    need = x - forced.sum(axis=1)
    deposit = np.maximum(-need, 0.0)
    room = bal_ot - forced
    groups = [room[:, layout.trad], room[:, layout.roth], room[:, layout.hsa]]
    take_ot = np.zeros_like(bal_ot)
    if not year.retired:
        takes, short = in_order(need, [avail_tx])
    elif spec.order == "proportional":
        takes, short = proportional(need, [avail_tx, *groups])
    else:
        takes, short = in_order(need, [avail_tx, *groups])
    take_tx = takes[0]
    for local, part in zip((layout.trad, layout.roth, layout.hsa), takes[1:], strict=False):
        take_ot[:, local] = part
    take_ot = take_ot + forced
    return _flows(spec, layout, year, x, trad_target, take_tx, take_ot, deposit, short)


def _scheduled(
    layout: Layout, year: YearInputs, x: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """A fixed schedule: what each account gives, the deposit and the shortfall at need x."""
    assert year.schedule is not None
    sched = year.schedule
    take_ot = np.minimum(np.maximum(year.rmd, sched[layout.ot][None, :]), year.bal_ot)
    take_tx = np.minimum(
        np.broadcast_to(sched[layout.tx][None, :], year.avail_tx.shape), year.avail_tx
    )
    out = take_ot.sum(axis=1) + take_tx.sum(axis=1)
    return take_tx, take_ot, np.maximum(out - x, 0.0), np.maximum(x - out, 0.0)


#: bisection steps of the rebalancing share a gain budget allows (2^-12 of the trades)
CAP_STEPS = 12


def capped_rebalance(
    year: YearInputs, sell: FloatArray, buy: FloatArray, net_out: FloatArray, budget: float
) -> tuple[FloatArray, FloatArray]:
    """Sells and buys (P, K_tx, n) of the taxable accounts cut so that the sales beyond
    what the withdrawals need realize at most ``budget`` dollars more net gain in the year
    (today's dollars; per path, one share λ ∈ [0, 1] of the rebalancing trades, the
    largest within the budget: the gain of HIFO sales is convex in the amount sold, so
    bisection finds it). The sales that fund the withdrawals (``net_out`` (P, K_tx)) are
    never cut; the buys shrink with the sales so each account's cash (its income paid this
    year included) still balances: buys = sales − (withdrawal − deposit − cash)."""
    table = year.table
    assert table is not None
    total = sell.sum(axis=2)
    cash = year.avail_tx - year.values.sum(axis=2)  # income paid in cash this year
    out_of_holdings = net_out - cash  # what the sales must raise for the withdrawals
    need = np.clip(out_of_holdings, 0.0, total)
    base = sell * np.divide(need, total, out=np.zeros_like(total), where=total > 0)[:, :, None]
    extra = sell - base

    def gain(lam: FloatArray) -> FloatArray:
        s = base + lam[:, None, None] * extra
        out: FloatArray = table.gain(s * year.deflator).sum(axis=(1, 2)) / year.deflator
        return out

    paths = sell.shape[0]
    cap = np.maximum(gain(np.zeros(paths)), 0.0) + budget
    lam = np.ones(paths)
    over = gain(lam) > cap
    if np.any(over):
        lo, hi = np.zeros(paths), np.ones(paths)
        for _ in range(CAP_STEPS):
            mid = 0.5 * (lo + hi)
            ok = gain(mid) <= cap
            lo = np.where(ok, mid, lo)
            hi = np.where(ok, hi, mid)
        lam = np.where(over, lo, 1.0)
    sold = base + lam[:, None, None] * extra
    bought = buy.sum(axis=2)
    room = np.maximum(sold.sum(axis=2) - out_of_holdings, 0.0)
    scale = np.divide(room, bought, out=np.zeros_like(bought), where=bought > 0)
    return sold, buy * np.minimum(scale, 1.0)[:, :, None]


def _flows(
    spec: EngineSpec,
    layout: Layout,
    year: YearInputs,
    x: FloatArray,
    trad_target: FloatArray,
    take_tx: FloatArray,
    take_ot: FloatArray,
    deposit: FloatArray,
    short: FloatArray,
) -> YearFlows:
    """Rebalance the taxable accounts around the withdrawals and tax the year."""
    avail_tx = year.avail_tx
    paths, n = year.values.shape[0], year.values.shape[2]
    if layout.tx:
        total = avail_tx.sum(axis=1)
        share = np.divide(
            avail_tx, total[:, None], out=np.zeros_like(avail_tx), where=total[:, None] > 0
        )
        share[total <= 0, 0] = 1.0
        dep_tx = share * deposit[:, None]
        target = year.w_tx * (avail_tx - take_tx + dep_tx)[:, :, None]
        sell = np.maximum(year.values - target, 0.0)
        buy = np.maximum(target - year.values, 0.0)
        assert year.table is not None
        if spec.gain_budget is not None:
            sell, buy = capped_rebalance(year, sell, buy, take_tx - dep_tx, spec.gain_budget)
        gains = year.table.gain(sell * year.deflator).sum(axis=2) / year.deflator
    else:
        dep_tx = np.zeros((paths, 0))
        sell = buy = np.zeros((paths, 0, n))
        gains = np.zeros((paths, 0))
    income = dict(year.income)
    income["long_term_gains"] = year.income["long_term_gains"] + gains.sum(axis=1)
    income["ira_distributions"] = (take_ot * layout.deferred_ot[None, :]).sum(axis=1)
    lines = spec.tax.lines(year.t, income)
    owed = lines["total_tax"] - year.wage_tax
    return YearFlows(
        x=x,
        need=year.spend - year.social_security + owed,
        take_tx=take_tx,
        take_ot=take_ot,
        deposit_tx=dep_tx,
        sell=sell,
        buy=buy,
        gains=gains,
        shortfall=short,
        lines=lines,
        income=income,
        trad_target=trad_target,
    )


def gross_up(
    spec: EngineSpec, layout: Layout, year: YearInputs, top: float | None
) -> tuple[YearFlows, float, int]:
    """Solve X = need(X) per path (secant); returns the flows at the solution, the
    largest residual |need − X| (dollars) and the steps taken. ``top``: the ordinary
    taxable income ``fill_bracket`` fills to (None: no bracket to fill)."""
    paths = year.values.shape[0]
    fill = top is not None and year.retired and bool(layout.trad)
    trad_target = year.rmd[:, layout.trad].sum(axis=1) if layout.trad else np.zeros(paths)
    x = np.full(paths, year.spend - year.social_security)
    ev = evaluate(spec, layout, year, x, trad_target)
    prev_x, prev_h = x, ev.need - x
    x = ev.need
    steps = 0
    for steps in range(1, MAX_ITERATIONS + 1):  # noqa: B007 (steps is reported)
        moved = 0.0
        if fill:
            assert top is not None
            room = top - ev.lines["ordinary_taxable_income"]
            cap = year.bal_ot[:, layout.trad].sum(axis=1)
            trad_target = np.clip(ev.trad_target + room, 0.0, cap)
            moved = float(np.max(np.abs(trad_target - ev.trad_target)))
        ev = evaluate(spec, layout, year, x, trad_target)
        h = ev.need - x
        if np.all(np.abs(h) <= TOLERANCE) and moved <= TOLERANCE:
            break
        dh, dx = h - prev_h, x - prev_x
        ok = np.abs(dh) > 1e-9
        secant = x - h * np.divide(dx, dh, out=np.zeros_like(dx), where=ok)
        prev_x, prev_h = x, h
        x = np.where(ok, secant, x + h)
    return ev, float(np.max(np.abs(ev.need - ev.x))), steps

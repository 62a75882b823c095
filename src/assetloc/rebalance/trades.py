"""The trade optimization: an LP (a MILP when asked for whole shares, a minimum trade or a
cost per trade), built as sparse arrays and solved by HiGHS through ``highspy``.

Variables (shares unless named)
-------------------------------
* ``b[k,s]`` ≥ 0 shares bought of security s in account k, for every security the account
  may buy (held or listed, priced, on the account's menu, not blocked by the wash-sale
  guard);
* ``y[k,s]`` ∈ [0, held] shares sold in a tax-advantaged account (no lots, no tax);
* ``x[l]`` ∈ [0, lot shares] shares sold from taxable lot l (specific identification);
* with ``whole_shares``: b, y and x integer (whole shares from each lot, as specific
  identification of whole-share lots needs; a fractional remainder of a lot or of a
  position cannot be sold in this mode);
* with ``min_trade`` or ``cost_per_trade``: a binary per buy and per sell order, u = 1 when
  the order is placed;
* the wash-sale coupling "a group is either sold at a loss or bought, not both" is a
  disjunction: it is enforced by branching on warm-started LPs (no binaries; a MILP takes
  its choices from its LP relaxation), see :func:`solve`. :func:`build` can also write it
  as one binary per group (``coupled``), the textbook MILP the benchmark compares with;
* deviations, dollars: ``e±[k,c]`` of account k's class c from its target, ``d±[c]`` of
  the household's class c, ``v[c]`` ≥ 0 the part of |d[c]| beyond the class's band; the
  last "class" c = C is the account's uninvested cash (target ``cash_target``, band
  ``cash_band``), and ``vc[k]`` ≥ 0 the cash an account keeps above ``cash_allowance``;
* ``ST``, ``LT`` (free) the net short- and long-term gains, dollars, and ``t`` the model's
  tax, dollars (≥ 0 unless losses earn credit).

Constraints
-----------
* cash: cash + contribution − withdrawal + proceeds − purchases − costs ≥ 0 in each account
  (money does not move between accounts); no position goes negative (bounds);
* class exposure: Σ_s split[s,c]·price·(held + bought − sold) − target[k,c] = e⁺ − e⁻, and
  Σ_k (e⁺ − e⁻)[k,c] = d⁺[c] − d⁻[c]; d⁺ + d⁻ − v ≤ band[c] (dollars);
* tax epigraph (see :mod:`assetloc.rebalance.gaintax`): t ≥ a_j·ST + b_j·LT + c_j for
  each plane j of the convex model of the household's gain tax (the lower convex envelope
  of tax(income + gains) − tax(income) over the range the sellable lots can reach, at or
  below the exact tax), ST and LT the gains Σ_l (price − basis/share)·x[l] by term; a lot
  flagged by the wash-sale guard counts its loss as zero (as a gain of the same size when
  the loss would be lost for good, see :mod:`~assetloc.rebalance.washsale`); a net loss is
  negative tax unless ``allow_losses`` is false (then t ≥ 0);
* lots that ``defer_near_long_term`` holds back (a short-term gain that turns long-term
  within 30 days): not sold (bounds);
* mode ``cash_flow_only``: no sales, except in an account whose withdrawal exceeds its cash
  and contribution, and there only up to that shortfall (plus its trading costs);
* minimum trade: each order is zero or at least ``min_trade`` dollars (u·min ≤ amount ≤ u·M),
  and an account never both buys and sells one security (u_buy + u_sell ≤ 1);
* wash-sale coupling: per group g, either its loss lots are not sold or it is not bought
  (as binaries: loss-lot sales of g ≤ shares·w_g, purchases of g ≤ M·(1 − w_g));
* purchases of groups sold at a loss in the past 30 days: none (bounds);
* caps: t ≤ ``tax_cap`` (on the model's tax, not the reported one) and
  Σ_l gain_l·x[l] ≤ ``gain_cap`` (gains as the tax rows count them), rows always present so
  that :class:`CapSweep` can move their bounds (infinite when unset).

Objective, in dollars of tax (two stages, lexicographic)
--------------------------------------------------------
Stage 1 minimizes ``G + ε·turnover`` with::

    G = W_band·Σ_c v[c] + W_band·Σ_k vc[k] + W_h·Σ_c (d⁺ + d⁻)[c] + W_t·t
        + cost_per_trade·(number of orders)

* ``W_t = 1`` with a fixed price of deviation (``distance_weight``); the cost-benefit rule
  (:mod:`~assetloc.rebalance.costbenefit`) uses ``CAPPED`` (``W_t = 0.001``): the tax cap,
  not the price, limits the tax;
* ``W_band = 1``: a dollar outside a band weighs as much as a dollar of tax. Selling a dollar
  of a security realizes at most its gain, taxed at most at the ordinary rate (< 1), so the
  bands win over tax whenever trades can reach them;
* ``W_h = distance_weight`` (default 0.01): the model pays up to 1 cent of tax per dollar of
  household deviation removed, i.e. 2 cents per dollar moved from an overweight to an
  underweight class: at a 15% rate it sells long-term lots whose gain is under ~13% of
  their value to get closer to the target inside the bands; with ``within_bands`` nothing
  trades unless a class is out of band;
* ``ε = 1e-4`` per dollar traded (about a broad ETF's bid-ask spread): breaks ties for the
  fewest dollars traded, so cash flows are used before any sale and a household already on
  target does not trade;
* ``ε_g = 1e-5`` per dollar of gain realized: among sales of equal tax (e.g. when a net
  loss earns no credit, or inside a zero-rate bracket) it sells the lots with the least
  gain — losses first, then high-basis lots (a loss the wash-sale guard flags counts as a
  gain here, so a flagged sale is the last of equal choices);
* ``1e-5`` per dollar bought of a security the account does not hold yet: among equal
  choices it adds to existing positions rather than opening new ones.

Stage 2 keeps G and the tax at their stage-1 values (to 1e-4 dollars) and minimizes
``W_a·Σ_{k,c} (e⁺ + e⁻)[k,c] + G + ε·turnover`` with ``W_a = 0.002``: among the equally good
household outcomes it picks the one nearest the optimizer's per-account targets (the
location) — which only ever costs trades that are free of tax, chiefly inside
tax-advantaged accounts. The account targets therefore never cause a taxable sale. (Large
MILPs are restricted to the trades of their LP relaxation's stage 2 first; see
:func:`solve`.)

The order of preference asked of a tax-aware rebalance falls out of these costs: cash flows
cost nothing but ε; trades inside tax-advantaged accounts cost no tax; in taxable accounts
a lot costs (its gain per dollar) × (its rate), so losses (negative) come first, then
high-basis long-term lots, then larger long-term gains, and short-term gains (ordinary
rate) last.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Literal

import highspy
import numpy as np
import scipy.sparse as sp

from assetloc.errors import InfeasibleError, SolverError
from assetloc.rebalance.book import Book
from assetloc.rebalance.gaintax import gain_ranges, model_planes
from assetloc.solve.highs import new_highs
from assetloc.tax.gains import GainTax
from assetloc.types import FloatArray
from assetloc.units import usd

SalesMode = Literal["all", "cash_flow"]
INF = highspy.kHighsInf
MIP_TIME_LIMIT = 20.0  # seconds per stage; the best solution found is kept
LARGE_MILP = 2000  # integer variables: above this the MILP is restricted by its LP (see solve)
STAGE2_MIP_TIME_LIMIT = 2.0  # seconds: stage 2 of a MILP keeps stage 1's answer if no better
MIP_REL_GAP = 1e-4  # a MILP stops within 0.01% of the optimum ...
MIP_ABS_GAP = 1e-6  # ... or within this share of the household's value (at least a cent)
MIN_TRADE_MARGIN = 0.01  # dollars above min_trade, so rounding shares down stays above it
BRANCH_NODE_LIMIT = 2000  # LPs in the wash-sale branching
SHARE_EPS = 1e-7  # shares: a variable above this counts as traded
STAGE_TOLERANCE = 1e-4  # dollars: how far stage 2 may move G and the tax from stage 1


@dataclass(frozen=True)
class Weights:
    """Objective weights in dollars of tax per dollar (see the module doc)."""

    band: float = 1.0
    household: float = 0.01
    account: float = 0.002
    turnover: float = 1e-4
    gain: float = 1e-5
    new_position: float = 1e-5
    tax: float = 1.0


# Weights of the capped model (the cost-benefit rule and budgets): the tax cap, not the
# objective, limits the tax; a dollar of deviation weighs ten times a dollar of tax, so the
# model trades until the cap binds or the household is on target, and among choices equally
# close to the target realizes the least tax (see docs/rebalance.md).
CAPPED = Weights(band=1.0, household=0.01, tax=1e-3)


@dataclass(frozen=True)
class ModelSpec:
    """Everything the optimization needs, with switches to relax constraint families.

    Attributes
    ----------
    book : holdings as arrays.
    target : (K, C) target dollars per account and class.
    band : (C,) band half-widths, dollars.
    gain_tax : the household's tax of realized gains (its ``allow_losses``: whether a net
        loss earns credit); the model uses its convex planes
        (:func:`~assetloc.rebalance.gaintax.model_planes`).
    buy_blocked : (S,) groups the wash-sale guard does not let the model buy.
    loss_void : (L,) lots whose loss earns no credit (flagged wash sales).
    loss_forfeit : (L,) flagged lots whose loss would be lost for good (a purchase in an
        IRA or Roth): the model counts the loss as a gain of the same size.
    couple : forbid selling a group at a loss and buying it in one rebalance.
    sales : "all", or "cash_flow" (sell only to fund a withdrawal).
    whole_shares, min_trade (dollars), cost_per_trade (dollars) : order rules.
    menus : respect account menus (False relaxes them, for diagnostics).
    pooled_cash : one household cash constraint instead of one per account (diagnostics).
    two_stage : run the location stage (stage 2).
    tax_cap : the model's tax t may not exceed this (dollars; None: no cap).
    gain_cap : net realized gain (wash-sale flagged losses counted as the tax rows count
        them) may not exceed this (dollars; None: no cap).
    cash_target : (K,) dollars of uninvested cash each account is meant to hold after the
        trades (None: zero); cash_band : the household's band on uninvested cash, dollars.
        Uninvested cash is one more "class" of the deviation rows.
    cash_allowance : (K,) dollars of cash above its target an account may keep; each dollar
        beyond weighs as a dollar outside a band (None: no such rows).
    lot_blocked : (L,) lots that may not be sold (``defer_near_long_term``; None: none).
    """

    book: Book
    target: FloatArray
    band: FloatArray
    gain_tax: GainTax
    buy_blocked: np.ndarray
    loss_void: np.ndarray
    loss_forfeit: np.ndarray
    couple: bool = True
    sales: SalesMode = "all"
    whole_shares: bool = False
    min_trade: float = 0.0
    cost_per_trade: float = 0.0
    menus: bool = True
    pooled_cash: bool = False
    two_stage: bool = True
    weights: Weights = field(default_factory=Weights)
    tax_cap: float | None = None
    gain_cap: float | None = None
    cash_target: FloatArray | None = None
    cash_band: float = 0.0
    cash_allowance: FloatArray | None = None
    lot_blocked: np.ndarray | None = None

    def relaxed(self, **changes: object) -> ModelSpec:
        """A copy with some switches changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class TradeSolution:
    """The optimal trades (shares) and what the solver reports.

    Attributes
    ----------
    buy : (K, S) shares bought; sell : (K, S) shares sold (all accounts);
    lot_sold : (L,) shares sold from each taxable lot.
    tax : the model's estimated tax (dollars); band_excess : (C,) dollars beyond the bands.
    objective : stage-1 G (dollars); stage1_objective : G plus the tie-breakers;
    status, seconds, sizes, lp_nodes (LPs of the wash-sale branching), mip_gap : solver facts.
    buy_placed, sell_placed : (K, S) bool, the order binaries (None without them): an order
    whose binary is 0 is not placed, whatever tolerance-sized amount the solver left.
    """

    buy: FloatArray
    sell: FloatArray
    lot_sold: FloatArray
    tax: float
    band_excess: FloatArray
    household_deviation: FloatArray
    objective: float
    stage1_objective: float
    status: str
    seconds: float
    n_vars: int
    n_rows: int
    n_integer: int
    stages: int
    lp_nodes: int = 1
    mip_gap: float = 0.0
    buy_placed: np.ndarray | None = None
    sell_placed: np.ndarray | None = None


@dataclass
class _Builder:
    """Accumulates sparse triplets and column data."""

    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    vals: list[np.ndarray] = field(default_factory=list)
    row_lo: list[np.ndarray] = field(default_factory=list)
    row_hi: list[np.ndarray] = field(default_factory=list)
    n_rows: int = 0

    def add(self, r: np.ndarray, c: np.ndarray, v: np.ndarray) -> None:
        self.rows.append(np.asarray(r, dtype=np.int64))
        self.cols.append(np.asarray(c, dtype=np.int64))
        self.vals.append(np.asarray(v, dtype=float))

    def new_rows(self, n: int, lo: np.ndarray | float, hi: np.ndarray | float) -> int:
        start = self.n_rows
        self.row_lo.append(np.broadcast_to(np.asarray(lo, dtype=float), (n,)).copy())
        self.row_hi.append(np.broadcast_to(np.asarray(hi, dtype=float), (n,)).copy())
        self.n_rows += n
        return start


@dataclass
class _Layout:
    """Column blocks: (start, length) of each variable family and their index arrays."""

    bk: np.ndarray
    bs: np.ndarray
    nk: np.ndarray
    ns: np.ndarray
    pos_k: np.ndarray
    pos_s: np.ndarray
    lot_pos: np.ndarray
    groups: list[str]
    candidates: list[str]
    start: dict[str, int]
    size: dict[str, int]
    tax_cap_row: int = -1
    gain_cap_row: int = -1

    def sl(self, name: str) -> slice:
        return slice(self.start[name], self.start[name] + self.size[name])

    def idx(self, name: str) -> np.ndarray:
        return np.arange(self.start[name], self.start[name] + self.size[name])


def _sale_caps(spec: ModelSpec) -> FloatArray:
    """(K,) dollars each account may sell (inf when unrestricted)."""
    book = spec.book
    if spec.sales == "all":
        return np.full(book.k, np.inf)
    shortfall = np.maximum(0.0, -book.available_cash)
    n_orders = (book.shares > 0).sum(axis=1) + book.buyable.sum(axis=1)
    # whole shares and a minimum trade cannot hit the shortfall exactly: the smallest
    # feasible sale may overshoot it by up to one share of a held security plus min_trade
    held_price = np.where(book.shares > 0, np.nan_to_num(book.price), 0.0)
    headroom = spec.min_trade + (held_price.max(axis=1, initial=0.0) if spec.whole_shares else 0.0)
    return np.where(shortfall > 0, shortfall + headroom + spec.cost_per_trade * n_orders, 0.0)


def _layout(spec: ModelSpec, coupled: frozenset[str] | None) -> _Layout:
    book = spec.book
    has_price = ~np.isnan(book.price)
    can_buy = (book.buyable if spec.menus else has_price) & ~spec.buy_blocked[None, :]
    bk, bs = np.nonzero(can_buy)
    nk, ns = np.nonzero((book.shares > 0) & ~book.taxable[:, None])
    pos = np.stack([book.lot_account, book.lot_security], axis=1)
    if book.n_lots:
        uniq, lot_pos = np.unique(pos, axis=0, return_inverse=True)
        lot_pos = lot_pos.ravel()
        pos_k, pos_s = uniq[:, 0], uniq[:, 1]
    else:
        lot_pos = np.zeros(0, dtype=int)
        pos_k = pos_s = np.zeros(0, dtype=int)
    binaries = spec.min_trade > 0 or spec.cost_per_trade > 0
    gain = book.lot_gain_per_share
    candidates: list[str] = []
    if spec.couple and book.n_lots:
        sellable = gain < 0
        loss_groups = {book.groups[s] for s in np.unique(book.lot_security[sellable])}
        buy_groups = {book.groups[s] for s in bs}
        candidates = sorted(loss_groups & buy_groups)
    groups = [g for g in candidates if coupled is None or g in coupled]
    kc = book.k * (book.c + 1)
    sizes = [
        ("b", len(bk)),
        ("y", len(nk)),
        ("x", book.n_lots),
        ("ub", len(bk) if binaries else 0),
        ("ut", len(pos_k) if binaries else 0),
        ("un", len(nk) if binaries else 0),
        ("w", len(groups)),
        ("ep", kc),
        ("em", kc),
        ("dp", book.c + 1),
        ("dm", book.c + 1),
        ("v", book.c + 1),
        ("vc", book.k if spec.cash_allowance is not None else 0),
        ("g", 2),
        ("t", 1),
    ]
    start, size, at = {}, {}, 0
    for name, n in sizes:
        start[name], size[name] = at, n
        at += n
    return _Layout(bk, bs, nk, ns, pos_k, pos_s, lot_pos, groups, candidates, start, size)


def build(
    spec: ModelSpec, coupled: frozenset[str] | None = None
) -> tuple[highspy.HighsLp, _Layout, FloatArray]:
    """The stage-1 model as a ``HighsLp``; also the layout and the G cost vector.

    ``coupled``: the groups that get a wash-sale coupling binary (None: every group that
    has a taxable loss lot and can be bought).
    """
    book, w = spec.book, spec.weights
    lay = _layout(spec, coupled)
    nv = lay.start["t"] + 1
    price = np.nan_to_num(book.price)
    pb = price[lay.bk, lay.bs]
    pn = price[lay.nk, lay.ns]
    pl = book.lot_price
    acc_value = book.value.sum(axis=1)
    money = np.maximum(book.available_cash, 0.0) + acc_value  # most an account can spend
    if spec.pooled_cash:
        money = np.full(book.k, money.sum())

    lb = np.zeros(nv)
    ub = np.full(nv, INF)
    caps = _sale_caps(spec)
    ub[lay.sl("y")] = np.where(caps[lay.nk] > 0, book.shares[lay.nk, lay.ns], 0.0)
    ub[lay.sl("x")] = np.where(caps[book.lot_account] > 0, book.lot_shares, 0.0)
    if spec.lot_blocked is not None:
        ub[lay.sl("x")] = np.where(spec.lot_blocked, 0.0, ub[lay.sl("x")])
    for name in ("ub", "ut", "un", "w"):
        ub[lay.sl(name)] = 1.0
    t_col = lay.start["t"]
    lb[t_col] = -INF if spec.gain_tax.allow_losses else 0.0
    if spec.whole_shares:
        ub[lay.sl("y")] = np.floor(ub[lay.sl("y")] + 1e-9)
        ub[lay.sl("x")] = np.floor(ub[lay.sl("x")] + 1e-9)

    # objective: stage-1 G (g) and the turnover tie-breaker
    g = np.zeros(nv)
    for name in ("dp", "dm"):
        g[lay.sl(name)] = w.household
    g[lay.sl("v")] = w.band
    g[lay.sl("vc")] = w.band
    g[t_col] = w.tax
    for name in ("ub", "ut", "un"):
        g[lay.sl(name)] = spec.cost_per_trade
    cost = g.copy()
    new_position = book.shares[lay.bk, lay.bs] <= 0
    cost[lay.sl("b")] += (w.turnover + w.new_position * new_position) * pb
    cost[lay.sl("y")] += w.turnover * pn
    raw_gain = book.lot_gain_per_share
    tie_gain = np.where(spec.loss_void | spec.loss_forfeit, np.abs(raw_gain), raw_gain)
    cost[lay.sl("x")] += w.turnover * pl + w.gain * tie_gain

    m = _Builder()
    k_rows = 1 if spec.pooled_cash else book.k

    def acc_row(k: np.ndarray) -> np.ndarray:
        return np.zeros_like(k) if spec.pooled_cash else k

    # cash rows
    avail = book.available_cash
    r0 = m.new_rows(k_rows, -avail.sum() if spec.pooled_cash else -avail, INF)
    m.add(r0 + acc_row(lay.bk), lay.idx("b"), -pb)
    m.add(r0 + acc_row(lay.nk), lay.idx("y"), pn)
    m.add(r0 + acc_row(book.lot_account), lay.idx("x"), pl)
    if lay.size["ub"]:
        m.add(r0 + acc_row(lay.bk), lay.idx("ub"), np.full(len(lay.bk), -spec.cost_per_trade))
        m.add(r0 + acc_row(lay.pos_k), lay.idx("ut"), np.full(len(lay.pos_k), -spec.cost_per_trade))
        m.add(r0 + acc_row(lay.nk), lay.idx("un"), np.full(len(lay.nk), -spec.cost_per_trade))

    # account × class exposure rows: trades − e⁺ + e⁻ = target − current; the last "class"
    # of each account is its uninvested cash (purchases and costs lower it, sales raise it)
    nc = book.c + 1
    cash_target = np.zeros(book.k) if spec.cash_target is None else spec.cash_target
    current = np.hstack([book.class_dollars(book.shares), avail[:, None]])
    goal = np.hstack([spec.target, cash_target[:, None]])
    r1 = m.new_rows(book.k * nc, (goal - current).ravel(), (goal - current).ravel())

    def exposure(
        k: np.ndarray, s: np.ndarray, p: np.ndarray, cols: np.ndarray, sign: float
    ) -> None:
        coef = book.split[s] * p[:, None] * sign  # (n, C)
        nz_i, nz_c = np.nonzero(coef)
        m.add(r1 + k[nz_i] * nc + nz_c, cols[nz_i], coef[nz_i, nz_c])
        m.add(r1 + k * nc + nc - 1, cols, -sign * p)  # cash

    exposure(lay.bk, lay.bs, pb, lay.idx("b"), 1.0)
    exposure(lay.nk, lay.ns, pn, lay.idx("y"), -1.0)
    exposure(book.lot_account, book.lot_security, pl, lay.idx("x"), -1.0)
    kc = np.arange(book.k * nc)
    m.add(r1 + kc, lay.idx("ep"), -np.ones(len(kc)))
    m.add(r1 + kc, lay.idx("em"), np.ones(len(kc)))
    if lay.size["ub"]:
        per_trade = -spec.cost_per_trade
        for kk, name in ((lay.bk, "ub"), (lay.pos_k, "ut"), (lay.nk, "un")):
            m.add(r1 + kk * nc + nc - 1, lay.idx(name), np.full(len(kk), per_trade))

    # household rows: Σ_k (e⁺ − e⁻) − d⁺ + d⁻ = 0 ; band rows: d⁺ + d⁻ − v ≤ band
    r2 = m.new_rows(nc, 0.0, 0.0)
    cls = np.tile(np.arange(nc), book.k)
    m.add(r2 + cls, lay.idx("ep"), np.ones(len(kc)))
    m.add(r2 + cls, lay.idx("em"), -np.ones(len(kc)))
    m.add(r2 + np.arange(nc), lay.idx("dp"), -np.ones(nc))
    m.add(r2 + np.arange(nc), lay.idx("dm"), np.ones(nc))
    if spec.cash_allowance is not None:  # e⁺(cash)[k] − vc[k] ≤ allowance[k]
        rv = m.new_rows(book.k, -INF, spec.cash_allowance)
        ks = np.arange(book.k)
        m.add(rv + ks, lay.start["ep"] + ks * nc + nc - 1, np.ones(book.k))
        m.add(rv + ks, lay.idx("vc"), -np.ones(book.k))
    r3 = m.new_rows(nc, -INF, np.append(spec.band, spec.cash_band))
    m.add(r3 + np.arange(nc), lay.idx("dp"), np.ones(nc))
    m.add(r3 + np.arange(nc), lay.idx("dm"), np.ones(nc))
    m.add(r3 + np.arange(nc), lay.idx("v"), -np.ones(nc))

    # the nets: ST − Σ_short gain·x = 0 ; LT − Σ_long gain·x = 0 (columns "g", free)
    gain = model_gain(spec)
    st_col, lt_col = lay.start["g"], lay.start["g"] + 1
    lb[st_col] = lb[lt_col] = -INF
    rg = m.new_rows(2, 0.0, 0.0)
    m.add(np.array([rg, rg + 1]), np.array([st_col, lt_col]), np.ones(2))
    m.add(rg + book.lot_long_term.astype(int), lay.idx("x"), -gain)
    # tax rows, one per plane of the convex model: t − a·ST − b·LT ≥ c
    planes = tax_planes(spec, ub[lay.sl("x")])
    n_planes = len(planes)
    r4 = m.new_rows(n_planes, planes[:, 2], INF)
    rows = r4 + np.arange(n_planes)
    m.add(rows, np.full(n_planes, t_col), np.ones(n_planes))
    m.add(rows, np.full(n_planes, st_col), -planes[:, 0])
    m.add(rows, np.full(n_planes, lt_col), -planes[:, 1])

    # caps (always present, so a sweep can move their bounds): t ≤ tax_cap ; gain ≤ gain_cap
    lay.tax_cap_row = m.new_rows(1, -INF, INF if spec.tax_cap is None else spec.tax_cap)
    m.add(np.full(1, lay.tax_cap_row), np.full(1, t_col), np.ones(1))
    lay.gain_cap_row = m.new_rows(1, -INF, INF if spec.gain_cap is None else spec.gain_cap)
    m.add(np.full(2, lay.gain_cap_row), np.array([st_col, lt_col]), np.ones(2))

    # order binaries: min·u ≤ amount ≤ M·u
    if lay.size["ub"]:
        mt = spec.min_trade
        pos_value = book.value[lay.pos_k, lay.pos_s]
        for amount_rows, ucols, big in (
            (("b", lay.bk, pb), lay.idx("ub"), money[lay.bk]),
            (("y", lay.nk, pn), lay.idx("un"), book.value[lay.nk, lay.ns]),
        ):
            name, _, p = amount_rows
            n = len(ucols)
            ra = m.new_rows(n, -INF, 0.0)
            m.add(ra + np.arange(n), lay.idx(name), p)
            m.add(ra + np.arange(n), ucols, -np.maximum(big, mt))
            if mt > 0:
                rb = m.new_rows(n, 0.0, INF)
                m.add(rb + np.arange(n), lay.idx(name), p)
                m.add(rb + np.arange(n), ucols, np.full(n, -(mt + MIN_TRADE_MARGIN)))
        n = len(lay.pos_k)
        ra = m.new_rows(n, -INF, 0.0)
        m.add(ra + lay.lot_pos, lay.idx("x"), pl)
        m.add(ra + np.arange(n), lay.idx("ut"), -np.maximum(pos_value, mt))
        if mt > 0:
            rb = m.new_rows(n, 0.0, INF)
            m.add(rb + lay.lot_pos, lay.idx("x"), pl)
            m.add(rb + np.arange(n), lay.idx("ut"), np.full(n, -(mt + MIN_TRADE_MARGIN)))

    # never buy and sell one security in one account (min trade could make that pay)
    if lay.size["ub"]:
        buy_at = {
            (int(k), int(s_)): j for j, (k, s_) in enumerate(zip(lay.bk, lay.bs, strict=True))
        }
        pairs = [
            (buy_at[(int(k), int(s_))], lay.start["ut"] + j)
            for j, (k, s_) in enumerate(zip(lay.pos_k, lay.pos_s, strict=True))
            if (int(k), int(s_)) in buy_at
        ] + [
            (buy_at[(int(k), int(s_))], lay.start["un"] + j)
            for j, (k, s_) in enumerate(zip(lay.nk, lay.ns, strict=True))
            if (int(k), int(s_)) in buy_at
        ]
        if pairs:
            n = len(pairs)
            ro = m.new_rows(n, -INF, 1.0)
            ub_cols = lay.start["ub"] + np.array([p[0] for p in pairs])
            us_cols = np.array([p[1] for p in pairs])
            m.add(ro + np.arange(n), ub_cols, np.ones(n))
            m.add(ro + np.arange(n), us_cols, np.ones(n))

    # wash-sale coupling per group: loss sales ≤ shares·w ; purchases ≤ M·(1 − w)
    if lay.groups:
        loss_lots, buy_cols = _group_columns(book, lay, lay.groups)
        for j, grp in enumerate(lay.groups):
            wcol = lay.start["w"] + j
            loss = loss_lots[grp]
            buys = buy_cols[grp]
            ra = m.new_rows(1, -INF, 0.0)
            m.add(np.full(len(loss), ra), lay.start["x"] + loss, np.ones(len(loss)))
            m.add(np.full(1, ra), np.full(1, wcol), np.full(1, -book.lot_shares[loss].sum()))
            big = float(money[np.unique(lay.bk[buys])].sum())
            rb = m.new_rows(1, -INF, big)
            m.add(np.full(len(buys), rb), lay.start["b"] + buys, pb[buys])
            m.add(np.full(1, rb), np.full(1, wcol), np.full(1, big))

    # cash-flow-only: proceeds ≤ the withdrawal's shortfall
    capped = np.flatnonzero(np.isfinite(caps) & (caps > 0))
    if len(capped):
        rc = m.new_rows(len(capped), -INF, caps[capped])
        where = {int(k): i for i, k in enumerate(capped)}
        sel_n = np.array([k in where for k in lay.nk], dtype=bool)
        m.add(
            rc + np.array([where[int(k)] for k in lay.nk[sel_n]], dtype=int),
            lay.idx("y")[sel_n],
            pn[sel_n],
        )
        sel_l = np.array([k in where for k in book.lot_account], dtype=bool)
        m.add(
            rc + np.array([where[int(k)] for k in book.lot_account[sel_l]], dtype=int),
            lay.idx("x")[sel_l],
            pl[sel_l],
        )

    a = sp.coo_matrix(
        (np.concatenate(m.vals), (np.concatenate(m.rows), np.concatenate(m.cols))),
        shape=(m.n_rows, nv),
    ).tocsc()
    a.sum_duplicates()
    lp = highspy.HighsLp()
    lp.num_col_ = nv
    lp.num_row_ = m.n_rows
    lp.col_cost_ = cost
    lp.col_lower_ = lb
    lp.col_upper_ = ub
    lp.row_lower_ = np.concatenate(m.row_lo)
    lp.row_upper_ = np.concatenate(m.row_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr
    lp.a_matrix_.index_ = a.indices
    lp.a_matrix_.value_ = a.data
    lp.a_matrix_.num_col_ = nv
    lp.a_matrix_.num_row_ = m.n_rows
    integer = np.zeros(nv, dtype=bool)
    if spec.whole_shares:
        integer[lay.sl("b")] = True
        integer[lay.sl("y")] = True
        integer[lay.sl("x")] = True
    for name in ("ub", "ut", "un", "w"):
        integer[lay.sl(name)] = True
    if integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in integer
        ]
    return lp, lay, g


TINY_GAIN = 1e-3  # dollars: a lot whose whole gain is smaller counts as none in the model


def model_gain(spec: ModelSpec) -> FloatArray:
    """(L,) gain per share of each lot as the model's tax and gain rows count it: a lot the
    wash-sale guard flags earns no credit for its loss (a loss lost for good counts as a
    gain of the same size); a lot whose whole gain is under a tenth of a cent counts none
    (a price equal to the basis up to float noise: coefficients of 1e-7 stall HiGHS)."""
    book = spec.book
    raw = book.lot_gain_per_share
    raw = np.where(np.abs(raw) * book.lot_shares < TINY_GAIN, 0.0, raw)
    gain = np.where(spec.loss_void, np.maximum(raw, 0.0), raw)
    return np.where(spec.loss_forfeit, np.abs(raw), gain)


def tax_planes(spec: ModelSpec, lot_upper: FloatArray | None = None) -> FloatArray:
    """(m, 3) planes (a, b, c) of the model's tax, t ≥ a·ST + b·LT + c, over the net gains
    the lots can reach (``lot_upper``: the most shares of each lot the model may sell;
    default all of them)."""
    book = spec.book
    upper = book.lot_shares if lot_upper is None else lot_upper
    st_range, lt_range = gain_ranges(model_gain(spec), upper, book.lot_long_term)
    return model_planes(spec.gain_tax, st_range, lt_range)


def _run(solver: highspy.Highs, what: str, conflicts: list[str]) -> None:
    solver.run()
    status = solver.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return
    if status == highspy.HighsModelStatus.kInfeasible:
        raise InfeasibleError(conflicts)
    has_solution = solver.getInfo().primal_solution_status == 2
    if status == highspy.HighsModelStatus.kTimeLimit and has_solution:
        return
    raise SolverError(f"{what}: HiGHS stopped with {solver.modelStatusToString(status)}")


def _conflicts(spec: ModelSpec) -> list[str]:
    book = spec.book
    out = [
        f"accounts[{k}].withdrawal ({usd(book.withdrawal[k], 2)})"
        for k in range(book.k)
        if book.withdrawal[k] > 0
    ]
    out.append("cash cannot go below zero in any account")
    if spec.whole_shares:
        out.append("rebalance.whole_shares (fractional remainders cannot be sold)")
    if spec.min_trade > 0:
        out.append(f"rebalance.min_trade ({usd(spec.min_trade, 2)})")
    if spec.cost_per_trade > 0:
        out.append(f"rebalance.cost_per_trade ({usd(spec.cost_per_trade, 2)})")
    if spec.tax_cap is not None:
        out.append(f"rebalance.tax_budget ({usd(spec.tax_cap, 2)} of tax)")
    if spec.gain_cap is not None:
        out.append(f"rebalance.gain_budget ({usd(spec.gain_cap, 2)} of net gain)")
    if spec.lot_blocked is not None and spec.lot_blocked.any():
        out.append(
            f"rebalance.defer_near_long_term ({int(spec.lot_blocked.sum())} lots that turn "
            "long-term within 30 days may not be sold)"
        )
    return out


def _conflict_groups(spec: ModelSpec, lay: _Layout, x: FloatArray) -> set[str]:
    """Groups that the solution ``x`` both sells at a loss (taxable) and buys."""
    book = spec.book
    sold = x[lay.sl("x")] > SHARE_EPS
    loss = book.lot_gain_per_share < 0
    sold_groups = {book.groups[s] for s in np.unique(book.lot_security[sold & loss])}
    bought_groups = {book.groups[s] for s in np.unique(lay.bs[x[lay.sl("b")] > SHARE_EPS])}
    return sold_groups & bought_groups


def _group_columns(
    book: Book, lay: _Layout, groups: list[str]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """For each of ``groups``: its taxable lots at a loss (indices into the lots, ascending)
    and its purchases (indices into the purchase columns, ascending)."""
    wanted = {g: j for j, g in enumerate(groups)}
    code = np.array([wanted.get(g, -1) for g in book.groups], dtype=int)  # (S,)
    lot_code = np.where(book.lot_gain_per_share < 0, code[book.lot_security], -1)
    buy_code = code[lay.bs]
    by_lot = np.argsort(lot_code, kind="stable")
    lot_cuts = np.searchsorted(lot_code[by_lot], np.arange(len(groups) + 1))
    by_buy = np.argsort(buy_code, kind="stable")
    buy_cuts = np.searchsorted(buy_code[by_buy], np.arange(len(groups) + 1))
    losses = {g: by_lot[lot_cuts[j] : lot_cuts[j + 1]] for j, g in enumerate(groups)}
    buys = {g: by_buy[buy_cuts[j] : buy_cuts[j + 1]] for j, g in enumerate(groups)}
    return losses, buys


def _new_solver(lp: highspy.HighsLp, n_int: int, scale: float = 0.0) -> highspy.Highs:
    solver = new_highs()
    if n_int:
        solver.setOptionValue("mip_rel_gap", MIP_REL_GAP)
        solver.setOptionValue("mip_abs_gap", max(0.01, MIP_ABS_GAP * scale))
        solver.setOptionValue("time_limit", MIP_TIME_LIMIT)
    solver.passModel(lp)
    return solver


def _n_integer(lp: highspy.HighsLp) -> int:
    return sum(1 for v in lp.integrality_ if v == highspy.HighsVarType.kInteger)


Choice = Literal["no_buy", "no_loss"]


@dataclass
class _GroupCols:
    """Columns of each candidate group: its purchases and its taxable loss lots."""

    buys: dict[str, np.ndarray]
    losses: dict[str, np.ndarray]
    upper: FloatArray

    @classmethod
    def of(cls, spec: ModelSpec, lay: _Layout, lp: highspy.HighsLp) -> _GroupCols:
        loss_lots, buy_cols = _group_columns(spec.book, lay, lay.candidates)
        buys = {g: (lay.start["b"] + buy_cols[g]).astype(np.int32) for g in lay.candidates}
        losses = {g: (lay.start["x"] + loss_lots[g]).astype(np.int32) for g in lay.candidates}
        return cls(buys, losses, np.asarray(lp.col_upper_, dtype=float).copy())

    def apply(self, solver: highspy.Highs, choices: dict[str, Choice]) -> None:
        """Bounds for ``choices``; groups not in it get their original bounds back."""
        cols, ups = [], []
        for grp in self.buys:
            c = choices.get(grp)
            cols += [self.buys[grp], self.losses[grp]]
            ups.append(
                np.zeros(len(self.buys[grp])) if c == "no_buy" else self.upper[self.buys[grp]]
            )
            ups.append(
                np.zeros(len(self.losses[grp])) if c == "no_loss" else self.upper[self.losses[grp]]
            )
        if cols:
            idx = np.concatenate(cols).astype(np.int32)
            up = np.concatenate(ups)
            solver.changeColsBounds(len(idx), idx, np.zeros(len(idx)), up)

    def choices_of(self, x: FloatArray) -> dict[str, Choice]:
        """Each group's choice in solution ``x``: its loss lots sold → no purchases."""
        return {
            grp: "no_buy" if (x[self.losses[grp]] > SHARE_EPS).any() else "no_loss"
            for grp in self.buys
        }


def _branch_and_bound(
    spec: ModelSpec, lay: _Layout, lp: highspy.HighsLp, conflicts: list[str]
) -> tuple[highspy.Highs, FloatArray, dict[str, Choice], int]:
    """The coupled LP by branching on groups with warm-started LPs (no binaries).

    A node fixes, for some groups, "no purchases" or "no loss sales"; its LP leaves the other
    groups free (a relaxation). A node whose solution has no group both sold at a loss and
    bought is feasible for the coupled model; otherwise it branches on such a group. Nodes
    whose LP objective is no better than the best feasible one are pruned: exact, unless
    ``BRANCH_NODE_LIMIT`` LPs do not suffice (then the best feasible node is kept; the first
    leaf, which blocks purchases of every conflicting group, is always feasible).
    """
    solver = _new_solver(lp, 0)
    cols = _GroupCols.of(spec, lay, lp)
    best_obj, best_x, best_fix = np.inf, None, {}
    stack: list[dict[str, Choice]] = [{}]
    nodes = 0
    while stack and nodes < BRANCH_NODE_LIMIT:
        fix = stack.pop()
        nodes += 1
        cols.apply(solver, fix)
        try:
            _run(solver, "rebalance (stage 1)", conflicts)
        except InfeasibleError:
            if nodes == 1:
                raise
            continue
        obj = float(solver.getInfo().objective_function_value)
        if obj >= best_obj - 1e-9:
            continue
        x = np.asarray(solver.getSolution().col_value, dtype=float)
        open_groups = sorted(_conflict_groups(spec, lay, x) - set(fix))
        if not open_groups:
            best_obj, best_x, best_fix = obj, x, fix
            continue
        grp = open_groups[0]
        stack.append(fix | {grp: "no_loss"})
        stack.append(fix | {grp: "no_buy"})  # explored first: keep the harvest
    if best_x is None:
        raise SolverError("rebalance: the wash-sale branching found no feasible choice")
    choices = cols.choices_of(best_x) | best_fix
    cols.apply(solver, choices)  # stage 2 keeps every group's choice
    return solver, best_x, choices, nodes


def _relaxation(lp: highspy.HighsLp) -> highspy.HighsLp:
    """``lp`` without integrality (the same object type, a copy)."""
    out = highspy.HighsLp()
    for name in (
        "num_col_",
        "num_row_",
        "col_cost_",
        "col_lower_",
        "col_upper_",
        "row_lower_",
        "row_upper_",
    ):
        setattr(out, name, getattr(lp, name))
    out.a_matrix_ = lp.a_matrix_
    return out


def _stage2(
    solver: highspy.Highs,
    spec: ModelSpec,
    lay: _Layout,
    lp: highspy.HighsLp,
    g: FloatArray,
    x: FloatArray,
    conflicts: list[str],
    mip: bool,
) -> FloatArray:
    """Stage 2 on ``solver`` (whose stage-1 solution is ``x``): G and the tax capped at their
    stage-1 values, the accounts' deviations from their own targets minimized."""
    t_col = lay.start["t"]
    g1 = float(g @ x)
    tol = STAGE_TOLERANCE + 1e-9 * abs(g1)
    nz = np.flatnonzero(g)
    solver.addRow(-INF, g1 + tol, len(nz), nz.astype(np.int32), g[nz])
    solver.changeColBounds(t_col, lp.col_lower_[t_col], float(x[t_col]) + STAGE_TOLERANCE)
    cost2 = np.asarray(lp.col_cost_).copy()  # G + ε·turnover, now capped by the row
    for name in ("ep", "em"):
        cost2[lay.sl(name)] = spec.weights.account
    solver.changeColsCost(lp.num_col_, np.arange(lp.num_col_, dtype=np.int32), cost2)
    if mip:
        # stage 1's solution is feasible here: it starts the search, and the (short) time
        # limit keeps it when nothing better is proven in time
        solver.setOptionValue("time_limit", STAGE2_MIP_TIME_LIMIT)
        solver.setSolution(lp.num_col_, np.arange(lp.num_col_, dtype=np.int32), x)
    _run(solver, "rebalance (stage 2)", conflicts)
    return np.asarray(solver.getSolution().col_value, dtype=float)


def _fix_from(solver: highspy.Highs, spec: ModelSpec, lay: _Layout, x: FloatArray) -> None:
    """Restrict a large MILP to what its LP solution ``x`` trades (LP-guided fixing).

    Orders and lots the LP leaves alone are fixed at zero; lots the LP sells in full are
    fixed sold when their position's sale is well above the minimum trade. What stays free
    is what rounding needs: partly sold lots, the amounts of the orders placed, whether to
    place the small ones.
    """
    book = spec.book
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []

    def fix(c: np.ndarray, v: np.ndarray | float) -> None:
        cols.append(c.astype(np.int32))
        vals.append(np.broadcast_to(np.asarray(v, dtype=float), c.shape).copy())

    xb, xy, xx = x[lay.sl("b")], x[lay.sl("y")], x[lay.sl("x")]
    idle_b = xb <= SHARE_EPS
    fix(lay.idx("b")[idle_b], 0.0)
    idle_y = xy <= SHARE_EPS
    fix(lay.idx("y")[idle_y], 0.0)
    fix(lay.idx("x")[xx <= SHARE_EPS], 0.0)
    proceeds = np.zeros(len(lay.pos_k))
    np.add.at(proceeds, lay.lot_pos, xx * book.lot_price)
    big = proceeds[lay.lot_pos] >= 2.0 * spec.min_trade + 1.0
    ub = np.floor(book.lot_shares + 1e-9) if spec.whole_shares else book.lot_shares
    full = (xx >= ub - 1e-7) & (ub > 0) & big
    fix(lay.idx("x")[full], ub[full])
    if lay.size["ub"]:
        fix(lay.idx("ub")[idle_b], 0.0)
        fix(lay.idx("un")[idle_y], 0.0)
        fix(lay.idx("ut")[proceeds <= SHARE_EPS], 0.0)
    c = np.concatenate(cols)
    v = np.concatenate(vals)
    solver.changeColsBounds(len(c), c, v, v)


def _arrays(book: Book, lay: _Layout, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(buy (K,S), sell (K,S), lot_sold (L,)) in shares from a solution vector ``x``."""
    buy = np.zeros((book.k, book.s))
    buy[lay.bk, lay.bs] = np.maximum(x[lay.sl("b")], 0.0)
    lot_sold = np.clip(x[lay.sl("x")], 0.0, book.lot_shares)
    sell = np.zeros((book.k, book.s))
    sell[lay.nk, lay.ns] = np.clip(x[lay.sl("y")], 0.0, book.shares[lay.nk, lay.ns])
    np.add.at(sell, (book.lot_account, book.lot_security), lot_sold)
    return buy, sell, lot_sold


class CapSweep:
    """The model of ``spec`` re-solved, warm-started, at other tax and gain caps (a search).

    Built once on the LP relaxation (no integers): the wash-sale choices of its first solve
    (without a tax cap) are kept for every cap, so each solution is feasible for the coupled
    model (every group is either not bought or not sold at a loss) but may miss a better
    choice at a lower cap. :meth:`solution` runs both stages and undoes stage 2's row, costs
    and bound. ``integer`` says whether ``spec`` itself is a MILP (then solve the chosen cap
    with :func:`solve`).
    """

    def __init__(self, spec: ModelSpec) -> None:
        t0 = time.perf_counter()
        lp, lay, g = build(spec, frozenset())
        self.integer = _n_integer(lp) > 0
        self.lp = _relaxation(lp) if self.integer else lp
        self.spec, self.lay, self.g = spec, lay, g
        self.conflicts = _conflicts(spec)
        self.nodes = 1
        if spec.couple and lay.candidates:
            self.solver, _, _, self.nodes = _branch_and_bound(spec, lay, self.lp, self.conflicts)
        else:
            self.solver = _new_solver(self.lp, 0)
        self.setup_seconds = time.perf_counter() - t0
        n = self.lp.num_col_
        self.cols = np.arange(n, dtype=np.int32)
        self.cost = np.asarray(self.lp.col_cost_, dtype=float).copy()
        self.search_cost = self.cost.copy()  # one stage: G + account deviations + ε·turnover
        for name in ("ep", "em"):
            self.search_cost[lay.sl(name)] += spec.weights.account
        self.costs_now = "exact"

    def _costs(self, which: str) -> None:
        if which != self.costs_now:
            cost = self.cost if which == "exact" else self.search_cost
            self.solver.changeColsCost(len(self.cols), self.cols, cost)
            self.costs_now = which

    def solution(
        self, tax_cap: float | None, gain_cap: float | None, exact: bool = True
    ) -> TradeSolution:
        """The LP solution with the tax and the net gain capped (None: no cap).

        ``exact``: both stages (the model's answer); otherwise one stage whose objective adds
        the accounts' deviations at the stage-2 weight (cheaper, for the search).
        """
        t0 = time.perf_counter()
        solver, lay, lp, book = self.solver, self.lay, self.lp, self.spec.book
        t_col = lay.start["t"]
        solver.changeRowBounds(lay.tax_cap_row, -INF, INF if tax_cap is None else tax_cap)
        solver.changeRowBounds(lay.gain_cap_row, -INF, INF if gain_cap is None else gain_cap)
        self._costs("exact" if exact else "search")
        _run(solver, "rebalance (search)", self.conflicts)
        x = np.asarray(solver.getSolution().col_value, dtype=float)
        g1 = float(self.g @ x)
        full1 = float(np.asarray(lp.col_cost_) @ x)
        stages = 1
        if self.spec.two_stage and exact:
            n_rows = solver.getNumRow()
            x = _stage2(solver, self.spec, lay, lp, self.g, x, self.conflicts, mip=False)
            solver.deleteRows(1, np.array([n_rows], dtype=np.int32))
            solver.changeColsCost(len(self.cols), self.cols, self.cost)
            solver.changeColBounds(t_col, lp.col_lower_[t_col], lp.col_upper_[t_col])
            stages = 2
        buy, sell, lot_sold = _arrays(book, lay, x)
        return TradeSolution(
            buy=buy,
            sell=sell,
            lot_sold=lot_sold,
            tax=float(x[t_col]),
            band_excess=np.maximum(x[lay.sl("v")], 0.0)[: book.c],
            household_deviation=(x[lay.sl("dp")] - x[lay.sl("dm")])[: book.c],
            objective=g1,
            stage1_objective=full1,
            status="Optimal",
            seconds=time.perf_counter() - t0,
            n_vars=lp.num_col_,
            n_rows=lp.num_row_,
            n_integer=0,
            stages=stages,
            lp_nodes=self.nodes,
        )


def solve(spec: ModelSpec) -> TradeSolution:
    """Build and solve the model (two stages); raise on infeasibility or solver failure.

    The wash-sale coupling (a group is sold at a loss or bought, not both) is a choice per
    group. As an LP the model is solved exactly: :func:`_branch_and_bound` on warm-started
    LPs, then stage 2. As a MILP (whole shares, minimum trade, cost per trade), the LP
    relaxation is solved that way first; its group choices are fixed by bounds; a large
    MILP (more than ``LARGE_MILP`` integer variables) is then restricted to what the
    relaxation trades (:func:`_fix_from`), and HiGHS solves it, stage 1 to a gap of 0.01%
    (or a millionth of the household's value, at least a cent) within ``MIP_TIME_LIMIT``
    seconds and stage 2 within ``STAGE2_MIP_TIME_LIMIT``. ``mip_gap`` reports the distance
    of stage 1 from the LP relaxation's objective, a lower bound.
    """
    t0 = time.perf_counter()
    book = spec.book
    conflicts = _conflicts(spec)
    lp, lay, g = build(spec, frozenset())
    n_int = _n_integer(lp)
    nodes = 1
    mip_gap = 0.0
    relax = lp if n_int == 0 else _relaxation(lp)
    if spec.couple and lay.candidates:
        solver, x, choices, nodes = _branch_and_bound(spec, lay, relax, conflicts)
    else:
        solver, choices = _new_solver(relax, 0), {}
        _run(solver, "rebalance (stage 1)", conflicts)
        x = np.asarray(solver.getSolution().col_value, dtype=float)
    if n_int:
        bound = float(np.asarray(lp.col_cost_) @ x)
        guide = x
        if n_int > LARGE_MILP and spec.two_stage:
            guide = _stage2(solver, spec, lay, relax, g, x, conflicts, mip=False)
        scale = float(book.value.sum() + np.maximum(book.available_cash, 0.0).sum())
        solver = _new_solver(lp, n_int, scale)
        _GroupCols.of(spec, lay, lp).apply(solver, choices)
        restricted = n_int > LARGE_MILP
        if restricted:
            _fix_from(solver, spec, lay, guide)
        try:
            _run(solver, "rebalance (stage 1)", conflicts)
        except InfeasibleError:
            if not restricted:
                raise
            solver = _new_solver(lp, n_int, scale)  # rounding needs more room: the full MILP
            _GroupCols.of(spec, lay, lp).apply(solver, choices)
            _run(solver, "rebalance (stage 1)", conflicts)
        x = np.asarray(solver.getSolution().col_value, dtype=float)
        full = float(np.asarray(lp.col_cost_) @ x)
        mip_gap = max(0.0, full - bound) / max(1.0, abs(full))
    g1 = float(g @ x)
    full1 = float(np.asarray(lp.col_cost_) @ x)
    status = solver.modelStatusToString(solver.getModelStatus()) if n_int else "Optimal"
    stages = 1
    if spec.two_stage:
        x = _stage2(solver, spec, lay, lp, g, x, conflicts, mip=n_int > 0)
        stages = 2
        status = solver.modelStatusToString(solver.getModelStatus())

    buy, sell, lot_sold = _arrays(book, lay, x)
    dev = (x[lay.sl("dp")] - x[lay.sl("dm")])[: book.c]
    buy_placed = sell_placed = None
    if lay.size["ub"]:
        buy_placed = np.zeros((book.k, book.s), dtype=bool)
        buy_placed[lay.bk, lay.bs] = x[lay.sl("ub")] > 0.5
        sell_placed = np.zeros((book.k, book.s), dtype=bool)
        sell_placed[lay.nk, lay.ns] = x[lay.sl("un")] > 0.5
        sell_placed[lay.pos_k, lay.pos_s] = x[lay.sl("ut")] > 0.5
    return TradeSolution(
        buy=buy,
        sell=sell,
        lot_sold=lot_sold,
        tax=float(x[lay.start["t"]]),
        band_excess=np.maximum(x[lay.sl("v")], 0.0)[: book.c],
        household_deviation=dev,
        objective=g1,
        stage1_objective=full1,
        status=status,
        seconds=time.perf_counter() - t0,
        n_vars=lp.num_col_,
        n_rows=lp.num_row_,
        n_integer=int(n_int),
        stages=stages,
        lp_nodes=nodes,
        mip_gap=mip_gap,
        buy_placed=buy_placed,
        sell_placed=sell_placed,
    )

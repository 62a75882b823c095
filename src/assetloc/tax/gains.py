"""The tax of realizing gains and losses this year, and its convex model for the optimizer.

A :class:`GainTax` answers one question: how much more tax (dollars) does the household
pay this year if it realizes a net short-term gain ``st`` and a net long-term gain ``lt``
(dollars, negative for losses) on top of its income? Two sources:

* :class:`EngineGainTax` — the one-year return (:mod:`assetloc.tax.engine`):
  tax(income + gains) − tax(income), with Schedule D netting, the $3,000 loss limit, the
  carryforward, the 0/15/20% worksheet, NIIT and state tax. Used whenever the household
  file gives a filing status.
* :class:`StatedGainTax` — stated marginal rates: Schedule D netting, a net loss deducted
  against ordinary income (at the short-term rate) up to $3,000 ($1,500 married filing
  separately), the rest carried forward (worth nothing this year).

With ``allow_losses = false`` a net credit is floored at zero (losses still offset gains).

The optimizer cannot use the exact function (it has kinks that are not convex: a loss
beyond the limit earns nothing, a gain that pushes Social Security into tax or the senior
deduction out costs more and then less). :meth:`GainTax.planes` gives the lower convex
envelope of the exact tax on a grid of (st, lt) over the range the trades can reach: the
largest convex piecewise-linear function that is at or below the exact tax at every grid
point, as planes ``tax >= a·st + b·lt + c`` (LP rows). Where the exact tax is convex it is
exact at the grid points; elsewhere it understates, so the optimizer may realize a little
more than the exact tax would choose. The REPORTED tax is always :meth:`GainTax.tax`.
Estimates, not tax advice.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np

from assetloc.tax.income import INCOME_KEYS, Filer, Income
from assetloc.tax.law import status_code, year_law
from assetloc.tax.year_return import batch_returns, lines_of
from assetloc.types import FloatArray

#: Grid points per axis of the convex model.
GRID = 41
LOSS_LIMIT = 3000.0  # §1211(b); $1,500 married filing separately


@dataclass(frozen=True)
class GainTaxDetail:
    """A realized gain's tax (dollars) and what carries forward to next year."""

    tax: float
    carryforward_short_term: float
    carryforward_long_term: float
    loss_deducted: float


class GainTax(Protocol):
    """Tax of net realized gains this year (dollars); see the module docstring."""

    @property
    def short_term_rate(self) -> float:
        """Marginal rate of the next short-term dollar, decimal."""

    @property
    def long_term_rate(self) -> float:
        """Marginal rate of the next long-term dollar, decimal."""

    @property
    def allow_losses(self) -> bool:
        """Whether a net loss earns a credit this year."""

    @property
    def source(self) -> str:
        """``"engine"`` or ``"stated rates"``."""

    def detail(self, st: float, lt: float) -> GainTaxDetail:
        """The tax and the carryforward of realizing ``st``, ``lt`` (dollars)."""

    def tax_grid(self, st: FloatArray, lt: FloatArray) -> FloatArray:
        """Tax (dollars) of each pair ``st[i]``, ``lt[i]``, vectorized."""

    def tax(self, st: float, lt: float) -> float:
        """THE reported tax (dollars) of realizing ``st``, ``lt``; negative = a credit."""


def _floor(tax: FloatArray, allow_losses: bool) -> FloatArray:
    return tax if allow_losses else np.maximum(tax, 0.0)


def convex_planes(
    model: GainTax,
    st_range: tuple[float, float],
    lt_range: tuple[float, float],
    grid: int = GRID,
) -> FloatArray:
    """Rows (a, b, c) with tax ≥ a·st + b·lt + c: the lower convex envelope on a grid.

    ``st_range``, ``lt_range``: the least and most net gain (dollars) the trades can reach.
    Shape (m, 3); the max over rows is ≤ ``model.tax`` at every grid point.
    """
    st_axis = _axis(st_range, grid)
    lt_axis = _axis(lt_range, grid)
    s_grid, l_grid = np.meshgrid(st_axis, lt_axis, indexing="ij")
    s, lg = s_grid.ravel(), l_grid.ravel()
    f = np.asarray(model.tax_grid(s, lg), dtype=np.float64)
    return _lower_envelope(s, lg, f, len(st_axis), len(lt_axis))


def _carryforward(st: float, lt: float, useful: float) -> tuple[float, float]:
    """Capital Loss Carryover Worksheet: what carries forward, by character (dollars).

    ``useful``: the part of the deducted loss that reduced taxable income (line 4).
    """
    if st + lt >= 0:
        return 0.0, 0.0
    st_loss, lt_loss = max(-st, 0.0), max(-lt, 0.0)
    carry_st = max(st_loss - useful - max(lt, 0.0), 0.0)
    carry_lt = max(lt_loss - max(st, 0.0) - max(useful - st_loss, 0.0), 0.0)
    return carry_st, carry_lt


def _axis(bounds: tuple[float, float], grid: int) -> FloatArray:
    lo, hi = float(min(bounds)), float(max(bounds))
    if hi - lo < 1e-6:
        return np.array([lo])
    pts = np.linspace(lo, hi, grid)
    # the kinks every return has: zero, and the loss limit on either side of it
    extra = [x for x in (0.0, -LOSS_LIMIT, LOSS_LIMIT) if lo < x < hi]
    return np.unique(np.concatenate([pts, extra]))


def _lower_envelope(s: FloatArray, lg: FloatArray, f: FloatArray, ns: int, nl: int) -> FloatArray:
    """Planes of the lower convex hull of the points (s, lg, f)."""
    if ns == 1 and nl == 1:
        return np.array([[0.0, 0.0, float(f[0])]])
    if ns == 1 or nl == 1:  # one free axis: the lower hull of a curve
        x = lg if ns == 1 else s
        segments = _lower_hull_1d(x, f)
        return np.array([[0.0, a, c] if ns == 1 else [a, 0.0, c] for a, c in segments])
    from scipy.spatial import ConvexHull, QhullError  # scipy.spatial: 0.1-0.3 s to import

    try:
        hull = ConvexHull(np.column_stack([s, lg, f]))
    except QhullError:  # all points on one plane: fit it
        coef, *_ = np.linalg.lstsq(np.column_stack([s, lg, np.ones_like(s)]), f, rcond=None)
        return np.asarray(coef[None, :], dtype=np.float64)
    eq = hull.equations  # n·x + d = 0 with outward normal n = (n1, n2, n3)
    lower = eq[eq[:, 2] < -1e-12]
    a = -lower[:, 0] / lower[:, 2]
    b = -lower[:, 1] / lower[:, 2]
    c = -lower[:, 3] / lower[:, 2]
    rows = np.unique(np.round(np.column_stack([a, b, c]), 10), axis=0)
    return rows


def _lower_hull_1d(x: FloatArray, f: FloatArray) -> list[tuple[float, float]]:
    """(slope, intercept) of the segments of the lower convex hull of points (x, f)."""
    order = np.argsort(x)
    pts = list(zip(x[order].tolist(), f[order].tolist(), strict=True))
    hull: list[tuple[float, float]] = []
    for p in pts:  # Andrew's monotone chain, lower part
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) <= 0:
                hull.pop()
            else:
                break
        hull.append(p)
    if len(hull) == 1:
        return [(0.0, hull[0][1])]
    out = []
    for (x1, y1), (x2, y2) in itertools.pairwise(hull):
        slope = (y2 - y1) / (x2 - x1)
        out.append((slope, y1 - slope * x1))
    return out


@dataclass(frozen=True, eq=False)
class EngineGainTax:
    """tax(income + gains) − tax(income) by the one-year return (dollars)."""

    filer: Filer
    income: Income
    allow_losses: bool = True
    source: str = "engine"
    assumptions: tuple[str, ...] = field(default=(), compare=False)

    @cached_property
    def _base(self) -> dict[str, float]:
        return lines_of(self.filer, self.income.as_dict())

    @property
    def short_term_rate(self) -> float:
        """Marginal rate of the next short-term dollar (decimal), by the engine."""
        return self.detail(1.0, 0.0).tax

    @property
    def long_term_rate(self) -> float:
        """Marginal rate of the next long-term dollar (decimal), by the engine."""
        return self.detail(0.0, 1.0).tax

    def tax(self, st: float, lt: float) -> float:
        """THE reported tax (dollars) of realizing ``st``, ``lt``; negative = a credit."""
        return self.detail(st, lt).tax

    def detail(self, st: float, lt: float) -> GainTaxDetail:
        amounts = self.income.as_dict()
        amounts["short_term_gains"] += st
        amounts["long_term_gains"] += lt
        after = lines_of(self.filer, amounts)
        tax = after["total_tax"] - self._base["total_tax"]
        tax = tax if self.allow_losses else max(tax, 0.0)
        return GainTaxDetail(
            tax=tax,
            carryforward_short_term=after["carryforward_short_term"],
            carryforward_long_term=after["carryforward_long_term"],
            loss_deducted=after["loss_deducted"],
        )

    def tax_grid(self, st: FloatArray, lt: FloatArray) -> FloatArray:
        n = st.shape[0]
        cols = {k: np.full(n, getattr(self.income, k)) for k in INCOME_KEYS}
        cols["short_term_gains"] = cols["short_term_gains"] + st
        cols["long_term_gains"] = cols["long_term_gains"] + lt
        f = self.filer
        lines = batch_returns(
            f.year,
            np.full(n, status_code(f.filing_status)),
            cols,
            age=np.full(n, -1 if f.age is None else f.age),
            spouse_age=np.full(n, -1 if f.spouse_age is None else f.spouse_age),
            state_rate=f.state_rate,
            muni_in_state=1.0 if f.muni_in_state else 0.0,
        )
        return _floor(lines["total_tax"] - self._base["total_tax"], self.allow_losses)


@dataclass(frozen=True, eq=False)
class StatedGainTax:
    """Schedule D netting at stated marginal rates (decimals), with the loss limit."""

    short_term_rate: float
    long_term_rate: float
    allow_losses: bool = True
    loss_limit: float = LOSS_LIMIT
    source: str = "stated rates"
    assumptions: tuple[str, ...] = field(default=(), compare=False)

    def tax_grid(self, st: FloatArray, lt: FloatArray) -> FloatArray:
        net = st + lt
        both_gains = (st >= 0) & (lt >= 0)
        remaining_rate = np.where(st > 0, self.short_term_rate, self.long_term_rate)
        tax = np.where(
            both_gains,
            self.short_term_rate * st + self.long_term_rate * lt,
            np.where(
                net >= 0,
                remaining_rate * net,
                self.short_term_rate * np.maximum(net, -self.loss_limit),
            ),
        )
        return _floor(np.asarray(tax, dtype=np.float64), self.allow_losses)

    def detail(self, st: float, lt: float) -> GainTaxDetail:
        tax = float(self.tax_grid(np.array([float(st)]), np.array([float(lt)]))[0])
        deducted = min(max(-(st + lt), 0.0), self.loss_limit)
        carry_st, carry_lt = _carryforward(st, lt, deducted)  # taxable income assumed enough
        return GainTaxDetail(tax, carry_st, carry_lt, deducted)

    def tax(self, st: float, lt: float) -> float:
        """THE reported tax (dollars) of realizing ``st``, ``lt``; negative = a credit."""
        return self.detail(st, lt).tax


def loss_limit(filing_status: str | None, year: int | None) -> float:
    """The §1211(b) limit (dollars) for a filing status (stated rates: $3,000)."""
    if filing_status is None or year is None:
        return LOSS_LIMIT
    return float(year_law(year).loss_limit[status_code(filing_status)])

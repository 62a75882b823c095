"""The tax of a rebalance's realized gains: the household's gain tax and its LP model.

The REPORTED tax of a plan is the household's :class:`~assetloc.tax.gains.GainTax` of its
net realized short-term and long-term gains (dollars, after the losses wash sales
disallow): tax(income + gains) − tax(income) by the year's return
(:class:`~assetloc.tax.gains.EngineGainTax`, when the household file gives a filing
status) or Schedule D netting at stated rates (:class:`~assetloc.tax.gains.StatedGainTax`)
— in both, a net loss is deducted against ordinary income up to $3,000 ($1,500 married
filing separately) and the rest carries forward. Every report, the cost-benefit rule and
the budgets use :func:`plan_tax` (one function).

The trade model cannot use that function: it is piecewise linear but not convex (a loss
beyond the $3,000 limit earns nothing this year; a gain that makes Social Security taxable
or phases out a deduction costs more and then less). :func:`model_planes` gives the LP's
model of it, planes ``t ≥ a·ST + b·LT + c``:

1. the lower convex envelope of the exact tax on a 41 × 41 grid of (ST, LT) over the range
   the sellable lots can reach (:func:`~assetloc.tax.gains.convex_planes`; the grid holds
   0 and ±$3,000), which is at or below the exact tax at every grid point, and equal to
   it where the tax is convex;
2. each plane lowered until it is also at or below the exact tax at every point of a grid
   four times finer in each direction and along the netting diagonals ST + LT = 0 and
   ST + LT = −$3,000: between grid points the envelope interpolates, and a convex kink of
   the tax (a bracket edge, the 0% long-term bracket's end) that falls between two grid
   points would otherwise put the model above the tax there; planes whose slopes agree to
   1e-9 are merged (the highest kept) and float noise below 1e-9 is zeroed.

So the model is a lower bound of the exact tax at every check point (between them it can
exceed it by the interpolation over one fine cell where a kink crosses it: measured under $1
on ranges of a few thousand dollars, up to $13 on $80k × $220k, $168 on $500k × $1.1M with
Social Security; docs/rebalance.md). Where the tax is not convex
it understates it, and the trade model may then realize somewhat more gain (or harvest more
loss) than the exact tax would choose. The rebalance never relies on it for a figure: the
cost-benefit rule values every candidate by :func:`plan_tax`, and a tax budget is checked
against :func:`plan_tax` of the rounded orders (the model's cap is tightened and the model
solved again when the exact tax exceeds the budget; see
:mod:`~assetloc.rebalance.costbenefit`). Estimates, not tax advice.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from assetloc.tax.gains import LOSS_LIMIT, GainTax, GainTaxDetail, convex_planes, loss_limit
from assetloc.tax.situation import tax_situation
from assetloc.types import FloatArray

__all__ = ["CHECK_REFINE", "gain_ranges", "gain_tax_of", "model_planes", "plan_tax"]

#: The check grid of :func:`model_planes` is this many times finer than the envelope's.
CHECK_REFINE = 4
ENVELOPE_GRID = 41
#: Range bounds are rounded out to this many dollars (so that near-equal ranges share planes).
RANGE_QUANTUM = 1.0


def gain_tax_of(h: Any) -> GainTax:
    """The household's tax of realized gains this year (engine or stated rates), with the
    ``[rebalance]`` option ``allow_losses`` (a net loss earns a credit or nothing)."""
    situation = tax_situation(h.investor, h.income)
    return situation.gain_tax(allow_losses=h.rebalance.allow_losses)


def plan_tax(gain_tax: GainTax, short_term: float, long_term: float) -> GainTaxDetail:
    """THE reported tax (dollars) of a plan's net short- and long-term gains (dollars,
    after disallowed losses), with its carryforward and the loss deducted this year."""
    return gain_tax.detail(float(short_term), float(long_term))


def gain_ranges(
    gain: FloatArray, shares: FloatArray, long_term: np.ndarray
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The least and most net short- and long-term gain (dollars) that selling any part of
    the lots can produce: sums of the negative and of the positive lot gains by term.

    ``gain``: (L,) gain per share as the model counts it; ``shares``: (L,) the most shares
    of each lot the model may sell; ``long_term``: (L,) bool."""
    total = np.asarray(gain, dtype=float) * np.asarray(shares, dtype=float)
    lt = np.asarray(long_term, dtype=bool)

    def span(x: FloatArray) -> tuple[float, float]:
        lo = float(np.minimum(x, 0.0).sum())
        hi = float(np.maximum(x, 0.0).sum())
        return (
            float(np.floor(lo / RANGE_QUANTUM) * RANGE_QUANTUM),
            float(np.ceil(hi / RANGE_QUANTUM) * RANGE_QUANTUM),
        )

    return span(total[~lt]), span(total[lt])


def model_planes(
    gain_tax: GainTax, st_range: tuple[float, float], lt_range: tuple[float, float]
) -> FloatArray:
    """Rows (a, b, c): the LP's tax t ≥ a·ST + b·LT + c for each row (module doc).

    Cached per gain-tax object and ranges (a rebalance builds its model several times)."""
    st_key = (float(st_range[0]), float(st_range[1]))
    lt_key = (float(lt_range[0]), float(lt_range[1]))
    key = (id(gain_tax), st_key, lt_key)
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not gain_tax:
        hit = (gain_tax, _planes(gain_tax, st_key, lt_key))
        _CACHE[key] = hit
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return hit[1].copy()


CACHE_SIZE = 64
# (id of the gain tax, ranges) -> (the gain tax, kept alive so that its id is not reused; planes)
_CACHE: OrderedDict[tuple[int, tuple[float, float], tuple[float, float]], tuple[Any, FloatArray]]
_CACHE = OrderedDict()


def _planes(
    gain_tax: GainTax, st_range: tuple[float, float], lt_range: tuple[float, float]
) -> FloatArray:
    planes = np.asarray(
        convex_planes(gain_tax, (st_range[0], st_range[1]), (lt_range[0], lt_range[1])),
        dtype=float,
    ).copy()
    s, lg = check_points(st_range, lt_range, _loss_limit(gain_tax))
    exact = np.asarray(gain_tax.tax_grid(s, lg), dtype=float)
    excess = planes[:, 0][None, :] * s[:, None] + planes[:, 1][None, :] * lg[:, None]
    excess += planes[:, 2][None, :] - exact[:, None]
    planes[:, 2] -= np.maximum(excess.max(axis=0), 0.0)
    return _distinct(planes)


def _distinct(planes: FloatArray) -> FloatArray:
    """One plane per slope (to 1e-9): of planes that differ only by float noise of the hull
    (near-duplicate LP rows, which make HiGHS's simplex stall), the highest. Each plane is
    at or below the tax on its own, so the one kept is too."""
    key = np.round(planes[:, :2], 9) + 0.0
    order = np.lexsort((-planes[:, 2], key[:, 1], key[:, 0]))
    key, planes = key[order], planes[order]
    first = np.ones(len(planes), dtype=bool)
    first[1:] = (np.diff(key, axis=0) != 0).any(axis=1)
    out = planes[first]
    # float noise of the hull (c = -7e-15 where the tax is 0 at 0) is zero: HiGHS's simplex
    # stalls on such a row bound; the plane moves by less than 1e-9 dollars
    out[:, :2] = np.where(np.abs(out[:, :2]) < 1e-12, 0.0, out[:, :2])
    out[:, 2] = np.where(np.abs(out[:, 2]) < 1e-9, 0.0, out[:, 2])
    return out


def _loss_limit(gain_tax: GainTax) -> float:
    """The household's §1211(b) limit (dollars): $3,000, $1,500 married filing separately."""
    filer = getattr(gain_tax, "filer", None)
    if filer is not None:
        return loss_limit(filer.filing_status, filer.year)
    return float(getattr(gain_tax, "loss_limit", LOSS_LIMIT))


def check_points(
    st_range: tuple[float, ...], lt_range: tuple[float, ...], limit: float = LOSS_LIMIT
) -> tuple[FloatArray, FloatArray]:
    """(ST, LT) points where :func:`model_planes` is at or below the exact tax: a grid
    :data:`CHECK_REFINE` times finer than the envelope's (with 0 and ±$3,000 on each axis)
    and points along ST + LT = 0 and ST + LT = −``limit`` (the loss limit; dollars)."""
    n = (ENVELOPE_GRID - 1) * CHECK_REFINE + 1
    ax_s, ax_l = _axis(st_range, n), _axis(lt_range, n)
    s_grid, l_grid = np.meshgrid(ax_s, ax_l, indexing="ij")
    s_parts, l_parts = [s_grid.ravel()], [l_grid.ravel()]
    for net in sorted({0.0, -LOSS_LIMIT, -limit}):  # the netting kinks are diagonal
        lo = max(st_range[0], net - lt_range[1])
        hi = min(st_range[1], net - lt_range[0])
        if lo <= hi:
            x = np.linspace(lo, hi, 2 * n)
            s_parts.append(x)
            l_parts.append(net - x)
    return np.concatenate(s_parts), np.concatenate(l_parts)


def _axis(bounds: tuple[float, ...], n: int) -> FloatArray:
    lo, hi = float(min(bounds)), float(max(bounds))
    if hi - lo < 1e-6:
        return np.array([lo])
    extra = [x for x in (0.0, -LOSS_LIMIT, LOSS_LIMIT) if lo < x < hi]
    return np.unique(np.concatenate([np.linspace(lo, hi, n), extra]))

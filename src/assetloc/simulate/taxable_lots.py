"""Lots of taxable accounts, per path, account and class, as arrays (nominal dollars).

Each (path, account, class) holds up to ``L`` lots: ``units`` and ``cost`` per unit, kept
sorted by cost ascending with the empty slots (0 units, cost :data:`EMPTY`) on top; the
lot axis comes first, shape (L, paths, accounts, classes), so that sums over lots are
sums of contiguous blocks. The class's price index ``price`` (nominal, 1 at the start) is
common to its lots, so a lot's rank never changes once bought: sales take from the top,
highest cost first — losses first, then the smallest gains (HIFO, as ``rebalance`` prefers
high-basis lots) — and a purchase is inserted at its cost's rank. Every sale is
long-term: trades are annual, so a lot is a year old when it can next be sold.

When all ``L`` slots hold lots, a new purchase joins the lot just below its cost (or the
lowest lot, when it costs less than all of them), at their average cost, which stays
between its neighbours' costs, so the order holds. With ``L`` >= years + 1 nothing is ever
joined and every purchase year is its own lot (exact vintages). Fund turnover (a share of
the unrealized gain distributed and reinvested each year) raises every lot's cost toward
the price, which keeps their order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assetloc.types import FloatArray

#: Cost of an empty slot (sorts above every real cost).
EMPTY = 1e200
#: Smallest price index kept (a class that lost everything keeps a tiny positive price).
MIN_PRICE = 1e-50
#: Default lots kept per account and class.
DEFAULT_LOTS = 8


def _flat_index(shape: tuple[int, ...], j: np.ndarray) -> np.ndarray:
    """Flat positions of [j[c], c] in an (L, *cells) array, one per cell c."""
    cells = int(np.prod(shape[1:]))
    out: np.ndarray = j.reshape(-1) * cells + np.arange(cells)
    return out


def _get(arr: FloatArray, j: np.ndarray) -> FloatArray:
    """arr[j[c], c] for every cell c of (L, *cells) ``arr`` and an index per cell."""
    out: FloatArray = np.take(arr, _flat_index(arr.shape, j)).reshape(arr.shape[1:])
    return out


def _put(arr: FloatArray, j: np.ndarray, value: FloatArray) -> None:
    """arr[j[c], c] = value[c] in place."""
    np.put(arr, _flat_index(arr.shape, j), value.reshape(-1))


@dataclass
class Lots:
    """Mutable lot arrays of shape (L, paths, accounts, classes); see the module docstring."""

    units: FloatArray
    cost: FloatArray

    @classmethod
    def start(cls, value: FloatArray, basis: FloatArray, slots: int) -> Lots:
        """One lot per class: ``value`` (P, A, n) nominal dollars at price 1, total
        ``basis`` of the same shape."""
        shape = (max(int(slots), 2), *value.shape)
        units = np.zeros(shape)
        cost = np.full(shape, EMPTY)
        held = value > 0
        units[0] = np.where(held, value, 0.0)
        cost[0] = np.where(held, basis / np.where(held, value, 1.0), EMPTY)
        return cls(units, cost)

    @property
    def slots(self) -> int:
        """L, lots kept per account and class."""
        return int(self.units.shape[0])

    def value(self, price: FloatArray) -> FloatArray:
        """(P, A, n) market value, nominal dollars; ``price`` is (P, n)."""
        out: FloatArray = self.units.sum(axis=0) * price[:, None, :]
        return out

    def unrealized(self, price: FloatArray) -> FloatArray:
        """(P, A, n) unrealized gain, nominal dollars (negative for a loss)."""
        out: FloatArray = (self.units * (price[None, :, None, :] - self.cost)).sum(axis=0)
        return out

    def turnover(self, price: FloatArray, share: FloatArray) -> FloatArray:
        """Distribute ``share`` (n,) of each lot's unrealized gain, reinvested: the cost
        moves that far toward the price. Returns the (P, A, n) realized gain (nominal)."""
        if not np.any(share > 0):
            return np.zeros(self.units.shape[1:])
        live = self.units > 0
        step = np.where(live, share * (price[None, :, None, :] - self.cost), 0.0)
        realized: FloatArray = (self.units * step).sum(axis=0)
        self.cost = self.cost + step
        return realized

    def sale_table(self, price: FloatArray) -> SaleTable:
        """What selling any amount from the top would realize, for this year's prices."""
        p = price[None, :, None, :]
        lot_value = self.units * p
        total = lot_value.sum(axis=0)
        above = total - np.cumsum(lot_value, axis=0)  # value of the lots above each slot
        gain_share = 1.0 - self.cost / p  # empty slots: hugely negative, times 0 sold
        return SaleTable(lot_value, above, gain_share)

    def sell(self, table: SaleTable, amount: FloatArray, price: FloatArray) -> None:
        """Remove ``amount`` (P, A, n) nominal dollars from the top lots."""
        sold = table.sold(amount)
        gone = sold >= table.lot_value * (1.0 - 1e-12)
        units = self.units - sold / price[None, :, None, :]
        self.units = np.where(gone, 0.0, units)
        self.cost = np.where(gone, EMPTY, self.cost)

    def buy(self, amount: FloatArray, price: FloatArray) -> None:
        """Add a lot of ``amount`` (P, A, n) nominal dollars at today's ``price`` (P, n)."""
        do = amount > 0
        if not do.any():
            return
        p = np.broadcast_to(price[:, None, :], amount.shape)
        new_units = np.where(do, amount, 0.0) / p
        units, cost = self.units, self.cost
        slots = units.shape[0]
        pos = (cost < p).sum(axis=0)  # live lots cheaper than the new one (empties cost EMPTY)
        full = do & (units[-1] > 0)
        insert = do & ~full
        # full: join the lot just below (or the lowest lot)
        if full.any():
            j = np.maximum(pos - 1, 0)
            uj, cj = _get(units, j), _get(cost, j)
            joined = uj + new_units
            _put(units, j, np.where(full, joined, uj))
            _put(
                cost, j, np.where(full, (uj * cj + new_units * p) / np.maximum(joined, 1e-300), cj)
            )
        # not full: shift the lots above up by one, the new lot at its rank
        if insert.any():
            idx = np.arange(slots).reshape(slots, *(1,) * amount.ndim)
            move = (idx > pos[None]) & insert[None]
            up_u = np.empty_like(units)
            up_u[0] = units[0]
            up_u[1:] = units[:-1]
            up_c = np.empty_like(cost)
            up_c[0] = cost[0]
            up_c[1:] = cost[:-1]
            units = np.where(move, up_u, units)
            cost = np.where(move, up_c, cost)
            at = np.minimum(pos, slots - 1)
            _put(units, at, np.where(insert, new_units, _get(units, at)))
            _put(cost, at, np.where(insert, p, _get(cost, at)))
        self.units, self.cost = units, cost


class SaleTable:
    """Per lot (L, P, A, n): its value, the value of the lots above it and its gain per
    dollar sold (nominal), for one year's prices.

    :meth:`gain` is called many times a year (the gross-up); it remembers, per cell, the
    lot the last sale ended in, where the realized gain is linear in the amount, and
    recomputes over the lots only the cells whose amount left that lot.
    """

    def __init__(self, lot_value: FloatArray, above: FloatArray, gain_share: FloatArray) -> None:
        self.lot_value = lot_value
        self.above = above
        self.gain_share = gain_share
        slots = lot_value.shape[0]
        self._lv = lot_value.reshape(slots, -1)
        self._above = above.reshape(slots, -1)
        self._gs = gain_share.reshape(slots, -1)
        self._seg: tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None = None

    def sold(self, amount: FloatArray) -> FloatArray:
        """Dollars taken from each lot when selling ``amount`` (P, A, n) from the top."""
        out: FloatArray = np.minimum(np.maximum(amount[None] - self.above, 0.0), self.lot_value)
        return out

    def _exact(
        self, s: FloatArray, cols: np.ndarray | None
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        lv, above, gs = self._lv, self._above, self._gs
        if cols is not None:
            lv, above, gs = lv[:, cols], above[:, cols], gs[:, cols]
        sold = np.minimum(np.maximum(s[None] - above, 0.0), lv)
        gain = (sold * gs).sum(axis=0)
        partial = sold > 0
        flat = _flat_index(sold.shape, partial.argmax(axis=0))
        some = np.take(partial, flat)
        lo = np.where(some, np.take(above, flat), 0.0)
        hi = np.where(some, lo + np.take(lv, flat), 0.0)
        slope = np.where(some, np.take(gs, flat), 0.0)
        base = gain - (s - lo) * slope
        return gain, lo, hi, base, slope

    def gain(self, amount: FloatArray) -> FloatArray:
        """(P, A, n) realized gain (nominal) of selling ``amount`` from the top."""
        s = amount.reshape(-1)
        if self._seg is None:
            gain, lo, hi, base, slope = self._exact(s, None)
            self._seg = (lo, hi, base, slope)
            return gain.reshape(amount.shape)
        lo, hi, base, slope = self._seg
        out = base + (s - lo) * slope
        bad = np.flatnonzero((s < lo) | (s > hi))
        if bad.size:
            g, lo[bad], hi[bad], base[bad], slope[bad] = self._exact(s[bad], bad)
            out[bad] = g
        return out.reshape(amount.shape)

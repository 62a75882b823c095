"""Lots of taxable accounts, per path, account and class, as arrays (nominal dollars).

Each (path, account, class) holds up to ``L`` lots: ``units`` and ``cost`` per unit, kept
sorted by cost ascending with the empty slots (0 units, cost :data:`EMPTY`) on top. The
class's price index ``price`` (nominal, 1 at the start) is common to its lots, so a lot's
order never changes once bought: sales take from the top, highest cost first — losses
first, then the smallest gains (HIFO, as ``rebalance`` prefers high-basis lots) — and a
purchase is inserted at its cost's rank. Every sale is long-term: trades are annual, so a
lot is a year old when it can next be sold.

When all ``L`` slots are taken and a new lot comes, the two lowest-cost lots (the last to
be sold) are merged at their average cost. With ``L`` >= years + 1 nothing is ever merged
and every purchase year is its own lot (exact vintages); the default keeps the cost
bounded. Fund turnover (a share of the unrealized gain distributed and reinvested each
year) raises every lot's cost toward the price, which keeps their order.
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
_SAME_COST = 1e-12  # relative: a purchase at a lot's cost joins that lot


@dataclass
class Lots:
    """Mutable lot arrays of shape (paths, accounts, classes, L); see the module docstring."""

    units: FloatArray
    cost: FloatArray

    @classmethod
    def start(cls, value: FloatArray, basis: FloatArray, slots: int) -> Lots:
        """One lot per class: ``value`` (P, A, n) nominal dollars at price 1, total
        ``basis`` of the same shape."""
        shape = (*value.shape, max(int(slots), 2))
        units = np.zeros(shape)
        cost = np.full(shape, EMPTY)
        held = value > 0
        units[..., 0] = np.where(held, value, 0.0)
        cost[..., 0] = np.where(held, basis / np.where(held, value, 1.0), EMPTY)
        return cls(units, cost)

    @property
    def live(self) -> np.ndarray:
        """Slots holding a lot."""
        return self.units > 0

    def value(self, price: FloatArray) -> FloatArray:
        """(P, A, n) market value, nominal dollars; ``price`` is (P, n)."""
        out: FloatArray = self.units.sum(axis=-1) * price[:, None, :]
        return out

    def unrealized(self, price: FloatArray) -> FloatArray:
        """(P, A, n) unrealized gain, nominal dollars (negative for a loss)."""
        p = price[:, None, :, None]
        gain = np.where(self.live, self.units * (p - self.cost), 0.0)
        out: FloatArray = gain.sum(axis=-1)
        return out

    def turnover(self, price: FloatArray, share: FloatArray) -> FloatArray:
        """Distribute ``share`` (n,) of each lot's unrealized gain, reinvested: the cost
        moves that far toward the price. Returns the (P, A, n) realized gain (nominal)."""
        p = price[:, None, :, None]
        s = share[None, None, :, None]
        live = self.live
        step = np.where(live, s * (p - self.cost), 0.0)
        realized: FloatArray = (self.units * step).sum(axis=-1)
        self.cost = np.where(live, self.cost + step, self.cost)
        return realized

    def sale_table(self, price: FloatArray) -> SaleTable:
        """What selling any amount from the top would realize, for this year's prices."""
        p = price[:, None, :, None]
        lot_value = self.units * p
        total = lot_value.sum(axis=-1, keepdims=True)
        above = total - np.cumsum(lot_value, axis=-1)  # value of the lots above each slot
        gain_share = np.where(self.live, 1.0 - self.cost / p, 0.0)
        return SaleTable(lot_value, above, gain_share)

    def sell(self, table: SaleTable, amount: FloatArray, price: FloatArray) -> None:
        """Remove ``amount`` (P, A, n) nominal dollars from the top lots."""
        sold = table.sold(amount)
        p = price[:, None, :, None]
        units = self.units - sold / p
        gone = sold >= table.lot_value * (1.0 - 1e-12)
        self.units = np.where(gone, 0.0, np.maximum(units, 0.0))
        self.cost = np.where(gone, EMPTY, self.cost)

    def buy(self, amount: FloatArray, price: FloatArray) -> None:
        """Add a lot of ``amount`` (P, A, n) nominal dollars at today's ``price`` (P, n)."""
        p = np.broadcast_to(price[:, None, :], amount.shape)
        new_units = amount / p
        do = amount > 0
        if not do.any():
            return
        units, cost = self.units, self.cost
        live = units > 0
        same = live & (np.abs(cost - p[..., None]) <= _SAME_COST * p[..., None])
        joins = same.any(axis=-1) & do
        if joins.any():
            units = units + np.where(same & joins[..., None], new_units[..., None], 0.0)
            do = do & ~joins
        slots = units.shape[-1]
        full = do & live[..., -1]
        if full.any():  # merge the two lowest-cost lots, shift the rest down
            u0, u1 = units[..., 0], units[..., 1]
            merged_cost = (u0 * cost[..., 0] + u1 * cost[..., 1]) / np.maximum(u0 + u1, 1e-300)
            mu = units.copy()
            mc = cost.copy()
            mu[..., 0], mc[..., 0] = u0 + u1, merged_cost
            mu[..., 1:-1], mc[..., 1:-1] = units[..., 2:], cost[..., 2:]
            mu[..., -1], mc[..., -1] = 0.0, EMPTY
            f = full[..., None]
            units = np.where(f, mu, units)
            cost = np.where(f, mc, cost)
        live = units > 0
        pos = (live & (cost < p[..., None])).sum(axis=-1)
        idx = np.arange(slots)
        up_u = np.concatenate([units[..., :1], units[..., :-1]], axis=-1)
        up_c = np.concatenate([cost[..., :1], cost[..., :-1]], axis=-1)
        at = idx == pos[..., None]
        above = idx > pos[..., None]
        d = do[..., None]
        self.units = np.where(
            d, np.where(at, new_units[..., None], np.where(above, up_u, units)), units
        )
        self.cost = np.where(d, np.where(at, p[..., None], np.where(above, up_c, cost)), cost)


@dataclass(frozen=True)
class SaleTable:
    """Per lot: its value, the value of the lots above it, and its gain per dollar sold."""

    lot_value: FloatArray
    above: FloatArray
    gain_share: FloatArray

    def sold(self, amount: FloatArray) -> FloatArray:
        """Dollars taken from each lot when selling ``amount`` (P, A, n) from the top."""
        out: FloatArray = np.clip(amount[..., None] - self.above, 0.0, self.lot_value)
        return out

    def gain(self, amount: FloatArray) -> FloatArray:
        """(P, A, n) realized gain (nominal) of selling ``amount`` from the top."""
        out: FloatArray = (self.sold(amount) * self.gain_share).sum(axis=-1)
        return out

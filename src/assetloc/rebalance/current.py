"""Allocation per account and for the household, drift from the target, tolerance bands.

Allocations are in face-value dollars (what a statement shows) and in shares of the
household's total (cash included, so class shares sum to less than one when cash is idle).

Band of a class (Swedroe's "5/25" rule): a class is out of band when its share of the
household differs from its target share by more than ``band_absolute`` (5 percentage
points) OR by more than ``band_relative`` × its target share (25%), whichever is tighter::

    band_i = min(band_absolute, band_relative · target_share_i)

A class with a zero target has a zero band: holding any of it is out of band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assetloc.rebalance.book import Book
from assetloc.types import FloatArray

BAND_TOLERANCE = 1e-6  # shares (decimal) within this of the band edge count as inside


def band_widths(
    target_shares: FloatArray, band_absolute: float, band_relative: float
) -> FloatArray:
    """(C,) half-width of each class's band, as a share of the household (decimal)."""
    return np.minimum(band_absolute, band_relative * np.asarray(target_shares))


@dataclass(frozen=True)
class Allocation:
    """Holdings by account and class (dollars) with cash; shares of the household.

    Attributes
    ----------
    classes : (C,) class ids.
    dollars : (K, C) dollars per account and class.
    cash : (K,) uninvested cash per account, dollars.
    """

    classes: tuple[str, ...]
    dollars: FloatArray
    cash: FloatArray

    @property
    def account_totals(self) -> FloatArray:
        """(K,) account values, dollars."""
        totals: FloatArray = self.dollars.sum(axis=1) + self.cash
        return totals

    @property
    def household(self) -> FloatArray:
        """(C,) household dollars per class."""
        per_class: FloatArray = self.dollars.sum(axis=0)
        return per_class

    @property
    def total(self) -> float:
        """Household value (cash included), dollars."""
        return float(self.account_totals.sum())

    @property
    def shares(self) -> FloatArray:
        """(C,) share of each class in the household (decimal)."""
        tot = self.total
        return self.household / tot if tot > 0 else np.zeros(len(self.classes))


def allocation(book: Book, shares: FloatArray, cash: FloatArray) -> Allocation:
    """The allocation of holdings ``shares`` (K, S) and ``cash`` (K,) at today's prices."""
    return Allocation(book.classes, book.class_dollars(shares), np.asarray(cash, dtype=float))


@dataclass(frozen=True)
class Drift:
    """A household allocation against its target: drift and bands per class (decimals).

    Attributes
    ----------
    shares : (C,) the allocation's class shares; target : (C,) the target's.
    band : (C,) band half-widths.
    """

    classes: tuple[str, ...]
    shares: FloatArray
    target: FloatArray
    band: FloatArray

    @property
    def drift(self) -> FloatArray:
        """(C,) share minus target share (decimal; +0.03 = 3 points overweight)."""
        return self.shares - self.target

    @property
    def out_of_band(self) -> np.ndarray:
        """(C,) True where |drift| exceeds the band."""
        return np.abs(self.drift) > self.band + BAND_TOLERANCE

    @property
    def any_out(self) -> bool:
        """True when at least one class is out of its band."""
        return bool(self.out_of_band.any())

    def out_classes(self) -> list[str]:
        """Ids of the classes out of band."""
        return [c for c, o in zip(self.classes, self.out_of_band, strict=True) if o]


def drift(alloc: Allocation, target_shares: FloatArray, band: FloatArray) -> Drift:
    """Drift of ``alloc`` from ``target_shares`` with bands ``band`` (all decimals)."""
    return Drift(alloc.classes, alloc.shares, np.asarray(target_shares), np.asarray(band))

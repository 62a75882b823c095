"""Replacement purchases of each wash-sale group and their unused capacity (IRC §1091).

Capacity is counted in pre-split shares ("units": shares / the symbol's cumulative split
factor at the purchase), so a split between a loss sale and a purchase compares post-split
shares (Reg. §1.1091-1 matches shares one for one). Each purchase's units are used at most
once, ever; a loss sale claims them in the order the purchases were made (date, then seq)
within 30 days before to 30 days after its date, inclusive.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable

from assetloc.ledger._lots import EPS

#: days before and after a loss sale in which a purchase replaces its shares
WINDOW_DAYS = 30


class _Group:
    """The purchases of one group in processing order: index, day (ordinal), units left;
    ``skip[k]`` points past exhausted entries (path-compressed)."""

    __slots__ = ("cap", "days", "index", "skip")

    def __init__(self) -> None:
        self.index: list[int] = []
        self.days: list[int] = []
        self.cap: list[float] = []
        self.skip: list[int] = []

    def find(self, k: int) -> int:
        skip = self.skip
        root = k
        while skip[root] != root:
            root = skip[root]
        while skip[k] != root:
            skip[k], k = root, skip[k]
        return root


class Replacements:
    """Every purchase (buy, reinvest) by group, and what is left of it to replace shares."""

    def __init__(self) -> None:
        self._groups: dict[str, _Group] = {}

    def add(self, group: str, index: int, day: int, units: float) -> None:
        """A purchase: its transaction index (in processing order), day and units."""
        g = self._groups.get(group)
        if g is None:
            g = self._groups[group] = _Group()
        g.index.append(index)
        g.days.append(day)
        g.cap.append(units)

    def close(self) -> None:
        """Done adding: build the skip pointers."""
        for g in self._groups.values():
            g.skip = list(range(len(g.index) + 1))

    def claim(
        self,
        group: str,
        day: int,
        need: float,
        excluded: set[int],
        eligible: Callable[[int], bool] | None = None,
    ) -> list[tuple[int, float]]:
        """Up to ``need`` units of the group's purchases dated ``day`` ± 30 days, not in
        ``excluded`` and ``eligible`` (by index; None: all), first purchased first:
        (index, units) pairs, used up."""
        g = self._groups.get(group)
        if g is None:
            return []
        days = g.days
        hi = bisect_right(days, day + WINDOW_DAYS)
        k = g.find(bisect_left(days, day - WINDOW_DAYS))
        out: list[tuple[int, float]] = []
        cap = g.cap
        while k < hi and need > EPS:
            j = g.index[k]
            if j not in excluded and (eligible is None or eligible(j)):
                u = min(cap[k], need)
                cap[k] -= u
                need -= u
                out.append((j, u))
                if cap[k] <= EPS:
                    g.skip[k] = k + 1
            k = g.find(k + 1)
        return out

"""Open lots of one (account, symbol) position and how a sale or transfer draws them.

Units: shares, dollars (``basis``, ``wash``: the lot's total), dates. A lot's ``f`` is the
symbol's cumulative split factor its shares are counted in (shares / ``f`` = pre-split
shares), so shares on both sides of a split compare (the wash-sale matching, engine).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import insort
from collections.abc import Callable, Sequence
from operator import attrgetter

from assetloc.ledger.transactions import LotPick

#: shares at or below this are zero (fractional shares are fine)
EPS = 1e-9


class Lot:
    """A mutable open lot (the engine's working copy of an :class:`OpenLot`).

    ``origin`` is the index of the purchase that bought its shares (-1: not a purchase, e.g.
    an unmatched transfer in); ``used`` marks shares already counted once as replacement
    shares of a wash sale; ``alive`` is False once the lot left its position.
    """

    __slots__ = (
        "account",
        "acquired",
        "alive",
        "basis",
        "f",
        "id",
        "opened",
        "order",
        "origin",
        "shares",
        "symbol",
        "used",
        "wash",
    )

    def __init__(
        self,
        account: str,
        symbol: str,
        lot_id: str,
        opened: dt.date,
        acquired: dt.date,
        shares: float,
        basis: float,
        wash: float,
        origin: int,
        f: float,
        order: int,
        used: bool = False,
    ) -> None:
        self.account = account
        self.symbol = symbol
        self.id = lot_id
        self.opened = opened
        self.acquired = acquired
        self.shares = shares
        self.basis = basis
        self.wash = wash
        self.origin = origin
        self.f = f
        self.order = order
        self.used = used
        self.alive = True

    def split(self, shares: float, lot_id: str | None = None) -> Lot:
        """Split ``shares`` off this lot (basis and wash adjustment pro rata) as a new lot
        with ``lot_id`` (default: the same id); this lot keeps the rest."""
        share = shares / self.shares
        basis = self.basis * share
        wash = self.wash * share
        part = Lot(
            self.account,
            self.symbol,
            self.id if lot_id is None else lot_id,
            self.opened,
            self.acquired,
            shares,
            basis,
            wash,
            self.origin,
            self.f,
            self.order,
            self.used,
        )
        self.shares -= shares
        self.basis -= basis
        self.wash -= wash
        return part


#: a lot's FIFO place: oldest acquired first (the holding period's start, tacking
#: included); then bought first; then the id (a lot before the parts split off it).
#: An ``attrgetter`` (C speed): (acquired, opened, order, id)
fifo_key: Callable[[Lot], tuple[dt.date, dt.date, int, str]] = attrgetter(
    "acquired", "opened", "order", "id"
)


class Position:
    """The open lots of one (account, symbol), kept oldest acquired first (FIFO order)."""

    __slots__ = ("lots", "total")

    def __init__(self) -> None:
        self.lots: list[Lot] = []
        self.total = 0.0  # shares held (kept as lots come and go; exact sum checked on doubt)

    def add(self, lot: Lot, new_shares: bool = True) -> None:
        """Insert ``lot`` in FIFO order; ``new_shares`` False when it was split off a lot of
        this position."""
        lots = self.lots
        if lots:
            last = lots[-1]
            if lot.acquired < last.acquired or (
                lot.acquired == last.acquired and fifo_key(lot) < fifo_key(last)
            ):
                insort(lots, lot, key=fifo_key)
            else:
                lots.append(lot)
        else:
            lots.append(lot)
        if new_shares:
            self.total += lot.shares

    def add_many(self, lots: list[Lot]) -> None:
        """Insert new ``lots`` in FIFO order, as :meth:`add` one by one would (a lot after
        the lots of equal key already there), in one stable merge."""
        if not lots:
            return
        mine = self.lots
        for lot in lots:
            self.total += lot.shares
        if len(lots) == 1:
            self.add(lots[0], new_shares=False)
            return
        mine.extend(lots)
        mine.sort(key=fifo_key)

    def retack(self, lot: Lot) -> None:
        """Move ``lot`` to its FIFO place after its acquisition date changed (tacking)."""
        self.lots.remove(lot)
        self.add(lot, new_shares=False)

    def fifo(self) -> list[Lot]:
        """The lots, oldest acquired first."""
        return self.lots

    def held(self) -> float:
        self.total = sum(lot.shares for lot in self.lots)
        return self.total

    def scale(self, ratio: float) -> None:
        """A split: ``ratio`` new shares per old share, basis unchanged."""
        for lot in self.lots:
            lot.shares *= ratio
            lot.f *= ratio
        self.total *= ratio


def _named(lots: list[Lot], ref: str) -> list[Lot]:
    """The lots a reference names, oldest first: by id (with the ``.w<n>`` parts split off
    it), or by date — bought that day, else acquired that day (a tacked date)."""
    day = _as_date(ref)
    if day is None:
        return [lot for lot in lots if lot.id == ref or lot.id.startswith(ref + ".w")]
    return [lot for lot in lots if lot.opened == day] or [
        lot for lot in lots if lot.acquired == day
    ]


def _as_date(ref: str) -> dt.date | None:
    if len(ref) != 10:
        return None
    try:
        return dt.date.fromisoformat(ref)
    except ValueError:
        return None


def _plan_specific(
    pos: Position, shares: float, picks: Sequence[LotPick]
) -> list[tuple[Lot, float]]:
    """(lot, shares) drawn by a specific identification; ValueError with a reason."""
    taken: dict[int, float] = {}
    plan: list[tuple[Lot, float]] = []
    need = shares
    for pick in picks:
        lots = _named(pos.fifo(), pick.ref)
        if not lots:
            raise ValueError(f"lot {pick.ref!r} names no open lot")
        available = sum(lot.shares - taken.get(id(lot), 0.0) for lot in lots)
        want = min(need, available) if pick.shares is None else pick.shares
        if want > available + EPS:
            raise ValueError(
                f"lot {pick.ref!r} has {available:g} shares, the selection asks {want:g}"
            )
        left = want
        for lot in lots:
            if left <= EPS:
                break
            free = lot.shares - taken.get(id(lot), 0.0)
            if free <= EPS:
                continue
            take = min(free, left)
            taken[id(lot)] = taken.get(id(lot), 0.0) + take
            plan.append((lot, take))
            left -= take
        need -= want
    if need > EPS:
        raise ValueError(f"the lot selection covers {shares - need:g} of {shares:g} shares")
    if need < -EPS:
        raise ValueError(f"the lot selection names {shares - need:g} shares, not {shares:g}")
    return plan


def draw(pos: Position, shares: float, method: str, picks: Sequence[LotPick]) -> list[Lot]:
    """Take ``shares`` out of the position: the lots (or parts, same ids) drawn, in the
    order drawn. ``picks``: a specific identification, else ``method`` (fifo or hifo).
    Raises ValueError with a one-line reason (more shares than held, a bad selection)."""
    if shares > pos.total - 1e-6 and shares > pos.held() + EPS:
        raise ValueError(f"{shares:g} shares asked, {pos.total:g} held")
    pos.total -= shares
    if not picks and method != "hifo":  # FIFO, the common case: the oldest lots in front
        lots = pos.fifo()
        out: list[Lot] = []
        left = shares
        k = 0
        for lot in lots:
            if left <= EPS:
                break
            if lot.shares <= left + EPS:
                lot.alive = False
                out.append(lot)
                left -= lot.shares
                k += 1
            else:
                out.append(lot.split(left))
                left = 0.0
        del lots[:k]
        return out
    if picks:
        plan = _plan_specific(pos, shares, picks)
    else:
        # HIFO: the highest basis a share first; ties the oldest (the first in FIFO order).
        # A few picks of max() over the per-share bases beat sorting every lot.
        lots = pos.lots
        per_share = [lot.basis / lot.shares for lot in lots]
        plan = []
        left = shares
        while left > EPS:
            top = max(per_share)
            if top == -math.inf:
                break
            k = per_share.index(top)
            per_share[k] = -math.inf
            take = min(lots[k].shares, left)
            plan.append((lots[k], take))
            left -= take
    merged: dict[int, float] = {}
    order: list[Lot] = []
    for lot, take in plan:
        if id(lot) not in merged:
            order.append(lot)
            merged[id(lot)] = 0.0
        merged[id(lot)] += take
    drawn: list[Lot] = []
    gone = False
    for lot in order:
        take = merged[id(lot)]
        if take >= lot.shares - EPS:
            lot.alive = False
            gone = True
            drawn.append(lot)
        else:
            drawn.append(lot.split(take))
    if gone:
        pos.lots = [lot for lot in pos.lots if lot.alive]
    return drawn

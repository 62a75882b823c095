"""Known future purchases: ``[[planned_purchases]]`` and ``[[recurring_purchases]]`` dated in a
window, for the wash-sale look-ahead (IRC §1091: 30 days after a sale). Dollars, shares.

Recurring schedules: ``weekly`` every 7 days and ``biweekly`` every 14 from ``start``;
``monthly``, ``quarterly`` and ``annually`` on ``start``'s day of the month every 1, 3 or
12 months (the month's last day when it is shorter); ``semimonthly`` on ``start``'s day
and 15 days later each month. The last purchase is on or before ``end`` (none: no end).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assetloc.errors import InputError
from assetloc.inputs.holdings import RecurringPurchase
from assetloc.inputs.household import Household
from assetloc.inputs.securities import normalize
from assetloc.ledger.transactions import Action, Transaction

MONTHS = {"monthly": 1, "quarterly": 3, "annually": 12, "semimonthly": 1}
DAYS = {"weekly": 7, "biweekly": 14}


@dataclass(frozen=True, slots=True)
class FuturePurchase:
    """A purchase the household file announces: ``amount`` dollars of ``symbol`` on ``date``
    (``shares`` at today's price), and the field that states it."""

    account: str
    symbol: str
    date: dt.date
    amount: float
    shares: float
    price: float
    kind: str  # "planned" or "recurring"
    field: str

    def transaction(self, seq: int) -> Transaction:
        """The purchase as a ledger ``buy`` (no fees), ordered by ``seq`` on its date."""
        return Transaction(
            self.date,
            self.account,
            self.symbol,
            Action.BUY,
            self.shares,
            self.price,
            id=f"{self.field}@{self.date.isoformat()}",
            seq=seq,
        )


def _add_months(day: dt.date, months: int, mday: int) -> dt.date:
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(mday, calendar.monthrange(year, month)[1]))


def schedule(r: RecurringPurchase, until: dt.date) -> Iterator[dt.date]:
    """Dates of recurring purchase ``r`` from its start to ``until`` (or its end)."""
    last = min(until, r.end) if r.end is not None else until
    if r.every in DAYS:
        day = r.start
        while day <= last:
            yield day
            day += dt.timedelta(days=DAYS[r.every])
        return
    step = MONTHS[r.every]
    n = 0
    while True:
        day = _add_months(r.start, n * step, r.start.day)
        if day > last:
            return
        yield day
        if r.every == "semimonthly":
            mid = day + dt.timedelta(days=15)
            if mid <= last and mid < _add_months(r.start, n + 1, r.start.day):
                yield mid
        n += 1


def future_purchases(
    h: Household,
    start: dt.date,
    end: dt.date,
    price_of: Callable[[str], float | None],
) -> list[FuturePurchase]:
    """Planned and recurring purchases dated ``start`` to ``end`` (inclusive), by date.

    ``price_of(symbol)``: today's price, dollars a share (None: unknown, an
    :class:`InputError` naming the purchase: its shares cannot be known)."""
    out: list[FuturePurchase] = []

    def add(account: str, symbol: str, day: dt.date, amount: float, kind: str, fld: str) -> None:
        price = price_of(normalize(symbol))
        if price is None or not price > 0:
            raise InputError(
                f"{fld}.symbol",
                f"no price for {normalize(symbol)}: give [[securities]] price (the wash-sale "
                "look-ahead needs the shares bought)",
            )
        out.append(
            FuturePurchase(
                account, normalize(symbol), day, amount, amount / price, price, kind, fld
            )
        )

    ids = {a.id for a in h.accounts}
    for i, p in enumerate(h.planned_purchases):
        fld = f"planned_purchases[{i}]"
        if p.account not in ids:
            raise InputError(f"{fld}.account", f"unknown account {p.account!r}")
        if start <= p.date <= end and p.amount > 0:
            add(p.account, p.symbol, p.date, p.amount, "planned", fld)
    for i, r in enumerate(h.recurring_purchases):
        fld = f"recurring_purchases[{i}]"
        if r.account not in ids:
            raise InputError(f"{fld}.account", f"unknown account {r.account!r}")
        if r.amount <= 0:
            continue
        for day in schedule(r, end):
            if day >= start:
                add(r.account, r.symbol, day, r.amount, "recurring", fld)
    out.sort(key=lambda x: (x.date, x.account, x.symbol))
    return out

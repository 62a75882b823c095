"""Mutable sale rows while the engine runs (dollars, shares); the engine freezes them into
:class:`~assetloc.ledger.records.Sale` at the end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

#: dollars at or below this are zero (float dust of pro-rata splits)
DUST = 1e-9


class Row:
    """One sale row. ``origin``/``used``/``f`` as on the lot sold (so a replacement bought
    before a loss sale, and sold before it, can still take its basis adjustment);
    ``extra``: rows split off this one later, listed right after it."""

    __slots__ = (
        "account",
        "acquired",
        "basis",
        "disallowed",
        "extra",
        "f",
        "lot",
        "opened",
        "origin",
        "permanent",
        "proceeds",
        "replaced_by",
        "shares",
        "sold",
        "symbol",
        "taxable",
        "transaction",
        "used",
    )

    def __init__(
        self,
        account: str,
        symbol: str,
        sold: dt.date,
        acquired: dt.date,
        opened: dt.date,
        shares: float,
        proceeds: float,
        basis: float,
        lot: str,
        transaction: str,
        origin: int,
        used: bool,
        f: float,
        taxable: bool,
    ) -> None:
        self.account = account
        self.symbol = symbol
        self.sold = sold
        self.acquired = acquired
        self.opened = opened
        self.shares = shares
        self.proceeds = proceeds
        self.basis = basis
        self.lot = lot
        self.transaction = transaction
        self.origin = origin
        self.used = used
        self.f = f
        self.taxable = taxable
        self.disallowed = 0.0
        self.permanent = False
        self.replaced_by: list[str] = []
        self.extra: list[Row] | None = None

    def split(self, shares: float) -> Row:
        """Split ``shares`` off this row (dollars pro rata) into a new row listed after it."""
        share = shares / self.shares
        part = Row(
            self.account,
            self.symbol,
            self.sold,
            self.acquired,
            self.opened,
            shares,
            self.proceeds * share,
            self.basis * share,
            self.lot,
            self.transaction,
            self.origin,
            self.used,
            self.f,
            self.taxable,
        )
        part.disallowed = self.disallowed * share
        part.permanent = self.permanent
        part.replaced_by = list(self.replaced_by)
        self.shares -= shares
        self.proceeds -= part.proceeds
        self.basis -= part.basis
        self.disallowed -= part.disallowed
        if self.extra is None:
            self.extra = []
        self.extra.append(part)
        return part

    def flat(self) -> Iterator[Row]:
        yield self
        for row in self.extra or ():
            yield from row.flat()

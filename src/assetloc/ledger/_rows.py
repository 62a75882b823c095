"""Mutable sale rows while the engine runs (dollars, shares), frozen into :class:`Sale`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from assetloc.inputs.holdings import is_long_term
from assetloc.ledger.records import Sale

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

    def freeze(self) -> Sale:
        disallowed = self.disallowed if self.disallowed > DUST else 0.0
        return Sale(
            account=self.account,
            symbol=self.symbol,
            sold=self.sold,
            acquired=self.acquired,
            shares=self.shares,
            proceeds=self.proceeds,
            basis=self.basis,
            gain=self.proceeds - self.basis + disallowed,
            term="long" if is_long_term(self.acquired, self.sold) else "short",
            code="W" if disallowed > 0.0 else "",
            disallowed=disallowed,
            permanent=self.permanent and disallowed > 0.0,
            lot=self.lot,
            transaction=self.transaction,
            replaced_by=tuple(dict.fromkeys(self.replaced_by)),
            taxable=self.taxable,
        )

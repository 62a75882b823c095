"""A stand-in for :mod:`assetloc.ledger.engine` while it is not on main: FIFO lots per
account and symbol, an oversell raises ``LedgerError``. Only the store and import tests use
it (they test the database and the files, not the tax rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assetloc.errors import InputError
from assetloc.ledger.records import AccountInfo, OpenLot, Sale
from assetloc.ledger.transactions import Action, Transaction


class LedgerError(InputError):
    def __init__(self, transaction: Transaction, problem: str) -> None:
        self.transaction = transaction
        super().__init__("", problem)


@dataclass(frozen=True)
class LedgerResult:
    lots: tuple[OpenLot, ...]
    sales: tuple[Sale, ...]

    def sales_in(self, year: int) -> tuple[Sale, ...]:
        return tuple(s for s in self.sales if s.sold.year == year)


def derive(
    transactions: Sequence[Transaction],
    accounts: Mapping[str, AccountInfo],
    groups: Mapping[str, str],
    as_of: dt.date | None = None,
    include_spouse: bool = True,
) -> LedgerResult:
    held: dict[tuple[str, str], list[OpenLot]] = {}
    for t in sorted(transactions, key=lambda t: (t.date, t.seq)):
        if as_of is not None and t.date > as_of:
            break
        lots = held.setdefault((t.account, t.symbol), [])
        if t.action in (Action.BUY, Action.REINVEST, Action.TRANSFER_IN):
            day = dt.date.fromisoformat(t.lot) if t.lot else t.date
            lots.append(
                OpenLot(
                    t.account,
                    t.symbol,
                    t.id,
                    t.date,
                    day,
                    t.shares,
                    t.shares * t.price + t.fees,
                    0.0,
                )
            )
        elif t.action in (Action.SELL, Action.TRANSFER_OUT):
            need = t.shares
            if sum(x.shares for x in lots) < need - 1e-9:
                raise LedgerError(t, f"sells {t.shares:g} {t.symbol} but {t.account} holds fewer")
            while need > 1e-9:
                x = lots[0]
                n = min(need, x.shares)
                lots[0] = OpenLot(
                    x.account,
                    x.symbol,
                    x.lot,
                    x.opened,
                    x.acquired,
                    x.shares - n,
                    x.basis * (x.shares - n) / x.shares,
                    0.0,
                )
                if lots[0].shares <= 1e-9:
                    lots.pop(0)
                need -= n
        elif t.action is Action.SPLIT:
            held[(t.account, t.symbol)] = [
                OpenLot(
                    x.account,
                    x.symbol,
                    x.lot,
                    x.opened,
                    x.acquired,
                    x.shares * t.shares,
                    x.basis,
                    0.0,
                )
                for x in lots
            ]
    out = [x for v in held.values() for x in v]
    return LedgerResult(tuple(sorted(out, key=lambda x: (x.account, x.symbol, x.acquired))), ())

"""Households with a ledger held in memory (no database): the transactions, accounts and
groups the store would read (:class:`Inputs` has the fields of
``assetloc.ledger.source.LedgerInputs``), completed by :func:`assetloc.ledger.context.complete`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from assetloc import parse_household
from assetloc.inputs.household import Household, parse_fields
from assetloc.inputs.securities import normalize, security_table
from assetloc.ledger.records import AccountInfo
from assetloc.ledger.transactions import Action, Transaction


@dataclass
class Inputs:
    """The ledger's transactions and what the engine needs of the household."""

    url: str
    transactions: list[Transaction]
    accounts: dict[str, AccountInfo]
    groups: dict[str, str]
    include_spouse: bool = True
    notes: list[str] = field(default_factory=list)


def tx(
    day: str,
    account: str,
    symbol: str,
    action: str,
    shares: float,
    price: float,
    lot: str = "",
    *,
    seq: int,
) -> Transaction:
    """A transaction with id ``t<seq>`` (ids unique by seq)."""
    return Transaction(
        dt.date.fromisoformat(day),
        account,
        symbol,
        Action(action),
        shares,
        price,
        lot=lot,
        id=f"t{seq}",
        seq=seq,
    )


def inputs_for(h: Household, transactions: list[Transaction]) -> Inputs:
    """The stand-in for ``ledger_inputs``: accounts from the file, groups from the
    securities table (every symbol the transactions use)."""
    table = security_table(h.securities)
    groups: dict[str, str] = {}
    for t in transactions:
        info = table.get(t.symbol)
        if info is not None:
            groups[normalize(t.symbol)] = info.security.identical_group.strip().lower()
    accounts = {
        a.id: AccountInfo(a.id, a.type == "taxable", a.owner, a.lot_method or "fifo")
        for a in h.accounts
    }
    spouse = h.ledger.include_spouse if h.ledger is not None else True
    return Inputs("memory://", list(transactions), accounts, groups, spouse)


def fields(d: dict[str, Any]) -> Household:
    """The household file's fields (the cross-account checks run once completed)."""
    return parse_fields(d)


def checked(h: Household) -> Household:
    """``h`` through every check of the household file."""
    return parse_household(h.model_dump(exclude_unset=True))

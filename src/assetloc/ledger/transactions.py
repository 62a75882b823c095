"""A ledger transaction: one row of the household's history (shares, dollars, dates).

Actions (the ``action`` column of a ledger CSV):

- ``buy``, ``reinvest`` (a reinvested dividend): ``shares`` bought at ``price`` dollars a
  share plus ``fees`` dollars; the lot's basis is ``shares * price + fees``.
- ``sell``: ``shares`` sold at ``price``; proceeds are ``shares * price - fees``. ``lot``
  selects the lots sold (specific identification, see :func:`parse_lot_selection`);
  empty: the account's lot method (FIFO by default, or HIFO).
- ``transfer_out`` / ``transfer_in``: shares moved in kind. A ``transfer_in`` matched by a
  ``transfer_out`` of the same symbol, date and shares from another account of the household
  carries the lots over with their basis and acquisition dates; an unmatched
  ``transfer_in`` opens a lot at ``price`` a share (its basis) acquired on the ``lot``
  column's date (ISO), else on ``date``. An unmatched ``transfer_out`` leaves the
  household (a gift): no gain or loss.
- ``split``: ``shares`` is the ratio, new shares per old share (2 for a 2-for-1 split, 0.1
  for a 1-for-10 reverse split); every open lot of the symbol in the account keeps its
  basis and acquisition date; ``price`` and ``fees`` are ignored (give 0).

A transaction's identity (:func:`transaction_id`) is a hash of its normalized fields and
of its occurrence number among identical rows of the same file, so importing the same
file twice adds nothing while two identical purchases on one day in one file stay two.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Action(StrEnum):
    """What a transaction does (the ledger CSV's ``action`` column)."""

    BUY = "buy"
    SELL = "sell"
    REINVEST = "reinvest"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    SPLIT = "split"


#: actions that acquire shares by purchase (IRC §1091 replacements)
PURCHASES = frozenset({Action.BUY, Action.REINVEST})


class Transaction(NamedTuple):
    """One transaction. Units: shares, dollars per share (``price``), dollars (``fees``).
    A named tuple (immutable; a million are built at C speed when read from a database).

    ``id`` is the transaction's identity (:func:`transaction_id`); ``seq`` orders
    transactions of the same date (their order in the file: a same-day buy then sell is
    not a sell then buy).
    """

    date: dt.date
    account: str
    symbol: str
    action: Action
    shares: float
    price: float
    fees: float = 0.0
    lot: str = ""
    id: str = ""
    seq: int = 0


def identity_key(t: Transaction) -> str:
    """The normalized fields that make a transaction's identity, as one string."""
    return "|".join(
        (
            t.date.isoformat(),
            t.account,
            t.symbol.upper(),
            t.action.value,
            repr(round(t.shares, 9)),
            repr(round(t.price, 9)),
            repr(round(t.fees, 9)),
            t.lot,
        )
    )


def transaction_id(t: Transaction, occurrence: int = 0) -> str:
    """The identity of ``t``: 20 hex digits of SHA-256 over its normalized fields and its
    occurrence number (0 for the first of identical rows in a file, 1 for the next, ...)."""
    key = f"{identity_key(t)}#{occurrence}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class LotPick:
    """One part of a specific-identification selection: a lot reference and shares (None:
    all the shares the sale still needs)."""

    ref: str
    shares: float | None


def parse_lot_selection(text: str) -> tuple[LotPick, ...]:
    """``2024-03-01`` or ``2024-03-01:50;2024-05-02:30`` or a lot id: the lots a sale draws.

    A reference is a lot's id (the id of the transaction that opened it) or its
    acquisition date (ISO; several lots of that date are drawn first-in first-out).
    Raises ``ValueError`` with a one-line reason on bad text.
    """
    picks: list[LotPick] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        ref, sep, n = part.partition(":")
        ref = ref.strip()
        if not ref:
            raise ValueError(f"empty lot reference in {text!r}")
        shares: float | None = None
        if sep:
            try:
                shares = float(n)
            except ValueError:
                raise ValueError(f"shares {n.strip()!r} of lot {ref!r} is not a number") from None
            if not shares > 0 or shares != shares or shares == float("inf"):
                raise ValueError(f"shares of lot {ref!r} must be > 0, got {n.strip()!r}")
        picks.append(LotPick(ref, shares))
    return tuple(picks)

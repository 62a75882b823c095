"""What the ledger engine derives: open lots and realized sales (dollars, shares, dates).

:class:`OpenLot` and :class:`Sale` are named tuples (immutable; a million of them are built
at C speed), compared field by field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, NamedTuple

Term = Literal["short", "long"]


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """What the engine needs of an account: taxable or not, and whose it is."""

    id: str
    taxable: bool
    owner: str = "self"  # self, spouse or joint
    lot_method: str = "fifo"  # fifo or hifo: lots a sell draws when it names none


class OpenLot(NamedTuple):
    """An open lot. ``acquired`` is the holding period's start as adjusted for tacking
    (IRC §1223(3), Pub 550); ``opened`` the date its shares were acquired;
    ``basis`` the lot's total basis in dollars, ``wash_adjustment`` included."""

    account: str
    symbol: str
    lot: str  # id of the transaction that opened it
    opened: dt.date
    acquired: dt.date
    shares: float
    basis: float
    wash_adjustment: float

    def term(self, on: dt.date) -> Term:
        """``long`` when sold on ``on`` it would be held more than a year (IRC §1222)."""
        from assetloc.inputs.holdings import is_long_term

        return "long" if is_long_term(self.acquired, on) else "short"


class Sale(NamedTuple):
    """One realized sale (or part of one: a sale drawing several lots, or partly washed,
    is several rows). Dollars for the rows' shares.

    ``gain`` = ``proceeds - basis + disallowed`` (the recognized gain or loss);
    ``disallowed`` ≥ 0 is the loss the wash-sale rule disallows, ``permanent`` when it was
    an IRA, Roth or HSA purchase that replaced the shares (Rev. Rul. 2008-5). ``code`` is
    ``W`` for a wash sale, else empty (Form 8949 column (f)).
    """

    account: str
    symbol: str
    sold: dt.date
    acquired: dt.date
    shares: float
    proceeds: float
    basis: float
    gain: float
    term: Term
    code: str
    disallowed: float
    permanent: bool
    lot: str  # the lot sold
    transaction: str  # id of the sell
    replaced_by: tuple[str, ...] = ()  # lot ids (or purchase ids) that replaced the shares
    taxable: bool = True  # sold in a taxable account (IRA, Roth, HSA sales: not on Form 8949)

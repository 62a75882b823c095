"""Household positions and recent trades from the ledger (shares, dollars, dates).

``[ledger] positions = true``: every account's positions and lots come from the ledger's
open lots as of the trade date (:func:`household_from_lots`): shares per (account,
symbol) are the open lots' shares; taxable accounts list the lots, each ``acquired`` on its
holding period's start (tacked after a wash sale, IRC §1223(3)) with its basis (wash
adjustment included, dollars); prices are the securities table's ``price`` (required). An
account's ``cash`` stays as the file gives it; an account that also lists ``positions``
(or gives a ``balance``) is an error naming the field.

:func:`recent_trades` turns the ledger's purchases and taxable loss sales of the 30 days
ending on the trade date into the wash-sale guard's ``[[recent_trades]]`` (with their
recognized gains from the engine).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from assetloc.errors import InputError
from assetloc.inputs.holdings import Lot, Position, RecentTrade
from assetloc.inputs.household import Household
from assetloc.inputs.securities import normalize, security_table
from assetloc.ledger.records import AccountInfo, OpenLot, Sale
from assetloc.ledger.transactions import PURCHASES, Action, Transaction

if TYPE_CHECKING:
    pass

WINDOW_DAYS = 30  # IRC §1091: 30 days before (and after) the sale
_WASH_SUFFIX = re.compile(r"(\.w\d+)+$")
SHARE_EPS = 1e-9  # shares: below this a lot is closed


def purchase_id(lot_id: str) -> str:
    """The id of the purchase that opened a lot: the engine names the part of a lot a wash
    sale adjusted ``<id>.w<n>``."""
    return _WASH_SUFFIX.sub("", lot_id)


def _shares(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


def household_from_lots(h: Household, lots: Iterable[OpenLot]) -> Household:
    """``h`` with every account's positions (and taxable lots) built from ``lots``.

    Raises :class:`InputError` when an account also gives positions or a balance in the
    file, when a lot's account is not in the file, or when a held symbol has no price.
    """
    ids = [a.id for a in h.accounts]
    for k, acc in enumerate(h.accounts):
        if acc.positions:
            raise InputError(
                f"accounts[{k}].positions",
                "[ledger] positions = true takes the positions from the ledger: give only cash",
            )
        if acc.balance is not None:
            raise InputError(
                f"accounts[{k}].balance",
                "[ledger] positions = true takes the positions from the ledger: give cash, "
                "not a balance",
            )
    by_position: dict[tuple[str, str], list[OpenLot]] = {}
    for lot in lots:
        if lot.shares <= SHARE_EPS:
            continue
        if lot.account not in ids:
            raise InputError("ledger", f"the ledger's account {lot.account!r} is not in the file")
        by_position.setdefault((lot.account, normalize(lot.symbol)), []).append(lot)
    table = security_table(h.securities)
    accounts = list(h.accounts)
    for k, acc in enumerate(accounts):
        positions: list[Position] = []
        for (account, symbol), held in by_position.items():
            if account != acc.id:
                continue
            held = sorted(held, key=lambda x: (x.acquired, x.opened, x.lot))
            shares = math.fsum(x.shares for x in held)
            info = table.get(symbol)
            price = info.security.price if info is not None else None
            if price is None:
                raise InputError(
                    "securities",
                    f"no price for {symbol}: the ledger holds {_shares(shares)} shares in "
                    f"{account}; give [[securities]] price",
                )
            lot_rows = None
            if acc.type == "taxable":
                lot_rows = [
                    Lot(acquired=x.acquired, shares=x.shares, cost_basis=max(x.basis, 0.0))
                    for x in held
                ]
            positions.append(Position(symbol=symbol, shares=shares, price=price, lots=lot_rows))
        accounts[k] = acc.model_copy(
            update={"positions": positions, "cash": acc.cash if acc.cash is not None else 0.0}
        )
    return h.model_copy(update={"accounts": accounts})


def lot_ids(h: Household, lots: Iterable[OpenLot]) -> dict[str, str]:
    """Field path of each taxable lot :func:`household_from_lots` lists → its ledger lot id
    (``accounts[0].positions[1].lots[2]`` → the id of the transaction that opened it)."""
    out: dict[str, str] = {}
    by_position: dict[tuple[str, str], list[OpenLot]] = {}
    for lot in lots:
        if lot.shares > SHARE_EPS:
            by_position.setdefault((lot.account, normalize(lot.symbol)), []).append(lot)
    for k, acc in enumerate(h.accounts):
        for j, pos in enumerate(acc.positions):
            if pos.lots is None:  # a tax-advantaged account: no lots listed
                continue
            held = sorted(
                by_position.get((acc.id, normalize(pos.symbol)), []),
                key=lambda x: (x.acquired, x.opened, x.lot),
            )
            for m, lot in enumerate(held):
                out[f"accounts[{k}].positions[{j}].lots[{m}]"] = lot.lot
    return out


def in_window_before(date: dt.date, as_of: dt.date) -> bool:
    """``date`` is within the 30 days ending on ``as_of`` (both ends included)."""
    return as_of - dt.timedelta(days=WINDOW_DAYS) <= date <= as_of


def recent_trades(
    transactions: Sequence[Transaction],
    sales: Iterable[Sale],
    accounts: Mapping[str, AccountInfo],
    as_of: dt.date,
    held_lots: Iterable[OpenLot] = (),
) -> list[RecentTrade]:
    """The ledger's purchases and taxable loss sales dated in the 30 days ending on
    ``as_of``, as the wash-sale guard's recent trades.

    A sell's ``realized_gain`` is the recognized gain of its sale rows (after the loss the
    engine disallows); a sell in a tax-advantaged account is no tax loss and is left out.
    ``held_lots``: when the book's lots come from the ledger, a purchase's shares still
    held in an open lot acquired on the purchase date are that lot (the book sees it as a
    lot acquired in the window); only the rest (sold since: still a replacement, the
    acquisition counts) is a recent buy.
    """
    held: dict[str, float] = {}
    for lot in held_lots:
        if lot.acquired == lot.opened:
            base = purchase_id(lot.lot)
            held[base] = held.get(base, 0.0) + lot.shares
    gain_of: dict[str, float] = {}
    for sale in sales:
        gain_of[sale.transaction] = gain_of.get(sale.transaction, 0.0) + sale.gain
    out: list[RecentTrade] = []
    for t in sorted(transactions, key=lambda x: (x.date, x.seq)):
        if not in_window_before(t.date, as_of):
            continue
        if t.action in PURCHASES:
            shares = t.shares - held.get(t.id, 0.0)
            if shares > SHARE_EPS:
                out.append(
                    RecentTrade(
                        account=t.account, symbol=t.symbol, side="buy", date=t.date, shares=shares
                    )
                )
        elif t.action == Action.SELL:
            info = accounts.get(t.account)
            gain = gain_of.get(t.id)
            if info is None or not info.taxable or gain is None or gain >= 0:
                continue
            out.append(
                RecentTrade(
                    account=t.account,
                    symbol=t.symbol,
                    side="sell",
                    date=t.date,
                    shares=t.shares,
                    realized_gain=gain,
                )
            )
    return out

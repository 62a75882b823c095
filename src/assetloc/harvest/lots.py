"""The taxable lots harvesting looks at: typed in the household file or from the ledger.

Units: shares, dollars (``basis`` the lot's total, wash adjustment included; ``price`` a
share today), dates (``acquired``: the holding period's start, tacked after a wash sale).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assetloc.inputs.household import Household
from assetloc.inputs.securities import normalize
from assetloc.ledger.context import LedgerContext
from assetloc.ledger.records import Term


@dataclass(frozen=True, slots=True)
class HeldLot:
    """One taxable lot and today's price. ``lot``: the ledger lot id, else the acquired
    date (ISO); ``ledger_id``: the ledger lot id (empty for a lot typed in the file)."""

    account: str
    symbol: str
    lot: str
    acquired: dt.date
    shares: float
    basis: float
    price: float
    field: str
    ledger_id: str = ""

    @property
    def value(self) -> float:
        """Market value today, dollars."""
        return self.shares * self.price

    @property
    def gain(self) -> float:
        """Unrealized gain, dollars (negative: a loss)."""
        return self.value - self.basis

    def term(self, on: dt.date) -> Term:
        """``long`` when sold on ``on`` it is held more than a year (IRC §1222)."""
        from assetloc.inputs.holdings import is_long_term

        return "long" if is_long_term(self.acquired, on) else "short"


def held_lots(h: Household, ledger: LedgerContext | None = None) -> list[HeldLot]:
    """Every lot of the household's taxable accounts, in file order.

    When the positions came from the ledger, each lot carries its ledger id (the lot
    names it) and the lot is the ledger's; otherwise the file's lots, named by date."""
    ids = ledger.lot_ids if ledger is not None and ledger.positions else {}
    out: list[HeldLot] = []
    for k, acc in enumerate(h.accounts):
        if acc.type != "taxable":
            continue
        for j, pos in enumerate(acc.positions):
            for m, lot in enumerate(pos.lots or []):
                fld = f"accounts[{k}].positions[{j}].lots[{m}]"
                lid = ids.get(fld, "")
                out.append(
                    HeldLot(
                        account=acc.id,
                        symbol=normalize(pos.symbol),
                        lot=lid or lot.acquired.isoformat(),
                        acquired=lot.acquired,
                        shares=lot.shares,
                        basis=lot.cost_basis,
                        price=pos.price,
                        field=fld,
                        ledger_id=lid,
                    )
                )
    return out

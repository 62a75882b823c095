"""The result of ``assetloc harvest``: candidate lots, their value and conflicts (dollars)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from assetloc.harvest.conflicts import Conflict
from assetloc.harvest.replacement import Replacement
from assetloc.ledger.records import Term
from assetloc.notice import NOTICE


@dataclass(frozen=True)
class Candidate:
    """A taxable lot worth harvesting today.

    ``loss`` (dollars, > 0) = basis − price × shares; ``disallowed`` the part of it
    purchases in the window would disallow if sold today (``permanent``: of that, the part
    lost for good); ``tax_value_now`` the tax saved this year by the loss still allowed,
    ``carryforward`` the part of it not usable this year; ``deferral_value`` the long-run
    value (see :mod:`assetloc.harvest.value`); ``blocked_until`` the first day the lot's
    security may be bought back (sale date + 31 days).
    """

    account: str
    symbol: str
    lot: str
    acquired: dt.date
    shares: float
    price: float
    basis: float
    loss: float
    term: Term
    replacement: Replacement | None
    replacement_reason: str
    tax_value_now: float
    carryforward: float
    deferral_value: float
    blocked_until: dt.date
    disallowed: float
    permanent: float
    conflicts: tuple[Conflict, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "account": self.account,
            "symbol": self.symbol,
            "lot": self.lot,
            "acquired": self.acquired.isoformat(),
            "shares": self.shares,
            "price": self.price,
            "basis": self.basis,
            "loss": self.loss,
            "term": self.term,
            "replacement": None if self.replacement is None else self.replacement.to_dict(),
            "replacement_reason": self.replacement_reason,
            "tax_value_now": self.tax_value_now,
            "loss_carried_forward": self.carryforward,
            "deferral_value": self.deferral_value,
            "blocked_until": self.blocked_until.isoformat(),
            "disallowed_if_sold_today": self.disallowed,
            "permanently_disallowed_if_sold_today": self.permanent,
            "conflicts": [c.to_dict() for c in self.conflicts],
        }


@dataclass(frozen=True)
class HarvestResult:
    """Candidates (largest loss first) and the assumptions behind their figures."""

    as_of: dt.date
    candidates: tuple[Candidate, ...]
    min_loss: float
    min_loss_pct: float
    assumptions: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"as_of", "candidates", "thresholds", "assumptions", "notice"}``."""
        return {
            "as_of": self.as_of.isoformat(),
            "candidates": [c.to_dict() for c in self.candidates],
            "thresholds": {
                "min_loss": self.min_loss,
                "min_loss_share_of_basis": self.min_loss_pct,
            },
            "assumptions": dict(self.assumptions),
            "notice": NOTICE,
        }

"""Purchases that would wash a loss harvested today (IRC §1091), and the loss they disallow.

A sale today at a loss is washed by purchases (buys and reinvested dividends, not
transfers) of the same wash-sale group in ANY account of the household (a spouse's too,
unless ``[ledger] include_spouse = false``) from 30 days before to 30 days after it:

* ``purchase`` / ``reinvested dividend``: the ledger's purchases of the 30 days before
  (already washing: they were made); without a ledger, the file's ``[[recent_trades]]``
  buys (``recent trade``);
* ``planned purchase`` / ``recurring purchase``: the file's purchases of the 30 days
  after (their dates expanded, :mod:`assetloc.ledger.planned`); without a ledger also
  those of the 30 days before (presumed made: a 401(k) contribution last week);
* ``reinvested dividend (likely to recur)``: the ledger's reinvestments in the group in
  the year before, outside the window: a dividend paid again within 30 days would wash
  the loss (listed, not counted in the disallowed estimate).

A purchase in an IRA, Roth or HSA disallows the loss for good (Rev. Rul. 2008-5):
``permanent``. The lot's own purchase never washes its own shares.

The disallowed amount if sold today is the ledger engine's rule
(:func:`assetloc.ledger.engine.derive` over the history of the group to today, the
hypothetical sale and the known future purchases) when the lots come from the ledger;
otherwise the same share matching done here: the lot's shares, matched one for one with
the washing purchases in date order (a first estimate: it does not know which earlier
loss sales used those purchases already).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assetloc.harvest.lots import HeldLot
from assetloc.inputs.household import Household
from assetloc.ledger.context import LedgerContext
from assetloc.ledger.planned import FuturePurchase
from assetloc.ledger.positions import purchase_id
from assetloc.ledger.transactions import PURCHASES, Action, Transaction

WINDOW_DAYS = 30
YEAR_DAYS = 365
SELL_ID = "harvest:sell"


@dataclass(frozen=True, slots=True)
class Conflict:
    """A purchase that washes (or may wash) the loss. Shares; ``washes``: inside the
    window, so counted in the disallowed estimate."""

    account: str
    date: dt.date
    symbol: str
    kind: str
    shares: float
    permanent: bool
    washes: bool
    note: str = ""
    purchase: str = ""  # the purchase's ledger id (or a planned purchase's), when known

    def to_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {
            "account": self.account,
            "date": self.date.isoformat(),
            "symbol": self.symbol,
            "kind": self.kind,
            "shares": self.shares,
            "permanent": self.permanent,
            "washes": self.washes,
            "note": self.note,
        }


@dataclass(frozen=True)
class AccountMap:
    """What conflict finding needs of the accounts: taxable or not, and whose."""

    taxable: dict[str, bool]
    owner: dict[str, str]
    include_spouse: bool

    @classmethod
    def of(cls, h: Household) -> AccountMap:
        """From the household file."""
        spouse = h.ledger.include_spouse if h.ledger is not None else True
        return cls(
            {a.id: a.type == "taxable" for a in h.accounts},
            {a.id: a.owner for a in h.accounts},
            spouse,
        )

    def related(self, a: str, b: str) -> bool:
        """A purchase in account ``b`` can wash a loss in ``a`` (spouses: Pub 550)."""
        if self.include_spouse:
            return True
        oa, ob = self.owner.get(a, "self"), self.owner.get(b, "self")
        return oa == ob or "joint" in (oa, ob)


def _own(lot: HeldLot, t_id: str) -> bool:
    """The purchase ``t_id`` opened ``lot`` (its own purchase never washes it)."""
    return bool(lot.ledger_id) and purchase_id(lot.ledger_id) == t_id


def find_conflicts(
    lot: HeldLot,
    as_of: dt.date,
    group_of: Callable[[str], str],
    hh: AccountMap,
    future: Sequence[FuturePurchase],
    ledger: LedgerContext | None,
    recent: Sequence[tuple[str, str, dt.date, float]] = (),
) -> list[Conflict]:
    """Every purchase that would wash a sale of ``lot`` today (module doc), by date.

    ``recent``: the file's recent buys (account, symbol, date, shares), used without a
    ledger."""
    g = group_of(lot.symbol)
    start = as_of - dt.timedelta(days=WINDOW_DAYS)
    year_ago = as_of - dt.timedelta(days=YEAR_DAYS)
    out: list[Conflict] = []

    def permanent(account: str) -> bool:
        return not hh.taxable.get(account, True)

    if ledger is not None:
        for t in ledger.inputs.transactions:
            if t.action not in PURCHASES or t.date > as_of or t.date < year_ago:
                continue
            if group_of(t.symbol) != g or not hh.related(lot.account, t.account):
                continue
            if _own(lot, t.id):
                continue
            reinvest = t.action == Action.REINVEST
            if t.date >= start:
                kind = "reinvested dividend" if reinvest else "purchase"
                note = "made in the 30 days before: already washes a sale today"
                if reinvest:
                    note += "; dividends are likely to be reinvested again"
                out.append(
                    Conflict(
                        t.account,
                        t.date,
                        t.symbol,
                        kind,
                        t.shares,
                        permanent(t.account),
                        True,
                        note,
                        t.id,
                    )
                )
            elif reinvest:
                out.append(
                    Conflict(
                        t.account,
                        t.date,
                        t.symbol,
                        "reinvested dividend (likely to recur)",
                        t.shares,
                        permanent(t.account),
                        False,
                        "a dividend reinvested again within 30 days after the sale would wash "
                        "it: turn reinvestment off in this group",
                    )
                )
    else:
        for account, symbol, day, shares in recent:
            if start <= day <= as_of and group_of(symbol) == g:
                if hh.related(lot.account, account) and not (
                    account == lot.account and day == lot.acquired
                ):
                    out.append(
                        Conflict(
                            account,
                            day,
                            symbol,
                            "recent trade",
                            shares,
                            permanent(account),
                            True,
                            "bought in the 30 days before: already washes a sale today",
                        )
                    )
    for p in future:
        if group_of(p.symbol) == g and hh.related(lot.account, p.account):
            when = "after" if p.date >= as_of else "before (presumed made)"
            out.append(
                Conflict(
                    p.account,
                    p.date,
                    p.symbol,
                    f"{p.kind} purchase",
                    p.shares,
                    permanent(p.account),
                    True,
                    f"{p.field}: within 30 days {when} a sale today",
                    f"{p.field}@{p.date.isoformat()}",
                )
            )
    out.sort(key=lambda c: (c.date, c.account, c.symbol))
    return out


def matched_disallowed(lot: HeldLot, conflicts: Sequence[Conflict]) -> tuple[float, float]:
    """(disallowed loss, its permanent part), dollars: the lot's shares matched one for one
    with the washing purchases in date order (no ledger)."""
    loss_ps = max(lot.basis - lot.value, 0.0) / lot.shares
    need, dis, perm = lot.shares, 0.0, 0.0
    for c in conflicts:
        if not c.washes or need <= 1e-9:
            continue
        m = min(need, c.shares)
        need -= m
        dis += m * loss_ps
        if c.permanent:
            perm += m * loss_ps
    return dis, perm


UNMATCHED = (
    "not matched by the ledger engine: its shares already replaced an earlier loss sale, "
    "or earlier purchases cover this lot's shares"
)


def engine_matched(conflicts: Sequence[Conflict], used: frozenset[str]) -> list[Conflict]:
    """The conflicts with ``washes`` as the ledger engine matched them: a purchase in the
    window whose shares the hypothetical sale did not use (``used``: the purchase ids that
    replaced it) does not wash it, and says why."""
    out = []
    for c in conflicts:
        if c.washes and c.purchase and c.purchase not in used:
            c = dataclasses.replace(c, washes=False, note=UNMATCHED)
        out.append(c)
    return out


def ledger_disallowed(
    lot: HeldLot,
    as_of: dt.date,
    ledger: LedgerContext,
    future: Sequence[FuturePurchase],
    group_of: Callable[[str], str],
) -> tuple[float, float, frozenset[str]]:
    """(disallowed loss, its permanent part, the ids of the purchases that replaced the
    shares), dollars, by the ledger engine: the group's history to ``as_of``, the sale of
    ``lot`` today and the future purchases (module doc)."""
    from assetloc.ledger.engine import derive

    g = group_of(lot.symbol)
    history = [t for t in ledger.inputs.transactions if t.date <= as_of and group_of(t.symbol) == g]
    seq = max((t.seq for t in history), default=0) + 1
    sale = Transaction(
        as_of,
        lot.account,
        lot.symbol,
        Action.SELL,
        lot.shares,
        lot.price,
        lot=f"{lot.ledger_id}:{lot.shares!r}",
        id=SELL_ID,
        seq=seq,
    )
    ahead = [p.transaction(seq + 1 + i) for i, p in enumerate(future) if group_of(p.symbol) == g]
    result = derive(
        [*history, sale, *ahead],
        ledger.inputs.accounts,
        ledger.inputs.groups,
        include_spouse=ledger.inputs.include_spouse,
    )
    rows = [s for s in result.sales if s.transaction == SELL_ID]
    dis = float(sum(s.disallowed for s in rows))
    perm = float(sum(s.disallowed for s in rows if s.permanent))
    return dis, perm, frozenset(i for s in rows for i in s.replaced_by)

"""The rebalance's reported wash sales by the ledger engine (one rule, one implementation).

When the household's lots come from its ledger (``[ledger] positions = true``), the loss
each lot sold has disallowed is the ledger engine's (:func:`assetloc.ledger.engine.derive`)
on the ledger's history to the trade date, the rebalance's orders appended as transactions
on the trade date (sells by specific identification of the lots the rebalance picked,
before the buys), and the household's planned and recurring purchases of the 30 days
after it (the look-ahead). The optimization still uses the guard's coarser model
(:mod:`assetloc.rebalance.washsale`); only the reported figures change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from assetloc.ledger.context import LedgerContext
from assetloc.ledger.planned import FuturePurchase
from assetloc.ledger.transactions import Action, Transaction
from assetloc.rebalance.result import Trade
from assetloc.units import usd

SELL_ID = "rebalance:sell:{}"
BUY_ID = "rebalance:buy:{}"


def order_transactions(
    trades: Sequence[Trade], lot_ids: dict[str, str], as_of: dt.date, first_seq: int
) -> list[Transaction]:
    """The orders as ledger transactions on ``as_of``: sells (naming their lots), then buys.

    A sold lot's ledger id comes from ``lot_ids`` (field path → id)."""
    out: list[Transaction] = []
    seq = first_seq
    sells = [t for t in trades if t.side == "sell"]
    buys = [t for t in trades if t.side == "buy"]
    for i, t in enumerate(sells):
        picks = [f"{lot_ids[x.field]}:{x.shares!r}" for x in t.lots if x.field in lot_ids]
        out.append(
            Transaction(
                as_of,
                t.account,
                t.symbol,
                Action.SELL,
                t.shares,
                t.price,
                lot=";".join(picks),
                id=SELL_ID.format(i),
                seq=seq,
            )
        )
        seq += 1
    for i, t in enumerate(buys):
        out.append(
            Transaction(
                as_of,
                t.account,
                t.symbol,
                Action.BUY,
                t.shares,
                t.price,
                id=BUY_ID.format(i),
                seq=seq,
            )
        )
        seq += 1
    return out


def ledger_wash_sales(
    trades: list[Trade], ctx: LedgerContext, future: Sequence[FuturePurchase]
) -> tuple[list[Trade], list[str]]:
    """``trades`` with each lot's disallowed loss (and its permanent part) by the ledger
    engine, and the wash-sale flags of the lots it washes (module doc)."""
    from assetloc.ledger.engine import derive

    as_of = ctx.as_of
    history = [t for t in ctx.inputs.transactions if t.date <= as_of]
    seq = max((t.seq for t in history), default=0) + 1
    orders = order_transactions(trades, ctx.lot_ids, as_of, seq)
    seq += len(orders)
    ahead = [p.transaction(seq + i) for i, p in enumerate(future)]
    result = derive(
        [*history, *orders, *ahead],
        ctx.inputs.accounts,
        ctx.inputs.groups,
        include_spouse=ctx.inputs.include_spouse,
    )
    sell_ids = {t.id for t in orders if t.action == Action.SELL}
    dis: dict[tuple[str, str], float] = {}
    perm: dict[tuple[str, str], float] = {}
    by: dict[tuple[str, str], list[str]] = {}
    for s in result.sales:
        if s.transaction not in sell_ids or s.disallowed <= 0:
            continue
        key = (s.transaction, s.lot)
        dis[key] = dis.get(key, 0.0) + s.disallowed
        if s.permanent:
            perm[key] = perm.get(key, 0.0) + s.disallowed
        by.setdefault(key, []).extend(s.replaced_by)
    out: list[Trade] = []
    flags: list[str] = []
    sell_no = 0
    for t in trades:
        if t.side != "sell":
            out.append(t)
            continue
        tid = SELL_ID.format(sell_no)
        sell_no += 1
        lots = []
        for x in t.lots:
            key = (tid, ctx.lot_ids.get(x.field, ""))
            loss, lost = dis.get(key, 0.0), perm.get(key, 0.0)
            reason = ""
            if loss > 0:
                ids = sorted(set(by.get(key, [])))
                reason = "by the ledger: replaced by " + (", ".join(ids[:3]) or "a purchase")
                if len(ids) > 3:
                    reason += f" and {len(ids) - 3} more"
                flags.append(
                    f"{t.account}: selling {t.symbol} lot {x.acquired} at a loss of "
                    f"{usd(-x.gain, 2)} is a wash sale ({reason}); {usd(loss, 2)} of the loss "
                    f"is disallowed ({usd(lost, 2)} permanently, matched with purchases in an "
                    "IRA, Roth or HSA; the rest is added to the replacement shares' basis)"
                )
            lots.append(
                dataclasses.replace(
                    x,
                    wash_sale=loss > 0,
                    wash_sale_reason=reason,
                    disallowed_loss=loss,
                    permanently_disallowed_loss=lost,
                )
            )
        out.append(dataclasses.replace(t, lots=tuple(lots)))
    return out, flags

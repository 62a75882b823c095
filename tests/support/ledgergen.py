"""Hypothesis strategies: small valid household ledgers (sells never exceed holdings) with
the holdings an independent tally expects at the end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hypothesis import strategies as st

from assetloc.ledger.records import AccountInfo
from assetloc.ledger.transactions import Action, Transaction

ACCOUNTS = {
    "tx1": AccountInfo("tx1", taxable=True, owner="self", lot_method="fifo"),
    "tx2": AccountInfo("tx2", taxable=True, owner="spouse", lot_method="hifo"),
    "jt": AccountInfo("jt", taxable=True, owner="joint", lot_method="fifo"),
    "ira": AccountInfo("ira", taxable=False, owner="self", lot_method="fifo"),
}
SYMBOLS = ("A", "B", "C")
GROUPS = {"A": "AB", "B": "AB"}  # A and B substantially identical; C its own group
START = dt.date(2024, 1, 2)


@dataclass
class Ledger:
    transactions: list[Transaction]
    held: dict[tuple[str, str], float] = field(default_factory=dict)  # expected at the end


@st.composite
def ledgers(draw: st.DrawFn, max_size: int = 40, splits: bool = True) -> Ledger:
    """Transactions in date order (seq = position) and the shares each position holds."""
    n = draw(st.integers(1, max_size))
    held: dict[tuple[str, str], float] = {}
    txs: list[Transaction] = []
    day = 0
    split_days: set[tuple[str, int]] = set()

    def add(a: str, s: str, act: Action, sh: float, p: float = 0.0, fees: float = 0.0) -> None:
        k = len(txs)
        date = START + dt.timedelta(days=day)
        txs.append(Transaction(date, a, s, act, sh, p, fees, "", f"t{k:03d}", k))

    kinds = ["buy", "buy", "reinvest", "sell", "sell", "transfer"] + (["split"] if splits else [])
    for _ in range(n):
        day += draw(st.integers(0, 12))
        kind = draw(st.sampled_from(kinds))
        a = draw(st.sampled_from(sorted(ACCOUNTS)))
        s = draw(st.sampled_from(SYMBOLS))
        price = float(draw(st.sampled_from([4, 5, 8, 10, 12.5, 15, 20])))
        h = held.get((a, s), 0.0)
        if kind in ("buy", "reinvest") or (kind != "split" and h <= 1e-9):
            sh = float(draw(st.sampled_from([0.5, 1, 2.5, 5, 10, 20])))
            fees = float(draw(st.sampled_from([0, 0, 1])))
            add(a, s, Action.REINVEST if kind == "reinvest" else Action.BUY, sh, price, fees)
            held[(a, s)] = h + sh
        elif kind == "sell":
            sh = h if draw(st.booleans()) else round(h * draw(st.sampled_from([0.25, 0.5])), 6)
            add(a, s, Action.SELL, sh, price, float(draw(st.sampled_from([0, 1]))))
            held[(a, s)] = h - sh
        elif kind == "transfer":
            b = draw(st.sampled_from([x for x in sorted(ACCOUNTS) if x != a]))
            sh = h if draw(st.booleans()) else round(h / 2, 6)
            add(a, s, Action.TRANSFER_OUT, sh)
            add(b, s, Action.TRANSFER_IN, sh)
            held[(a, s)] = h - sh
            held[(b, s)] = held.get((b, s), 0.0) + sh
        else:  # a split of s, recorded in every account that holds it
            if (s, day) in split_days:
                continue
            split_days.add((s, day))
            ratio = float(draw(st.sampled_from([2, 3, 0.5])))
            for (acct, sym), shares in sorted(held.items()):
                if sym == s and shares > 1e-9:
                    add(acct, s, Action.SPLIT, ratio)
                    held[(acct, sym)] = shares * ratio
    return Ledger(txs, held)

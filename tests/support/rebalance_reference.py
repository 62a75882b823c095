"""Per-lot reference implementations of the rebalancer's vectorized lot work.

Plain Python loops, one lot at a time, as the rebalancer computed these before they were
vectorized: the wash-sale flags, the replacement pool and the share matching of
disallowed losses (Reg. §1.1091-1(c)–(e)), the long-term flags and the days to long-term,
and the lot sales of each order. ``tests/rebalance/test_vectorized_lots.py`` checks the
library against them on random books.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from assetloc.inputs.holdings import is_long_term, long_term_on
from assetloc.rebalance.book import Book
from assetloc.rebalance.washsale import WINDOW_DAYS, Disallowed, Replacement, WashSaleGuard


def in_window(date: dt.date, as_of: dt.date) -> bool:
    """True when ``date`` is within the 30 days ending on ``as_of``."""
    return as_of - dt.timedelta(days=WINDOW_DAYS) <= date <= as_of


def long_term_flags(book: Book) -> np.ndarray:
    """(L,) held more than a year on the trade date, lot by lot."""
    return np.array([is_long_term(d, book.as_of) for d in book.lot_acquired], dtype=bool)


def days_to_long_term(book: Book) -> np.ndarray:
    """(L,) days until each lot may be sold long-term (0 if it is), lot by lot."""
    return np.array(
        [
            0 if lt else max((long_term_on(acq) - book.as_of).days, 0)
            for acq, lt in zip(book.lot_acquired, book.lot_long_term, strict=True)
        ],
        dtype=int,
    )


def window_lots(book: Book) -> dict[str, set[int]]:
    """group → taxable lots acquired in the window."""
    out: dict[str, set[int]] = {}
    for lot in range(book.n_lots):
        if in_window(book.lot_acquired[lot], book.as_of):
            out.setdefault(book.groups[book.lot_security[lot]], set()).add(lot)
    return out


def lot_flagged(guard: WashSaleGuard, book: Book) -> np.ndarray:
    """(L,) True for lots whose group was bought in the window (other than the lot)."""
    out = np.zeros(book.n_lots, dtype=bool)
    for lot in range(book.n_lots):
        g = book.groups[book.lot_security[lot]]
        if guard.recent_buy_trades.get(g):
            out[lot] = True
        else:
            window = guard.recent_buy_lots.get(g, frozenset())
            out[lot] = len(window) > 1 or (len(window) == 1 and lot not in window)
    return out


def lot_forfeit(guard: WashSaleGuard, book: Book) -> np.ndarray:
    """(L,) flagged lots whose group was bought in a tax-advantaged account."""
    groups = np.array([book.groups[s] in guard.forfeit_groups for s in book.lot_security])
    return lot_flagged(guard, book) & groups.astype(bool)


def _summary(texts: list[str], shown: int = 3) -> str:
    out = "; ".join(texts[:shown])
    if len(texts) > shown:
        out += f"; and {len(texts) - shown} more"
    return out


def disallowed_losses(
    book: Book,
    guard: WashSaleGuard,
    lot_sold: np.ndarray,
    buy: np.ndarray,
) -> Disallowed:
    """Share matching, lot by lot and replacement by replacement (every pool entry scanned
    for every lot). A purchase offers all its shares (the acquisition counts, held or not);
    a lot acquired in the window offers those not sold now."""
    loss = np.zeros(book.n_lots)
    permanent = np.zeros(book.n_lots)
    reasons: dict[int, str] = {}
    gain_ps = book.lot_gain_per_share
    sold_at_loss = (lot_sold > 0) & (gain_ps < 0)
    if not sold_at_loss.any():
        return Disallowed(loss, permanent, reasons)
    lot_groups = np.array(book.groups)[book.lot_security]
    bought: dict[str, list[Replacement]] = {}
    for k, s in zip(*np.nonzero(buy > 0), strict=True):
        bought.setdefault(book.groups[s], []).append(
            Replacement(
                book.as_of,
                float(buy[k, s]),
                book.account_types[k] != "taxable",
                f"bought in this rebalance: {book.symbols[s]} in {book.account_ids[k]}",
            )
        )
    for g in sorted(set(lot_groups[sold_at_loss])):
        pool = list((guard.replacements or {}).get(g, [])) + bought.get(g, [])
        if not pool:
            continue
        pool.sort(key=lambda r: r.date)
        left = []
        for r in pool:
            if r.lot is not None:
                left.append(r.shares - float(lot_sold[r.lot]))
            else:
                left.append(r.shares)
        lots = np.flatnonzero(sold_at_loss & (lot_groups == g))
        for lot in sorted(lots, key=lambda m: (book.lot_acquired[m], m)):
            need = float(lot_sold[lot])
            texts: list[str] = []
            for i, r in enumerate(pool):
                if need <= 1e-9:
                    break
                if r.lot == lot or left[i] <= 1e-9:
                    continue
                m = min(need, left[i])
                left[i] -= m
                need -= m
                dollars = -float(gain_ps[lot]) * m
                loss[lot] += dollars
                if r.permanent:
                    permanent[lot] += dollars
                texts.append(f"{m:g} sh of {r.text}")
            if texts:
                reasons[int(lot)] = _summary(texts)
    return Disallowed(loss, permanent, reasons)


def lots_of_orders(book: Book, sell: np.ndarray, lot_sold: np.ndarray) -> list[list[int]]:
    """The lots sold (indices, in book order) of each sell order, orders in (account,
    security) order."""
    out = []
    for k in range(book.k):
        for s in range(book.s):
            if sell[k, s] > 0:
                here = np.flatnonzero((book.lot_account == k) & (book.lot_security == s))
                out.append([int(m) for m in here if lot_sold[m] > 0])
    return out

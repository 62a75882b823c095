"""The wash-sale guard (IRC §1091; DESIGN.md §4).

A loss is disallowed when substantially identical securities (the same ``group`` in the
securities table) are bought within 30 days before or after the sale, in ANY account of the
household; a repurchase inside an IRA or Roth IRA disallows the loss permanently (Rev. Rul.
2008-5). The guard works on groups, over a window of 30 days ending on the trade date:

1. Blocked purchases: a group sold at a loss in any account in the past 30 days (a
   ``[[recent_trades]]`` sell with a negative ``realized_gain``) is not bought anywhere in
   this rebalance. A sell with no ``realized_gain`` is assumed not to be a loss (noted).
   The guard does not ask whether the earlier loss was in a tax-advantaged account (where
   it is no tax loss): a loss stated in the file is respected, which is conservative.
2. Flagged loss sales: selling a taxable lot at a loss in a group that was bought in the
   past 30 days in any account (a ``[[recent_trades]]`` buy, or another taxable lot
   acquired in the window) is flagged, and the estimated tax gives its loss no credit.
   The optimization goes further when the purchase was in a tax-advantaged account: the
   loss is then lost for good, which costs what a gain of the same size would (the
   deduction forgone), so the model treats the loss as such a gain and sells the lot only
   when nothing cheaper does the job. After a taxable purchase the disallowed loss moves
   to the replacement shares' basis (deferred, not lost): zero credit, zero cost.
   A recent buy that is a lot's own purchase (same account, symbol, date and shares as a
   lot the book holds) is that lot, and never flags the lot itself. The flag is all or
   nothing (conservative, for the optimization); the REPORTED disallowed loss follows
   share matching (:func:`disallowed_losses`).
3. Same-rebalance coupling: the optimization never both sells a lot of a group at a loss in
   a taxable account and buys that group anywhere (one binary variable per such group).

Buying after the rebalance: a group sold at a loss today must not be bought for the next
30 days either; the result lists those groups.

The look-ahead: the household's ``[[planned_purchases]]`` and ``[[recurring_purchases]]``
dated from the trade date to 30 days after it are replacements too (§1091 counts
purchases 30 days after the sale): they flag loss sales of their group (a purchase in a
tax-advantaged account forfeits the loss) and take part in the share matching, at
``amount`` / today's price shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from assetloc.inputs.household import Household
from assetloc.inputs.securities import SecurityTable, normalize, security_table
from assetloc.ledger.planned import FuturePurchase, future_purchases
from assetloc.rebalance.book import Book, normalize_group
from assetloc.units import usd

WINDOW_DAYS = 30
SHOWN_MATCHES = 3  # replacement purchases named in a wash-sale reason; the rest are counted


@dataclass(frozen=True)
class Replacement:
    """A purchase in the window that can replace shares sold at a loss (§1091).

    ``lot`` is the book's lot index when the purchase is a taxable lot (its shares sold in
    this rebalance do not count); ``permanent`` when it is in an IRA, Roth or HSA.
    """

    date: dt.date
    shares: float
    permanent: bool
    text: str
    lot: int | None = None
    account: str = ""
    symbol: str = ""


@dataclass(frozen=True)
class WashSaleGuard:
    """What the guard found.

    Attributes
    ----------
    blocked : group → reasons it cannot be bought (recent loss sales).
    recent_buys : group → descriptions of purchases in the window (trades and lots).
    recent_buy_lots : group → indices (into the book's lots) of lots acquired in the window.
    notes : remarks (sells without a realized gain).
    future : planned and recurring purchases of the 30 days after the trade date.
    """

    blocked: dict[str, list[str]]
    recent_buys: dict[str, list[str]]
    recent_buy_lots: dict[str, frozenset[int]]
    recent_buy_trades: dict[str, list[str]]
    forfeit_groups: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()
    replacements: dict[str, list[Replacement]] | None = None
    future: tuple[FuturePurchase, ...] = ()

    def buy_blocked(self, book: Book) -> np.ndarray:
        """(S,) True for securities whose group may not be bought."""
        return np.array([g in self.blocked for g in book.groups], dtype=bool)

    def lot_flagged(self, book: Book) -> np.ndarray:
        """(L,) True for lots whose group was bought in the window (other than the lot)."""
        names, lot_group = group_codes(book)
        by_trade = np.array([bool(self.recent_buy_trades.get(g)) for g in names], dtype=bool)
        in_window = np.array([len(self.recent_buy_lots.get(g, ())) for g in names], dtype=int)
        own = np.zeros(book.n_lots, dtype=bool)  # the lot is its group's window purchase
        for lots in self.recent_buy_lots.values():
            own[list(lots)] = True
        count = in_window[lot_group]
        return np.asarray(by_trade[lot_group] | (count > 1) | ((count == 1) & ~own), dtype=bool)

    def lot_forfeit(self, book: Book) -> np.ndarray:
        """(L,) flagged lots whose group was bought in a tax-advantaged account."""
        names, lot_group = group_codes(book)
        forfeit = np.array([g in self.forfeit_groups for g in names], dtype=bool)
        out: np.ndarray = self.lot_flagged(book) & forfeit[lot_group]
        return out

    def flag_reason(self, book: Book, lot: int) -> str:
        """Why lot ``lot`` is flagged (the purchases in the window)."""
        g = book.groups[book.lot_security[lot]]
        reasons = list(self.recent_buy_trades.get(g, []))
        reasons += [
            f"lot {book.lot_field[m]} acquired {book.lot_acquired[m]}"
            for m in sorted(self.recent_buy_lots.get(g, frozenset()) - {lot})
        ]
        return "; ".join(reasons)


def in_window(date: dt.date, as_of: dt.date) -> bool:
    """True when ``date`` is within the 30 days ending on ``as_of``."""
    return as_of - dt.timedelta(days=WINDOW_DAYS) <= date <= as_of


def window_lots(book: Book) -> np.ndarray:
    """Indices of the lots acquired within the 30 days ending on the trade date, ascending."""
    today = book.as_of.toordinal()
    return np.flatnonzero((book.lot_day >= today - WINDOW_DAYS) & (book.lot_day <= today))


def group_codes(book: Book) -> tuple[tuple[str, ...], np.ndarray]:
    """(group names, sorted; (L,) index of each lot's group among them)."""
    if book.s == 0:
        return (), np.zeros(book.n_lots, dtype=int)
    names, sec_group = np.unique(np.array(book.groups, dtype=str), return_inverse=True)
    return tuple(str(g) for g in names), sec_group.ravel()[book.lot_security]


def build_guard(h: Household, book: Book) -> WashSaleGuard:
    """Scan recent trades and lots for the wash-sale guard."""
    table = security_table(h.securities)
    blocked: dict[str, list[str]] = {}
    buy_trades: dict[str, list[str]] = {}
    forfeit: set[str] = set()
    types = {a.id: a.type for a in h.accounts}
    notes: list[str] = []
    replacements: dict[str, list[Replacement]] = {}
    # a recent buy with the account, symbol, date and shares of a lot is that lot's purchase
    own_purchase: dict[tuple[str, str, dt.date, float], list[int]] = {}
    recent_lots = [int(m) for m in window_lots(book)]
    for lot in recent_lots:
        key = (
            book.account_ids[book.lot_account[lot]],
            book.symbols[book.lot_security[lot]],
            book.lot_acquired[lot],
            float(book.lot_shares[lot]),
        )
        own_purchase.setdefault(key, []).append(lot)
    for i, tr in enumerate(h.recent_trades):
        if not in_window(tr.date, book.as_of):
            continue
        info = table.require(tr.symbol, f"recent_trades[{i}].symbol")  # checked by build_book
        group = normalize_group(info)
        where = (
            f"recent_trades[{i}]: {tr.side} {tr.shares:g} {normalize(tr.symbol)} in {tr.account}"
        )
        if tr.side == "sell":
            if tr.realized_gain is None:
                notes.append(f"{where} on {tr.date}: no realized_gain given; assumed not a loss")
            elif tr.realized_gain < 0:
                blocked.setdefault(group, []).append(
                    f"{where} on {tr.date} at a loss of {usd(-tr.realized_gain, 2)}"
                )
        else:
            key = (tr.account, normalize(tr.symbol), tr.date, float(tr.shares))
            if own_purchase.get(key):
                own_purchase[key].pop()  # the purchase of a lot the book holds: that lot
                continue
            buy_trades.setdefault(group, []).append(f"{where} on {tr.date}")
            replacements.setdefault(group, []).append(
                Replacement(
                    tr.date,
                    float(tr.shares),
                    types[tr.account] != "taxable",
                    f"{where} on {tr.date}",
                    account=tr.account,
                    symbol=normalize(tr.symbol),
                )
            )
            if types[tr.account] != "taxable":
                forfeit.add(group)
    future = look_ahead(h, book, table)
    for p in future:
        group = normalize_group(table.require(p.symbol, f"{p.field}.symbol"))
        text = f"{p.field}: {p.kind} purchase of {p.symbol} in {p.account} on {p.date}"
        permanent = types[p.account] != "taxable"
        buy_trades.setdefault(group, []).append(text)
        replacements.setdefault(group, []).append(
            Replacement(p.date, p.shares, permanent, text, account=p.account, symbol=p.symbol)
        )
        if permanent:
            forfeit.add(group)
    buy_lots: dict[str, set[int]] = {}
    for lot in recent_lots:
        g = book.groups[book.lot_security[lot]]
        buy_lots.setdefault(g, set()).add(lot)
        replacements.setdefault(g, []).append(
            Replacement(
                book.lot_acquired[lot],
                float(book.lot_shares[lot]),
                False,
                f"lot {book.lot_field[lot]} acquired {book.lot_acquired[lot]}",
                lot,
            )
        )
    recent = {g: list(v) for g, v in buy_trades.items()}
    for g, lots in buy_lots.items():
        recent.setdefault(g, []).extend(
            f"lot {book.lot_field[m]} acquired {book.lot_acquired[m]}" for m in sorted(lots)
        )
    return WashSaleGuard(
        blocked=blocked,
        recent_buys=recent,
        recent_buy_lots={g: frozenset(v) for g, v in buy_lots.items()},
        recent_buy_trades=buy_trades,
        forfeit_groups=frozenset(forfeit),
        notes=tuple(notes),
        replacements=replacements,
        future=tuple(future),
    )


def look_ahead(h: Household, book: Book, table: SecurityTable) -> list[FuturePurchase]:
    """Planned and recurring purchases from the trade date to 30 days after it; shares at
    the book's price of the symbol (else its ``[[securities]]`` price)."""

    def price_of(symbol: str) -> float | None:
        if symbol in book.symbols:
            prices = book.price[:, book.symbols.index(symbol)]
            known = prices[~np.isnan(prices)]
            if known.size:
                return float(known[0])
        info = table.get(symbol)
        return None if info is None else info.security.price

    end = book.as_of + dt.timedelta(days=WINDOW_DAYS)
    return future_purchases(h, book.as_of, end, price_of)


@dataclass(frozen=True)
class Disallowed:
    """The loss disallowed per lot sold (dollars ≥ 0), the part lost for good, and why."""

    loss: np.ndarray
    permanent: np.ndarray
    reasons: dict[int, str]


def _summary(texts: list[str]) -> str:
    """The first ``SHOWN_MATCHES`` texts, and how many more there are."""
    out = "; ".join(texts[:SHOWN_MATCHES])
    if len(texts) > SHOWN_MATCHES:
        out += f"; and {len(texts) - SHOWN_MATCHES} more"
    return out


def disallowed_losses(
    book: Book,
    guard: WashSaleGuard,
    lot_sold: np.ndarray,
    buy: np.ndarray,
) -> Disallowed:
    """The loss each lot sold has disallowed, by share matching (Reg. §1.1091-1(c)–(e)).

    Per group, the shares sold at a loss (in order of their lots' acquisition) are matched
    one for one with replacement shares bought in the window (in order of acquisition; each
    replacement share used once): recent buys, taxable lots acquired in the window less
    their shares sold in this rebalance (never the sold lot itself), and this rebalance's
    purchases. A recent buy counts in full, whether or not its account still holds the
    shares after the rebalance (or held them at the start of it): §1091(a) asks whether
    substantially identical stock was *acquired* within the window, and Rev. Rul. 2008-5
    makes the IRA or Roth purchase itself the event that disallows the loss, so an IRA that
    bought the replacement and sold it again (before or in this rebalance) still washes it.
    A lot's loss is disallowed pro rata to its matched shares; the part matched with a
    purchase in an IRA, Roth or HSA is lost for good (Rev. Rul. 2008-5), the rest is
    deferred into the replacement shares' basis.
    """
    loss = np.zeros(book.n_lots)
    permanent = np.zeros(book.n_lots)
    reasons: dict[int, str] = {}
    gain_ps = book.lot_gain_per_share
    sold_at_loss = (lot_sold > 0) & (gain_ps < 0)
    if not sold_at_loss.any():
        return Disallowed(loss, permanent, reasons)
    names, lot_group = group_codes(book)
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
    # the lots sold at a loss, by group (groups in name order), each group's lots in order of
    # acquisition (then book order)
    sold = np.flatnonzero(sold_at_loss)
    sold = sold[np.lexsort((sold, book.lot_day[sold], lot_group[sold]))]
    cuts = np.flatnonzero(np.diff(lot_group[sold])) + 1
    for lots in np.split(sold, cuts):
        g = names[int(lot_group[lots[0]])]
        pool = list((guard.replacements or {}).get(g, [])) + bought.get(g, [])
        if not pool:
            continue
        pool.sort(key=lambda r: r.date)
        left = _pool_left(pool, lot_sold)
        _match(pool, left, lots, lot_sold, gain_ps, loss, permanent, reasons)
    return Disallowed(loss, permanent, reasons)


def _pool_left(pool: list[Replacement], lot_sold: np.ndarray) -> list[float]:
    """Replacement shares each purchase of ``pool`` offers.

    A taxable lot acquired in the window offers its shares not sold in this rebalance: the
    shares of a sale are never their own replacement (a lot sold with the loss lot in the
    same order is part of that sale). Every other purchase (a recent buy, a purchase in
    this rebalance) offers all its shares: the acquisition is what counts (§1091(a); Rev.
    Rul. 2008-5 for an IRA or Roth purchase), not whether the shares are still held.
    """
    return [r.shares - float(lot_sold[r.lot]) if r.lot is not None else r.shares for r in pool]


def _match(
    pool: list[Replacement],
    left: list[float],
    lots: np.ndarray,
    lot_sold: np.ndarray,
    gain_ps: np.ndarray,
    loss: np.ndarray,
    permanent: np.ndarray,
    reasons: dict[int, str],
) -> None:
    """Match the shares of ``lots`` (in order) with ``pool``'s (each share used once),
    writing each lot's disallowed loss, permanent part and reason (dollars, in place).

    Replacements before ``first`` are used up (they stay so), and once every one is, no
    later lot has a match: the work is the lots matched plus the pool, not their product.
    """
    owner = [r.lot for r in pool]
    first, n_pool = 0, len(pool)
    for lot, need, per_share in zip(
        lots.tolist(), lot_sold[lots].tolist(), gain_ps[lots].tolist(), strict=True
    ):
        while first < n_pool and left[first] <= 1e-9:
            first += 1
        if first == n_pool:
            return
        texts: list[str] = []
        dis = perm = 0.0
        for i in range(first, n_pool):
            if need <= 1e-9:
                break
            if owner[i] == lot or left[i] <= 1e-9:
                continue
            m = min(need, left[i])
            left[i] -= m
            need -= m
            dollars = -per_share * m
            dis += dollars
            if pool[i].permanent:
                perm += dollars
            texts.append(f"{m:g} sh of {pool[i].text}")
        if texts:
            loss[lot] = dis
            permanent[lot] = perm
            reasons[lot] = _summary(texts)

"""The ledger engine: open lots and realized sales from the whole transaction history, with
the wash-sale rule (IRC §1091, Reg. §1.1091-1 and -2, Pub 550, Rev. Rul. 2008-5).

Units: shares, dollars, dates; shares at or below 1e-9 are zero. :func:`derive` orders the
transactions by (date, seq, id) — ids are unique; without ids, ties are broken by the
fields — so the input order never matters, and replays them:

- ``buy``/``reinvest`` open a lot (id = the transaction's id, basis = shares * price + fees);
  ``sell`` draws lots by its ``lot`` selection, else the account's method (fifo: oldest
  ``acquired`` first, the tacked date; hifo: highest basis a share first, ties oldest) and
  gives one :class:`Sale` row per lot drawn and per wash part; proceeds = shares * price -
  fees, pro rata to shares. A matched ``transfer_out``/``transfer_in`` pair moves the lots
  (basis, wash adjustment, dates and ids kept) at the first of the two rows; an unmatched
  ``transfer_in`` opens a lot at ``price`` a share (fees ignored) acquired on its ``lot``
  date; an unmatched ``transfer_out`` removes the shares. ``split`` multiplies the shares
  of the account's lots of the symbol, basis unchanged.
- Wash sales: each lot sold at a loss in a taxable account (in the order the sale drew its
  lots, sales in (date, seq) order, Reg. §1.1091-1(b)) takes replacement shares one for one
  from the purchases (buy, reinvest; never transfers or splits) of its group in any account
  (with ``include_spouse=False`` only accounts of the seller's owner, "joint" counting for
  both), dated 30 days before to 30 days after the sale, inclusive, first purchased first
  (Reg. §1.1091-1(c), (d)). A purchase's shares replace at most once, ever; the purchases
  that bought the very lots a sale draws are never its replacements. Shares are compared in
  pre-split units (shares / the symbol's cumulative split ratio, the split counted once a
  date per symbol), so a split between a loss sale and a purchase compares post-split
  shares — as if each pending capacity were scaled by the ratio.
- A taxable replacement takes the disallowed loss (sold basis a share - proceeds a share,
  per matched share) into its basis (``wash_adjustment``) and the sold shares' holding
  period: its ``acquired`` = its ``opened`` - (sale date - sold lot's ``acquired``) (IRC
  §1223(3)). The matched shares of a lot split off as ``<id>.w<n>``; the rest keeps the
  id. A purchase after the sale gets the adjustment when it is bought; one before it, at
  the sale: first its shares still open, then — when they were already sold before the
  loss sale (within the 30 days before it) — the sale rows of those shares are recomputed
  (their basis rises by the adjustment, their acquired date tacks). The extra loss such a
  recomputation can create is recognized as is (it is not matched again). Replacement shares
  given away (an unmatched transfer out) take their adjustment out of the household.
- A replacement bought in an IRA, Roth or HSA (an account not taxable) disallows the loss
  permanently (``permanent``), no basis moves (Rev. Rul. 2008-5). Losses in such accounts
  are not tax losses: never washed. ``replaced_by`` lists the replacing purchases' ids;
  :attr:`LedgerResult.matches` every match (shares, replacement shares, dollars).
- Terms: long-term when sold after the first anniversary of ``acquired``
  (:func:`~assetloc.inputs.holdings.long_term_on`, the day :func:`is_long_term` turns true).

Speed: ledgers of :data:`COLUMNAR_MIN` transactions or more are replayed by
:mod:`assetloc.ledger._columnar` — the same rules on integer-coded arrays, the loop compiled
by numba (imported then, never at start-up; compiled once, about 15-30 s, then cached), the
result's named tuples built on first use — with results identical to this engine's, bit
for bit (tests compare the two on hypothesis ledgers and the golden cases); what it does
not take (a specific lot selection, an invalid transaction) falls back to this engine.
This engine (the reference, and the one for small ledgers): one pass with per-(account,
symbol) lot lists (FIFO order kept by a C key), per-group purchase lists searched by
``bisect`` for the window (exhausted purchases skipped by path-compressed pointers), the
result's rows and lots built as named tuples by ``tuple.__new__``, and the cyclic garbage
collector paused while the replay allocates its (acyclic) objects.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Literal, NamedTuple

from assetloc.errors import InputError
from assetloc.inputs.holdings import long_term_on
from assetloc.ledger._lots import EPS, Lot, Position, draw
from assetloc.ledger._rows import DUST, Row
from assetloc.ledger._wash import WINDOW_DAYS, Replacements
from assetloc.ledger.records import AccountInfo, OpenLot, Sale
from assetloc.ledger.transactions import (
    Action,
    LotPick,
    Transaction,
    identity_key,
    parse_lot_selection,
    transaction_id,
)

__all__ = ["LedgerError", "LedgerResult", "WashMatch", "derive"]


class LedgerError(InputError):
    """A transaction the engine cannot apply; the message names it (date, account, action,
    symbol) and the problem in one line."""

    def __init__(self, transaction: Transaction, problem: str) -> None:
        self.transaction = transaction
        t = transaction
        super().__init__(
            f"ledger {t.date.isoformat()} {t.account} {t.action.value} {t.symbol}", problem
        )


class WashMatch(NamedTuple):
    """One match of the wash-sale rule: ``shares`` of lot ``lot`` sold by ``sale`` at a loss
    replaced by ``replacement_shares`` of purchase ``purchase`` (as bought; they differ
    when a split came between), ``disallowed`` dollars; ``permanent``: an IRA purchase."""

    sale: str
    lot: str
    purchase: str
    shares: float
    replacement_shares: float
    disallowed: float
    permanent: bool


@dataclass(frozen=True)
class LedgerResult:
    """Open lots at the end of ``as_of`` (by account, symbol, acquired date), every sale
    row up to it in (date, seq) order, and the wash-sale matches behind the rows. Each is
    a tuple, or for a big ledger a sequence that compares, prints and pickles as that tuple
    and builds its named tuples on first use."""

    lots: Sequence[OpenLot]
    sales: Sequence[Sale]
    matches: Sequence[WashMatch] = ()

    def sales_in(self, year: int) -> tuple[Sale, ...]:
        """The sale rows of one tax year (by sale date)."""
        return tuple(s for s in self.sales if s.sold.year == year)


#: ledgers of at least this many transactions are replayed in columns (numba) by ``auto``:
#: at 100,000 the first call in a process (numba's import 0.2 s, the cached replay's load
#: 0.4 s, the replay 0.2 s) about equals this engine's 0.8 s; beyond, it is ~4x faster
COLUMNAR_MIN = 100_000
_ORDER = attrgetter("date", "seq", "id")
#: ``tuple.__new__``: builds a named tuple from a tuple of its fields in C
_TUPLE_NEW: Any = tuple.__new__


def _full_key(t: Transaction) -> tuple[dt.date, int, str, str]:
    return (t.date, t.seq, t.id, identity_key(t))


def _ordered(transactions: Sequence[Transaction], as_of: dt.date | None) -> list[Transaction]:
    """The transactions on or before ``as_of`` in (date, seq, id) order. Without ids, ties
    are broken by the fields and ids filled in (:func:`transaction_id`, occurrence in that
    order), so the order of the input never matters (ids are unique when given)."""
    txs = [t for t in transactions if t.date <= as_of] if as_of else list(transactions)
    if all(t.id for t in txs):
        txs.sort(key=_ORDER)
        return txs
    txs.sort(key=_full_key)
    seen: dict[str, int] = {}
    for n, t in enumerate(txs):
        if not t.id:
            key = identity_key(t)
            k = seen.get(key, 0)
            seen[key] = k + 1
            txs[n] = t._replace(id=transaction_id(t, k))
    return txs


class _Engine:
    """One replay of the ledger (see the module docstring)."""

    def __init__(
        self,
        txs: list[Transaction],
        accounts: Mapping[str, AccountInfo],
        groups: Mapping[str, str],
        include_spouse: bool,
    ) -> None:
        self.txs = txs
        self.accounts = accounts
        self.groups = groups
        self.include_spouse = include_spouse
        self.positions: dict[tuple[str, str], Position] = {}
        self.rows: list[Row] = []
        self.matches: list[WashMatch] = []
        self.repl = Replacements()
        self.factor: list[float] = [1.0] * len(txs)
        self.days: list[int] = []
        self.picks: dict[int, tuple[LotPick, ...]] = {}
        self.partner: dict[int, int] = {}
        self.done: set[int] = set()
        # wash adjustments waiting for a purchase not yet replayed: (units, dollars, the
        # holding period of the shares sold)
        self.pending: dict[int, list[tuple[float, float, dt.timedelta]]] = {}
        # recent purchases' shares (possible replacements): the lot each opened, its parts
        # moved to another account, and the sale rows of its shares; kept 30 days
        self.open_of: dict[int, Lot] = {}
        self.moved_of: dict[int, list[Lot]] = {}
        self.closed_of: dict[int, list[Row]] = {}
        self.wash_ids: dict[str, int] = {}
        self.order = 0

    # --- preparation -------------------------------------------------------------------

    def _bad(self, i: int, t: Transaction) -> LedgerError:
        """The error of a transaction that failed the quick checks of :meth:`_prepare`."""
        if t.account not in self.accounts:
            return LedgerError(t, f"account {t.account!r} is not one of the household's accounts")
        if not EPS < t.shares < math.inf:
            what = "split ratio" if t.action is Action.SPLIT else "shares"
            return LedgerError(t, f"{what} must be > 0, got {t.shares!r}")
        if not 0 <= t.price < math.inf:
            return LedgerError(t, f"price must be >= 0 dollars a share, got {t.price!r}")
        return LedgerError(t, f"fees must be >= 0 dollars, got {t.fees!r}")

    def _prepare(self) -> None:
        """Check every transaction; split factors; purchases by group; transfer pairs."""
        factor: dict[str, float] = {}
        splits: dict[tuple[str, dt.date], float] = {}
        outs: dict[tuple[dt.date, str, float], list[int]] = {}
        ins: dict[tuple[dt.date, str, float], list[int]] = {}
        groups = self.groups
        accounts = self.accounts
        inf = math.inf
        add = self.repl.add
        days = self.days
        fac = self.factor
        buy, reinvest, split = Action.BUY, Action.REINVEST, Action.SPLIT
        last: dt.date | None = None
        day = 0
        for i, t in enumerate(self.txs):
            a = t.action
            if t.account not in accounts or not EPS < t.shares < inf:
                raise self._bad(i, t)
            if a is not split and not (0 <= t.price < inf and 0 <= t.fees < inf):
                raise self._bad(i, t)
            if t.date != last:
                last = t.date
                day = last.toordinal()
            days.append(day)
            sym = t.symbol
            if a is buy or a is reinvest:
                f = factor.get(sym, 1.0)
                fac[i] = f
                add(groups.get(sym, sym), i, day, t.shares / f)
                continue
            if a is split:
                seen = splits.get((sym, t.date))
                if seen is None:
                    splits[(sym, t.date)] = t.shares
                    factor[sym] = factor.get(sym, 1.0) * t.shares
                elif abs(seen - t.shares) > 1e-12 * max(seen, t.shares):
                    raise LedgerError(
                        t, f"split ratio {t.shares:g} differs from {seen:g} in another account"
                    )
            fac[i] = factor.get(sym, 1.0)
            if t.lot and (a is Action.SELL or a is Action.TRANSFER_OUT):
                try:
                    self.picks[i] = parse_lot_selection(t.lot)
                except ValueError as e:
                    raise LedgerError(t, f"lot selection: {e}") from None
            if a is Action.TRANSFER_OUT:
                outs.setdefault((t.date, sym, round(t.shares, 9)), []).append(i)
            elif a is Action.TRANSFER_IN:
                ins.setdefault((t.date, sym, round(t.shares, 9)), []).append(i)
        self.repl.close()
        for key, out_list in outs.items():
            free = ins.get(key, [])
            for o in out_list:
                for n, k in enumerate(free):
                    if self.txs[k].account != self.txs[o].account:
                        self.partner[o] = k
                        self.partner[k] = o
                        del free[n]
                        break

    # --- replay ------------------------------------------------------------------------

    def run(self) -> LedgerResult:
        self._prepare()
        positions = self.positions
        open_of = self.open_of
        swept = 0  # transactions before this index are older than the window
        pending = self.pending
        factor = self.factor
        days = self.days
        buy, reinvest, sell, split = Action.BUY, Action.REINVEST, Action.SELL, Action.SPLIT
        last = -1
        for i, t in enumerate(self.txs):
            day = days[i]
            if day != last:
                last = day
                while days[swept] < day - WINDOW_DAYS:
                    open_of.pop(swept, None)
                    self.moved_of.pop(swept, None)
                    self.closed_of.pop(swept, None)
                    swept += 1
            a = t.action
            if a is buy or a is reinvest:  # inline: most transactions are purchases
                key = (t.account, t.symbol)
                pos = positions.get(key)
                if pos is None:
                    pos = positions[key] = Position()
                self.order += 1
                lot = Lot(
                    t.account,
                    t.symbol,
                    t.id,
                    t.date,
                    t.date,
                    float(t.shares),
                    t.shares * t.price + t.fees,
                    0.0,
                    i,
                    factor[i],
                    self.order,
                )
                if i in pending:
                    self._replacement_bought(lot, pos, pending.pop(i))
                else:  # the latest lot: FIFO order holds
                    pos.lots.append(lot)
                    pos.total += lot.shares
                    open_of[i] = lot
            elif a is sell:
                self._sell(i, t)
            elif a is split:
                pos = positions.get((t.account, t.symbol))
                if pos is not None:
                    pos.scale(t.shares)
            elif i not in self.done:
                k = self.partner.get(i)
                if k is None:
                    self._gift(i, t) if a is Action.TRANSFER_OUT else self._receive(i, t)
                elif a is Action.TRANSFER_OUT:
                    self._move(i, k)
                else:
                    self._move(k, i)
        return self._result()

    def _pos(self, account: str, symbol: str) -> Position:
        pos = self.positions.get((account, symbol))
        if pos is None:
            pos = self.positions[(account, symbol)] = Position()
        return pos

    def _wash_id(self, lot_id: str) -> str:
        n = self.wash_ids.get(lot_id, 0) + 1
        self.wash_ids[lot_id] = n
        return f"{lot_id}.w{n}"

    def _tack(self, piece: Lot | Row, dollars: float, held: dt.timedelta) -> None:
        """Adjust replacement shares: the disallowed loss into basis, and the holding period
        ``held`` of the shares sold tacked on."""
        piece.basis += dollars
        if isinstance(piece, Lot):
            piece.wash += dollars
        piece.acquired = piece.opened - held
        piece.used = True

    def _recent(self, j: int, day: int) -> bool:
        """Whether purchase ``j`` may still replace shares of a loss sale on ``day`` or
        later (it is at most 30 days older)."""
        return j >= 0 and self.days[j] >= day - WINDOW_DAYS

    def _replacement_bought(
        self, lot: Lot, pos: Position, adjustments: list[tuple[float, float, dt.timedelta]]
    ) -> None:
        """A purchase that replaces shares sold at a loss before it: the matched shares
        split off (one lot per loss matched), adjusted and tacked."""
        rest: Lot | None = lot
        for units, dollars, held in adjustments:
            if rest is None:
                break
            shares = units * rest.f
            if shares >= rest.shares - EPS:
                piece, rest = rest, None
            else:
                piece = rest.split(shares, self._wash_id(rest.id))
            self._tack(piece, dollars, held)
            pos.add(piece)
        if rest is not None:
            pos.add(rest)
            self.open_of[lot.origin] = rest

    def _draw(self, t: Transaction, i: int) -> list[Lot]:
        pos = self._pos(t.account, t.symbol)
        try:
            return draw(pos, t.shares, self.accounts[t.account].lot_method, self.picks.get(i, ()))
        except ValueError as e:
            raise LedgerError(t, str(e)) from None

    def _sell(self, i: int, t: Transaction) -> None:
        pieces = self._draw(t, i)
        taxable = self.accounts[t.account].taxable
        per_share = (t.shares * t.price - t.fees) / t.shares
        excluded = {p.origin for p in pieces}
        day = self.days[i]
        rows = self.rows
        closed_of = self.closed_of
        owner_ok = self._owner_ok(t) if taxable else None
        for p in pieces:
            row = Row(
                t.account,
                t.symbol,
                t.date,
                p.acquired,
                p.opened,
                p.shares,
                per_share * p.shares,
                p.basis,
                p.id,
                t.id,
                p.origin,
                p.used,
                p.f,
                taxable,
            )
            if taxable and p.basis - row.proceeds > DUST:
                self._wash(i, t, row, excluded, owner_ok)
            rows.append(row)
            j = p.origin
            if not p.used and j >= 0 and self.days[j] >= day - WINDOW_DAYS:
                closed = closed_of.get(j)
                if closed is None:
                    closed_of[j] = [row]
                else:
                    closed.append(row)

    def _owner_ok(self, t: Transaction) -> Callable[[int], bool] | None:
        """Whether purchase ``j`` may replace the shares ``t`` sells (None: any may)."""
        if self.include_spouse:
            return None
        owner = self.accounts[t.account].owner
        txs = self.txs
        accounts = self.accounts

        def ok(j: int) -> bool:
            other = accounts[txs[j].account].owner
            return other == owner or other == "joint" or owner == "joint"

        return ok

    def _wash(
        self,
        i: int,
        t: Transaction,
        row: Row,
        excluded: set[int],
        owner_ok: Callable[[int], bool] | None,
    ) -> None:
        """Match the loss shares of ``row`` with replacement shares; split the row into the
        washed parts (taxable replacements, then IRA ones) and the allowed rest."""
        claims = self.repl.claim(
            self.groups.get(t.symbol, t.symbol),
            self.days[i],
            row.shares / row.f,
            excluded,
            owner_ok,
        )
        if not claims:
            return
        loss_per_share = (row.basis - row.proceeds) / row.shares
        held = t.date - row.acquired
        washed = [0.0, 0.0, 0.0, 0.0]  # shares, dollars: taxable replacements; IRA ones
        ids: tuple[list[str], list[str]] = ([], [])
        txs = self.txs
        accounts = self.accounts
        factor = self.factor
        matches = self.matches
        new = _TUPLE_NEW
        for j, units in claims:
            shares = units * row.f
            dollars = shares * loss_per_share
            buy = txs[j]
            kind = 0 if accounts[buy.account].taxable else 2
            matches.append(
                new(
                    WashMatch,
                    (t.id, row.lot, buy.id, shares, units * factor[j], dollars, kind == 2),
                )
            )
            washed[kind] += shares
            washed[kind + 1] += dollars
            ids[kind // 2].append(buy.id)
            if kind == 0:
                if j > i:
                    self.pending.setdefault(j, []).append((units, dollars, held))
                else:
                    self._adjust_past(j, units, dollars, held)
        cur = row
        for kind in (0, 2):
            shares = washed[kind]
            if shares <= EPS:
                continue
            rest = cur.split(cur.shares - shares) if shares < cur.shares - EPS else None
            cur.disallowed = washed[kind + 1]
            cur.permanent = kind == 2
            cur.replaced_by = ids[kind // 2]
            if rest is None:
                break
            cur = rest

    def _adjust_past(self, j: int, units: float, dollars: float, held: dt.timedelta) -> None:
        """Move a wash adjustment into the shares of purchase ``j`` (made before the loss
        sale): its open lots first, then the rows of its shares sold since."""
        left = units
        first = self.open_of.get(j)
        moved = self.moved_of.get(j)
        lots = [first] if first is not None else []
        if moved:
            lots.extend(moved)
        for lot in lots:
            if left <= EPS:
                return
            if not lot.alive or lot.used or lot.shares <= EPS:
                continue
            lot_units = lot.shares / lot.f
            take = min(lot_units, left)
            pos = self._pos(lot.account, lot.symbol)
            if take < lot_units - EPS:
                piece = lot.split(take * lot.f, self._wash_id(lot.id))
                self._tack(piece, dollars * take / units, held)
                pos.add(piece, new_shares=False)
            else:
                self._tack(lot, dollars * take / units, held)
                pos.retack(lot)
            left -= take
        for top in self.closed_of.get(j, ()):
            for row in list(top.flat()) if top.extra else (top,):
                if left <= EPS:
                    return
                if row.used or row.shares <= EPS:
                    continue
                row_units = row.shares / row.f
                take = min(row_units, left)
                part = row if take >= row_units - EPS else row.split(take * row.f)
                self._tack(part, dollars * take / units, held)
                left -= take

    def _gift(self, i: int, t: Transaction) -> None:
        self._draw(t, i)

    def _receive(self, i: int, t: Transaction) -> None:
        acquired = t.date
        if t.lot:
            try:
                acquired = dt.date.fromisoformat(t.lot.strip())
            except ValueError:
                raise LedgerError(
                    t, f"lot {t.lot!r}: an unmatched transfer in needs its acquisition date"
                ) from None
            if acquired > t.date:
                raise LedgerError(t, f"acquisition date {acquired} is after the transfer")
        self.order += 1
        lot = Lot(
            t.account,
            t.symbol,
            t.id,
            acquired,
            acquired,
            float(t.shares),
            t.shares * t.price,
            0.0,
            -1,
            self.factor[i],
            self.order,
        )
        self._pos(t.account, t.symbol).add(lot)

    def _move(self, o: int, k: int) -> None:
        out, into = self.txs[o], self.txs[k]
        dest = self._pos(into.account, into.symbol)
        day = self.days[o]
        pieces = self._draw(out, o)
        for piece in pieces:
            piece.alive = True
            piece.account = into.account
            if not piece.used and self._recent(piece.origin, day):
                self.moved_of.setdefault(piece.origin, []).append(piece)
        dest.add_many(pieces)
        self.done.add(max(o, k))

    def _result(self) -> LedgerResult:
        lots: list[Lot] = []
        for pos in self.positions.values():
            lots.extend(lot for lot in pos.lots if lot.shares > EPS)
        lots.sort(key=lambda x: (x.account, x.symbol, x.acquired, x.opened, x.order, x.id))
        long_on: dict[dt.date, dt.date] = {}
        new = _TUPLE_NEW  # the named tuples built without their Python-level __new__
        sales: list[Sale] = []
        add = sales.append
        for top in self.rows:
            for r in top.flat() if top.extra else (top,):
                acquired = r.acquired
                day = long_on.get(acquired)
                if day is None:
                    day = long_on[acquired] = long_term_on(acquired)
                disallowed = r.disallowed if r.disallowed > DUST else 0.0
                add(
                    new(
                        Sale,
                        (
                            r.account,
                            r.symbol,
                            r.sold,
                            acquired,
                            r.shares,
                            r.proceeds,
                            r.basis,
                            r.proceeds - r.basis + disallowed,
                            "long" if r.sold >= day else "short",
                            "W" if disallowed else "",
                            disallowed,
                            r.permanent and disallowed > 0.0,
                            r.lot,
                            r.transaction,
                            tuple(dict.fromkeys(r.replaced_by)) if r.replaced_by else (),
                            r.taxable,
                        ),
                    )
                )
        return LedgerResult(
            lots=tuple(
                [
                    new(
                        OpenLot,
                        (
                            x.account,
                            x.symbol,
                            x.id,
                            x.opened,
                            x.acquired,
                            x.shares,
                            x.basis,
                            x.wash,
                        ),
                    )
                    for x in lots
                ]
            ),
            sales=tuple(sales),
            matches=tuple(self.matches),
        )


def derive(
    transactions: Sequence[Transaction],
    accounts: Mapping[str, AccountInfo],
    groups: Mapping[str, str],
    as_of: dt.date | None = None,
    include_spouse: bool = True,
    engine: Literal["auto", "reference", "columnar"] = "auto",
) -> LedgerResult:
    """Open lots and sale rows from the transactions on or before ``as_of`` (None: all).

    ``accounts`` maps every account id to its :class:`AccountInfo`; ``groups`` maps a
    symbol to its wash-sale group (a symbol not in it is its own group). ``engine``:
    ``auto`` replays ledgers of :data:`COLUMNAR_MIN` transactions or more in columns
    (numba), smaller ones here; ``reference`` always here; ``columnar`` in columns when
    it takes the ledger (see :mod:`assetloc.ledger._columnar`). The result is the same. Raises
    :class:`LedgerError` (an :class:`InputError`) naming the first bad transaction.
    """
    paused = gc.isenabled()
    gc.disable()  # a million small acyclic objects: the cyclic collector only costs time
    try:
        txs = _ordered(transactions, as_of)
        if engine == "columnar" or (engine == "auto" and len(txs) >= COLUMNAR_MIN):
            from assetloc.ledger._columnar import derive_columnar

            result = derive_columnar(txs, accounts, groups, include_spouse)
            if result is not None:
                return result
        return _Engine(txs, accounts, groups, include_spouse).run()
    finally:
        if paused:
            gc.enable()

"""Today's holdings as arrays: accounts × securities, tax lots, class splits (the "book").

This is where a household file is checked for rebalancing: every problem is one
:class:`~assetloc.errors.InputError` naming the field (exit code 2):

* an account given only a ``balance`` (no cash or positions): nothing to trade;
* a position or recent trade whose symbol is in neither the household's
  ``[[securities]]`` nor the bundled table (``accounts[0].positions[1].symbol``);
* a security mapped to a class the household's assumptions do not know;
* a position listed twice in one account;
* a taxable position without lots (the tax of a sale could not be estimated);
* a lot acquired, or a recent trade dated, after the trade date ``as_of``;
* a recent trade naming an unknown account;
* a withdrawal larger than the account's value plus its contribution.

Lots of positions in tax-advantaged accounts are allowed and ignored. Lots that do not add
up to their position and non-positive prices are rejected by the schema
(:mod:`assetloc.inputs.holdings`).

Which securities can be bought: every security held anywhere in the household, plus the
household's own ``[[securities]]`` entries (the bundled table only classifies; it never
adds a fund to buy). A security not held anywhere needs a ``price`` in its
``[[securities]]`` entry to be bought. An account with a ``menu`` buys only securities
whose classes are all on the menu; an account with ``funds`` (a 401(k)'s fund list) buys
only those symbols.

Units: shares; dollars (prices per share, bases per lot in total dollars); dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from assetloc.errors import InputError
from assetloc.inputs.household import Household
from assetloc.inputs.securities import SecurityInfo, SecurityTable, normalize, security_table
from assetloc.market.assumptions import load_preset
from assetloc.types import AccountType, FloatArray
from assetloc.units import usd

BoolArray = np.ndarray
IntArray = np.ndarray
TAX_ADVANTAGED_NOTE = "lots in tax-advantaged accounts are ignored (sales there are not taxed)"


class UnpricedFund(InputError):
    """A fund on an account's list that rebalance could buy has no price (held nowhere, no
    ``[[securities]]`` price): the file is fine for ``optimize`` (a fund's classes need no
    price) but not yet for ``rebalance``."""


@dataclass(frozen=True)
class Book:
    """Holdings of a household as arrays (K accounts, S securities, C classes, L lots).

    Attributes
    ----------
    as_of : the trade date.
    account_ids, account_types : per account.
    taxable : (K,) True for taxable accounts (sales realize gains).
    cash, contribution, withdrawal : (K,) dollars.
    symbols, groups : (S,) normalized tickers and their substantially identical groups.
    classes : (C,) asset-class ids (the target's classes first, then any other class a
        security touches).
    split : (S, C) class weights of one dollar of each security (rows sum to 1).
    shares : (K, S) shares held today.
    price : (K, S) dollars per share: the account's own position price, else the
        household's price for the symbol (NaN when unknown).
    buyable : (K, S) the security may be bought in the account (before the wash-sale guard).
    menu_ok : (K, S) the account's menu allows the security.
    lot_account, lot_security : (L,) indices of each taxable lot's position.
    lot_shares, lot_basis : (L,) shares and total cost basis (dollars).
    lot_acquired : (L,) acquisition dates; lot_day : (L,) the same as proleptic Gregorian
        ordinals (day numbers, for array arithmetic); lot_long_term : (L,) held more than a
        year.
    lot_field : (L,) field path of each lot, for messages.
    position_field : {(k, s): field path} of each held position.
    notes : remarks about the input (ignored lots, securities that cannot be bought).
    """

    as_of: dt.date
    account_ids: tuple[str, ...]
    account_types: tuple[AccountType, ...]
    taxable: BoolArray
    cash: FloatArray
    contribution: FloatArray
    withdrawal: FloatArray
    symbols: tuple[str, ...]
    groups: tuple[str, ...]
    classes: tuple[str, ...]
    split: FloatArray
    shares: FloatArray
    price: FloatArray
    buyable: BoolArray
    menu_ok: BoolArray
    lot_account: IntArray
    lot_security: IntArray
    lot_shares: FloatArray
    lot_basis: FloatArray
    lot_acquired: tuple[dt.date, ...]
    lot_day: IntArray
    lot_long_term: BoolArray
    lot_field: tuple[str, ...]
    position_field: dict[tuple[int, int], str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        """Number of accounts."""
        return len(self.account_ids)

    @property
    def s(self) -> int:
        """Number of securities."""
        return len(self.symbols)

    @property
    def c(self) -> int:
        """Number of asset classes."""
        return len(self.classes)

    @property
    def n_lots(self) -> int:
        """Number of taxable lots."""
        return len(self.lot_shares)

    @property
    def value(self) -> FloatArray:
        """(K, S) market value of each position, dollars."""
        return np.where(self.shares > 0, self.shares * np.nan_to_num(self.price), 0.0)

    @property
    def available_cash(self) -> FloatArray:
        """(K,) cash + contribution − withdrawal, dollars (may be negative: sales needed)."""
        return self.cash + self.contribution - self.withdrawal

    @property
    def lot_price(self) -> FloatArray:
        """(L,) today's price of each lot's security in its account."""
        prices: FloatArray = self.price[self.lot_account, self.lot_security]
        return prices

    @property
    def lot_gain_per_share(self) -> FloatArray:
        """(L,) price − basis per share: the gain realized by selling one share."""
        return self.lot_price - self.lot_basis / self.lot_shares

    def class_dollars(self, shares: FloatArray) -> FloatArray:
        """(K, C) dollars in each class for holdings ``shares`` (K, S) at today's prices."""
        value = np.where(shares != 0, shares * np.nan_to_num(self.price), 0.0)
        return value @ self.split

    def account_index(self, account_id: str) -> int:
        """Position of ``account_id``."""
        return self.account_ids.index(account_id)

    def security_index(self, symbol: str) -> int:
        """Position of ``symbol`` (any case)."""
        return self.symbols.index(normalize(symbol))


def known_classes(h: Household) -> tuple[str, ...]:
    """Every class id the household's assumptions define (before any universe restriction)."""
    spec = h.assumptions
    name = spec.preset_name
    if name:
        return load_preset(name).ids
    return tuple(c.id for c in spec.classes)


def trade_date(h: Household) -> dt.date:
    """``rebalance.as_of`` or today."""
    return h.rebalance.as_of or dt.date.today()


def _class_check(
    info: SecurityInfo, known: tuple[str, ...], table_field: dict[str, str], use_field: str
) -> None:
    for cid in info.security.split:
        if cid not in known:
            sym = info.security.symbol
            if info.source == "household":
                raise InputError(table_field[normalize(sym)], f"unknown asset class {cid!r}")
            raise InputError(
                use_field,
                f"{sym} maps to class {cid!r} in the bundled table, which this household's "
                "assumptions do not define: add a [[securities]] entry for it",
            )


def build_book(h: Household, target_classes: tuple[str, ...]) -> Book:
    """Check ``h`` for rebalancing and lay out its holdings as arrays.

    Parameters
    ----------
    h : the household (accounts with cash and positions).
    target_classes : the classes of the target plan, in its order.
    """
    as_of = trade_date(h)
    table: SecurityTable = security_table(h.securities)
    known = known_classes(h)
    table_field: dict[str, str] = {}
    for j, sec in enumerate(h.securities):
        table_field[normalize(sec.symbol)] = (
            f"securities[{j}].asset_class" if sec.asset_class else f"securities[{j}].classes"
        )
    notes: list[str] = []

    symbols: list[str] = []
    infos: list[SecurityInfo] = []

    def add(info: SecurityInfo, use_field: str) -> int:
        key = normalize(info.security.symbol)
        if key in symbols:
            return symbols.index(key)
        _class_check(info, known, table_field, use_field)
        symbols.append(key)
        infos.append(info)
        return len(symbols) - 1

    held: list[tuple[int, int, float, float]] = []  # (k, s, shares, price)
    # one block per taxable position: (k, s, shares, bases, acquired dates, field path)
    lot_blocks: list[tuple[int, int, list[float], list[float], list[dt.date], str]] = []
    position_field: dict[tuple[int, int], str] = {}
    ignored_lots = False
    for k, acc in enumerate(h.accounts):
        if acc.balance is not None:
            raise InputError(
                f"accounts[{k}].balance",
                "give cash and positions (today's holdings) to rebalance, not a balance",
            )
        room = acc.market_value + acc.contribution
        if acc.withdrawal > room + 1e-9:
            raise InputError(
                f"accounts[{k}].withdrawal",
                f"{usd(acc.withdrawal, 2)} exceeds the account's value plus contribution "
                f"({usd(room, 2)})",
            )
        seen: set[int] = set()
        for j, pos in enumerate(acc.positions):
            fld = f"accounts[{k}].positions[{j}]"
            info = table.require(pos.symbol, f"{fld}.symbol")
            s = add(info, f"{fld}.symbol")
            if s in seen:
                raise InputError(f"{fld}.symbol", f"{pos.symbol} is listed twice in this account")
            seen.add(s)
            position_field[(k, s)] = fld
            held.append((k, s, pos.shares, pos.price))
            if acc.type != "taxable":
                ignored_lots = ignored_lots or bool(pos.lots)
                continue
            if pos.lots is None:
                if pos.shares > 0:
                    raise InputError(
                        f"{fld}.lots",
                        "required in a taxable account: list each lot's acquired date, "
                        "shares and cost_basis",
                    )
                continue
            acquired = [lot.acquired for lot in pos.lots]
            if acquired and max(acquired) > as_of:
                m = next(m for m, d in enumerate(acquired) if d > as_of)
                raise InputError(
                    f"{fld}.lots[{m}].acquired",
                    f"{acquired[m]} is after the trade date {as_of}",
                )
            lot_blocks.append(
                (
                    k,
                    s,
                    [lot.shares for lot in pos.lots],
                    [lot.cost_basis for lot in pos.lots],
                    acquired,
                    fld,
                )
            )
    if ignored_lots:
        notes.append(TAX_ADVANTAGED_NOTE)

    ids = [a.id for a in h.accounts]
    for i, tr in enumerate(h.recent_trades):
        if tr.account not in ids:
            raise InputError(f"recent_trades[{i}].account", f"unknown account {tr.account!r}")
        if tr.date > as_of:
            raise InputError(
                f"recent_trades[{i}].date", f"{tr.date} is after the trade date {as_of}"
            )
        table.require(tr.symbol, f"recent_trades[{i}].symbol")

    # the household's own table: buy candidates (held ones are already in)
    listed_price: dict[int, float] = {}
    for j, sec in enumerate(h.securities):
        info = table.require(sec.symbol, f"securities[{j}].symbol")
        s = add(info, f"securities[{j}].symbol")
        if sec.price is not None:
            listed_price[s] = sec.price

    n_acc, n_sec = len(h.accounts), len(symbols)
    classes = list(target_classes)
    for info in infos:
        for cid in info.security.split:
            if cid not in classes:
                classes.append(cid)
    split = np.zeros((n_sec, len(classes)))
    for s, info in enumerate(infos):
        for cid, w in info.security.split.items():
            split[s, classes.index(cid)] += w

    shares = np.zeros((n_acc, n_sec))
    price = np.full((n_acc, n_sec), np.nan)
    ref_price = np.full(n_sec, np.nan)
    for s, p in listed_price.items():
        ref_price[s] = p
    for k, s, q, p in held:
        shares[k, s] = q
        price[k, s] = p
        if np.isnan(ref_price[s]):
            ref_price[s] = p
    price = np.where(np.isnan(price), ref_price[None, :], price)

    menu_ok = np.ones((n_acc, n_sec), dtype=bool)
    for k, acc in enumerate(h.accounts):
        if acc.menu is not None:
            allowed = set(acc.menu)
            for s, info in enumerate(infos):
                menu_ok[k, s] = all(c in allowed for c, w in info.security.split.items() if w > 0)
        if acc.funds is not None:
            for j, sym in enumerate(acc.funds):
                table.require(sym, f"accounts[{k}].funds[{j}]")
                if normalize(sym) not in symbols:
                    raise UnpricedFund(
                        f"accounts[{k}].funds[{j}]",
                        f"{sym} is neither held anywhere nor listed in [[securities]] (with a "
                        "price): it cannot be bought",
                    )
            listed = {normalize(sym) for sym in acc.funds}
            menu_ok[k] &= np.array([sym in listed for sym in symbols], dtype=bool)
    has_price = ~np.isnan(ref_price)
    for missing in np.flatnonzero(~has_price):
        notes.append(
            f"{symbols[missing]}: not held anywhere and no price in [[securities]]: not bought"
        )
    buyable = menu_ok & has_price[None, :]

    taxable = np.array([a.type == "taxable" for a in h.accounts])
    block_sizes = np.array([len(b[2]) for b in lot_blocks], dtype=int)
    acquired_all = tuple(d for b in lot_blocks for d in b[4])
    lot_day = np.fromiter((d.toordinal() for d in acquired_all), dtype=np.int64)
    return Book(
        as_of=as_of,
        account_ids=tuple(ids),
        account_types=tuple(a.type for a in h.accounts),
        taxable=taxable,
        cash=np.array([a.cash or 0.0 for a in h.accounts]),
        contribution=np.array([a.contribution for a in h.accounts]),
        withdrawal=np.array([a.withdrawal for a in h.accounts]),
        symbols=tuple(symbols),
        groups=tuple(normalize_group(info) for info in infos),
        classes=tuple(classes),
        split=split,
        shares=shares,
        price=price,
        buyable=buyable,
        menu_ok=menu_ok,
        lot_account=np.repeat(np.array([b[0] for b in lot_blocks], dtype=int), block_sizes),
        lot_security=np.repeat(np.array([b[1] for b in lot_blocks], dtype=int), block_sizes),
        lot_shares=np.array([q for b in lot_blocks for q in b[2]], dtype=float),
        lot_basis=np.array([c for b in lot_blocks for c in b[3]], dtype=float),
        lot_acquired=acquired_all,
        lot_day=lot_day,
        lot_long_term=long_term(lot_day, as_of),
        lot_field=tuple(f"{b[5]}.lots[{m}]" for b in lot_blocks for m in range(len(b[2]))),
        position_field=position_field,
        notes=tuple(notes),
    )


EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()  # day 0 of numpy's datetime64


def anniversary_day(day: IntArray) -> IntArray:
    """(L,) ordinal of the first anniversary of each ordinal ``day`` (Feb 29 → Feb 28 of the
    next year, as :func:`~assetloc.inputs.holdings.is_long_term` counts it)."""
    dates = (np.asarray(day, dtype=np.int64) - EPOCH_ORDINAL).astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    mday = (dates - months).astype(np.int64) + 1  # 1..31
    month = months.astype(np.int64) % 12  # 0 = January
    mday = np.where((month == 1) & (mday == 29), 28, mday)
    next_year = (months + 12).astype("datetime64[D]")  # same month, one year later
    return np.asarray(next_year.astype(np.int64) + mday - 1 + EPOCH_ORDINAL, dtype=np.int64)


def long_term(day: IntArray, sold: dt.date) -> BoolArray:
    """(L,) held more than one year on ``sold`` (IRC §1222) for lots acquired on the ordinals
    ``day``: sold after the first anniversary (:func:`~assetloc.inputs.holdings.is_long_term`)."""
    return np.asarray(sold.toordinal() > anniversary_day(day), dtype=bool)


def normalize_group(info: SecurityInfo) -> str:
    """The wash-sale group of a table entry, compared case-insensitively."""
    return info.security.identical_group.strip().lower()

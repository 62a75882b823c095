"""Holdings from a CSV file: one row per tax lot (or per position), cash as a ``CASH`` row.

Format (UTF-8, comma-separated, a header row; column names case-insensitive, any order)::

    account,type,symbol,shares,price,acquired,cost_basis
    brokerage,taxable,CASH,5000,,,
    brokerage,taxable,VTI,60,250.00,2020-01-15,9000.00
    brokerage,taxable,VTI,40,250.00,2025-03-02,11800.00
    ira,traditional,BND,300,72.50,,

===========  ========  =====================================================================
column       required  meaning
===========  ========  =====================================================================
account      yes       account id (matches ``[[accounts]] id`` in the household file)
type         see note  taxable, traditional, roth or hsa
symbol       yes       ticker; ``CASH`` for the account's cash
shares       yes       shares of the lot (or of the position when it has no lots);
                       for ``CASH`` the dollars
price        yes       dollars per share today (empty for ``CASH``); rows of one position
                       must agree
acquired     taxable   lot date, YYYY-MM-DD
cost_basis   taxable   the lot's TOTAL cost basis, dollars
===========  ========  =====================================================================

Rows with the same account and symbol are the lots of one position; the position's shares
are their sum. In tax-advantaged accounts ``acquired`` and ``cost_basis`` may be left
empty. Numbers may carry a ``$`` and thousands separators. ``type`` is required for
``assetloc import-holdings`` (it writes complete ``[[accounts]]`` tables) and optional with
``assetloc rebalance --holdings`` (the household file has the accounts); when given it must
agree with the file. Rows are numbered as a spreadsheet shows them: the header is row 1.

Every problem is one :class:`~assetloc.errors.InputError` naming the file, the row and the
column: ``holdings.csv row 4, column price: not a number ('abc')``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from assetloc.errors import InputError
from assetloc.inputs.csvcells import header_columns
from assetloc.inputs.csvcells import parse_number as _number
from assetloc.inputs.dates import parse_date
from assetloc.inputs.holdings import Lot, Position
from assetloc.inputs.household import Account, Household
from assetloc.inputs.limits import MAX_DOLLARS, MAX_PRICE, MAX_SHARES, MIN_PRICE
from assetloc.inputs.securities import normalize, security_table
from assetloc.units import number, usd

COLUMNS = ("account", "type", "symbol", "shares", "price", "acquired", "cost_basis")
REQUIRED = ("account", "symbol", "shares")
TYPES = ("taxable", "traditional", "roth", "hsa")
CASH = "CASH"
PRICE_TOLERANCE = 1e-9  # relative: rows of one position must quote the same price


@dataclass
class _Pos:
    symbol: str
    price: float
    first_row: int
    lots: list[tuple[int, dt.date | None, float, float | None]] = field(default_factory=list)


@dataclass
class ImportedAccount:
    """One account's holdings as read (rows kept for messages)."""

    id: str
    type: str | None
    first_row: int
    cash: float = 0.0
    positions: dict[str, _Pos] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportedHoldings:
    """Accounts read from a holdings CSV, in file order."""

    path: str
    accounts: tuple[ImportedAccount, ...]

    def where(self, row: int, column: str) -> str:
        """The field name of a cell, for messages."""
        return f"{self.path} row {row}, column {column}"


def _date(text: str, where: str) -> dt.date:
    return parse_date(where, text)


def read_holdings_csv(path: str | Path) -> ImportedHoldings:
    """Read and check a holdings CSV (format in the module doc)."""
    p = Path(path)
    name = p.name
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(str(p), "file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(str(p), f"cannot be read ({err.__class__.__name__})") from None
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name} row 1", "the file is empty: expected a header row") from None
    cols = header_columns(name, header, COLUMNS, (*REQUIRED, "price"))
    accounts: dict[str, ImportedAccount] = {}
    n_rows = 0
    for i, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) > len(cols):
            raise InputError(f"{name} row {i}", f"{len(raw)} cells but the header has {len(cols)}")
        cell = {c: (raw[j].strip() if j < len(raw) else "") for j, c in enumerate(cols)}

        def at(c: str, row: int = i) -> str:
            return f"{name} row {row}, column {c}"

        for c in REQUIRED:
            if not cell[c]:
                raise InputError(at(c), "is required")
        n_rows += 1
        acc_id = cell["account"]
        typ = cell.get("type", "").lower() or None
        if typ is not None and typ not in TYPES:
            raise InputError(
                at("type"), f"must be one of {', '.join(TYPES)} (got {cell['type']!r})"
            )
        acc = accounts.get(acc_id)
        if acc is None:
            acc = accounts[acc_id] = ImportedAccount(acc_id, typ, i)
        elif typ is not None:
            if acc.type is None:
                acc.type = typ
            elif acc.type != typ:
                raise InputError(
                    at("type"), f"{typ!r} disagrees with {acc.type!r} on row {acc.first_row}"
                )
        symbol = normalize(cell["symbol"])
        if symbol == CASH:
            acc.cash += _number(cell["shares"], at("shares"), high=MAX_DOLLARS, unit=" dollars")
            if acc.cash > MAX_DOLLARS:
                raise InputError(
                    at("shares"),
                    f"cash of {acc_id} adds up to {usd(acc.cash, 2)}, above the limit of "
                    f"{usd(MAX_DOLLARS, 0)}",
                )
            continue
        shares = _number(cell["shares"], at("shares"), high=MAX_SHARES, unit=" shares")
        if not cell.get("price"):
            raise InputError(at("price"), f"is required for {symbol}")
        price = _number(
            cell["price"],
            at("price"),
            positive=True,
            low=MIN_PRICE,
            high=MAX_PRICE,
            unit=" dollars a share",
        )
        acquired = _date(cell["acquired"], at("acquired")) if cell.get("acquired") else None
        basis = (
            _number(cell["cost_basis"], at("cost_basis"), high=MAX_DOLLARS, unit=" dollars")
            if cell.get("cost_basis")
            else None
        )
        pos = acc.positions.get(symbol)
        if pos is None:
            pos = acc.positions[symbol] = _Pos(symbol, price, i)
        elif abs(pos.price - price) > PRICE_TOLERANCE * max(pos.price, price):
            raise InputError(
                at("price"), f"{price:g} disagrees with {pos.price:g} on row {pos.first_row}"
            )
        pos.lots.append((i, acquired, shares, basis))
    if n_rows == 0:
        raise InputError(f"{name} row 2", "no holdings: the file has only a header")
    imported = ImportedHoldings(name, tuple(accounts.values()))
    for acc in imported.accounts:
        value = acc.cash
        for pos in acc.positions.values():
            _check_lots(imported, acc, pos)
            value += _check_size(imported, acc, pos)
        if value > MAX_DOLLARS:
            raise InputError(
                _row(imported, acc.first_row),
                f"account {acc.id} holds {usd(value, 2)} (cash + positions), above the limit of "
                f"{usd(MAX_DOLLARS, 0)} an account",
            )
    return imported


def _row(imp: ImportedHoldings, row: int) -> str:
    """The field name of a whole row, for messages."""
    return f"{imp.path} row {row}"


def _check_size(imp: ImportedHoldings, acc: ImportedAccount, pos: _Pos) -> float:
    """Check a position's shares, value and lots' bases per share; its value in dollars."""
    shares = math.fsum(q for _, _, q, _ in pos.lots)
    if shares > MAX_SHARES:
        raise InputError(
            imp.where(pos.first_row, "shares"),
            f"{pos.symbol} in {acc.id} adds up to {shares:g} shares, above the limit of "
            f"{number(MAX_SHARES)}",
        )
    value = shares * pos.price
    if value > MAX_DOLLARS:
        raise InputError(
            imp.where(pos.first_row, "shares"),
            f"{pos.symbol} in {acc.id} is worth {usd(value, 2)} (shares x price), above the "
            f"limit of {usd(MAX_DOLLARS, 0)} a position",
        )
    for row, _, q, basis in pos.lots:
        if basis is not None and q > 0 and basis > q * MAX_PRICE:
            raise InputError(
                imp.where(row, "cost_basis"),
                f"{usd(basis, 2)} for {q:g} shares is {usd(basis / q, 2)} a share, above the limit "
                f"of {usd(MAX_PRICE, 0)} (cost_basis is the lot's total)",
            )
    return value


def _check_lots(imp: ImportedHoldings, acc: ImportedAccount, pos: _Pos) -> None:
    with_lots = [lot for lot in pos.lots if lot[1] is not None or lot[3] is not None]
    for row, acquired, shares, basis in pos.lots:
        if acquired is None and basis is not None:
            raise InputError(imp.where(row, "acquired"), "is required when cost_basis is given")
        if basis is None and acquired is not None:
            raise InputError(imp.where(row, "cost_basis"), "is required when acquired is given")
        if with_lots and acquired is None:
            raise InputError(
                imp.where(row, "acquired"),
                f"other rows of {pos.symbol} in {acc.id} are lots: give this row's date and basis",
            )
        if with_lots and shares <= 0:
            raise InputError(imp.where(row, "shares"), "a lot must have shares > 0")
    if acc.type == "taxable" and not with_lots and any(q > 0 for _, _, q, _ in pos.lots):
        raise InputError(
            imp.where(pos.first_row, "acquired"),
            f"{pos.symbol} in taxable account {acc.id}: give each lot's acquired date and "
            "cost_basis",
        )
    if not with_lots and len(pos.lots) > 1:
        raise InputError(
            imp.where(pos.lots[1][0], "symbol"),
            f"{pos.symbol} appears twice in {acc.id} without lots (acquired, cost_basis)",
        )


def _position(pos: _Pos) -> Position:
    shares = math.fsum(q for _, _, q, _ in pos.lots)
    lots = None
    try:
        if pos.lots and pos.lots[0][1] is not None:
            lots = [
                Lot(acquired=a, shares=q, cost_basis=b or 0.0)
                for _, a, q, b in pos.lots
                if a is not None
            ]
        return Position(symbol=pos.symbol, shares=shares, price=pos.price, lots=lots)
    except ValidationError as err:  # the row checks mirror the schema; this is a backstop
        e = err.errors()[0]
        raise InputError(f"row {pos.first_row}", str(e["msg"])) from None


def import_holdings(path: str | Path, household: Household | None = None) -> ImportedHoldings:
    """``assetloc import-holdings``: read a broker's holdings CSV and, with ``household``,
    check its symbols and dates against that household on its trade date."""
    imported = read_holdings_csv(path)
    if household is not None:
        from assetloc.rebalance.book import trade_date

        check_against(imported, household, trade_date(household))
    return imported


def check_against(imp: ImportedHoldings, h: Household, as_of: dt.date) -> None:
    """Check symbols against the household's table and lot dates against ``as_of``."""
    table = security_table(h.securities)
    for acc in imp.accounts:
        for pos in acc.positions.values():
            table.require(pos.symbol, imp.where(pos.first_row, "symbol"))
            for row, acquired, _, _ in pos.lots:
                if acquired is not None and acquired > as_of:
                    raise InputError(
                        imp.where(row, "acquired"), f"{acquired} is after the trade date {as_of}"
                    )


def apply_holdings(h: Household, imp: ImportedHoldings) -> Household:
    """``h`` with the accounts' holdings replaced by the CSV's (accounts matched by id).

    Accounts of the CSV that the file lacks are added when the CSV gives their type.
    """
    accounts = list(h.accounts)
    ids = [a.id for a in accounts]
    for acc in imp.accounts:
        positions = [_position(p) for p in acc.positions.values()]
        update = {"balance": None, "cash": acc.cash, "positions": positions}
        if acc.id in ids:
            k = ids.index(acc.id)
            if acc.type is not None and acc.type != accounts[k].type:
                raise InputError(
                    imp.where(acc.first_row, "type"),
                    f"{acc.type!r} but the household file says {accounts[k].type!r} for {acc.id}",
                )
            accounts[k] = accounts[k].model_copy(update=update)
        else:
            if acc.type is None:
                raise InputError(
                    imp.where(acc.first_row, "type"),
                    f"account {acc.id!r} is not in the household file: give its type",
                )
            accounts.append(Account(id=acc.id, type=acc.type, cash=acc.cash, positions=positions))  # type: ignore[arg-type]
            ids.append(acc.id)
    return h.model_copy(update={"accounts": accounts})


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _num(x: float) -> str:
    return repr(float(x))


def to_toml(imp: ImportedHoldings) -> str:
    """The holdings as ``[[accounts]]`` tables to paste into a household file.

    Raises :class:`InputError` when an account's type is not given.
    """
    lines = [f"# Holdings imported from {imp.path}: paste into a household file.", ""]
    for acc in imp.accounts:
        if acc.type is None:
            raise InputError(
                imp.where(acc.first_row, "type"), f"is required for account {acc.id!r}"
            )
        lines += [
            "[[accounts]]",
            f"id = {_toml_str(acc.id)}",
            f"type = {_toml_str(acc.type)}",
            f"cash = {_num(acc.cash)}",
            "",
        ]
        for pos in acc.positions.values():
            p = _position(pos)
            lines += [
                "[[accounts.positions]]",
                f"symbol = {_toml_str(p.symbol)}",
                f"shares = {_num(p.shares)}",
                f"price = {_num(p.price)}",
            ]
            if p.lots:
                lines.append("lots = [")
                for lot in p.lots:
                    lines.append(
                        f"  {{ acquired = {lot.acquired.isoformat()}, shares = {_num(lot.shares)}, "
                        f"cost_basis = {_num(lot.cost_basis)} }},"
                    )
                lines.append("]")
            lines.append("")
    return "\n".join(lines)


def to_json(imp: ImportedHoldings) -> list[dict[str, object]]:
    """The holdings as JSON-ready ``accounts`` entries."""
    out: list[dict[str, object]] = []
    for acc in imp.accounts:
        out.append(
            {
                "id": acc.id,
                "type": acc.type,
                "cash": acc.cash,
                "positions": [
                    _position(p).model_dump(mode="json", exclude_none=True)
                    for p in acc.positions.values()
                ],
            }
        )
    return out

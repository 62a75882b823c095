"""The ledger CSV: one transaction a row.

Format (UTF-8, comma-separated, a header row; column names case-insensitive, any order)::

    date,account,symbol,action,shares,price,fees,lot
    2024-01-10,brokerage,VTI,buy,100,200.00,0,
    2024-06-03,brokerage,VTI,sell,40,$185.50,4.95,2024-01-10
    2024-06-20,ira,VTI,buy,40,186.00,,
    2024-07-01,brokerage,VTI,split,2,0,,

=======  ========  ===========================================================================
column   required  meaning
=======  ========  ===========================================================================
date     yes       trade date, YYYY-MM-DD
account  yes       account id (``[[accounts]] id`` of the household file)
symbol   yes       ticker (upper-cased)
action   yes       buy, sell, reinvest, transfer_in, transfer_out or split (the meanings:
                   :mod:`assetloc.ledger.transactions`)
shares   yes       shares (> 0); for a split the ratio, new shares per old share
price    yes       dollars a share (> 0 for buy, sell and reinvest; a transfer_in's basis a
                   share, >= 0; ignored for transfer_out and split: may be empty)
fees     no        dollars (>= 0; empty: 0)
lot      no        a sell's lots (``2024-01-10``, ``2024-01-10:25;2024-03-02:15`` or a lot
                   id); a transfer_in's acquisition date; empty for the other actions
id       no        a broker's transaction id: the row's identity instead of the computed one
=======  ========  ===========================================================================

Numbers may carry ``$`` and thousands separators. Rows are numbered as a spreadsheet shows
them (the header is row 1); blank rows are skipped. Every problem is one
:class:`~assetloc.errors.InputError` naming the file, the row and the column:
``ledger.csv row 7, column price: not a number ('abc')``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Collection, Sequence
from pathlib import Path

from assetloc.errors import InputError
from assetloc.inputs.csvcells import header_columns, parse_number
from assetloc.inputs.dates import parse_date
from assetloc.inputs.limits import MAX_DOLLARS, MAX_PRICE, MAX_SHARES
from assetloc.ledger.parsed import IdMaker, ParsedFile, read_bytes, sha256_of
from assetloc.ledger.transactions import Action, Transaction, parse_lot_selection

COLUMNS = ("date", "account", "symbol", "action", "shares", "price", "fees", "lot", "id")
REQUIRED = ("date", "account", "symbol", "action", "shares", "price")
PRICED = frozenset({Action.BUY, Action.SELL, Action.REINVEST})
_ACTIONS = {a.value: a for a in Action}
#: the fast path's actions by their text: (action, its value)
_PRICED_BY_TEXT = {a.value: (a, a.value) for a in PRICED}


def looks_like_ledger(header: Sequence[str]) -> bool:
    """Whether a header row is a ledger CSV's (it has every required column)."""
    cols = {h.strip().lower() for h in header}
    return all(c in cols for c in REQUIRED)


def parse_day(text: str, where: str) -> dt.date:
    """An ISO date cell (fast path for the common form)."""
    s = text.strip()
    if len(s) == 10:
        try:
            return dt.date.fromisoformat(s)
        except ValueError:
            pass
    return parse_date(where, s)


def check_account(account: str, known: Collection[str], where: str) -> str:
    """``account`` when it is a known id; else InputError listing the ids."""
    if account not in known:
        ids = ", ".join(sorted(known)) or "none"
        raise InputError(where, f"unknown account {account!r} (the household's: {ids})")
    return account


def read_ledger_csv(path: str | Path, accounts: Collection[str]) -> ParsedFile:
    """Read and check a ledger CSV (format in the module doc) against the household's
    account ids."""
    data, text = read_bytes(path)
    name = Path(path).name
    return parse_ledger_text(name, text, accounts, sha256_of(data))


def parse_ledger_text(
    name: str, text: str, accounts: Collection[str], sha: str = "", seq_base: int = 0
) -> ParsedFile:
    """:func:`read_ledger_csv` on text already read (``name`` for messages).

    Fast path: a row of plain cells (ISO date, known account, lower-case action, numbers
    :func:`float` reads, in range, no lot) is taken as is; any other row goes through
    :func:`_row`, which accepts ``$1,234.50`` and the rest, or raises naming the cell.
    A row's ``seq`` is ``seq_base`` + its order in the file."""
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name} row 1", "the file is empty: expected a header row") from None
    cols = header_columns(name, header, COLUMNS, REQUIRED)
    ix = {c: j for j, c in enumerate(cols)}
    jd, ja, js, jact, jsh, jp = (ix[c] for c in REQUIRED)
    jf, jl, jid = ix.get("fees", -1), ix.get("lot", -1), ix.get("id", -1)
    width = len(cols)
    known = frozenset(accounts)
    fromiso = dt.date.fromisoformat
    ids = IdMaker(name, track=jid >= 0)
    txns: list[Transaction] = []
    numbers: list[int] = []
    append, number = txns.append, numbers.append
    for i, raw in enumerate(reader, start=2):
        if len(raw) != width:
            if len(raw) < width:
                if not any(cell.strip() for cell in raw):
                    continue
                raw = raw + [""] * (width - len(raw))
            elif not any(cell.strip() for cell in raw[width:]):
                raw = raw[:width]
            else:
                raise InputError(f"{name} row {i}", f"{len(raw)} cells but the header has {width}")
        t: Transaction | None = None
        account, symbol = raw[ja].strip(), raw[js].strip().upper()
        action = _PRICED_BY_TEXT.get(raw[jact].strip())
        if action is not None and account in known and symbol and (jl < 0 or not raw[jl].strip()):
            day = raw[jd].strip()
            try:
                date = fromiso(day)
                shares = float(raw[jsh])
                price = float(raw[jp])
                fees_text = raw[jf].strip() if jf >= 0 else ""
                fees = float(fees_text) if fees_text else 0.0
            except ValueError:
                pass
            else:
                if (
                    0.0 < shares <= MAX_SHARES
                    and 0.0 < price <= MAX_PRICE
                    and 0.0 <= fees <= MAX_DOLLARS
                    and len(day) == 10
                    and day[4] == "-" == day[7]
                ):
                    given = raw[jid].strip() if jid >= 0 else ""
                    tid = ids.make_id(day, account, symbol, action[1], shares, price, fees,
                                      "", i, given)  # fmt: skip
                    t = Transaction(date, account, symbol, action[0], shares, price, fees, "", tid,
                                    seq_base + len(txns) + 1)  # fmt: skip
        if t is None:
            given = raw[jid].strip() if jid >= 0 else ""
            t = ids.make(_row(name, i, raw, ix, known), i, given, seq_base + len(txns) + 1)
        append(t)
        number(i)
    return ParsedFile(name, sha, "ledger", tuple(txns), tuple(numbers))


def _row(
    name: str, i: int, raw: list[str], ix: dict[str, int], known: frozenset[str]
) -> Transaction:
    def cell(c: str) -> str:
        j = ix.get(c)
        return "" if j is None else raw[j].strip()

    def at(c: str) -> str:
        return f"{name} row {i}, column {c}"

    for c in REQUIRED:
        if c != "price" and not cell(c):
            raise InputError(at(c), "is required")
    date = parse_day(cell("date"), at("date"))
    account = check_account(cell("account"), known, at("account"))
    symbol = cell("symbol").upper()
    action = _ACTIONS.get(cell("action").lower())
    if action is None:
        raise InputError(
            at("action"), f"must be one of {', '.join(_ACTIONS)} (got {cell('action')!r})"
        )
    shares = parse_number(cell("shares"), at("shares"), positive=True, high=MAX_SHARES)
    price_text = cell("price")
    if action in PRICED:
        if not price_text:
            raise InputError(at("price"), f"is required for a {action.value}")
        price = parse_number(price_text, at("price"), positive=True, high=MAX_PRICE)
    elif action is Action.TRANSFER_IN:
        if not price_text:
            raise InputError(at("price"), "is required for a transfer_in (its basis a share)")
        price = parse_number(price_text, at("price"), high=MAX_PRICE)
    else:
        price = parse_number(price_text, at("price"), high=MAX_PRICE) if price_text else 0.0
    fees_text = cell("fees")
    fees = parse_number(fees_text, at("fees"), high=MAX_DOLLARS) if fees_text else 0.0
    lot = cell("lot")
    if lot:
        if action is Action.SELL:
            try:
                parse_lot_selection(lot)
            except ValueError as err:
                raise InputError(at("lot"), str(err)) from None
        elif action is Action.TRANSFER_IN:
            acquired = parse_day(lot, at("lot"))
            if acquired > date:
                raise InputError(at("lot"), f"acquired {acquired} is after the transfer ({date})")
            lot = acquired.isoformat()
        else:
            raise InputError(
                at("lot"),
                f"only a sell (its lots) or a transfer_in (its acquisition date) takes a lot, "
                f"not a {action.value}",
            )
    return Transaction(date, account, symbol, action, shares, price, fees, lot)

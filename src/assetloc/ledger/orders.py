"""Record a ``rebalance --orders`` CSV as executed trades.

An orders file (:data:`assetloc.rebalance.result.ORDER_COLUMNS`: ``account, action, symbol,
quantity, order_type, estimated_price, estimated_amount, lots``) lists the trades a
rebalance intends. Importing it records each as done: a ``BUY`` as a buy, a ``SELL`` as a
sell of the lots it names (``acquired:shares:basis a share`` becomes the specific
identification ``acquired:shares``), all on one trade date at the ``estimated_price``, with
no fees. The date is ``--as-of``, else the file's ``trade_date`` (or ``date``) column, else
today. Prices actually filled differ: import the broker's confirmations as a ledger CSV
when they matter.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Collection, Sequence

from assetloc.errors import InputError
from assetloc.inputs.csvcells import header_columns, parse_number
from assetloc.inputs.limits import MAX_DOLLARS, MAX_PRICE, MAX_SHARES
from assetloc.ledger.csv_ledger import check_account, parse_day
from assetloc.ledger.parsed import ParsedFile, Row, parsed_file, with_ids
from assetloc.ledger.transactions import Action, Transaction

#: the columns ``rebalance --orders`` writes (:meth:`RebalanceResult.write_orders`, which
#: takes them from here: one definition of the file's format for its writer and reader)
ORDER_COLUMNS = (
    "account",
    "action",
    "symbol",
    "quantity",
    "order_type",
    "estimated_price",
    "estimated_amount",
    "lots",
    "trade_date",
)
#: what an orders file read back may carry: those, or a ``date`` column instead
COLUMNS = (*ORDER_COLUMNS, "date")
REQUIRED = ("account", "action", "symbol", "quantity", "estimated_price")
_SIDES = {"buy": Action.BUY, "sell": Action.SELL}


def looks_like_orders(header: Sequence[str]) -> bool:
    """Whether a header row is an orders file's."""
    cols = {h.strip().lower() for h in header}
    return all(c in cols for c in REQUIRED)


def _lots(text: str, where: str) -> str:
    """``2020-01-15:60:150.0000;...`` (acquired:shares:basis a share) → ``2020-01-15:60;...``."""
    picks = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        bits = part.split(":")
        if len(bits) < 2:
            raise InputError(where, f"expected acquired:shares[:basis] per lot, got {part!r}")
        day = parse_day(bits[0], where)
        n = parse_number(bits[1], where, positive=True, high=MAX_SHARES)
        picks.append(f"{day.isoformat()}:{n!r}")
    return ";".join(picks)


def parse_orders_text(
    name: str,
    text: str,
    accounts: Collection[str],
    as_of: dt.date | None,
    sha: str = "",
    today: dt.date | None = None,
    seq_base: int = 0,
) -> ParsedFile:
    """An orders file as executed trades (see the module doc)."""
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{name} row 1", "the file is empty: expected a header row") from None
    cols = header_columns(name, header, COLUMNS, REQUIRED)
    known = frozenset(accounts)
    rows: list[Row] = []
    for i, raw in enumerate(reader, start=2):
        if not any(c.strip() for c in raw):
            continue
        if len(raw) > len(cols) and any(c.strip() for c in raw[len(cols) :]):
            raise InputError(f"{name} row {i}", f"{len(raw)} cells but the header has {len(cols)}")
        cell = {c: (raw[j].strip() if j < len(raw) else "") for j, c in enumerate(cols)}

        def at(c: str, row: int = i) -> str:
            return f"{name} row {row}, column {c}"

        for c in REQUIRED:
            if not cell[c]:
                raise InputError(at(c), "is required")
        account = check_account(cell["account"], known, at("account"))
        side = _SIDES.get(cell["action"].lower())
        if side is None:
            raise InputError(at("action"), f"must be BUY or SELL (got {cell['action']!r})")
        shares = parse_number(cell["quantity"], at("quantity"), positive=True, high=MAX_SHARES)
        price = parse_number(
            cell["estimated_price"], at("estimated_price"), positive=True, high=MAX_PRICE
        )
        if cell.get("estimated_amount"):
            parse_number(cell["estimated_amount"], at("estimated_amount"), high=MAX_DOLLARS)
        date = as_of
        if date is None:
            given = cell.get("trade_date") or cell.get("date") or ""
            column = "trade_date" if cell.get("trade_date") else "date"
            date = parse_day(given, at(column)) if given else (today or dt.date.today())
        lot = _lots(cell["lots"], at("lots")) if side is Action.SELL and cell.get("lots") else ""
        t = Transaction(date, account, cell["symbol"].upper(), side, shares, price, 0.0, lot)
        rows.append(Row(i, t))
    return parsed_file(name, sha, "orders", with_ids(name, rows, [""] * len(rows), seq_base))

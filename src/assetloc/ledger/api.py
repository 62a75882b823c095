"""The ledger's library functions, one a command: :func:`import_file` (``assetloc ledger
import``), :func:`open_lots` (``ledger lots``), :func:`realized` (``ledger realized``).

An import is atomic and idempotent. The whole file is read and checked first (every row,
then the combined history: the engine derives lots from the ledger's transactions and the
file's, so a sale of shares not held is caught), then its new rows go in with ONE database
transaction; on any error the database is as it was. A row whose identity is already in
the ledger is skipped (re-importing a file adds nothing).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from assetloc.errors import InputError
from assetloc.inputs.household import Household
from assetloc.ledger import brokers, csv_ledger, orders
from assetloc.ledger.parsed import ParsedFile, Row, read_bytes, sha256_of
from assetloc.ledger.records import OpenLot, Sale
from assetloc.ledger.source import (
    LedgerInputs,
    account_infos,
    household_key,
    ledger_inputs,
    ledger_url,
    wash_groups,
)
from assetloc.ledger.store import (
    SEQ_STRIDE,
    database_error,
    load_transactions,
    next_import,
    open_store,
    peek_next_import,
    write_import,
)
from assetloc.ledger.transactions import Transaction
from assetloc.notice import NOTICE
from assetloc.units import number

FORMATS = ("auto", "ledger", "orders", *brokers.BROKERS)


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ``rows`` read, ``added`` to the ledger, ``skipped`` (already
    there); ``format`` as read; ``ledger`` the database URL (password hidden)."""

    source: str
    format: str
    rows: int
    added: int
    skipped: int
    ledger: str
    household: str

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "source": self.source,
            "format": self.format,
            "rows": self.rows,
            "added": self.added,
            "skipped": self.skipped,
            "ledger": self.ledger,
            "household": self.household,
        }

    def summary(self) -> str:
        """``imported FILE: 1,234 transactions added, 0 already in the ledger``."""
        noun = "transaction" if self.added == 1 else "transactions"
        return (
            f"imported {self.source}: {number(self.added)} {noun} added, "
            f"{number(self.skipped)} already in the ledger"
        )


def detect_format(name: str, text: str) -> str:
    """ledger, orders, fidelity, schwab or vanguard, from the file's first rows."""
    head = list(csv.reader(text.splitlines()[:12]))
    if head and csv_ledger.looks_like_ledger(head[0]):
        return "ledger"
    if head and orders.looks_like_orders(head[0]):
        return "orders"
    found = brokers.detect(head)
    if found is not None:
        return found[0]
    raise InputError(
        f"{name} row 1",
        "cannot tell the format: not a ledger CSV (date,account,symbol,action,shares,price), "
        "an orders file or a Fidelity, Schwab or Vanguard positions file; give --format",
    )


def parse_file(
    path: str | Path,
    h: Household,
    fmt: str = "auto",
    *,
    as_of: dt.date | None = None,
    account: str | None = None,
    acquired: dt.date | None = None,
    basis_unknown: bool = False,
    today: dt.date | None = None,
    seq_base: int = 0,
) -> ParsedFile:
    """Read and check a file to import (no database involved); a row's ``seq`` is
    ``seq_base`` + its order in the file."""
    if fmt not in FORMATS:
        raise InputError("--format", f"must be one of {', '.join(FORMATS)} (got {fmt!r})")
    data, text = read_bytes(path)
    name, sha = Path(path).name, sha256_of(data)
    ids = [a.id for a in h.accounts]
    kind = detect_format(name, text) if fmt == "auto" else fmt
    if kind == "ledger":
        return csv_ledger.parse_ledger_text(name, text, ids, sha, seq_base)
    if kind == "orders":
        return orders.parse_orders_text(name, text, ids, as_of, sha, today, seq_base)
    opts = brokers.Options(account, acquired, as_of, basis_unknown)
    return brokers.parse_positions_text(name, text, ids, opts, kind, sha, today, seq_base)


def _check_history(
    parsed: ParsedFile, history: Sequence[Transaction], inputs: LedgerInputs
) -> None:
    """Derive the combined history; an engine error is reported on the file's row (or on
    the ledger's transaction when an old one fails)."""
    from assetloc.ledger.engine import LedgerError, derive

    try:
        derive(history, inputs.accounts, inputs.groups, include_spouse=inputs.include_spouse)
    except LedgerError as err:
        bad = getattr(err, "transaction", None)
        problem = getattr(err, "problem", "") or str(err)
        row = next(
            (
                n
                for n, t in zip(parsed.numbers, parsed.transactions, strict=True)
                if bad is not None and t.id == bad.id
            ),
            None,
        )
        if bad is not None:  # which holding: "sell of VTI in roth: 30 shares asked, 0 held"
            problem = f"{bad.action.value} of {bad.symbol} in {bad.account}: {problem}"
        if row is None:
            when = f" ({bad.date.isoformat()})" if bad is not None else ""
            raise InputError(parsed.name, f"with the ledger's history{when}: {problem}") from None
        raise InputError(f"{parsed.name} row {row}", problem) from None


def import_file(
    h: Household,
    household_path: Path | None,
    file: str | Path,
    db: str | None = None,
    fmt: str = "auto",
    *,
    as_of: dt.date | None = None,
    account: str | None = None,
    acquired: dt.date | None = None,
    basis_unknown: bool = False,
) -> ImportResult:
    """Import ``file`` into the household's ledger (atomic, idempotent; module doc)."""
    url = ledger_url(h, household_path, db)
    # the rows get their final seq as they are read (a peek at the import counter; checked
    # again inside the transaction): the database is not created before the file is good
    base = peek_next_import(url) * SEQ_STRIDE
    parsed = parse_file(
        file,
        h,
        fmt,
        as_of=as_of,
        account=account,
        acquired=acquired,
        basis_unknown=basis_unknown,
        seq_base=base,
    )
    if len(parsed.transactions) >= SEQ_STRIDE:
        raise InputError(parsed.name, f"more than {number(SEQ_STRIDE - 1)} rows: split the file")
    key = household_key(h, household_path)
    engine = open_store(url)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.begin() as conn:
            existing = load_transactions(conn, key)
            known = {t.id for t in existing}
            new = [t for t in parsed.transactions if t.id not in known]
            shift = next_import(conn) * SEQ_STRIDE - base
            if shift:  # another import came in between: renumber
                new = [
                    Transaction(t.date, t.account, t.symbol, t.action, t.shares, t.price,
                                t.fees, t.lot, t.id, t.seq + shift)
                    for t in new
                ]  # fmt: skip
            inputs = LedgerInputs(
                shown, existing, account_infos(h), wash_groups(h), _spouse(h), key
            )
            if new:
                _check_history(parsed, [*existing, *new], inputs)
            record = write_import(
                conn, key, parsed.name, parsed.sha256, len(parsed.transactions), new
            )
    except SQLAlchemyError as err:
        raise database_error(url, err) from None
    finally:
        engine.dispose()
    return ImportResult(
        parsed.name,
        parsed.kind,
        len(parsed.transactions),
        record.added,
        len(parsed.transactions) - record.added,
        shown,
        key,
    )


def _spouse(h: Household) -> bool:
    return h.ledger.include_spouse if h.ledger is not None else True


@dataclass(frozen=True)
class LotsResult:
    """The open lots at the end of ``as_of`` (shares, dollars; ``term`` as of that day)."""

    as_of: dt.date
    ledger: str
    lots: tuple[OpenLot, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "as_of": self.as_of.isoformat(),
            "ledger": self.ledger,
            "lots": [
                {
                    "account": x.account,
                    "symbol": x.symbol,
                    "lot": x.lot,
                    "acquired": x.acquired.isoformat(),
                    "opened": x.opened.isoformat(),
                    "shares": x.shares,
                    "basis": x.basis,
                    "wash_adjustment": x.wash_adjustment,
                    "term": x.term(self.as_of),
                }
                for x in self.lots
            ],
            "notice": NOTICE,
        }


@dataclass(frozen=True)
class RealizedTotals:
    """A year's sales in taxable accounts summed (dollars): net recognized gain by term,
    and the losses the wash-sale rule disallowed, deferred into replacement lots or lost
    for good."""

    sales: int
    proceeds: float
    basis: float
    short_term_gain: float
    long_term_gain: float
    disallowed_deferred: float
    disallowed_permanent: float

    def to_dict(self) -> dict[str, Any]:
        """As a dict (dollars)."""
        return {
            "sales": self.sales,
            "proceeds": self.proceeds,
            "basis": self.basis,
            "short_term_gain": self.short_term_gain,
            "long_term_gain": self.long_term_gain,
            "disallowed_deferred": self.disallowed_deferred,
            "disallowed_permanent": self.disallowed_permanent,
        }


def totals_of(sales: Sequence[Sale]) -> RealizedTotals:
    """The sums of :class:`RealizedTotals` over the taxable ones of ``sales`` (math.fsum):
    a sale in an IRA, Roth or HSA realizes nothing taxable."""
    sales = [s for s in sales if s.taxable]
    return RealizedTotals(
        len(sales),
        math.fsum(s.proceeds for s in sales),
        math.fsum(s.basis for s in sales),
        math.fsum(s.gain for s in sales if s.term == "short"),
        math.fsum(s.gain for s in sales if s.term == "long"),
        math.fsum(s.disallowed for s in sales if not s.permanent),
        math.fsum(s.disallowed for s in sales if s.permanent),
    )


@dataclass(frozen=True)
class RealizedResult:
    """Every sale of ``year`` (wash-sale adjusted over the whole history)."""

    year: int
    ledger: str
    sales: tuple[Sale, ...]

    @property
    def totals(self) -> RealizedTotals:
        """The year's sums."""
        return totals_of(self.sales)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "year": self.year,
            "ledger": self.ledger,
            "sales": [
                {
                    "account": s.account,
                    "symbol": s.symbol,
                    "sold": s.sold.isoformat(),
                    "acquired": s.acquired.isoformat(),
                    "shares": s.shares,
                    "proceeds": s.proceeds,
                    "basis": s.basis,
                    "gain": s.gain,
                    "term": s.term,
                    "code": s.code,
                    "disallowed": s.disallowed,
                    "permanent": s.permanent,
                    "lot": s.lot,
                    "transaction": s.transaction,
                    "replaced_by": list(s.replaced_by),
                    "taxable": s.taxable,
                }
                for s in self.sales
            ],
            "totals": self.totals.to_dict(),
            "notice": NOTICE,
        }


def open_lots(
    h: Household, household_path: Path | None, as_of: dt.date | None = None, db: str | None = None
) -> LotsResult:
    """The household's open lots at the end of ``as_of`` (default: today)."""
    from assetloc.ledger.engine import derive

    day = as_of or dt.date.today()
    inputs = ledger_inputs(h, household_path, db)
    result = derive(inputs.transactions, inputs.accounts, inputs.groups, day, inputs.include_spouse)
    return LotsResult(day, inputs.url, tuple(result.lots))


def realized(
    h: Household, household_path: Path | None, year: int, db: str | None = None
) -> RealizedResult:
    """Every sale of ``year`` (wash sales adjusted over the whole history)."""
    from assetloc.ledger.engine import derive

    inputs = ledger_inputs(h, household_path, db)
    result = derive(
        inputs.transactions, inputs.accounts, inputs.groups, None, inputs.include_spouse
    )
    return RealizedResult(year, inputs.url, tuple(result.sales_in(year)))


def write_form8949(
    h: Household,
    household_path: Path | None,
    year: int,
    out: str | Path,
    box_short: str = "A",
    box_long: str | None = None,
    db: str | None = None,
) -> int:
    """Write the year's taxable sales as Form 8949 rows (then each part's totals) to the
    CSV ``out``; returns the rows written. ``box_short`` A, B or C and ``box_long`` D, E or F
    (default: the one matching ``box_short``): whether a Form 1099-B reported the sale and
    its basis (Form 8949 instructions)."""
    from assetloc.ledger.form8949 import LONG_BOX, form8949_rows, write_form8949_csv

    if box_short not in LONG_BOX:
        raise InputError("--box-short", f"must be A, B or C (got {box_short!r})")
    long_box = box_long or LONG_BOX[box_short]
    if long_box not in ("D", "E", "F"):
        raise InputError("--box-long", f"must be D, E or F (got {box_long!r})")
    sales = realized(h, household_path, year, db).sales
    rows = form8949_rows(sales, year, box_short=box_short, box_long=long_box)
    try:
        write_form8949_csv(rows, out)
    except OSError as err:
        raise InputError("-o", f"cannot write {out} ({err.strerror or err})") from None
    return len(rows)


__all__ = [
    "FORMATS",
    "ImportResult",
    "LotsResult",
    "RealizedResult",
    "RealizedTotals",
    "Row",
    "detect_format",
    "import_file",
    "open_lots",
    "parse_file",
    "realized",
    "totals_of",
    "write_form8949",
]

"""Broker positions CSVs as starting lots: each position becomes one ``transfer_in``.

Three exports are read (their headers as the brokers write them):

- **Fidelity** (Positions → Download, ``Portfolio_Positions_Mon-DD-YYYY.csv``):
  ``Account Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,
  Current Value,...,Cost Basis Total,Average Cost Basis,Type``; several accounts a file;
  ``Pending activity`` and the closing notes are skipped; the
  ``Date downloaded MM/DD/YYYY`` note, when there, dates the positions.
- **Schwab** (Positions → Export): a title line ``"Positions for account Individual ...123
  as of 12:33 PM ET, 2025/05/04"``, then ``"Symbol","Description","Qty (Quantity)"`` (or
  ``"Quantity"``), ``"Price",...,"Cost Basis",...``; ``Cash & Cash Investments`` and
  ``Account Total`` rows are skipped. No account number: give ``--account``.
- **Vanguard** (``OfxDownload.csv``): ``Account Number,Investment Name,Symbol,Shares,Share
  Price,Total Value`` up to the first blank line (the transactions section after it is not
  read). It has no cost basis: such a file is refused unless ``--basis-unknown`` says to
  record the lots at a basis of $0 (every later sale is then all gain: the safe error).

A position's lot: ``shares`` = the quantity, basis = the cost basis total (dollars; as
``price``, the basis a share), acquired on ``--acquired`` (REQUIRED: these exports give no
lot dates), transferred in on ``--as-of``, else the file's date, else today. Broker account
numbers map to household account ids through ``--account ID`` (every row of the file into
that account), else a number (or Fidelity's account name) equal to a household id.
Cash is no lot: money-market funds (a description saying so, or a symbol ending ``**`` like
Fidelity's ``SPAXX**``) and cash rows are skipped in every format.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from assetloc.errors import InputError
from assetloc.inputs.csvcells import parse_number
from assetloc.inputs.limits import MAX_DOLLARS, MAX_SHARES
from assetloc.ledger.parsed import ParsedFile, Row, parsed_file, with_ids
from assetloc.ledger.transactions import Action, Transaction

BROKERS = ("fidelity", "schwab", "vanguard")


@dataclass(frozen=True)
class Options:
    """What a positions file lacks: ``account`` (household id for every row), ``acquired``
    (the lots' date), ``as_of`` (the transfer date), ``basis_unknown`` (Vanguard: $0)."""

    account: str | None = None
    acquired: dt.date | None = None
    as_of: dt.date | None = None
    basis_unknown: bool = False


def _norm(cells: Sequence[str]) -> list[str]:
    return [c.strip().lower() for c in cells]


def _is_fidelity(h: list[str]) -> bool:
    return {"account number", "account name", "symbol", "quantity", "last price"} <= set(h)


def _is_schwab(h: list[str]) -> bool:
    s = set(h)
    return (
        {"symbol", "description", "price"} <= s
        and bool(s & {"quantity", "qty (quantity)"})
        and any(c.startswith("cost basis") for c in h)
    )


def _is_vanguard(h: list[str]) -> bool:
    return {"account number", "investment name", "symbol", "shares", "share price"} <= set(h)


def detect(rows: Sequence[Sequence[str]]) -> tuple[str, int] | None:
    """(broker, index of the header row) of a positions file, or None."""
    for k, raw in enumerate(rows[:12]):
        h = _norm(raw)
        for name, test in (("fidelity", _is_fidelity), ("vanguard", _is_vanguard)):
            if test(h):
                return name, k
        if _is_schwab(h):
            return "schwab", k
    return None


_SCHWAB_DATE = re.compile(r"as of .*?(\d{4})/(\d{2})/(\d{2})")
_FIDELITY_DATE = re.compile(r"date downloaded\s+(\d{1,2})/(\d{1,2})/(\d{4})", re.IGNORECASE)


def _file_date(broker: str, rows: Sequence[Sequence[str]]) -> dt.date | None:
    for raw in rows:
        text = " ".join(raw)
        try:
            if broker == "schwab" and (m := _SCHWAB_DATE.search(text)):
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            if broker == "fidelity" and (m := _FIDELITY_DATE.search(text)):
                return dt.date(int(m[3]), int(m[1]), int(m[2]))
        except ValueError:
            return None
    return None


def _col(h: list[str], *names: str) -> int | None:
    for n in names:
        if n in h:
            return h.index(n)
    for j, c in enumerate(h):
        if any(c.startswith(n) for n in names):
            return j
    return None


def _skip(broker: str, symbol: str, description: str) -> bool:
    """Rows that are no security lot: cash, money market sweep, pending, totals."""
    s, d = symbol.strip().lower(), description.strip().lower()
    if not s or s in ("--", "n/a"):
        return True
    if "pending activity" in (s, d) or s.startswith("account total"):
        return True
    if s.startswith("cash & cash investments") or s == "cash":
        return True
    return s.endswith("**") or "money market" in d


def parse_positions_text(
    name: str,
    text: str,
    accounts: Collection[str],
    options: Options,
    broker: str | None = None,
    sha: str = "",
    today: dt.date | None = None,
    seq_base: int = 0,
) -> ParsedFile:
    """A broker positions file (``broker``: fidelity, schwab, vanguard; None: detected) as
    ``transfer_in`` transactions (see the module doc)."""
    rows = list(csv.reader(text.splitlines()))
    found = detect(rows)
    if found is None or (broker is not None and found[0] != broker):
        what = broker or "broker"
        raise InputError(f"{name} row 1", f"not a {what} positions file (no header row found)")
    broker, top = found
    h = _norm(rows[top])
    at_col = {
        "symbol": _col(h, "symbol"),
        "quantity": _col(h, "quantity", "qty (quantity)", "shares"),
        "basis": _col(h, "cost basis total", "cost basis"),
        "account": _col(h, "account number"),
        "account_name": _col(h, "account name"),
        "description": _col(h, "description", "investment name"),
    }
    if broker == "vanguard":
        at_col["basis"] = None
        if not options.basis_unknown:
            raise InputError(
                f"{name} row {top + 1}",
                "a Vanguard positions file has no cost basis: give --basis-unknown to record "
                "its lots at a $0 basis (every sale then all gain), or import a ledger CSV "
                "with the basis",
            )
    if options.acquired is None:
        raise InputError(
            "--acquired",
            f"a {broker} positions file gives no lot dates: give --acquired YYYY-MM-DD",
        )
    date = options.as_of or _file_date(broker, rows) or today or dt.date.today()
    if options.acquired > date:
        raise InputError("--acquired", f"{options.acquired} is after the positions' date {date}")
    known = frozenset(accounts)
    if options.account is None and at_col["account"] is None:
        raise InputError(
            "--account",
            f"a {broker} positions file names no account number: give --account ID "
            "(the household account it lists)",
        )
    if options.account is not None and options.account not in known:
        ids = ", ".join(sorted(known)) or "none"
        raise InputError(
            "--account", f"unknown account {options.account!r} (the household's: {ids})"
        )
    out: list[Row] = []
    numbers: dict[str, int] = {}
    for k in range(top + 1, len(rows)):
        raw = rows[k]
        i = k + 1  # as a spreadsheet numbers rows
        if not any(c.strip() for c in raw):
            if broker == "vanguard":
                break  # the transactions section follows
            continue

        def cell(key: str, raw: list[str] = raw) -> str:
            j = at_col[key]
            return raw[j].strip() if j is not None and j < len(raw) else ""

        if len(raw) < 3 or _skip(broker, cell("symbol"), cell("description")):
            continue  # cash, totals and the closing notes

        def at(key: str, i: int = i) -> str:
            j = at_col[key]
            column = rows[top][j].strip() if j is not None else key
            return f"{name} row {i}, column {column}"

        account = _account(cell("account"), cell("account_name"), options, known, at("account"))
        numbers.setdefault(cell("account"), i)
        if options.account is not None and len(numbers) > 1:
            raise InputError(
                at("account"),
                f"a second broker account ({cell('account')!r}; row {min(numbers.values())} "
                f"has {next(iter(numbers))!r}): --account maps one account a file",
            )
        shares = parse_number(cell("quantity"), at("quantity"), positive=True, high=MAX_SHARES)
        if broker == "vanguard":
            basis = 0.0
        else:
            text_basis = cell("basis")
            if text_basis.lower() in ("", "--", "n/a"):
                raise InputError(at("basis"), "no cost basis for this position: enter it first")
            basis = parse_number(text_basis, at("basis"), high=MAX_DOLLARS)
        t = Transaction(
            date,
            account,
            cell("symbol").upper(),
            Action.TRANSFER_IN,
            shares,
            basis / shares,
            0.0,
            options.acquired.isoformat(),
        )
        out.append(Row(i, t))
    if not out:
        raise InputError(name, f"no positions found in this {broker} file")
    return parsed_file(name, sha, broker, with_ids(name, out, [""] * len(out), seq_base))


def _account(number: str, label: str, options: Options, known: frozenset[str], where: str) -> str:
    if options.account is not None:
        return options.account
    for candidate in (number, label):
        if candidate and candidate in known:
            return candidate
    ids = ", ".join(sorted(known)) or "none"
    shown = number or label or "(none)"
    raise InputError(
        where,
        f"broker account {shown!r} is no household account id ({ids}): give --account ID "
        "(one account a file) or name the account after it",
    )

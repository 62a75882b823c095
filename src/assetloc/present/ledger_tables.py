"""Terminal tables of the ledger commands: an import's line, open lots, a year's sales.

Dollars through :mod:`assetloc.present.fmt` (cents below $100, whole dollars above; the
``basis`` of a lot includes its wash-sale adjustment), shares whole or to 4 decimals. Every
table ends with the notice: estimates, not tax advice.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assetloc.ledger.api import ImportResult, LotsResult, RealizedResult
from assetloc.notice import NOTICE
from assetloc.present.fmt import console as default_console
from assetloc.present.fmt import shares, usd

#: pipes and files: room for a sale's twelve columns
MIN_PIPE_WIDTH = 150
_RIGHT = {"shares", "basis", "wash adj.", "proceeds", "gain", "disallowed"}


def _table(title: str, columns: tuple[str, ...]) -> Table:
    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, justify="right" if c in _RIGHT else "left")
    return t


def lots_table(result: LotsResult) -> Table:
    """One row per open lot: account, symbol, lot, acquired (tacked), shares, basis, wash
    adjustment, term as of the date."""
    t = _table(
        f"Open lots at the end of {result.as_of} ({len(result.lots)})",
        ("account", "symbol", "lot", "acquired", "shares", "basis", "wash adj.", "term"),
    )
    for x in result.lots:
        t.add_row(
            escape(x.account),
            escape(x.symbol),
            escape(x.lot),
            x.acquired.isoformat(),
            shares(x.shares),
            usd(x.basis, 2),
            usd(x.wash_adjustment, 2) if x.wash_adjustment else "",
            x.term(result.as_of),
        )
    return t


def sales_table(result: RealizedResult) -> Table:
    """One row per sale (or part of one) of the year."""
    t = _table(
        f"Sales of {result.year} ({len(result.sales)})",
        (
            "account",
            "symbol",
            "sold",
            "acquired",
            "shares",
            "proceeds",
            "basis",
            "gain",
            "term",
            "code",
            "disallowed",
            "permanent",
        ),
    )
    for s in result.sales:
        t.add_row(
            escape(s.account),
            escape(s.symbol),
            s.sold.isoformat(),
            s.acquired.isoformat(),
            shares(s.shares),
            usd(s.proceeds, 2),
            usd(s.basis, 2),
            usd(s.gain, 2),
            s.term if s.taxable else "not taxed",
            s.code,
            usd(s.disallowed, 2) if s.disallowed else "",
            "yes" if s.permanent else "",
        )
    return t


def totals_lines(result: RealizedResult) -> list[str]:
    """The year's totals as lines."""
    x = result.totals
    untaxed = sum(1 for s in result.sales if not s.taxable)
    note = (
        [f"{untaxed} sale(s) in IRA, Roth or HSA accounts: not taxed, not on Form 8949"]
        if untaxed
        else []
    )
    return [
        *note,
        f"Net short-term gain (recognized): {usd(x.short_term_gain, 2)}",
        f"Net long-term gain (recognized): {usd(x.long_term_gain, 2)}",
        f"Loss disallowed, deferred into replacement lots: {usd(x.disallowed_deferred, 2)}",
        f"Loss disallowed for good (IRA, Roth or HSA replacement): "
        f"{usd(x.disallowed_permanent, 2)}",
    ]


def _console(con: Console | None) -> Console:
    if con is not None:
        return con
    out = default_console()
    if not out.is_terminal:
        out.width = max(out.width, MIN_PIPE_WIDTH)
    return out


def print_import(result: ImportResult, con: Console | None = None) -> None:
    """The import's line, then the notice."""
    out = _console(con)
    out.print(escape(result.summary()), highlight=False)
    out.print(NOTICE, highlight=False)


def print_lots(result: LotsResult, con: Console | None = None) -> None:
    """The open lots table, the ledger it read, the notice."""
    out = _console(con)
    out.print(lots_table(result))
    out.print(escape(f"ledger: {result.ledger}"), highlight=False)
    out.print(NOTICE, highlight=False)


def print_realized(result: RealizedResult, con: Console | None = None) -> None:
    """The year's sales, their totals, the notice."""
    out = _console(con)
    out.print(sales_table(result))
    for line in totals_lines(result):
        out.print(escape(line), highlight=False)
    out.print(escape(f"ledger: {result.ledger}"), highlight=False)
    out.print(NOTICE, highlight=False)

"""Terminal tables of ``assetloc harvest``: candidates, their conflicts and the assumptions."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assetloc.present.fmt import console as new_console
from assetloc.present.fmt import shares, usd


def candidates_table(d: dict[str, Any]) -> Table:
    """One row per candidate lot (the JSON document ``d`` of :class:`HarvestResult`)."""
    t = Table(title=f"Tax-loss harvesting candidates as of {d['as_of']}")
    for col in ("account", "symbol", "lot", "shares", "loss", "term"):
        t.add_column(col, justify="right" if col in ("shares", "loss") else "left")
    for col in ("tax now", "carried", "long-run", "disallowed", "buy back on", "replacement"):
        t.add_column(col, justify="left" if col in ("buy back on", "replacement") else "right")
    for c in d["candidates"]:
        rep = c["replacement"]
        t.add_row(
            c["account"],
            c["symbol"],
            c["lot"],
            shares(c["shares"]),
            usd(c["loss"]),
            c["term"],
            usd(c["tax_value_now"]),
            usd(c["loss_carried_forward"]),
            usd(c["deferral_value"]),
            usd(c["disallowed_if_sold_today"]),
            c["blocked_until"],
            rep["symbol"] if rep else "none",
        )
    return t


def print_harvest(d: dict[str, Any], console: Console | None = None) -> None:
    """Print the harvest document ``d`` (``HarvestResult.to_dict()``), notice last."""
    con = console or new_console()
    if not d["candidates"]:
        th = d["thresholds"]
        con.print(
            f"no candidates on {d['as_of']}: no taxable lot has an unrealized loss of at least "
            f"{usd(th['min_loss'])} and {th['min_loss_share_of_basis']:.0%} of its basis"
        )
    else:
        con.print(candidates_table(d))
        for c in d["candidates"]:
            where = f"{c['account']} {c['symbol']} lot {c['lot']}"
            if c["replacement"] is None:
                con.print(escape(f"{where}: no replacement: {c['replacement_reason']}"))
            if c["conflicts"]:
                con.print(f"{where}: purchases that wash the loss:", markup=False)
                for x in c["conflicts"]:
                    perm = ", permanent (IRA/Roth/HSA)" if x["permanent"] else ""
                    con.print(
                        escape(
                            f"  - {x['date']} {x['account']} {x['symbol']}: {x['kind']}, "
                            f"{shares(x['shares'])} sh{perm}; {x['note']}"
                        )
                    )
    con.print("[bold]Assumptions[/bold]")
    for key, text in d["assumptions"].items():
        con.print(escape(f"  {key}: {text}"))
    con.print(d["notice"])

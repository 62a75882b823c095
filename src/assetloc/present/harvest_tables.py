"""Terminal tables of ``assetloc harvest``: candidates, their conflicts and the assumptions."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assetloc.present.fmt import console as new_console
from assetloc.present.fmt import pct, shares, usd


def candidates_table(d: dict[str, Any]) -> Table:
    """One row per candidate lot (the JSON document ``d`` of :class:`HarvestResult`).

    Figures and dates never wrap; the lot (account, symbol, id) folds when the terminal
    is narrow. The rest of each candidate is printed below the table."""
    t = Table(title=f"Tax-loss harvesting candidates as of {d['as_of']}")
    t.add_column("lot", overflow="fold", min_width=12)
    for col in ("loss", "term", "tax now", "long-run", "disallowed", "buy back on"):
        if col in ("term", "buy back on"):
            t.add_column(col, no_wrap=True)
        else:
            t.add_column(col, justify="right", no_wrap=True)
    for c in d["candidates"]:
        t.add_row(
            f"{c['account']} {c['symbol']} {c['lot']}",
            usd(c["loss"]),
            c["term"],
            usd(c["tax_value_now"]),
            usd(c["deferral_value"]),
            usd(c["disallowed_if_sold_today"]),
            c["blocked_until"],
        )
    return t


def candidate_lines(c: dict[str, Any]) -> list[str]:
    """What the table leaves out of candidate ``c``: shares, replacement, carryforward,
    the permanent part, and every conflicting purchase."""
    where = f"{c['account']} {c['symbol']} lot {c['lot']}"
    rep = c["replacement"]
    buy = (
        f"buy {rep['symbol']} instead ({rep['asset_class']}, group {rep['group']}, {rep['source']})"
        if rep
        else f"no replacement: {c['replacement_reason']}"
    )
    out = [
        f"{where}: {shares(c['shares'])} shares at {usd(c['price'])}, basis {usd(c['basis'])}; "
        f"{buy}; carried forward {usd(c['loss_carried_forward'])}; disallowed if sold "
        f"today {usd(c['disallowed_if_sold_today'])} "
        f"({usd(c['permanently_disallowed_if_sold_today'])} for good)"
    ]
    for x in c["conflicts"]:
        perm = ", permanent (IRA/Roth/HSA)" if x["permanent"] else ""
        out.append(
            f"  - {x['date']} {x['account']} {x['symbol']}: {x['kind']}, "
            f"{shares(x['shares'])} sh{perm}; {x['note']}"
        )
    return out


def print_harvest(d: dict[str, Any], console: Console | None = None) -> None:
    """Print the harvest document ``d`` (``HarvestResult.to_dict()``), notice last."""
    con = console or new_console()
    if not d["candidates"]:
        th = d["thresholds"]
        con.print(
            f"no candidates on {d['as_of']}: no taxable lot has an unrealized loss of at least "
            f"{usd(th['min_loss'])} and {pct(th['min_loss_share_of_basis'], 0)} of its basis"
        )
    else:
        con.print(candidates_table(d))
        for c in d["candidates"]:
            for line in candidate_lines(c):
                con.print(escape(line))
    con.print("[bold]Assumptions[/bold]")
    for key, text in d["assumptions"].items():
        con.print(escape(f"  {key}: {text}"))
    con.print(d["notice"])

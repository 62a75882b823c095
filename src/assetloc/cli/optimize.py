"""`assetloc optimize | validate | schema | presets`: thin shells over the library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from assetloc.analysis.optimize import optimize
from assetloc.cli.rebalance import load_for_rebalance
from assetloc.inputs.dates import parse_date
from assetloc.inputs.household import household_schema, load_household
from assetloc.market.assumptions import load_preset, preset_names
from assetloc.present import jsonout
from assetloc.present.fmt import console as new_console
from assetloc.present.fmt import pct, usd
from assetloc.present.tables import print_plan
from assetloc.validation import validate, with_trade_date

FileArg = Annotated[Path, typer.Argument(help="household TOML file")]


def _optimize(
    file: FileArg,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Optimize allocation and location; print tables (or JSON)."""
    plan = optimize(load_household(file))
    if as_json:
        typer.echo(jsonout.dumps(plan.to_dict()))
    else:
        print_plan(plan)


def _validate(
    file: FileArg,
    holdings: Annotated[
        Path | None,
        typer.Option("--holdings", help="holdings CSV replacing the accounts' holdings"),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="trade date YYYY-MM-DD (default: file/today)")
    ] = None,
) -> None:
    """Run every input check of optimize and rebalance (no solve); exit 0 when valid."""
    date = None if as_of is None else parse_date("--as-of", as_of)
    h = with_trade_date(load_for_rebalance(file, holdings, date), date)
    v = validate(h)
    p = v.problem
    typer.echo(
        f"ok: {len(h.accounts)} accounts, {p.n} asset classes ({p.market.name}), "
        f"balance {usd(p.balances.sum(), 2)}, after-tax wealth {usd(p.wealth, 2)}"
    )
    if v.rebalance_checked:
        typer.echo(
            f"holdings: {v.positions} positions, {v.lots} taxable lots, "
            f"checked for rebalancing on {v.trade_date}"
        )
    if v.rebalance_note:
        typer.echo(f"note: {v.rebalance_note}")


def _schema() -> None:
    """Print the JSON Schema of the household file."""
    typer.echo(json.dumps(household_schema(), indent=2))


def _presets(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the bundled capital market assumptions with their sources and dates."""
    sets = [load_preset(n) for n in preset_names()]
    if as_json:
        out = [
            {
                "name": m.name,
                "source": m.source,
                "date": m.date,
                "cash_rate": m.cash_rate,
                "classes": [
                    {
                        "id": c,
                        "label": lab,
                        "expected_return": float(r),
                        "volatility": float(v),
                        "effective_tax_rate_at_40pct": float(t),
                    }
                    for c, lab, r, v, t in zip(
                        m.ids, m.labels, m.expected_return, m.volatility, m.tax_rate, strict=True
                    )
                ],
                "notes": list(m.notes),
            }
            for m in sets
        ]
        typer.echo(jsonout.dumps(out))
        return
    console = new_console()
    for m in sets:
        t = Table(title=f"{m.name}: {m.source} ({m.date})")
        for col in ("class", "id", "E (pre-tax)", "SD", "tax rate at 40% ordinary"):
            t.add_column(col, justify="left" if col in ("class", "id") else "right")
        rows = zip(m.labels, m.ids, m.expected_return, m.volatility, m.tax_rate, strict=True)
        for lab, c, r, v, tr in rows:
            t.add_row(lab, c, pct(r, 2), pct(v, 2), pct(tr, 2))
        console.print(t)
        for note in m.notes:
            console.print(f"  note: {note}")


def register(app: typer.Typer) -> None:
    """Attach the commands to ``app``."""
    app.command("optimize")(_optimize)
    app.command("validate")(_validate)
    app.command("schema")(_schema)
    app.command("presets")(_presets)

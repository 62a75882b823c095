"""`assetloc import-holdings CSV`: a brokerage holdings CSV as [[accounts]] tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _import_holdings(
    file: Annotated[Path, typer.Argument(help="holdings CSV (see docs/rebalance.md)")],
    household: Annotated[
        Path | None,
        typer.Option("--household", help="check symbols and dates against this household file"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of TOML")] = False,
) -> None:
    """Read a holdings CSV; print \\[\\[accounts]] tables (TOML) for a household file."""
    from assetloc.inputs.household import load_household
    from assetloc.present import jsonout
    from assetloc.rebalance.book import trade_date
    from assetloc.rebalance.csv_import import check_against, read_holdings_csv, to_json, to_toml

    imported = read_holdings_csv(file)
    if household is not None:
        h = load_household(household)
        check_against(imported, h, trade_date(h))
    if as_json:
        typer.echo(jsonout.dumps({"accounts": to_json(imported)}))
    else:
        typer.echo(to_toml(imported))


def register(app: typer.Typer) -> None:
    """Attach ``import-holdings`` to ``app``."""
    app.command("import-holdings")(_import_holdings)

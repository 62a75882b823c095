"""`assetloc rebalance | import-holdings`: thin shells over :mod:`assetloc.rebalance`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal, cast

import typer

from assetloc import jsonout
from assetloc.errors import InputError
from assetloc.household import (
    Household,
    check_household,
    load_household,
    parse_fields,
    read_toml,
)
from assetloc.rebalance import rebalance
from assetloc.rebalance.book import trade_date
from assetloc.rebalance.csv_import import (
    apply_holdings,
    check_against,
    read_holdings_csv,
    to_json,
    to_toml,
)
from assetloc.rebalance.tables import print_result

MODES = ("full", "cash_flow_only", "within_bands")


def _as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError("--as-of", f"not a date in YYYY-MM-DD form: {text!r}") from None


def _load_unchecked(path: Path) -> Household:
    """The household file validated field by field, without :func:`check_household`."""
    return parse_fields(read_toml(path))


def _rebalance(
    file: Annotated[Path, typer.Argument(help="household TOML file with holdings")],
    holdings: Annotated[
        Path | None,
        typer.Option("--holdings", help="holdings CSV replacing the accounts' holdings"),
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(help="full | cash_flow_only | within_bands (default: the file's)"),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="trade date YYYY-MM-DD (default: file/today)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    orders: Annotated[
        Path | None, typer.Option("--orders", help="write the orders as CSV for bulk upload")
    ] = None,
) -> None:
    """Trades, account by account, toward the optimized target at the least tax."""
    if mode is not None and mode not in MODES:
        raise InputError("--mode", f"must be one of {', '.join(MODES)} (got {mode!r})")
    date = _as_of(as_of)
    if holdings is None:
        h = load_household(file)
    else:
        # the checks that span the accounts (balances, ids) run once the CSV is applied:
        # a skeleton household file may have no holdings of its own
        h = _load_unchecked(file)
        imported = read_holdings_csv(holdings)
        when = date or trade_date(h)
        check_against(imported, h, when)
        h = apply_holdings(h, imported)
        check_household(h)
    result = rebalance(
        h,
        mode=cast(Literal["full", "cash_flow_only", "within_bands"] | None, mode),
        as_of=date,
    )
    if orders is not None:
        try:
            result.write_orders(orders)
        except OSError as err:
            raise InputError("--orders", f"cannot write {orders} ({err.strerror})") from None
    if as_json:
        typer.echo(jsonout.dumps(result.to_dict()))
    else:
        print_result(result)
        if orders is not None:
            typer.echo(f"wrote {len(result.trades)} orders to {orders}")


def _import_holdings(
    file: Annotated[Path, typer.Argument(help="holdings CSV (see docs/rebalance.md)")],
    household: Annotated[
        Path | None,
        typer.Option("--household", help="check symbols and dates against this household file"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of TOML")] = False,
) -> None:
    """Read a holdings CSV; print [[accounts]] tables (TOML) for a household file."""
    imported = read_holdings_csv(file)
    if household is not None:
        h = load_household(household)
        check_against(imported, h, trade_date(h))
    if as_json:
        typer.echo(jsonout.dumps({"accounts": to_json(imported)}))
    else:
        typer.echo(to_toml(imported))


def register(app: typer.Typer) -> None:
    """Attach the commands to ``app``."""
    app.command("rebalance")(_rebalance)
    app.command("import-holdings")(_import_holdings)

"""`assetloc rebalance FILE`: trades toward the optimized target at the least tax (thin shell
over :func:`assetloc.present.documents.rebalance_result`); also the household-with-holdings
loader ``validate`` shares."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assetloc.cli.options import AsOfOpt, DbOpt, HoldingsOpt, JsonOpt

if TYPE_CHECKING:
    from assetloc.inputs.household import Household

MODES = ("full", "cash_flow_only", "within_bands")  # the values of types.RebalanceMode


def _as_of(text: str | None) -> dt.date | None:
    from assetloc.inputs.dates import parse_date

    return None if text is None else parse_date("--as-of", text)


def _dollars(text: str | None, name: str) -> float | None:
    """A budget in dollars (>= 0, finite), or None."""
    from assetloc.errors import InputError

    if text is None:
        return None
    try:
        value = float(text.strip().replace(",", "").lstrip("$"))
    except ValueError:
        raise InputError(name, f"not a number of dollars: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise InputError(name, f"must be a number of dollars >= 0 (got {text!r})")
    return value


def load_for_rebalance(file: Path, holdings: Path | None, date: dt.date | None) -> Household:
    """The household file, with its holdings replaced by the CSV's when ``holdings`` is
    given (lot dates checked against ``date``, else the file's trade date), completed by
    its ledger (:func:`assetloc.cli.loading.load`)."""
    from assetloc.cli.loading import load

    return load(file, holdings=holdings, as_of=date, history=True).household


def _rebalance(
    file: Annotated[Path, typer.Argument(help="household TOML file with holdings")],
    holdings: HoldingsOpt = None,
    mode: Annotated[
        str | None,
        typer.Option(help="full | cash_flow_only | within_bands (default: the file's)"),
    ] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    orders: Annotated[
        Path | None, typer.Option("--orders", help="write the orders as CSV for bulk upload")
    ] = None,
    tax_budget: Annotated[
        str | None,
        typer.Option(
            "--tax-budget",
            help="dollars of tax this rebalance may realize (0: no net gain); caps the "
            "cost-benefit rule",
        ),
    ] = None,
    gain_budget: Annotated[
        str | None,
        typer.Option("--gain-budget", help="dollars of net realized gain this rebalance may take"),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Trades, account by account, toward the optimized target at the least tax."""
    from assetloc.errors import InputError
    from assetloc.present.documents import rebalance_result
    from assetloc.types import RebalanceMode

    if mode is not None and mode not in MODES:
        raise InputError("--mode", f"must be one of {', '.join(MODES)} (got {mode!r})")
    date = _as_of(as_of)
    tax_cap = _dollars(tax_budget, "--tax-budget")
    gain_cap = _dollars(gain_budget, "--gain-budget")
    from assetloc.cli.loading import load

    loaded = load(file, holdings=holdings, as_of=date, db=db, history=True)
    result = rebalance_result(
        loaded,
        mode=None if mode is None else RebalanceMode(mode),
        as_of=date,
        tax_budget=tax_cap,
        gain_budget=gain_cap,
    )
    if orders is not None:
        try:
            result.write_orders(orders)
        except OSError as err:
            raise InputError("--orders", f"cannot write {orders} ({err.strerror})") from None
    if as_json:
        from assetloc.present import jsonout

        typer.echo(jsonout.dumps(result.to_dict()))
    else:
        from assetloc.present.rebalance_tables import print_result

        print_result(result)
        if orders is not None:
            typer.echo(f"wrote {len(result.trades)} orders to {orders}")


def register(app: typer.Typer) -> None:
    """Attach ``rebalance`` to ``app``."""
    app.command("rebalance")(_rebalance)

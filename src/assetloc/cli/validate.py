"""`assetloc validate FILE`: every input check of optimize and rebalance, no solve."""

from __future__ import annotations

import typer

from assetloc.cli.options import AsOfOpt, FileArg, HoldingsOpt


def _validate(file: FileArg, holdings: HoldingsOpt = None, as_of: AsOfOpt = None) -> None:
    """Run every input check of optimize and rebalance (no solve); exit 0 when valid."""
    from assetloc.cli.rebalance import load_for_rebalance
    from assetloc.inputs.dates import parse_date
    from assetloc.present.fmt import usd
    from assetloc.validation import validate, with_trade_date

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


def register(app: typer.Typer) -> None:
    """Attach ``validate`` to ``app``."""
    app.command("validate")(_validate)

"""`assetloc harvest FILE`: taxable lots worth selling at a loss today (thin shell over
:func:`assetloc.present.documents.harvest_document`, which the batch runs too)."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from assetloc.cli.options import AsOfOpt, DbOpt, FileArg, JsonOpt


def _number(text: str | None, name: str, *, dollars: bool) -> float | None:
    """A number option: dollars (``$1,000``) or a decimal; None when not given."""
    from assetloc.errors import InputError

    if text is None:
        return None
    cleaned = text.strip().replace(",", "").lstrip("$") if dollars else text.strip()
    try:
        value = float(cleaned)
    except ValueError:
        what = "dollars" if dollars else "a decimal"
        raise InputError(name, f"not {what}: {text!r}") from None
    if not math.isfinite(value):
        raise InputError(name, f"must be finite (got {text!r})")
    return value


def _harvest(
    file: FileArg,
    as_of: AsOfOpt = None,
    min_loss: Annotated[
        str | None,
        typer.Option("--min-loss", help="dollars: smallest loss worth harvesting (default 100)"),
    ] = None,
    min_loss_pct: Annotated[
        str | None,
        typer.Option(
            "--min-loss-pct", help="decimal: smallest loss as a share of basis (default 0.05)"
        ),
    ] = None,
    discount_rate: Annotated[
        str | None,
        typer.Option(
            "--discount-rate",
            help="decimal a year for the long-run value (default: the after-tax bond rate)",
        ),
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Taxable lots worth selling at a loss today: replacement, tax saved, wash-sale conflicts."""
    from assetloc.cli.loading import load
    from assetloc.inputs.dates import parse_date
    from assetloc.present import jsonout
    from assetloc.present.documents import harvest_document

    date = None if as_of is None else parse_date("--as-of", as_of)
    loss = _number(min_loss, "--min-loss", dollars=True)
    share = _number(min_loss_pct, "--min-loss-pct", dollars=False)
    rate = _number(discount_rate, "--discount-rate", dollars=False)
    from assetloc.errors import InputError

    if loss is not None and loss < 0:
        raise InputError("--min-loss", f"must be dollars >= 0 (got {min_loss!r})")
    if share is not None and not 0 <= share < 1:
        raise InputError("--min-loss-pct", f"must be a decimal in [0, 1) (got {min_loss_pct!r})")
    if rate is not None and not -1 < rate < 1:
        raise InputError("--discount-rate", f"must be a decimal in (-1, 1) (got {discount_rate!r})")
    loaded = load(file, as_of=date, db=db, history=True)
    d = harvest_document(loaded, as_of=date, min_loss=loss, min_loss_pct=share, discount_rate=rate)
    if as_json:
        typer.echo(jsonout.dumps(d))
        return
    from assetloc.present.harvest_tables import print_harvest

    print_harvest(d)


def register(app: typer.Typer) -> None:
    """Attach ``harvest`` to ``app``."""
    app.command("harvest")(_harvest)

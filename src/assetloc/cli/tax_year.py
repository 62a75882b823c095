"""`assetloc tax-year FILE`: the household's federal and state return for the year."""

from __future__ import annotations

import typer

from assetloc.cli.options import FileArg, JsonOpt


def _tax_year(file: FileArg, as_json: JsonOpt = False) -> None:
    """The year's federal and state return, line by line, and its marginal rates."""
    from assetloc.cli.loading import load
    from assetloc.present import jsonout
    from assetloc.present.documents import tax_year_document

    d = tax_year_document(load(file))
    if as_json:
        typer.echo(jsonout.dumps(d))
        return
    from assetloc.present.tax_year_tables import print_tax_year

    print_tax_year(d)


def register(app: typer.Typer) -> None:
    """Attach ``tax-year`` to ``app``."""
    app.command("tax-year")(_tax_year)

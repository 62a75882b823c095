"""`assetloc optimize FILE`: the optimized allocation and location (thin shell)."""

from __future__ import annotations

import typer

from assetloc.cli.options import FileArg, JsonOpt


def _optimize(file: FileArg, as_json: JsonOpt = False) -> None:
    """Optimize allocation and location; print tables (or JSON)."""
    from assetloc.cli.loading import load

    loaded = load(file)
    if as_json:
        from assetloc.present import jsonout
        from assetloc.present.documents import optimize_document

        typer.echo(jsonout.dumps(optimize_document(loaded)))
    else:
        from assetloc.analysis.optimize import optimize
        from assetloc.present.tables import print_plan

        print_plan(optimize(loaded.household))


def register(app: typer.Typer) -> None:
    """Attach ``optimize`` to ``app``."""
    app.command("optimize")(_optimize)

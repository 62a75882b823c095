"""`assetloc optimize FILE`: the optimized allocation and location (thin shell)."""

from __future__ import annotations

import typer

from assetloc.cli.options import FileArg, JsonOpt


def _optimize(file: FileArg, as_json: JsonOpt = False) -> None:
    """Optimize allocation and location; print tables (or JSON)."""
    from assetloc.analysis.optimize import optimize
    from assetloc.cli.loading import household as load_household

    plan = optimize(load_household(file))
    if as_json:
        from assetloc.present import jsonout

        typer.echo(jsonout.dumps(plan.to_dict()))
    else:
        from assetloc.present.tables import print_plan

        print_plan(plan)


def register(app: typer.Typer) -> None:
    """Attach ``optimize`` to ``app``."""
    app.command("optimize")(_optimize)

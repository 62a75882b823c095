"""`assetloc frontier FILE`: the after-tax efficient frontier in both views (thin shell)."""

from __future__ import annotations

from typing import Annotated

import typer

from assetloc.cli.options import FileArg, JsonOpt

#: rows of each frontier table on a terminal (``--json`` gives every point)
TABLE_ROWS = 12


def _frontier(
    file: FileArg,
    points: Annotated[int, typer.Option("--points", min=2, max=2000, help="return targets")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """The after-tax efficient frontier in both views, with the optimum and indifference."""
    from rich.markup import escape
    from rich.table import Table

    from assetloc.analysis.frontier import frontiers
    from assetloc.analysis.optimize import method_summary, optimize
    from assetloc.cli.loading import load
    from assetloc.notice import NOTICE
    from assetloc.present import jsonout
    from assetloc.present.documents import frontier_document
    from assetloc.present.fmt import console as new_console
    from assetloc.present.fmt import pct
    from assetloc.present.tables import method_lines

    loaded = load(file)
    if as_json:
        typer.echo(jsonout.dumps(frontier_document(loaded, points)))
        return
    h = loaded.household
    plan = optimize(h)
    fr = frontiers(h, points, plan.x)
    context = plan.problem.context
    console = new_console()
    for name, f in fr.items():
        shown = _sample(len(f.points))
        t = Table(title=f"Efficient frontier, {name} view (after tax, % per year)")
        for col in ("expected return", "volatility", "utility"):
            t.add_column(col, justify="right")
        for j in shown:
            pt = f.points[j]
            t.add_row(pct(pt.expected_return), pct(pt.volatility), pct(pt.utility))
        console.print(t)
        if len(shown) < len(f.points):
            console.print(
                f"  showing {len(shown)} of {len(f.points)} points, evenly spaced along "
                "the frontier; --json gives all"
            )
        o = f.optimum
        console.print(
            f"  optimum: E {pct(o.expected_return)}, SD {pct(o.volatility)}, U {pct(o.utility)}"
        )
        if f.chosen is not None:
            c = f.chosen
            console.print(
                f"  the household's plan ({context} optimum) seen here: "
                f"E {pct(c.expected_return)}, SD {pct(c.volatility)}"
            )
    for line in method_lines(method_summary(plan.problem.market)):
        console.print(escape(line))
    console.print(NOTICE)


def _sample(n: int, rows: int = TABLE_ROWS) -> list[int]:
    """Indices of at most ``rows`` points out of ``n``, evenly spaced, first and last kept."""
    if n <= rows:
        return list(range(n))
    return sorted({round(j * (n - 1) / (rows - 1)) for j in range(rows)})


def register(app: typer.Typer) -> None:
    """Attach ``frontier`` to ``app``."""
    app.command("frontier")(_frontier)

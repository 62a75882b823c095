"""`assetloc report FILE -o report.html`: one self-contained HTML report (and charts)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assetloc.household import load_household
from assetloc.report.charts import write_charts
from assetloc.report.data import DEFAULT_POINTS, report_data
from assetloc.report.html import write_report


def _report(
    file: Annotated[Path, typer.Argument(help="household TOML file")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write")] = Path(
        "report.html"
    ),
    charts_dir: Annotated[
        Path | None, typer.Option("--charts", help="also write PNG and SVG charts here")
    ] = None,
    points: Annotated[int, typer.Option("--points", min=2, max=2000)] = DEFAULT_POINTS,
) -> None:
    """Write an offline HTML report: holdings, metrics, frontier, methods, assumptions."""
    data = report_data(load_household(file), points)
    path = write_report(data, output)
    typer.echo(f"wrote {path}")
    if charts_dir is not None:
        for paths in write_charts(data, charts_dir).values():
            for p in paths:
                typer.echo(f"wrote {p}")


def register(app: typer.Typer) -> None:
    """Attach ``report`` to ``app``."""
    app.command("report")(_report)

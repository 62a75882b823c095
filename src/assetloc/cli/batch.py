"""`assetloc batch INPUT --out OUTPUT`: one task over many households (thin shell)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

#: exit code when the batch ran but some households failed (README "Exit codes")
SOME_FAILED = 5


def _batch(
    source: Annotated[Path, typer.Argument(metavar="INPUT", help=".toml folder, .jsonl, .parquet")],
    out: Annotated[Path, typer.Option("--out", help="JSON Lines, or Parquet if .parquet")],
    task: Annotated[
        str, typer.Option("--task", help="optimize|rebalance|taxes|tax-year|harvest|simulate")
    ] = "optimize",
    workers: Annotated[int | None, typer.Option("--workers", help="processes (all cores)")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="skip ids already in OUTPUT")] = False,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler tcp://HOST:PORT (assetloc\\[dask])"),
    ] = None,
) -> None:
    """Run one task on every household of INPUT; one JSON row per household in OUTPUT."""
    import sys

    from assetloc.batch import run_batch
    from assetloc.batch.progress import bar

    with bar(sys.stderr) as progress:
        summary = run_batch(
            source,
            out,
            task=task,
            workers=workers,
            resume=resume,
            progress=progress,
            scheduler=scheduler,
        )
    for line in summary.lines():
        typer.echo(line, err=True)
    if summary.any_failed:
        sys.exit(SOME_FAILED)


def register(app: typer.Typer) -> None:
    """Attach ``batch`` to ``app``."""
    app.command("batch")(_batch)

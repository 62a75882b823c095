"""`assetloc report FILE -o report.html`: one self-contained HTML report (and charts)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

#: return targets on the report's frontier (the same as
#: :data:`assetloc.present.report_data.DEFAULT_POINTS`; a test checks they agree)
DEFAULT_POINTS = 60


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
    from assetloc.cli.loading import household as load_household
    from assetloc.errors import InputError
    from assetloc.present.html import write_report
    from assetloc.present.report_data import report_data

    check_destinations(output, charts_dir)
    data = report_data(load_household(file), points)
    try:
        path = write_report(data, output)
    except OSError as err:
        raise InputError("--output", _cannot_write(output, err)) from None
    typer.echo(f"wrote {path}")
    if charts_dir is not None:
        from assetloc.present.charts import write_charts

        try:
            written = write_charts(data, charts_dir)
        except OSError as err:
            raise InputError("--charts", _cannot_write(charts_dir, err)) from None
        for paths in written.values():
            for p in paths:
                typer.echo(f"wrote {p}")


def _cannot_write(path: Path, err: OSError) -> str:
    reason = err.strerror or err.__class__.__name__
    where = f" ({err.filename})" if err.filename and str(err.filename) != str(path) else ""
    return f"cannot write {path}: {reason}{where}"


def check_destinations(output: Path, charts_dir: Path | None) -> None:
    """Reject, before any work, an ``--output`` that is a directory and a ``--charts``
    that is an existing file (either under a file); :class:`InputError` naming the option.
    Other failures (no permission, a read-only or virtual file system) surface when the
    file is written, as the same one-line error."""
    from assetloc.errors import InputError

    if output.is_dir():
        raise InputError("--output", f"{output} is a directory: give a file, e.g. report.html")
    _no_file_above("--output", output.parent)
    if charts_dir is not None:
        if charts_dir.exists() and not charts_dir.is_dir():
            raise InputError("--charts", f"{charts_dir} is a file: give a directory for charts")
        _no_file_above("--charts", charts_dir)


def _no_file_above(option: str, directory: Path) -> None:
    """A directory to create must not have an existing file on its path."""
    from assetloc.errors import InputError

    for parent in (directory, *directory.parents):
        if parent.exists():
            if not parent.is_dir():
                raise InputError(option, f"{parent} is a file, not a directory")
            return


def register(app: typer.Typer) -> None:
    """Attach ``report`` to ``app``."""
    app.command("report")(_report)

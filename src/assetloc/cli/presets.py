"""`assetloc presets`: the bundled capital market assumptions, with sources and dates."""

from __future__ import annotations

from typing import Annotated

import typer


def _presets(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the bundled capital market assumptions with their sources and dates."""
    from assetloc.market.assumptions import load_preset, preset_names
    from assetloc.present import jsonout

    if as_json:
        from assetloc.present.documents import presets_document

        typer.echo(jsonout.dumps(presets_document()))
        return
    sets = [load_preset(n) for n in preset_names()]
    from rich.table import Table

    from assetloc.present.fmt import console as new_console
    from assetloc.present.fmt import pct

    console = new_console()
    for m in sets:
        t = Table(title=f"{m.name}: {m.source} ({m.date})")
        for col in ("class", "id", "E (pre-tax)", "SD", "tax rate at 40% ordinary"):
            t.add_column(col, justify="left" if col in ("class", "id") else "right")
        rows = zip(m.labels, m.ids, m.expected_return, m.volatility, m.tax_rate, strict=True)
        for lab, c, r, v, tr in rows:
            t.add_row(lab, c, pct(r, 2), pct(v, 2), pct(tr, 2))
        console.print(t)
        for note in m.notes:
            console.print(f"  note: {note}")


def register(app: typer.Typer) -> None:
    """Attach ``presets`` to ``app``."""
    app.command("presets")(_presets)

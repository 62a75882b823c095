"""`assetloc schema`: the JSON Schema of the household file."""

from __future__ import annotations

import typer


def _schema() -> None:
    """Print the JSON Schema of the household file."""
    import json

    from assetloc.inputs.household import household_schema

    typer.echo(json.dumps(household_schema(), indent=2))


def register(app: typer.Typer) -> None:
    """Attach ``schema`` to ``app``."""
    app.command("schema")(_schema)

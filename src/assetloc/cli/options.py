"""Arguments and options that several commands share (typer annotations only: no imports
of the library, so that ``assetloc --help`` stays fast)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

#: the household TOML file every analysis command reads
FileArg = Annotated[Path, typer.Argument(help="household TOML file")]
#: ``--json``: print one JSON object and nothing else
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object")]
#: ``--holdings``: a holdings CSV replacing the accounts' holdings
HoldingsOpt = Annotated[
    Path | None,
    typer.Option("--holdings", help="holdings CSV replacing the accounts' holdings"),
]
#: ``--as-of``: the trade date
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="trade date YYYY-MM-DD (default: file/today)")
]
#: ``--db``: the ledger database URL, overriding the file's ``[ledger] url``
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="ledger database URL (SQLAlchemy; default: \\[ledger] url)"),
]

"""`assetloc ledger ...`: the household's transaction ledger (thin shell over
:mod:`assetloc.ledger.api`): ``import`` a file, list open ``lots``, the ``realized`` sales of
a year, write ``form8949``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from assetloc.cli.options import FileArg, JsonOpt

ledger_app = typer.Typer(
    name="ledger",
    help="The transaction ledger: import files, open lots, realized sales, Form 8949.",
    no_args_is_help=True,
    add_completion=False,
)

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy URL of the ledger (default: \\[ledger] url)"),
]


def _date(name: str, text: str | None) -> dt.date | None:
    from assetloc.inputs.dates import parse_date

    return None if text is None else parse_date(name, text)


def _import(
    file: FileArg,
    data: Annotated[Path, typer.Argument(help="ledger, orders or broker positions CSV")],
    db: DbOpt = None,
    fmt: Annotated[
        str,
        typer.Option("--format", help="auto | ledger | orders | fidelity | schwab | vanguard"),
    ] = "auto",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="orders: the day they were executed; positions: the day they were held "
            "(default: the file's date, else today)",
        ),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option("--account", help="positions: the household account the file's rows go to"),
    ] = None,
    acquired: Annotated[
        str | None,
        typer.Option("--acquired", help="positions: the lots' acquisition date YYYY-MM-DD"),
    ] = None,
    basis_unknown: Annotated[
        bool,
        typer.Option("--basis-unknown", help="Vanguard positions: record the lots at $0 basis"),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import a file into the ledger: atomic (all rows or none) and idempotent."""
    from assetloc.inputs.household import load_household
    from assetloc.ledger.api import import_file

    day = _date("--as-of", as_of)
    acq = _date("--acquired", acquired)
    h = load_household(file)
    result = import_file(
        h,
        file,
        data,
        db,
        fmt.lower(),
        as_of=day,
        account=account,
        acquired=acq,
        basis_unknown=basis_unknown,
    )
    if as_json:
        from assetloc.notice import NOTICE
        from assetloc.present import jsonout

        typer.echo(jsonout.dumps({**result.to_dict(), "notice": NOTICE}))
    else:
        from assetloc.present.ledger_tables import print_import

        print_import(result)


def _lots(
    file: FileArg,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="lots at the end of this day (default: today)")
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open lots per account: acquired (tacked), shares, basis (wash adjustment included)."""
    from assetloc.inputs.household import load_household
    from assetloc.ledger.api import open_lots

    day = _date("--as-of", as_of)
    result = open_lots(load_household(file), file, day, db)
    if as_json:
        from assetloc.present import jsonout

        typer.echo(jsonout.dumps(result.to_dict()))
    else:
        from assetloc.present.ledger_tables import print_lots

        print_lots(result)


YearOpt = Annotated[int, typer.Option("--year", help="tax year, e.g. 2025")]


def _realized(file: FileArg, year: YearOpt, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Every sale of the year (wash sales adjusted) and the year's totals."""
    from assetloc.inputs.household import load_household
    from assetloc.ledger.api import realized

    result = realized(load_household(file), file, year, db)
    if as_json:
        from assetloc.present import jsonout

        typer.echo(jsonout.dumps(result.to_dict()))
    else:
        from assetloc.present.ledger_tables import print_realized

        print_realized(result)


def _form8949(
    file: FileArg,
    year: YearOpt,
    out: Annotated[Path, typer.Option("-o", "--output", help="CSV file to write")],
    box_short: Annotated[
        str, typer.Option("--box-short", help="A | B | C: the short-term box (Form 8949 Part I)")
    ] = "A",
    box_long: Annotated[
        str | None,
        typer.Option("--box-long", help="D | E | F: the long-term box (default: A→D, B→E, C→F)"),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Write the year's sales as Form 8949 rows (CSV)."""
    from assetloc.inputs.household import load_household
    from assetloc.ledger.api import write_form8949

    n = write_form8949(
        load_household(file), file, year, out, box_short.upper(), box_long and box_long.upper(), db
    )
    typer.echo(f"wrote {n} Form 8949 rows of {year} to {out}")
    from assetloc.notice import NOTICE

    typer.echo(NOTICE)


ledger_app.command("import")(_import)
ledger_app.command("lots")(_lots)
ledger_app.command("realized")(_realized)
ledger_app.command("form8949")(_form8949)


def register(app: typer.Typer) -> None:
    """Attach the ``ledger`` commands to ``app``."""
    app.add_typer(ledger_app, name="ledger")

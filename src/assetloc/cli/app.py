"""Command-line shell over the library. Thin: parse options, call, print."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer.exceptions import Abort, Exit, TyperException

from assetloc.errors import AssetlocError

app = typer.Typer(
    name="assetloc",
    help="Tax-aware asset allocation and location for a multi-account household. "
    "Estimates, not tax advice.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_registered = False


def _print_version(value: bool) -> None:
    if value:
        from assetloc._version import __version__

        typer.echo(f"assetloc {__version__}")
        raise Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="print the version"),
    ] = False,
) -> None:
    """Tax-aware asset allocation and location. Estimates, not tax advice.

    Exit codes: 0 success, 2 bad input, 3 infeasible constraints, 4 solver failure.
    """


def _register_commands() -> None:
    """Attach every command module to the app once (each exposes ``register(app)``)."""
    global _registered
    if _registered:
        return
    from assetloc.cli import analysis as cli_analysis
    from assetloc.cli import bond as cli_bond
    from assetloc.cli import optimize as cli_optimize
    from assetloc.cli import report as cli_report
    from assetloc.cli import tax_year as cli_tax_year
    from assetloc.cli import taxes as cli_taxes

    cli_optimize.register(app)
    cli_analysis.register(app)
    cli_report.register(app)
    cli_taxes.register(app)
    cli_tax_year.register(app)
    cli_bond.register(app)
    from assetloc.cli import rebalance as cli_rebalance

    cli_rebalance.register(app)
    _registered = True


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app; report errors as one line with their exit code."""
    _register_commands()
    try:
        app(args=argv, standalone_mode=False)
    except AssetlocError as err:
        typer.echo(f"error: {err}", err=True)
        sys.exit(err.exit_code)
    except TyperException as err:  # usage errors: unknown option, missing argument, ...
        message = err.format_message()
        if message:  # no arguments at all: help was printed already
            typer.echo(f"error: {message}", err=True)
        sys.exit(err.exit_code)
    except Exit as err:
        sys.exit(err.exit_code)
    except Abort:
        sys.exit(130)

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
#: the exit code of a run stopped by Ctrl-C (SIGINT), as shells report it
INTERRUPTED = 130


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

    Exit codes: 0 success, 2 bad input, 3 infeasible constraints, 4 solver failure,
    5 (batch) some households failed.
    """


def _register_commands() -> None:
    """Attach every command to the app once, in the order ``--help`` lists them.

    One module per command, each exposing ``register(app)``; they import the library
    inside the command function, so ``assetloc --help`` loads none of it."""
    global _registered
    if _registered:
        return
    from assetloc.cli import (
        batch,
        bond,
        compare,
        frontier,
        harvest,
        import_holdings,
        ledger,
        optimize,
        presets,
        rebalance,
        report,
        schema,
        serve,
        simulate,
        tax_year,
        taxes,
        validate,
    )

    for command in (
        optimize,
        validate,
        schema,
        presets,
        frontier,
        compare,
        simulate,
        report,
        taxes,
        tax_year,
        bond,
        rebalance,
        harvest,
        import_holdings,
        ledger,
        batch,
        serve,
    ):
        command.register(app)
    _registered = True


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app; report errors as one line with their exit code."""
    try:
        _run(argv)
    except KeyboardInterrupt:  # outside the command (loading it): the same line and code
        _interrupted()


def _interrupted() -> None:
    typer.echo("error: interrupted (Ctrl-C): output written so far is kept", err=True)
    sys.exit(INTERRUPTED)


def _run(argv: list[str] | None) -> None:
    _register_commands()
    try:
        # without standalone mode typer returns the exit code of an Exit it caught (Ctrl-C
        # is Exit(130)) instead of leaving: a non-zero one must not end as exit 0
        code = app(args=argv, standalone_mode=False)
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
    if isinstance(code, int) and not isinstance(code, bool) and code != 0:
        if code == INTERRUPTED:
            _interrupted()
        sys.exit(code)

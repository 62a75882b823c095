"""`assetloc simulate FILE`: the household year by year, strategies side by side (thin shell
over :func:`assetloc.present.documents.simulate_document`, which the batch runs too).

The flags override the file's ``[plan]`` table. A progress bar goes to stderr, only when
stderr is a terminal and only once a run has taken more than a second; stdout carries the
tables, or with ``--json`` one JSON document and nothing else.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING, Annotated

import typer

from assetloc.cli.options import FileArg, JsonOpt

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

#: the values of ``--returns`` (those of ``[plan] returns``)
RETURNS = ("montecarlo", "bootstrap", "deterministic")
#: seconds a run goes before its progress bar appears
BAR_DELAY_S = 1.0


class ProgressBar:
    """The ``progress(done, total, what)`` callback: a rich bar on stderr once a run has
    lasted :data:`BAR_DELAY_S`, only when ``enabled`` (stderr is a terminal). A context
    manager: leaving it removes the bar."""

    def __init__(self, enabled: bool, delay_s: float = BAR_DELAY_S) -> None:
        self.enabled = enabled
        self.delay_s = delay_s
        self._t0 = time.monotonic()
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressBar:
        self._t0 = time.monotonic()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __call__(self, done: int, total: int, what: str) -> None:
        """Advance the bar to ``done`` of ``total`` steps, labelled ``what``."""
        if not self.enabled:
            return
        if self._progress is None:
            if time.monotonic() - self._t0 < self.delay_s:
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(what, total=total)
        if self._task is not None:
            self._progress.update(self._task, completed=done, total=total, description=what)


def _simulate(
    file: FileArg,
    paths: Annotated[
        int | None,
        typer.Option("--paths", min=1, max=1_000_000, help="scenarios (default: \\[plan] paths)"),
    ] = None,
    years: Annotated[
        int | None, typer.Option("--years", min=1, max=100, help="years (default: \\[plan] years)")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="random seed (default: \\[plan] seed)")
    ] = None,
    returns: Annotated[
        str | None,
        typer.Option(
            "--returns", help="montecarlo | bootstrap | deterministic (default: \\[plan])"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The household year by year: strategies side by side, location value, lifecycle."""
    from assetloc.cli.loading import load
    from assetloc.errors import InputError
    from assetloc.present import jsonout
    from assetloc.present.documents import simulate_document

    if returns is not None and returns not in RETURNS:
        raise InputError("--returns", f"must be one of {', '.join(RETURNS)} (got {returns!r})")
    loaded = load(file)
    with ProgressBar(enabled=sys.stderr.isatty()) as bar:
        d = simulate_document(
            loaded, paths=paths, years=years, seed=seed, returns=returns, progress=bar
        )
    if as_json:
        typer.echo(jsonout.dumps(d))
        return
    from assetloc.present.fmt import console as new_console
    from assetloc.present.simulate_tables import print_simulation

    print_simulation(jsonout.clean(d), new_console())


def register(app: typer.Typer) -> None:
    """Attach ``simulate`` to ``app``."""
    app.command("simulate")(_simulate)

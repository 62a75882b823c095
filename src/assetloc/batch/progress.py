"""A rich progress bar on a terminal's stderr (households/s, time left); nothing otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from assetloc.batch.engine import Progress


@contextmanager
def bar(stream: TextIO) -> Iterator[Progress | None]:
    """A progress callback drawing on ``stream`` when it is a TTY, else ``None``."""
    if not stream.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress

    with RichProgress(
        TextColumn("batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=Console(file=stream),
    ) as rp:
        tid = rp.add_task("batch", total=None, rate="")

        def update(done: int, total: int) -> None:
            speed = rp.tasks[0].speed
            rate = f"{speed:.1f} households/s" if speed else ""
            rp.update(tid, completed=done, total=total, rate=rate)

        yield update

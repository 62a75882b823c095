"""Chunk runners that kill their worker process (for the batch's fault tests)."""

from __future__ import annotations

import os
from pathlib import Path

from assetloc.batch.inputs import Item
from assetloc.batch.tasks import run_chunk


def dies_always(items: list[Item], task: str) -> list[str]:
    """Kill the worker on any chunk holding an id starting ``die``."""
    if any(i.id.startswith("die") for i in items):
        os._exit(1)
    return run_chunk(items, task)


def dies_once(items: list[Item], task: str) -> list[str]:
    """Kill the worker the first time a chunk holds an id starting ``die`` (a marker file)."""
    if any(i.id.startswith("die") for i in items):
        marker = Path(items[0].path).parent / "died-once"
        if not marker.exists():
            marker.write_text("x")
            os._exit(1)
    return run_chunk(items, task)


def text_only(items: list[Item], task: str) -> list[str]:
    """Fail the chunk unless every household file came with its TOML text (Dask path)."""
    if any(i.from_toml and i.text is None for i in items):
        raise AssertionError("a household file was sent as its path, not its text")
    return run_chunk(items, task)


def heap_state(items: list[Item], task: str) -> list[str]:
    """One row per household: the worker's collector thresholds and frozen object count
    (JSON), instead of running the task (the heap tests)."""
    import gc
    import json

    from assetloc import heap

    state = json.dumps(
        {
            "threshold": gc.get_threshold(),
            "frozen": gc.get_freeze_count(),
            "settled_with": sorted(heap.settled_with),
        }
    )
    return [state for _ in items]


def dies_once_logging_pids(items: list[Item], task: str) -> list[str]:
    """:func:`dies_once`, each chunk appending its worker's process id to ``pids`` beside
    the households' folder (which processes ran the batch)."""
    with (Path(items[0].path).parent / "pids").open("a") as f:
        f.write(f"{os.getpid()}\n")
    return dies_once(items, task)


def slow_logging_chunks(items: list[Item], task: str) -> list[str]:
    """:func:`run_chunk` after half a second, each chunk appending a line to ``started``
    beside the households' folder as it begins (how many chunks ran, the rest of a batch
    taking seconds, not a blink)."""
    import time

    with (Path(items[0].path).parent / "started").open("a") as f:
        f.write(f"{items[0].id}\n")
    time.sleep(0.5)
    return run_chunk(items, task)


def settled() -> bool:
    """Whether this process ran the batch workers' start (:func:`assetloc.heap.settle` with
    the hot path loaded): run on a Dask worker by ``client.run``."""
    from assetloc import heap

    return "assetloc.analysis.optimize" in heap.settled_with

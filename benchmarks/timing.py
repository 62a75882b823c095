"""Shared timing helpers for the benchmarks (medians, milliseconds)."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs after one warm-up, milliseconds."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def interleaved_ms(
    runs: dict[str, tuple[Callable[[], object], int]], rounds: int
) -> dict[str, list[float]]:
    """Per-round medians (ms) of several functions timed in turns, ``rounds`` times.

    ``runs`` maps a name to (function, calls per round). Timing the peers in alternation
    exposes them to the same machine state (a shared machine drifts between fast and slow
    phases lasting seconds), so per-round ratios are fair even when absolute times drift.
    The garbage collector is paused while a function is timed.
    """
    out: dict[str, list[float]] = {name: [] for name in runs}
    for fn, _ in runs.values():
        fn()  # warm-up
    for _ in range(rounds):
        for name, (fn, calls) in runs.items():
            gc.disable()
            try:
                out[name].append(median_ms(fn, calls))
            finally:
                gc.enable()
    return out

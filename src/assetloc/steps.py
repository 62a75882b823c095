"""A computation in stages: a generator that yields between them, run alone or in lockstep.

A household's path (load, problem, solver, baselines, document) is written once, as plain
sequential code with a bare ``yield`` where one stage ends and the next begins. Run alone
(:func:`run`) it is just that code. A batch runs a chunk of households in lockstep
(:func:`lockstep`): every household's first stage, then every household's second, ...
Each household computes exactly what it computes alone (same code, same order of its own
operations: the rows are identical), but one stage's code and data stay in the CPU's
caches across the chunk instead of being evicted by the whole path once per household:
measured 0.97 -> 0.73 ms per household on the batch benchmark's households
(``benchmarks/bench_batch_hotpath.py``).

Stages must not share state across households (nothing a stage leaves in a module global
for a later stage of the same household); exceptions propagate out of the generator as
they would out of the plain call.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

T = TypeVar("T")

#: a computation that yields ``None`` between its stages and returns its result
Steps = Generator[None, None, T]


def run(steps: Steps[T]) -> T:
    """The result of ``steps`` run alone, every stage in turn (its exceptions propagate)."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            result: T = stop.value
            return result


def lockstep(all_steps: list[Steps[T]]) -> list[T]:
    """The results of ``all_steps``, in order, run stage by stage: each round advances
    every unfinished computation by one stage. An exception in one stops the round and
    propagates (give computations that catch their own: a batch row's do)."""
    results: list[T | None] = [None] * len(all_steps)
    live = list(enumerate(all_steps))
    while live:
        going = []
        for i, steps in live:
            try:
                next(steps)
            except StopIteration as stop:
                results[i] = stop.value
            else:
                going.append((i, steps))
        live = going
    return results  # type: ignore[return-value]  # every slot was filled by its StopIteration

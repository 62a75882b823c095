"""assetloc.steps: a computation in stages gives the same result alone and in lockstep."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetloc.steps import Steps, lockstep, run


def staged(name: int, stages: int, trace: list[tuple[int, int]]) -> Steps[int]:
    """``stages`` stages, each noted in ``trace`` as (name, stage); returns name squared."""
    for s in range(stages):
        trace.append((name, s))
        yield
    trace.append((name, stages))
    return name * name


@given(st.lists(st.integers(0, 6), max_size=12))
def test_lockstep_gives_each_result_in_order_one_stage_per_round(counts: list[int]) -> None:
    trace: list[tuple[int, int]] = []
    results = lockstep([staged(i, c, trace) for i, c in enumerate(counts)])
    assert results == [i * i for i in range(len(counts))]
    # round r runs stage r of every computation that has one, in input order
    expected = [
        (i, r) for r in range(max(counts, default=-1) + 1) for i, c in enumerate(counts) if r <= c
    ]
    assert trace == expected


@given(st.integers(0, 8))
def test_run_alone_runs_every_stage_in_turn(stages: int) -> None:
    trace: list[tuple[int, int]] = []
    assert run(staged(7, stages, trace)) == 49
    assert trace == [(7, s) for s in range(stages + 1)]


def failing(stage: int) -> Steps[int]:
    """Fails in stage ``stage`` (counted from 0)."""
    for _ in range(stage):
        yield
    raise ValueError(f"stage {stage}")


def test_an_exception_propagates_as_from_the_plain_call() -> None:
    with pytest.raises(ValueError, match="stage 2"):
        run(failing(2))
    with pytest.raises(ValueError, match="stage 1"):
        lockstep([staged(1, 3, []), failing(1)])

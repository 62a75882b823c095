"""Per-household milliseconds of the batch hot path beside cvxpy on the same model.

Households: varied 17-class, 4-account households (``hotpath_households.py``). Timed in
interleaved rounds (see ``timing.py``), each call one household, cycling through them:

* ``hot path``: household dict -> ``parse_household`` -> ``optimize`` -> its JSON document
  (``jsonout.dumps``, one line as a JSON Lines row; and indented, as ``--json`` prints).
* ``batch rows in lockstep``: what a batch worker does with a chunk, ``run_chunk`` on 64
  households (loaded, optimized, each row written as a JSON line), stage by stage
  (:mod:`assetloc.steps`), per household: the peer of the one-at-a-time JSON line.
* cvxpy + Clarabel: build the one-stage model from the same problem arrays and solve it
  (``bench_optimize.cvxpy_solve``), the arrays made beforehand (not timed).

Prints the medians (ms per household) and the issue 15 budget: 0.6 ms per household per
core (100,000 households in 30 s on 2 cores). Run by hand:
`cd benchmarks && PYTHONPATH=../src:. python bench_batch_hotpath.py`.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable

from assetloc import build_problem, optimize, parse_household
from assetloc.batch.inputs import Item
from assetloc.batch.tasks import run_chunk
from assetloc.present import jsonout
from hotpath_households import household

from bench_optimize import cvxpy_solve
from timing import interleaved_ms

HOUSEHOLDS = 256
CHUNK = 64  # households per batch chunk (the most ``engine.chunk_size`` gives)
ROUNDS = 30
BUDGET_MS = 0.6


def cycling(fn: Callable[[object], object], items: list[object]) -> Callable[[], object]:
    """A call that applies ``fn`` to the next item, round robin."""
    it = itertools.cycle(items)
    return lambda: fn(next(it))


def main() -> None:
    data: list[object] = [household(s) for s in range(HOUSEHOLDS)]
    problems: list[object] = [build_problem(parse_household(d)) for d in data]  # type: ignore[arg-type]

    def one_line(d: object) -> str:
        return jsonout.dumps(optimize(parse_household(d)).to_dict(), indent=None)  # type: ignore[arg-type]

    def indented(d: object) -> str:
        return jsonout.dumps(optimize(parse_household(d)).to_dict())  # type: ignore[arg-type]

    items = [Item(f"h{s}", f"h{s}.toml", d, False) for s, d in enumerate(data)]
    chunks: list[object] = [items[k : k + CHUNK] for k in range(0, len(items), CHUNK)]

    def chunk_rows(c: object) -> list[str]:
        return run_chunk(c, "optimize")  # type: ignore[arg-type]

    rounds = interleaved_ms(
        {
            "line": (cycling(one_line, data), 64),
            "lockstep": (cycling(chunk_rows, chunks), 4),
            "indented": (cycling(indented, data), 40),
            "cvxpy": (cycling(cvxpy_solve, problems), 4),  # type: ignore[arg-type]
        },
        ROUNDS,
    )
    med = {name: statistics.median(t) for name, t in rounds.items()}
    med["lockstep"] /= CHUNK
    print(f"{HOUSEHOLDS} households, 17 classes x 4 accounts; medians of {ROUNDS} rounds (ms):")
    print(f"  hot path, dict -> optimize -> JSON line:      {med['line']:.3f} ms per household")
    lockstep = f"batch rows, chunks of {CHUNK} in lockstep:"
    print(f"  {lockstep:44s} {med['lockstep']:.3f} ms per household")
    print(f"  hot path, dict -> optimize -> indented JSON:  {med['indented']:.3f} ms per household")
    print(f"  cvxpy + Clarabel, model build + solve only:   {med['cvxpy']:.3f} ms per household")
    print(f"  ratio cvxpy / hot path (JSON line): {med['cvxpy'] / med['line']:.1f}x")
    print(f"  ratio one at a time / lockstep: {med['line'] / med['lockstep']:.2f}x")
    met = med["lockstep"] <= BUDGET_MS
    print(
        f"issue 15 budget ({BUDGET_MS} ms per household per core): "
        f"{'met' if met else 'NOT met'} "
        f"(batch rows in lockstep: {100_000 * med['lockstep'] / 2e3:.0f} s for 100,000 on 2 "
        "cores, before the workers' and the parent's own costs)"
    )


if __name__ == "__main__":
    main()

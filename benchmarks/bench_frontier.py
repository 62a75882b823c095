"""Time a 100-point after-tax frontier: warm-started, cold, and a cvxpy parameter sweep.

Household: benchmarks/bench_optimize.py's (17 classes, 4 accounts). Three ways to the same
100 points, timed in interleaved rounds in one process (each round runs all three in
turn; this shared machine drifts between fast and slow phases lasting seconds, so the
ratios are taken per round and their median printed):

* ours, warm: ``assetloc.solve.frontier_sweep`` (what ``view_frontier`` runs) and each
  point's return and volatility: the least-variance QP assembled once, only the return
  target's bound updated between points, DAQP warm-started from the previous active set;
* ours, cold: the same sweep with every point solved from scratch
  (``frontier_sweep(..., warm=False)``, as before the warm start);
* cvxpy: the return target a Parameter (canonicalized once), each point re-solved by
  Clarabel.

Checks, before timing: warm and cold points agree (expected return and volatility to
1e-9), and cvxpy's volatilities to ``CVX_TOL`` (an interior-point solver's accuracy).
Run by ``make bench`` or by hand: ``.venv/bin/python benchmarks/bench_frontier.py``.
"""

from __future__ import annotations

import statistics

import cvxpy as cp
import numpy as np

from assetloc import build_problem, parse_household
from assetloc.analysis.frontier import view_frontier
from assetloc.solve import frontier_sweep

from bench_optimize import HOUSEHOLD
from timing import interleaved_ms

POINTS = 100
ROUNDS = 20
WARM_TOL = 1e-9  # decimal: warm vs cold expected return and volatility per point
CVX_TOL = 1e-6  # decimal: cvxpy + Clarabel vs ours, volatility per point


def main() -> None:
    p = build_problem(parse_household(HOUSEHOLD))
    ours = view_frontier(p, "financial", POINTS)
    targets = [pt.expected_return for pt in ours.points]

    def points(warm: bool) -> list[tuple[float, float]]:
        """(expected return, volatility) of each frontier point."""
        sweep = frontier_sweep(p, "financial", POINTS, warm=warm)
        v = sweep.problem.view("financial")
        out = []
        for x in sweep.holdings:
            z = v.portfolio(sweep.exposure @ x)
            out.append((float(p.mu @ z), float(np.sqrt(max(z @ p.cov @ z, 0.0)))))
        return out

    warm_gap = max(
        max(abs(a.expected_return - e), abs(a.volatility - s))
        for a, (e, s) in zip(ours.points, points(False), strict=True)
    )
    if warm_gap > WARM_TOL:
        raise RuntimeError(f"warm and cold frontiers differ by {warm_gap:.1e}")

    x = cp.Variable((p.k, p.n))
    e = cp.sum(cp.multiply(p.tau, x), axis=0)
    r = cp.Parameter()
    prob = cp.Problem(
        cp.Minimize(cp.quad_form(e, cp.psd_wrap(p.cov))),
        [x >= p.lower, x <= p.upper, cp.sum(x, axis=1) == p.budgets, p.mu @ e >= r],
    )

    def sweep() -> list[float]:
        out = []
        for t in targets:
            r.value = t
            prob.solve(solver="CLARABEL")
            out.append(float(np.sqrt(max(prob.value, 0.0))))
        return out

    gap = max(abs(a.volatility - b) for a, b in zip(ours.points, sweep(), strict=True))
    if gap > CVX_TOL:
        raise RuntimeError(f"cvxpy's frontier differs from ours by {gap:.1e}")

    t = interleaved_ms(
        {
            "warm": (lambda: points(True), 3),
            "cold": (lambda: points(False), 3),
            "cvxpy": (sweep, 1),
        },
        ROUNDS,
    )
    med = {k: statistics.median(v) for k, v in t.items()}

    def ratio(peer: str) -> str:
        rs = [b / a for a, b in zip(t["warm"], t[peer], strict=True)]
        return f"{statistics.median(rs):.1f}x (rounds {min(rs):.1f}-{max(rs):.1f}x)"

    print(f"{POINTS}-point frontier, {p.n} classes x {p.k} accounts, {ROUNDS} interleaved rounds")
    print(f"  ours, warm-started:                    median {med['warm']:7.1f} ms")
    print(f"  ours, cold (every point from scratch): median {med['cold']:7.1f} ms")
    print(f"  cvxpy parameter sweep (Clarabel):      median {med['cvxpy']:7.1f} ms")
    print(f"  cold / warm: {ratio('cold')}; cvxpy / warm: {ratio('cvxpy')}")
    print(f"  max |difference|: warm vs cold {warm_gap:.1e}, cvxpy vs ours (SD) {gap:.1e}")


if __name__ == "__main__":
    main()

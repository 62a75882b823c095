"""Time a 100-point after-tax frontier against a cvxpy parameter sweep (same process).

Household: benchmarks/bench_optimize.py's (17 classes, 4 accounts). Ours: the frontier of
``assetloc.analysis.frontier.view_frontier`` (least variance at each return target, DAQP). Peer:
cvxpy with the return target as a Parameter (canonicalized once, re-solved by Clarabel).
Prints medians (ms) and the ratio, and the largest volatility difference between the two.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

from assetloc import build_problem, parse_household
from assetloc.analysis.frontier import view_frontier

from bench_optimize import HOUSEHOLD
from timing import median_ms

POINTS = 100


def main() -> None:
    p = build_problem(parse_household(HOUSEHOLD))
    ours = view_frontier(p, "financial", POINTS)
    targets = [pt.expected_return for pt in ours.points]

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

    theirs = sweep()
    gap = max(abs(a.volatility - b) for a, b in zip(ours.points, theirs, strict=True))

    t_ours = median_ms(lambda: view_frontier(p, "financial", POINTS), 15)
    t_cvx = median_ms(sweep, 3)
    print(f"{POINTS}-point frontier, {p.n} classes x {p.k} accounts")
    print(f"assetloc view_frontier: median {t_ours:.1f} ms")
    print(f"cvxpy parameter sweep:  median {t_cvx:.1f} ms")
    print(f"ratio: {t_cvx / t_ours:.1f}x; max |SD difference| {gap:.2e}")


if __name__ == "__main__":
    main()

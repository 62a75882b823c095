"""The warm-started frontier sweep equals the sweep solved point by point from scratch.

``frontier_sweep`` assembles the least-variance QP once and only moves the return target's
bound between points (DAQP warm-started from the previous active set); ``warm=False``
solves every point cold, as the optimizer does. Holdings need not be unique (accounts can
trade the same exposure), so the points are compared by what defines them: the after-tax
expected return and variance of the view's portfolio, to 1e-9 and 1e-8 (decimal returns;
the measured worst over 360 random sweeps was 1.4e-12 and 1.6e-10).
"""

from __future__ import annotations

import numpy as np
import pytest

from assetloc import InfeasibleError, build_problem, parse_household
from assetloc.errors import InputError
from assetloc.solve import frontier_sweep

from support.householdgen import random_household

RETURN_TOL = 1e-9  # decimal per year
VARIANCE_TOL = 1e-8  # decimal² per year
CASES = [(seed, kind) for seed in range(12) for kind in (None, "mean_variance", "fixed_mix")]


@pytest.mark.parametrize(("seed", "kind"), CASES)
@pytest.mark.parametrize("view", ["financial", "net_worth"])
def test_warm_and_cold_frontiers_agree_point_by_point(
    seed: int, kind: str | None, view: str
) -> None:
    p = build_problem(parse_household(random_household(seed, kind)))
    try:
        warm = frontier_sweep(p, view, 30)
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            frontier_sweep(p, view, 30, warm=False)
        return
    cold = frontier_sweep(p, view, 30, warm=False)
    free, v = warm.problem, warm.problem.view(view)
    assert len(warm.holdings) == len(cold.holdings) == 30

    def stats(x: np.ndarray) -> tuple[float, float]:
        z = v.portfolio(warm.exposure @ x)
        return float(free.mu @ z), float(z @ free.cov @ z)

    returns = []
    for xw, xc in zip(warm.holdings, cold.holdings, strict=True):
        (ew, vw), (ec, vc) = stats(xw), stats(xc)
        assert ew == pytest.approx(ec, abs=RETURN_TOL)
        assert vw == pytest.approx(vc, abs=VARIANCE_TOL)
        returns.append(ew)
    # the targets are evenly spaced from the least-variance return to the greatest
    spacing = np.diff(returns)
    assert np.allclose(spacing, spacing.mean(), atol=1e-8)


def test_fewer_than_two_points_is_an_input_error() -> None:
    p = build_problem(parse_household(random_household(0, "mean_variance")))
    with pytest.raises(InputError):
        frontier_sweep(p, "financial", 1)


def test_a_point_daqp_cannot_warm_start_is_solved_cold_to_the_same_answer() -> None:
    """With no warm workspace (DAQP failed to set up or to solve), each point goes to the
    cold solver (DAQP, then HiGHS as arbiter) and meets the same target."""
    from assetloc.solve._constraints import constraints, exposure_map, variables
    from assetloc.solve._frontier import least_variance_sweep
    from assetloc.solve._merge import merged, partition
    from assetloc.solve._solver import min_variance, return_row

    p = build_problem(parse_household(random_household(3, "mean_variance")))
    pooled = merged(p, partition(p, np.zeros(p.k, dtype=bool))[0])
    cols = variables(pooled)
    m, c = exposure_map(pooled, cols), constraints(pooled, cols)
    view = p.view("financial")
    row, const = return_row(p, m, view)
    lo = float(row @ min_variance(p, m, c, view, None)) + const
    sweep = least_variance_sweep(p, m, c, view)
    sweep.model = None
    for target in (lo, lo + 0.002, lo + 0.004):
        x_cold = min_variance(p, m, c, view, target)
        x_fallback = sweep.solve(target - const)
        z_cold, z_fall = view.portfolio(m @ x_cold), view.portfolio(m @ x_fallback)
        assert float(p.mu @ z_fall) == pytest.approx(float(p.mu @ z_cold), abs=RETURN_TOL)
        assert float(z_fall @ p.cov @ z_fall) == pytest.approx(
            float(z_cold @ p.cov @ z_cold), abs=VARIANCE_TOL
        )

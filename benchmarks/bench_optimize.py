"""Time `assetloc.optimize` against the same model built and solved in cvxpy (Clarabel).

Household: the 17 classes of the Horizon 2025 survey plus munis (18), four accounts
(taxable, traditional, Roth, HSA), mean-variance. Prints medians (ms) and their ratio, and
checks that both reach the same objective (to 1e-7). Run by hand: `make bench`.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np

from assetloc import build_problem, optimize, parse_household
from assetloc.constraints import constraints, exposure_map, variables
from assetloc.plan import metrics
from assetloc.problem import Problem
from assetloc.solver import solve, solve_stage1

from timing import median_ms

HOUSEHOLD = {
    "investor": {"ordinary_rate": 0.32, "capital_gains_rate": 0.15, "retirement_rate": 0.24},
    "accounts": [
        {"id": "brokerage", "type": "taxable", "balance": 400000.0},
        {"id": "401k", "type": "traditional", "balance": 300000.0},
        {"id": "roth", "type": "roth", "balance": 120000.0},
        {"id": "hsa", "type": "hsa", "balance": 30000.0},
    ],
    "assumptions": {
        "preset": "horizon-2025",
        "universe": [
            "us_equity_large_cap",
            "us_equity_small_mid_cap",
            "non_us_equity_developed",
            "non_us_equity_emerging",
            "us_corp_bonds_core",
            "us_corp_bonds_long_duration",
            "us_corp_bonds_high_yield",
            "non_us_debt_developed",
            "non_us_debt_emerging",
            "us_treasuries_cash_equivalents",
            "tips",
            "real_estate",
            "hedge_funds",
            "commodities",
            "infrastructure",
            "private_equity",
            "private_debt",
        ],
    },
    "objective": {"kind": "mean_variance", "risk_aversion": 3.74},
}


def cvxpy_solve(p: Problem) -> float:
    """Build and solve the joint problem in cvxpy; return the utility."""
    x = cp.Variable((p.k, p.n))
    e = cp.sum(cp.multiply(p.tau, x), axis=0)
    cons = [x >= p.lower, x <= p.upper, cp.sum(x, axis=1) == p.budgets]
    obj = p.mu @ e - p.risk_aversion / 2 * cp.quad_form(e, cp.psd_wrap(p.cov))
    prob = cp.Problem(cp.Maximize(obj), cons)
    prob.solve(solver="CLARABEL")
    return float(prob.value)


def main() -> None:
    h = parse_household(HOUSEHOLD)
    p = build_problem(h)
    ours = metrics(p, optimize(h).x).utility
    theirs = cvxpy_solve(p)
    print(
        f"household: {p.n} classes x {p.k} accounts; utility ours {ours:.10f}, "
        f"cvxpy {theirs:.10f}, |diff| {abs(ours - theirs):.2e} (must be < 1e-7)"
    )
    assert abs(ours - theirs) < 1e-7
    t_opt = median_ms(lambda: optimize(h), 300)
    t_solve = median_ms(lambda: solve(p, tax_free=np.array([False, False, True, True])), 300)

    def stage1() -> object:
        cols = variables(p)
        return solve_stage1(p, exposure_map(p, cols), constraints(p, cols), p.view())

    t_stage1 = median_ms(stage1, 300)
    t_cvx = median_ms(lambda: cvxpy_solve(p), 30)
    print(f"assetloc.optimize (file dict -> plan, with baselines): median {t_opt:.3f} ms")
    print(f"assetloc solver only (two stages):                    median {t_solve:.3f} ms")
    print(f"assetloc stage 1 only (the optimum, no tie-break):    median {t_stage1:.3f} ms")
    print(f"cvxpy + Clarabel (build + solve, one stage):          median {t_cvx:.3f} ms")
    print(
        f"ratio cvxpy / optimize: {t_cvx / t_opt:.1f}x; cvxpy / solver: {t_cvx / t_solve:.1f}x; "
        f"cvxpy / stage 1: {t_cvx / t_stage1:.1f}x"
    )


if __name__ == "__main__":
    main()

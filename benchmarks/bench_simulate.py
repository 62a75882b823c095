"""Time the year-by-year simulator at the issue's size against a plain per-path loop.

Household: the 17 classes of the Horizon 2025 survey, four accounts (taxable, 401(k),
Roth, HSA), married filing jointly with wages (the full tax engine every year), saving
until retirement in 20 years and spending after it, RMDs, Social Security. 10,000 Monte
Carlo paths × 40 years, annual rebalancing, one strategy (``joint``) per timing:

* ``reoptimize_every = 0``: hold the first plan's shares (target ≤ 5 s);
* ``reoptimize_every = 5``: re-solve ``joint`` on every path's own balances every 5 years,
  batched over paths with the same rounded account shares (target ≤ 20 s);
* the same engine as a plain per-path Python loop (one path per call) on a subsample,
  scaled to 10,000 paths, in the same process.

Also prints the whole ``simulate`` (all five strategies) once. Prints medians (s) and the
ratio loop / vectorized. Run by hand: `make bench`.
"""

from __future__ import annotations

import statistics
import time

from assetloc import parse_household
from assetloc.simulate.engine import run_engine
from assetloc.simulate.returns import montecarlo
from assetloc.simulate.run import engine_spec, resolved_settings, simulate
from assetloc.simulate.settings import timeline
from assetloc.simulate.strategies import Replacer, account_weights, targets
from universe import HORIZON_17

PATHS = 10_000
YEARS = 40
LOOP_PATHS = 40
ROUNDS = 3
CLASSES = HORIZON_17
HOUSEHOLD = {
    "investor": {
        "filing_status": "married_filing_jointly",
        "age": 45,
        "spouse_age": 45,
        "state_rate": 0.05,
        "tax_year": 2026,
    },
    "income": {"wages": 220000.0},
    "accounts": [
        {"id": "brokerage", "type": "taxable", "balance": 400000.0},
        {"id": "401k", "type": "traditional", "balance": 300000.0},
        {"id": "roth", "type": "roth", "balance": 120000.0},
        {"id": "hsa", "type": "hsa", "balance": 30000.0},
    ],
    "assumptions": {"preset": "horizon-2025", "universe": CLASSES},
    "objective": {"kind": "mean_variance", "risk_aversion": 3.74, "returns": "as_given"},
    "plan": {
        "years": YEARS,
        "retire_in": 20,
        "contributions": {"401k": 23000.0, "roth": 7000.0, "hsa": 8000.0, "brokerage": 10000.0},
        "spending": 90000.0,
        "social_security": 45000.0,
        "social_security_age": 67,
        "paths": PATHS,
        "seed": 1,
    },
}


def _seconds(fn: object, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    h = parse_household(HOUSEHOLD)
    settings = resolved_settings(h)
    tl = timeline(h.model_copy(update={"plan": settings}))
    tg = targets(h, ("joint",))
    p = tg.problem
    spec = engine_spec(h, p, settings, tl)
    sc = montecarlo(p.market, PATHS, YEARS, 1)
    w = account_weights(tg.holdings["joint"], p)
    print(f"household: {p.n} classes x {p.k} accounts, {PATHS} paths x {YEARS} years, engine tax")

    def held() -> object:
        return run_engine(spec, sc.total, w, "joint")

    def resolved() -> object:
        r = Replacer(p, tg.placers["joint"], 5)
        out = run_engine(spec, sc.total, w, "joint", r)
        resolved.summary = r.summary()  # type: ignore[attr-defined]
        return out

    def loop() -> object:
        return [run_engine(spec, sc.total[i : i + 1], w, "joint") for i in range(LOOP_PATHS)]

    t_held = _seconds(held, ROUNDS)
    t_resolved = _seconds(resolved, 1)
    t_loop = _seconds(loop, 1) * PATHS / LOOP_PATHS
    print(f"  reoptimize_every = 0:  {t_held:.2f} s (target <= 5 s)")
    print(f"  reoptimize_every = 5:  {t_resolved:.2f} s (target <= 20 s); {resolved.summary}")  # type: ignore[attr-defined]
    print(f"  per-path loop, {LOOP_PATHS} paths scaled to {PATHS}: {t_loop:.1f} s")
    print(f"  ratio loop / vectorized (reoptimize_every = 0): {t_loop / t_held:.0f}x")
    t = time.perf_counter()
    simulate(h.model_copy(update={"plan": settings.model_copy(update={"reoptimize_every": 0})}))
    print(
        f"  simulate(), all five strategies, reoptimize_every = 0: {time.perf_counter() - t:.2f} s"
    )


if __name__ == "__main__":
    main()

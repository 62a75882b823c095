"""Time ``assetloc.rebalance`` and its trade model against SciPy on the same models.

Household: three taxable accounts holding 40 bundled index funds in 5,000 tax lots (dates
2015-2026, bases 0.45-1.15x today's price: mostly gains, some losses, both terms), a
traditional IRA, a 401(k) with a menu, and a Roth; a fixed mix over eight classes that the
holdings have drifted from; a contribution, a withdrawal, and recent trades for the
wash-sale guard. Every comparison is of ONE model solved two ways, in the same process,
in interleaved rounds (ours, then the peer, each round; this shared machine drifts between
fast and slow phases lasting seconds); medians over rounds, and the median of the
per-round ratios:

* LP against LP: the stage-1 trade model (fractional shares, no order costs; the root LP
  of our wash-sale branching, no integers) as we solve it, a ``HighsLp`` handed to
  ``highspy``, against the same matrices given to ``scipy.optimize.linprog(method="highs")``
  (row ranges split into A_ub/A_eq once, outside the timing). The objectives must agree to
  ``LP_RTOL``.
* MILP against MILP: the mixed-integer model our path hands HiGHS for whole shares, a $100
  minimum trade and $1 a trade (after the LP relaxation's wash-sale choices and LP-guided
  fixing), solved by ``highspy`` against the same model in ``scipy.optimize.milp``, with the
  same stopping rule (our relative gap 1e-4 and time limit; HiGHS's default absolute gap,
  as SciPy cannot set ours). The objectives must agree to twice the gap.

Then the whole rebalance (household -> orders; both stages, the cost-benefit search) at
5,000 and at 50,000 lots, and how much of it is HiGHS's own solving (the rest is building
the model and the per-lot work around it).

Run by ``make bench`` or by hand: ``.venv/bin/python benchmarks/bench_rebalance.py``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.optimize as so
import scipy.sparse as sp

from assetloc import Household, parse_household
from assetloc.rebalance import rebalance
from assetloc.rebalance import trades as trade_model
from assetloc.rebalance.book import build_book
from assetloc.rebalance.engine import model_spec
from assetloc.rebalance.target import plan_after_flows, target_for
from assetloc.rebalance.trades import ModelSpec, build
from assetloc.rebalance.washsale import build_guard

from timing import interleaved_ms, median_ms

AS_OF = dt.date(2026, 11, 20)
SYMBOLS = (
    "VOO IVV SPY VFIAX FXAIX SWPPX VV SCHX VTI VTSAX ITOT SCHB FSKAX FZROX VXF VO VB IJH IJR "
    "IWM SCHA VXUS VTIAX IXUS FTIHX VEA IEFA EFA SCHF VWO IEMG SCHE BND AGG SCHZ FXNAX VGSH "
    "TIP SCHP VNQ"
).split()
MIX = {
    "us_equity_large_cap": 0.35,
    "us_equity_small_mid_cap": 0.10,
    "non_us_equity_developed": 0.15,
    "non_us_equity_emerging": 0.05,
    "us_corp_bonds_core": 0.20,
    "tips": 0.05,
    "us_treasuries_cash_equivalents": 0.05,
    "real_estate": 0.05,
}
N_LOTS = 5000
BIG_LOTS = 50_000
LP_RTOL = 1e-8  # relative agreement of the two LP objectives (both stop at HiGHS's 1e-7 tolerances)
ROUNDS = 15


def household_dict(seed: int = 7, milp: bool = False, n_lots: int = N_LOTS) -> dict[str, Any]:
    """The benchmark household as the dict a TOML file would give (see the module doc),
    with ``n_lots`` taxable lots."""
    rng = np.random.default_rng(seed)
    price = {s: float(rng.uniform(20.0, 500.0)) for s in SYMBOLS}
    start = dt.date(2015, 1, 2).toordinal()
    span = AS_OF.toordinal() - start
    taxable_ids = ("joint", "individual", "trust")
    per_account = n_lots // len(taxable_ids)
    accounts: list[dict[str, Any]] = []
    n_held = 0
    for t, acc_id in enumerate(taxable_ids):
        lots_here = per_account + (n_lots - per_account * len(taxable_ids) if t == 0 else 0)
        owner = rng.integers(0, len(SYMBOLS), lots_here)
        positions = []
        for s, sym in enumerate(SYMBOLS):
            k = int((owner == s).sum())
            if k == 0:
                continue
            shares = rng.integers(1, 60, k).astype(float)
            basis = rng.uniform(0.45, 1.15, k) * price[sym] * shares
            days = rng.integers(0, span, k)
            lots = [
                {
                    "acquired": dt.date.fromordinal(start + int(d)).isoformat(),
                    "shares": float(q),
                    "cost_basis": round(float(b), 2),
                }
                for q, b, d in zip(shares, basis, days, strict=True)
            ]
            n_held += k
            positions.append(
                {"symbol": sym, "shares": float(shares.sum()), "price": price[sym], "lots": lots}
            )
        accounts.append(
            {
                "id": acc_id,
                "type": "taxable",
                "cash": float(rng.uniform(0, 20_000)),
                "positions": positions,
            }
        )
    if n_held != n_lots:
        raise RuntimeError(f"built {n_held} lots, not {n_lots}")
    accounts[0]["contribution"] = 25_000.0
    accounts[1]["withdrawal"] = 15_000.0

    def untaxed(acc_id: str, typ: str, symbols: list[str], **extra: Any) -> dict[str, Any]:
        positions = [
            {"symbol": s, "shares": float(rng.integers(50, 1500)), "price": price[s]}
            for s in symbols
        ]
        return {
            "id": acc_id,
            "type": typ,
            "cash": float(rng.uniform(0, 5000)),
            "positions": positions,
            **extra,
        }

    accounts.append(untaxed("ira", "traditional", ["VOO", "BND", "VXUS", "TIP", "VNQ"]))
    accounts.append(
        untaxed(
            "401k",
            "traditional",
            ["FXAIX", "FXNAX", "FTIHX"],
            menu=[
                "us_equity_large_cap",
                "us_corp_bonds_core",
                "non_us_equity_developed",
                "non_us_equity_emerging",
                "us_treasuries_cash_equivalents",
                "tips",
            ],
        )
    )
    accounts.append(untaxed("roth", "roth", ["VB", "VWO", "IJR"]))
    recent = [
        {
            "account": "roth",
            "symbol": "IEMG",
            "side": "sell",
            "date": "2026-11-10",
            "shares": 20,
            "realized_gain": -300.0,
        },
        {"account": "ira", "symbol": "VEA", "side": "buy", "date": "2026-11-15", "shares": 10},
    ]
    return {
        "investor": {
            "ordinary_rate": 0.37,
            "capital_gains_rate": 0.20,
            "retirement_rate": 0.24,
        },
        "accounts": accounts,
        "objective": {"kind": "fixed_mix", "mix": MIX},
        "recent_trades": recent,
        "rebalance": {
            "as_of": AS_OF.isoformat(),
            "mode": "full",
            "whole_shares": milp,
            "min_trade": 100.0 if milp else 0.0,
            "cost_per_trade": 1.0 if milp else 0.0,
        },
    }


def household(seed: int = 7, milp: bool = False, n_lots: int = N_LOTS) -> Household:
    """The benchmark household, validated."""
    return parse_household(household_dict(seed, milp, n_lots))


def spec_for(h: Household) -> ModelSpec:
    """The trade model's inputs for ``h`` (a full rebalance)."""
    plan = plan_after_flows(h)
    book = build_book(h, plan.problem.market.ids)
    target = target_for(plan, book.classes)
    return model_spec(h, book, target, build_guard(h, book), "all")


@dataclass(frozen=True)
class Arrays:
    """A ``HighsLp`` as SciPy takes it: cost, CSC matrix, row and column bounds (inf for
    HiGHS's infinity), integrality (0 continuous, 1 integer)."""

    c: np.ndarray
    a: sp.csc_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integrality: np.ndarray


def arrays(lp: highspy.HighsLp) -> Arrays:
    """The matrices of ``lp``, unchanged (the same model for both paths)."""
    n = lp.num_col_
    a = sp.csc_matrix(
        (
            np.asarray(lp.a_matrix_.value_),
            np.asarray(lp.a_matrix_.index_),
            np.asarray(lp.a_matrix_.start_),
        ),
        shape=(lp.num_row_, n),
    )

    def inf(x: Any) -> np.ndarray:
        v = np.asarray(x, dtype=float)
        return np.where(v >= 1e20, np.inf, np.where(v <= -1e20, -np.inf, v))

    integ = np.array([int(v.value) for v in lp.integrality_]) if len(lp.integrality_) else None
    return Arrays(
        np.asarray(lp.col_cost_, dtype=float),
        a,
        inf(lp.row_lower_),
        inf(lp.row_upper_),
        inf(lp.col_lower_),
        inf(lp.col_upper_),
        np.zeros(n, dtype=int) if integ is None else integ,
    )


def ours_lp(lp: highspy.HighsLp) -> float:
    """Our path: the ``HighsLp`` passed to a fresh HiGHS and solved; its objective."""
    solver = trade_model._new_solver(lp, 0)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError("our LP did not solve")
    return float(solver.getInfo().objective_function_value)


@dataclass(frozen=True)
class LinprogForm:
    """The same LP in linprog's form: A_ub x <= b_ub, A_eq x = b_eq, bounds."""

    c: np.ndarray
    a_ub: sp.csr_matrix
    b_ub: np.ndarray
    a_eq: sp.csr_matrix
    b_eq: np.ndarray
    bounds: np.ndarray


def linprog_form(m: Arrays) -> LinprogForm:
    """Split row ranges lo <= A x <= hi into equalities and one-sided inequalities."""
    a = m.a.tocsr()
    eq = m.row_lo == m.row_hi
    up = ~eq & np.isfinite(m.row_hi)
    lo = ~eq & np.isfinite(m.row_lo)
    a_ub = sp.vstack([a[up], -a[lo]]).tocsr()
    b_ub = np.concatenate([m.row_hi[up], -m.row_lo[lo]])
    bounds = np.column_stack([m.col_lo, m.col_hi])
    return LinprogForm(m.c, a_ub, b_ub, a[eq], m.row_lo[eq], bounds)


def scipy_lp(f: LinprogForm) -> float:
    """The peer: the same LP by ``scipy.optimize.linprog(method="highs")``."""
    res = so.linprog(
        f.c, A_ub=f.a_ub, b_ub=f.b_ub, A_eq=f.a_eq, b_eq=f.b_eq, bounds=f.bounds, method="highs"
    )
    if res.status != 0:
        raise RuntimeError(f"linprog: {res.message}")
    return float(res.fun)


def our_milp(spec: ModelSpec) -> highspy.HighsLp:
    """The MILP our path hands HiGHS (see :func:`assetloc.rebalance.trades.solve`): the
    model with the LP relaxation's wash-sale choices and, when large, LP-guided fixing."""
    tm = trade_model
    conflicts = tm._conflicts(spec)
    lp, lay, g = build(spec, frozenset())
    n_int = tm._n_integer(lp)
    relax = tm._relaxation(lp)
    if spec.couple and lay.candidates:
        solver, x, choices, _ = tm._branch_and_bound(spec, lay, relax, conflicts)
    else:
        solver, choices = tm._new_solver(relax, 0), {}
        tm._run(solver, "relaxation", conflicts)
        x = np.asarray(solver.getSolution().col_value, dtype=float)
    guide = x
    if n_int > tm.LARGE_MILP:
        guide = tm._stage2(solver, spec, lay, relax, g, x, conflicts, mip=False)
    milp = tm._new_solver(lp, n_int, _scale(spec))
    tm._GroupCols.of(spec, lay, lp).apply(milp, choices)
    if n_int > tm.LARGE_MILP:
        tm._fix_from(milp, spec, lay, guide)
    out: highspy.HighsLp = milp.getLp()
    return out


def _scale(spec: ModelSpec) -> float:
    book = spec.book
    return float(book.value.sum() + np.maximum(book.available_cash, 0.0).sum())


def ours_milp(lp: highspy.HighsLp, scale: float) -> tuple[float, float, str]:
    """Our MILP solve (our relative gap and time limit; the absolute gap at HiGHS's default,
    which is SciPy's, instead of our millionth of the household: the same stopping rule):
    objective, gap, status."""
    n_int = trade_model._n_integer(lp)
    solver = trade_model._new_solver(lp, n_int, scale)
    solver.setOptionValue("mip_abs_gap", 1e-6)  # HiGHS's default (scipy.milp cannot set it)
    solver.run()
    info = solver.getInfo()
    status = solver.modelStatusToString(solver.getModelStatus())
    return float(info.objective_function_value), float(info.mip_gap), status


def scipy_milp(m: Arrays, scale: float) -> tuple[float, float, str]:
    """The peer: the same MILP by ``scipy.optimize.milp`` with the same options."""
    res = so.milp(
        c=m.c,
        constraints=so.LinearConstraint(m.a, m.row_lo, m.row_hi),
        bounds=so.Bounds(m.col_lo, m.col_hi),
        integrality=m.integrality,
        options={
            "time_limit": trade_model.MIP_TIME_LIMIT,
            "mip_rel_gap": trade_model.MIP_REL_GAP,
        },
    )
    if res.x is None:
        raise RuntimeError(f"milp: {res.message}")
    gap = float(getattr(res, "mip_gap", np.nan))
    return float(res.fun), gap, str(res.message)


def ratio_line(name: str, peer: str, t: dict[str, list[float]]) -> str:
    """Medians (ms) of both and the median of the per-round ratios."""
    ours, theirs = statistics.median(t[name]), statistics.median(t[peer])
    ratios = [b / a for a, b in zip(t[name], t[peer], strict=True)]
    return (
        f"  ours {ours:9.1f} ms | {peer} {theirs:9.1f} ms | {peer} / ours: median "
        f"{statistics.median(ratios):.2f}x (rounds {min(ratios):.2f}-{max(ratios):.2f}x)"
    )


def lp_vs_linprog() -> None:
    h = household()
    spec = spec_for(h).relaxed(two_stage=False)
    lp, _, _ = build(spec, frozenset())
    form = linprog_form(arrays(lp))
    ours, theirs = ours_lp(lp), scipy_lp(form)
    rel = abs(ours - theirs) / max(1.0, abs(theirs))
    print(
        f"LP against LP: the stage-1 trade model, {lp.num_col_} columns x {lp.num_row_} rows "
        f"({N_LOTS} lots, fractional shares)"
    )
    print(f"  objective: highspy {ours:.6f}, linprog {theirs:.6f}, relative diff {rel:.1e}")
    if rel > LP_RTOL:
        raise RuntimeError(f"the two LP solves disagree by {rel:.1e} > {LP_RTOL:.0e}")
    t = interleaved_ms(
        {"highspy": (lambda: ours_lp(lp), 3), "linprog": (lambda: scipy_lp(form), 3)}, ROUNDS
    )
    print(ratio_line("highspy", "linprog", t))
    t_build = median_ms(lambda: build(spec, frozenset()), 5)
    print(f"  building the model (household arrays -> HighsLp): median {t_build:.1f} ms")


def milp_vs_milp() -> None:
    h = household(milp=True)
    spec = spec_for(h)
    lp = our_milp(spec)
    m = arrays(lp)
    scale = _scale(spec)
    n_int = int(m.integrality.sum())
    free = int((m.col_lo < m.col_hi).sum())
    print(
        f"MILP against MILP: whole shares, $100 minimum, $1 a trade; {lp.num_col_} columns "
        f"({n_int} integer, {free} not fixed by the LP guide) x {lp.num_row_} rows"
    )
    (ours, gap_o, st_o), (theirs, gap_t, st_t) = ours_milp(lp, scale), scipy_milp(m, scale)
    rel = abs(ours - theirs) / max(1.0, abs(theirs))
    tol = 2 * trade_model.MIP_REL_GAP
    print(
        f"  objective: highspy {ours:.4f} ({st_o}, gap {gap_o:.1e}), scipy.milp {theirs:.4f} "
        f"({st_t}, gap {gap_t:.1e}), relative diff {rel:.1e} (allowed: twice the gap, {tol:.0e})"
    )
    if rel > tol:
        raise RuntimeError("the two MILP solves disagree beyond the gap")
    t = interleaved_ms(
        {
            "highspy": (lambda: ours_milp(lp, scale), 1),
            "scipy.milp": (lambda: scipy_milp(m, scale), 1),
        },
        ROUNDS // 3,
    )
    print(ratio_line("highspy", "scipy.milp", t))


@contextmanager
def solver_clock() -> Iterator[list[float]]:
    """Seconds spent in HiGHS's runs of the trade model (the wrapper around each solve)."""
    spent: list[float] = []
    original: Callable[..., None] = trade_model._run

    def timed(solver: highspy.Highs, what: str, conflicts: list[str]) -> None:
        t = time.perf_counter()
        try:
            original(solver, what, conflicts)
        finally:
            spent.append(time.perf_counter() - t)

    trade_model._run = timed  # type: ignore[assignment]
    try:
        yield spent
    finally:
        trade_model._run = original  # type: ignore[assignment]


def whole_rebalance(n_lots: int, repeat: int) -> None:
    h = household(n_lots=n_lots)
    r = rebalance(h)
    lots_sold = sum(len(t.lots) for t in r.trades)
    times, solving = [], []
    for _ in range(repeat):
        with solver_clock() as spent:
            t = time.perf_counter()
            rebalance(h)
            times.append(time.perf_counter() - t)
        solving.append(sum(spent))
    i = int(np.argsort(times)[len(times) // 2])
    print(
        f"whole rebalance, {n_lots} lots ({r.solver['variables']} vars x {r.solver['rows']} "
        f"rows, {r.solver['wash_sale_lps']} wash-sale LPs, {len(r.trades)} orders, "
        f"{lots_sold} lots sold): median {1e3 * times[i]:.0f} ms of which HiGHS solving "
        f"{1e3 * solving[i]:.0f} ms, the rest (model building, per-lot work, results) "
        f"{1e3 * (times[i] - solving[i]):.0f} ms"
    )


def main() -> None:
    lp_vs_linprog()
    milp_vs_milp()
    t_parse = median_ms(lambda: parse_household(household_dict()), 5)
    print(f"parse and check the {N_LOTS}-lot household (pydantic): median {t_parse:.0f} ms")
    whole_rebalance(N_LOTS, 7)
    whole_rebalance(BIG_LOTS, 3)


if __name__ == "__main__":
    main()

"""Time `assetloc.rebalance` on 5,000 lots over 6 accounts and 40 securities.

Household: three taxable accounts holding 40 bundled index funds in ~5,000 tax lots (dates
2015-2026, bases 0.45-1.15x today's price: mostly gains, some losses, both terms), a
traditional IRA, a 401(k) with a menu, and a Roth; a fixed mix over eight classes that the
holdings have drifted from; a contribution, a withdrawal, and recent trades for the
wash-sale guard. Prints medians (ms) of:

* the whole rebalance (household → target plan → book → two-stage LP → rounded orders);
* the trade model alone (build + solve both stages), our path: arrays → ``highspy``;
* the peer: the same stage-1 model handed to ``scipy.optimize.milp`` (HiGHS behind SciPy's
  interface), whose objective must match ours, and the ratio;
* the MILP variant (whole shares, $100 minimum trade, $1 per trade) through both paths.

Run by hand: `.venv/bin/python benchmarks/bench_rebalance.py`.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np
import scipy.optimize as so
import scipy.sparse as sp

from assetloc import Household, parse_household
from assetloc.rebalance import rebalance
from assetloc.rebalance.book import build_book
from assetloc.rebalance.engine import model_spec
from assetloc.rebalance.target import plan_after_flows, target_for
from assetloc.rebalance.trades import ModelSpec, build, solve
from assetloc.rebalance.washsale import build_guard

from timing import median_ms

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


def household_dict(seed: int = 7, milp: bool = False) -> dict[str, Any]:
    """The benchmark household as the dict a TOML file would give (see the module doc)."""
    rng = np.random.default_rng(seed)
    assert len(SYMBOLS) == 40
    price = {s: float(rng.uniform(20.0, 500.0)) for s in SYMBOLS}
    start = dt.date(2015, 1, 2).toordinal()
    span = AS_OF.toordinal() - start
    taxable_ids = ("joint", "individual", "trust")
    per_account = N_LOTS // len(taxable_ids)
    accounts: list[dict[str, Any]] = []
    n_lots = 0
    for t, acc_id in enumerate(taxable_ids):
        lots_here = per_account + (N_LOTS - per_account * len(taxable_ids) if t == 0 else 0)
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
            n_lots += k
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
    assert n_lots == N_LOTS
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


def household(seed: int = 7, milp: bool = False) -> Household:
    """The benchmark household, validated."""
    return parse_household(household_dict(seed, milp))


def spec_for(h: Household) -> ModelSpec:
    plan = plan_after_flows(h)
    book = build_book(h, plan.problem.market.ids)
    target = target_for(plan, book.classes)
    return model_spec(h, book, target, build_guard(h, book), "all")


PEER_TIME_LIMIT = 60.0  # seconds


def scipy_stage1(spec: ModelSpec, time_limit: float = PEER_TIME_LIMIT) -> tuple[float, str]:
    """Stage 1 of the same model through scipy.optimize.milp, the wash-sale coupling as one
    binary per group (the textbook MILP); returns its objective and status message."""
    lp, _, _ = build(spec)  # coupled=None: a binary for every group that needs one
    n = lp.num_col_
    a = sp.csc_matrix(
        (
            np.asarray(lp.a_matrix_.value_),
            np.asarray(lp.a_matrix_.index_),
            np.asarray(lp.a_matrix_.start_),
        ),
        shape=(lp.num_row_, n),
    )
    integrality = (
        np.array([int(v.value) for v in lp.integrality_]) if len(lp.integrality_) else np.zeros(n)
    )
    res = so.milp(
        c=np.asarray(lp.col_cost_),
        constraints=so.LinearConstraint(a, np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)),
        bounds=so.Bounds(np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)),
        integrality=integrality,
        options={"time_limit": time_limit, "mip_rel_gap": 1e-4 if spec.whole_shares else 1e-7},
    )
    assert res.x is not None, res.message
    return float(res.fun), str(res.message)


def ours_stage1(spec: ModelSpec) -> float:
    """Stage 1 through our path (LP branching for the coupling, highspy)."""
    return solve(spec.relaxed(two_stage=False)).stage1_objective


def main() -> None:
    cases = (
        ("LP (fractional shares, no order costs)", False, 15, 5),
        ("MILP (whole shares, $100 minimum trade, $1 a trade)", True, 3, 1),
    )
    for label, milp, repeat, peer_repeat in cases:
        h = household(milp=milp)
        spec = spec_for(h)
        r = rebalance(h)
        lots_sold = sum(len(t.lots) for t in r.trades)
        n_lots = sum(len(p.lots or []) for a in h.accounts for p in a.positions)
        print(f"{label}: {n_lots} lots, {len(h.accounts)} accounts, {spec.book.s} securities")
        print(
            f"  model {r.solver['variables']} vars x {r.solver['rows']} rows, "
            f"{r.solver['integer_variables']} integer, {r.solver['wash_sale_lps']} LPs in the "
            f"wash-sale branching, gap to the LP bound {r.solver['gap_to_lp_bound']:.1e}; "
            f"{len(r.trades)} orders, "
            f"{lots_sold} lots sold; within bands: {r.within_bands}; "
            f"estimated tax ${r.tax.estimated_tax:,.0f} ({r.tax.source}; the LP's convex "
            f"model of it: ${r.solver['model_tax']:,.0f})"
        )
        ours = ours_stage1(spec)
        t = time.perf_counter()
        theirs, message = scipy_stage1(spec)
        t_peer_once = time.perf_counter() - t
        rel = abs(ours - theirs) / max(1.0, abs(theirs))
        print(
            f"  stage-1 objective: ours {ours:.4f}, scipy.milp {theirs:.4f} ({message}), "
            f"relative diff {rel:.1e}"
        )
        assert rel <= (1e-3 if milp else 1e-8), "the two paths disagree"
        raw = household_dict(milp=milp)
        t_parse = median_ms(lambda raw=raw: parse_household(raw), repeat)
        t_all = median_ms(lambda h=h: rebalance(h), repeat)
        t_model = median_ms(lambda spec=spec: solve(spec), repeat)
        t_s1 = median_ms(lambda spec=spec: solve(spec.relaxed(two_stage=False)), repeat)
        t_peer = (
            median_ms(lambda spec=spec: scipy_stage1(spec), peer_repeat)
            if t_peer_once < 20
            else 1e3 * t_peer_once
        )
        print(f"  parse and check the household (pydantic):        median {t_parse:9.1f} ms")
        print(f"  whole rebalance (household -> orders, 2 stages): median {t_all:9.1f} ms")
        print(f"  trade model only, build + 2 stages:              median {t_model:9.1f} ms")
        print(f"  trade model only, build + stage 1:               median {t_s1:9.1f} ms")
        print(f"  peer: stage 1 as a MILP via scipy.optimize.milp: median {t_peer:9.1f} ms")
        print(f"  ratio peer / ours (stage 1): {t_peer / t_s1:.1f}x")


if __name__ == "__main__":
    main()

"""Synthetic report data around a real plan, for tests, previews and documentation.

The frontier, net-worth view, comparison and balance sheet made here are ILLUSTRATIVE:
smooth curves shaped like a mean-variance frontier and passing through the plan's
metrics, not the result of an optimization. Real numbers come from the optimizer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def synthetic_frontier(
    expected_return: float,
    volatility: float,
    risk_aversion: float,
    *,
    n: int = 41,
    min_vol_share: float = 0.45,
    max_vol_factor: float = 1.9,
) -> dict[str, Any]:
    """A concave frontier whose utility optimum is the given point.

    The upper branch of a hyperbola E(s) = e0 + k·√(s² − s0²), the exact shape of a
    mean-variance frontier without a riskless asset, with s0 = ``min_vol_share`` ×
    ``volatility`` and k chosen so that the indifference curve E = U + (A/2)·s² is tangent
    to the frontier at (``volatility``, ``expected_return``).

    Parameters
    ----------
    expected_return, volatility
        The optimum, decimals per year (after tax).
    risk_aversion
        A in U = E − (A/2)·SD².
    n
        Number of frontier points.
    min_vol_share, max_vol_factor
        Range of the sweep: SD from s0 to ``max_vol_factor`` × ``volatility``.

    Returns
    -------
    dict
        ``{"points": [...], "optimum": {...}, "indifference": [...]}`` with
        ``expected_return``, ``volatility`` (and ``utility`` for points and the optimum),
        decimals per year.
    """
    a = risk_aversion
    s_star, e_star = volatility, expected_return
    s0 = min_vol_share * s_star
    root = math.sqrt(s_star**2 - s0**2)
    k = a * s_star * root / s_star  # dE/ds = k s / sqrt(s² − s0²) = A s at s*
    e0 = e_star - k * root
    e_max = e0 + k * math.sqrt((max_vol_factor * s_star) ** 2 - s0**2)
    e = np.unique(np.concatenate([np.linspace(e0, e_max, n), [e_star]]))  # even in E: smooth
    s = np.sqrt(s0**2 + ((e - e0) / k) ** 2)
    u = e - 0.5 * a * s**2
    u_star = e_star - 0.5 * a * s_star**2
    si = np.linspace(0.0, max_vol_factor * s_star * 1.05, 60)
    return {
        "points": [
            {"expected_return": float(ei), "volatility": float(vi), "utility": float(ui)}
            for ei, vi, ui in zip(e, s, u, strict=True)
        ],
        "optimum": {"expected_return": e_star, "volatility": s_star, "utility": u_star},
        "indifference": [
            {"expected_return": float(u_star + 0.5 * a * x**2), "volatility": float(x)} for x in si
        ],
    }


def _scaled_accounts(plan: Mapping[str, Any], mix: Mapping[str, float]) -> list[dict[str, Any]]:
    """Every account holding the same mix (the ``duplicate`` method), dollars."""
    return [
        {"id": acc["id"], "holdings": {c: float(acc["balance"]) * float(w) for c, w in mix.items()}}
        for acc in plan["accounts"]
    ]


def sample_report_data(plan: Mapping[str, Any], *, title: str | None = None) -> dict[str, Any]:
    """Report data around ``plan`` (a :meth:`Plan.to_dict`) with illustrative extras.

    Adds both views, a frontier in each view, a comparison of all five methods and a
    balance sheet, all synthetic (see the module docstring).

    Parameters
    ----------
    plan
        A plan dictionary (dollars, decimals per year).
    title
        Report title; default "Sample report".

    Returns
    -------
    dict
        The report data contract of :mod:`assetloc.present.html`.
    """
    m = plan["metrics"]
    a = float(plan.get("assumptions", {}).get("risk_aversion", 3.74))
    cash = float(plan.get("assumptions", {}).get("cash_rate", 0.02))
    e, s = float(m["expected_return"]), float(m["volatility"])
    # Net worth: human capital is bond-like, so the same plan is less risky as part of W.
    frontier = {
        "financial": synthetic_frontier(e, s, a),
        "net_worth": synthetic_frontier(e - 0.0025, 0.8 * s, a, min_vol_share=0.35),
    }
    # The chosen plan seen as part of net worth: on that frontier, below its own optimum.
    nw = frontier["net_worth"]["points"]
    below = [p for p in nw if p["volatility"] < 0.9 * 0.8 * s]
    e_w, s_w = below[-1]["expected_return"], below[-1]["volatility"]

    def metrics(de: float, ds: float, view: str) -> dict[str, float]:
        ee, ss = (e, s) if view == "financial" else (e_w, s_w)
        ee, ss = ee + de, ss + ds
        return {
            "expected_return": ee,
            "volatility": ss,
            "utility": ee - 0.5 * a * ss**2,
            "sharpe": (ee - cash) / ss,
        }

    mix_pre = plan["household"].get("mix_pre_tax") or plan["household"]["mix"]
    shifts = {
        "joint": (0.0, 0.0),
        "duplicate": (-0.0009, 0.004),
        "separate": (0.0011, 0.012),
        "two_step": (-0.0004, 0.0015),
        "rule_of_thumb": (-0.0002, 0.0012),
    }
    baselines = plan.get("baselines") or {}
    methods = []
    for name, (de, ds) in shifts.items():
        accounts = (
            [{"id": acc["id"], "holdings": dict(acc["holdings"])} for acc in plan["accounts"]]
            if name != "duplicate"
            else _scaled_accounts(plan, mix_pre)
        )
        methods.append(
            {
                "name": name,
                "financial": dict(baselines[name])
                if name in baselines
                else metrics(de, ds, "financial"),
                "net_worth": metrics(de * 0.8, ds * 0.7, "net_worth"),
                "accounts": accounts,
            }
        )
    balance = float(plan["household"]["balance"])
    wealth = float(plan["household"]["after_tax_wealth"])
    rows = [
        {
            "item": acc["id"],
            "pre_tax": float(acc["balance"]),
            "after_tax": float(acc["after_tax_value"]),
        }
        for acc in plan["accounts"]
    ]
    rows += [
        {"item": "financial assets (F)", "pre_tax": balance, "after_tax": wealth},
        {"item": "human capital (H)", "pre_tax": 900_000.0, "after_tax": 650_000.0},
        {"item": "liabilities (L)", "pre_tax": -300_000.0, "after_tax": -300_000.0},
        {
            "item": "net worth (W = F + H − L)",
            "pre_tax": balance + 600_000.0,
            "after_tax": wealth + 350_000.0,
        },
    ]
    return {
        "title": title or "Sample report",
        "context": "financial",
        "plan": dict(plan),
        "views": {
            "financial": {"expected_return": e, "volatility": s},
            "net_worth": {"expected_return": e_w, "volatility": s_w},
        },
        "frontier": frontier,
        "comparison": {"methods": methods},
        "balance_sheet": {"rows": rows},
    }

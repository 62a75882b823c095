"""Random households that are feasible by construction (for cross-checks and properties)."""

from __future__ import annotations

from typing import Any

import numpy as np

TYPES = ("taxable", "traditional", "roth", "hsa")
KINDS = ("mean_variance", "fixed_mix", "target_return", "target_volatility")


def random_market(rng: np.random.Generator, n: int) -> dict[str, Any]:
    """Inline assumptions: n classes with a random PD correlation matrix."""
    f = rng.normal(size=(n, max(2, n // 2)))
    cov = f @ f.T + np.diag(rng.uniform(0.2, 1.0, n))
    d = np.sqrt(np.diag(cov))
    corr = cov / np.outer(d, d)
    np.fill_diagonal(corr, 1.0)
    corr = np.round(corr, 6)
    np.fill_diagonal(corr, 1.0)
    classes = [
        {
            "id": f"c{i}",
            "expected_return": float(rng.uniform(0.01, 0.11)),
            "volatility": float(rng.uniform(0.01, 0.25)),
            "effective_tax_rate": float(rng.choice([0.0, rng.uniform(0.1, 0.45)])),
        }
        for i in range(n)
    ]
    return {"cash_rate": 0.02, "correlation": corr.tolist(), "classes": classes}


def random_household(seed: int, kind: str | None = None) -> dict[str, Any]:
    """A household dict with menus and bounds around a feasible point x0."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 21))
    k = int(rng.integers(2, 7))
    market = random_market(rng, n)
    types = [str(rng.choice(TYPES)) for _ in range(k)]
    balances = rng.uniform(1e4, 5e5, k).round(2)
    investor = {"ordinary_rate": float(rng.uniform(0.1, 0.45)), "capital_gains_rate": 0.15}
    v = np.array([1 - investor["ordinary_rate"] if t == "traditional" else 1.0 for t in types])
    a = v * balances / (v @ balances)
    menus: list[list[int] | None] = []
    x0 = np.zeros((k, n))
    for kk in range(k):
        if rng.random() < 0.4:
            m = sorted(rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False).tolist())
            menus.append(m)
        else:
            menus.append(None)
        allowed = np.arange(n) if menus[-1] is None else np.array(menus[-1])
        w = rng.dirichlet(np.ones(len(allowed)))
        x0[kk, allowed] = a[kk] * w
    accounts = []
    for kk in range(k):
        acc: dict[str, Any] = {"id": f"a{kk}", "type": types[kk], "balance": float(balances[kk])}
        if menus[kk] is not None:
            acc["menu"] = [f"c{i}" for i in menus[kk]]
        if rng.random() < 0.3:
            i = int(rng.choice(np.flatnonzero(x0[kk] > 0)))
            s = x0[kk, i] / a[kk]
            acc["bounds"] = {
                f"c{i}": {"min": float(max(0, s - 0.1) * 0.999), "max": float(min(1, s + 0.1))}
            }
        accounts.append(acc)
    kind = kind or str(rng.choice(KINDS))
    objective: dict[str, Any] = {"kind": kind, "risk_aversion": float(rng.uniform(1, 10))}
    mix0 = x0.sum(axis=0)
    bounds: dict[str, Any] = {}
    if rng.random() < 0.3:
        i = int(rng.integers(n))
        bounds[f"c{i}"] = {
            "min": float(max(0, mix0[i] - 0.05) * 0.999),
            "max": float(min(1, mix0[i] + 0.05) * 1.001 if mix0[i] + 0.05 < 1 else 1),
        }
    if kind == "fixed_mix":
        mix = {f"c{i}": float(mix0[i]) for i in range(n)}
        total = sum(mix.values())
        objective["mix"] = {c: w / total for c, w in mix.items()}
    tau = np.ones((k, n))
    tax = np.array([c["effective_tax_rate"] for c in market["classes"]])
    for kk in range(k):
        if types[kk] == "taxable":
            tau[kk] = 1 - tax
    e0 = (tau * x0).sum(axis=0)
    mu = np.array([c["expected_return"] for c in market["classes"]])
    vol = np.array([c["volatility"] for c in market["classes"]])
    corr = np.array(market["correlation"])
    cov = np.outer(vol, vol) * corr
    if kind == "target_return":
        objective["target_return"] = float(mu @ e0) * 0.999
    if kind == "target_volatility":
        objective["target_volatility"] = float(np.sqrt(e0 @ cov @ e0)) * 1.001
    return {
        "investor": investor,
        "accounts": accounts,
        "assumptions": market,
        "objective": objective,
        "bounds": bounds,
    }

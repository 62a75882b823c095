"""Varied 17-class, 4-account households on the Horizon 2025 preset (the batch benchmark's)."""

from __future__ import annotations

from typing import Any

import numpy as np

from universe import HORIZON_17


def household(seed: int) -> dict[str, Any]:
    """One household dict: four accounts (taxable, traditional, Roth, HSA), mean-variance.

    Balances in dollars, rates as decimals; the seed varies balances, rates, risk aversion,
    and (one in four) a bound on a class so the tie-break and bounds paths are exercised.
    """
    rng = np.random.default_rng(seed)
    bal = rng.uniform(2e4, 8e5, 4).round(2)
    h: dict[str, Any] = {
        "investor": {
            "ordinary_rate": float(rng.choice([0.22, 0.24, 0.32, 0.35, 0.37])),
            "capital_gains_rate": float(rng.choice([0.0, 0.15, 0.20])),
            "retirement_rate": float(rng.choice([0.12, 0.22, 0.24, 0.32])),
        },
        "accounts": [
            {"id": "brokerage", "type": "taxable", "balance": float(bal[0])},
            {"id": "401k", "type": "traditional", "balance": float(bal[1])},
            {"id": "roth", "type": "roth", "balance": float(bal[2])},
            {"id": "hsa", "type": "hsa", "balance": float(bal[3])},
        ],
        "assumptions": {"preset": "horizon-2025", "universe": list(HORIZON_17)},
        "objective": {
            "kind": "mean_variance",
            "risk_aversion": round(float(rng.uniform(1.5, 8.0)), 3),
            "returns": "as_given",
        },
    }
    if seed % 4 == 3:
        h["accounts"][0]["menu"] = HORIZON_17[:12]
    return h

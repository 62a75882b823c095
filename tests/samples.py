"""Household dicts shared by several test modules."""

from __future__ import annotations

from typing import Any

FOUR_ACCOUNTS: dict[str, Any] = {
    "name": "Four accounts, Kaplan 2020",
    "investor": {"ordinary_rate": 0.32, "capital_gains_rate": 0.15, "retirement_rate": 0.24},
    "accounts": [
        {"id": "brokerage", "type": "taxable", "balance": 250_000},
        {"id": "401k", "type": "traditional", "balance": 400_000},
        {"id": "roth_ira", "type": "roth", "balance": 120_000},
        {"id": "hsa", "type": "hsa", "balance": 30_000},
    ],
    "assumptions": {"preset": "kaplan-2020"},
    "objective": {"kind": "mean_variance", "risk_aversion": 3.74},
}

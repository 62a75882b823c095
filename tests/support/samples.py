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


# The investor and two accounts (taxable $200k, traditional $150k) as TOML, for CLI tests
# that add their own [objective] (and menus via TWO_ACCOUNTS_TOML.replace).
TWO_ACCOUNTS_TOML = """
[investor]
ordinary_rate = 0.24
capital_gains_rate = 0.15

[[accounts]]
id = "brokerage"
type = "taxable"
balance = 200000

[[accounts]]
id = "ira"
type = "traditional"
balance = 150000
"""

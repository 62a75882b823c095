"""Household dictionaries for the engine tests (dollars; decimals)."""

from __future__ import annotations

from typing import Any

from assetloc import parse_household
from assetloc.inputs.household import Household

RATES = {"ordinary_rate": 0.30, "capital_gains_rate": 0.15, "retirement_rate": 0.30}


def household(
    accounts: list[dict[str, Any]],
    mix: dict[str, float],
    *,
    investor: dict[str, Any] | None = None,
    plan: dict[str, Any] | None = None,
    income: dict[str, float] | None = None,
) -> Household:
    """A fixed-mix household on the Horizon 2025 preset, returns as given."""
    data: dict[str, Any] = {
        "investor": investor or dict(RATES),
        "accounts": accounts,
        "assumptions": {"preset": "horizon-2025", "universe": sorted(mix)},
        "objective": {"kind": "fixed_mix", "mix": mix, "returns": "as_given"},
        "plan": {"inflation": 0.0, "reoptimize_every": 0, **(plan or {})},
    }
    if income is not None:
        data["income"] = income
    return parse_household(data)

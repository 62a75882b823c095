"""Shared types: float arrays and the named choices of the model (string enums).

Every member's value is the string a household file or ``--json`` uses, so
``AccountType.TAXABLE == "taxable"`` and JSON output is unchanged; its ``repr`` is that
string's too, so a message quoting a choice (``kind = 'crra'``) reads as it always has.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "AccountType",
    "Choice",
    "FloatArray",
    "Liquidation",
    "ObjectiveKind",
    "RebalanceMode",
    "View",
]

#: A float64 array (decimals, dollars or shares, as each use says).
FloatArray = NDArray[np.float64]


class Choice(StrEnum):
    """A named choice: a string enum whose ``str`` and ``repr`` are those of its value."""

    def __repr__(self) -> str:
        return repr(self.value)


class AccountType(Choice):
    """How an account is taxed: the rows of the factor matrix τ."""

    TAXABLE = "taxable"
    TRADITIONAL = "traditional"
    ROTH = "roth"
    HSA = "hsa"


class ObjectiveKind(Choice):
    """What the optimizer maximizes or holds fixed (``[objective] kind``)."""

    FIXED_MIX = "fixed_mix"
    MEAN_VARIANCE = "mean_variance"
    TARGET_VOLATILITY = "target_volatility"
    TARGET_RETURN = "target_return"
    CRRA = "crra"


class View(Choice):
    """Whose risk and return: the financial assets F, or net worth W = F + H − L."""

    FINANCIAL = "financial"
    NET_WORTH = "net_worth"


class Liquidation(Choice):
    """What happens to a taxable account's unrealized gain at the horizon."""

    LIQUIDATE = "liquidate"
    STEP_UP = "step_up"
    DONATE = "donate"


class RebalanceMode(Choice):
    """How far a rebalance trades toward the target (``[rebalance] mode``)."""

    FULL = "full"
    CASH_FLOW_ONLY = "cash_flow_only"
    WITHIN_BANDS = "within_bands"

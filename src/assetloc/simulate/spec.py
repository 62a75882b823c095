"""The simulator's inputs as arrays: how classes pay out, and one household's plan.

Built from a household by :func:`assetloc.simulate.run.engine_spec`; the engine never sees
a household file. Today's dollars; decimals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from assetloc.simulate.taxable_lots import DEFAULT_LOTS
from assetloc.simulate.yearly_tax import YearTax
from assetloc.types import FloatArray


@dataclass(frozen=True)
class ClassIncome:
    """How each class pays out (decimals per year; arrays of shape (n,))."""

    yield_: FloatArray  # income per dollar of start-of-year value (nominal)
    qualified: FloatArray
    exempt: FloatArray  # municipal interest share
    state_exempt: FloatArray  # Treasury interest share
    interest: NDArray[np.bool_]  # the ordinary rest is interest (else non-qualified dividends)
    foreign: FloatArray  # foreign tax withheld, share of income
    turnover: FloatArray  # share of unrealized gain distributed a year
    long_term: FloatArray  # long-term share of the distributed gain


@dataclass(frozen=True)
class EngineSpec:
    """Everything the engine needs, as arrays (today's dollars; decimals).

    ``kinds`` per account: ``taxable``, ``traditional``, ``roth`` or ``hsa``; ``deferred``
    per account: withdrawals taxed as ordinary income (traditional, a tax-deferred HSA).
    Per-year arrays have length ``years``; ``contributions`` and ``rmd_fraction`` are
    (years, K). ``gains_rate`` values the taxable accounts' unrealized gain and
    ``withdrawal_rate`` the deferred accounts, for the after-tax wealth. ``withdrawals``
    (years, K), when given, replaces the withdrawal order from retirement: each account
    gives that many dollars (today's, gross; at least its RMD, at most its balance), the
    surplus over spending and tax is saved in the taxable accounts and a deficit cuts the
    spending paid (another planner's schedule, e.g. Owl's).
    """

    kinds: tuple[str, ...]
    deferred: tuple[bool, ...]
    start: FloatArray  # (K,)
    basis_share: FloatArray  # (K,) taxable accounts' cost basis per dollar at the start
    classes: ClassIncome
    contributions: FloatArray  # (years, K)
    spending: FloatArray  # (years,) after tax, 0 before retirement
    social_security: FloatArray  # (years,) gross benefits
    wages: FloatArray  # (years,) taxable wages (after pre-tax contributions)
    itemized: float
    rmd_fraction: FloatArray  # (years, K)
    retire_in: int
    order: str
    fill_bracket_rate: float
    inflation: float
    tax: YearTax
    gains_rate: float
    withdrawal_rate: float
    liquidation: str
    lots: int = DEFAULT_LOTS
    record_income: bool = False
    withdrawals: FloatArray | None = None  # (years, K) a fixed schedule from retirement
    gain_budget: float | None = None  # net gain rebalancing sales may realize a year (today's $)

    @property
    def years(self) -> int:
        """Years simulated."""
        return int(self.spending.shape[0])

"""One strategy's simulated outcome over every path (today's dollars unless named).

Arrays have a leading path axis. Wealth is after tax: taxable accounts at their
liquidation value (balance less the long-term rate on the net unrealized gain),
traditional accounts (and a tax-deferred HSA) after ordinary tax at the household's
stated withdrawal rate, Roth and a tax-free HSA at face.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from assetloc.types import FloatArray


@dataclass(frozen=True, eq=False)
class StrategyOutcome:
    """What one strategy did on each path (today's dollars; decimals for rates).

    Attributes
    ----------
    name : the strategy (``joint``, ``duplicate``, ...).
    wealth : (paths, years + 1) after-tax wealth at each year end; index 0 is the start.
    terminal_wealth : (paths,) after the final liquidation (``liquidate``: the taxable
        gains taxed at the long-term rate) or without it (``step_up``, ``donate``).
    spending : (paths,) sustainable after-tax spending a year: the mean spending paid in
        retirement plus the level extra that the terminal wealth could have paid each
        retirement year at the path's own after-tax growth
        (:mod:`~assetloc.simulate.sustainable`).
    spending_paid : (paths, years) after-tax spending the accounts paid each year (short
        of the plan's ``spending`` when they ran dry).
    lifetime_tax : (paths,) sum of ``tax``.
    tax : (paths, years) tax the accounts and the benefits caused each year: the year's
        total tax (federal + NIIT + state) less the tax on the wages alone.
    taxable_sale : (paths, years) bool, rebalancing had to sell in a taxable account
        (sales beyond what left the account as a withdrawal, over $1).
    taxable_sale_tax : (paths, years) the tax those sales cost (negative when they
        realized a loss that saved tax).
    reoptimized : what re-solving ``joint`` changed (``None`` when it was not re-solved):
        ``solves`` (problems solved), ``resolves`` (re-solve dates), and
        ``mean_abs_change`` (mean over paths and dates of ½ Σ |Δ target share| per account,
        decimal).
    held_mix : (paths, n) the household mix the strategy held, mean over the year ends
        (after rebalancing) with wealth: each class's share of the accounts' value, taxable
        at market value and tax-deferred after the withdrawal rate (as x, in shares of F);
        ``None`` when not recorded.
    """

    name: str
    wealth: FloatArray
    terminal_wealth: FloatArray
    spending: FloatArray
    spending_paid: FloatArray
    lifetime_tax: FloatArray
    tax: FloatArray
    taxable_sale: NDArray[np.bool_]
    taxable_sale_tax: FloatArray
    reoptimized: dict[str, float] | None = None
    held_mix: FloatArray | None = None

    @property
    def paths(self) -> int:
        """Number of paths."""
        return int(self.terminal_wealth.shape[0])

    @property
    def years(self) -> int:
        """Years simulated."""
        return int(self.tax.shape[1])

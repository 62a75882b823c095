"""Each simulated year's tax, vectorized over paths, in today's dollars.

Two models, one interface (:class:`YearTax`): ``lines(t, income)`` gives the year's lines
for arrays of income of shape (paths,) keyed by :data:`~assetloc.tax.income.INCOME_KEYS`.

* :class:`EngineYearTax` — a household with a filing status: the project's return,
  :func:`assetloc.tax.engine.compute_lines`, with the law of calendar year
  ``tax_year + t`` (:func:`~assetloc.tax.law.year_law`); beyond the last bundled year, the
  last year's law with its indexed amounts grown by ``inflation``.
* :class:`StatedYearTax` — a household that states its marginal rates: each kind of income
  at its rate (traditional withdrawals and taxable benefits at the withdrawal rate), with
  Schedule D netting, a net loss deducted up to $3,000 at the ordinary rate and the rest
  carried forward by character.

**Today's dollars.** The simulator works in dollars of the start (nominal / (1 + π)^t).
The tax is homogeneous of degree one in dollars, so computing it on today's-dollar income
with every dollar amount of the law divided by (1 + π)^t equals the nominal tax divided by
(1 + π)^t. Indexed amounts (brackets, gain breakpoints, standard and senior deductions)
grow with π, so beyond the bundled years they stay at the last year's values in today's
dollars; amounts the statute does not index (the NIIT thresholds, the Social Security base
amounts, the $3,000 loss limit) are fixed in nominal dollars and so shrink in today's
dollars by (1 + π)^t every year. With π = 0 the law is the bundled one, unscaled.
Estimates, not tax advice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np

from assetloc.errors import InputError
from assetloc.tax.engine import compute_lines
from assetloc.tax.law import YearLaw, status_code, supported_years, year_law
from assetloc.tax.profile import TaxProfile
from assetloc.types import FloatArray

#: Lines every model returns (dollars, arrays of shape (paths,)).
LINES: tuple[str, ...] = (
    "total_tax",
    "carryforward_short_term",
    "carryforward_long_term",
    "ordinary_taxable_income",
)
LOSS_LIMIT = 3000.0  # §1211(b), dollars (nominal, not indexed)


class YearTax(Protocol):
    """The tax of year ``t`` (0 = the current tax year) on arrays of income."""

    @property
    def source(self) -> str:
        """``"engine"`` or ``"stated rates"``."""

    def lines(self, t: int, income: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
        """At least :data:`LINES`, dollars (today's), shape (paths,)."""

    def bracket_top(self, t: int, rate: float) -> float | None:
        """Ordinary taxable income where the bracket taxed at ``rate`` ends (today's
        dollars), or None when the model has no brackets."""


def scaled_law(law: YearLaw, indexed: float, fixed: float) -> YearLaw:
    """``law`` with its indexed dollar amounts times ``indexed`` and its unindexed ones
    (NIIT thresholds, Social Security bases, the loss limit) times ``fixed``."""
    if indexed == 1.0 and fixed == 1.0:
        return law
    return dataclasses.replace(
        law,
        bracket_start=law.bracket_start * indexed,
        zero_rate_max=law.zero_rate_max * indexed,
        fifteen_rate_max=law.fifteen_rate_max * indexed,
        standard_deduction=law.standard_deduction * indexed,
        additional_65=law.additional_65 * indexed,
        senior_amount=law.senior_amount * indexed,
        senior_phaseout_start=law.senior_phaseout_start * indexed,
        niit_threshold=law.niit_threshold * fixed,
        loss_limit=law.loss_limit * fixed,
        ss_base=law.ss_base * fixed,
        ss_adjusted_base=law.ss_adjusted_base * fixed,
    )


def law_year(tax_year: int, t: int) -> int:
    """The bundled law used for year ``t``: calendar ``tax_year + t``, capped at the last
    bundled year (and at least the first)."""
    have = supported_years()
    return min(max(tax_year + t, have[0]), have[-1])


@dataclass(frozen=True)
class EngineYearTax:
    """The project's return each year (see the module docstring).

    ``ages``: the investor's and the spouse's age in each year (None = under 65 always);
    ``state_rate`` decimal; ``inflation`` π, decimal a year.
    """

    filing_status: str
    tax_year: int
    inflation: float
    years: int
    state_rate: float = 0.0
    muni_in_state: bool = False
    age: int | None = None
    spouse_age: int | None = None

    source: str = "engine"

    @cached_property
    def _status(self) -> int:
        return status_code(self.filing_status)

    @cached_property
    def laws(self) -> tuple[YearLaw, ...]:
        """The law of each year in today's dollars."""
        out = []
        for t in range(self.years):
            y = law_year(self.tax_year, t)
            deflate = (1.0 + self.inflation) ** -t
            grown = (1.0 + self.inflation) ** (self.tax_year + t - y)  # indexed past the table
            out.append(scaled_law(year_law(y), grown * deflate, deflate))
        return tuple(out)

    def people_65(self, t: int) -> int:
        """Persons on the return aged 65+ at the end of year ``t``."""
        head = int(self.age is not None and self.age + t >= 65)
        joint = self.filing_status == "married_filing_jointly"
        spouse = int(joint and self.spouse_age is not None and self.spouse_age + t >= 65)
        return head + spouse

    def lines(self, t: int, income: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
        """Every line of the year's return (today's dollars)."""
        n = np.shape(income["wages"])[0] if np.ndim(income["wages"]) else 1
        status = np.full(n, self._status, dtype=np.intp)
        out: dict[str, FloatArray] = compute_lines(
            self.laws[t],
            status,
            self.people_65(t),
            self.state_rate,
            1.0 if self.muni_in_state else 0.0,
            income,
        )
        return out

    def bracket_top(self, t: int, rate: float) -> float | None:
        """Top of the ordinary bracket taxed at ``rate`` (today's dollars); a rate that is
        not one of the year's bracket rates is an :class:`InputError` (never rounded)."""
        law = self.laws[t]
        j = bracket_index(law.bracket_rate, rate)
        if j + 1 >= law.bracket_rate.shape[0]:
            return float("inf")
        return float(law.bracket_start[self._status, j + 1])


def bracket_index(rates: FloatArray, rate: float) -> int:
    """The index of ``rate`` (decimal) among a year's federal bracket ``rates``; a rate that
    is not one of them is an :class:`InputError` on ``plan.fill_bracket_rate`` (never
    rounded to the nearest)."""
    j = int(np.argmin(np.abs(rates - rate)))
    if abs(float(rates[j]) - rate) > 1e-9:
        listed = ", ".join(f"{r:g}" for r in rates)
        raise InputError(
            "plan.fill_bracket_rate", f"{rate:g} is not a federal bracket rate; use one of {listed}"
        )
    return j


@dataclass(frozen=True)
class StatedYearTax:
    """Stated marginal rates (a :class:`~assetloc.tax.profile.TaxProfile`), every year.

    The $3,000 loss limit is nominal: in today's dollars it shrinks by (1 + π)^t.
    """

    profile: TaxProfile
    inflation: float = 0.0

    source: str = "stated rates"

    def lines(self, t: int, income: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
        """Total tax and the carryforwards (today's dollars)."""
        p = self.profile
        g = income
        limit = LOSS_LIMIT * (1.0 + self.inflation) ** -t
        st_net = g["short_term_gains"] - g["short_term_carryforward"]
        lt_net = g["long_term_gains"] - g["long_term_carryforward"]
        net = st_net + lt_net
        gain_tax = np.where(
            net > 0,
            np.where(
                (st_net >= 0) & (lt_net >= 0),
                st_net * p.short_term + lt_net * p.long_term,
                np.where(st_net < 0, net * p.long_term, net * p.short_term),
            ),
            0.0,
        )
        deducted = np.minimum(np.maximum(-net, 0.0), limit)
        st_loss, lt_loss = np.maximum(-st_net, 0.0), np.maximum(-lt_net, 0.0)
        carry_st = np.maximum(st_loss - deducted - np.maximum(lt_net, 0.0), 0.0)
        carry_lt = np.maximum(
            lt_loss - np.maximum(st_net, 0.0) - np.maximum(deducted - st_loss, 0.0), 0.0
        )
        loss_year = net < 0
        nonqualified = g["ordinary_dividends"] - g["qualified_dividends"]
        withdrawal = p.withdrawal
        income_tax = (
            (g["taxable_interest"] + nonqualified) * p.ordinary_investment
            + g["treasury_interest"] * p.treasury_interest
            + g["tax_exempt_interest"] * p.exempt_interest
            + g["qualified_dividends"] * p.qualified
            + (g["ira_distributions"] + g["roth_conversions"]) * withdrawal
            + 0.85 * g["social_security"] * withdrawal
            + g["wages"] * p.ordinary
        )
        total = income_tax + gain_tax - deducted * p.ordinary
        zero = np.zeros_like(total)
        return {
            "total_tax": total,
            "carryforward_short_term": np.where(loss_year, carry_st, zero),
            "carryforward_long_term": np.where(loss_year, carry_lt, zero),
            "ordinary_taxable_income": zero,
        }

    def bracket_top(self, t: int, rate: float) -> float | None:
        """Stated rates have no brackets."""
        return None

"""The ``[plan]`` table of the household file: how ``assetloc simulate`` runs the years.

Units: dollars a year in **today's dollars** (the simulator indexes them by ``inflation``);
rates are decimals (0.025 = 2.5%); ages and horizons in whole years. Every key has a
default a careful planner would pick, so ``[plan]`` may be left out entirely:

* ``years``: to the investor's age 95 when ``investor.age`` is known, else 30;
* ``retire_in``: years until the investor turns 65, else ``years`` (never retires);
* ``spending`` 0 and ``social_security`` 0 (nothing withdrawn but RMDs);
* ``withdrawal_order`` ``taxable_first`` (taxable, then traditional, then Roth, then HSA),
  ``fill_bracket_rate`` 0.12;
* ``inflation`` 0.025 (brackets, contributions, spending and benefits grow with it; 0 means
  today's dollars are nominal dollars);
* ``paths`` 1000, ``seed`` 0, ``returns`` ``montecarlo``, ``bootstrap_block`` 5 years,
  ``history`` ``damodaran``;
* ``reoptimize_every`` 5 years (0 holds the first plan's shares);
* ``eis`` ψ = 0.5 and ``time_preference`` ρ = 0.02 (Kaplan's CRRA consumption path).

The defaults that depend on the investor are resolved by
:meth:`PlanSettings.resolved` (the fields stay ``None`` in the file's model).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from assetloc.inputs.limits import MAX_DOLLARS
from assetloc.inputs.strict import Strict

__all__ = [
    "DEFAULT_END_AGE",
    "DEFAULT_RETIREMENT_AGE",
    "DEFAULT_YEARS",
    "MAX_PATHS",
    "MAX_YEARS",
    "HistoryName",
    "PlanSettings",
    "ReturnsMethod",
    "WithdrawalOrder",
]

DEFAULT_END_AGE = 95  # years: the horizon runs to this age when the investor's age is known
DEFAULT_RETIREMENT_AGE = 65
DEFAULT_YEARS = 30  # the horizon when the investor's age is not known
MAX_YEARS = 100
MAX_PATHS = 1_000_000

WithdrawalOrder = Literal["taxable_first", "proportional", "fill_bracket"]
ReturnsMethod = Literal["montecarlo", "bootstrap", "deterministic"]
HistoryName = Literal["damodaran", "simba"]

Dollars = Annotated[float, Field(ge=0.0, le=MAX_DOLLARS, allow_inf_nan=False)]


class PlanSettings(Strict):
    """The ``[plan]`` table (see the module docstring for every default)."""

    years: int | None = Field(
        default=None,
        ge=1,
        le=MAX_YEARS,
        description="years simulated (default: to age 95 if investor.age is known, else 30)",
    )
    retire_in: int | None = Field(
        default=None,
        ge=0,
        le=MAX_YEARS,
        description="years until retirement (default: to age 65 if investor.age is known, "
        "else years, i.e. never)",
    )
    contributions: dict[str, Dollars] = Field(
        default_factory=dict,
        description="account id -> dollars a year (today's dollars) until retirement",
    )
    spending: Dollars = Field(
        default=0.0, description="after-tax dollars a year (today's dollars) from retirement"
    )
    withdrawal_order: WithdrawalOrder = Field(
        default="taxable_first",
        description="taxable_first (taxable, traditional, Roth, HSA), proportional (to "
        "balances), or fill_bracket (traditional up to fill_bracket_rate's bracket first)",
    )
    fill_bracket_rate: float = Field(
        default=0.12,
        gt=0.0,
        lt=1.0,
        allow_inf_nan=False,
        description="fill_bracket: the ordinary bracket (by its rate, decimal) whose top the "
        "traditional withdrawals fill",
    )
    social_security: Dollars = Field(
        default=0.0, description="gross benefit, dollars a year (today's dollars)"
    )
    social_security_age: int = Field(
        default=67, ge=62, le=70, description="investor's age when benefits start, years"
    )
    inflation: float = Field(
        default=0.025,
        ge=-0.05,
        le=0.25,
        allow_inf_nan=False,
        description="decimal a year; brackets and today's-dollar amounts grow with it "
        "(0: today's dollars are nominal dollars)",
    )
    paths: int = Field(default=1000, ge=1, le=MAX_PATHS, description="return paths simulated")
    seed: int = Field(default=0, ge=0, description="random seed (same seed, same paths)")
    returns: ReturnsMethod = Field(
        default="montecarlo",
        description="montecarlo (lognormal from the preset), bootstrap (blocks of history), "
        "or deterministic (expected returns every year)",
    )
    bootstrap_block: int = Field(
        default=5, ge=1, le=50, description="bootstrap: years in one block of history"
    )
    history: HistoryName = Field(
        default="damodaran",
        description="bootstrap: damodaran (1928-2025) or simba (1871-2018) annual returns",
    )
    tax_budget: float | None = Field(
        default=None,
        ge=0.0,
        le=1e9,
        allow_inf_nan=False,
        description="dollars a year (today's) of tax that rebalancing sales in taxable "
        "accounts may cost, at the household's long-term gains rate (none: no cap)",
    )
    reoptimize_every: int = Field(
        default=5,
        ge=0,
        le=MAX_YEARS,
        description="joint: re-solve the plan every this many years (0: hold the first plan)",
    )
    eis: float = Field(
        default=0.5,
        gt=0.0,
        le=10.0,
        allow_inf_nan=False,
        description="lifecycle: elasticity of intertemporal substitution psi",
    )
    time_preference: float = Field(
        default=0.02,
        gt=-0.5,
        lt=1.0,
        allow_inf_nan=False,
        description="lifecycle: rate of time preference rho, decimal a year",
    )

    def resolved(self, age: int | None) -> PlanSettings:
        """A copy with ``years`` and ``retire_in`` filled from the investor's ``age``
        (years, or None when unknown): to age 95 and age 65, else 30 years, never retiring.
        """
        years = self.years
        if years is None:
            years = max(1, DEFAULT_END_AGE - age) if age is not None else DEFAULT_YEARS
        retire_in = self.retire_in
        if retire_in is None:
            retire_in = max(0, DEFAULT_RETIREMENT_AGE - age) if age is not None else years
        retire_in = min(retire_in, years)  # retire_in = years: no retirement in the horizon
        return self.model_copy(update={"years": years, "retire_in": retire_in})

"""The simulator's settings: the household's ``[plan]`` table, resolved for its investor.

:class:`PlanSettings` itself lives in :mod:`assetloc.inputs.plan` (the household file's
model sits below this package); it is re-exported here. :func:`plan_settings` fills the
defaults that depend on the investor's age; :func:`timeline` gives each simulated year's
ages, and when retirement, Social Security and required minimum distributions begin.
Year index ``t = 0 .. years-1`` is the ``t``-th year from now; ages are at the end of year
``t`` (the age the tax return uses): ``age + t``.
"""

from __future__ import annotations

from dataclasses import dataclass

from assetloc.inputs.household import Household
from assetloc.inputs.plan import PlanSettings
from assetloc.simulate.schedules import rmd_start_age

__all__ = ["PlanSettings", "Timeline", "plan_settings", "timeline"]


def plan_settings(h: Household) -> PlanSettings:
    """The household's ``[plan]`` (or every default) with ``years`` and ``retire_in`` filled
    from ``investor.age`` (see :meth:`PlanSettings.resolved`)."""
    return (h.plan or PlanSettings()).resolved(h.investor.age)


@dataclass(frozen=True)
class Timeline:
    """When things happen, in years from now (year index ``t``, 0-based).

    Attributes
    ----------
    years : years simulated.
    retire_in : first year index in retirement (contributions stop, spending starts);
        ``years`` when the investor does not retire within the horizon.
    social_security_in : first year index with benefits: the year the investor reaches
        ``social_security_age``; without a known age, the first year of retirement.
    age, spouse_age : ages now (end of the current tax year), or None when not given.
    rmd_in, spouse_rmd_in : first year index with a required minimum distribution from
        the owner's traditional accounts (SECURE 2.0 start age), None when the age is not
        known (no RMDs are simulated then: stated in the assumptions).
    """

    years: int
    retire_in: int
    social_security_in: int
    age: int | None
    spouse_age: int | None
    rmd_in: int | None
    spouse_rmd_in: int | None

    def ages(self, spouse: bool = False) -> list[int] | None:
        """The owner's age in each simulated year (end of year), or None when unknown."""
        now = self.spouse_age if spouse else self.age
        return None if now is None else [now + t for t in range(self.years)]


def _rmd_in(age: int | None, tax_year: int) -> int | None:
    if age is None:
        return None
    return max(0, rmd_start_age(tax_year - age) - age)


def timeline(h: Household) -> Timeline:
    """The household's :class:`Timeline` (birth years: ``investor.tax_year − age``)."""
    plan = plan_settings(h)
    assert plan.years is not None and plan.retire_in is not None  # resolved above
    inv = h.investor
    if inv.age is not None:
        ss_in = max(0, plan.social_security_age - inv.age)
    else:
        ss_in = plan.retire_in
    return Timeline(
        years=plan.years,
        retire_in=plan.retire_in,
        social_security_in=ss_in,
        age=inv.age,
        spouse_age=inv.spouse_age,
        rmd_in=_rmd_in(inv.age, inv.tax_year),
        spouse_rmd_in=_rmd_in(inv.spouse_age, inv.tax_year),
    )

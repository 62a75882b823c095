"""The household file's taxes: who files, the year's income, the rates and the gain tax.

One place turns ``[investor]`` and ``[income]`` into the tax objects every command uses:
the :class:`~assetloc.tax.income.Filer`, the :class:`~assetloc.tax.income.Income`, the
:class:`~assetloc.tax.profile.TaxProfile` and the
:class:`~assetloc.tax.gains.GainTax` of realizing gains this year. Field names in errors
are the household file's.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from assetloc.errors import InputError
from assetloc.inputs.household import IncomeTable, Investor
from assetloc.tax.gains import EngineGainTax, GainTax, StatedGainTax, loss_limit
from assetloc.tax.income import Filer, Income
from assetloc.tax.profile import TaxProfile
from assetloc.tax.year_return import TaxReturn, lines_of
from assetloc.units import pct, usd


@dataclass(frozen=True)
class TaxSituation:
    """The household's taxes; ``filer`` and ``income`` are None for stated rates."""

    profile: TaxProfile
    filer: Filer | None
    income: Income | None

    @property
    def tax_return(self) -> TaxReturn | None:
        """The year's return the rates come from (None for stated rates)."""
        return self.profile.tax_return

    def with_withdrawals(self, per_year: float) -> TaxSituation:
        """The same taxes with the withdrawal rate measured over ``per_year`` dollars.

        One dollar's rate can sit in a phase-out (Social Security's 85% zone, the senior
        deduction) that a whole account's withdrawals pass through: the rate that values a
        tax-deferred account is the average extra tax (federal without NIIT, and state) of
        withdrawing ``per_year`` more this year — the household's tax-deferred balance
        spread over its horizon. Stated rates are kept as stated.
        """
        if self.filer is None or self.income is None or per_year <= 0:
            return self
        base = lines_of(self.filer, self.income.as_dict())
        more = lines_of(self.filer, self.income.plus(ira_distributions=per_year).as_dict())
        extra = more["total_tax"] - base["total_tax"] - (more["niit"] - base["niit"])
        rate = min(max(extra / per_year, 0.0), 0.999)
        note = (
            f"Withdrawal rate {pct(rate, 1)}: the average extra tax (federal without NIIT, and "
            f"state) of taking {usd(per_year, 0)} more from tax-deferred accounts this year "
            "(their balance spread over horizon_years), by the return; one more dollar "
            f"would cost {pct(self.profile.withdrawal, 1)}."
        )
        profile = replace(
            self.profile, withdrawal=rate, assumptions=(*self.profile.assumptions, note)
        )
        return TaxSituation(profile, self.filer, self.income)

    def gain_tax(self, allow_losses: bool = True) -> GainTax:
        """The tax of realizing net gains this year (dollars), by the engine if it can."""
        if self.filer is not None and self.income is not None:
            return EngineGainTax(self.filer, self.income, allow_losses)
        p = self.profile
        return StatedGainTax(p.short_term, p.long_term, allow_losses, loss_limit(None, None))


def _filer(investor: Investor) -> Filer:
    if investor.filing_status is None:
        raise InputError(
            "investor.filing_status", "is required with an [income] table or taxable_income"
        )
    return Filer(
        filing_status=investor.filing_status,
        year=investor.tax_year,
        age=investor.age,
        spouse_age=investor.spouse_age,
        state_rate=investor.state_rate,
        muni_in_state=investor.muni_in_state,
    )


def tax_situation(investor: Investor, income_table: IncomeTable | None = None) -> TaxSituation:
    """The taxes of a household file's ``[investor]`` and ``[income]`` (pydantic models)."""
    try:
        return _situation(investor, income_table)
    except InputError as err:  # name the household file's field
        if err.field.startswith(("investor.", "income.")):
            raise
        field = {"year": "tax_year"}.get(err.field, err.field)
        if "state" in err.problem and err.field == "ordinary_rate":
            field = "state_rate"
        raise InputError(f"investor.{field}", err.problem) from None


def _situation(investor: Investor, income_table: IncomeTable | None) -> TaxSituation:
    if income_table is not None:
        filer = _filer(investor)
        income = Income(**income_table.model_dump())
        profile = TaxProfile.from_return(filer, income, retirement_rate=investor.retirement_rate)
        return TaxSituation(profile, filer, income)
    if investor.filing_status is not None:
        if investor.taxable_income is None:
            raise InputError(
                "investor.taxable_income",
                "is required with filing_status (or give an [income] table)",
            )
        profile = TaxProfile.from_taxable_income(
            _filer(investor),
            investor.taxable_income,
            magi=investor.magi,
            retirement_rate=investor.retirement_rate,
        )
        ret = profile.tax_return
        if ret is None:
            raise RuntimeError("internal: a profile from taxable income has no tax return")
        return TaxSituation(profile, ret.filer, ret.income)
    if investor.ordinary_rate is None or investor.capital_gains_rate is None:
        raise InputError(
            "investor",
            "give ordinary_rate and capital_gains_rate, or filing_status with taxable_income "
            "or an [income] table",
        )
    profile = _stated_profile(
        investor.ordinary_rate - investor.state_rate,
        investor.capital_gains_rate - investor.state_rate,
        state_rate=investor.state_rate,
        niit=investor.niit,
        muni_in_state=investor.muni_in_state,
        retirement_rate=investor.retirement_rate,
    )
    return TaxSituation(profile, None, None)


#: :meth:`TaxProfile.from_rates`, memoized (profiles are frozen; a book shares its rates)
_stated_profile = functools.lru_cache(maxsize=1024)(TaxProfile.from_rates)

"""An investor's marginal tax rates, from given rates or from the federal brackets.

A :class:`TaxProfile` holds the marginal rates (decimals, 0.22 = 22%) that apply to the
*next dollar* of each kind of investment income. It is built either from rates the user
states (:meth:`TaxProfile.from_rates`) or from filing status and taxable income, looked
up in the bundled table of US federal brackets (:meth:`TaxProfile.from_income`, data in
``assetloc/data/us_federal_tax.toml``, sources in ``PROVENANCE_TAX.md``).

Model and assumptions (each profile also lists the ones it used in ``assumptions``):

* Marginal rates, not average rates: the rate on one more dollar at the given taxable
  income. Investment income large enough to cross a bracket is not modelled.
* Thresholds use the "next dollar" convention: the IRS tables tax income *over* a
  bracket start at the new rate, so at exactly the start the next dollar already pays it.
  The same holds for the 0%/15% capital-gain breakpoints and for the NIIT threshold.
* Long-term gains and qualified dividends are stacked on top of ordinary income
  (IRC §1(h)): their federal rate is 0%, 15% or 20% by where the taxable income falls
  against ``zero_rate_max`` and ``fifteen_rate_max``.
* NIIT (IRC §1411): 3.8% on investment income (interest, dividends, gains; not
  tax-exempt interest, not retirement-account withdrawals) when MAGI reaches the
  threshold. MAGI defaults to taxable income, which understates it.
* State: one flat rate on all investment income, capital gains and qualified dividends
  included (most states tax gains as ordinary income). State tax is not deducted
  federally (the SALT deduction cap usually binds). Treasury interest is exempt from
  state tax; in-state municipal bond interest too.
* The federal figures are estimates from a table, not tax advice. AMT, phase-outs and
  the Additional Medicare Tax are not modelled.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from assetloc.errors import InputError

__all__ = [
    "FILING_STATUSES",
    "TaxProfile",
    "federal_tax_table",
    "marginal_capital_gains_rate",
    "marginal_ordinary_rate",
    "niit_applies",
    "supported_years",
]

#: Filing statuses of the bracket table. ``qualifying_surviving_spouse`` is accepted as
#: an alias of ``married_filing_jointly`` (Rev. Proc. Table 1 covers both).
FILING_STATUSES: tuple[str, ...] = (
    "single",
    "married_filing_jointly",
    "married_filing_separately",
    "head_of_household",
)
_STATUS_ALIASES = MappingProxyType({"qualifying_surviving_spouse": "married_filing_jointly"})

_TABLE_FILE = "us_federal_tax.toml"

# Primary sources of each year's table, for the assumption list of a profile.
_YEAR_SOURCES = MappingProxyType(
    {
        2025: "Rev. Proc. 2024-40 §2.01 (brackets), §2.03 (capital gains)",
        2026: "Rev. Proc. 2025-32 §4.01 (brackets), §4.03 (capital gains)",
    }
)

_DISCLAIMER = "Estimates of tax, not tax advice."


@lru_cache(maxsize=1)
def federal_tax_table() -> dict[str, Any]:
    """Load the bundled US federal tax table.

    Returns
    -------
    dict
        The parsed ``us_federal_tax.toml`` (brackets, capital-gain breakpoints and NIIT
        thresholds per year and filing status; amounts in US dollars, rates decimals).
        Cached: treat it as read-only.
    """
    text = resources.files("assetloc").joinpath("data", _TABLE_FILE).read_text("utf-8")
    return tomllib.loads(text)


def supported_years() -> tuple[int, ...]:
    """Tax years the bundled table covers, ascending."""
    return tuple(sorted(int(y) for y in federal_tax_table()["years"]))


def _status(filing_status: str) -> str:
    status = _STATUS_ALIASES.get(filing_status, filing_status)
    if status not in FILING_STATUSES:
        known = ", ".join((*FILING_STATUSES, *_STATUS_ALIASES))
        raise InputError("filing_status", f"unknown filing status {filing_status!r}; use {known}")
    return status


def _year_table(year: int) -> dict[str, Any]:
    years: dict[str, Any] = federal_tax_table()["years"]
    if isinstance(year, bool) or not isinstance(year, int) or str(year) not in years:
        have = ", ".join(str(y) for y in supported_years())
        raise InputError("year", f"no federal tax table for {year!r}; have {have}")
    table: dict[str, Any] = years[str(year)]
    return table


def _amount(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(name, f"must be a number of dollars, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise InputError(name, f"must be a finite amount >= 0 dollars, got {value!r}")
    return float(value)


def _rate(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(name, f"must be a decimal rate, got {value!r}")
    if not 0.0 <= value < 1.0:  # also rejects NaN
        raise InputError(name, f"must be a decimal rate in [0, 1), got {value!r}")
    return float(value)


def marginal_ordinary_rate(filing_status: str, taxable_income: float, year: int = 2026) -> float:
    """Federal marginal rate on the next dollar of ordinary income.

    Parameters
    ----------
    filing_status : str
        One of :data:`FILING_STATUSES` (or ``qualifying_surviving_spouse``).
    taxable_income : float
        Taxable income in US dollars (after deductions), >= 0.
    year : int
        Tax year of the bracket table.

    Returns
    -------
    float
        Decimal rate of the highest bracket whose start is <= ``taxable_income``.
    """
    status = _status(filing_status)
    income = _amount("taxable_income", taxable_income)
    brackets = _year_table(year)["ordinary_brackets"][status]
    rate = float(brackets[0]["rate"])
    for bracket in brackets:
        if income >= bracket["start"]:
            rate = float(bracket["rate"])
    return rate


def marginal_capital_gains_rate(
    filing_status: str, taxable_income: float, year: int = 2026
) -> float:
    """Federal rate on the next dollar of long-term gain or qualified dividend.

    The gain is stacked on top of ordinary income, so its rate depends on where
    ``taxable_income`` falls against the year's breakpoints: 0% below
    ``zero_rate_max``, 15% below ``fifteen_rate_max``, 20% from there on.

    Parameters
    ----------
    filing_status : str
        One of :data:`FILING_STATUSES` (or ``qualifying_surviving_spouse``).
    taxable_income : float
        Taxable income in US dollars, >= 0.
    year : int
        Tax year of the table.

    Returns
    -------
    float
        0.0, 0.15 or 0.20.
    """
    status = _status(filing_status)
    income = _amount("taxable_income", taxable_income)
    gains = _year_table(year)["capital_gains"]
    zero_rate, fifteen_rate, twenty_rate = (float(r) for r in gains["rates"])
    limits = gains[status]
    if income < limits["zero_rate_max"]:
        return zero_rate
    if income < limits["fifteen_rate_max"]:
        return fifteen_rate
    return twenty_rate


def niit_applies(filing_status: str, magi: float) -> bool:
    """Whether the next dollar of investment income pays the 3.8% NIIT.

    Parameters
    ----------
    filing_status : str
        One of :data:`FILING_STATUSES` (or ``qualifying_surviving_spouse``).
    magi : float
        Modified adjusted gross income in US dollars, >= 0.

    Returns
    -------
    bool
        True when ``magi`` is at or above the IRC §1411(b) threshold (the next dollar
        of investment income then exceeds it).
    """
    status = _status(filing_status)
    income = _amount("magi", magi)
    return bool(income >= federal_tax_table()["niit"]["magi_threshold"][status])


def _niit_rate() -> float:
    return float(federal_tax_table()["niit"]["rate"])


@dataclass(frozen=True)
class TaxProfile:
    """Marginal tax rates of one investor (decimals).

    Build it with :meth:`from_rates` or :meth:`from_income`. The stored fields are the
    components; the rates that apply to each kind of investment income are properties
    (see :meth:`rates`).

    Attributes
    ----------
    federal_ordinary : float
        Federal marginal rate on ordinary income.
    federal_capital_gains : float
        Federal rate on long-term gains and qualified dividends.
    state_rate : float
        Flat state (and local) rate on all investment income, gains included.
    niit : bool
        Whether the 3.8% net investment income tax applies at the margin.
    niit_rate : float
        NIIT rate (0.038, IRC §1411).
    muni_in_state : bool
        Municipal bonds are of the investor's own state (no state tax on their interest).
    retirement_rate : float or None
        Expected ordinary rate on traditional-account withdrawals (t_ret); ``None``
        means :attr:`ordinary`.
    filing_status, taxable_income, magi, year
        Inputs of :meth:`from_income` (``None`` for :meth:`from_rates`).
    assumptions : tuple of str
        Assumptions and sources behind the rates, for reports.
    """

    federal_ordinary: float
    federal_capital_gains: float
    state_rate: float = 0.0
    niit: bool = False
    niit_rate: float = 0.038
    muni_in_state: bool = False
    retirement_rate: float | None = None
    filing_status: str | None = None
    taxable_income: float | None = None
    magi: float | None = None
    year: int | None = None
    assumptions: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        _rate("ordinary_rate", self.federal_ordinary)
        _rate("capital_gains_rate", self.federal_capital_gains)
        _rate("state_rate", self.state_rate)
        _rate("niit_rate", self.niit_rate)
        if self.retirement_rate is not None:
            _rate("retirement_rate", self.retirement_rate)
        if not isinstance(self.niit, bool):
            raise InputError("niit", f"must be true or false, got {self.niit!r}")
        if not isinstance(self.muni_in_state, bool):
            raise InputError("muni_in_state", f"must be true or false, got {self.muni_in_state!r}")
        top = self.federal_ordinary + self._niit_add + self.state_rate
        if top >= 1.0:
            raise InputError(
                "ordinary_rate",
                f"federal {self.federal_ordinary} + NIIT {self._niit_add} + state "
                f"{self.state_rate} = {top:.4f} must be below 1",
            )
        # Normalise to a tuple even if a list was passed (keeps the profile hashable).
        object.__setattr__(self, "assumptions", tuple(str(a) for a in self.assumptions))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_rates(
        cls,
        ordinary_rate: float,
        capital_gains_rate: float,
        state_rate: float = 0.0,
        niit: bool = False,
        *,
        muni_in_state: bool = False,
        retirement_rate: float | None = None,
    ) -> TaxProfile:
        """Profile from stated marginal rates.

        Parameters
        ----------
        ordinary_rate : float
            Federal marginal ordinary rate, decimal in [0, 1). To state an all-in rate
            (Kaplan's 40%), give it here with ``state_rate=0`` and ``niit=False``.
        capital_gains_rate : float
            Federal long-term gain / qualified dividend rate, decimal in [0, 1).
        state_rate : float
            Flat state rate on all investment income, decimal in [0, 1).
        niit : bool
            Add the 3.8% NIIT to investment income (not to tax-exempt interest).
        muni_in_state : bool
            Municipal bonds held are of the investor's state (state-exempt too).
        retirement_rate : float, optional
            Expected ordinary rate on traditional-account withdrawals.

        Returns
        -------
        TaxProfile
        """
        _rate("ordinary_rate", ordinary_rate)
        _rate("capital_gains_rate", capital_gains_rate)
        _rate("state_rate", state_rate)
        niit_rate = _niit_rate()
        notes = [
            f"Stated marginal rates: federal ordinary {ordinary_rate:.2%}, federal long-term "
            f"gains and qualified dividends {capital_gains_rate:.2%}.",
            _niit_note(niit, niit_rate),
            *_state_notes(state_rate, muni_in_state),
            _DISCLAIMER,
        ]
        return cls(
            federal_ordinary=ordinary_rate,
            federal_capital_gains=capital_gains_rate,
            state_rate=state_rate,
            niit=niit,
            niit_rate=niit_rate,
            muni_in_state=muni_in_state,
            retirement_rate=retirement_rate,
            assumptions=tuple(notes),
        )

    @classmethod
    def from_income(
        cls,
        filing_status: str,
        taxable_income: float,
        year: int = 2026,
        state_rate: float = 0.0,
        magi: float | None = None,
        *,
        muni_in_state: bool = False,
        retirement_rate: float | None = None,
    ) -> TaxProfile:
        """Profile from filing status and taxable income, by the federal brackets.

        Parameters
        ----------
        filing_status : str
            ``single``, ``married_filing_jointly``, ``married_filing_separately``,
            ``head_of_household`` (or ``qualifying_surviving_spouse``, which uses the
            joint tables).
        taxable_income : float
            Taxable income in US dollars (after deductions), >= 0.
        year : int
            Tax year of the bundled table (2025 or 2026).
        state_rate : float
            Flat state rate on all investment income, decimal in [0, 1).
        magi : float, optional
            Modified AGI in US dollars for the NIIT test; default ``taxable_income``.
        muni_in_state : bool
            Municipal bonds held are of the investor's state.
        retirement_rate : float, optional
            Expected ordinary rate on traditional-account withdrawals.

        Returns
        -------
        TaxProfile
        """
        status = _status(filing_status)
        income = _amount("taxable_income", taxable_income)
        _year_table(year)
        magi_used = income if magi is None else _amount("magi", magi)
        _rate("state_rate", state_rate)

        ordinary = marginal_ordinary_rate(status, income, year)
        gains = marginal_capital_gains_rate(status, income, year)
        niit = niit_applies(status, magi_used)
        niit_rate = _niit_rate()
        table = federal_tax_table()
        limits = _year_table(year)["capital_gains"][status]
        threshold = table["niit"]["magi_threshold"][status]
        source = _YEAR_SOURCES.get(year, f"us_federal_tax.toml [years.{year}]")
        status_note = (
            f"{filing_status} (uses the married_filing_jointly tables)"
            if status != filing_status
            else status
        )
        notes = [
            f"Federal tax year {year}, filing status {status_note}, taxable income "
            f"${income:,.0f}: {source}.",
            f"Marginal federal ordinary rate {ordinary:.0%} on the next dollar (income over "
            "a bracket start pays the new rate).",
            f"Long-term gains and qualified dividends stacked on ordinary income: "
            f"{gains:.0%} (0% below ${limits['zero_rate_max']:,}, 15% below "
            f"${limits['fifteen_rate_max']:,}, 20% above; IRC §1(h)).",
            f"NIIT threshold ${threshold:,} (IRC §1411(b)); MAGI "
            f"${magi_used:,.0f}" + (" (assumed = taxable income)" if magi is None else "") + ".",
            _niit_note(niit, niit_rate),
            *_state_notes(state_rate, muni_in_state),
            "Marginal rates only: investment income that crosses a bracket, AMT, phase-outs "
            "and the Additional Medicare Tax are not modelled.",
            _DISCLAIMER,
        ]
        return cls(
            federal_ordinary=ordinary,
            federal_capital_gains=gains,
            state_rate=state_rate,
            niit=niit,
            niit_rate=niit_rate,
            muni_in_state=muni_in_state,
            retirement_rate=retirement_rate,
            filing_status=status,
            taxable_income=income,
            magi=magi_used,
            year=year,
            assumptions=tuple(notes),
        )

    # ------------------------------------------------------------------ rates
    @property
    def _niit_add(self) -> float:
        return self.niit_rate if self.niit else 0.0

    @property
    def ordinary(self) -> float:
        """Ordinary rate, federal + state (wages, withdrawals; no NIIT)."""
        return self.federal_ordinary + self.state_rate

    @property
    def ordinary_investment(self) -> float:
        """Interest and non-qualified dividends: federal + NIIT + state."""
        return self.federal_ordinary + self._niit_add + self.state_rate

    @property
    def qualified(self) -> float:
        """Qualified dividends and long-term gains: federal LTCG + NIIT + state."""
        return self.federal_capital_gains + self._niit_add + self.state_rate

    @property
    def long_term(self) -> float:
        """Long-term capital gains (same as :attr:`qualified`)."""
        return self.qualified

    @property
    def short_term(self) -> float:
        """Short-term capital gains: taxed as ordinary investment income."""
        return self.ordinary_investment

    @property
    def exempt_interest(self) -> float:
        """Federally exempt (municipal) interest: state rate, 0 if in-state."""
        return 0.0 if self.muni_in_state else self.state_rate

    @property
    def treasury_interest(self) -> float:
        """US Treasury interest, exempt from state tax: federal + NIIT."""
        return self.federal_ordinary + self._niit_add

    @property
    def withdrawal(self) -> float:
        """Ordinary rate on traditional-account withdrawals (t_ret)."""
        return self.ordinary if self.retirement_rate is None else self.retirement_rate

    def rates(self) -> dict[str, float]:
        """All derived marginal rates by name (decimals), for reports."""
        return {
            "ordinary": self.ordinary,
            "ordinary_investment": self.ordinary_investment,
            "qualified": self.qualified,
            "long_term": self.long_term,
            "short_term": self.short_term,
            "exempt_interest": self.exempt_interest,
            "treasury_interest": self.treasury_interest,
            "withdrawal": self.withdrawal,
        }


def _niit_note(niit: bool, rate: float) -> str:
    if niit:
        return (
            f"NIIT {rate:.1%} added to interest, dividends and gains (IRC §1411); not to "
            "tax-exempt interest or retirement-account withdrawals."
        )
    return "NIIT not applied."


def _state_notes(state_rate: float, muni_in_state: bool) -> list[str]:
    if state_rate == 0:
        return ["No state income tax."]
    return [
        f"State: flat {state_rate:.2%} on all investment income, capital gains and "
        "qualified dividends included; not deducted federally (SALT cap).",
        "Treasury interest exempt from state tax; municipal bond interest "
        + ("of the investor's state exempt." if muni_in_state else "taxed by the state."),
    ]

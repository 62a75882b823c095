"""An investor's marginal tax rates: from the year's return, or as stated.

A :class:`TaxProfile` holds, for each kind of income, the tax of one more dollar
(decimals, federal with NIIT and state apart) and the rate on traditional-account
withdrawals. Three ways to build one:

* :meth:`TaxProfile.from_return` — the household's ``[income]``: the rates are the
  engine's own increments at that income (:func:`assetloc.tax.year_return.marginal_rates`),
  so every "taxed at" figure agrees with ``assetloc tax-year``.
* :meth:`TaxProfile.from_income` — filing status and ordinary taxable income: the return
  of a household whose only income is wages that give that taxable income (AGI = taxable
  income + the standard deduction, or ``magi`` when given).
* :meth:`TaxProfile.from_rates` — stated marginal rates, federal + state, with the 3.8%
  NIIT added to investment income when ``niit`` is true.

The withdrawal rate never includes NIIT (retirement-account distributions are not net
investment income, §1411(c)(5)). Estimates, not tax advice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from assetloc.errors import InputError
from assetloc.notice import DISCLAIMER
from assetloc.tax.engine import NOT_MODELLED
from assetloc.tax.income import Filer, Income
from assetloc.tax.interest import interest_tax
from assetloc.tax.law import STATUSES, status_code, year_law
from assetloc.tax.year_return import MarginalRate, TaxReturn, lines_of, tax_return
from assetloc.units import CENT, pct, usd

__all__ = ["DISCLAIMER", "NIIT_RATE", "TaxProfile"]

NIIT_RATE = 0.038  # IRC §1411(a)(1)
_SEARCH_STEPS = 80  # bisection steps to find the wages that give a taxable income


def _rate(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(name, f"must be a decimal rate, got {value!r}")
    if not 0.0 <= value < 1.0:  # also rejects NaN
        raise InputError(name, f"must be a decimal rate in [0, 1), got {value!r}")
    return float(value)


@dataclass(frozen=True)
class TaxProfile:
    """Marginal tax rates of one investor (decimals); see the module docstring.

    Attributes
    ----------
    kinds : per kind of :data:`~assetloc.tax.year_return.MARGINAL_KINDS`, the tax of one
        more dollar (federal with NIIT, and state).
    withdrawal : rate on traditional-account withdrawals (t_ret), no NIIT.
    state_rate : the flat state rate.
    muni_in_state : municipal interest is of the investor's state.
    source : ``"return"``, ``"taxable income"`` or ``"stated rates"``.
    tax_return : the return the rates come from (``None`` for stated rates).
    assumptions : sentences for reports.
    """

    kinds: Mapping[str, MarginalRate]
    withdrawal: float
    state_rate: float = 0.0
    muni_in_state: bool = False
    source: str = "stated rates"
    tax_return: TaxReturn | None = field(default=None, compare=False)
    assumptions: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", MappingProxyType(dict(self.kinds)))
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
        """Profile from stated federal marginal rates (decimals) and a flat state rate.

        ``ordinary_rate`` and ``capital_gains_rate`` are FEDERAL rates here (the household
        file's all-in rates less ``state_rate``); ``niit`` adds 3.8% to interest,
        dividends and gains.
        """
        fed_o = _rate("ordinary_rate", ordinary_rate)
        fed_g = _rate("capital_gains_rate", capital_gains_rate)
        s = _rate("state_rate", state_rate)
        n = NIIT_RATE if niit else 0.0
        if fed_o + n + s >= 1.0:
            raise InputError(
                "ordinary_rate",
                f"federal {fed_o} + NIIT {n} + state {s} = {fed_o + n + s:.4f} must be below 1",
            )
        invest = MarginalRate(fed_o + n, s, n)
        gains = MarginalRate(fed_g + n, s, n)
        treasury = interest_tax(fed_o + n, s, treasury=True)
        muni = interest_tax(fed_o + n, s, muni=True, in_state=muni_in_state)
        kinds = {
            "ordinary": MarginalRate(fed_o, s),
            "taxable_interest": invest,
            "treasury_interest": MarginalRate(*treasury, n),
            "tax_exempt_interest": MarginalRate(*muni),
            "ordinary_dividends": invest,
            "qualified_dividends": gains,
            "short_term_gains": invest,
            "long_term_gains": gains,
            "ira_distributions": MarginalRate(fed_o, s),
        }
        withdrawal = (
            fed_o + s if retirement_rate is None else _rate("retirement_rate", retirement_rate)
        )
        notes = [
            f"Stated marginal rates: federal ordinary {pct(fed_o, 2)}, federal long-term gains "
            f"and qualified dividends {pct(fed_g, 2)}.",
            _niit_note(niit),
            *_state_notes(s, muni_in_state),
            "Stated rates apply to every dollar: no brackets, bands or phase-outs; a net "
            "capital loss is deducted at the ordinary rate up to $3,000 a year, the rest "
            "carried forward.",
            DISCLAIMER,
        ]
        return cls(
            kinds=kinds,
            withdrawal=withdrawal,
            state_rate=s,
            muni_in_state=muni_in_state,
            source="stated rates",
            assumptions=tuple(notes),
        )

    @classmethod
    def from_return(
        cls, filer: Filer, income: Income, *, retirement_rate: float | None = None
    ) -> TaxProfile:
        """Profile from the year's return of ``filer`` with ``income``: the engine's rates.

        A year that ends with a net capital loss (or carries one forward) taxes the next
        dollar of gain at 0% this year; that is no rate for the years ahead. The profile's
        rates are then those of the same return without this year's capital losses and
        carryforwards (said in the notes); ``tax-year`` and the rebalancer's realized tax
        keep the year's own.
        """
        ret = tax_return(filer, income)
        notes = _return_notes(ret)
        if _loss_year(ret):
            normal = replace(
                income,
                short_term_gains=max(income.short_term_gains, 0.0),
                long_term_gains=max(income.long_term_gains, 0.0),
                short_term_carryforward=0.0,
                long_term_carryforward=0.0,
            )
            rates_of = tax_return(filer, normal)
            m = rates_of.marginal
            notes.insert(
                2,
                "This year ends with a net capital loss (carried forward: short-term "
                f"{usd(ret.lines['carryforward_short_term'], 0)}, long-term "
                f"{usd(ret.lines['carryforward_long_term'], 0)}), so one more dollar of gain "
                "is untaxed this year. The rates used for the years ahead are those of the "
                "same return without this year's capital losses and carryforwards: "
                f"long-term gains {pct(m['long_term_gains'].total, 1)}, short-term "
                f"{pct(m['short_term_gains'].total, 1)}, qualified dividends "
                f"{pct(m['qualified_dividends'].total, 1)}.",
            )
            return cls._of_return(ret, retirement_rate, "return", notes, rates_of)
        return cls._of_return(ret, retirement_rate, "return", notes)

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
        age: int | None = None,
        spouse_age: int | None = None,
    ) -> TaxProfile:
        """Profile of a filer whose only income is wages giving ``taxable_income`` (dollars).

        AGI is taxable income + the deduction (standard, 65+ and senior deductions by
        ``age``); with ``magi`` (dollars) AGI is ``magi`` and the deductions make up the
        difference. The rates are then the engine's, as in :meth:`from_return`.
        """
        status_code(filing_status)
        year_law(year)
        filer = Filer(
            filing_status, year, age, spouse_age, _rate("state_rate", state_rate), muni_in_state
        )
        return cls.from_taxable_income(filer, taxable_income, magi, retirement_rate)

    @classmethod
    def from_taxable_income(
        cls,
        filer: Filer,
        taxable_income: float,
        magi: float | None = None,
        retirement_rate: float | None = None,
    ) -> TaxProfile:
        """:meth:`from_income` for a :class:`Filer` (status, year, ages, state)."""
        year_law(filer.year)
        target = _amount("taxable_income", taxable_income)
        income = (
            _wages_for(filer, target)
            if magi is None
            else _magi_income(filer, target, _amount("magi", magi))
        )
        ret = tax_return(filer, income)
        notes = _return_notes(ret)
        notes.insert(
            1,
            f"Taxable income {usd(target, 0)} stated as ordinary income (AGI "
            f"{usd(ret.lines['agi'], 0)}"
            + (" = magi" if magi is not None else " = taxable income + deductions")
            + "); give an [income] table for a return with gains, dividends and benefits.",
        )
        return cls._of_return(ret, retirement_rate, "taxable income", notes)

    @classmethod
    def _of_return(
        cls,
        ret: TaxReturn,
        retirement_rate: float | None,
        source: str,
        notes: list[str],
        rates_of: TaxReturn | None = None,
    ) -> TaxProfile:
        marginal = (rates_of or ret).marginal
        ira = marginal["ira_distributions"]
        withdrawal = (
            ira.federal - ira.niit + ira.state
            if retirement_rate is None
            else _rate("retirement_rate", retirement_rate)
        )
        return cls(
            kinds=marginal,
            withdrawal=min(max(withdrawal, 0.0), 0.999),
            state_rate=ret.filer.state_rate,
            muni_in_state=ret.filer.muni_in_state,
            source=source,
            tax_return=ret,
            assumptions=tuple(notes),
        )

    # ------------------------------------------------------------------ rates by name
    def rate(self, kind: str) -> float:
        """Total marginal rate (federal + NIIT + state) of one more dollar of ``kind``."""
        return self.kinds[kind].total

    @property
    def ordinary(self) -> float:
        """Wages and other ordinary income: federal + state (no NIIT)."""
        return self.rate("ordinary")

    @property
    def ordinary_investment(self) -> float:
        """Taxable interest and non-qualified dividends: federal + NIIT + state."""
        return self.rate("taxable_interest")

    @property
    def qualified(self) -> float:
        """Qualified dividends: federal + NIIT + state."""
        return self.rate("qualified_dividends")

    @property
    def long_term(self) -> float:
        """Long-term capital gains: federal + NIIT + state."""
        return self.rate("long_term_gains")

    @property
    def short_term(self) -> float:
        """Short-term capital gains: federal + NIIT + state."""
        return self.rate("short_term_gains")

    @property
    def exempt_interest(self) -> float:
        """Municipal interest: state tax if out of state (and any federal side effect)."""
        return self.rate("tax_exempt_interest")

    @property
    def treasury_interest(self) -> float:
        """US Treasury interest, state-exempt: federal + NIIT."""
        return self.rate("treasury_interest")

    def rates(self) -> dict[str, float]:
        """All marginal rates by name (decimals), for reports."""
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

    def to_dict(self) -> dict[str, Any]:
        """Rates with where they come from, for JSON."""
        return {"source": self.source, **self.rates()}


def _amount(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(name, f"must be a number of dollars, got {value!r}")
    if not (value == value and 0 <= value < float("inf")):
        raise InputError(name, f"must be a finite amount >= 0 dollars, got {value!r}")
    return float(value)


def _taxable(filer: Filer, income: Income) -> float:
    return lines_of(filer, income.as_dict())["taxable_income"]


def _wages_for(filer: Filer, target: float) -> Income:
    """The largest wages whose taxable income is ``target`` (dollars), by bisection."""
    lo, hi = 0.0, target + 1.0
    while _taxable(filer, Income(wages=hi)) <= target:
        hi = hi * 2.0 + 100_000.0
    for _ in range(_SEARCH_STEPS):
        mid = 0.5 * (lo + hi)
        if _taxable(filer, Income(wages=mid)) <= target:
            lo = mid
        else:
            hi = mid
    return Income(wages=round(lo, 2) if target > 0 else lo)


def _magi_income(filer: Filer, target: float, magi: float) -> Income:
    """Wages = ``magi``; itemized deductions that leave taxable income ``target``."""
    law = year_law(filer.year)
    code = status_code(filer.filing_status)
    lines = lines_of(filer, Income(wages=magi).as_dict())
    needed = magi - lines["senior_deduction"] - target
    standard = lines["standard_deduction"]
    if needed < standard - CENT:
        raise InputError(
            "investor.magi",
            f"{usd(magi, 0)} is below taxable_income {usd(target, 0)} + the standard deduction "
            f"{usd(standard, 0)}{' + senior deduction' if lines['senior_deduction'] else ''}",
        )
    over = max(magi - lines["senior_deduction"] - float(law.bracket_start[code, -1]), 0.0)
    cut = law.itemized_cut
    claimed = needed / (1 - cut) if needed / (1 - cut) <= over else needed + cut * over
    income = Income(wages=magi, itemized_deductions=max(claimed, 0.0))
    if needed <= standard + CENT:
        income = Income(wages=magi)
    return income


def _return_notes(ret: TaxReturn) -> list[str]:
    f, ln = ret.filer, ret.lines
    law = year_law(f.year)
    status = f.filing_status
    code = STATUSES.index(status)
    zero, fifteen = law.zero_rate_max[code], law.fifteen_rate_max[code]
    m = ret.marginal
    return [
        f"Tax year {f.year}, {status}: AGI {usd(ln['agi'], 0)}, deduction {usd(ln['deduction'], 0)}"
        + (f" + senior {usd(ln['senior_deduction'], 0)}" if ln["senior_deduction"] else "")
        + f", taxable income {usd(ln['taxable_income'], 0)}, total tax {usd(ln['total_tax'], 0)} "
        f"({law.source}).",
        "Marginal rates are the return's own increment for one more dollar of each kind of "
        f"income: ordinary {pct(m['ordinary'].total, 1)}, "
        f"interest {pct(m['taxable_interest'].total, 1)}, "
        f"qualified dividends {pct(m['qualified_dividends'].total, 1)}, long-term gains "
        f"{pct(m['long_term_gains'].total, 1)}, "
        f"short-term gains {pct(m['short_term_gains'].total, 1)}, "
        f"IRA distributions {pct(m['ira_distributions'].total, 1)}.",
        f"Long-term gains and qualified dividends stacked on ordinary income at 0% to "
        f"{usd(zero, 0)}, 15% to {usd(fifteen, 0)} of taxable income, 20% above (IRC §1(h)).",
        f"NIIT 3.8% on the lesser of net investment income and MAGI over "
        f"{usd(law.niit_threshold[code], 0)} (IRC §1411). An IRA distribution is no investment "
        "income but raises MAGI, so this year it can add NIIT (tax-year shows it); the "
        "withdrawal rate that values tax-deferred accounts leaves NIIT out, as it depends on "
        "the investment income of the years the money comes out.",
        f"Age: {_ages(f)}; tax year {f.year}"
        + (
            "; married filing separately: Social Security taxed as for spouses who lived "
            "together (base amount $0, IRC §86(c)(1)(C)(ii))"
            if status == "married_filing_separately"
            else ""
        )
        + ".",
        *_state_notes(f.state_rate, f.muni_in_state, engine=True),
        "Not modelled: " + "; ".join(NOT_MODELLED) + ".",
        DISCLAIMER,
    ]


def _ages(f: Filer) -> str:
    if f.age is None and f.spouse_age is None:
        return "none given, so no one on the return is taken to be 65 or older"
    parts = [f"{f.age if f.age is not None else 'not given (under 65)'}"]
    if f.joint:
        parts.append(f"spouse {f.spouse_age if f.spouse_age is not None else 'not given'}")
    return ", ".join(parts) + " at the end of the year"


def _loss_year(ret: TaxReturn) -> bool:
    ln = ret.lines
    return bool(ln["carryforward_short_term"] or ln["carryforward_long_term"]) or (
        ln["net_short_term"] + ln["net_long_term"] < 0
    )


def _niit_note(niit: bool) -> str:
    if niit:
        return (
            "NIIT 3.8% added to interest, dividends and gains (IRC §1411); not to "
            "tax-exempt interest or retirement-account withdrawals."
        )
    return "NIIT not applied (investor.niit = false)."


def _state_notes(state_rate: float, muni_in_state: bool, engine: bool = False) -> list[str]:
    if state_rate == 0:
        return ["No state income tax."]
    base = (
        "state taxable income = federal AGI − Treasury interest − taxable Social Security "
        "+ municipal interest of other states − the federal deductions"
        if engine
        else "all investment income, capital gains and qualified dividends included"
    )
    return [
        f"State: flat {pct(state_rate, 2)} on {base}; not deducted federally (SALT cap).",
        "Treasury interest exempt from state tax; municipal bond interest "
        + ("of the investor's state exempt." if muni_in_state else "taxed by the state."),
    ]

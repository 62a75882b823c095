"""One tax year's federal law as arrays indexed by filing status (dollars, decimals).

Read from ``data/us_federal_tax.toml`` (sources and evidence in the file and in
``PROVENANCE_TAX.md``). A qualifying surviving spouse uses the joint brackets, capital-gain
breakpoints and standard deduction (Rev. Proc. Table 1 covers both), but the single
amounts where the statute says "joint return" (senior-deduction phase-out, Social Security
base amounts) and the joint NIIT threshold (§1411(b)(1) names surviving spouses).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

import numpy as np

from assetloc.errors import InputError
from assetloc.types import FloatArray

#: Filing statuses, in the order of the status codes 0..4 used by the batch engine.
STATUSES: tuple[str, ...] = (
    "single",
    "married_filing_jointly",
    "married_filing_separately",
    "head_of_household",
    "qualifying_surviving_spouse",
)
#: Status whose brackets, gain breakpoints and standard deduction each status uses.
_TABLE_STATUS = {s: ("married_filing_jointly" if s == STATUSES[4] else s) for s in STATUSES}
_SOURCES = {
    2025: "Rev. Proc. 2024-40 (brackets, gain breakpoints, 65+ deduction); IRC §63(c)(7) as "
    "amended by P.L. 119-21 (standard deduction); §151(d)(5)(C) (senior deduction)",
    2026: "Rev. Proc. 2025-32 (brackets, gain breakpoints, deductions); IRC §151(d)(5)(C) "
    "(senior deduction); §68 as amended by P.L. 119-21 (itemized limitation)",
}


@cache
def _table() -> dict[str, Any]:
    text = resources.files("assetloc").joinpath("data", "us_federal_tax.toml").read_text("utf-8")
    return tomllib.loads(text)


def supported_years() -> tuple[int, ...]:
    """Tax years the bundled table covers, ascending."""
    return tuple(sorted(int(y) for y in _table()["years"]))


def status_code(filing_status: str) -> int:
    """Index of ``filing_status`` in :data:`STATUSES`."""
    if filing_status not in STATUSES:
        raise InputError(
            "filing_status", f"unknown filing status {filing_status!r}; use {', '.join(STATUSES)}"
        )
    return STATUSES.index(filing_status)


@dataclass(frozen=True, eq=False)
class YearLaw:
    """Parameters of one tax year; every array has one row per status of :data:`STATUSES`.

    Attributes (dollars unless said)
    --------------------------------
    year, source : the tax year and its primary sources.
    bracket_start : (5, 7) taxable income where each ordinary bracket starts.
    bracket_rate : (7,) decimal rates.
    zero_rate_max, fifteen_rate_max : (5,) 0%/15% capital-gain breakpoints (taxable income).
    gain_rates : (3,) 0, 0.15, 0.20.
    standard_deduction : (5,) basic standard deduction.
    additional_65 : (5,) additional standard deduction per person aged 65+.
    senior_amount, senior_phaseout_rate : senior deduction per person (0 if not in force)
        and its phase-out rate; senior_phaseout_start : (5,) MAGI where it starts;
        senior_allowed : (5,) 1 where the status may claim it (not married filing separately).
    itemized_cut : share of the excess that §68 removes (2/37 from 2026; 0 before).
    niit_rate, niit_threshold : 3.8% and (5,) MAGI thresholds.
    loss_limit : (5,) net capital loss deductible against other income.
    ss_base, ss_adjusted_base : (5,) Social Security base amounts (§86(c)).
    """

    year: int
    source: str
    bracket_start: FloatArray
    bracket_rate: FloatArray
    zero_rate_max: FloatArray
    fifteen_rate_max: FloatArray
    gain_rates: FloatArray
    standard_deduction: FloatArray
    additional_65: FloatArray
    senior_amount: float
    senior_phaseout_rate: float
    senior_phaseout_start: FloatArray
    senior_allowed: FloatArray
    itemized_cut: float
    niit_rate: float
    niit_threshold: FloatArray
    loss_limit: FloatArray
    ss_base: FloatArray
    ss_adjusted_base: FloatArray

    @cached_property
    def bracket_width(self) -> FloatArray:
        """(5, 7) width of each bracket (the last one infinite)."""
        return np.diff(self.bracket_start, axis=1, append=np.inf)

    @cached_property
    def brackets(self) -> tuple[tuple[tuple[float, float, float], ...], ...]:
        """Per status, (start, width, rate) of each bracket as floats (one-return path)."""
        width = self.bracket_width
        return tuple(
            tuple(
                (float(self.bracket_start[i, j]), float(width[i, j]), float(rate))
                for j, rate in enumerate(self.bracket_rate)
            )
            for i in range(self.bracket_start.shape[0])
        )


def _by_status(block: dict[str, Any], *, via_table: bool = True) -> FloatArray:
    keys = [_TABLE_STATUS[s] if via_table else s for s in STATUSES]
    return np.array([float(block[k]) for k in keys])


@cache
def year_law(year: int) -> YearLaw:
    """The bundled law of ``year`` (2025 or 2026); an :class:`InputError` otherwise."""
    table = _table()
    years: dict[str, Any] = table["years"]
    if isinstance(year, bool) or not isinstance(year, int) or str(year) not in years:
        have = ", ".join(str(y) for y in supported_years())
        raise InputError("tax_year", f"no federal tax table for {year!r}; have {have}")
    t = years[str(year)]
    brackets = t["ordinary_brackets"]
    start = np.array([[float(b["start"]) for b in brackets[_TABLE_STATUS[s]]] for s in STATUSES])
    rate = np.array([float(b["rate"]) for b in brackets["single"]])
    gains = t["capital_gains"]
    add = t["additional_standard_deduction"]
    unmarried = {"single", "head_of_household"}
    senior = t.get("senior_deduction")
    start_senior = np.zeros(len(STATUSES))
    allowed = np.zeros(len(STATUSES))
    if senior is not None:
        for i, s in enumerate(STATUSES):
            if s in senior["phaseout_start"]:
                start_senior[i] = float(senior["phaseout_start"][s])
                allowed[i] = 1.0
    cut = t.get("itemized_limitation")
    return YearLaw(
        year=year,
        source=_SOURCES.get(year, f"us_federal_tax.toml [years.{year}]"),
        bracket_start=start,
        bracket_rate=rate,
        zero_rate_max=np.array([float(gains[_TABLE_STATUS[s]]["zero_rate_max"]) for s in STATUSES]),
        fifteen_rate_max=np.array(
            [float(gains[_TABLE_STATUS[s]]["fifteen_rate_max"]) for s in STATUSES]
        ),
        gain_rates=np.array([float(r) for r in gains["rates"]]),
        standard_deduction=_by_status(t["standard_deduction"]),
        additional_65=np.array(
            [float(add["unmarried" if s in unmarried else "married"]) for s in STATUSES]
        ),
        senior_amount=0.0 if senior is None else float(senior["amount"]),
        senior_phaseout_rate=0.0 if senior is None else float(senior["phaseout_rate"]),
        senior_phaseout_start=start_senior,
        senior_allowed=allowed,
        itemized_cut=0.0 if cut is None else float(cut["numerator"]) / float(cut["denominator"]),
        niit_rate=float(table["niit"]["rate"]),
        niit_threshold=_by_status(table["niit"]["magi_threshold"], via_table=False),
        loss_limit=_by_status(table["capital_loss_limit"], via_table=False),
        ss_base=_by_status(table["social_security"]["base_amount"], via_table=False),
        ss_adjusted_base=_by_status(
            table["social_security"]["adjusted_base_amount"], via_table=False
        ),
    )

"""PSL Tax-Calculator (`taxcalc`, 6.x) as an independent peer for our federal income tax lines.

`taxcalc_lines(year, records)` runs taxcalc at current law (2025 or 2026, OBBBA included) on
our own record fields and returns the lines both engines compute. taxcalc's variable names
are used only inside this module.

How our fields map (one filing unit per array element; dollars of the year, not grown):
  filing_status        -> MARS 1 single, 2 joint, 3 separate, 4 head of household
  age / spouse_age     -> age_head / age_spouse (spouse only for a joint return, else 0)
  wages                -> e00200 = e00200p (all the head's; e00200s = 0)
  taxable_interest + treasury_interest -> e00300;  tax_exempt_interest -> e00400
  ordinary_dividends   -> e00600 (includes qualified);  qualified_dividends -> e00650
  short_term_gains - short_term_carryforward -> p22250 (Schedule D line 7)
  long_term_gains - long_term_carryforward   -> p23250 (Schedule D line 15)
  ira_distributions + roth_conversions       -> e01400 (taxable IRA distributions)
  social_security      -> e02400 (gross benefits)
  itemized_deductions  -> e19200 (Schedule A interest: no AGI floor, cap or haircut; the only
                          limit taxcalc applies to it is the 2026 OBBBA §68 reduction)
Everything else is zero: no dependents (EIC, n24, nu18 ... = 0), not a dependent (DSI = 0),
not blind, no credits' inputs, no business income (so no QBI deduction, no SE tax).

Choices that make the peer comparable with a regular-tax engine:
  * No extrapolation: Records(gfactors=None, weights=None, start_year=year).
  * AMT is switched off (AMT exemption 9e99). taxcalc picks standard vs itemized by the
    smaller regular+AMT tax; without AMT the pick is by regular tax alone. The pick is still
    strict: on a tie (same tax either way, e.g. taxable income all at the 0% gain rate or
    zero either way) taxcalc keeps the standard deduction even if itemizing is larger. Use
    the `itemizes` output and both deduction amounts to find those rows.
  * taxcalc is imported with numba JIT off (NOTAXCALCJIT) unless ASSETLOC_TAXCALC_JIT=1 or
    taxcalc was already imported: compiling takes ~25 s per process, while pure Python
    computes 10,000 records in ~3 s. The results are the same.

What taxcalc does on these lines (6.8.0, current law): additional standard deduction per
65+ head/spouse (spouse only if joint; married amount for MFS); senior deduction $6,000 per
65+ head/spouse, minus 6% of AGI over $75k/$150k joint per person, none for MFS; Social
Security provisional income = AGI before benefits + tax-exempt interest + half the benefits,
bases 25k/34k (32k/44k joint; MFS also 25k/34k, the lived-apart case); net capital loss
limited to $3,000 ($1,500 MFS) and that limited amount also enters NIIT investment income;
NIIT MAGI = AGI (no tax-exempt interest); Additional Medicare Tax is separate (not in
regular_tax).
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

import numpy as np
import pandas as pd

PEER_FIELDS = (
    "filing_status",
    "age",
    "spouse_age",
    "wages",
    "taxable_interest",
    "treasury_interest",
    "tax_exempt_interest",
    "ordinary_dividends",
    "qualified_dividends",
    "short_term_gains",
    "long_term_gains",
    "short_term_carryforward",
    "long_term_carryforward",
    "ira_distributions",
    "roth_conversions",
    "social_security",
    "itemized_deductions",
)

PEER_YEARS = (2025, 2026)

_MARS = {
    "single": 1,
    "married_filing_jointly": 2,
    "married_filing_separately": 3,
    "head_of_household": 4,
}

_AMT_OFF = 9e99


def _taxcalc() -> Any:
    """Import taxcalc once (JIT off unless asked for or already imported)."""
    if "taxcalc" not in sys.modules and os.environ.get("ASSETLOC_TAXCALC_JIT") != "1":
        had = "NOTAXCALCJIT" in os.environ
        os.environ["NOTAXCALCJIT"] = "1"
        try:
            import taxcalc
        finally:
            if not had:
                del os.environ["NOTAXCALCJIT"]
    import taxcalc

    return taxcalc


def require_taxcalc() -> Any:
    """taxcalc imported as :func:`_taxcalc` does (JIT off), or skip the calling test or
    module when it is not installed. ``pytest.importorskip("taxcalc")`` would import it with
    its JIT on, and its first calculation would then compile for about 30 s."""
    import pytest

    try:
        return _taxcalc()
    except ImportError:
        pytest.skip("taxcalc is not installed", allow_module_level=True)


@functools.cache
def _policy(year: int) -> Any:
    """Current-law Policy set to `year`, with the AMT switched off (see module docstring)."""
    tc = _taxcalc()
    pol = tc.Policy()
    pol.implement_reform({"AMT_em": {year: [_AMT_OFF] * 5}, "AMT_em_pe": {year: _AMT_OFF}})
    if pol.parameter_errors:
        raise RuntimeError(f"taxcalc reform failed: {pol.parameter_errors}")
    pol.set_year(year)
    return pol


def _frame(records: dict[str, np.ndarray]) -> pd.DataFrame:
    """Our record fields -> a taxcalc input DataFrame."""
    unknown = sorted(set(records) - set(PEER_FIELDS))
    if unknown:
        raise ValueError(f"fields taxcalc_lines does not map: {unknown}")
    if "filing_status" not in records:
        raise ValueError("records need filing_status")
    status = np.asarray(records["filing_status"])
    n = status.shape[0]
    bad = sorted(set(status.tolist()) - set(_MARS))
    if bad:
        raise ValueError(f"unknown filing_status values: {bad}")

    def num(name: str) -> np.ndarray:
        if name not in records:
            return np.zeros(n)
        a = np.asarray(records[name], dtype=np.float64)
        if a.shape != (n,):
            raise ValueError(f"{name} has shape {a.shape}, expected ({n},)")
        return a

    mars = np.array([_MARS[s] for s in status.tolist()], dtype=np.int64)
    joint = mars == 2
    ordinary_div, qualified_div = num("ordinary_dividends"), num("qualified_dividends")
    if np.any(qualified_div > ordinary_div):
        raise ValueError("qualified_dividends must not exceed ordinary_dividends")
    wages = num("wages")
    return pd.DataFrame(
        {
            "RECID": np.arange(1, n + 1),
            "MARS": mars,
            "age_head": num("age").astype(np.int64),
            "age_spouse": np.where(joint, num("spouse_age"), 0).astype(np.int64),
            "e00200": wages,
            "e00200p": wages,
            "e00200s": np.zeros(n),
            "e00300": num("taxable_interest") + num("treasury_interest"),
            "e00400": num("tax_exempt_interest"),
            "e00600": ordinary_div,
            "e00650": qualified_div,
            "p22250": num("short_term_gains") - num("short_term_carryforward"),
            "p23250": num("long_term_gains") - num("long_term_carryforward"),
            "e01400": num("ira_distributions") + num("roth_conversions"),
            "e02400": num("social_security"),
            "e19200": num("itemized_deductions"),
        }
    )


def taxcalc_lines(year: int, records: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Run taxcalc on our records; returns arrays of equal length.

    agi (c00100), standard_deduction (basic + additional 65+; given for every row),
    itemized_deduction (c04470: e19200 after taxcalc's 2026 §68 reduction; every row),
    deduction_used (the one taxcalc took), itemizes (bool), senior_deduction (Schedule 1-A
    Part V, taken whether or not itemizing), taxable_income (c04800), regular_tax (taxbc:
    rate schedules + Qualified Dividends and Capital Gain Tax Worksheet, before credits,
    without AMT; not the IRS Tax Table), niit (Form 8960), taxable_social_security (c02500),
    capital_gain (Form 1040 line 7: ST + LT net after the $3,000/$1,500 loss limit).
    Amounts are unrounded floats.

    Known departure from the statute: taxcalc 6.8 reduces 2026 itemized deductions by
    2/37 x (AGI - start of the 37% bracket), floored at zero deduction, without the "lesser
    of the itemized deductions" cap of §68(a) as amended; it agrees with the statute only
    while AGI - start of the 37% bracket <= the itemized deductions.
    """
    if year not in PEER_YEARS:
        raise ValueError(f"year must be one of {PEER_YEARS}")
    tc = _taxcalc()
    from taxcalc.calcfunctions import ItemDed, StdDed

    df = _frame(records)
    pol = _policy(year)
    rec = tc.Records(data=df, start_year=year, gfactors=None, weights=None)
    calc = tc.Calculator(policy=pol, records=rec)
    assert calc.current_year == year
    calc.calc_all()

    def arr(name: str) -> np.ndarray:
        return np.array(calc.array(name), dtype=np.float64)

    # taxcalc zeroes the deduction it did not use; recompute both for every row with its own
    # StdDed/ItemDed on a fresh copy of the inputs plus the AGI it found.
    aux = tc.Records(data=df, start_year=year, gfactors=None, weights=None)
    aux.c00100[:] = arr("c00100")
    aux.c04600[:] = arr("c04600")
    StdDed(pol, aux)
    ItemDed(pol, aux)
    standard = np.array(aux.standard, dtype=np.float64)
    itemized = np.array(aux.c04470, dtype=np.float64)

    used_std, used_item = arr("standard"), arr("c04470")
    itemizes = used_item > 0.0
    if np.any(itemizes & (used_std > 0.0)):
        raise RuntimeError("taxcalc used both deductions on some row")
    same = np.where(itemizes, used_item == itemized, used_std == standard)
    if not np.all(same):
        raise RuntimeError("recomputed deductions disagree with taxcalc's calc_all")

    return {
        "agi": arr("c00100"),
        "standard_deduction": standard,
        "itemized_deduction": itemized,
        "deduction_used": used_std + used_item,
        "itemizes": itemizes,
        "senior_deduction": arr("senior_deduction"),
        "taxable_income": arr("c04800"),
        "regular_tax": arr("taxbc"),
        "niit": arr("niit"),
        "taxable_social_security": arr("c02500"),
        "capital_gain": arr("c01000"),
    }

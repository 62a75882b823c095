"""The one-year federal and state return, vectorized over many returns (dollars).

Form 1040 and its worksheets, line by line, as numpy arithmetic on arrays of returns (one
tax year per call; statuses, ages and amounts per return):

1. Schedule D: net short-term = gains − carryforward (line 7), net long-term likewise
   (line 15), their sum (line 16); a net loss is deductible up to $3,000 ($1,500 MFS,
   §1211(b)); the rest carries forward by character (Capital Loss Carryover Worksheet).
2. Social Security (Pub. 915 worksheet, §86): provisional income = other income +
   tax-exempt interest + half the benefits; 50% of the excess over the base amount and 85%
   over the adjusted base, at most 85% of benefits.
3. AGI; the standard deduction (basic + $1,600–2,050 per person aged 65+) or the itemized
   deductions (less 2/37 of the part over the 37% bracket start, §68, from 2026), whichever
   is larger; the senior deduction ($6,000 per person aged 65+, less 6% of MAGI over
   $75,000 / $150,000 joint, 2025–2028, not for married filing separately).
4. Tax: the Qualified Dividends and Capital Gain Tax Worksheet — qualified dividends and
   net capital gain stacked above ordinary income at 0/15/20% — by the rate schedules
   (the formula, not the $50-band Tax Table the IRS uses below $100,000: a difference of at
   most a few dollars).
5. NIIT (§1411): 3.8% of the lesser of net investment income (interest, dividends, the
   capital gain or limited loss) and MAGI (= AGI) over the threshold.
6. State: a flat rate on state taxable income = federal AGI − Treasury interest − taxable
   Social Security + municipal interest of other states, less the federal deductions
   (floored at 0).

Not modelled: see :data:`NOT_MODELLED`. Estimates, not tax advice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from assetloc.tax.law import YearLaw
from assetloc.types import FloatArray

#: What the return leaves out; every output lists it.
NOT_MODELLED: tuple[str, ...] = (
    "AMT (alternative minimum tax)",
    "credits (child, education, foreign tax, energy, EITC, ...)",
    "self-employment and payroll taxes, the 0.9% Additional Medicare Tax",
    "state brackets, state deductions and credits (one flat state rate)",
    "28% collectibles gain and unrecaptured §1250 gain (all long-term gain at 0/15/20%)",
    "the 2025-2028 deductions for tips, overtime and car-loan interest; blindness",
    "the IRS Tax Table's $50 bands below $100,000 taxable income (the rate schedule is used)",
)


@dataclass(frozen=True)
class Ops:
    """The arithmetic the return needs, for arrays of returns or for one return of floats.

    One formula serves both: numpy ufuncs over arrays (the batch), Python's ``max``/``min``
    over floats (one return, a hundred times faster than numpy on one-element arrays).
    """

    maximum: Callable[[Any, Any], Any]
    minimum: Callable[[Any, Any], Any]
    where: Callable[[Any, Any, Any], Any]
    bracket_tax: Callable[[YearLaw, Any, Any], Any]


def _bracket_tax_array(law: YearLaw, status: NDArray[np.intp], income: FloatArray) -> FloatArray:
    start = law.bracket_start[status]  # (n, 7)
    slices = np.minimum(np.maximum(income[:, None] - start, 0.0), law.bracket_width[status])
    out: FloatArray = slices @ law.bracket_rate
    return out


def _bracket_tax_float(law: YearLaw, status: int, income: float) -> float:
    tax = 0.0
    for start, width, rate in law.brackets[status]:
        if income <= start:
            break
        tax += rate * min(income - start, width)
    return tax


ARRAYS = Ops(np.maximum, np.minimum, np.where, _bracket_tax_array)
FLOATS = Ops(max, min, lambda c, a, b: a if c else b, _bracket_tax_float)


def bracket_tax(law: YearLaw, status: NDArray[np.intp], income: FloatArray) -> FloatArray:
    """Tax on ``income`` (dollars of ordinary taxable income) by the rate schedules."""
    return _bracket_tax_array(law, status, np.asarray(income, dtype=np.float64))


def compute_lines(
    law: YearLaw,
    status: NDArray[np.intp] | int,
    people_65: NDArray[np.intp] | int,
    state_rate: FloatArray | float,
    muni_in_state: FloatArray | float,
    income: Mapping[str, Any],
    ops: Ops = ARRAYS,
) -> dict[str, Any]:
    """Every line of the return for n returns; arrays of shape (n,), dollars.

    ``status``: codes of :data:`~assetloc.tax.law.STATUSES`; ``people_65``: persons aged
    65+ on the return (0, 1, 2); ``state_rate``: decimal; ``muni_in_state``: 1.0 where the
    municipal interest is of the filer's state; ``income``: one array per
    :data:`~assetloc.tax.income.INCOME_KEYS`. With ``ops=FLOATS`` every argument is one
    number (the status an int) and so is every line.
    """
    g = income
    maximum, minimum, where = ops.maximum, ops.minimum, ops.where
    zero = 0.0

    # Schedule D
    st_net = g["short_term_gains"] - g["short_term_carryforward"]  # line 7
    lt_net = g["long_term_gains"] - g["long_term_carryforward"]  # line 15
    net = st_net + lt_net  # line 16
    capital = maximum(net, -law.loss_limit[status])  # Form 1040 line 7
    net_capital_gain = where((lt_net > 0) & (net > 0), minimum(lt_net, net), zero)

    interest = g["taxable_interest"] + g["treasury_interest"]
    other = (
        g["wages"]
        + interest
        + g["ordinary_dividends"]
        + capital
        + g["ira_distributions"]
        + g["roth_conversions"]
    )
    # Social Security Benefits Worksheet (Pub. 915)
    benefits = g["social_security"]
    half = 0.5 * benefits
    provisional = other + g["tax_exempt_interest"] + half
    base, adjusted = law.ss_base[status], law.ss_adjusted_base[status]
    over_base = maximum(provisional - base, 0.0)
    band = adjusted - base
    over_adjusted = maximum(over_base - band, 0.0)
    first_tier = minimum(minimum(over_base, band) * 0.5, half)
    ss_taxable = minimum(first_tier + 0.85 * over_adjusted, 0.85 * benefits)

    agi = other + ss_taxable
    # Deductions
    standard = law.standard_deduction[status] + law.additional_65[status] * people_65
    senior_each = maximum(
        law.senior_amount
        - law.senior_phaseout_rate * maximum(agi - law.senior_phaseout_start[status], 0.0),
        0.0,
    )
    senior = senior_each * people_65 * law.senior_allowed[status]
    itemized_claimed = g["itemized_deductions"]
    over_37 = maximum(agi - senior - law.bracket_start[status, -1], 0.0)
    itemized = itemized_claimed - law.itemized_cut * minimum(itemized_claimed, over_37)
    deduction = maximum(standard, itemized)
    before_floor = agi - deduction - senior  # Form 1040 line 15 "if a loss"
    taxable = maximum(before_floor, 0.0)

    # Qualified Dividends and Capital Gain Tax Worksheet
    preferred = g["qualified_dividends"] + net_capital_gain  # line 4
    ordinary_part = maximum(taxable - preferred, 0.0)  # line 5
    zero_top = minimum(taxable, law.zero_rate_max[status])  # line 7
    at_0 = zero_top - minimum(ordinary_part, zero_top)  # line 9
    stacked = minimum(taxable, preferred)  # line 10
    room_15 = maximum(minimum(taxable, law.fifteen_rate_max[status]) - ordinary_part - at_0, 0.0)
    at_15 = minimum(stacked - at_0, room_15)  # line 17
    at_20 = stacked - at_0 - at_15  # line 20
    rate_15, rate_20 = law.gain_rates[1], law.gain_rates[2]
    ordinary_tax = ops.bracket_tax(law, status, ordinary_part)
    regular = minimum(
        ordinary_tax + rate_15 * at_15 + rate_20 * at_20, ops.bracket_tax(law, status, taxable)
    )

    # NIIT (Form 8960)
    nii = maximum(interest + g["ordinary_dividends"] + capital, 0.0)
    niit = law.niit_rate * minimum(nii, maximum(agi - law.niit_threshold[status], 0.0))

    # Capital Loss Carryover Worksheet (used when line 16 is a loss)
    loss_deducted = maximum(-capital, 0.0)  # line 2
    useful = minimum(loss_deducted, maximum(before_floor + loss_deducted, 0.0))  # line 4
    st_loss, lt_loss = maximum(-st_net, 0.0), maximum(-lt_net, 0.0)
    carry_st = maximum(st_loss - useful - maximum(lt_net, 0.0), 0.0)
    carry_lt = maximum(lt_loss - maximum(st_net, 0.0) - maximum(useful - st_loss, 0.0), 0.0)
    loss_year = net < 0
    carry_st = where(loss_year, carry_st, zero)
    carry_lt = where(loss_year, carry_lt, zero)

    # State
    out_of_state = g["tax_exempt_interest"] * (1.0 - muni_in_state)
    state_agi = agi - g["treasury_interest"] - ss_taxable + out_of_state
    state_taxable = maximum(state_agi - deduction - senior, 0.0)
    state_tax = state_rate * state_taxable

    federal = regular + niit
    return {
        "net_short_term": st_net,
        "net_long_term": lt_net,
        "capital_gain_or_loss": capital,
        "net_capital_gain": net_capital_gain,
        "taxable_social_security": ss_taxable,
        "agi": agi,
        "standard_deduction": standard,
        "itemized_deduction": itemized,
        "deduction": deduction,
        "senior_deduction": senior,
        "taxable_income": taxable,
        "ordinary_taxable_income": ordinary_part,
        "gains_at_0": at_0,
        "gains_at_15": at_15,
        "gains_at_20": at_20,
        "ordinary_tax": ordinary_tax,
        "capital_gains_tax": regular - ordinary_tax,
        "regular_tax": regular,
        "net_investment_income": nii,
        "niit": niit,
        "federal_total": federal,
        "loss_deducted": loss_deducted,
        "carryforward_short_term": carry_st,
        "carryforward_long_term": carry_lt,
        "state_taxable_income": state_taxable,
        "state_tax": state_tax,
        "total_tax": federal + state_tax,
    }

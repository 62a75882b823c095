"""The one-year return against hand-typed IRS figures, the reviewer's cases and invariants.

Independent checks: bracket starts and gain breakpoints typed here from Rev. Proc. 2024-40 /
2025-32 (not read from the bundled table), the reviewer's worked numbers, closed-form
worksheet arithmetic, and properties (tax never falls when income rises, marginal rates in
[0, 1), the capital loss is conserved). The comparison with an independent engine is in
test_tax_vs_taxcalc.py.
"""

from __future__ import annotations

import bisect
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc.errors import InputError
from assetloc.tax import STATUSES, Filer, Income, supported_years, tax_return
from assetloc.tax.profile import TaxProfile
from assetloc.tax.year_return import lines_of

# Rev. Proc. 2025-32 §4.01 Table 3 (single, 2026), typed from the IRS table.
SINGLE_2026_STARTS = [0, 12_400, 50_400, 105_700, 201_775, 256_225, 640_600]
SINGLE_2026_RATES = [0.10, 0.12, 0.22, 0.24, 0.32, 0.35, 0.37]
MFJ, SINGLE = "married_filing_jointly", "single"


def _hand_lookup(income: float) -> float:
    return SINGLE_2026_RATES[bisect.bisect_right(SINGLE_2026_STARTS, income) - 1]


def _tax(filer: Filer, **income: float) -> float:
    return tax_return(filer, Income(**income)).total_tax


# ------------------------------------------------------------------ the reviewer's cases
def test_gains_over_the_zero_band_pay_the_worksheet() -> None:
    """MFJ 2026, $80k taxable ordinary income, $84k long-term gain: $9,765 (18,900 at 0%,
    65,100 at 15%), not $0."""
    f = Filer(MFJ, 2026)
    base = Income(wages=80_000 + 32_200)
    with_gain = tax_return(f, base.plus(long_term_gains=84_000))
    assert with_gain.total_tax - tax_return(f, base).total_tax == pytest.approx(9_765, abs=0.01)
    ws = with_gain.to_dict()["federal"]["gains_worksheet"]
    assert ws["at_0"] == pytest.approx(18_900) and ws["at_15"] == pytest.approx(65_100)


@pytest.mark.parametrize(
    ("status", "ordinary", "gains", "want"),
    [
        (MFJ, 80_000, 40_000, 0.27),  # 12% + 15% on the gain pushed out of the 0% band
        (SINGLE, 45_000, 10_000, 0.27),
        (MFJ, 700_000, 100_000, 0.35),  # not 37%: gains do not raise the ordinary bracket
    ],
)
def test_ordinary_marginal_rate_counts_the_gains_it_pushes(
    status: str, ordinary: float, gains: float, want: float
) -> None:
    deduction = {MFJ: 32_200, SINGLE: 16_100}[status]
    r = tax_return(Filer(status, 2026), Income(wages=ordinary + deduction, long_term_gains=gains))
    assert r.lines["taxable_income"] == pytest.approx(ordinary + gains)
    assert r.marginal["ordinary"].total == pytest.approx(want, abs=1e-9)


def test_short_term_loss_is_credited_against_ordinary_income() -> None:
    """Single in the 35% bracket: a $1,000 net short-term loss saves $350; $20,000 saves
    $3,000 × 35% this year and carries $17,000 forward."""
    f = Filer(SINGLE, 2026)
    wages = 300_000 + 16_100
    base = _tax(f, wages=wages)
    assert _tax(f, wages=wages, short_term_gains=-1_000) - base == pytest.approx(-350)
    big = tax_return(f, Income(wages=wages, short_term_gains=-20_000))
    assert big.total_tax - base == pytest.approx(-1_050)
    assert big.lines["carryforward_short_term"] == pytest.approx(17_000)
    assert big.lines["carryforward_long_term"] == 0.0


def test_niit_never_enters_the_withdrawal_rate() -> None:
    """A stated 35% ordinary rate with NIIT: a $100k IRA is worth $65,000, not $61,200."""
    p = TaxProfile.from_rates(0.35, 0.20, niit=True)
    assert p.withdrawal == pytest.approx(0.35)
    assert 100_000 * (1 - p.withdrawal) == pytest.approx(65_000)
    assert p.ordinary_investment == pytest.approx(0.388)
    rich = TaxProfile.from_income(MFJ, 700_000)
    assert rich.ordinary_investment == pytest.approx(0.388)  # NIIT applies to interest
    assert rich.withdrawal == pytest.approx(0.35)  # but never to withdrawals


# ------------------------------------------------------------------ deductions
def test_standard_deductions_2025_as_amended() -> None:
    """P.L. 119-21: $15,750 single, $31,500 joint, $23,625 head of household."""
    for status, amount in ((SINGLE, 15_750), (MFJ, 31_500), ("head_of_household", 23_625)):
        lines = lines_of(Filer(status, 2025), Income(wages=100_000).as_dict())
        assert lines["standard_deduction"] == amount


def test_senior_deduction_and_its_phase_out() -> None:
    """$6,000 per person aged 65+, less 6% of MAGI over $75,000 ($150,000 joint); 65+ adds
    $2,000 (unmarried) / $1,600 (married) to the 2025 standard deduction."""
    single70 = Filer(SINGLE, 2025, age=70)
    low = lines_of(single70, Income(wages=50_000).as_dict())
    assert low["standard_deduction"] == 17_750 and low["senior_deduction"] == 6_000
    assert low["taxable_income"] == pytest.approx(50_000 - 17_750 - 6_000)
    mid = lines_of(single70, Income(wages=100_000).as_dict())
    assert mid["senior_deduction"] == pytest.approx(6_000 - 0.06 * 25_000)
    gone = lines_of(single70, Income(wages=175_000).as_dict())
    assert gone["senior_deduction"] == 0.0
    couple = lines_of(Filer(MFJ, 2025, age=70, spouse_age=66), Income(wages=200_000).as_dict())
    assert couple["senior_deduction"] == pytest.approx(2 * (6_000 - 0.06 * 50_000))
    assert couple["standard_deduction"] == 31_500 + 2 * 1_600
    separate = lines_of(
        Filer("married_filing_separately", 2025, age=70), {**Income(wages=50_000).as_dict()}
    )
    assert separate["senior_deduction"] == 0.0  # must file jointly


def test_itemized_deductions_replace_the_standard_when_larger() -> None:
    f = Filer(SINGLE, 2025)
    small = lines_of(f, Income(wages=100_000, itemized_deductions=10_000).as_dict())
    large = lines_of(f, Income(wages=100_000, itemized_deductions=40_000).as_dict())
    assert small["deduction"] == 15_750 and large["deduction"] == 40_000


def test_2026_itemized_limitation_cuts_two_37ths_of_the_lesser() -> None:
    """§68 as amended: MFJ, AGI $1,000,000, $50,000 itemized: the excess over the 37%
    bracket start ($768,700) exceeds the deductions, so 2/37 of $50,000 is cut."""
    lines = lines_of(
        Filer(MFJ, 2026), Income(wages=1_000_000, itemized_deductions=50_000).as_dict()
    )
    assert lines["itemized_deduction"] == pytest.approx(50_000 * (1 - 2 / 37))
    below = lines_of(Filer(MFJ, 2026), Income(wages=780_000, itemized_deductions=50_000).as_dict())
    assert below["itemized_deduction"] == pytest.approx(50_000 - 2 / 37 * (780_000 - 768_700))


# ------------------------------------------------------------------ Social Security, NIIT
def test_social_security_taxable_share() -> None:
    """Pub. 915: single, $30,000 benefits, $20,000 IRA, $5,000 tax-exempt interest:
    provisional 40,000; 50% of 9,000 + 85% of 6,000 = 9,600."""
    lines = lines_of(
        Filer(SINGLE, 2025),
        Income(
            social_security=30_000, ira_distributions=20_000, tax_exempt_interest=5_000
        ).as_dict(),
    )
    assert lines["taxable_social_security"] == pytest.approx(9_600)
    capped = lines_of(
        Filer(MFJ, 2025),
        Income(social_security=40_000, ira_distributions=10_000, roth_conversions=50_000).as_dict(),
    )
    assert capped["taxable_social_security"] == pytest.approx(0.85 * 40_000)


def test_niit_is_on_the_lesser_of_income_and_the_excess() -> None:
    f = Filer(SINGLE, 2026)
    lines = lines_of(f, Income(wages=180_000, taxable_interest=30_000).as_dict())
    assert lines["niit"] == pytest.approx(0.038 * 10_000)  # MAGI 210k − 200k < 30k
    muni = lines_of(f, Income(wages=180_000, tax_exempt_interest=50_000).as_dict())
    assert muni["niit"] == 0.0  # tax-exempt interest is neither NII nor MAGI
    ira = lines_of(f, Income(wages=150_000, ira_distributions=100_000).as_dict())
    assert ira["niit"] == 0.0  # withdrawals are not investment income


# ------------------------------------------------------------------ exact edges
@pytest.mark.parametrize(
    ("status", "year", "income", "rate"),
    [
        ("single", 2026, 0, 0.10),
        ("single", 2026, 12_399, 0.10),
        ("single", 2026, 12_400, 0.12),  # income over 12,400 pays 12%: next dollar
        ("single", 2026, 50_400, 0.22),
        ("single", 2026, 640_599, 0.35),
        ("single", 2026, 640_600, 0.37),
        ("head_of_household", 2026, 201_750, 0.32),  # $25 below single's start
        ("single", 2026, 201_750, 0.24),
        ("married_filing_separately", 2026, 384_350, 0.37),  # not single's 640,600
        ("married_filing_separately", 2025, 375_799, 0.35),
        ("married_filing_jointly", 2026, 768_700, 0.37),
        ("qualifying_surviving_spouse", 2026, 768_700, 0.37),
        ("single", 2025, 104_000, 0.24),  # 2025: 24% from 103,350
        ("single", 2026, 104_000, 0.22),  # 2026: from 105,700
    ],
)
def test_ordinary_edges(status: str, year: int, income: float, rate: float) -> None:
    p = TaxProfile.from_income(status, income, year)
    assert p.tax_return is not None
    assert p.tax_return.lines["taxable_income"] == pytest.approx(income, abs=0.01)
    assert p.ordinary == pytest.approx(rate, abs=1e-6)


@pytest.mark.parametrize(
    ("status", "year", "income", "rate"),
    [
        ("single", 2026, 49_449, 0.0),
        ("single", 2026, 49_450, 0.12),  # worksheet line 25: 12% on all beats 15% stacked
        ("single", 2026, 50_400, 0.15),
        ("single", 2026, 545_499, 0.15),
        ("single", 2026, 545_500, 0.20),
        ("married_filing_jointly", 2026, 98_899, 0.0),
        ("married_filing_jointly", 2026, 613_700, 0.20),
        ("married_filing_separately", 2025, 299_999, 0.15),  # printed $300,000
        ("married_filing_separately", 2025, 300_000, 0.20),
        ("head_of_household", 2026, 66_199, 0.0),
        ("head_of_household", 2026, 579_600, 0.20),
    ],
)
def test_capital_gain_edges(status: str, year: int, income: float, rate: float) -> None:
    p = TaxProfile.from_income(status, income, year)
    niit = p.kinds["long_term_gains"].niit
    assert p.long_term - niit == pytest.approx(rate, abs=1e-6)


@pytest.mark.parametrize(
    ("status", "magi", "applies"),
    [
        ("single", 199_999, False),
        ("single", 200_000, True),  # the next dollar exceeds the threshold
        ("head_of_household", 200_000, True),
        ("married_filing_jointly", 249_999, False),
        ("married_filing_jointly", 250_000, True),
        ("married_filing_separately", 124_999, False),
        ("married_filing_separately", 125_000, True),
    ],
)
def test_niit_threshold(status: str, magi: float, applies: bool) -> None:
    p = TaxProfile.from_income(status, 90_000, magi=magi)
    assert p.tax_return is not None and p.tax_return.lines["agi"] == pytest.approx(magi)
    assert p.tax_return.lines["taxable_income"] == pytest.approx(90_000, abs=0.01)
    assert (p.kinds["taxable_interest"].niit == pytest.approx(0.038)) is applies


def test_magi_below_taxable_income_plus_deduction_is_an_error() -> None:
    with pytest.raises(InputError) as err:
        TaxProfile.from_income(SINGLE, 150_000, magi=160_000)
    assert err.value.field == "investor.magi"


# ------------------------------------------------------------------ state and munis
def test_state_rate_combines() -> None:
    p = TaxProfile.from_income("single", 100_000, state_rate=0.05)
    assert p.ordinary == pytest.approx(0.27)
    assert p.qualified == pytest.approx(0.20)  # state taxes gains as ordinary income
    assert p.treasury_interest == pytest.approx(0.22)  # Treasuries: no state tax
    assert p.exempt_interest == pytest.approx(0.05)  # out-of-state munis: state only
    in_state = TaxProfile.from_income("single", 100_000, state_rate=0.05, muni_in_state=True)
    assert in_state.exempt_interest == 0.0


def test_from_rates() -> None:
    p = TaxProfile.from_rates(0.37, 0.20, state_rate=0.05, niit=True)
    assert p.ordinary == pytest.approx(0.42)
    assert p.ordinary_investment == pytest.approx(0.458)
    assert p.qualified == pytest.approx(0.288)
    assert p.treasury_interest == pytest.approx(0.408)
    assert p.exempt_interest == pytest.approx(0.05)  # NIIT never on exempt interest
    assert p.withdrawal == pytest.approx(0.42)
    assert TaxProfile.from_rates(0.37, 0.20, retirement_rate=0.22).withdrawal == 0.22


def test_assumptions_name_sources() -> None:
    p = TaxProfile.from_income("married_filing_jointly", 700_000, state_rate=0.05)
    text = " ".join(p.assumptions)
    for needle in ("Rev. Proc. 2025-32", "IRC §1411", "SALT", "not tax advice", "AMT"):
        assert needle in text
    assert "not tax advice" in " ".join(TaxProfile.from_rates(0.4, 0.2).assumptions)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"filing_status": "married", "taxable_income": 1}, "filing_status"),
        ({"filing_status": "single", "taxable_income": -1}, "taxable_income"),
        ({"filing_status": "single", "taxable_income": math.nan}, "taxable_income"),
        ({"filing_status": "single", "taxable_income": "100k"}, "taxable_income"),
        ({"filing_status": "single", "taxable_income": 1, "year": 2024}, "tax_year"),
        ({"filing_status": "single", "taxable_income": 1, "state_rate": 1.0}, "state_rate"),
        ({"filing_status": "single", "taxable_income": 1, "magi": -5}, "magi"),
    ],
)
def test_from_income_rejects(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as err:
        TaxProfile.from_income(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    ("key", "value"),
    [("wages", -1.0), ("short_term_carryforward", -5.0), ("wages", math.inf), ("wages", "1")],
)
def test_income_rejects(key: str, value: object) -> None:
    with pytest.raises(InputError) as err:
        Income(**{key: value})  # type: ignore[arg-type]
    assert err.value.field == f"income.{key}"


def test_supported_years() -> None:
    assert supported_years() == (2025, 2026)


# ------------------------------------------------------------------ properties
amount = st.floats(min_value=0, max_value=400_000, allow_nan=False)
signed = st.floats(min_value=-200_000, max_value=400_000, allow_nan=False)


@st.composite
def households(draw: st.DrawFn) -> tuple[Filer, Income]:
    status = draw(st.sampled_from(STATUSES))
    filer = Filer(
        status,
        draw(st.sampled_from((2025, 2026))),
        age=draw(st.integers(20, 90)),
        spouse_age=draw(st.integers(20, 90)) if status == MFJ else None,
        state_rate=draw(st.sampled_from((0.0, 0.05, 0.093))),
        muni_in_state=draw(st.booleans()),
    )
    ordinary_div = draw(amount)
    income = Income(
        wages=draw(amount),
        taxable_interest=draw(amount),
        treasury_interest=draw(amount),
        tax_exempt_interest=draw(amount),
        ordinary_dividends=ordinary_div,
        qualified_dividends=ordinary_div * draw(st.floats(0, 1)),
        short_term_gains=draw(signed),
        long_term_gains=draw(signed),
        short_term_carryforward=draw(amount),
        long_term_carryforward=draw(amount),
        ira_distributions=draw(amount),
        roth_conversions=draw(amount),
        social_security=draw(st.floats(0, 80_000)),
        itemized_deductions=draw(amount),
    )
    return filer, income


RAISING = (
    "wages",
    "taxable_interest",
    "treasury_interest",
    "tax_exempt_interest",
    "short_term_gains",
    "long_term_gains",
    "ira_distributions",
    "roth_conversions",
    "social_security",
)


@settings(max_examples=300, deadline=None)
@given(households(), st.sampled_from(RAISING), st.floats(min_value=1, max_value=100_000))
def test_tax_never_falls_when_income_rises(
    case: tuple[Filer, Income], key: str, more: float
) -> None:
    filer, income = case
    before = lines_of(filer, income.as_dict())
    after = lines_of(filer, income.plus(**{key: more}).as_dict())
    assert after["total_tax"] >= before["total_tax"] - 1e-6
    assert after["federal_total"] >= before["federal_total"] - 1e-6


@settings(max_examples=300, deadline=None)
@given(households(), st.sampled_from(("itemized_deductions", "short_term_carryforward")))
def test_deductions_and_carried_losses_never_raise_tax(
    case: tuple[Filer, Income], key: str
) -> None:
    filer, income = case
    before = lines_of(filer, income.as_dict())["total_tax"]
    assert lines_of(filer, income.plus(**{key: 5_000}).as_dict())["total_tax"] <= before + 1e-6


@settings(max_examples=200, deadline=None)
@given(households())
def test_marginal_rates_lie_in_zero_one(case: tuple[Filer, Income]) -> None:
    filer, income = case
    for kind, m in tax_return(filer, income).marginal.items():
        assert 0.0 <= m.total < 1.0, kind


@settings(max_examples=300, deadline=None)
@given(households())
def test_capital_loss_is_conserved(case: tuple[Filer, Income]) -> None:
    """A year's net loss is either deducted with benefit this year or carried forward:
    useful deduction + carryforward = net loss (Capital Loss Carryover Worksheet)."""
    filer, income = case
    ln = lines_of(filer, income.as_dict())
    net = ln["net_short_term"] + ln["net_long_term"]
    carried = ln["carryforward_short_term"] + ln["carryforward_long_term"]
    if net >= 0:
        assert carried == 0.0
        return
    useful = min(
        ln["loss_deducted"],
        max(ln["agi"] - ln["deduction"] - ln["senior_deduction"] + ln["loss_deducted"], 0.0),
    )
    assert useful + carried == pytest.approx(-net, abs=1e-6)
    assert ln["loss_deducted"] <= (
        1_500 if filer.filing_status == "married_filing_separately" else 3_000
    )


@given(st.floats(min_value=0, max_value=2_000_000, allow_nan=False))
@settings(max_examples=60, deadline=None)
def test_ordinary_rate_matches_hand_lookup(income: float) -> None:
    # one dollar away from a bracket start, the next dollar is in one bracket
    assume_clear = all(abs(income - s) > 1.5 for s in SINGLE_2026_STARTS[1:])
    if assume_clear:
        assert TaxProfile.from_income(SINGLE, income).ordinary == pytest.approx(
            _hand_lookup(income), abs=1e-6
        )

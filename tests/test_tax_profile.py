"""Tests of assetloc.tax_profile against hand-typed IRS figures."""

from __future__ import annotations

import bisect
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetloc.errors import InputError
from assetloc.tax_profile import (
    FILING_STATUSES,
    TaxProfile,
    federal_tax_table,
    marginal_capital_gains_rate,
    marginal_ordinary_rate,
    niit_applies,
    supported_years,
)

# Rev. Proc. 2025-32 §4.01 Table 3 (single, 2026), typed from the IRS table: the rate
# applies to taxable income over each start.
SINGLE_2026_STARTS = [0, 12_400, 50_400, 105_700, 201_775, 256_225, 640_600]
SINGLE_2026_RATES = [0.10, 0.12, 0.22, 0.24, 0.32, 0.35, 0.37]


def _hand_lookup(income: float) -> float:
    return SINGLE_2026_RATES[bisect.bisect_right(SINGLE_2026_STARTS, income) - 1]


# ------------------------------------------------------------------ the bundled table
def test_table_covers_years_and_statuses() -> None:
    assert supported_years() == (2025, 2026)
    table = federal_tax_table()
    for year in ("2025", "2026"):
        for status in FILING_STATUSES:
            brackets = table["years"][year]["ordinary_brackets"][status]
            starts = [b["start"] for b in brackets]
            assert starts[0] == 0 and starts == sorted(starts)
            assert [b["rate"] for b in brackets] == [0.10, 0.12, 0.22, 0.24, 0.32, 0.35, 0.37]
    assert table["niit"]["rate"] == 0.038


# ------------------------------------------------------------------ the brief's examples
def test_single_100k_2026() -> None:
    p = TaxProfile.from_income("single", 100_000)
    assert p.federal_ordinary == 0.22
    assert p.federal_capital_gains == 0.15
    assert p.niit is False
    assert p.ordinary == pytest.approx(0.22)
    assert p.qualified == pytest.approx(0.15)
    assert p.short_term == pytest.approx(0.22)


def test_mfj_700k_2026() -> None:
    p = TaxProfile.from_income("married_filing_jointly", 700_000)
    assert p.federal_ordinary == 0.35
    assert p.federal_capital_gains == 0.20
    assert p.niit is True
    assert p.qualified == pytest.approx(0.238)
    assert p.long_term == pytest.approx(0.238)
    assert p.ordinary == pytest.approx(0.35)  # wages / withdrawals: no NIIT
    assert p.ordinary_investment == pytest.approx(0.388)
    assert p.short_term == pytest.approx(0.388)
    assert p.treasury_interest == pytest.approx(0.388)
    assert p.exempt_interest == 0.0


def test_2025_table_differs() -> None:
    # 2025 single: 24% starts at 103,350 (RP-2024-40); 2026: at 105,700 (RP-2025-32).
    assert marginal_ordinary_rate("single", 104_000, year=2025) == 0.24
    assert marginal_ordinary_rate("single", 104_000, year=2026) == 0.22


# ------------------------------------------------------------------ exact edges
@pytest.mark.parametrize(
    ("status", "year", "income", "rate"),
    [
        ("single", 2026, 0, 0.10),
        ("single", 2026, 12_399.99, 0.10),
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
    ],
)
def test_ordinary_edges(status: str, year: int, income: float, rate: float) -> None:
    assert marginal_ordinary_rate(status, income, year) == rate


@pytest.mark.parametrize(
    ("status", "year", "income", "rate"),
    [
        ("single", 2026, 49_449, 0.0),
        ("single", 2026, 49_450, 0.15),
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
    assert marginal_capital_gains_rate(status, income, year) == rate


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
    assert niit_applies(status, magi) is applies


def test_magi_overrides_taxable_income() -> None:
    low = TaxProfile.from_income("single", 150_000)
    high = TaxProfile.from_income("single", 150_000, magi=210_000)
    assert not low.niit and high.niit
    assert high.qualified == pytest.approx(0.15 + 0.038)
    assert high.magi == 210_000 and low.magi == 150_000


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
    kaplan = TaxProfile.from_rates(0.40, 0.238)
    assert kaplan.short_term == 0.40 and kaplan.long_term == 0.238


def test_assumptions_name_sources() -> None:
    p = TaxProfile.from_income("married_filing_jointly", 700_000, state_rate=0.05)
    text = " ".join(p.assumptions)
    assert "Rev. Proc. 2025-32" in text
    assert "IRC §1411" in text
    assert "SALT" in text
    assert "not tax advice" in text
    assert isinstance(p.assumptions, tuple)
    assert "not tax advice" in " ".join(TaxProfile.from_rates(0.4, 0.2).assumptions)


def test_profile_is_frozen() -> None:
    p = TaxProfile.from_rates(0.4, 0.2)
    with pytest.raises(AttributeError):
        p.state_rate = 0.1  # type: ignore[misc]


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"filing_status": "married", "taxable_income": 1}, "filing_status"),
        ({"filing_status": "single", "taxable_income": -1}, "taxable_income"),
        ({"filing_status": "single", "taxable_income": math.nan}, "taxable_income"),
        ({"filing_status": "single", "taxable_income": "100k"}, "taxable_income"),
        ({"filing_status": "single", "taxable_income": 1, "year": 2024}, "year"),
        ({"filing_status": "single", "taxable_income": 1, "year": "2026"}, "year"),
        ({"filing_status": "single", "taxable_income": 1, "state_rate": 1.0}, "state_rate"),
        ({"filing_status": "single", "taxable_income": 1, "state_rate": -0.01}, "state_rate"),
        ({"filing_status": "single", "taxable_income": 1, "magi": -5}, "magi"),
    ],
)
def test_from_income_rejects(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as err:
        TaxProfile.from_income(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((1.0, 0.2), "ordinary_rate"),
        ((1.2, 0.2), "ordinary_rate"),
        ((math.nan, 0.2), "ordinary_rate"),
        ((0.4, -0.1), "capital_gains_rate"),
        ((0.4, 1.0), "capital_gains_rate"),
        ((0.4, 0.2, 1.5), "state_rate"),
        ((0.6, 0.2, 0.45), "ordinary_rate"),  # federal + state must stay below 1
    ],
)
def test_from_rates_rejects(args: tuple[float, ...], field: str) -> None:
    ordinary, gains, state = (*args, 0.0)[:3]
    with pytest.raises(InputError) as err:
        TaxProfile.from_rates(ordinary, gains, state)
    assert err.value.field == field


# ------------------------------------------------------------------ properties
@given(st.floats(min_value=0, max_value=2_000_000, allow_nan=False))
def test_ordinary_rate_matches_hand_lookup(income: float) -> None:
    assert marginal_ordinary_rate("single", income, 2026) == _hand_lookup(income)


@given(
    st.sampled_from(FILING_STATUSES),
    st.sampled_from((2025, 2026)),
    st.floats(min_value=0, max_value=1_500_000, allow_nan=False),
    st.floats(min_value=0, max_value=500_000, allow_nan=False),
)
def test_rates_never_fall_with_income(status: str, year: int, income: float, more: float) -> None:
    a = TaxProfile.from_income(status, income, year)
    b = TaxProfile.from_income(status, income + more, year)
    assert b.federal_ordinary >= a.federal_ordinary
    assert b.federal_capital_gains >= a.federal_capital_gains
    assert b.niit >= a.niit


def test_gain_rate_can_exceed_ordinary_rate_near_the_zero_breakpoint() -> None:
    # Single 2026: the 0% gain rate ends at 49,450 but 22% starts only at 50,400.
    p = TaxProfile.from_income("single", 50_000)
    assert (p.federal_ordinary, p.federal_capital_gains) == (0.12, 0.15)

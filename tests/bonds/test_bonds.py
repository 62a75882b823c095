"""Bond math: against QuantLib on random bonds, identities, properties, bad input."""

from __future__ import annotations

import itertools
import math
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc import bonds
from assetloc.errors import InputError

ql = pytest.importorskip("QuantLib")

N_RANDOM = 600  # random bonds per day count
REL = 1e-9

QL_FREQ = {1: ql.Annual, 2: ql.Semiannual, 4: ql.Quarterly, 12: ql.Monthly}


def _qd(d: date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


def _pd(d: ql.Date) -> date:
    return date(d.year(), d.month(), d.dayOfMonth())


def _rel(a: float, b: float) -> float:
    """Relative error of ``a`` against reference ``b``; absolute when ``b`` is ~0."""
    return abs(a - b) / max(abs(b), 1e-12)


def _random_case(rng: random.Random, day_count: str) -> dict:
    q = rng.choice(bonds.FREQUENCIES)
    settle = date(2000, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
    if rng.random() < 0.1:  # a few very short bonds
        maturity = settle + timedelta(days=rng.randrange(1, 120))
    else:
        maturity = settle + timedelta(days=rng.randrange(1, 30 * 365))
    if day_count == "act/act" and rng.random() < 0.15:  # stress month ends (EOM rule)
        nxt = date(maturity.year + (maturity.month == 12), maturity.month % 12 + 1, 1)
        maturity = max(nxt - timedelta(days=1), settle + timedelta(days=1))
    if day_count == "30/360" and maturity.day > 28:
        # Like with like: QuantLib's FixedRateBond under 30/360 pays c*days/360 per period and
        # counts time as days/360; Kaplan's model pays c/q and counts 1/q per period. They
        # coincide exactly when every period has 360/q days, i.e. coupon dates on days 1-28.
        # The month-end case is checked separately in test_30_360_february_month_end_differs.
        maturity = maturity.replace(day=rng.randrange(1, 29))
        if maturity <= settle:
            maturity = maturity.replace(year=maturity.year + 1)
    coupon = 0.0 if rng.random() < 0.1 else rng.uniform(0.0, 0.12)
    y = rng.uniform(0.001, 0.15)
    eom = rng.random() < 0.7
    if rng.random() < 0.1:  # settle exactly on a coupon date
        cds = bonds.coupon_dates(settle, maturity, q, end_of_month=eom)
        if len(cds) > 2:
            settle = cds[1]
    return {"q": q, "settle": settle, "maturity": maturity, "coupon": coupon, "y": y, "eom": eom}


def _quantlib(case: dict, day_count: str) -> dict:
    q, settle, maturity = case["q"], case["settle"], case["maturity"]
    freq = QL_FREQ[q]
    s = _qd(settle)
    ql.Settings.instance().evaluationDate = s
    # Issue two years before settlement: the period holding settlement is always regular.
    effective = s - ql.Period(2, ql.Years)
    sched = ql.Schedule(
        effective,
        _qd(maturity),
        ql.Period(freq),
        ql.NullCalendar(),
        ql.Unadjusted,
        ql.Unadjusted,
        ql.DateGeneration.Backward,
        case["eom"],
    )
    if day_count == "30/360":
        dc = ql.Thirty360(ql.Thirty360.BondBasis)
    else:
        dc = ql.ActualActual(ql.ActualActual.ISMA, sched)
    bond = ql.FixedRateBond(0, 100.0, sched, [case["coupon"]], dc, ql.Unadjusted)
    rate = ql.InterestRate(case["y"], dc, ql.Compounded, freq)
    clean = ql.BondFunctions.cleanPrice(bond, rate, s)
    n_left = sum(1 for cf in bond.cashflows() if cf.date() > s) - 1  # minus the redemption
    return {
        "full": ql.CashFlows.npv(bond.cashflows(), rate, False, s, s),
        "clean": clean,
        "accrued": ql.BondFunctions.accruedAmount(bond, s),
        "yield": ql.BondFunctions.bondYield(
            bond,
            ql.BondPrice(clean, ql.BondPrice.Clean),
            dc,
            ql.Compounded,
            freq,
            s,
            1e-15,
            500,
            0.05,
        ),
        "macaulay": ql.BondFunctions.duration(bond, rate, ql.Duration.Macaulay, s),
        "modified": ql.BondFunctions.duration(bond, rate, ql.Duration.Modified, s),
        "convexity": ql.BondFunctions.convexity(bond, rate, s),
        "previous": _pd(ql.BondFunctions.accrualStartDate(bond, s)),
        "next": _pd(ql.BondFunctions.accrualEndDate(bond, s)),
        "n": n_left,
    }


@pytest.mark.parametrize("day_count", ["30/360", "act/act"])
def test_against_quantlib_random_bonds(day_count: str) -> None:
    rng = random.Random(20260622 + len(day_count))
    worst: dict[str, float] = {}
    for _ in range(N_RANDOM):
        case = _random_case(rng, day_count)
        ref = _quantlib(case, day_count)
        bond = bonds.make_bond(
            case["coupon"],
            case["q"],
            settle=case["settle"],
            maturity=case["maturity"],
            day_count=day_count,
            end_of_month=case["eom"],
        )
        m = bonds.measures(bond, case["y"])
        assert (bond.timing.previous_coupon, bond.timing.next_coupon, bond.timing.n) == (
            ref["previous"],
            ref["next"],
            ref["n"],
        ), case
        # QuantLib's durations and convexity measure time with the day count; for 30/360 on
        # days 1-28 and for ICMA a full period is exactly 1/q year and the stub 1/q - f/q,
        # the same times t_j = (j - f)/q as Kaplan's formula.
        got = {
            "full": m.price_full,
            "clean": m.price_clean,
            "accrued": m.accrued_interest,
            "yield": bonds.yield_from_price(bond, ref["clean"]),
            "yield_vs_input": bonds.yield_from_price(bond, ref["clean"]),
            "macaulay": m.macaulay_duration,
            "modified": m.modified_duration,
            "convexity": m.convexity,
            "dv01": m.dv01,
        }
        want = dict(ref, yield_vs_input=case["y"], dv01=ref["modified"] * ref["full"] / 1e4)
        for key, value in got.items():
            err = _rel(value, want[key])
            worst[key] = max(worst.get(key, 0.0), err)
            assert err <= REL, (key, value, want[key], case)
    print(day_count, {k: f"{v:.1e}" for k, v in worst.items()})


def test_30_360_february_month_end_differs_as_documented() -> None:
    # Maturity Aug 31, end-of-month: coupon dates Feb 28 and Aug 31. Under 30/360 bond basis
    # the period Feb 28 -> Aug 31 has 183 days, not 180. Kaplan's model keeps the coupon at
    # c/q and accrues f = 47/183 of it; QuantLib pays c*183/360 and accrues c*47/360.
    settle, maturity = date(2029, 4, 15), date(2031, 8, 31)
    bond = bonds.make_bond(0.06, 2, settle=settle, maturity=maturity, day_count="30/360")
    assert bond.timing.previous_coupon == date(2029, 2, 28)
    assert bond.timing.next_coupon == date(2029, 8, 31)
    assert bonds.days_30_360(date(2029, 2, 28), date(2029, 8, 31)) == 183
    assert bond.timing.f == pytest.approx(47 / 183, rel=1e-15)
    assert bond.accrued_interest == pytest.approx(3.0 * 47 / 183, rel=1e-15)
    case = {"q": 2, "settle": settle, "maturity": maturity, "coupon": 0.06, "y": 0.05, "eom": True}
    ref = _quantlib(case, "30/360")
    assert ref["accrued"] == pytest.approx(6.0 * 47 / 360, rel=1e-12)
    m = bonds.measures(bond, 0.05)
    # Close but not identical: the models differ by design, not by error.
    assert abs(m.price_full - ref["full"]) > 1e-6
    assert m.price_full == pytest.approx(ref["full"], rel=1e-3)


# --------------------------------------------------------------------------- identities


@pytest.mark.parametrize("q", bonds.FREQUENCIES)
@pytest.mark.parametrize("rate", [0.0, 0.01, 0.05, 0.2])
def test_par_bond_prices_at_100_on_coupon_dates(q: int, rate: float) -> None:
    for periods in (1, 3, 10, 61):
        bond = bonds.make_bond(rate, q, years=periods / q)
        p = bonds.price_from_yield(bond, rate)
        assert p.full == pytest.approx(100.0, rel=1e-13)
        assert p.accrued == 0.0
    for day_count in bonds.DAY_COUNTS:  # settlement on a coupon date, from dates
        bond = bonds.make_bond(
            rate, q, settle=date(2026, 12, 15), maturity=date(2036, 12, 15), day_count=day_count
        )
        assert bond.timing.f == 0.0
        assert bonds.price_from_yield(bond, rate).full == pytest.approx(100.0, rel=1e-13)


def test_par_bond_between_coupons_full_price_grows_with_yield() -> None:
    # Between coupon dates a par bond's full price is 100 (1 + y/q)^f; clean is below 100.
    bond = bonds.make_bond(0.06, 2, years=4.3)
    p = bonds.price_from_yield(bond, 0.06)
    assert p.full == pytest.approx(100 * 1.03**bond.timing.f, rel=1e-13)


@given(
    q=st.sampled_from(bonds.FREQUENCIES),
    years=st.floats(0.01, 40.0),
    y=st.floats(-0.02, 0.3),
)
@settings(max_examples=100, deadline=None)
def test_zero_coupon_macaulay_duration_is_maturity(q: int, years: float, y: float) -> None:
    bond = bonds.make_bond(0.0, q, years=years)
    m = bonds.measures(bond, y)
    assert m.macaulay_duration == pytest.approx(years, rel=1e-12)
    assert m.price_full == pytest.approx(100 * (1 + y / q) ** (-q * years), rel=1e-12)


def test_zero_coupon_duration_from_dates() -> None:
    bond = bonds.make_bond(
        0.0, 2, settle=date(2026, 11, 22), maturity=date(2031, 6, 15), day_count="act/act"
    )
    m = bonds.measures(bond, 0.04)
    assert m.macaulay_duration == pytest.approx(bond.timing.years, rel=1e-13)


@pytest.mark.parametrize(
    "coupon,years,y",
    [(0.05, 10.0, 0.045), (0.0, 30.0, 0.06), (0.08, 4.37, 0.02), (0.03, 25.5, 0.1)],
)
@pytest.mark.parametrize("sign", [1, -1])
def test_approximation_error_is_third_order(
    coupon: float, years: float, y: float, sign: int
) -> None:
    bond = bonds.make_bond(coupon, 2, years=years)
    errors = [
        abs(bonds.price_change(bond, y, sign * dy).error) for dy in (0.02, 0.01, 0.005, 0.0025)
    ]
    for big, small in itertools.pairwise(errors):
        assert 7.0 < big / small < 9.0, errors


def test_price_change_matches_repricing() -> None:
    bond = bonds.make_bond(0.05, 2, years=10)
    ch = bonds.price_change(bond, 0.05, 0.01)
    assert ch.price_before == pytest.approx(100.0, rel=1e-13)
    assert ch.exact == pytest.approx(bonds.price_from_yield(bond, 0.06).full / 100 - 1, rel=1e-13)
    assert ch.approx < 0 and ch.exact < 0 and abs(ch.error) < 1e-3
    assert set(ch.to_dict()) == {"dy", "exact", "approx", "price_before", "price_after", "error"}


@pytest.mark.parametrize("q", bonds.FREQUENCIES)
def test_dv01_and_convexity_match_finite_differences(q: int) -> None:
    bond = bonds.make_bond(0.045, q, years=7.3)
    y, h = 0.05, 1e-5
    m = bonds.measures(bond, y)
    up, down = (bonds.price_from_yield(bond, y + d).full for d in (h, -h))
    assert m.dv01 == pytest.approx((down - up) / (2 * h) * 1e-4, rel=1e-8)
    h = 1e-4
    up, mid, down = (bonds.price_from_yield(bond, y + d).full for d in (h, 0.0, -h))
    assert m.convexity == pytest.approx((up - 2 * mid + down) / (h * h * mid), rel=1e-5)
    assert m.modified_duration == pytest.approx(m.macaulay_duration / (1 + y / q), rel=1e-15)


def test_kaplan_years_form() -> None:
    t = bonds.timing_from_years(4.5, 2)
    assert (t.n, t.f) == (9, 0.0)
    t = bonds.timing_from_years(4.4, 2)
    assert t.n == 9 and t.f == pytest.approx(0.2, abs=1e-12)
    t = bonds.timing_from_years(0.1 * 3, 12)  # 3.6 periods; 0.30000000000000004 is not snapped
    assert t.n == 4 and t.f == pytest.approx(0.4, abs=1e-12)
    t = bonds.timing_from_years(0.1 + 0.2 + 0.7, 4)  # 0.9999999999999999 years -> 4 periods
    assert (t.n, t.f) == (4, 0.0)
    assert bonds.timing_from_years(4.4, 2).years == pytest.approx(4.4, rel=1e-15)


def test_end_of_month_schedule() -> None:
    cds = bonds.coupon_dates(date(2027, 1, 10), date(2030, 8, 31), 4)
    assert cds[:3] == [date(2026, 11, 30), date(2027, 2, 28), date(2027, 5, 31)]
    cds = bonds.coupon_dates(date(2027, 1, 10), date(2030, 8, 31), 4, end_of_month=False)
    assert cds[:3] == [date(2026, 11, 30), date(2027, 2, 28), date(2027, 5, 31)]
    cds = bonds.coupon_dates(date(2027, 1, 10), date(2030, 6, 30), 12)
    assert cds[:3] == [date(2026, 12, 31), date(2027, 1, 31), date(2027, 2, 28)]
    cds = bonds.coupon_dates(date(2027, 1, 10), date(2030, 6, 30), 12, end_of_month=False)
    assert cds[:3] == [date(2026, 12, 30), date(2027, 1, 30), date(2027, 2, 28)]


def test_days_30_360_bond_basis() -> None:
    assert bonds.days_30_360(date(2026, 1, 31), date(2026, 3, 31)) == 60
    assert bonds.days_30_360(date(2026, 1, 30), date(2026, 3, 31)) == 60
    assert bonds.days_30_360(date(2026, 1, 29), date(2026, 3, 31)) == 62
    assert bonds.days_30_360(date(2026, 2, 28), date(2026, 8, 31)) == 183


# --------------------------------------------------------------------------- round trip


@given(
    coupon=st.floats(0.0, 0.2),
    q=st.sampled_from(bonds.FREQUENCIES),
    years=st.floats(0.02, 50.0),
    y=st.floats(-0.05, 0.4),
)
@settings(max_examples=300, deadline=None)
def test_yield_price_round_trip(coupon: float, q: int, years: float, y: float) -> None:
    bond = bonds.make_bond(coupon, q, years=years)
    clean = bonds.price_from_yield(bond, y).clean
    if clean <= 0:  # possible only with a huge accrued coupon and tiny remaining value
        return
    back = bonds.yield_from_price(bond, clean)
    assert back == pytest.approx(y, rel=1e-9, abs=1e-11)


@given(
    coupon=st.floats(0.0, 0.15),
    q=st.sampled_from(bonds.FREQUENCIES),
    settle_days=st.integers(0, 20000),
    life_days=st.integers(1, 15000),
    y=st.floats(0.0, 0.2),
    day_count=st.sampled_from(bonds.DAY_COUNTS),
)
@settings(max_examples=200, deadline=None)
def test_yield_price_round_trip_from_dates(
    coupon: float, q: int, settle_days: int, life_days: int, y: float, day_count: str
) -> None:
    settle = date(2000, 1, 1) + timedelta(days=settle_days)
    try:
        bond = bonds.make_bond(
            coupon,
            q,
            settle=settle,
            maturity=settle + timedelta(days=life_days),
            day_count=day_count,
        )
    except InputError:  # zero 30/360 days left (settle the 30th, maturity the 31st)
        return
    clean = bonds.price_from_yield(bond, y).clean
    assert bonds.yield_from_price(bond, clean) == pytest.approx(y, rel=1e-9, abs=1e-11)


@pytest.mark.parametrize("price", [1e-6, 0.5, 20.0, 99.0, 150.0, 400.0, 5000.0])
def test_yield_from_any_positive_price(price: float) -> None:
    bond = bonds.make_bond(0.05, 2, years=10.25)
    y = bonds.yield_from_price(bond, price)
    assert y > -2
    assert bonds.price_from_yield(bond, y).clean == pytest.approx(price, rel=1e-9)


# --------------------------------------------------------------------------- after tax


def test_after_tax_yields() -> None:
    fed, state = 0.35, 0.05
    corp = bonds.after_tax_yields(0.05, bonds.BondTaxRates(fed, state))
    assert corp.after_tax == pytest.approx(0.05 * 0.60)
    assert corp.taxable_equivalent == pytest.approx(0.05)
    tsy = bonds.after_tax_yields(0.04, bonds.BondTaxRates(fed, state, treasury=True))
    assert tsy.after_tax == pytest.approx(0.04 * 0.65)
    assert tsy.taxable_equivalent == pytest.approx(0.04 * 0.65 / 0.60)
    muni_in = bonds.after_tax_yields(0.03, bonds.BondTaxRates(fed, state, muni=True, in_state=True))
    assert muni_in.after_tax == pytest.approx(0.03)
    assert muni_in.taxable_equivalent == pytest.approx(0.03 / 0.60)
    muni_out = bonds.after_tax_yields(0.03, bonds.BondTaxRates(fed, state, muni=True))
    assert muni_out.after_tax == pytest.approx(0.03 * 0.95)
    assert muni_out.taxable_equivalent == pytest.approx(0.03 * 0.95 / 0.60)
    assert set(muni_out.to_dict()) >= {"after_tax_yield", "taxable_equivalent_yield"}


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call,field",
    [
        (lambda: bonds.make_bond(0.05, 2, years=0.0), "years"),
        (lambda: bonds.make_bond(0.05, 2, years=-1.0), "years"),
        (lambda: bonds.make_bond(0.05, 3, years=5.0), "frequency"),
        (lambda: bonds.make_bond(-0.01, 2, years=5.0), "coupon"),
        (lambda: bonds.make_bond(float("nan"), 2, years=5.0), "coupon"),
        (
            lambda: bonds.make_bond(0.05, 2, settle=date(2030, 1, 1), maturity=date(2030, 1, 1)),
            "settle",
        ),
        (
            lambda: bonds.make_bond(0.05, 2, settle=date(2031, 1, 1), maturity=date(2030, 1, 1)),
            "settle",
        ),
        (
            lambda: bonds.make_bond(
                0.05, 2, settle=date(2030, 1, 1), maturity=date(2035, 1, 1), day_count="act/365"
            ),
            "day_count",
        ),
        (lambda: bonds.make_bond(0.05, 2, settle=date(2030, 1, 1)), "maturity"),
        (lambda: bonds.make_bond(0.05, 2, years=1.0, settle=date(2030, 1, 1)), "years"),
        (
            lambda: bonds.make_bond(0.05, 12, settle=date(2030, 7, 30), maturity=date(2030, 7, 31)),
            "settle",
        ),
        (lambda: bonds.price_from_yield(bonds.make_bond(0.05, 2, years=5.0), -2.0), "yield"),
        (lambda: bonds.measures(bonds.make_bond(0.05, 4, years=5.0), -4.5), "yield"),
        (lambda: bonds.yield_from_price(bonds.make_bond(0.05, 2, years=5.0), 0.0), "price"),
        (lambda: bonds.yield_from_price(bonds.make_bond(0.05, 2, years=5.0), -3.0), "price"),
        # a 1-day zero at 100x face needs a yield that rounds to -q in floating point
        (lambda: bonds.yield_from_price(bonds.make_bond(0.0, 12, years=0.003), 1e4), "price"),
        (lambda: bonds.analyze(bonds.make_bond(0.05, 2, years=5.0)), "yield"),
        (
            lambda: bonds.analyze(
                bonds.make_bond(0.05, 2, years=5.0), yield_=0.05, clean_price=100.0
            ),
            "yield",
        ),
        (lambda: bonds.BondTaxRates(federal=1.2), "federal_rate"),
        (lambda: bonds.BondTaxRates(state=-0.1), "state_rate"),
        (lambda: bonds.BondTaxRates(federal=0.6, state=0.5), "state_rate"),
        (lambda: bonds.BondTaxRates(0.3, muni=True, treasury=True), "treasury"),
        (lambda: bonds.BondTaxRates(0.3, in_state=True), "in_state"),
    ],
)
def test_bad_input_raises_input_error(call, field: str) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert info.value.field == field
    assert info.value.exit_code == 2


def test_results_are_frozen_and_serialisable() -> None:
    import dataclasses
    import json

    bond = bonds.make_bond(0.05, 2, settle=date(2026, 11, 22), maturity=date(2031, 6, 15))
    report = bonds.analyze(bond, clean_price=101.25, tax=bonds.BondTaxRates(0.32, 0.05), dy=0.001)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.measures.price_full = 1.0  # type: ignore[misc]
    d = json.loads(json.dumps(report.to_dict()))
    assert d["price_clean"] == pytest.approx(101.25, rel=1e-12)
    assert d["settle"] == "2026-11-22" and d["previous_coupon"] == "2026-06-15"
    assert math.isclose(d["dv01"], d["modified_duration"] * d["price_full"] / 1e4)

"""Fixed-coupon bond math: price, yield, duration, convexity, after-tax yields.

Model (Kaplan's formula). A bond pays ``q`` coupons a year (``q`` in 1, 2, 4, 12) of
``c/q`` per 1 of face, ``c`` the annual coupon rate (decimal), and returns the face at
maturity. At settlement ``n`` coupons are left and a fraction ``f`` (0 <= f <= 1) of the
current coupon period has gone. With the yield ``y`` (decimal, annual, compounded ``q``
times a year) and ``v = 1 / (1 + y/q)``, the coupon ``j`` (j = 1..n) is paid after
``t_j = (j - f) / q`` years and, per 1 of face,

* full (dirty) price  ``P = sum_j (c/q) v^(j-f) + v^(n-f)``
* accrued interest    ``A = f c / q``
* clean price         ``P - A``
* Macaulay duration   ``D = sum_j t_j CF_j v^(j-f) / P``                      (years)
* modified duration   ``D_m = D / (1 + y/q) = -(1/P) dP/dy``                  (years)
* convexity           ``C = (1/P) d2P/dy2 = sum_j t_j (t_j + 1/q) CF_j v^(j-f+2) / P``  (years^2)
* DV01                ``D_m P / 10000``     (price change per 1 bp, per 100 of face)

Prices returned by this module are per 100 of face.

Timing comes either from the time to maturity ``T`` in years (``n = ceil(qT)``,
``f = n - qT``) or from settlement and maturity dates. With dates, the coupon schedule
is generated backward from maturity in regular periods of ``12/q`` months, unadjusted
(no business-day calendar), with QuantLib's end-of-month rule: if ``end_of_month`` and the
maturity is the last day of its month, every coupon date is the last day of its month;
otherwise a coupon date is maturity minus a whole number of periods, clamped to the
month's last day. ``f`` is the day-count fraction of the current period:

* ``act/act`` (ICMA): ``f = (settle - previous) / (next - previous)`` in actual days;
* ``30/360`` (US bond basis, QuantLib's ``Thirty360.BondBasis``): both day counts by
  ``360 (Y2-Y1) + 30 (M2-M1) + (D2-D1)`` with D1 = 31 -> 30, and D2 = 31 -> 30 if D1 >= 30.

Every coupon is ``c/q`` and every full period is ``1/q`` year, as in Kaplan's formula.
(QuantLib's ``FixedRateBond`` under 30/360 instead pays ``c * days/360`` and counts time
as ``days/360``; both agree whenever each period has exactly ``360/q`` days, which holds
unless coupon dates fall on the 29th-31st and a period touches February.)

After tax (see :func:`after_tax_yields`): state income tax is assumed NOT deductible
against federal tax (SALT cap), so the combined rate on fully taxable interest is
``t_fed + t_state``.
"""

from assetloc.bonds.after_tax import AfterTaxYield, BondTaxRates, after_tax_yields
from assetloc.bonds.pricing import (
    Bond,
    BondMeasures,
    BondPrice,
    PriceChange,
    make_bond,
    measures,
    price_change,
    price_from_yield,
    yield_from_price,
)
from assetloc.bonds.report import BondReport, analyze
from assetloc.bonds.schedule import (
    DAY_COUNTS,
    FREQUENCIES,
    YIELD_RANGE,
    CouponTiming,
    check_finite,
    check_frequency,
    check_meaningful_yield,
    check_yield,
    coupon_dates,
    days_30_360,
    normalize_day_count,
    timing_from_dates,
    timing_from_years,
    yield_pct,
)

__all__ = [
    "DAY_COUNTS",
    "FREQUENCIES",
    "YIELD_RANGE",
    "AfterTaxYield",
    "Bond",
    "BondMeasures",
    "BondPrice",
    "BondReport",
    "BondTaxRates",
    "CouponTiming",
    "PriceChange",
    "after_tax_yields",
    "analyze",
    "check_finite",
    "check_frequency",
    "check_meaningful_yield",
    "check_yield",
    "coupon_dates",
    "days_30_360",
    "make_bond",
    "measures",
    "normalize_day_count",
    "price_change",
    "price_from_yield",
    "timing_from_dates",
    "timing_from_years",
    "yield_from_price",
    "yield_pct",
]

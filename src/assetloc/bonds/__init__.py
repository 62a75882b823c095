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

from __future__ import annotations

import calendar
import math
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
from scipy.optimize import brentq

from assetloc.errors import InputError
from assetloc.inputs.limits import MAX_BOND_YEARS, MAX_COUPON, MAX_YIELD, MIN_YIELD, decimal_hint
from assetloc.tax.interest import interest_tax

FREQUENCIES: tuple[int, ...] = (1, 2, 4, 12)
"""Allowed coupon frequencies (payments a year)."""

DAY_COUNTS: tuple[str, ...] = ("30/360", "act/act")
"""Canonical day-count names: 30/360 US bond basis, actual/actual ICMA."""

_DAY_COUNT_ALIASES: dict[str, str] = {
    "30/360": "30/360",
    "30/360 us": "30/360",
    "30/360us": "30/360",
    "30/360 bond": "30/360",
    "30/360 bond basis": "30/360",
    "30/360 bb": "30/360",
    "thirty360": "30/360",
    "30u/360": "30/360",
    "act/act": "act/act",
    "actual/actual": "act/act",
    "act/act icma": "act/act",
    "actual/actual icma": "act/act",
    "act/act isma": "act/act",
    "actual/actual isma": "act/act",
    "icma": "act/act",
    "isma": "act/act",
}

# Integer snapping tolerance for q*T in Kaplan's form (1e-9 of a coupon period).
_PERIOD_SNAP = 1e-9


# --------------------------------------------------------------------------- validation


def _finite(field: str, value: float) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(field, f"not a number: {value!r}") from None
    if not math.isfinite(x):
        raise InputError(field, f"must be a finite number, got {value!r}")
    return x


def check_frequency(frequency: object) -> int:
    """Return ``frequency`` if it is 1, 2, 4 or 12 (payments a year); else raise InputError."""
    value: object = frequency
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or int(value) not in FREQUENCIES
    ):
        raise InputError("frequency", f"must be one of 1, 2, 4, 12; got {frequency!r}")
    return int(value)


def check_yield(y: float, frequency: int) -> float:
    """Return ``y`` (decimal) if finite and above ``-frequency``; else raise InputError."""
    y = _finite("yield", y)
    if y <= -frequency:
        raise InputError("yield", f"must be greater than -{frequency} (-frequency); got {y}")
    return y


def _pct(y: float) -> str:
    return f"{100 * y:.4g}%"


YIELD_RANGE = f"[{_pct(MIN_YIELD)}, {_pct(MAX_YIELD)}] a year"


def check_meaningful_yield(y: float, *, clean_price: float | None = None) -> float:
    """Return ``y`` if it is in ``[MIN_YIELD, MAX_YIELD]`` (−10% to 100% a year).

    The math holds for any yield above ``-frequency``, but a yield outside this range
    (or a price implying one) is taken for a typo: a yield in percent (5 for 5%), a price
    per 1 of face instead of per 100. Raises :class:`InputError` on ``yield`` (or on
    ``price`` when ``clean_price`` gave the yield).
    """
    if MIN_YIELD <= y <= MAX_YIELD:
        return y
    if clean_price is None:
        raise InputError(
            "yield",
            f"{y:g} ({_pct(y)}) is outside the meaningful range {YIELD_RANGE}"
            + (decimal_hint("yield", y, MAX_YIELD) or "; yields are decimals: 0.05 for 5%"),
        )
    raise InputError(
        "price",
        f"{clean_price:g} implies a yield of {_pct(y)} a year, outside the meaningful range "
        f"{YIELD_RANGE}; prices are per 100 of face",
    )


def normalize_day_count(day_count: str) -> str:
    """Canonical day-count name, ``"30/360"`` or ``"act/act"``; raise InputError if unknown."""
    key = " ".join(str(day_count).strip().lower().replace("_", " ").split())
    try:
        return _DAY_COUNT_ALIASES[key]
    except KeyError:
        raise InputError(
            "day_count", f"unknown day count {day_count!r}; use 30/360 or act/act"
        ) from None


# --------------------------------------------------------------------------- dates


def days_30_360(d1: date, d2: date) -> int:
    """Days from ``d1`` to ``d2`` under 30/360 US bond basis (QuantLib ``BondBasis``)."""
    dd1, dd2 = d1.day, d2.day
    if dd1 == 31:
        dd1 = 30
    if dd2 == 31 and dd1 >= 30:
        dd2 = 30
    return 360 * (d2.year - d1.year) + 30 * (d2.month - d1.month) + (dd2 - dd1)


def _is_end_of_month(d: date) -> bool:
    return d.day == calendar.monthrange(d.year, d.month)[1]


def _minus_months(d: date, months: int, end_of_month: bool) -> date:
    """``d`` moved back ``months`` months; day clamped, or month end if ``end_of_month``."""
    index = d.year * 12 + (d.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    day = last if end_of_month else min(d.day, last)
    return date(year, month, day)


def coupon_dates(
    settle: date, maturity: date, frequency: int, *, end_of_month: bool = True
) -> list[date]:
    """Coupon dates from the last one on or before ``settle`` up to ``maturity``.

    Generated backward from ``maturity`` in regular periods of ``12/frequency`` months,
    unadjusted, with QuantLib's end-of-month rule (see the module docstring). The first
    element is the previous coupon date (on or before ``settle``, possibly before the
    bond's issue); the others are the ``n`` coupon dates still to be paid.
    """
    q = check_frequency(frequency)
    if not isinstance(settle, date) or not isinstance(maturity, date):
        raise InputError("settle", "settlement and maturity must be dates")
    if settle >= maturity:
        raise InputError(
            "settle",
            f"settlement {settle.isoformat()} must be before maturity {maturity.isoformat()}",
        )
    step = 12 // q
    eom = end_of_month and _is_end_of_month(maturity)
    dates = [maturity]
    k = 0
    while dates[-1] > settle:
        k += 1
        dates.append(_minus_months(maturity, k * step, eom))
    dates.reverse()
    return dates


# --------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class CouponTiming:
    """Where settlement falls in the coupon schedule.

    Attributes
    ----------
    frequency : int
        Coupons a year, ``q``.
    n : int
        Coupons left to be paid (>= 1).
    f : float
        Fraction of the current coupon period gone, 0 <= f <= 1.
    day_count : str or None
        ``"30/360"`` or ``"act/act"`` when built from dates; None for Kaplan's years form.
    settle, maturity, previous_coupon, next_coupon : date or None
        The dates, when built from dates.
    """

    frequency: int
    n: int
    f: float
    day_count: str | None = None
    settle: date | None = None
    maturity: date | None = None
    previous_coupon: date | None = None
    next_coupon: date | None = None

    def __post_init__(self) -> None:
        check_frequency(self.frequency)
        if self.n < 1:
            raise InputError("maturity", "no coupon or principal payment is left")
        if not (0.0 <= self.f <= 1.0):
            raise InputError("f", f"period fraction must be in [0, 1], got {self.f}")
        if self.n - self.f <= 0.0:
            raise InputError("maturity", "time to maturity is zero")

    @property
    def years(self) -> float:
        """Time to maturity in years, ``(n - f) / q``."""
        return (self.n - self.f) / self.frequency

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (dates as ISO strings)."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            out[key] = value.isoformat() if isinstance(value, date) else value
        out["years"] = self.years
        return out


def timing_from_years(years: float, frequency: int) -> CouponTiming:
    """Kaplan's form: ``n = ceil(q T)`` coupons left, ``f = n - q T``.

    Parameters
    ----------
    years : float
        Time to maturity ``T`` in years, > 0.
    frequency : int
        Coupons a year, 1, 2, 4 or 12.
    """
    q = check_frequency(frequency)
    t = _finite("years", years)
    if t <= 0:
        raise InputError("years", f"time to maturity must be positive, got {years}")
    if t > MAX_BOND_YEARS:
        raise InputError("years", f"{years:g} years to maturity exceeds {MAX_BOND_YEARS:g}")
    periods = q * t
    nearest = round(periods)
    if nearest >= 1 and abs(periods - nearest) <= _PERIOD_SNAP * max(1.0, periods):
        return CouponTiming(frequency=q, n=int(nearest), f=0.0)
    n = math.ceil(periods)
    return CouponTiming(frequency=q, n=n, f=n - periods)


def timing_from_dates(
    settle: date,
    maturity: date,
    frequency: int,
    day_count: str,
    *,
    end_of_month: bool = True,
) -> CouponTiming:
    """Coupons left ``n`` and fraction ``f`` of the current period from dates.

    Parameters
    ----------
    settle, maturity : date
        Settlement and maturity dates, settle < maturity.
    frequency : int
        Coupons a year, 1, 2, 4 or 12.
    day_count : str
        ``"30/360"`` (US bond basis) or ``"act/act"`` (ICMA); aliases accepted.
    end_of_month : bool
        QuantLib's end-of-month rule for maturities on the last day of a month.
    """
    q = check_frequency(frequency)
    dc = normalize_day_count(day_count)
    if isinstance(settle, date) and isinstance(maturity, date):
        span = (maturity - settle).days / 365.25
        if span > MAX_BOND_YEARS:
            raise InputError(
                "maturity",
                f"{maturity.isoformat()} is {span:.1f} years after settlement "
                f"{settle.isoformat()}: more than {MAX_BOND_YEARS:g}",
            )
    dates = coupon_dates(settle, maturity, q, end_of_month=end_of_month)
    previous, following = dates[0], dates[1]
    n = len(dates) - 1
    if dc == "act/act":
        f = (settle - previous).days / (following - previous).days
    else:
        f = days_30_360(previous, settle) / days_30_360(previous, following)
    if n == 1 and f >= 1.0:
        raise InputError(
            "settle",
            f"settlement {settle.isoformat()} is zero 30/360 days before maturity "
            f"{maturity.isoformat()}",
        )
    return CouponTiming(
        frequency=q,
        n=n,
        f=f,
        day_count=dc,
        settle=settle,
        maturity=maturity,
        previous_coupon=previous,
        next_coupon=following,
    )


# --------------------------------------------------------------------------- bond


@dataclass(frozen=True)
class Bond:
    """A fixed-coupon bond seen from a settlement point.

    Attributes
    ----------
    coupon : float
        Annual coupon rate ``c``, decimal (0.05 = 5 %), >= 0.
    timing : CouponTiming
        Frequency, coupons left and fraction of the current period gone.
    """

    coupon: float
    timing: CouponTiming

    def __post_init__(self) -> None:
        c = _finite("coupon", self.coupon)
        if c < 0:
            raise InputError("coupon", f"must be >= 0, got {self.coupon}")
        if c > MAX_COUPON:
            raise InputError(
                "coupon",
                f"{c:g} ({100 * c:.4g}% a year) exceeds {MAX_COUPON:g}"
                + decimal_hint("coupon", c, MAX_COUPON),
            )

    @property
    def frequency(self) -> int:
        """Coupons a year."""
        return self.timing.frequency

    def _flows(self) -> tuple[np.ndarray, np.ndarray]:
        """Periods to each payment ``j - f`` and amounts per 1 of face."""
        t = self.timing
        tau = np.arange(1, t.n + 1, dtype=float) - t.f
        cf = np.full(t.n, self.coupon / t.frequency)
        cf[-1] += 1.0
        return tau, cf

    @property
    def accrued_interest(self) -> float:
        """Accrued interest ``f c / q``, per 100 of face."""
        return 100.0 * self.timing.f * self.coupon / self.timing.frequency


def make_bond(
    coupon: float,
    frequency: int,
    *,
    years: float | None = None,
    settle: date | None = None,
    maturity: date | None = None,
    day_count: str = "30/360",
    end_of_month: bool = True,
) -> Bond:
    """Build a :class:`Bond` from either ``years`` or ``settle`` + ``maturity`` dates.

    Parameters
    ----------
    coupon : float
        Annual coupon rate, decimal.
    frequency : int
        Coupons a year, 1, 2, 4 or 12.
    years : float, optional
        Time to maturity in years (Kaplan's form).
    settle, maturity : date, optional
        Settlement and maturity dates, used with ``day_count`` and ``end_of_month``.
    """
    if years is not None:
        if settle is not None or maturity is not None:
            raise InputError("years", "give either years or settle and maturity dates, not both")
        timing = timing_from_years(years, frequency)
    else:
        if settle is None or maturity is None:
            raise InputError(
                "maturity" if settle is not None else "settle",
                "give both settle and maturity dates, or years",
            )
        timing = timing_from_dates(
            settle, maturity, frequency, day_count, end_of_month=end_of_month
        )
    return Bond(coupon=_finite("coupon", coupon), timing=timing)


# --------------------------------------------------------------------------- measures


@dataclass(frozen=True)
class BondPrice:
    """Prices per 100 of face.

    Attributes
    ----------
    full : float
        Full (dirty, invoice) price.
    clean : float
        Clean (quoted) price, ``full - accrued``.
    accrued : float
        Accrued interest ``100 f c / q``.
    """

    full: float
    clean: float
    accrued: float

    def to_dict(self) -> dict[str, float]:
        """Plain dict."""
        return {
            "price_full": self.full,
            "price_clean": self.clean,
            "accrued_interest": self.accrued,
        }


def _log_growth(y: float, q: int) -> float:
    """``x = ln(1 + y/q)``, the per-period continuously compounded rate."""
    return math.log1p(y / q)


def _full_price_x(tau: np.ndarray, cf: np.ndarray, x: float) -> float:
    """Full price per 1 of face at per-period log rate ``x``."""
    return float(np.dot(cf, np.exp(-x * tau)))


def price_from_yield(bond: Bond, y: float) -> BondPrice:
    """Full price, clean price and accrued interest (per 100 of face) at yield ``y``.

    Parameters
    ----------
    bond : Bond
    y : float
        Yield, decimal, annual, compounded ``q`` times a year; must exceed ``-q``.
    """
    q = bond.frequency
    y = check_yield(y, q)
    tau, cf = bond._flows()
    full = 100.0 * _full_price_x(tau, cf, _log_growth(y, q))
    accrued = bond.accrued_interest
    return BondPrice(full=full, clean=full - accrued, accrued=accrued)


def yield_from_price(bond: Bond, clean_price: float) -> float:
    """Yield (decimal, compounded ``q`` a year) that reproduces a clean price per 100.

    Solves for ``x = ln(1 + y/q)`` where the full price is a strictly decreasing convex
    function of ``x`` on the whole real line: expands a bracket, then ``brentq``, then one
    Newton polish step. Converges for every positive price the bond can take; raises
    InputError otherwise (non-positive price, a price at or below the value of a coupon
    due right now, or a price so extreme for a very short bond that its yield overflows
    a float or rounds to ``-q``); the answer is checked by repricing.
    """
    price = _finite("price", clean_price)
    if price <= 0:
        raise InputError("price", f"must be positive, got {clean_price}")
    q = bond.frequency
    tau, cf = bond._flows()
    target = (price + bond.accrued_interest) / 100.0
    floor = float(cf[tau <= 0].sum())  # value left as y -> infinity (a coupon due now)
    if target <= floor * (1 + 1e-12):
        raise InputError(
            "price",
            f"{clean_price} is too low: no yield gives a full price at or below {100 * floor:.6g}",
        )

    def g(x: float) -> float:
        return _full_price_x(tau, cf, x) / target - 1.0

    # Start from the current-yield-ish guess and widen geometrically.
    x0 = _log_growth(max(min(bond.coupon, 1.0), 0.0), q) if bond.coupon > 0 else 0.01
    lo, hi, step = x0 - 0.05, x0 + 0.05, 0.1
    for _ in range(200):
        g_lo, g_hi = g(lo), g(hi)
        if g_lo >= 0.0 >= g_hi:
            break
        if g_lo < 0.0:
            lo -= step
        if g_hi > 0.0:
            hi += step
        step *= 2.0
    else:  # pragma: no cover - the price function spans (floor, inf)
        raise InputError("price", f"no yield reproduces the price {clean_price}")
    if g_lo == 0.0:
        x = lo
    elif g_hi == 0.0:
        x = hi
    else:
        x = float(brentq(g, lo, hi, xtol=1e-16, rtol=4 * np.finfo(float).eps, maxiter=500))
    # One Newton step in x for the last ulp-level digits.
    disc = np.exp(-x * tau)
    value = float(np.dot(cf, disc))
    slope = -float(np.dot(cf * tau, disc))
    if slope < 0:
        x_new = x - (value - target) / slope
        if lo <= x_new <= hi:
            x = x_new
    try:
        y = q * math.expm1(x)
    except OverflowError:
        y = math.inf
    if not (math.isfinite(y) and y > -q) or not math.isclose(
        _full_price_x(tau, cf, math.log1p(y / q)), target, rel_tol=1e-9
    ):
        raise InputError(
            "price", f"{clean_price} is outside the range a finite yield can reproduce"
        )
    return y


@dataclass(frozen=True)
class BondMeasures:
    """Every measure of a bond at one yield.

    Attributes
    ----------
    price_full, price_clean, accrued_interest : float
        Per 100 of face.
    yield_ : float
        Yield, decimal, annual, compounded ``frequency`` times a year (key ``"yield"``).
    macaulay_duration, modified_duration : float
        Years.
    dv01 : float
        Full-price change for a 1 bp fall in yield, per 100 of face.
    convexity : float
        ``(1/P) d2P/dy2``, years^2.
    coupon : float
        Annual coupon rate, decimal.
    timing : CouponTiming
    """

    price_full: float
    price_clean: float
    accrued_interest: float
    yield_: float
    macaulay_duration: float
    modified_duration: float
    dv01: float
    convexity: float
    coupon: float
    timing: CouponTiming

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict; the yield is under ``"yield"``."""
        out: dict[str, Any] = {
            "price_full": self.price_full,
            "price_clean": self.price_clean,
            "accrued_interest": self.accrued_interest,
            "yield": self.yield_,
            "macaulay_duration": self.macaulay_duration,
            "modified_duration": self.modified_duration,
            "dv01": self.dv01,
            "convexity": self.convexity,
            "coupon": self.coupon,
        }
        t = self.timing.to_dict()
        out["frequency"] = t.pop("frequency")
        out["coupons_left"] = t.pop("n")
        out["period_fraction"] = t.pop("f")
        out["years_to_maturity"] = t.pop("years")
        out.update(t)
        return out


def measures(bond: Bond, y: float) -> BondMeasures:
    """Price, accrued, durations, DV01 and convexity of ``bond`` at yield ``y``.

    Parameters
    ----------
    bond : Bond
    y : float
        Yield, decimal, annual, compounded ``q`` times a year; must exceed ``-q``.
    """
    q = bond.frequency
    y = check_yield(y, q)
    tau, cf = bond._flows()
    x = _log_growth(y, q)
    pv = cf * np.exp(-x * tau)  # per 1 of face
    full = float(pv.sum())
    t = tau / q  # years to each payment
    macaulay = float(np.dot(t, pv)) / full
    growth = 1.0 + y / q
    modified = macaulay / growth
    convexity = float(np.dot(t * (t + 1.0 / q), pv)) / (full * growth * growth)
    accrued = bond.accrued_interest
    full100 = 100.0 * full
    return BondMeasures(
        price_full=full100,
        price_clean=full100 - accrued,
        accrued_interest=accrued,
        yield_=y,
        macaulay_duration=macaulay,
        modified_duration=modified,
        dv01=modified * full100 / 10000.0,
        convexity=convexity,
        coupon=bond.coupon,
        timing=bond.timing,
    )


@dataclass(frozen=True)
class PriceChange:
    """Exact repricing next to the duration-convexity approximation.

    Attributes
    ----------
    dy : float
        Yield change, decimal (0.01 = 100 bp).
    exact : float
        Exact relative change of the full price, ``P(y+dy)/P(y) - 1``.
    approx : float
        ``-D_m dy + C dy^2 / 2``.
    price_before, price_after : float
        Full prices per 100 of face at ``y`` and ``y + dy``.
    """

    dy: float
    exact: float
    approx: float
    price_before: float
    price_after: float

    @property
    def error(self) -> float:
        """``exact - approx`` (relative), third order in ``dy``."""
        return self.exact - self.approx

    def to_dict(self) -> dict[str, float]:
        """Plain dict, with ``error``."""
        out = asdict(self)
        out["error"] = self.error
        return out


def price_change(bond: Bond, y: float, dy: float) -> PriceChange:
    """Relative full-price change for a yield move ``dy``: exact and approximate.

    ``approx = -D_m dy + C dy^2 / 2`` with modified duration ``D_m`` and convexity ``C``
    at ``y``; ``exact`` reprices at ``y + dy``.
    """
    dy = _finite("dy", dy)
    m = measures(bond, y)
    after = price_from_yield(bond, check_yield(y + dy, bond.frequency)).full
    exact = after / m.price_full - 1.0
    approx = -m.modified_duration * dy + 0.5 * m.convexity * dy * dy
    return PriceChange(
        dy=dy, exact=exact, approx=approx, price_before=m.price_full, price_after=after
    )


# --------------------------------------------------------------------------- after tax


@dataclass(frozen=True)
class BondTaxRates:
    """Marginal income-tax rates and the bond's tax status.

    Attributes
    ----------
    federal : float
        Federal ordinary-income rate, decimal, 0 <= t < 1.
    state : float
        State (and local) income rate, decimal, 0 <= t < 1.
    muni : bool
        Municipal bond: interest free of federal tax.
    in_state : bool
        Muni issued in the holder's state: interest also free of state tax.
    treasury : bool
        US Treasury: interest free of state tax.
    """

    federal: float = 0.0
    state: float = 0.0
    muni: bool = False
    in_state: bool = False
    treasury: bool = False

    def __post_init__(self) -> None:
        for name in ("federal", "state"):
            rate = _finite(f"{name}_rate", getattr(self, name))
            if not (0.0 <= rate < 1.0):
                raise InputError(
                    f"{name}_rate",
                    f"must be in [0, 1), got {rate}" + decimal_hint("rate", rate, 1.0),
                )
        if self.federal + self.state >= 1.0:
            raise InputError(
                "state_rate",
                f"federal + state rate must be below 1, got {self.federal + self.state}",
            )
        if self.muni and self.treasury:
            raise InputError("treasury", "a bond cannot be both a muni and a Treasury")
        if self.in_state and not self.muni:
            raise InputError("in_state", "applies only to a municipal bond (muni)")

    @property
    def combined(self) -> float:
        """Rate on fully taxable interest, ``federal + state`` (state not deductible)."""
        return self.federal + self.state

    @property
    def rate_on_this_bond(self) -> float:
        """Rate that applies to this bond's interest."""
        fed, state = interest_tax(
            self.federal, self.state, muni=self.muni, in_state=self.in_state, treasury=self.treasury
        )
        return fed + state


@dataclass(frozen=True)
class AfterTaxYield:
    """After-tax and taxable-equivalent yields, decimal.

    Attributes
    ----------
    pre_tax : float
        The bond's yield.
    tax_rate : float
        Rate applied to this bond's interest.
    after_tax : float
        ``pre_tax (1 - tax_rate)``.
    taxable_equivalent : float
        Yield a fully taxable bond (federal + state) needs to give the same after-tax
        yield, ``after_tax / (1 - federal - state)``.
    combined_rate : float
        ``federal + state``.
    """

    pre_tax: float
    tax_rate: float
    after_tax: float
    taxable_equivalent: float
    combined_rate: float

    def to_dict(self) -> dict[str, float]:
        """Plain dict with ``after_tax_yield`` and ``taxable_equivalent_yield`` keys."""
        return {
            "pre_tax_yield": self.pre_tax,
            "tax_rate_on_interest": self.tax_rate,
            "after_tax_yield": self.after_tax,
            "taxable_equivalent_yield": self.taxable_equivalent,
            "combined_tax_rate": self.combined_rate,
        }


def after_tax_yields(y: float, rates: BondTaxRates) -> AfterTaxYield:
    """After-tax and taxable-equivalent yield of a bond yielding ``y`` (decimal).

    State tax is assumed not deductible against federal tax (SALT cap), so with
    ``t_f`` federal and ``t_s`` state rate, the combined rate is ``t_c = t_f + t_s`` and

    * taxable (corporate) bond: ``after = y (1 - t_f - t_s)``;
    * Treasury (state-exempt):   ``after = y (1 - t_f)``;
    * muni, in-state:            ``after = y``;
    * muni, out-of-state:        ``after = y (1 - t_s)``;
    * taxable-equivalent yield:  ``TEY = after / (1 - t_c)`` for every kind (for a
      corporate ``TEY = y``).

    Simplifications: the whole yield is treated as interest taxed each year at the
    ordinary rate (no capital-gain, market-discount, de minimis or AMT treatment).
    """
    y = _finite("yield", y)
    rate = rates.rate_on_this_bond
    after = y * (1.0 - rate)
    return AfterTaxYield(
        pre_tax=y,
        tax_rate=rate,
        after_tax=after,
        taxable_equivalent=after / (1.0 - rates.combined),
        combined_rate=rates.combined,
    )


# --------------------------------------------------------------------------- one call


@dataclass(frozen=True)
class BondReport:
    """All measures, optional after-tax yields and optional price-change check."""

    measures: BondMeasures
    after_tax: AfterTaxYield | None = None
    change: PriceChange | None = None

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON-ready dict: measures, then after-tax keys, then ``price_change``."""
        out = self.measures.to_dict()
        if self.after_tax is not None:
            out.update(self.after_tax.to_dict())
        if self.change is not None:
            out["price_change"] = self.change.to_dict()
        return out


def analyze(
    bond: Bond,
    *,
    yield_: float | None = None,
    clean_price: float | None = None,
    tax: BondTaxRates | None = None,
    dy: float | None = None,
) -> BondReport:
    """Measures of ``bond`` from exactly one of a yield or a clean price per 100.

    The yield, given or implied by the price, must be in ``[MIN_YIELD, MAX_YIELD]``
    (:func:`check_meaningful_yield`); the lower-level functions accept any yield > −q.

    Parameters
    ----------
    bond : Bond
    yield_ : float, optional
        Yield, decimal, compounded ``q`` a year.
    clean_price : float, optional
        Clean (quoted) price per 100 of face.
    tax : BondTaxRates, optional
        When given, after-tax and taxable-equivalent yields are added.
    dy : float, optional
        When given, the exact vs approximate price change for this yield move (decimal).
    """
    if (yield_ is None) == (clean_price is None):
        raise InputError("yield", "give exactly one of a yield or a price")
    if clean_price is not None:
        y = check_meaningful_yield(yield_from_price(bond, clean_price), clean_price=clean_price)
    else:
        assert yield_ is not None
        y = check_meaningful_yield(_finite("yield", yield_))
    if dy is not None and not MIN_YIELD <= y + _finite("shift_bp", dy) <= MAX_YIELD:
        raise InputError(
            "shift_bp",
            f"moves the yield {_pct(y)} to {_pct(y + dy)}, outside the meaningful range "
            f"{YIELD_RANGE}",
        )
    m = measures(bond, y)
    after = after_tax_yields(m.yield_, tax) if tax is not None else None
    change = price_change(bond, m.yield_, dy) if dy is not None else None
    return BondReport(measures=m, after_tax=after, change=change)

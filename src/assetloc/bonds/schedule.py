"""Bond conventions and the coupon schedule: frequencies, day counts, input checks,
coupon dates and the timing (n coupons left, fraction f of the period gone).

See :mod:`assetloc.bonds` for the model and the day-count rules.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np

from assetloc.errors import InputError
from assetloc.inputs.limits import MAX_BOND_YEARS, MAX_YIELD, MIN_YIELD, decimal_hint
from assetloc.units import pct_g

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


def check_finite(field: str, value: float) -> float:
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
    y = check_finite("yield", y)
    if y <= -frequency:
        raise InputError("yield", f"must be greater than -{frequency} (-frequency); got {y}")
    return y


def yield_pct(y: float) -> str:
    """A yield (decimal) as a percent to 4 significant digits: ``0.05125 → "5.125%"``."""
    return pct_g(y, 4)


YIELD_RANGE = f"[{yield_pct(MIN_YIELD)}, {yield_pct(MAX_YIELD)}] a year"


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
            f"{y:g} ({yield_pct(y)}) is outside the meaningful range {YIELD_RANGE}"
            + (decimal_hint("yield", y, MAX_YIELD) or "; yields are decimals: 0.05 for 5%"),
        )
    raise InputError(
        "price",
        f"{clean_price:g} implies a yield of {yield_pct(y)} a year, outside the meaningful range "
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
    t = check_finite("years", years)
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

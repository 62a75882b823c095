"""A bond's price from its yield and back, duration, convexity, DV01 and price changes.

Prices per 100 of face, yields decimal per year; see :mod:`assetloc.bonds` for the formulas.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
from scipy.optimize import brentq

from assetloc.bonds.schedule import (
    CouponTiming,
    check_finite,
    check_yield,
    timing_from_dates,
    timing_from_years,
)
from assetloc.errors import InputError
from assetloc.inputs.limits import MAX_COUPON, decimal_hint
from assetloc.units import pct_g

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
        c = check_finite("coupon", self.coupon)
        if c < 0:
            raise InputError("coupon", f"must be >= 0, got {self.coupon}")
        if c > MAX_COUPON:
            raise InputError(
                "coupon",
                f"{c:g} ({pct_g(c, 4)} a year) exceeds {MAX_COUPON:g}"
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
    return Bond(coupon=check_finite("coupon", coupon), timing=timing)


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
    price = check_finite("price", clean_price)
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
    dy = check_finite("dy", dy)
    m = measures(bond, y)
    after = price_from_yield(bond, check_yield(y + dy, bond.frequency)).full
    exact = after / m.price_full - 1.0
    approx = -m.modified_duration * dy + 0.5 * m.convexity * dy * dy
    return PriceChange(
        dy=dy, exact=exact, approx=approx, price_before=m.price_full, price_after=after
    )

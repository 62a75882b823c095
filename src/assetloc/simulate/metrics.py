"""Summary statistics of per-path outcomes, and the location value in bp a year.

The location value of strategy s against a reference r on one path is the constant extra
after-tax return that turns r's terminal wealth into s's over T years:
v = ((W_s / W_r)^(1/T) − 1)·10⁴ basis points a year, so W_r·(1 + v/10⁴)^T = W_s.

That compares wealth, not risk: a placement that lowers the after-tax risk (stocks in a
traditional account share their risk with the government) can end with less mean wealth
and still be better for a risk-averse household. The risk-adjusted value compares the
certainty equivalents instead: CE = (mean W^(1−γ))^(1/(1−γ)) (exp(mean ln W) at γ = 1), the
sure terminal wealth a CRRA investor of relative risk aversion γ values as much as the
distribution, and v_CE = ((CE_s / CE_r)^(1/T) − 1)·10⁴.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from assetloc.types import FloatArray

#: the percentiles every distribution is reported at (percent)
PERCENTILES = (5, 50, 95)


def stats(a: ArrayLike) -> dict[str, float]:
    """``{"mean", "p5", "p50", "p95"}`` of the finite values of ``a`` (any unit; the
    percentiles by linear interpolation, numpy's default). NaN everywhere when ``a`` has no
    finite value."""
    x = np.asarray(a, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return {"mean": float("nan"), **{f"p{q}": float("nan") for q in PERCENTILES}}
    qs = np.percentile(x, PERCENTILES)
    pct = {f"p{q}": float(v) for q, v in zip(PERCENTILES, qs, strict=True)}
    return {"mean": float(x.mean()), **pct}


#: Location values smaller than this (bp a year) are floating-point noise and count as 0:
#: two strategies that hold the same thing end with wealth equal to about 1e-15.
NOISE_BP = 1e-8


def location_value_bp(terminal: ArrayLike, reference: ArrayLike, years: int) -> FloatArray:
    """Per path ((W_s / W_r)^(1/T) − 1)·10⁴, bp a year; NaN where either wealth is <= 0;
    0 within :data:`NOISE_BP`."""
    a = np.asarray(terminal, dtype=float)
    b = np.asarray(reference, dtype=float)
    ok = (a > 0) & (b > 0)
    ratio = np.divide(a, b, out=np.ones_like(a), where=ok)
    v: FloatArray = (ratio ** (1.0 / years) - 1.0) * 1e4
    v = np.where(np.abs(v) < NOISE_BP, 0.0, v)
    return np.where(ok, v, np.nan)


def share_negative(values: ArrayLike) -> float:
    """Share of the finite values below zero (decimal; 0 when there are none)."""
    x = np.asarray(values, dtype=float).ravel()
    x = x[np.isfinite(x)]
    return float((x < 0).mean()) if x.size else 0.0


def certainty_equivalent(terminal: ArrayLike, gamma: float) -> float:
    """The CRRA certainty equivalent of terminal wealth over paths (dollars), relative risk
    aversion ``gamma`` > 0; NaN when some wealth is not positive (CRRA utility is undefined
    there)."""
    w = np.asarray(terminal, dtype=float).ravel()
    if w.size == 0 or not np.all(w > 0) or not gamma > 0:
        return float("nan")
    scale = float(np.median(w))  # W / scale keeps the powers in range
    x = w / scale
    if abs(gamma - 1.0) < 1e-12:
        return scale * float(np.exp(np.mean(np.log(x))))
    return scale * float(np.mean(x ** (1.0 - gamma)) ** (1.0 / (1.0 - gamma)))


def risk_adjusted_value_bp(
    terminal: ArrayLike, reference: ArrayLike, years: int, gamma: float
) -> float:
    """((CE_s / CE_r)^(1/T) − 1)·10⁴, bp a year (see the module docstring); NaN when a
    certainty equivalent is undefined."""
    a = certainty_equivalent(terminal, gamma)
    b = certainty_equivalent(reference, gamma)
    if not (a > 0 and b > 0):
        return float("nan")
    v = ((a / b) ** (1.0 / years) - 1.0) * 1e4
    return 0.0 if abs(v) < NOISE_BP else float(v)

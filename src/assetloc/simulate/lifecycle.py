"""Kaplan's lifecycle (Quant U, 2017; DESIGN.md §4): W = H + F and CRRA consumption.

Dollars are today's dollars and ``rate`` is the matching (real, after-tax) return, decimal
a year; the caller picks it. Timing, year index ``t = 0 .. T``:

* earnings ``e_t`` (t = 1 .. R, R = years to retirement) are paid at the end of year t;
  human capital is their present value, ``H_t = Σ_{k=t+1..R} e_k / (1 + r)^(k − t)``, which
  declines to ``H_R = 0`` at retirement (level earnings: ``H_t = e (1 − (1 + r)^−(R−t)) / r``);
* consumption ``c_t`` (t = 0 .. T−1) is taken at the start of year t, so total wealth
  follows ``W_t = (1 + r)(W_{t−1} − c_{t−1})`` and the budget is
  ``Σ_t c_t / (1 + r)^t = W_0`` (W_T = 0: nothing is left at the horizon);
* a CRRA investor with elasticity of intertemporal substitution ψ and time preference ρ
  lets consumption grow by ``g = ((1 + r)/(1 + ρ))^ψ`` a year:
  ``c_t = c_0 g^t``, ``c_0 = W_0 / Σ_t (g / (1 + r))^t``;
* financial wealth is the rest, ``F_t = W_t − H_t``; equivalently
  ``F_t = (1 + r)(F_{t−1} − c_{t−1}) + e_t`` (saving what earnings exceed consumption).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from assetloc.errors import InputError
from assetloc.inputs.household import Household
from assetloc.types import FloatArray

__all__ = [
    "Lifecycle",
    "crra_consumption",
    "earnings_of",
    "growth_factor",
    "human_capital",
    "lifecycle",
]


def _earnings(earnings: ArrayLike, years_to_retire: int) -> FloatArray:
    e = np.asarray(earnings, dtype=float)
    if e.ndim == 0:
        return np.full(years_to_retire, float(e))
    if e.shape != (years_to_retire,):
        raise ValueError(f"earnings: {e.shape[0]} amounts for {years_to_retire} working years")
    return e


def human_capital(
    earnings: ArrayLike, years_to_retire: int, rate: float, years: int | None = None
) -> FloatArray:
    """H_t, t = 0 .. max(years, R): present value at the end of year t of the earnings
    still to come (``earnings``: one amount a year, or R amounts for years 1..R; paid at
    year ends), discounted at ``rate``. Zero from retirement on."""
    if years_to_retire < 0:
        raise ValueError("years_to_retire must be >= 0")
    e = _earnings(earnings, years_to_retire)
    horizon = max(years_to_retire, years or 0)
    h = np.zeros(horizon + 1)
    for t in range(years_to_retire - 1, -1, -1):  # H_t = (H_{t+1} + e_{t+1}) / (1 + r)
        h[t] = (h[t + 1] + e[t]) / (1.0 + rate)
    return h


def growth_factor(rate: float, rho: float, psi: float) -> float:
    """g = ((1 + r)/(1 + ρ))^ψ: one year's growth of a CRRA investor's consumption."""
    return float(((1.0 + rate) / (1.0 + rho)) ** psi)


def crra_consumption(w0: float, rate: float, rho: float, psi: float, years: int) -> FloatArray:
    """c_t, t = 0 .. years−1: consumption growing by :func:`growth_factor` a year that
    spends exactly ``w0`` (dollars, present value at ``rate``) over ``years``."""
    if years < 1:
        raise ValueError("years must be >= 1")
    g = growth_factor(rate, rho, psi)
    t = np.arange(years)
    shape = g**t
    c0 = w0 / float(np.sum(shape / (1.0 + rate) ** t))
    return np.asarray(c0 * shape, dtype=float)


@dataclass(frozen=True)
class Lifecycle:
    """A household's lifecycle in today's dollars at one rate.

    Attributes
    ----------
    years : horizon T, years.
    rate, rho, psi : the return, time preference and EIS used (decimals; ψ unitless).
    human_capital : (T+1,) H_t, present value of the earnings still to come.
    financial : (T+1,) F_t, financial wealth after the year's earnings and before
        consumption.
    total : (T+1,) W_t = H_t + F_t.
    consumption : (T,) c_t, the CRRA investor's consumption at the start of year t.
    """

    years: int
    rate: float
    rho: float
    psi: float
    human_capital: FloatArray
    financial: FloatArray
    total: FloatArray
    consumption: FloatArray

    @property
    def growth(self) -> float:
        """The consumption growth factor g = ((1 + r)/(1 + ρ))^ψ."""
        return growth_factor(self.rate, self.rho, self.psi)


def lifecycle(
    financial: float,
    earnings: ArrayLike,
    years_to_retire: int,
    rate: float,
    rho: float,
    psi: float,
    years: int,
) -> Lifecycle:
    """Kaplan's lifecycle from today's financial wealth ``financial`` (dollars, after tax)
    and ``earnings`` until retirement (module docstring)."""
    r_years = min(years_to_retire, years)
    e = _earnings(earnings, years_to_retire)[:r_years]
    h = human_capital(e, r_years, rate, years)[: years + 1]
    c = crra_consumption(financial + float(h[0]), rate, rho, psi, years)
    w = np.empty(years + 1)
    w[0] = financial + h[0]
    for t in range(1, years + 1):
        w[t] = (1.0 + rate) * (w[t - 1] - c[t - 1])
    return Lifecycle(
        years=years,
        rate=rate,
        rho=rho,
        psi=psi,
        human_capital=h,
        financial=w - h,
        total=w,
        consumption=c,
    )


def earnings_of(h: Household, years_to_retire: int, rate: float) -> FloatArray:
    """The household's earnings for years 1..R in today's dollars (zeros without human
    capital): ``[human_capital] cash_flows`` as given (growing at ``growth``, stopping at
    retirement or after its ``years``), or a ``present_value`` spread as a level annuity
    over the R working years at ``rate``."""
    item = h.human_capital
    out = np.zeros(years_to_retire)
    if item is None or years_to_retire == 0:
        return out
    if item.cash_flows is not None:
        cf = item.cash_flows
        n = min(cf.years, years_to_retire)
        out[:n] = cf.annual_amount * (1.0 + cf.growth) ** np.arange(n)
        return out
    assert item.present_value is not None  # the model requires one of the two
    annuity = years_to_retire if rate == 0 else (1.0 - (1.0 + rate) ** -years_to_retire) / rate
    if annuity <= 0:
        raise InputError("human_capital.present_value", "cannot be spread over the working years")
    out[:] = item.present_value / annuity
    return out

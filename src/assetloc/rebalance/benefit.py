"""What being closer to the target is worth: the household's utility of a set of holdings.

The holdings (shares per account and security, and cash) are valued with the optimizer's
own :class:`~assetloc.model.problem.Problem` of the target plan: class dollars per account become
shares of after-tax wealth F (x[k,i] = dollars·v[k]/F, v the account's after-tax value per
dollar), the after-tax exposure e = Σ_k τ[k]·x[k] and the portfolio judged z (the plan's
view), and

* for an objective that maximizes utility (``mean_variance``, ``crra``):
  U = μ'z − (A/2)·z'Σz, the plan's own certainty-equivalent return (A = risk aversion;
  for ``crra`` A = 1/θ, the Levy–Markowitz curvature at the plan);
* for an objective that fixes the mix or the risk (``fixed_mix``, ``target_volatility``,
  ``target_return``), the plan is not a utility maximum, so U is the tracking form
  U = −(A/2)·(z − z*)'Σ(z − z*), z* the plan's portfolio: the certainty-equivalent loss of
  an investor for whom the plan is optimal (the return whose optimum it is).

Uninvested cash counts in the cash class of the market (``us_treasuries_cash_equivalents``
in the presets); without one it earns the cash rate with no risk. Dollars in a class the
plan does not model count as cash.

A utility gain ΔU (decimal per year) is worth ΔU·F dollars a year; over the investor's
``horizon_years`` n, discounted at the market's cash rate r, its present value is
ΔU·F·a(r, n) with the annuity factor a = (1 − (1 + r)^−n)/r (n when r = 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assetloc.analysis.plan import Plan
from assetloc.rebalance.book import Book
from assetloc.types import FloatArray

CASH_CLASS = "us_treasuries_cash_equivalents"
MAXIMIZING = ("mean_variance", "crra")


def annuity_factor(rate: float, years: float) -> float:
    """Present value of $1 a year for ``years`` years at ``rate`` (decimal), paid at year ends."""
    if abs(rate) < 1e-12:
        return float(years)
    return float((1.0 - (1.0 + rate) ** -years) / rate)


def break_even_years(tax: float, benefit_per_year: float, rate: float) -> float | None:
    """Years of ``benefit_per_year`` (dollars) whose present value at ``rate`` repays ``tax``.

    0 when the tax is not positive; None when no horizon repays it (no benefit, or the
    perpetuity benefit/rate is below the tax).
    """
    if tax <= 0:
        return 0.0
    if benefit_per_year <= 0:
        return None
    if abs(rate) < 1e-12:
        return tax / benefit_per_year
    q = 1.0 - tax * rate / benefit_per_year
    if q <= 0:
        return None
    return -math.log(q) / math.log1p(rate)


@dataclass(frozen=True)
class Valuation:
    """Utility of holdings under the target plan's problem (see the module doc).

    Attributes
    ----------
    plan : the target plan; book : the holdings' layout.
    class_index : (C,) the problem's class index of each book class (−1: not modelled).
    risk_aversion : A; tracking : True for the tracking form; z_star : the plan's portfolio.
    discount_rate : r (decimal per year); horizon_years : n; wealth : F (dollars).
    """

    plan: Plan
    book: Book
    class_index: np.ndarray
    risk_aversion: float
    tracking: bool
    z_star: FloatArray
    discount_rate: float
    horizon_years: int
    wealth: float

    @property
    def annuity(self) -> float:
        """a(r, n): dollars today per dollar a year over the horizon."""
        return annuity_factor(self.discount_rate, self.horizon_years)

    def utility(self, shares: FloatArray, cash: FloatArray) -> float:
        """U (decimal per year) of holdings ``shares`` (K, S) and ``cash`` (K,) dollars."""
        p = self.plan.problem
        dollars = self.book.class_dollars(shares)  # (K, C)
        held = np.zeros((p.k, p.n))
        known = self.class_index >= 0
        held[:, self.class_index[known]] += dollars[:, known]
        idle = np.asarray(cash, dtype=float) + dollars[:, ~known].sum(axis=1)
        ids = p.market.ids
        extra = 0.0
        if CASH_CLASS in ids:
            held[:, ids.index(CASH_CLASS)] += idle
        else:
            extra = p.market.cash_rate * float(idle @ p.value_factor) / p.wealth
        x = held * (p.value_factor / p.wealth)[:, None]
        z = p.view().portfolio(p.exposure(x))
        if self.tracking:
            d = z - self.z_star
            return -0.5 * self.risk_aversion * float(d @ p.cov @ d)
        return float(p.mu @ z) + extra - 0.5 * self.risk_aversion * float(z @ p.cov @ z)


def valuation(plan: Plan, book: Book, horizon_years: int) -> Valuation:
    """The :class:`Valuation` of ``plan`` for holdings laid out as ``book``."""
    p = plan.problem
    ids = p.market.ids
    index = np.array([ids.index(c) if c in ids else -1 for c in book.classes], dtype=int)
    if p.kind == "crra" and p.risk_tolerance:
        a = 1.0 / p.risk_tolerance
    else:
        a = p.risk_aversion
    z_star = p.view().portfolio(p.exposure(plan.x))
    return Valuation(
        plan=plan,
        book=book,
        class_index=index,
        risk_aversion=float(a),
        tracking=p.kind not in MAXIMIZING,
        z_star=z_star,
        discount_rate=float(p.market.cash_rate),
        horizon_years=int(horizon_years),
        wealth=float(p.wealth),
    )

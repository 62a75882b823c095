"""Effective tax rates of asset classes from what they pay out (Kaplan, Quant U Part I).

Each asset class has tax traits (:class:`TaxTraits`): an income yield y, how that income
is taxed, foreign tax withheld, turnover and its long-term share. A dollar is simulated
year by year over an integer horizon T (years) at a pre-tax expected return μ (decimal
per year); the price grows by g = μ − y. The annualized after-tax return E_AT gives the
effective tax rate t = 1 − E_AT / μ, which scales both the mean and the volatility of a
class held in a taxable account (DESIGN.md §2).

One year, for every class at once (V market value, B cost basis, both per $1 invested):

1. the price grows: V ← V (1 + g);
2. a ``turnover`` share of the unrealized gain V − B is realized and taxed, the
   ``long_term_share`` of it at the long-term rate and the rest at the short-term rate;
   the basis of what is sold steps up;
3. the income y V (on the start-of-year value) is taxed: the ``qualified_share`` at the
   qualified-dividend rate, the ``exempt_share`` (municipal interest) at the state rate
   only (0 for in-state bonds), the ``state_exempt_share`` (Treasury interest) at the
   federal rate only, the rest as ordinary investment income;
4. foreign tax withheld, ``foreign_tax_share`` × income, is credited against the
   federal tax on that income (it is part of the tax due, not extra), up to that federal
   tax (IRC §904 limitation; excess credits and carry-overs are ignored);
5. after-tax income and what is left of the realized proceeds are reinvested at market
   value, raising the basis.

At T the investor either liquidates (the remaining gain V − B is taxed at the long-term
rate) or does not (``step_up`` at death, ``donate`` to charity: no capital gains tax; the
charitable deduction itself is not modelled). Realized or final losses (only possible
when y > μ) are assumed to offset other gains at the same rate.

A year maps (V, B) linearly, so T years are computed as the T-th power of a 2×2 matrix
per class (``numpy.linalg.matrix_power`` on a stack): 17 classes × 30 years take tens of
microseconds. The tests check it against a plain year-by-year loop.

In a tax-advantaged account (``traditional``, ``roth``, ``hsa``) nothing is taxed inside
the account, but foreign tax withheld cannot be credited and is lost: the return is
μ − foreign_tax_share × y. Withdrawal tax on a traditional account is not part of τ; it
is in the account's after-tax value (DESIGN.md §1).

These are estimates of tax, not tax advice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from assetloc.errors import InputError
from assetloc.market.traits import (
    TaxTraits,
    default_traits,
    traits_from_mapping,
)
from assetloc.tax.profile import TaxProfile
from assetloc.types import AccountType, FloatArray, Liquidation

__all__ = [
    "ACCOUNT_TYPES",
    "LIQUIDATIONS",
    "AccountType",
    "AfterTaxReturns",
    "Liquidation",
    "TaxTraits",
    "after_tax_from_tax_cost_ratio",
    "default_traits",
    "effective_tax_rate",
    "effective_tax_rates",
    "foreign_tax_drag",
    "model_assumptions",
    "simulate_after_tax",
    "tax_cost_ratio",
    "traits_from_mapping",
]

#: What happens to the unrealized gain at the horizon.
LIQUIDATIONS: tuple[Liquidation, ...] = tuple(Liquidation)
#: Account types of the factor matrix τ.
ACCOUNT_TYPES: tuple[AccountType, ...] = tuple(AccountType)


class _Stack(NamedTuple):
    """Traits of n classes as arrays (one entry per class)."""

    y: FloatArray
    all_income: NDArray[np.bool_]
    qualified: FloatArray
    exempt: FloatArray
    state_exempt: FloatArray
    foreign: FloatArray
    turnover: FloatArray
    long_term: FloatArray


def _stack(traits: Sequence[TaxTraits]) -> _Stack:
    rows = [
        (
            0.0 if t.income_yield is None else t.income_yield,
            t.income_yield is None,
            t.qualified_share,
            t.exempt_share,
            t.state_exempt_share,
            t.foreign_tax_share,
            t.turnover,
            t.long_term_share,
        )
        for t in traits
    ]
    cols = np.array(rows, dtype=np.float64).reshape(len(rows), 8).T
    return _Stack(cols[0], cols[1] > 0.5, cols[2], cols[3], cols[4], cols[5], cols[6], cols[7])


def _as_traits(traits: Sequence[TaxTraits] | TaxTraits) -> Sequence[TaxTraits]:
    seq: Sequence[TaxTraits] = [traits] if isinstance(traits, TaxTraits) else traits
    for i, t in enumerate(seq):
        if not isinstance(t, TaxTraits):
            raise InputError(f"traits[{i}]", f"must be TaxTraits, got {type(t).__name__}")
    return seq


def _mu(mu: ArrayLike, n: int) -> FloatArray:
    arr = np.atleast_1d(np.asarray(mu, dtype=np.float64))
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InputError("mu", f"needs one expected return per class ({n}), got shape {arr.shape}")
    bad = ~(np.isfinite(arr) & (arr > 0.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"mu[{i}]",
            f"pre-tax expected return must be a finite decimal > 0 to define an effective "
            f"tax rate, got {arr[i]!r}",
        )
    return arr


def _horizon(horizon: int) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise InputError("horizon", f"must be a whole number of years >= 1, got {horizon!r}")
    return int(horizon)


def _liquidation(liquidation: str) -> Liquidation:
    if liquidation not in LIQUIDATIONS:
        raise InputError(
            "liquidation", f"must be one of {', '.join(LIQUIDATIONS)}, got {liquidation!r}"
        )
    return Liquidation(liquidation)


def _income_cost_rate(s: _Stack, profile: TaxProfile) -> FloatArray:
    """Tax per $ of income in a taxable account, after the foreign tax credit.

    Each kind of income pays the profile's marginal rate for it (federal with NIIT, and
    state): qualified dividends, municipal interest (exempt share), Treasury interest
    (state-exempt share) and ordinary interest or dividends (the rest).
    """
    k = profile.kinds
    q, m, t = k["qualified_dividends"], k["tax_exempt_interest"], k["treasury_interest"]
    o = k["taxable_interest"]
    rest = np.clip(1.0 - s.qualified - s.exempt - s.state_exempt, 0.0, 1.0)
    federal = s.qualified * q.federal + s.exempt * m.federal + s.state_exempt * t.federal
    federal = federal + rest * o.federal
    state = s.qualified * q.state + s.exempt * m.state + s.state_exempt * t.state + rest * o.state
    return state + np.maximum(federal, s.foreign)


@dataclass(frozen=True, eq=False)
class AfterTaxReturns:
    """After-tax returns of n classes held in a taxable account (decimals per year).

    Attributes
    ----------
    pre_tax : ndarray
        μ, the pre-tax expected return.
    pre_liquidation : ndarray
        Annualized after-tax return with the gain still unrealized at T untaxed.
    post_liquidation : ndarray
        Annualized after-tax return when everything is sold at T.
    after_tax : ndarray
        E_AT: ``post_liquidation`` if ``liquidation == "liquidate"``, else
        ``pre_liquidation``.
    effective_rate : ndarray
        t = 1 − E_AT / μ.
    tax_cost_ratio : ndarray
        Morningstar's 1 − (1 + E_AT) / (1 + μ).
    horizon : int
        T in years.
    liquidation : str
        ``liquidate``, ``step_up`` or ``donate``.
    assumptions : tuple of str
        The model's assumptions followed by the tax profile's, for reports.
    """

    pre_tax: FloatArray
    pre_liquidation: FloatArray
    post_liquidation: FloatArray
    after_tax: FloatArray
    effective_rate: FloatArray
    tax_cost_ratio: FloatArray
    horizon: int
    liquidation: Liquidation
    assumptions: tuple[str, ...] = ()


def simulate_after_tax(
    mu: ArrayLike,
    traits: Sequence[TaxTraits] | TaxTraits,
    profile: TaxProfile,
    horizon: int,
    liquidation: Liquidation | str = Liquidation.LIQUIDATE,
) -> AfterTaxReturns:
    """Simulate $1 in each class over ``horizon`` years in a taxable account.

    Parameters
    ----------
    mu : array_like, shape (n,)
        Pre-tax expected return per class, decimal per year, > 0.
    traits : sequence of TaxTraits, length n (or one TaxTraits with a scalar ``mu``)
        Tax traits per class, in the order of ``mu``.
    profile : TaxProfile
        The investor's marginal rates.
    horizon : int
        Years until liquidation (T >= 1).
    liquidation : {"liquidate", "step_up", "donate"}
        Whether the remaining gain is taxed at T.

    Returns
    -------
    AfterTaxReturns
        Pre- and post-liquidation annualized after-tax returns, the effective tax
        rates and tax cost ratios (arrays of shape (n,)).
    """
    seq = _as_traits(traits)
    years = _horizon(horizon)
    how = _liquidation(liquidation)
    m = _mu(mu, len(seq))
    s = _stack(seq)

    y = np.where(s.all_income, m, s.y)
    g = m - y
    grow = 1.0 + g
    net_income = y * (1.0 - _income_cost_rate(s, profile))  # per $ of start value
    gain_rate = s.long_term * profile.long_term + (1.0 - s.long_term) * profile.short_term
    keep = s.turnover * (1.0 - gain_rate)  # realized share of the gain kept after tax
    paid = s.turnover - keep  # realized share of the gain paid in tax

    # One year maps (V, B) linearly (see the module docstring):
    #   gain = V (1 + g) − B
    #   V' = V (1 + g) + net income − paid × gain
    #   B' = B + keep × gain + net income
    # so T years are the T-th power of a 2×2 matrix per class, applied to (1, 1).
    step = np.empty((m.shape[0], 2, 2))
    step[:, 0, 0] = grow * (1.0 - paid) + net_income
    step[:, 0, 1] = paid
    step[:, 1, 0] = keep * grow + net_income
    step[:, 1, 1] = 1.0 - keep
    state = np.linalg.matrix_power(step, years).sum(axis=2)
    value, basis = state[:, 0], state[:, 1]

    final = value - profile.long_term * (value - basis)
    inv_t = 1.0 / years
    pre = np.power(value, inv_t) - 1.0
    post = np.power(final, inv_t) - 1.0
    after = post if how == "liquidate" else pre
    return AfterTaxReturns(
        pre_tax=m,
        pre_liquidation=pre,
        post_liquidation=post,
        after_tax=after,
        effective_rate=1.0 - after / m,
        tax_cost_ratio=tax_cost_ratio(m, after),
        horizon=years,
        liquidation=how,
        assumptions=(*model_assumptions(years, how), *profile.assumptions),
    )


def effective_tax_rates(
    mu: ArrayLike,
    traits: Sequence[TaxTraits],
    profile: TaxProfile,
    horizon: int,
    liquidation: Liquidation | str = Liquidation.LIQUIDATE,
) -> FloatArray:
    """Effective tax rates t = 1 − E_AT / μ of n classes in a taxable account.

    Parameters are those of :func:`simulate_after_tax`.

    Returns
    -------
    ndarray, shape (n,)
        Decimal rates.
    """
    return simulate_after_tax(mu, traits, profile, horizon, liquidation).effective_rate


def effective_tax_rate(
    mu: float,
    traits: TaxTraits,
    profile: TaxProfile,
    horizon: int,
    liquidation: Liquidation | str = Liquidation.LIQUIDATE,
) -> float:
    """Effective tax rate of one class (decimal); see :func:`simulate_after_tax`."""
    return float(
        simulate_after_tax([mu], [traits], profile, horizon, liquidation).effective_rate[0]
    )


def tax_cost_ratio(pre_tax: ArrayLike, after_tax: ArrayLike) -> FloatArray:
    """Morningstar's tax cost ratio 1 − (1 + after-tax) / (1 + pre-tax).

    Parameters
    ----------
    pre_tax, after_tax : array_like
        Annual returns, decimals.

    Returns
    -------
    ndarray
        Share of the pre-tax growth factor lost to tax (0.02 on a 10% return leaves
        7.8%).
    """
    pre = np.asarray(pre_tax, dtype=np.float64)
    post = np.asarray(after_tax, dtype=np.float64)
    return 1.0 - (1.0 + post) / (1.0 + pre)


def after_tax_from_tax_cost_ratio(pre_tax: ArrayLike, ratio: ArrayLike) -> FloatArray:
    """After-tax return implied by a tax cost ratio: (1 + pre-tax)(1 − ratio) − 1."""
    pre = np.asarray(pre_tax, dtype=np.float64)
    r = np.asarray(ratio, dtype=np.float64)
    return (1.0 + pre) * (1.0 - r) - 1.0


def foreign_tax_drag(mu: ArrayLike, traits: Sequence[TaxTraits]) -> FloatArray:
    """Return lost each year to uncreditable foreign tax in a tax-advantaged account.

    Parameters
    ----------
    mu : array_like, shape (n,)
        Pre-tax expected return per class (needed where the whole return is income).
    traits : sequence of TaxTraits
        Tax traits per class.

    Returns
    -------
    ndarray, shape (n,)
        foreign_tax_share × income yield, decimal per year.
    """
    seq = _as_traits(traits)
    m = _mu(mu, len(seq))
    s = _stack(seq)
    y = np.where(s.all_income, m, s.y)
    return s.foreign * y


def model_assumptions(horizon: int, liquidation: str) -> tuple[str, ...]:
    """Assumptions of the effective-tax model, as sentences for reports."""
    end = {
        "liquidate": "everything is sold at the horizon and the remaining gain is taxed at "
        "the long-term rate",
        "step_up": "nothing is sold: the basis steps up at death, no capital gains tax",
        "donate": "the holding is donated: no capital gains tax (deduction not modelled)",
    }[liquidation]
    return (
        f"Effective tax rates from a year-by-year simulation of $1 over {horizon} years; {end}.",
        "Income is taxed yearly by kind (qualified, municipal, Treasury, ordinary); the "
        "turnover share of unrealized gain is realized yearly; after-tax proceeds are "
        "reinvested.",
        "Foreign tax withheld is credited in taxable accounts (up to the federal tax on "
        "that income) and lost in tax-advantaged accounts.",
        "Expected returns are compounded without volatility; tax rates stay constant.",
    )

"""Taxes in the model: the investor's profile, after-tax account values, and τ.

DESIGN.md §1: an after-tax dollar is worth ``v`` per dollar of balance — 1 in Roth and a
tax-free HSA; 1 − t_ret in a traditional account (``after_tax`` basis) or 1 (``face``); an
HSA treated as tax-deferred like a traditional account; a taxable account at market value
(1) or at liquidation value (balance − tax on its unrealized gains, when lots are given).

§2–3: a class keeps τ of its return and risk. In a taxable account τ = 1 − t, with t the
effective tax rate computed from what the class pays out (:mod:`assetloc.tax.effective`) or
given; in tax-advantaged accounts τ = 1 − (foreign tax withheld and not creditable) / μ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from assetloc.errors import InputError
from assetloc.inputs.holdings import is_long_term
from assetloc.inputs.household import Account, Household, Investor, Options
from assetloc.market.assumptions import MarketAssumptions
from assetloc.market.traits import TaxTraits
from assetloc.tax.effective import (
    ACCOUNT_TYPES,
    foreign_tax_drag,
    model_assumptions,
    simulate_after_tax,
    tax_cost_ratio,
)
from assetloc.tax.gains import GainTax
from assetloc.tax.profile import TaxProfile
from assetloc.tax.situation import TaxSituation, tax_situation
from assetloc.types import AccountType, FloatArray
from assetloc.units import pct


def is_tax_deferred(account_type: AccountType, options: Options) -> bool:
    """True for accounts whose withdrawals are taxed as ordinary income."""
    return account_type == "traditional" or (
        account_type == "hsa" and options.hsa_treatment == "tax_deferred"
    )


def is_tax_free(account_type: AccountType, options: Options) -> bool:
    """True for Roth accounts and for an HSA treated as tax-free."""
    return account_type == "roth" or (account_type == "hsa" and options.hsa_treatment == "tax_free")


def unrealized_gain_tax(account: Account, gains: GainTax, as_of: dt.date, index: int) -> float:
    """Tax in dollars if the taxable ``account`` sold every lot on ``as_of`` this year.

    The year's tax of the account's net short- and long-term gains (lots held more than a
    year are long-term), on top of the household's income: :meth:`GainTax.tax`.
    """
    st = lt = 0.0
    for j, pos in enumerate(account.positions):
        if pos.lots is None:
            raise InputError(
                f"accounts[{index}].positions[{j}].lots",
                "are needed to value a taxable account at liquidation value",
            )
        for lot in pos.lots:
            gain = lot.shares * pos.price - lot.cost_basis
            if is_long_term(lot.acquired, as_of):
                lt += gain
            else:
                st += gain
    return gains.tax(st, lt)


def account_value_factors(
    accounts: list[Account], situation: TaxSituation, options: Options, as_of: dt.date
) -> FloatArray:
    """After-tax dollars per dollar of balance for each account (decimal).

    A taxable account at liquidation value is worth its balance less the tax on its
    unrealized gains; unrealized losses are not counted as extra wealth (v <= 1): their tax
    value is a fixed dollar amount, not exposure to returns.
    """
    profile = situation.profile
    gains = situation.gain_tax()
    v = np.ones(len(accounts))
    for k, acc in enumerate(accounts):
        if options.tax_deferred_basis == "after_tax" and is_tax_deferred(acc.type, options):
            v[k] = 1.0 - profile.withdrawal
        elif acc.type == "taxable" and options.taxable_value == "liquidation":
            value = acc.market_value
            if value > 0 and acc.positions:
                v[k] = min(1.0, 1.0 - unrealized_gain_tax(acc, gains, as_of, k) / value)
    return v


@dataclass(frozen=True)
class ClassTaxes:
    """How tax treats each class, per account type (decimals).

    Attributes
    ----------
    taxable_rate : effective tax rate t in a taxable account, shape (n,).
    sheltered_keep : share of return kept in tax-advantaged accounts (foreign tax lost), (n,).
    after_tax_return : return kept in a taxable account, μ(1 − t), decimal per year, (n,).
    tax_cost_ratio : Morningstar's 1 − (1 + after-tax) / (1 + pre-tax), (n,).
    origin : per class, where t comes from: "computed", "given" or "preset".
    profile : the investor's marginal rates.
    situation : the household's taxes (filer, income, rates).
    assumptions : sentences for reports.
    """

    taxable_rate: FloatArray
    sheltered_keep: FloatArray
    after_tax_return: FloatArray
    tax_cost_ratio: FloatArray
    origin: tuple[str, ...]
    profile: TaxProfile
    situation: TaxSituation
    assumptions: tuple[str, ...]

    def keep(self, account_type: AccountType) -> FloatArray:
        """τ row for one account type."""
        return 1.0 - self.taxable_rate if _taxed_yearly(account_type) else self.sheltered_keep


#: memo of :func:`_effective_rates`, cleared when it reaches :data:`_MEMO_SIZE` entries
_MEMO: dict[tuple[object, ...], FloatArray] = {}
_MEMO_SIZE = 1024


def _effective_rates(
    mu: FloatArray,
    traits: tuple[TaxTraits, ...],
    profile: TaxProfile,
    horizon: int,
    liquidation: str,
) -> FloatArray:
    """Effective tax rates (decimals) of :func:`simulate_after_tax`, memoized (read-only).

    The simulation reads the profile's marginal rates only (``profile.kinds``), so they key
    the memo with the returns' bytes, the traits, the horizon (years) and the liquidation.
    Households of an advisor's book share presets and brackets: a batch computes each once.
    """
    key: tuple[object, ...] = (
        mu.tobytes(),
        traits,
        tuple(profile.kinds.items()),
        horizon,
        liquidation,
    )
    try:
        hit = _MEMO.get(key)
    except TypeError:  # an unhashable trait or rate: no memo
        hit, key = None, ()
    if hit is not None:
        return hit
    rate = simulate_after_tax(mu, list(traits), profile, horizon, liquidation).effective_rate
    rate = rate.copy()
    rate.setflags(write=False)
    if key:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.clear()
        _MEMO[key] = rate
    return rate


def _sheltered_keep(
    mu: FloatArray, traits: tuple[TaxTraits | None, ...], with_traits: list[int]
) -> FloatArray:
    """Share of each class's return a tax-advantaged account keeps after uncreditable
    foreign tax (1 without traits), memoized like :func:`_effective_rates` (read-only)."""
    key: tuple[object, ...] = (mu.tobytes(), traits)
    try:
        hit = _KEEP_MEMO.get(key)
    except TypeError:  # an unhashable trait: no memo
        hit, key = None, ()
    if hit is not None:
        return hit
    keep = np.ones(len(mu))
    if with_traits:
        drag = foreign_tax_drag(mu[with_traits], [traits[i] for i in with_traits])  # type: ignore[misc]
        keep[with_traits] = 1.0 - drag / mu[with_traits]
    keep.setflags(write=False)
    if key:
        if len(_KEEP_MEMO) >= _MEMO_SIZE:
            _KEEP_MEMO.clear()
        _KEEP_MEMO[key] = keep
    return keep


_KEEP_MEMO: dict[tuple[object, ...], FloatArray] = {}


def class_taxes(market: MarketAssumptions, h: Household) -> ClassTaxes:
    """Effective tax rates and τ rows for ``market``'s classes and this household."""
    investor, options = h.investor, h.options
    situation = tax_situation(investor, h.income)
    deferred = sum(a.market_value for a in h.accounts if is_tax_deferred(a.type, options))
    if deferred > 0 and investor.retirement_rate is None:
        situation = situation.with_withdrawals(deferred / investor.horizon_years)
    key = _taxes_key(market, situation, investor, options.effective_tax_rates)
    hit = _TAXES_MEMO.get(key) if key else None
    if hit is not None and hit[0] is market:
        return hit[1]
    out = _class_taxes(market, investor, options.effective_tax_rates, situation)
    if key:
        if len(_TAXES_MEMO) >= _MEMO_SIZE:
            _TAXES_MEMO.clear()
        _TAXES_MEMO[key] = (market, out)
    return out


#: memo of :func:`class_taxes` for stated rates: key -> (the market, its taxes)
_TAXES_MEMO: dict[tuple[object, ...], tuple[MarketAssumptions, ClassTaxes]] = {}


def _taxes_key(
    market: MarketAssumptions, situation: TaxSituation, investor: Investor, source: str
) -> tuple[object, ...] | None:
    """What :func:`_class_taxes` reads, as a memo key: the market (by identity: markets are
    memoized and read-only), every field of a stated-rate profile, the horizon (years), the
    liquidation and ``options.effective_tax_rates``; ``None`` for taxes from a return (its
    lines are not part of the key)."""
    if situation.filer is not None or situation.income is not None:
        return None
    p = situation.profile
    return (
        id(market),
        tuple(p.kinds.items()),
        p.withdrawal,
        p.state_rate,
        p.muni_in_state,
        p.source,
        p.assumptions,
        investor.horizon_years,
        str(investor.liquidation),
        source,
    )


def _class_taxes(
    market: MarketAssumptions, investor: Investor, source: str, situation: TaxSituation
) -> ClassTaxes:
    """:func:`class_taxes` for ``situation`` (``source``: ``options.effective_tax_rates``);
    its arrays are read-only (the result may be memoized)."""
    profile = situation.profile
    mu = market.expected_return
    n = len(mu)
    traits = market.traits or (None,) * n
    given = np.array(
        [ref is False for ref in (market.tax_rate_is_reference or (True,) * n)], dtype=bool
    )
    rate = np.zeros(n)
    origin = ["given" if g else "" for g in given]
    if source == "preset":
        if market.name == "inline" and not given.all():
            raise InputError(
                "options.effective_tax_rates",
                "'preset' needs a preset, or an effective_tax_rate for every inline class",
            )
        _check_preset_investor(market, profile)
        rate = market.tax_rate.copy()
        origin = ["given" if g else "preset" for g in given]
    else:
        rate[given] = market.tax_rate[given]
        todo = [i for i in range(n) if not given[i]]
        for i in todo:
            if traits[i] is None:
                raise InputError(
                    "assumptions.classes",
                    f"class {market.ids[i]!r} has no tax traits: give its effective_tax_rate "
                    "or its income_yield (and other traits)",
                )
            if mu[i] <= 0:
                raise InputError(
                    "assumptions.classes",
                    f"class {market.ids[i]!r}: expected return {mu[i]} <= 0 has no effective "
                    "tax rate; give effective_tax_rate",
                )
            origin[i] = "computed"
        if todo:
            rate[todo] = _effective_rates(
                np.ascontiguousarray(mu[todo], dtype=np.float64),
                tuple(traits[i] for i in todo),  # type: ignore[misc]
                profile,
                investor.horizon_years,
                str(investor.liquidation),
            )
    with_traits = [i for i in range(n) if traits[i] is not None and mu[i] > 0]
    keep = _sheltered_keep(mu, traits, with_traits)
    after = mu * (1.0 - rate)
    notes = (
        *_rate_notes(market, investor, origin, bool(with_traits), profile.ordinary),
        *profile.assumptions,
    )
    cost = tax_cost_ratio(mu, after)
    for arr in (rate, after, cost):
        arr.setflags(write=False)
    return ClassTaxes(
        taxable_rate=rate,
        sheltered_keep=keep,
        after_tax_return=after,
        tax_cost_ratio=cost,
        origin=tuple(origin),
        profile=profile,
        situation=situation,
        assumptions=notes,
    )


#: How far (decimal) the investor's rates may be from a preset's reference rates.
PRESET_RATE_TOLERANCE = 0.005


def _check_preset_investor(market: MarketAssumptions, profile: TaxProfile) -> None:
    """The preset's published rates hold only for its reference investor: say so, or stop."""
    ref_o = market.reference_ordinary_rate
    ref_g = market.reference_gains_rate
    have_o, have_g = profile.ordinary_investment, profile.long_term
    if abs(have_o - ref_o) > PRESET_RATE_TOLERANCE or abs(have_g - ref_g) > PRESET_RATE_TOLERANCE:
        raise InputError(
            "options.effective_tax_rates",
            f"'preset' uses the {market.name} preset's published rates, computed for an "
            f"investor at {pct(ref_o, 0)} on interest and {pct(ref_g, 0)} on long-term gains; this "
            f"investor's marginal rates are {pct(have_o, 1)} and {pct(have_g, 1)}: use 'computed' "
            "(the default), which computes each class's rate from its payouts at these rates",
        )


def _rate_notes(
    market: MarketAssumptions,
    investor: Investor,
    origin: list[str],
    foreign: bool,
    ordinary: float,
) -> tuple[str, ...]:
    """Where the effective tax rates came from, one sentence per source actually used.

    The simulation's assumptions are stated only when some rate was simulated: a run on the
    preset's rates (``options.effective_tax_rates = "preset"``) says so instead.
    """
    sim = model_assumptions(investor.horizon_years, investor.liquidation)
    out: list[str] = []
    computed = [c for c, o in zip(market.ids, origin, strict=True) if o == "computed"]
    if computed:
        if len(computed) < len(origin):
            out.append(f"Simulated rates (origin 'computed'): {', '.join(computed)}.")
        out += [sim[0], sim[1]]
    if "preset" in origin:
        out.append(
            f"Effective tax rates from the {market.name} preset (options.effective_tax_rates "
            f"= 'preset'): the preset's published rates, computed for an investor at "
            f"{pct(market.reference_ordinary_rate, 0)} on interest and "
            f"{pct(market.reference_gains_rate, 0)} on long-term gains, this investor's rates; "
            "not simulated, not scaled."
        )
    given = [c for c, o in zip(market.ids, origin, strict=True) if o == "given"]
    if given:
        out.append(f"Effective tax rates stated in the household file: {', '.join(given)}.")
    if foreign:
        out.append(sim[2])
    if computed:
        out.append(sim[3])
    return tuple(out)


def _taxed_yearly(account_type: AccountType) -> bool:
    """Whether an account's returns are taxed as they come (τ = 1 − t), not sheltered."""
    return account_type == "taxable"


def tau_matrix(types: tuple[AccountType, ...], taxes: ClassTaxes) -> FloatArray:
    """τ[k, i]: share of class i's return (and risk) kept in account k, shape (K, n)."""
    if not types:
        return np.zeros((0, 0))
    taxed = np.array([_taxed_yearly(t) for t in types])  # ClassTaxes.keep, row by row
    tau: FloatArray = np.where(taxed[:, None], 1.0 - taxes.taxable_rate, taxes.sheltered_keep)
    return tau


__all__ = [
    "ACCOUNT_TYPES",
    "ClassTaxes",
    "account_value_factors",
    "class_taxes",
    "is_tax_deferred",
    "is_tax_free",
    "tau_matrix",
]

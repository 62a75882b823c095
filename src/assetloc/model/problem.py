"""Turn a household and its assumptions into arrays (no solver here).

Decision variable x[k, i]: the share of after-tax financial wealth F held in class i inside
account k (DESIGN.md §3). Budgets: Σ_i x[k, i] = a[k] = v[k]·b[k] / F. After-tax exposure
e = Σ_k τ[k]·x[k] (τ = 1 − t in a taxable account, 1 elsewhere), E = μ'e, V = e'Σe.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from assetloc.errors import InputError
from assetloc.inputs.household import DEFAULT_RISK_AVERSION, MAX_LEVERAGE, Household
from assetloc.inputs.securities import classes_held, security_table
from assetloc.market.assumptions import MarketAssumptions
from assetloc.model.market import resolve_market
from assetloc.model.networth import NetWorth, net_worth
from assetloc.model.utility import crra_utility, implied_risk_aversion, mean_variance_utility
from assetloc.tax.classes import ClassTaxes, account_value_factors, class_taxes, tau_matrix
from assetloc.types import AccountType, FloatArray, ObjectiveKind
from assetloc.types import View as ViewName
from assetloc.units import number, usd

__all__ = ["ObjectiveKind", "Problem", "View", "build_problem", "fund_classes"]


@dataclass(frozen=True)
class View:
    """How financial exposure e maps to the portfolio judged: z = scale·e + offset.

    ``financial``: z = e. ``net_worth``: z = (F·e + H·h − L·l) / W (Kaplan).
    """

    name: ViewName
    scale: float
    offset: FloatArray

    def portfolio(self, e: FloatArray) -> FloatArray:
        """z for an exposure e (decimal weights per class)."""
        return self.scale * e + self.offset


@dataclass(frozen=True)
class Problem:
    """The joint allocation-and-location problem as arrays (shares of F, decimals)."""

    market: MarketAssumptions
    taxes: ClassTaxes  # effective tax rates, τ rows, the investor's profile
    tax_rate: FloatArray  # (n,) effective tax rate per class in a taxable account
    account_ids: tuple[str, ...]
    account_types: tuple[AccountType, ...]
    balances: FloatArray  # (K,) dollars, face value
    value_factor: FloatArray  # (K,) after-tax dollars per dollar of balance
    wealth: float  # after-tax financial wealth F = value_factor · balances, dollars
    budgets: FloatArray  # (K,) account shares a[k] = v[k]·b[k] / F of F (sum to 1)
    tau: FloatArray  # (K, n) after-tax share of return and risk kept
    lower: FloatArray  # (K, n) lower bound on x
    upper: FloatArray  # (K, n) upper bound on x (0 where the menu excludes a class)
    class_lower: FloatArray  # (n,) household lower bound on Σ_k x[k, i]
    class_upper: FloatArray  # (n,)
    kind: ObjectiveKind
    risk_aversion: float
    mix: FloatArray | None  # (n,) fixed household mix (fixed_mix only)
    mix_weights: FloatArray  # (K,) coefficient of x[k, i] in the mix constraint
    target: float | None  # target volatility or return (decimal)
    networth: NetWorth
    context: ViewName  # the view optimized
    risk_tolerance: float | None = None  # θ of the CRRA objective
    has_net_worth: bool = False  # human capital or liabilities were given
    menu: np.ndarray | None = None  # (K, n) bool: the class is on the account's menu

    def utility(self, expected_return: float, variance: float) -> float:
        """The household's utility: CRRA (Levy–Markowitz) for ``crra``, else E − (A/2)V."""
        if self.kind == ObjectiveKind.CRRA:
            return crra_utility(expected_return, variance, self.required_risk_tolerance())
        return mean_variance_utility(expected_return, variance, self.risk_aversion)

    def required_target(self) -> float:
        """The target volatility or return (decimal) of a ``target_*`` objective."""
        if self.target is None:
            raise InputError(f"objective.{self.kind}", "is required for this kind")
        return self.target

    def required_risk_tolerance(self) -> float:
        """θ of the ``crra`` objective."""
        if self.risk_tolerance is None:
            raise InputError("objective.risk_tolerance", "is required for kind = 'crra'")
        return self.risk_tolerance

    def with_objective(
        self,
        kind: ObjectiveKind,
        *,
        mix: FloatArray | None = None,
        target: float | None = None,
        context: ViewName | None = None,
    ) -> Problem:
        """This problem (same accounts, taxes, A and θ) with another objective: ``kind`` with
        its fixed ``mix`` (shares of F on the after-tax basis) or ``target`` (decimal), judged
        in ``context`` (default: the view optimized now). A ``fixed_mix`` needs a mix, a
        ``target_*`` kind a target, ``crra`` a risk tolerance (else :class:`InputError`)."""
        kind = ObjectiveKind(kind)
        if kind == ObjectiveKind.FIXED_MIX and mix is None:
            raise InputError("objective.mix", "is required when kind = 'fixed_mix'")
        if kind in (ObjectiveKind.TARGET_VOLATILITY, ObjectiveKind.TARGET_RETURN):
            if target is None:
                raise InputError(f"objective.{kind}", "is required for this kind")
        if kind == ObjectiveKind.CRRA:
            self.required_risk_tolerance()
        return dataclasses.replace(
            self,
            kind=kind,
            mix=mix,
            mix_weights=self.mix_weights if mix is None else np.ones(self.k),
            target=target,
            context=self.context if context is None else ViewName(context),
        )

    def released(self) -> Problem:
        """This problem with a fixed mix or target released: mean-variance with the same A,
        so that its frontier spans every allocation the accounts and bounds allow."""
        return self.with_objective(ObjectiveKind.MEAN_VARIANCE)

    def tax_blind(self) -> Problem:
        """This problem as if no account were taxed (every τ = 1): the mix chosen ignoring tax."""
        return dataclasses.replace(self, tau=np.ones_like(self.tau))

    def view(self, name: ViewName | str | None = None) -> View:
        """The financial or net-worth view (default: the optimized one)."""
        # made once per problem (metrics ask for them several times a household); a view
        # depends only on F and the net-worth items, which problems copied from this one
        # by with_accounts keep, so they share the memo; offsets are read-only
        views: dict[object, View] = self.__dict__.setdefault("_views", {})
        hit = views.get(name or self.context)
        if hit is not None:
            return hit
        key = _VIEW_NAMES.get(name or self.context) or ViewName(name or self.context)
        if key == ViewName.FINANCIAL:
            view = View(ViewName.FINANCIAL, 1.0, np.zeros(self.n))
        else:
            nw = self.networth
            w = self.wealth + nw.human_capital - nw.liabilities
            view = View(ViewName.NET_WORTH, self.wealth / w, nw.offset() / w)
        view.offset.setflags(write=False)
        views[name or self.context] = views[key] = view
        return view

    @property
    def net_worth_total(self) -> float:
        """W = F + H − L, dollars."""
        return self.wealth + self.networth.human_capital - self.networth.liabilities

    @property
    def n(self) -> int:
        """Number of asset classes."""
        return len(self.market.ids)

    @property
    def k(self) -> int:
        """Number of accounts."""
        return len(self.account_ids)

    @property
    def mu(self) -> FloatArray:
        """Pre-tax expected returns, decimal per year."""
        return self.market.expected_return

    @cached_property
    def cov(self) -> FloatArray:
        """Pre-tax covariance, decimal² per year."""
        return self.market.covariance

    def exposure(self, x: FloatArray) -> FloatArray:
        """After-tax exposure e = Σ_k τ[k]·x[k] for x of shape (K, n)."""
        e: FloatArray = np.einsum("ki,ki->i", self.tau, x)
        return e

    def with_accounts(
        self,
        budgets: FloatArray,
        *,
        account_ids: tuple[str, ...],
        account_types: tuple[AccountType, ...],
        tau: FloatArray,
        lower: FloatArray,
        upper: FloatArray,
        mix_weights: FloatArray,
        menu: np.ndarray | None,
    ) -> Problem:
        """This problem over other accounts (merged groups): same market, taxes, objective
        and wealth F; ``budgets`` (shares of F) and the account-level arrays are the new
        accounts' (each valued at its after-tax dollars: value factor 1).

        Copied field by field rather than by ``dataclasses.replace`` (which re-runs the
        frozen ``__init__``, 6x slower: the solver merges accounts for every household);
        ``Problem`` has no ``__post_init__`` to skip, and the cached ``cov`` is the same
        market's."""
        merged = object.__new__(Problem)
        merged.__dict__.update(
            self.__dict__,
            account_ids=account_ids,
            account_types=account_types,
            balances=budgets * self.wealth,
            value_factor=np.ones(len(budgets)),
            budgets=budgets,
            tau=tau,
            lower=lower,
            upper=upper,
            mix_weights=mix_weights,
            menu=menu,
        )
        return merged

    def dollars(self, x: FloatArray) -> FloatArray:
        """Holdings in each account's own dollars, shape (K, n)."""
        v = self.value_factor
        # F / v where v > 0, else 0 (divided only there: no warning, no errstate context)
        per_dollar = np.divide(self.wealth, v, out=np.zeros(v.shape), where=v > 0)
        return x * per_dollar[:, None]


#: a view's name → the member (a StrEnum member is its name as a key too): a dict lookup,
#: not an enum call
_VIEW_NAMES: dict[object, ViewName] = {v.value: v for v in ViewName}
#: the same for account types and objective kinds (an enum call costs a microsecond)
_ACCOUNT_TYPES: dict[object, AccountType] = {t.value: t for t in AccountType}
_OBJECTIVE_KINDS: dict[object, ObjectiveKind] = {k.value: k for k in ObjectiveKind}


def _among(ids: Sequence[str], names: Iterable[str]) -> np.ndarray:
    """Which of ``ids`` are in ``names`` (a collection of class ids), shape (n,) bool: what
    ``np.isin`` answers, without its sort."""
    chosen = set(names)
    return np.array([c in chosen for c in ids], dtype=bool)


def build_problem(h: Household) -> Problem:
    """Arrays for ``h``; raises :class:`~assetloc.errors.InputError` on unknown classes."""
    market = resolve_market(h)
    ids = market.ids
    n, k = len(ids), len(h.accounts)
    balances = np.array([a.market_value for a in h.accounts], dtype=float)
    types = tuple(_ACCOUNT_TYPES.get(a.type) or AccountType(a.type) for a in h.accounts)
    taxes = class_taxes(market, h)
    as_of = h.rebalance.as_of or dt.date.today()
    v = account_value_factors(h.accounts, taxes.situation, h.options, as_of)
    tax = taxes.taxable_rate
    tau = tau_matrix(types, taxes)
    wealth = float(v @ balances)
    budgets = v * balances / wealth

    lower = np.zeros((k, n))
    upper = np.repeat(budgets[:, None], n, axis=1)
    menu = np.ones((k, n), dtype=bool)
    for kk, acc in enumerate(h.accounts):
        if acc.menu is not None:
            menu[kk] = _among(ids, acc.menu)
        if acc.funds is not None:  # a plan's fund list: only the classes its funds hold
            menu[kk] &= _among(ids, fund_classes(h, kk))
        if acc.menu is not None or acc.funds is not None:
            upper[kk, ~menu[kk]] = 0.0
        for cid, b in acc.bounds.items():
            if cid not in ids:  # a maximum on a class outside the universe (checked)
                continue
            i = ids.index(cid)
            lower[kk, i] = b.min * budgets[kk]
            upper[kk, i] = min(upper[kk, i], b.max * budgets[kk])

    if market.holdable is not None and not all(market.holdable):
        # Classes in the market only for human capital or liabilities: no account holds them.
        off = ~np.array(market.holdable, dtype=bool)
        upper[:, off] = 0.0
        lower[:, off] = 0.0
        menu[:, off] = False

    class_lower = np.zeros(n)
    class_upper = np.ones(n)
    for cid, b in h.bounds.items():
        if cid not in ids:
            continue
        i = ids.index(cid)
        class_lower[i], class_upper[i] = b.min, b.max

    obj = h.objective
    mix = None
    mix_weights = np.ones(k)
    if obj.kind == ObjectiveKind.FIXED_MIX:
        if obj.mix is None:
            raise InputError("objective.mix", "is required when kind = 'fixed_mix'")
        mix = np.array([obj.mix.get(c, 0.0) for c in ids])
        mix /= mix.sum()  # checked to sum to 1 within MIX_TOLERANCE; now exactly
        if obj.mix_basis == "pre_tax":
            # Σ_k x[k,i]·F/(v_k·B) = m_i: the mix measured in face-value dollars.
            mix_weights = np.where(v > 0, wealth / (v * balances.sum()), 0.0)
    target = (
        obj.target_volatility if obj.kind == ObjectiveKind.TARGET_VOLATILITY else obj.target_return
    )
    worth = net_worth(h, ids, market.expected_return)
    total = wealth + worth.human_capital - worth.liabilities
    if total <= 0 or wealth / total > MAX_LEVERAGE:
        need = (
            "must be positive"
            if total <= 0
            else (
                f"is too small: F / W = {number(wealth / total)} exceeds {MAX_LEVERAGE:g}, so "
                "net-worth returns would be meaningless"
            )
        )
        raise InputError(
            "liabilities",
            f"net worth W = F + H - L = {usd(wealth, 2)} + {usd(worth.human_capital, 2)} - "
            f"{usd(worth.liabilities, 2)} = {usd(total, 2)} {need}",
        )
    if obj.risk_aversion is not None:
        a = obj.risk_aversion
    elif obj.reference is not None:
        ref = obj.reference
        a = implied_risk_aversion(ref.expected_return, ref.volatility, market.cash_rate)
        if a <= 0:
            raise InputError(
                "objective.reference",
                f"implies risk aversion {a:.4g} <= 0 (its return must exceed cash "
                f"{market.cash_rate:.4g})",
            )
    else:
        a = DEFAULT_RISK_AVERSION
    problem = Problem(
        market=market,
        taxes=taxes,
        tax_rate=tax,
        account_ids=tuple(a.id for a in h.accounts),
        account_types=types,
        balances=balances,
        value_factor=v,
        wealth=wealth,
        budgets=budgets,
        tau=tau,
        lower=lower,
        upper=upper,
        class_lower=class_lower,
        class_upper=class_upper,
        kind=_OBJECTIVE_KINDS.get(obj.kind) or ObjectiveKind(obj.kind),
        risk_aversion=a,
        mix=mix,
        mix_weights=mix_weights,
        target=target,
        networth=worth,
        context=_VIEW_NAMES.get(h.context) or ViewName(h.context),
        risk_tolerance=obj.risk_tolerance,
        has_net_worth=bool(h.human_capital or h.liabilities),
        menu=menu,
    )
    _check_finite(problem)
    return problem


def fund_classes(h: Household, k: int) -> set[str]:
    """Classes the funds of account ``k`` hold (bundled or household securities); an
    unknown symbol is an :class:`InputError` naming ``accounts[k].funds[j]``."""
    table = security_table(h.securities)
    funds = h.accounts[k].funds or []
    return classes_held(
        table.require(sym, f"accounts[{k}].funds[{j}]").security for j, sym in enumerate(funds)
    )


#: covariance matrices already found finite, by id (the array itself held, so that the id
#: stays its own); the market of a preset is memoized, so a batch checks its matrix once
_FINITE_COVARIANCE: dict[int, FloatArray] = {}


def _check_finite(p: Problem) -> None:
    """Overflowing inputs (huge balances, cash flows) must not reach the solver as inf/NaN."""
    arrays = {
        "accounts (balances)": p.balances,
        "accounts (after-tax values)": p.value_factor * p.balances,
        "investor (effective tax rates)": p.tax_rate,
    }
    cov = p.cov
    if _FINITE_COVARIANCE.get(id(cov)) is not cov:  # a preset's: checked once per worker
        arrays["assumptions (covariance)"] = cov
    if p.has_net_worth:  # else H = L = 0
        arrays["human_capital / liabilities (present values)"] = p.networth.offset()
    if np.isfinite(np.concatenate([a.ravel() for a in arrays.values()])).all():
        if len(_FINITE_COVARIANCE) >= 256:
            _FINITE_COVARIANCE.clear()
        _FINITE_COVARIANCE[id(cov)] = cov  # held: its id cannot be reused while it is here
        return  # the usual case: one test of every number
    for field, arr in arrays.items():
        if not np.isfinite(arr).all():
            raise InputError(field, "too large: the numbers overflow")

"""The household file: a validated input model (TOML → :class:`Household`).

Units: balances and bounds in dollars or decimals as each field says; rates are decimals
(0.24 = 24%). Every problem found is reported as one :class:`~assetloc.errors.InputError`
line naming the field (``accounts[1].balance: must be >= 0``), never fixed silently.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Field, ValidationError, model_validator

from assetloc.errors import InputError
from assetloc.inputs.holdings import (
    LedgerSpec,
    LotMethod,
    Owner,
    PlannedPurchase,
    Position,
    RebalanceOptions,
    RecentTrade,
    RecurringPurchase,
    Security,
)
from assetloc.inputs.limits import MAX_DOLLARS, decimal_hint
from assetloc.inputs.plan import PlanSettings
from assetloc.inputs.strict import Lax, Strict, error_location, error_message
from assetloc.market.traits import TRAIT_FIELDS
from assetloc.types import AccountType, Liquidation, ObjectiveKind, View
from assetloc.units import usd

Rate = Annotated[float, Field(ge=0.0, lt=1.0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
DEFAULT_PRESET = "horizon-2025"
MIX_TOLERANCE = 1e-6  # a mix's weights must sum to 1 within this

# MAX_DOLLARS (assetloc.inputs.limits): dollar amounts above $10^13 are taken for input errors
MAX_RETURN = 1.0  # expected returns are decimals per year in (-1, 1]
MAX_VOLATILITY = 2.0  # decimals per year
MIN_RISK_TOLERANCE = 0.1  # CRRA: below it the Levy-Markowitz approximation breaks down
MAX_LEVERAGE = 100.0  # F / W: a net worth this thin relative to assets is an input error


class _Strict(Strict):
    """Frozen, no extra fields, numbers must be numbers (:class:`assetloc.inputs.strict.Strict`)."""


FilingStatus = Literal[
    "single",
    "married_filing_jointly",
    "married_filing_separately",
    "head_of_household",
    "qualifying_surviving_spouse",
]


class Investor(_Strict):
    """The investor's taxes: stated marginal rates, or filing status and income.

    Rates form: ``ordinary_rate`` and ``capital_gains_rate`` are marginal rates, federal +
    state (no NIIT: say ``niit = true`` to add the 3.8% to investment income, never to
    withdrawals); ``state_rate`` says how much of each is state tax, so Treasury interest
    can skip it and municipal interest pay only it. Income forms: ``filing_status`` with
    ``taxable_income`` (dollars of ordinary taxable income) or with the household's
    ``[income]`` table; the year's return (:mod:`assetloc.tax`) then gives every rate.
    ``horizon_years`` and ``liquidation`` drive the effective tax rates.
    """

    ordinary_rate: Rate | None = Field(
        default=None, description="marginal ordinary rate, federal + state (no NIIT)"
    )
    capital_gains_rate: Rate | None = Field(
        default=None,
        description="rate on long-term gains and qualified dividends, federal + state (no NIIT)",
    )
    niit: bool = Field(
        default=False,
        description="rates form: add the 3.8% NIIT to interest, dividends and gains",
    )
    filing_status: FilingStatus | None = None
    taxable_income: float | None = Field(
        default=None,
        ge=0.0,
        le=MAX_DOLLARS,
        allow_inf_nan=False,
        description="ordinary taxable income, dollars (or give [income])",
    )
    magi: float | None = Field(
        default=None,
        ge=0.0,
        le=MAX_DOLLARS,
        allow_inf_nan=False,
        description="with taxable_income: modified AGI, dollars (default: taxable income + "
        "standard deduction)",
    )
    age: int | None = Field(default=None, ge=0, le=125, description="years, end of tax year")
    spouse_age: int | None = Field(
        default=None, ge=0, le=125, description="years, end of tax year (joint returns)"
    )
    tax_year: int = Field(default=2026, description="year of the bracket table")
    state_rate: Rate = Field(default=0.0, description="flat state rate on investment income")
    muni_in_state: bool = Field(default=False, description="munis held are of your state")
    retirement_rate: Rate | None = Field(
        default=None,
        description="expected ordinary rate on tax-deferred withdrawals (default: ordinary)",
    )
    horizon_years: int = Field(default=20, ge=1, le=100, description="years held in taxable")
    liquidation: Annotated[Liquidation, Lax] = Liquidation.LIQUIDATE

    @model_validator(mode="after")
    def _one_form(self) -> Investor:
        rates = self.ordinary_rate is not None or self.capital_gains_rate is not None
        income = self.filing_status is not None or self.taxable_income is not None
        if rates and income:
            raise ValueError(
                "give rates (ordinary_rate, capital_gains_rate) or income "
                "(filing_status, taxable_income), not both"
            )
        if self.taxable_income is not None and self.filing_status is None:
            raise ValueError("taxable_income needs filing_status")
        if self.magi is not None and self.taxable_income is None:
            raise ValueError("magi goes with taxable_income (with [income], AGI is computed)")
        if not income and (self.ordinary_rate is None or self.capital_gains_rate is None):
            raise ValueError(
                "give ordinary_rate and capital_gains_rate, or filing_status with "
                "taxable_income or an [income] table"
            )
        if self.niit and not rates:
            raise ValueError("niit is for the rates form: with income, the return computes NIIT")
        if (self.age is not None or self.spouse_age is not None) and not income:
            raise ValueError("age and spouse_age go with filing_status (the return uses them)")
        if self.spouse_age is not None and self.filing_status != "married_filing_jointly":
            raise ValueError("spouse_age is for married_filing_jointly")
        if self.ordinary_rate is not None and self.capital_gains_rate is not None:
            if self.state_rate > min(self.ordinary_rate, self.capital_gains_rate):
                raise ValueError(
                    f"state_rate {self.state_rate} exceeds the all-in rates it is part of"
                )
        return self


Dollars = Annotated[float, Field(ge=0.0, le=MAX_DOLLARS, allow_inf_nan=False)]
SignedDollars = Annotated[float, Field(ge=-MAX_DOLLARS, le=MAX_DOLLARS, allow_inf_nan=False)]


class IncomeTable(_Strict):
    """The ``[income]`` table: the year's income, dollars (see :class:`assetloc.tax.Income`).

    With it, taxable income, AGI and every marginal rate come from the year's return.
    """

    wages: Dollars = 0.0
    taxable_interest: Dollars = 0.0
    treasury_interest: Dollars = Field(default=0.0, ge=0.0, description="state-exempt")
    tax_exempt_interest: Dollars = Field(default=0.0, ge=0.0, description="municipal")
    ordinary_dividends: Dollars = Field(default=0.0, ge=0.0, description="including qualified")
    qualified_dividends: Dollars = 0.0
    short_term_gains: SignedDollars = Field(default=0.0, description="net; negative = a loss")
    long_term_gains: SignedDollars = Field(default=0.0, description="net; negative = a loss")
    short_term_carryforward: Dollars = Field(default=0.0, description="loss carried in, > 0")
    long_term_carryforward: Dollars = Field(default=0.0, description="loss carried in, > 0")
    ira_distributions: Dollars = 0.0
    roth_conversions: Dollars = 0.0
    social_security: Dollars = Field(default=0.0, description="gross benefits")
    itemized_deductions: Dollars = Field(default=0.0, description="else the standard deduction")

    @model_validator(mode="after")
    def _qualified_within(self) -> IncomeTable:
        if self.qualified_dividends > self.ordinary_dividends:
            raise ValueError(
                f"qualified_dividends {usd(self.qualified_dividends, 2)} exceed "
                f"ordinary_dividends {usd(self.ordinary_dividends, 2)}, which include them"
            )
        return self


class Bound(_Strict):
    """Lower and upper share (decimals in [0, 1])."""

    min: Share = 0.0
    max: Share = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> Bound:
        if self.min > self.max:
            raise ValueError(f"min {self.min} exceeds max {self.max}")
        return self


class Account(_Strict):
    """One account: its tax type, balance in dollars, and what it may hold.

    Give either ``balance`` or today's holdings (``cash`` and ``positions``); an account
    with holdings takes its balance from them.
    """

    id: str = Field(min_length=1)
    type: Annotated[AccountType, Lax]
    balance: float | None = Field(
        default=None,
        ge=0.0,
        le=MAX_DOLLARS,
        allow_inf_nan=False,
        description="market value, dollars",
    )
    cash: float | None = Field(
        default=None, ge=0.0, le=MAX_DOLLARS, allow_inf_nan=False, description="dollars"
    )
    positions: list[Position] = Field(default_factory=list)
    contribution: float = Field(
        default=0.0, ge=0.0, le=MAX_DOLLARS, allow_inf_nan=False, description="dollars"
    )
    withdrawal: float = Field(
        default=0.0, ge=0.0, le=MAX_DOLLARS, allow_inf_nan=False, description="dollars"
    )
    menu: list[str] | None = Field(
        default=None, description="classes this account can hold (a 401(k) fund list)"
    )
    funds: list[str] | None = Field(
        default=None,
        description="symbols this account can buy (a 401(k)'s fund list); rebalance only",
    )
    bounds: dict[str, Bound] = Field(
        default_factory=dict, description="per class, share of this account's balance"
    )
    owner: Owner = Field(default="self", description="whose account: self, spouse or joint")
    lot_method: LotMethod | None = Field(
        default=None, description="lots a sell draws from the ledger (default: [ledger])"
    )

    @model_validator(mode="after")
    def _balance_given(self) -> Account:
        held = self.cash is not None or bool(self.positions)
        if self.balance is None and not held:
            raise ValueError("give a balance, or cash and positions")
        if self.balance is not None and held:
            raise ValueError("give a balance or holdings (cash, positions), not both")
        value = self.market_value
        if value > MAX_DOLLARS:
            raise ValueError(
                f"market value {usd(value, 2)} (cash + positions) exceeds the limit of "
                f"{usd(MAX_DOLLARS, 0)} an account"
            )
        return self

    @property
    def market_value(self) -> float:
        """Balance in dollars: as given, or cash plus positions at today's prices."""
        if self.balance is not None:
            return self.balance
        return (self.cash or 0.0) + sum(p.value for p in self.positions)


class ClassSpec(_Strict):
    """An inline asset class, or an override of a preset class (decimals per year)."""

    id: str = Field(min_length=1)
    label: str | None = None
    expected_return: float | None = Field(
        default=None, gt=-1.0, le=MAX_RETURN, allow_inf_nan=False, description="decimal"
    )
    volatility: float | None = Field(
        default=None, ge=0.0, le=MAX_VOLATILITY, allow_inf_nan=False, description="decimal"
    )
    effective_tax_rate: Share | None = Field(
        default=None, description="in a taxable account; overrides the computed rate"
    )
    # Tax traits (see assetloc.tax.effective.TaxTraits); each overrides the bundled default.
    income_yield: float | Literal["all"] | None = None  # checked by TaxTraits
    qualified_share: Share | None = None
    exempt_share: Share | None = None
    state_exempt_share: Share | None = None
    foreign_tax_share: Share | None = None
    turnover: Share | None = None
    long_term_share: Share | None = None

    def trait_overrides(self) -> dict[str, object]:
        """The tax-trait fields this entry sets."""
        return {k: getattr(self, k) for k in TRAIT_FIELDS if getattr(self, k) is not None}


class AssumptionsSpec(_Strict):
    """A bundled preset, or inline classes with a correlation matrix.

    With neither a preset nor inline classes, the default preset ``horizon-2025`` is used.
    """

    preset: str | None = None

    @property
    def preset_name(self) -> str | None:
        """The preset in force: the one named, else the default unless classes are inline."""
        if self.preset is not None:
            return self.preset
        return None if self.classes else DEFAULT_PRESET

    cash_rate: float | None = Field(
        default=None, gt=-1.0, le=MAX_RETURN, allow_inf_nan=False, description="decimal"
    )
    correlation: list[list[float]] | None = None
    classes: list[ClassSpec] = Field(default_factory=list)
    universe: list[str] | None = Field(
        default=None, description="restrict the optimization to these classes"
    )


class Reference(_Strict):
    """A reference portfolio that implies risk aversion: A = (E_ref − cash) / SD_ref²."""

    expected_return: float = Field(
        gt=-1.0, le=MAX_RETURN, allow_inf_nan=False, description="decimal per year"
    )
    volatility: float = Field(
        ge=1e-4, le=MAX_VOLATILITY, allow_inf_nan=False, description="decimal per year"
    )


class Objective(_Strict):
    """What to maximize. U = E − (A/2)·V with A = ``risk_aversion`` (or implied by
    ``reference``); ``crra``: Levy–Markowitz U = u(1+E) + ½u''(1+E)·V with risk tolerance θ,
    maximized along the efficient frontier."""

    kind: Annotated[ObjectiveKind, Lax]
    mix: dict[str, Share] | None = None
    mix_basis: Literal["after_tax", "pre_tax"] = "after_tax"
    risk_aversion: float | None = Field(default=None, ge=1e-4, le=1e4, allow_inf_nan=False)
    reference: Reference | None = None
    risk_tolerance: float | None = Field(
        default=None,
        ge=MIN_RISK_TOLERANCE,
        le=100.0,
        allow_inf_nan=False,
        description="CRRA θ (relative risk aversion 1/θ <= 10)",
    )
    target_volatility: float | None = Field(
        default=None, gt=0.0, le=MAX_VOLATILITY, allow_inf_nan=False
    )
    target_return: float | None = Field(default=None, gt=-1.0, le=MAX_RETURN, allow_inf_nan=False)
    returns: Literal["robust", "as_given"] | None = Field(
        default=None,
        description="robust (default): Black-Litterman returns, the market reference's "
        "equilibrium tilted toward the stated returns; as_given: plain mean-variance on the "
        "stated returns",
    )
    view_confidence: float | None = Field(
        default=None,
        gt=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="robust: weight of a stated return against equilibrium (default 0.10)",
    )

    @model_validator(mode="after")
    def _one_risk_aversion(self) -> Objective:
        if self.risk_aversion is not None and self.reference is not None:
            raise ValueError("give risk_aversion or reference, not both")
        return self

    @model_validator(mode="after")
    def _used_fields(self) -> Objective:
        """A field given for another kind of objective is a mistake, not something to drop."""
        used_by = {
            "target_volatility": "target_volatility",
            "target_return": "target_return",
            "risk_tolerance": "crra",
            "mix_basis": "fixed_mix",
        }
        if "view_confidence" in self.model_fields_set and self.returns == "as_given":
            raise ValueError("view_confidence is only used with returns = 'robust'")
        for name, kind in used_by.items():
            if name in self.model_fields_set and self.kind != kind:
                raise ValueError(f"{name} is only used with kind = {kind!r}, not {self.kind!r}")
        return self


DEFAULT_RISK_AVERSION = 3.74  # Kaplan Part III: E 5.79%, SD 10.33% -> U 3.80%


class CashFlows(_Strict):
    """A stream of annual amounts (dollars), growing at ``growth`` a year, paid at year ends."""

    annual_amount: float = Field(
        ge=0.0, le=MAX_DOLLARS, allow_inf_nan=False, description="dollars, year 1"
    )
    growth: float = Field(default=0.0, gt=-1.0, le=1.0, allow_inf_nan=False, description="decimal")
    years: int = Field(ge=1, le=100)


class NetWorthItem(_Strict):
    """Human capital or a liability: a present value (dollars) or cash flows, and a mix of
    asset classes its value moves with (weights sum to 1)."""

    id: str = Field(default="item", min_length=1)
    present_value: float | None = Field(
        default=None, ge=0.0, le=MAX_DOLLARS, allow_inf_nan=False, description="dollars"
    )
    cash_flows: CashFlows | None = None
    mix: dict[str, Annotated[float, Field(allow_inf_nan=False)]]

    @model_validator(mode="after")
    def _value_given(self) -> NetWorthItem:
        if (self.present_value is None) == (self.cash_flows is None):
            raise ValueError("give present_value or cash_flows (not both)")
        return self


class Options(_Strict):
    """Valuation choices (see DESIGN.md §1)."""

    context: Annotated[View, Lax] | None = Field(
        default=None,
        description="optimize financial assets alone or as part of net worth (default: "
        "net_worth when human capital or liabilities are given)",
    )
    tax_deferred_basis: Literal["after_tax", "face"] = "after_tax"
    hsa_treatment: Literal["tax_free", "tax_deferred"] = "tax_free"
    effective_tax_rates: Literal["computed", "preset"] = Field(
        default="computed",
        description="computed from each class's payouts (default) or the preset's published "
        "rates as published (only for an investor at the preset's reference rates)",
    )
    taxable_value: Literal["market", "liquidation"] = Field(
        default="market",
        description="taxable accounts at market value or net of the tax on unrealized gains "
        "(needs lots)",
    )


class Household(_Strict):
    """A whole household file."""

    name: str | None = None
    investor: Investor
    income: IncomeTable | None = None
    accounts: list[Account]
    assumptions: AssumptionsSpec = Field(default_factory=AssumptionsSpec)
    objective: Objective
    bounds: dict[str, Bound] = Field(
        default_factory=dict, description="per class, share of household after-tax wealth"
    )
    options: Options = Field(default_factory=Options)
    human_capital: NetWorthItem | None = None
    liabilities: list[NetWorthItem] = Field(default_factory=list)
    securities: list[Security] = Field(default_factory=list)
    recent_trades: list[RecentTrade] = Field(default_factory=list)
    rebalance: RebalanceOptions = Field(default_factory=RebalanceOptions)
    ledger: LedgerSpec | None = None
    planned_purchases: list[PlannedPurchase] = Field(default_factory=list)
    recurring_purchases: list[RecurringPurchase] = Field(default_factory=list)
    plan: PlanSettings | None = Field(
        default=None, description="assetloc simulate: years, saving, spending, returns"
    )

    @property
    def total_balance(self) -> float:
        """Sum of account balances, dollars (pre-tax, face value)."""
        return sum(a.market_value for a in self.accounts)

    @property
    def context(self) -> View:
        """The view the optimizer uses: as given, else net worth when H or L exist."""
        if self.options.context is not None:
            return self.options.context
        return View.NET_WORTH if (self.human_capital or self.liabilities) else View.FINANCIAL


# ----------------------------------------------------------------------------- checks


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _unwrap(annotation: Any) -> list[Any]:
    """The types an annotation admits, with ``Annotated``, ``Optional`` and unions opened."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [t for a in get_args(annotation) for t in _unwrap(a)]
    return [annotation]


def _step(annotation: Any, part: int | str) -> Any:
    """The annotation one location part inside ``annotation`` (a field, item or value)."""
    for t in _unwrap(annotation):
        origin = get_origin(t)
        if isinstance(t, type) and issubclass(t, BaseModel) and isinstance(part, str):
            if part in t.model_fields:
                return t.model_fields[part].annotation
        elif origin is list and isinstance(part, int):
            return get_args(t)[0]
        elif origin is dict and isinstance(part, str):
            return get_args(t)[1]
    return None


def known_fields(loc: tuple[int | str, ...]) -> list[str]:
    """Field names allowed at ``loc`` (the location of a field) in the household file."""
    annotation: Any = Household
    for part in loc[:-1]:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    for t in _unwrap(annotation):
        if isinstance(t, type) and issubclass(t, BaseModel):
            return list(t.model_fields)
    return []


def _unknown_field(loc: tuple[int | str, ...]) -> str:
    """``unknown field`` with a "did you mean" hint from the fields allowed there."""
    name = str(loc[-1]) if loc else ""
    allowed = known_fields(loc)
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown field (did you mean {close[0]!r}?)"
    if allowed:
        return "unknown field (allowed here: " + ", ".join(allowed) + ")"
    return "unknown field"


def _first_error(err: ValidationError) -> InputError:
    """The error to report: an unknown field first (a misspelt key is also a missing
    one, and the misspelling is the cause), else pydantic's first."""
    errors = err.errors()
    e = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
    loc = error_location(e["loc"])
    msg = e["msg"]
    if (number := error_message(e)) is not None:
        msg = number
    elif e["type"] == "extra_forbidden":
        msg = _unknown_field(loc)
    elif e["type"] == "missing":
        msg = "is required"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if e["type"] in ("literal_error", "enum"):
        msg = f"{msg} (got {e.get('input')!r})"
    if e["type"] in ("less_than", "less_than_equal"):
        bound = (e.get("ctx") or {}).get("lt", (e.get("ctx") or {}).get("le"))
        msg += f" (got {e.get('input')!r})"
        if isinstance(bound, int | float):
            msg += decimal_hint(str(loc[-1]) if loc else "", e.get("input"), float(bound))
    return InputError(_path(loc) or "file", msg[:1].lower() + msg[1:])


def _check_mix(mix: dict[str, float], field: str) -> None:
    total = math.fsum(mix.values())
    if not mix:
        raise InputError(field, "is empty")
    if abs(total - 1.0) > MIX_TOLERANCE:
        raise InputError(field, f"weights sum to {total:.6g}, must sum to 1")


def check_household(h: Household) -> None:
    """Checks that span fields (ids, sums); class names are checked against assumptions."""
    if not h.accounts:
        raise InputError("accounts", "the household has no accounts")
    inv = h.investor
    if h.income is not None:
        if inv.filing_status is None:
            raise InputError("investor.filing_status", "is required with an [income] table")
        if inv.taxable_income is not None:
            raise InputError(
                "investor.taxable_income",
                "is computed from [income]: give one or the other, not both",
            )
    elif inv.filing_status is not None and inv.taxable_income is None:
        raise InputError(
            "investor.taxable_income", "is required with filing_status (or give an [income] table)"
        )
    seen: set[str] = set()
    for i, acc in enumerate(h.accounts):
        if acc.id in seen:
            raise InputError(f"accounts[{i}].id", f"duplicate account id {acc.id!r}")
        seen.add(acc.id)
        if acc.market_value > MAX_DOLLARS:  # holdings replaced after the field checks
            raise InputError(
                f"accounts[{i}]",
                f"market value {usd(acc.market_value, 2)} exceeds the limit of "
                f"{usd(MAX_DOLLARS, 0)} an account",
            )
        if acc.menu is not None and not acc.menu:
            raise InputError(f"accounts[{i}].menu", "is empty: the account could hold nothing")
        if acc.funds is not None and not acc.funds:
            raise InputError(f"accounts[{i}].funds", "is empty: the account could buy nothing")
        lo = math.fsum(b.min for b in acc.bounds.values())
        if lo > 1.0 + MIX_TOLERANCE:
            raise InputError(f"accounts[{i}].bounds", f"minimums sum to {lo:.6g} > 1")
    if h.total_balance <= 0:
        raise InputError("accounts", "all balances are zero: nothing to allocate")
    obj = h.objective
    if obj.kind == "fixed_mix":
        if obj.mix is None:
            raise InputError("objective.mix", "is required when kind = 'fixed_mix'")
        _check_mix(obj.mix, "objective.mix")
    elif obj.mix is not None:
        raise InputError("objective.mix", f"is only used with kind = 'fixed_mix', not {obj.kind!r}")
    if obj.kind == "crra" and obj.risk_tolerance is None:
        raise InputError("objective.risk_tolerance", "is required for kind = 'crra'")
    items = [("human_capital", h.human_capital)] if h.human_capital else []
    items += [(f"liabilities[{j}]", item) for j, item in enumerate(h.liabilities)]
    for name, item in items:
        _check_mix(item.mix, f"{name}.mix")
        if any(w < 0 for w in item.mix.values()):
            raise InputError(f"{name}.mix", "weights must be >= 0")
    if obj.kind == "target_volatility" and obj.target_volatility is None:
        raise InputError("objective.target_volatility", "is required for this kind")
    if obj.kind == "target_return" and obj.target_return is None:
        raise InputError("objective.target_return", "is required for this kind")
    spec = h.assumptions
    if spec.universe is not None:
        if not spec.universe:
            raise InputError("assumptions.universe", "is empty: name the classes to use")
        for j, cid in enumerate(spec.universe):
            if cid in spec.universe[:j]:
                raise InputError(f"assumptions.universe[{j}]", f"{cid!r} is listed twice")
    ids = [c.id for c in spec.classes]
    for j, cid in enumerate(ids):
        if cid in ids[:j]:
            raise InputError(f"assumptions.classes[{j}].id", f"duplicate class id {cid!r}")
    if h.plan is not None:
        _check_plan(h.plan, [a.id for a in h.accounts])


def _check_plan(plan: PlanSettings, account_ids: list[str]) -> None:
    """The ``[plan]`` checks that need the rest of the file (account ids, used fields)."""
    for acc_id in plan.contributions:
        if acc_id not in account_ids:
            raise InputError(
                f"plan.contributions.{acc_id}",
                f"unknown account {acc_id!r} (accounts: {', '.join(account_ids)})",
            )
    if "fill_bracket_rate" in plan.model_fields_set and plan.withdrawal_order != "fill_bracket":
        raise InputError(
            "plan.fill_bracket_rate",
            f"is only used with withdrawal_order = 'fill_bracket', not {plan.withdrawal_order!r}",
        )
    if plan.years is not None and plan.retire_in is not None and plan.retire_in > plan.years:
        raise InputError(
            "plan.retire_in",
            f"{plan.retire_in} is beyond the {plan.years} years simulated (give retire_in = "
            f"{plan.years} for no retirement within the horizon)",
        )


def parse_fields(data: dict[str, Any]) -> Household:
    """Validate a dict field by field, without the cross-field checks of
    :func:`check_household` (for callers that complete the household first)."""
    try:
        return Household.model_validate(data)
    except ValidationError as err:
        raise _first_error(err) from None
    except RecursionError:  # a structure nested deeper than any field of the file
        raise InputError("file", "values nested too deeply") from None


def parse_household(data: dict[str, Any]) -> Household:
    """Validate a dict (as read from TOML) into a :class:`Household`."""
    h = parse_fields(data)
    check_household(h)
    return h


def read_toml(path: str | Path) -> dict[str, Any]:
    """A TOML file as a dict; unreadable or malformed files are :class:`InputError`.

    A UTF-8 byte-order mark at the start (as some Windows editors write) is accepted.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(str(p), "file not found") from None
    except IsADirectoryError:
        raise InputError(str(p), "is a directory, not a household file") from None
    except UnicodeDecodeError as err:
        raise InputError(str(p), not_utf8(err)) from None
    except OSError as err:
        raise InputError(str(p), f"cannot be read ({err.__class__.__name__})") from None
    return parse_toml(text, p)


def not_utf8(err: UnicodeDecodeError) -> str:
    """Where a file stops being UTF-8: the byte, its line and its column (1-based, counted
    in bytes), in the bytes the decoder saw (``utf-8-sig`` drops a byte-order mark first,
    and its offsets do not count it)."""
    seen = bytes(err.object)
    line = seen.count(b"\n", 0, err.start) + 1
    column = err.start - (seen.rfind(b"\n", 0, err.start) + 1) + 1
    return (
        f"is not UTF-8 text: byte 0x{seen[err.start]:02x} at line {line}, byte {column} of "
        "the line (save the file as UTF-8)"
    )


#: how much of the offending line a TOML error quotes
QUOTED = 80


def parse_toml(text: str, path: str | Path) -> dict[str, Any]:
    """The TOML ``text`` of the file ``path`` as a dict; malformed text is the
    :class:`InputError` :func:`read_toml` gives for that file."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(str(path), f"is not valid TOML: {err}{_quoted(text, err)}") from None
    except RecursionError:
        deep = "cannot be parsed: arrays or tables nested too deeply"
        raise InputError(str(path), deep) from None


def _quoted(text: str, err: tomllib.TOMLDecodeError) -> str:
    """``: `the line` `` of a TOML error's line (stripped, at most :data:`QUOTED` characters),
    so that the message shows the field: ``acquired = 2026-02-30`` is an impossible date."""
    match = re.search(r"\(at line (\d+), column \d+\)", str(err))
    lines = text.split("\n")  # as TOML counts lines (U+2028 in a comment is no break)
    if match is None or not 0 < int(match.group(1)) <= len(lines):
        return ""
    line = lines[int(match.group(1)) - 1].strip()
    if not line:
        return ""
    return f": `{line[:QUOTED]}{'...' if len(line) > QUOTED else ''}`"


def load_household(path: str | Path) -> Household:
    """Read and validate a household TOML file."""
    return parse_household(read_toml(path))


def household_schema() -> dict[str, Any]:
    """JSON Schema of the household file."""
    return Household.model_json_schema()

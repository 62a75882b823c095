"""What a household holds today: cash, positions, tax lots, securities, recent trades.

Units: shares, dollars (prices per share, cost basis per lot in total dollars), dates as
ISO dates. These models are parts of the household file (see :mod:`assetloc.inputs.household`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from assetloc.inputs.limits import MAX_DOLLARS, MAX_PRICE, MAX_SHARES, MIN_PRICE
from assetloc.inputs.strict import Date, Lax, Strict
from assetloc.types import RebalanceMode
from assetloc.units import usd

NonNeg = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
Dollars = Annotated[float, Field(ge=0.0, le=MAX_DOLLARS, allow_inf_nan=False)]
Shares = Annotated[float, Field(ge=0.0, le=MAX_SHARES, allow_inf_nan=False)]
LotShares = Annotated[float, Field(gt=0.0, le=MAX_SHARES, allow_inf_nan=False)]
Price = Annotated[float, Field(ge=MIN_PRICE, le=MAX_PRICE, allow_inf_nan=False)]
SHARE_TOLERANCE = 1e-6  # lots must add up to the position within this many shares


def is_long_term(acquired: dt.date, sold: dt.date) -> bool:
    """Held more than one year (IRC §1222): sold after the first anniversary of purchase.

    The holding period starts the day after purchase, so a sale on the anniversary itself
    is short-term; for a lot bought on February 29 the year ends on February 28.
    """
    try:
        anniversary = acquired.replace(year=acquired.year + 1)
    except ValueError:  # February 29
        anniversary = dt.date(acquired.year + 1, 2, 28)
    return sold > anniversary


def long_term_on(acquired: dt.date) -> dt.date:
    """The first sale date on which a lot bought on ``acquired`` is long-term: the day after
    its first anniversary (:func:`is_long_term`; Feb 29 → Mar 1 of the next year)."""
    try:
        anniversary = acquired.replace(year=acquired.year + 1)
    except ValueError:  # February 29
        anniversary = dt.date(acquired.year + 1, 2, 28)
    return anniversary + dt.timedelta(days=1)


#: A lot sold at a short-term gain that turns long-term within this many days is flagged.
NEAR_LONG_TERM_DAYS = 30


def _shares(x: float) -> str:
    """Shares to 1e-6, without trailing zeros: ``9``, ``10.5``, ``999999999.999999``."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


class _Strict(Strict):
    """Strict numbers (:mod:`assetloc.inputs.strict`): ``price = true`` is an error, not $1."""


class Lot(_Strict):
    """A tax lot: when it was bought, how many shares, their total cost basis (dollars)."""

    acquired: Date
    shares: LotShares
    cost_basis: Dollars

    @model_validator(mode="after")
    def _basis_per_share(self) -> Lot:
        if self.cost_basis > self.shares * MAX_PRICE:
            raise ValueError(
                f"cost basis {usd(self.cost_basis, 2)} for {self.shares:g} shares is "
                f"{usd(self.cost_basis / self.shares, 2)} a share, above the limit of "
                f"{usd(MAX_PRICE, 0)} (cost_basis is the lot's total)"
            )
        return self


class Position(_Strict):
    """A holding of one security in one account; taxable accounts list its lots."""

    symbol: str = Field(min_length=1)
    shares: Shares
    price: Price = Field(description="dollars per share, today")
    lots: list[Lot] | None = None

    @model_validator(mode="after")
    def _lots_add_up(self) -> Position:
        if self.lots is not None:
            total = math.fsum(lot.shares for lot in self.lots)
            if abs(total - self.shares) > SHARE_TOLERANCE:
                raise ValueError(
                    f"lots hold {_shares(total)} shares but the position has {_shares(self.shares)}"
                )
        if self.value > MAX_DOLLARS:
            raise ValueError(
                f"market value {usd(self.value, 2)} (shares x price) exceeds the limit of "
                f"{usd(MAX_DOLLARS, 0)} a position"
            )
        return self

    @property
    def value(self) -> float:
        """Market value, dollars."""
        return self.shares * self.price


class Security(_Strict):
    """A symbol's asset class (or split across classes) and substantially identical group."""

    symbol: str = Field(min_length=1)
    asset_class: str | None = None
    classes: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] | None = Field(
        default=None, description="split across classes for a fund holding several (sum 1)"
    )
    group: str | None = Field(
        default=None, description="substantially identical group (default: the symbol)"
    )
    price: Price | None = Field(
        default=None,
        description="dollars per share today; needed only to buy a security no account holds",
    )

    @model_validator(mode="after")
    def _one_mapping(self) -> Security:
        # neither: an entry that only adds a price (or group) to a bundled symbol; the
        # securities table merges it with the bundled entry or names the missing class
        if self.asset_class is not None and self.classes is not None:
            raise ValueError("give exactly one of asset_class or classes")
        if self.classes is not None and abs(sum(self.classes.values()) - 1.0) > 1e-6:
            raise ValueError(f"classes sum to {sum(self.classes.values()):.6g}, must sum to 1")
        return self

    @property
    def split(self) -> dict[str, float]:
        """Class weights of one dollar of this security (sum 1)."""
        if self.classes is not None:
            return dict(self.classes)
        if self.asset_class is None:
            raise ValueError(f"security {self.symbol!r} has no asset_class (merge it first)")
        return {self.asset_class: 1.0}

    @property
    def identical_group(self) -> str:
        """The wash-sale group: substantially identical securities share it."""
        return self.group or self.symbol


class RecentTrade(_Strict):
    """A trade in the past 30+ days, for the wash-sale guard (IRC §1091)."""

    account: str = Field(min_length=1)
    symbol: str = Field(min_length=1)
    side: Literal["buy", "sell"]
    date: Date
    shares: LotShares
    realized_gain: float | None = Field(
        default=None,
        ge=-MAX_DOLLARS,
        le=MAX_DOLLARS,
        allow_inf_nan=False,
        description="dollars; negative for a loss (sells)",
    )


class RebalanceOptions(_Strict):
    """How to trade toward the target (bands as decimals, costs in dollars)."""

    mode: Annotated[RebalanceMode, Lax] = RebalanceMode.FULL
    band_absolute: Annotated[float, Field(ge=0.0, le=1.0)] = 0.05
    band_relative: Annotated[float, Field(ge=0.0)] = 0.25
    min_trade: NonNeg = 0.0
    whole_shares: bool = False
    cost_per_trade: NonNeg = 0.0
    allow_losses: bool = False
    distance_weight: Annotated[float, Field(ge=0.0, le=1.0)] | None = Field(
        default=None,
        description="a fixed price instead of the cost-benefit rule: dollars of tax worth "
        "paying per dollar of household deviation removed",
    )
    tax_budget: NonNeg | None = Field(
        default=None, description="dollars of tax this rebalance may realize (0: no net gain)"
    )
    gain_budget: NonNeg | None = Field(
        default=None, description="dollars of net realized gain this rebalance may realize"
    )
    as_of: Date | None = Field(default=None, description="trade date (default: today)")
    defer_near_long_term: bool = Field(
        default=False,
        description="never sell a lot at a short-term gain when it turns long-term within "
        "30 days (such sales are always flagged, with the tax waiting would save)",
    )


LotMethod = Literal["fifo", "hifo"]
Owner = Literal["self", "spouse", "joint"]


class LedgerSpec(_Strict):
    """Where the household's transaction ledger lives and how lots are drawn from it.

    ``url`` is any SQLAlchemy URL; a relative SQLite path is relative to the household
    file's folder. ``lot_method`` picks the lots a sell without a lot selection draws
    (per account overridable: ``accounts[].lot_method``); specific identification is the
    ``lot`` column of a sell.
    """

    url: str | None = Field(
        default=None, min_length=1, description="SQLAlchemy URL, e.g. sqlite:///household.db"
    )
    lot_method: LotMethod = Field(
        default="fifo", description="lots a sell draws when it names none: fifo or hifo"
    )
    positions: bool = Field(
        default=False,
        description="take every account's positions and lots from the ledger (give cash only)",
    )
    gains_to_income: bool = Field(
        default=False,
        description="the ledger's realized gains of investor.tax_year feed the [income] table",
    )
    include_spouse: bool = Field(
        default=True,
        description="a spouse's purchase washes your loss and yours a spouse's (Pub 550)",
    )


class PlannedPurchase(_Strict):
    """A purchase planned on a date (dollars), for the wash-sale look-ahead."""

    account: str = Field(min_length=1)
    symbol: str = Field(min_length=1)
    date: Date
    amount: Dollars = Field(description="dollars")


Frequency = Literal["weekly", "biweekly", "semimonthly", "monthly", "quarterly", "annually"]


class RecurringPurchase(_Strict):
    """A purchase repeated on a schedule (a 401(k) contribution, an automatic investment)."""

    account: str = Field(min_length=1)
    symbol: str = Field(min_length=1)
    every: Frequency
    start: Date = Field(description="date of the first purchase")
    end: Date | None = Field(default=None, description="date of the last, if any")
    amount: Dollars = Field(description="dollars each time")

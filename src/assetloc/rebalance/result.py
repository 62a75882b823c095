"""The result of a rebalance: trades with their lots, tax, before/after allocation, checks.

Frozen dataclasses with ``to_dict()`` (JSON-ready: dollars, shares, decimals) and
``to_frame()`` (pandas). ``orders_rows()`` / ``write_orders()`` give the broker bulk-upload
CSV (one row per order; columns documented in docs/rebalance.md)::

    account,action,symbol,quantity,order_type,estimated_price,estimated_amount,lots

``lots`` names the tax lots to sell by specific identification, as
``YYYY-MM-DD:shares`` separated by ``;`` (empty for buys and tax-advantaged accounts).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from assetloc.ledger.orders import ORDER_COLUMNS
from assetloc.notice import NOTICE
from assetloc.rebalance.current import Allocation, Drift
from assetloc.types import AccountType, FloatArray, RebalanceMode
from assetloc.units import pct, usd

if TYPE_CHECKING:
    import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class LotSale:
    """Shares sold from one tax lot, and the gain they realize (dollars)."""

    field: str
    acquired: dt.date
    shares: float
    cost_basis: float
    proceeds: float
    term: Literal["short", "long"]
    wash_sale: bool = False
    wash_sale_reason: str = ""
    disallowed_loss: float = 0.0
    permanently_disallowed_loss: float = 0.0

    @property
    def gain(self) -> float:
        """Proceeds minus the cost basis of the shares sold (negative: a loss)."""
        return self.proceeds - self.cost_basis

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "lot": self.field,
            "acquired": self.acquired.isoformat(),
            "shares": self.shares,
            "cost_basis": self.cost_basis,
            "proceeds": self.proceeds,
            "gain": self.gain,
            "term": self.term,
            "wash_sale": self.wash_sale,
            "wash_sale_reason": self.wash_sale_reason,
            "disallowed_loss": self.disallowed_loss,
            "permanently_disallowed_loss": self.permanently_disallowed_loss,
        }


@dataclass(frozen=True)
class Trade:
    """One order: buy or sell ``shares`` of ``symbol`` in ``account`` at ``price``."""

    account: str
    account_type: AccountType
    symbol: str
    side: Literal["buy", "sell"]
    shares: float
    price: float
    lots: tuple[LotSale, ...] = ()

    @property
    def amount(self) -> float:
        """Dollars traded (shares × price)."""
        return self.shares * self.price

    @property
    def short_term_gain(self) -> float:
        """Realized short-term gain of the lots sold, dollars."""
        return float(sum(lot.gain for lot in self.lots if lot.term == "short"))

    @property
    def long_term_gain(self) -> float:
        """Realized long-term gain of the lots sold, dollars."""
        return float(sum(lot.gain for lot in self.lots if lot.term == "long"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "account": self.account,
            "symbol": self.symbol,
            "side": self.side,
            "shares": self.shares,
            "price": self.price,
            "amount": self.amount,
            "short_term_gain": self.short_term_gain,
            "long_term_gain": self.long_term_gain,
            "lots": [lot.to_dict() for lot in self.lots],
        }


@dataclass(frozen=True)
class AccountState:
    """An account before and after the trades (cash in dollars, positions in shares)."""

    id: str
    type: AccountType
    contribution: float
    withdrawal: float
    cash_before: float
    cash_after: float
    positions_before: dict[str, float]
    positions_after: dict[str, float]

    def to_dict(self, when: Literal["before", "after"]) -> dict[str, Any]:
        """JSON-ready state at ``when``."""
        if when == "before":
            return {
                "id": self.id,
                "type": self.type,
                "cash": self.cash_before,
                "positions": dict(self.positions_before),
            }
        return {
            "id": self.id,
            "type": self.type,
            "cash": self.cash_after,
            "positions": dict(self.positions_after),
        }


TAX_METHOD = (
    "tax(income + realized gains and losses) - tax(income) by the year's return: Schedule D "
    "netting, a net loss deducted up to $3,000 ($1,500 married filing separately) and the "
    "rest carried forward"
)
STATED_METHOD = (
    "Schedule D netting at the stated rates: each net gain at its own rate, a net loss "
    "deducted at the short-term (ordinary) rate up to $3,000 and the rest carried forward"
)


@dataclass(frozen=True)
class RealizedTax:
    """Realized gains (dollars) and their tax this year (:mod:`~assetloc.rebalance.gaintax`).

    ``estimated_tax`` is the household's gain tax of the nets after disallowed losses
    (``taxed_short_term_gain``, ``taxed_long_term_gain``): by the year's return when the
    household file gives a filing status (``source = "engine"``), else at stated rates.
    ``carryforward_*``: the net loss not deducted this year, by character (dollars, positive);
    ``loss_deducted``: the part deducted against ordinary income this year.
    ``disallowed_loss`` is the loss wash sales disallow by share matching (not credited in
    the estimate); ``permanently_disallowed_loss`` the part matched with purchases in an IRA,
    Roth or HSA (lost for good); the rest is deferred into the replacement shares' basis.
    The rates are the marginal rates of the next dollar of each kind of gain (decimals).
    """

    short_term_gain: float
    long_term_gain: float
    estimated_tax: float
    disallowed_loss: float
    short_term_rate: float
    long_term_rate: float
    allow_losses: bool
    permanently_disallowed_loss: float = 0.0
    taxed_short_term_gain: float = 0.0
    taxed_long_term_gain: float = 0.0
    carryforward_short_term: float = 0.0
    carryforward_long_term: float = 0.0
    loss_deducted: float = 0.0
    source: str = "stated rates"

    @property
    def carryforward(self) -> float:
        """Net loss carried to next year, dollars (both characters)."""
        return self.carryforward_short_term + self.carryforward_long_term

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "short_term_gain": self.short_term_gain,
            "long_term_gain": self.long_term_gain,
            "estimated_tax": self.estimated_tax,
            "disallowed_loss": self.disallowed_loss,
            "permanently_disallowed_loss": self.permanently_disallowed_loss,
            "deferred_loss": self.disallowed_loss - self.permanently_disallowed_loss,
            "taxed_short_term_gain": self.taxed_short_term_gain,
            "taxed_long_term_gain": self.taxed_long_term_gain,
            "loss_deducted": self.loss_deducted,
            "carryforward": {
                "short_term": self.carryforward_short_term,
                "long_term": self.carryforward_long_term,
            },
            "short_term_rate": self.short_term_rate,
            "long_term_rate": self.long_term_rate,
            "allow_losses": self.allow_losses,
            "source": self.source,
            "method": TAX_METHOD if self.source == "engine" else STATED_METHOD,
        }


@dataclass(frozen=True)
class NearLongTerm:
    """A lot sold at a short-term gain that turns long-term within 30 days (dollars).

    ``tax_saved_by_waiting``: the plan's tax minus its tax with this lot's gain long-term.
    """

    account: str
    symbol: str
    lot: str
    acquired: dt.date
    long_term_on: dt.date
    days_to_long_term: int
    gain: float
    tax_saved_by_waiting: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return _lot_dict(self)


@dataclass(frozen=True)
class DeferredLot:
    """A lot ``defer_near_long_term`` kept from being sold (its unrealized gain, dollars)."""

    account: str
    symbol: str
    lot: str
    acquired: dt.date
    long_term_on: dt.date
    days_to_long_term: int
    unrealized_gain: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return _lot_dict(self)


@dataclass(frozen=True)
class RebalanceResult:
    """Everything a rebalance found (dollars, shares; shares of the household as decimals).

    Attributes
    ----------
    as_of : trade date. mode : requested mode; action : what was done ("full",
        "cash_flow_only" or "none"), with ``reason``.
    trades : the orders. accounts : each account before and after.
    tax : realized gains and their tax this year; trading_costs : dollars.
    near_long_term : lots sold at a short-term gain that turn long-term within 30 days, with
        the tax waiting would save; deferred_lots : lots ``defer_near_long_term`` kept;
        defer_near_long_term : the option.
    classes, target : (K, C) target dollars after cash flows; before, after : allocations;
    drift_before, drift_after : against the target with the bands.
    binding : constraints that keep a class out of its band (empty when all are inside).
    wash_sale : flagged loss sales and blocked groups; avoid_buying : groups sold at a loss
    now (do not buy them in any account for 30 days).
    notes : remarks; solver : model size, status and time.
    cost_benefit : what the realized tax buys (see :mod:`~assetloc.rebalance.costbenefit`).
    dropped_classes : classes left out of the target (no security can buy them).
    target_cash, cash_allowance : (K,) dollars of uninvested cash each account is meant to
        hold and may keep; stranded_cash : why an account keeps more than its allowance.
    The drifts carry a last row ``cash`` (uninvested cash).
    """

    as_of: dt.date
    mode: RebalanceMode
    action: str
    reason: str
    trades: tuple[Trade, ...]
    accounts: tuple[AccountState, ...]
    tax: RealizedTax
    trading_costs: float
    classes: tuple[str, ...]
    target: FloatArray
    before: Allocation
    after: Allocation
    drift_before: Drift
    drift_after: Drift
    binding: tuple[str, ...]
    wash_sale_flags: tuple[str, ...]
    blocked_groups: dict[str, list[str]]
    avoid_buying: tuple[str, ...]
    notes: tuple[str, ...]
    solver: dict[str, Any]
    cost_benefit: dict[str, Any] = field(default_factory=dict)
    dropped_classes: tuple[str, ...] = ()
    target_cash: FloatArray | None = None
    cash_allowance: FloatArray | None = None
    stranded_cash: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # class id -> human label
    method: dict[str, Any] = field(default_factory=dict)  # the target's universe, returns
    near_long_term: tuple[NearLongTerm, ...] = ()
    deferred_lots: tuple[DeferredLot, ...] = ()
    defer_near_long_term: bool = False

    @property
    def within_bands(self) -> bool:
        """True when every class ends inside its band."""
        return not self.drift_after.any_out

    @property
    def account_cash_target(self) -> FloatArray:
        """(K,) dollars of uninvested cash each account is meant to hold (0 unless it can buy
        nothing)."""
        if self.target_cash is None:
            return np.zeros(len(self.accounts))
        return self.target_cash

    def _allocation_dict(self) -> dict[str, Any]:
        ids = [s.id for s in self.accounts]
        per_account = []
        for k, acc_id in enumerate(ids):
            per_account.append(
                {
                    "id": acc_id,
                    "before": _class_map(self.classes, self.before.dollars[k]),
                    "after": _class_map(self.classes, self.after.dollars[k]),
                    "target": _class_map(self.classes, self.target[k]),
                    "cash_before": float(self.before.cash[k]),
                    "cash_after": float(self.after.cash[k]),
                    "cash_target": float(self.account_cash_target[k]),
                    "cash_allowance": float(self.cash_allowance[k])
                    if self.cash_allowance is not None
                    else 0.0,
                }
            )
        db, da = self.drift_before, self.drift_after
        n = len(self.classes)
        dollars_before = np.append(self.before.household, self.before.cash.sum())
        dollars_after = np.append(self.after.household, self.after.cash.sum())
        dollars_target = np.append(self.target.sum(axis=0), self.account_cash_target.sum())
        household = [
            {
                "class": c,
                "before": float(db.shares[i]),
                "after": float(da.shares[i]),
                "target": float(da.target[i]),
                "band": float(da.band[i]),
                "drift_before": float(db.drift[i]),
                "drift_after": float(da.drift[i]),
                "out_of_band_before": bool(db.out_of_band[i]),
                "out_of_band_after": bool(da.out_of_band[i]),
                "dollars_before": float(dollars_before[i]),
                "dollars_after": float(dollars_after[i]),
                "dollars_target": float(dollars_target[i]),
            }
            for i, c in enumerate(da.classes[: n + 1])
        ]
        return {"household": household, "accounts": per_account}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result (dollars, shares; shares of the household as decimals)."""
        return {
            "as_of": self.as_of.isoformat(),
            "mode": self.mode,
            "action": self.action,
            "reason": self.reason,
            "trades": [t.to_dict() for t in self.trades],
            "tax": self.tax.to_dict(),
            "near_long_term": [x.to_dict() for x in self.near_long_term],
            "defer_near_long_term": {
                "on": self.defer_near_long_term,
                "lots_not_sold": [x.to_dict() for x in self.deferred_lots],
            },
            "trading_costs": self.trading_costs,
            "before": {"accounts": [a.to_dict("before") for a in self.accounts]},
            "after": {"accounts": [a.to_dict("after") for a in self.accounts]},
            "allocation": self._allocation_dict(),
            "within_bands": self.within_bands,
            "binding": list(self.binding),
            "wash_sale": {
                "flagged_sales": list(self.wash_sale_flags),
                "blocked_groups": {g: list(r) for g, r in self.blocked_groups.items()},
                "avoid_buying_for_30_days": list(self.avoid_buying),
            },
            "notes": list(self.notes),
            "cost_benefit": dict(self.cost_benefit),
            "dropped_classes": list(self.dropped_classes),
            "stranded_cash": list(self.stranded_cash),
            **self.method,
            "solver": dict(self.solver),
            "notice": NOTICE,
        }

    def to_frame(self) -> pd.DataFrame:
        """Trades as a long table: one row per buy and per lot sold (or per untaxed sale)."""
        rows: list[dict[str, Any]] = []
        for t in self.trades:
            base = {"account": t.account, "symbol": t.symbol, "side": t.side, "price": t.price}
            if t.lots:
                for lot in t.lots:
                    rows.append(
                        base
                        | {
                            "shares": lot.shares,
                            "amount": lot.proceeds,
                            "acquired": lot.acquired,
                            "gain": lot.gain,
                            "term": lot.term,
                            "wash_sale": lot.wash_sale,
                        }
                    )
            else:
                rows.append(
                    base
                    | {
                        "shares": t.shares,
                        "amount": t.amount,
                        "acquired": None,
                        "gain": 0.0,
                        "term": None,
                        "wash_sale": False,
                    }
                )
        cols = [
            "account",
            "symbol",
            "side",
            "shares",
            "price",
            "amount",
            "acquired",
            "gain",
            "term",
            "wash_sale",
        ]
        import pandas as pd

        return pd.DataFrame(rows, columns=cols)

    def allocation_frame(self) -> pd.DataFrame:
        """Household allocation per class: before, after, target, band (decimals)."""
        import pandas as pd

        return pd.DataFrame(self._allocation_dict()["household"])

    def orders_rows(self) -> list[dict[str, str]]:
        """Rows of the broker bulk-upload CSV (strings; columns :data:`ORDER_COLUMNS`)."""
        out = []
        for t in self.trades:
            # acquired:shares:cost basis per share (tells apart two lots of one date)
            lots = ";".join(
                f"{lot.acquired.isoformat()}:{_qty(lot.shares)}:{lot.cost_basis / lot.shares:.4f}"
                for lot in t.lots
            )
            out.append(
                {
                    "account": t.account,
                    "action": t.side.upper(),
                    "symbol": t.symbol,
                    "quantity": _qty(t.shares),
                    "order_type": "MARKET",
                    "estimated_price": f"{t.price:.4f}",
                    "estimated_amount": f"{t.amount:.2f}",
                    "lots": lots,
                    "trade_date": self.as_of.isoformat(),
                }
            )
        return out

    def orders_csv(self) -> str:
        """:meth:`orders_rows` as CSV text (a header row; ``\r\n`` line ends, as the csv
        module writes them)."""
        buf = io.StringIO(newline="")
        writer = csv.DictWriter(buf, fieldnames=ORDER_COLUMNS)
        writer.writeheader()
        writer.writerows(self.orders_rows())
        return buf.getvalue()

    def write_orders(self, path: str | Path) -> None:
        """Write :meth:`orders_csv` to ``path`` (UTF-8)."""
        with Path(path).open("w", newline="", encoding="utf-8") as fh:
            fh.write(self.orders_csv())

    # ------------------------------------------------------------------ presentation

    def __repr__(self) -> str:
        """One line: date, action, trades, tax and whether every class ends in its band."""
        bands = "all classes within bands" if self.within_bands else "some classes out of band"
        return (
            f"<RebalanceResult {self.as_of.isoformat()} {self.action}: {len(self.trades)} "
            f"trades, estimated tax {usd(self.tax.estimated_tax, 0)}, {bands}>"
        )

    def summary(self) -> str:
        """The headline, then each class's share before, after and its target (percent)."""
        lines = [repr(self), f"  {self.reason}" if self.reason else ""]
        lines = [ln for ln in lines if ln]
        da, db = self.drift_after, self.drift_before
        for i, c in enumerate(da.classes):
            name = self.labels.get(c, c)
            lines.append(
                f"  {name:<32} before {pct(db.shares[i], 1):>6}  after {pct(da.shares[i], 1):>6}  "
                f"target {pct(da.target[i], 1):>6} ± {pct(da.band[i], 1)}"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The household allocation before, after and target (percent) for notebooks."""
        frame = self.allocation_frame().set_index("class")
        cols = ["before", "after", "target", "band", "drift_before", "drift_after"]
        return str(frame[cols].style.format(pct).set_caption(repr(self)).to_html())

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each class's drift from target before and after the trades, with its band
        (percentage points; a new figure without ``ax``)."""
        from assetloc.present import charts

        return charts.plot_drift(self, ax)


def _class_map(classes: tuple[str, ...], row: np.ndarray) -> dict[str, float]:
    return {c: float(v) for c, v in zip(classes, row, strict=True)}


def _qty(shares: float) -> str:
    """Shares as text: integers without decimals, else up to 6 decimals."""
    if abs(shares - round(shares)) < 1e-9:
        return str(round(shares))
    return f"{shares:.6f}".rstrip("0").rstrip(".")


def _lot_dict(lot: NearLongTerm | DeferredLot) -> dict[str, Any]:
    """A lot record as JSON: its fields, dates as ISO strings."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in asdict(lot).items()}

"""Small households with holdings, for the rebalance tests (dicts → Household)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assetloc import Household, parse_household

AS_OF = dt.date(2026, 6, 30)
LONG_AGO = "2020-01-15"  # long-term at AS_OF
RECENT = "2026-03-01"  # short-term at AS_OF
STOCK, BOND = "us_equity_large_cap", "us_corp_bonds_core"

# Test securities: two of each class in different groups, so replacements exist.
SECURITIES: list[dict[str, Any]] = [
    {"symbol": "STK", "asset_class": STOCK, "group": "stk"},
    {"symbol": "STK2", "asset_class": STOCK, "group": "stk2"},
    {"symbol": "BON", "asset_class": BOND, "group": "bon"},
    {"symbol": "BON2", "asset_class": BOND, "group": "bon2"},
]


def lot(acquired: str, shares: float, basis: float) -> dict[str, Any]:
    """A tax lot (basis = total dollars)."""
    return {"acquired": acquired, "shares": shares, "cost_basis": basis}


def pos(
    symbol: str, shares: float, price: float, lots: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A position; ``lots`` for taxable accounts."""
    out: dict[str, Any] = {"symbol": symbol, "shares": shares, "price": price}
    if lots is not None:
        out["lots"] = lots
    return out


def account(
    acc_id: str,
    acc_type: str,
    cash: float = 0.0,
    positions: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An account with holdings."""
    return {"id": acc_id, "type": acc_type, "cash": cash, "positions": positions or [], **extra}


def household_dict(
    accounts: list[dict[str, Any]],
    mix: dict[str, float] | None = None,
    *,
    securities: list[dict[str, Any]] | None = None,
    recent: list[dict[str, Any]] | None = None,
    rebalance: dict[str, Any] | None = None,
    ordinary: float = 0.37,
    gains: float = 0.15,
) -> dict[str, Any]:
    """A household dict: fixed mix (default 60/40), the test securities, as_of = AS_OF."""
    return {
        "investor": {"ordinary_rate": ordinary, "capital_gains_rate": gains},
        "accounts": accounts,
        "objective": {"kind": "fixed_mix", "mix": mix or {STOCK: 0.6, BOND: 0.4}},
        "securities": SECURITIES if securities is None else securities,
        "recent_trades": recent or [],
        "rebalance": {"as_of": AS_OF.isoformat(), **(rebalance or {})},
    }


def household(*args: Any, **kwargs: Any) -> Household:
    """:func:`household_dict` validated."""
    return parse_household(household_dict(*args, **kwargs))

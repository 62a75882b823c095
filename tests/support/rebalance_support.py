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


# ------------------------------------------------ independent references for the gain tax


def stated_tax(
    st: float, lt: float, r_s: float, r_l: float, credit: bool = True, limit: float = 3000.0
) -> float:
    """Schedule D at stated rates, written out: both nets gains, each at its own rate; one a
    loss, it offsets the other's gain and the rest is taxed at the rate of the term that
    remains; a net loss is deducted against ordinary income (the short-term rate) up to
    ``limit`` dollars, the rest carried forward (worth nothing this year)."""
    if st >= 0 and lt >= 0:
        tax = r_s * st + r_l * lt
    elif st + lt >= 0:
        tax = (r_s if st > 0 else r_l) * (st + lt)
    else:
        tax = -r_s * min(-(st + lt), limit)
    return tax if credit else max(tax, 0.0)


def wages_for_taxable_income(filer: Any, taxable: float) -> float:
    """Wages whose return has ``taxable`` dollars of taxable income (bisection)."""
    from assetloc.tax import Income, tax_return

    lo, hi = 0.0, taxable + 200_000.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if tax_return(filer, Income(wages=mid)).lines["taxable_income"] < taxable:
            lo = mid
        else:
            hi = mid
    return hi


def engine_increment(h: Household, st: float, lt: float) -> float:
    """tax_return(income + gains).total_tax - tax_return(income).total_tax (dollars), from
    :func:`assetloc.tax.tax_return` directly; floored at 0 unless losses earn credit."""
    from assetloc.tax import Filer, Income, tax_return

    inv = h.investor
    filer = Filer(
        filing_status=inv.filing_status,
        year=inv.tax_year,
        age=inv.age,
        spouse_age=inv.spouse_age,
        state_rate=inv.state_rate,
        muni_in_state=inv.muni_in_state,
    )
    if h.income is not None:
        base = dict(h.income.model_dump())
    else:
        base = {"wages": wages_for_taxable_income(filer, inv.taxable_income)}
    after = dict(base)
    after["short_term_gains"] = after.get("short_term_gains", 0.0) + st
    after["long_term_gains"] = after.get("long_term_gains", 0.0) + lt
    tax = tax_return(filer, Income(**after)).total_tax - tax_return(filer, Income(**base)).total_tax
    return tax if h.rebalance.allow_losses else max(tax, 0.0)


def reference_tax(h: Household, st: float, lt: float) -> float:
    """The tax of net gains ``st``, ``lt`` (dollars) by an independent reference: the
    engine's return for a household with a filing status, else :func:`stated_tax`."""
    inv = h.investor
    if inv.filing_status is not None:
        return engine_increment(h, st, lt)
    niit = 0.038 if inv.niit else 0.0
    assert inv.ordinary_rate is not None and inv.capital_gains_rate is not None
    return stated_tax(
        st,
        lt,
        inv.ordinary_rate + niit,
        inv.capital_gains_rate + niit,
        h.rebalance.allow_losses,
    )


def taxed_nets(r: Any) -> tuple[float, float]:
    """A result's net short- and long-term gain after disallowed losses, from its lots."""
    st = sum(x.gain + x.disallowed_loss for t in r.trades for x in t.lots if x.term == "short")
    lt = sum(x.gain + x.disallowed_loss for t in r.trades for x in t.lots if x.term == "long")
    return st, lt

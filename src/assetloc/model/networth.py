"""The household's net worth: human capital H and liabilities L as portfolios of classes.

Kaplan (DESIGN.md §3): W = F + H − L must be positive; the net-worth portfolio is
z = (F·e + H·h − L·l) / W, with e the after-tax exposure of financial assets and h, l the
class mixes of H and L, so E_W = μ'z and V_W = z'Σz. A present value may be given, or
computed from annual cash flows discounted at the expected return of the item's own mix
(Kaplan's weighted discount rate). Dollars; decimals per year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assetloc.errors import InputError
from assetloc.inputs.household import Household, NetWorthItem
from assetloc.inputs.limits import MAX_DOLLARS
from assetloc.types import FloatArray


def discount_rate(item: NetWorthItem, ids: tuple[str, ...], mu: FloatArray) -> float:
    """Expected return of the item's mix (pre-tax, decimal per year)."""
    return float(sum(w * mu[ids.index(c)] for c, w in item.mix.items()))


def present_value(
    item: NetWorthItem, ids: tuple[str, ...], mu: FloatArray, field: str = "item"
) -> float:
    """Dollars: as given, or Σ_t A(1+g)^(t−1) / (1+r)^t for t = 1..years."""
    if item.present_value is not None:
        return item.present_value
    cf = item.cash_flows
    if cf is None:
        raise InputError(field, "give present_value or cash_flows (not both)")
    r = discount_rate(item, ids, mu)
    if r <= -1.0:
        raise InputError(f"{field}.mix", f"discount rate {r} must exceed -1")
    t = np.arange(1, cf.years + 1)
    with np.errstate(over="ignore"):
        pv = float(np.sum(cf.annual_amount * (1 + cf.growth) ** (t - 1) / (1 + r) ** t))
    if not np.isfinite(pv) or pv > MAX_DOLLARS:
        raise InputError(f"{field}.cash_flows", f"present value {pv:.3g} is too large")
    return pv


def mix_vector(item: NetWorthItem, ids: tuple[str, ...]) -> FloatArray:
    """The item's mix as weights in class order, shape (n,)."""
    v = np.zeros(len(ids))
    for c, w in item.mix.items():
        v[ids.index(c)] = w
    return v


@dataclass(frozen=True)
class NetWorth:
    """H and L with their class mixes (dollars; mixes sum to 1 or are zero)."""

    human_capital: float
    human_mix: FloatArray
    liabilities: float
    liability_mix: FloatArray
    items: tuple[tuple[str, float], ...]  # (name, present value) of each item, for reports

    def offset(self) -> FloatArray:
        """H·h − L·l in dollars per class, shape (n,)."""
        return self.human_capital * self.human_mix - self.liabilities * self.liability_mix


def net_worth(h: Household, ids: tuple[str, ...], mu: FloatArray) -> NetWorth:
    """Present values and mixes of the household's human capital and liabilities."""
    n = len(ids)
    hc, hmix = 0.0, np.zeros(n)
    items: list[tuple[str, float]] = []
    if h.human_capital is not None:
        hc = present_value(h.human_capital, ids, mu, "human_capital")
        hmix = mix_vector(h.human_capital, ids)
        items.append(("human capital", hc))
    total_l, lmix = 0.0, np.zeros(n)
    for j, item in enumerate(h.liabilities):
        pv = present_value(item, ids, mu, f"liabilities[{j}]")
        total_l += pv
        lmix += pv * mix_vector(item, ids)
        items.append((f"liability {item.id}", pv))
    if total_l > 0:
        lmix /= total_l
    return NetWorth(hc, hmix, total_l, lmix, tuple(items))

"""Which constraints keep the household outside its bands, when the trades cannot reach them.

Two kinds of evidence:

* direct: an underweight class that no account can buy — no security held or listed maps to
  it, the wash-sale guard blocks every security that does, or the menus exclude them;
* counterfactual: the model is solved again (stage 1 only) with one family of constraints
  relaxed — sales in ``cash_flow_only`` mode, the wash-sale guard, the tax cap of the
  cost-benefit rule or the budgets, ``defer_near_long_term``, whole shares, the minimum
  trade, the cost per trade, account menus, and the separation of the accounts' cash (money
  cannot move between accounts). A family binds when relaxing it cuts the dollars outside
  the bands.

The tax cap is tried first; when relaxing it
alone brings every class inside its band, the other families are not tried (each is a solve).
When nothing relaxable helps (or none removes even half of the excess), the remaining cause is
the securities themselves: their class
splits cannot produce the target mix (a total-market fund brings small/mid caps with it).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assetloc.rebalance.trades import ModelSpec, TradeSolution, solve
from assetloc.units import usd

EXCESS_TOLERANCE = 1.0  # dollars: less than this outside the bands counts as inside


def _direct(spec: ModelSpec, sol: TradeSolution, out: np.ndarray) -> list[str]:
    book = spec.book
    found = []
    has_price = ~np.isnan(book.price).all(axis=0)
    for c in np.flatnonzero(out):
        if sol.household_deviation[c] >= 0:
            continue  # overweight: handled by the counterfactuals
        cid = book.classes[c]
        holds = book.split[:, c] > 0
        if not (holds & has_price).any():
            found.append(
                f"{cid}: no security held or listed (with a price) maps to this class; add "
                "one to [[securities]]"
            )
            continue
        blocked = holds & spec.buy_blocked
        if not (holds & ~spec.buy_blocked & has_price).any():
            syms = ", ".join(book.symbols[s] for s in np.flatnonzero(blocked))
            found.append(f"{cid}: the wash-sale guard blocks every security of the class ({syms})")
            continue
        if not (book.buyable[:, holds & ~spec.buy_blocked]).any():
            found.append(f"{cid}: no account's menu allows a security of this class")
    return found


def _cap_label(spec: ModelSpec) -> str:
    parts = []
    if spec.tax_cap is not None:
        parts.append(f"{usd(spec.tax_cap, 2)} of tax")
    if spec.gain_cap is not None:
        parts.append(f"{usd(spec.gain_cap, 2)} of net gain")
    return (
        f"the tax cap ({', '.join(parts)}: the cost-benefit rule's, or tax_budget / "
        "gain_budget): going closer realizes gains whose tax the modelled benefit does not repay"
    )


def binding_constraints(
    spec: ModelSpec, sol: TradeSolution, uncapped_excess: float | None = None
) -> list[str]:
    """Plain-language reasons the solution leaves classes outside their bands.

    ``uncapped_excess``: dollars beyond the bands without the tax cap, when already known
    (the cost-benefit rule's full rebalance): that family is then not solved again."""
    excess = float(sol.band_excess.sum())
    if excess <= EXCESS_TOLERANCE:
        return []
    out = sol.band_excess > EXCESS_TOLERANCE / max(1, len(sol.band_excess))
    book = spec.book
    cls = ", ".join(book.classes[c] for c in np.flatnonzero(out))
    reasons = [f"outside the bands after the trades: {cls} ({usd(excess, 0)} beyond the bands)"]
    direct = _direct(spec, sol, out)
    reasons += direct
    no_guard = np.zeros_like(spec.buy_blocked)
    families: list[tuple[bool, str, Callable[[], ModelSpec]]] = [
        (
            spec.tax_cap is not None or spec.gain_cap is not None,
            _cap_label(spec),
            lambda: spec.relaxed(tax_cap=None, gain_cap=None),
        ),
        (
            spec.sales == "cash_flow",
            "mode cash_flow_only: no sales beyond what withdrawals need",
            lambda: spec.relaxed(sales="all"),
        ),
        (
            bool(spec.buy_blocked.any()) or spec.couple,
            "wash-sale guard: groups sold at a loss cannot be bought",
            lambda: spec.relaxed(
                buy_blocked=no_guard,
                couple=False,
                loss_void=np.zeros_like(spec.loss_void),
                loss_forfeit=np.zeros_like(spec.loss_forfeit),
            ),
        ),
        (
            spec.lot_blocked is not None and bool(spec.lot_blocked.any()),
            "defer_near_long_term: lots that turn long-term within 30 days are not sold",
            lambda: spec.relaxed(lot_blocked=None),
        ),
        (spec.whole_shares, "whole shares", lambda: spec.relaxed(whole_shares=False)),
        (spec.min_trade > 0, "minimum trade size", lambda: spec.relaxed(min_trade=0.0)),
        (spec.cost_per_trade > 0, "cost per trade", lambda: spec.relaxed(cost_per_trade=0.0)),
        (True, "account menus (classes a plan offers)", lambda: spec.relaxed(menus=False)),
        (
            book.k > 1,
            "account cash: money cannot move between accounts",
            lambda: spec.relaxed(pooled_cash=True),
        ),
    ]
    found = False
    best_cut = excess
    for active, label, make in families:
        if not active:
            continue
        if uncapped_excess is not None and label.startswith("the tax cap"):
            cut = uncapped_excess
        else:
            cut = float(solve(make().relaxed(two_stage=False)).band_excess.sum())
        best_cut = min(best_cut, cut)
        if cut < excess - EXCESS_TOLERANCE:
            reasons.append(f"{label} (relaxed: {usd(cut, 0)} beyond the bands)")
            found = True
            if cut <= EXCESS_TOLERANCE and label.startswith("the tax cap"):
                break  # the cost-benefit rule (or a budget) alone explains it
    if not direct and (not found or best_cut > 0.5 * excess):
        reasons.append(
            "the securities' class splits: the funds available cannot produce the target mix "
            "(e.g. a total-market fund brings small/mid caps with it)"
        )
    return reasons

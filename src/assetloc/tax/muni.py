"""The break-even ordinary rate of municipal bonds against the core taxable bond.

A municipal bond pays interest free of federal tax (IRC §103) and of the NIIT; a
taxable bond pays the federal ordinary rate t, the NIIT n when it applies, and state
tax s on its interest except its Treasury (state-exempt) share; an out-of-state muni
pays the state rate, an in-state muni nothing. For classes whose whole return is
interest, the share of return kept in a taxable account is linear in t, so the rate t*
at which the muni class's after-tax return equals the core taxable bond's is closed form.
With yields y_m = r·y_b, a fully exempt muni and a fully taxable bond:

    y_m (1 − s·[out of state]) = y_b (1 − t* − n − s)
    t* = 1 − n − s − r (1 − s·[out of state])

Above t* the muni keeps more; below it the taxable bond does. :func:`break_even_rate` is
that formula with the bond's state-exempt share; :func:`muni_break_even` applies the
general linear form to a household's classes, returns and rate origin (rates simulated
from tax traits, the preset's published rates, or rates the file states).

Which class is the muni and which core bond it is priced from comes from the preset's
market reference (``muni_from`` in ``data/market_reference.toml``); the documented yield
ratio from ``data/muni_yields.toml``. Estimates, not tax advice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from assetloc.market.assumptions import MarketAssumptions, muni_yields
from assetloc.market.reference import preset_reference
from assetloc.market.traits import TaxTraits
from assetloc.tax.classes import ClassTaxes
from assetloc.tax.profile import TaxProfile
from assetloc.units import pct, ratio

__all__ = ["MuniBreakEven", "break_even_rate", "muni_break_even", "muni_line"]

_FLAT = 1e-12  # |slope| below this: the two after-tax returns do not depend on t


def break_even_rate(
    return_ratio: float,
    state_rate: float = 0.0,
    *,
    muni_in_state: bool = False,
    niit_rate: float = 0.0,
    bond_state_exempt_share: float = 0.0,
) -> float:
    """Federal ordinary rate t* at which a muni and a taxable bond keep the same return.

    Parameters
    ----------
    return_ratio : float
        r = muni return (or yield) / taxable bond return, both pre-tax, decimal ratio.
    state_rate : float
        Flat state rate on interest, decimal.
    muni_in_state : bool
        The munis are of the investor's state (no state tax on their interest).
    niit_rate : float
        The 3.8% NIIT when it applies at the margin (0 otherwise); munis do not pay it.
    bond_state_exempt_share : float
        Share of the bond's interest exempt from state tax (its Treasuries).

    Returns
    -------
    float
        t* = 1 − n − (1 − e_s)·s − r·(1 − s·[out of state]), decimal. Not clipped: t* ≤ 0
        means munis keep more at every rate, t* ≥ 1 − n − (1 − e_s)s at none.
    """
    muni_state = 0.0 if muni_in_state else state_rate
    return (
        1.0
        - niit_rate
        - (1.0 - bond_state_exempt_share) * state_rate
        - return_ratio * (1.0 - muni_state)
    )


@dataclass(frozen=True)
class MuniBreakEven:
    """The break-even rate for one household, or why there is none.

    Attributes
    ----------
    ordinary_rate : t*, the federal marginal ordinary rate (decimal) at which the muni class
        and the core bond keep the same after-tax return in a taxable account; ``None``
        with ``reason`` when it cannot be given.
    muni, compared_with : class ids of the muni and of the core taxable bond.
    household_rate : this household's federal marginal ordinary rate (decimal).
    muni_after_tax_higher : whether the muni keeps more than the core bond at that rate.
    return_ratio : pre-tax expected return of the muni / the core bond, as used (decimal).
    ratio, source : the documented AAA muni / Treasury yield ratio and where it comes from.
    basis : how the two effective tax rates are made (``computed``, ``preset``, ``given``).
    reason : why ``ordinary_rate`` is ``None`` (empty otherwise).
    """

    ordinary_rate: float | None
    muni: str | None = None
    compared_with: str | None = None
    household_rate: float | None = None
    muni_after_tax_higher: bool | None = None
    return_ratio: float | None = None
    ratio: float | None = None
    source: str = ""
    basis: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, Any] | None:
        """JSON-ready (decimals), or ``None`` when there is no break-even rate."""
        if self.ordinary_rate is None:
            return None
        return {
            "ordinary_rate": self.ordinary_rate,
            "compared_with": self.compared_with,
            "muni": self.muni,
            "household_rate": self.household_rate,
            "muni_after_tax_higher": self.muni_after_tax_higher,
            "return_ratio": self.return_ratio,
            "ratio": self.ratio,
            "basis": self.basis,
            "source": self.source,
        }

    def json_items(self) -> dict[str, Any]:
        """The top-level JSON keys of ``assetloc taxes --json``: ``muni_break_even`` (a
        dict, or null with ``muni_break_even_reason``)."""
        d = self.to_dict()
        return (
            {"muni_break_even": d}
            if d
            else {"muni_break_even": None, "muni_break_even_reason": self.reason}
        )

    def line(self) -> str:
        """One sentence for the terminal."""
        return muni_line(self.to_dict(), self.reason)


def muni_line(d: Mapping[str, Any] | None, reason: str = "") -> str:
    """The terminal sentence for a ``muni_break_even`` JSON value (None: ``reason``)."""
    if d is None:
        return f"Municipal bonds' break-even rate: none ({reason})."
    where = "munis keep more" if d["muni_after_tax_higher"] else "the taxable bond keeps more"
    return (
        f"Municipal bonds' break-even federal ordinary rate vs {d['compared_with']}: "
        f"{pct(d['ordinary_rate'], 1)} (this household {pct(d['household_rate'], 1)}: "
        f"{where} in a taxable account; muni / core return {ratio(d['return_ratio'])}; AAA muni / "
        f"Treasury yield ratio {ratio(d['ratio'], 2)}, {d['source']})."
    )


def _no(reason: str) -> MuniBreakEven:
    return MuniBreakEven(ordinary_rate=None, reason=reason)


def _all_interest(tr: TaxTraits | None) -> bool:
    return (
        tr is not None
        and tr.income_yield is None
        and tr.qualified_share == 0.0
        and tr.foreign_tax_share == 0.0
    )


def _keep_line(i: int, market: MarketAssumptions, taxes: ClassTaxes) -> tuple[float, float] | str:
    """(α, β): share of class i's return kept in a taxable account is α − β·t, or why not."""
    p = taxes.profile
    origin = taxes.origin[i]
    if origin in ("given", "preset"):  # a fixed rate: does not move with t
        return 1.0 - float(taxes.taxable_rate[i]), 0.0
    traits = market.traits[i] if market.traits else None
    if traits is None or not _all_interest(traits):
        return f"{market.ids[i]} is not all interest (no closed form)"
    e, se = traits.exempt_share, traits.state_exempt_share
    rest = 1.0 - e - se
    interest = p.kinds["taxable_interest"]
    cost0 = (1.0 - e) * interest.niit + rest * interest.state + e * p.exempt_interest
    return 1.0 - cost0, 1.0 - e


def federal_ordinary(profile: TaxProfile) -> float:
    """The household's federal marginal rate on interest, without NIIT (decimal)."""
    interest = profile.kinds["taxable_interest"]
    return interest.federal - interest.niit


def muni_break_even(market: MarketAssumptions, taxes: ClassTaxes) -> MuniBreakEven:
    """The break-even federal ordinary rate of ``market``'s muni class for this household.

    The after-tax return of class i is μ_i (α_i − β_i t), t the federal marginal ordinary
    rate with everything else of the household held (state rate, in-state munis, NIIT, the
    rates' origin), so t* = (μ_m α_m − μ_b α_b) / (μ_m β_m − μ_b β_b). μ are the expected
    returns the household uses (robust or as given). Clipping of rates at 99.9% is ignored.
    """
    ref = preset_reference(market.name)
    pairs = [] if ref is None else [(m, b) for m, (b, _) in ref.derived.items()]
    if not pairs:
        return _no("this market has no municipal-bond class priced from a core bond")
    held = [(m, b) for m, b in pairs if m in market.ids]
    if not held:
        return _no("the household's universe has no municipal-bond class")
    muni, base = held[0]
    if base not in market.ids:
        return _no(f"the household's universe leaves out {base}, the bond munis are priced from")
    im, ib = market.index(muni), market.index(base)
    mu_m, mu_b = float(market.expected_return[im]), float(market.expected_return[ib])
    if mu_m <= 0 or mu_b <= 0:
        return _no("an expected return is not positive")
    line_m, line_b = _keep_line(im, market, taxes), _keep_line(ib, market, taxes)
    if isinstance(line_m, str):
        return _no(line_m)
    if isinstance(line_b, str):
        return _no(line_b)
    (a_m, b_m), (a_b, b_b) = line_m, line_b
    slope = mu_m * b_m - mu_b * b_b
    if abs(slope) < _FLAT:
        return _no("the two after-tax returns do not depend on the ordinary rate")
    t_star = (mu_m * a_m - mu_b * a_b) / slope
    after = taxes.after_tax_return
    my = muni_yields()
    origins = {taxes.origin[im], taxes.origin[ib]}
    return MuniBreakEven(
        ordinary_rate=float(t_star),
        muni=muni,
        compared_with=base,
        household_rate=federal_ordinary(taxes.profile),
        muni_after_tax_higher=bool(np.greater(after[im], after[ib])),
        return_ratio=mu_m / mu_b,
        ratio=my.ratio,
        source=f"{my.maturity} {my.benchmark}, {my.ratio_date} (data/muni_yields.toml)",
        basis="/".join(sorted(origins)),
    )

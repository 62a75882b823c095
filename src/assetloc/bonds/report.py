"""One call: price or yield, measures and after-tax yields of one bond (`assetloc bond`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assetloc.bonds.after_tax import AfterTaxYield, BondTaxRates, after_tax_yields
from assetloc.bonds.pricing import (
    Bond,
    BondMeasures,
    PriceChange,
    measures,
    price_change,
    yield_from_price,
)
from assetloc.bonds.schedule import YIELD_RANGE, check_finite, check_meaningful_yield, yield_pct
from assetloc.errors import InputError
from assetloc.inputs.limits import MAX_YIELD, MIN_YIELD

# --------------------------------------------------------------------------- one call


@dataclass(frozen=True)
class BondReport:
    """All measures, optional after-tax yields and optional price-change check."""

    measures: BondMeasures
    after_tax: AfterTaxYield | None = None
    change: PriceChange | None = None

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON-ready dict: measures, then after-tax keys, then ``price_change``."""
        out = self.measures.to_dict()
        if self.after_tax is not None:
            out.update(self.after_tax.to_dict())
        if self.change is not None:
            out["price_change"] = self.change.to_dict()
        return out


def analyze(
    bond: Bond,
    *,
    yield_: float | None = None,
    clean_price: float | None = None,
    tax: BondTaxRates | None = None,
    dy: float | None = None,
) -> BondReport:
    """Measures of ``bond`` from exactly one of a yield or a clean price per 100.

    The yield, given or implied by the price, must be in ``[MIN_YIELD, MAX_YIELD]``
    (:func:`check_meaningful_yield`); the lower-level functions accept any yield > −q.

    Parameters
    ----------
    bond : Bond
    yield_ : float, optional
        Yield, decimal, compounded ``q`` a year.
    clean_price : float, optional
        Clean (quoted) price per 100 of face.
    tax : BondTaxRates, optional
        When given, after-tax and taxable-equivalent yields are added.
    dy : float, optional
        When given, the exact vs approximate price change for this yield move (decimal).
    """
    if clean_price is not None and yield_ is None:
        y = check_meaningful_yield(yield_from_price(bond, clean_price), clean_price=clean_price)
    elif yield_ is not None and clean_price is None:
        y = check_meaningful_yield(check_finite("yield", yield_))
    else:
        raise InputError("yield", "give exactly one of a yield or a price")
    if dy is not None and not MIN_YIELD <= y + check_finite("shift_bp", dy) <= MAX_YIELD:
        raise InputError(
            "shift_bp",
            f"moves the yield {yield_pct(y)} to {yield_pct(y + dy)}, outside the meaningful range "
            f"{YIELD_RANGE}",
        )
    m = measures(bond, y)
    after = after_tax_yields(m.yield_, tax) if tax is not None else None
    change = price_change(bond, m.yield_, dy) if dy is not None else None
    return BondReport(measures=m, after_tax=after, change=change)

"""What tax does to each asset class for one household (``assetloc taxes``).

Per class: pre-tax return, the effective tax rate in a taxable account and its origin,
Morningstar's tax cost ratio, the after-tax return in each account type, and the tax
traits used; plus the investor's rates and every assumption. Decimals per year.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from assetloc.analysis.optimize import method_summary
from assetloc.inputs.household import Household
from assetloc.model.market import resolve_market
from assetloc.notice import NOTICE
from assetloc.tax.classes import ClassTaxes, class_taxes
from assetloc.tax.effective import ACCOUNT_TYPES
from assetloc.tax.muni import MuniBreakEven, muni_break_even


@dataclass(frozen=True)
class TaxSummary:
    """Per-class tax effects for a household."""

    class_ids: tuple[str, ...]
    pre_tax_return: tuple[float, ...]
    taxes: ClassTaxes
    traits: tuple[dict[str, Any] | None, ...]
    method: dict[str, Any]  # universe and how the expected returns were made
    labels: tuple[str, ...] = ()  # the preset's human labels, in class order
    muni: MuniBreakEven | None = None  # municipal bonds' break-even ordinary rate

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: decimals per year."""
        t = self.taxes
        classes = []
        for i, cid in enumerate(self.class_ids):
            mu = self.pre_tax_return[i]
            classes.append(
                {
                    "id": cid,
                    "label": self.labels[i] if self.labels else cid,
                    "pre_tax_return": mu,
                    "effective_tax_rate": float(t.taxable_rate[i]),
                    "tax_cost_ratio": float(t.tax_cost_ratio[i]),
                    "origin": t.origin[i],
                    "after_tax_return": {
                        kind: float(mu * t.keep(kind)[i]) for kind in ACCOUNT_TYPES
                    },
                    "traits": self.traits[i],
                }
            )
        return {
            "classes": classes,
            "rates": t.profile.rates(),
            "assumptions": list(t.assumptions),
            **self.method,
            **(self.muni.json_items() if self.muni else {}),
            "notice": NOTICE,
        }


def tax_summary(h: Household) -> TaxSummary:
    """Effective tax rates and after-tax returns of the household's classes."""
    market = resolve_market(h)
    taxes = class_taxes(market, h)
    traits = market.traits or (None,) * len(market.ids)
    return TaxSummary(
        class_ids=market.ids,
        pre_tax_return=tuple(float(x) for x in market.expected_return),
        taxes=taxes,
        traits=tuple(None if tr is None else asdict(tr) for tr in traits),
        method=method_summary(market),
        labels=market.labels,
        muni=muni_break_even(market, taxes),
    )

"""What harvesting a loss is worth: this year's tax saved and the long-run value (dollars).

``tax_value_now``: the tax the loss saves THIS year by the household's gain tax
(:mod:`assetloc.tax.gains`): tax(income + gains) − tax(income + gains − loss), the loss
added to the year's short- or long-term gains, so Schedule D netting, the $3,000 ordinary
offset ($1,500 married filing separately) and the carryforward are the tax engine's (by
the year's return with a filing status and ``[income]``; else at the stated marginal
rates). ``carryforward``: the part of the loss the year cannot use (carried to next year;
valued here at nothing).

``deferral_value``: the replacement is bought at today's price, so its basis is lower than
the lot's by the loss and the gain at the horizon larger by it: the extra tax, at the
household's long-term rate, paid ``horizon_years`` from now, is discounted at the
after-tax bond rate (the market's cash rate × (1 − the ordinary rate on interest)) or a
stated rate. deferral_value = tax_value_now − loss × long-term rate / (1 + r)^T. With
``liquidation = "step_up"`` (or ``"donate"``) the extra tax is never paid and the two are
equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from assetloc.inputs.household import Household
from assetloc.ledger.records import Term
from assetloc.tax.gains import GainTax
from assetloc.tax.situation import TaxSituation, tax_situation
from assetloc.types import Liquidation


@dataclass(frozen=True)
class Valuer:
    """The household's gain tax and the deferral's inputs (decimals, years)."""

    gain_tax: GainTax
    long_term_rate: float
    discount_rate: float
    horizon_years: int
    extra_tax_paid: bool  # False with a step-up or a donation at the horizon
    source: str

    def tax_value_now(self, loss: float, term: Term) -> tuple[float, float]:
        """(tax saved this year, loss carried forward), dollars, for a ``loss`` > 0."""
        st, lt = (-loss, 0.0) if term == "short" else (0.0, -loss)
        base = self.gain_tax.detail(0.0, 0.0)
        after = self.gain_tax.detail(st, lt)
        carry = (after.carryforward_short_term + after.carryforward_long_term) - (
            base.carryforward_short_term + base.carryforward_long_term
        )
        return base.tax - after.tax, max(carry, 0.0)

    def extra_tax_pv(self, loss: float) -> float:
        """Present value (dollars) of the extra tax the lower basis costs at the horizon."""
        if not self.extra_tax_paid:
            return 0.0
        return loss * self.long_term_rate / (1.0 + self.discount_rate) ** self.horizon_years


def valuer(h: Household, discount_rate: float | None = None) -> Valuer:
    """The household's valuer: its gain tax (losses credited), long-term rate, horizon, and
    the after-tax bond rate (or ``discount_rate``, a decimal)."""
    situation: TaxSituation = tax_situation(h.investor, h.income)
    gain_tax = situation.gain_tax(allow_losses=True)
    profile = situation.profile
    if discount_rate is None:
        from assetloc.model.market import resolve_market

        cash = resolve_market(h).cash_rate
        discount_rate = cash * (1.0 - profile.ordinary_investment)
    inv = h.investor
    return Valuer(
        gain_tax=gain_tax,
        long_term_rate=profile.long_term,
        discount_rate=discount_rate,
        horizon_years=inv.horizon_years,
        extra_tax_paid=inv.liquidation == Liquidation.LIQUIDATE,
        source=gain_tax.source,
    )

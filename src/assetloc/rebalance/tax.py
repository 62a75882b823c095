"""Tax of realized gains: holding period and the estimated tax of a set of lot sales.

Holding period (IRC §1222): a lot is long-term when held MORE than one year, i.e. sold
after the anniversary of its acquisition (a lot bought on Feb 29 has its anniversary on
Feb 28). Everything else is short-term.

Estimated tax of net short-term gain ST and net long-term gain LT (dollars; negative for a
net loss), with r_s the ordinary rate and r_l the long-term rate::

    tax = max( r_s·ST + r_l·LT,  min(r_s, r_l)·(ST + LT) )       [, 0 when losses earn no credit]

This is exact when both nets are gains, when both are losses (credited at the lower rate,
which is what a carried-forward loss saves against future long-term gains), and when a
short-term loss offsets long-term gains (at the long-term rate, as Schedule D nets them).
When a long-term loss offsets short-term gains it is credited at the long-term rate, not
the ordinary rate: conservative (it overstates the tax). The maximum of two linear
functions is convex, so the optimization can use it (two rows in an LP). The $3,000 a year
of net loss deductible against ordinary income is not modelled. With ``allow_losses =
false`` a net loss earns no credit (the tax is floored at zero); losses still offset gains
realized in the same rebalance. Estimates, not tax advice.

That convex bound is what the optimization minimizes (conservative). The REPORTED estimate
is :func:`schedule_d_tax`, Schedule D's netting: a net loss of one term offsets a net gain
of the other, and what remains is taxed at the rate of its own term (a net loss credited
at the lower rate).
"""

from __future__ import annotations

from dataclasses import dataclass

from assetloc.holdings import is_long_term

__all__ = ["TaxRates", "estimated_tax", "is_long_term", "realized_tax", "schedule_d_tax"]


@dataclass(frozen=True)
class TaxRates:
    """Marginal rates (decimals) on short-term and long-term gains; whether losses count."""

    short_term: float
    long_term: float
    allow_losses: bool = True

    @property
    def lower(self) -> float:
        """The lower of the two rates: what a net loss is credited at."""
        return min(self.short_term, self.long_term)


def estimated_tax(short_term_gain: float, long_term_gain: float, rates: TaxRates) -> float:
    """Estimated tax (dollars, negative = a credit) of net gains in dollars (module doc)."""
    tax = max(
        rates.short_term * short_term_gain + rates.long_term * long_term_gain,
        rates.lower * (short_term_gain + long_term_gain),
    )
    return tax if rates.allow_losses else max(tax, 0.0)


def schedule_d_tax(short_term_gain: float, long_term_gain: float, rates: TaxRates) -> float:
    """Estimated tax (dollars) of net gains by Schedule D netting (module doc).

    Both nets gains: each at its own rate. Of opposite signs: the loss offsets the gain and
    the remainder is taxed at the rate of the term that remains (a gain), or credited at the
    lower rate (a net loss). Both losses: credited at the lower rate. Floored at zero when
    losses earn no credit.
    """
    st, lt = short_term_gain, long_term_gain
    if st >= 0 and lt >= 0:
        tax = rates.short_term * st + rates.long_term * lt
    else:
        net = st + lt
        if net < 0:
            tax = rates.lower * net
        else:  # one net is a loss, and the other (a gain) is larger: it remains
            tax = (rates.short_term if st > 0 else rates.long_term) * net
    return tax if rates.allow_losses else max(tax, 0.0)


def realized_tax(short_term_gain: float, long_term_gain: float, rates: TaxRates) -> float:
    """THE estimated tax (dollars) of a rebalance's net realized gains (dollars).

    Every report and the cost-benefit rule call this one function, so that a more exact tax
    engine can replace it in one place. Today: :func:`schedule_d_tax`.
    """
    return schedule_d_tax(short_term_gain, long_term_gain, rates)

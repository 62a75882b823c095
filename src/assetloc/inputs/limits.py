"""Limits that catch typos in input numbers, and hints for the commonest one.

A number beyond these is taken for an input error (exit 2) naming its field, never clipped:

* dollars (balances, cash, cash flows, cost bases, a position's or an account's market
  value, present values): at most ``MAX_DOLLARS`` = $10^13;
* prices: from ``MIN_PRICE`` = $0.0001 to ``MAX_PRICE`` = $10^7 per share;
* shares: at most ``MAX_SHARES`` = 10^9 in one position, lot or trade (so shares keep
  their 10^-6 order quantum in a float);
* bonds: yields (given, implied by a price, or shifted) from ``MIN_YIELD`` = −10% to
  ``MAX_YIELD`` = 100% a year, coupons at most ``MAX_COUPON`` = 100% a year (decimals),
  at most ``MAX_BOND_YEARS`` = 100 years to maturity.

Rates, shares and returns are decimals (0.24 = 24%): :func:`decimal_hint` says so when a
value looks like a percentage.
"""

from __future__ import annotations

from assetloc.units import pct_g

MAX_DOLLARS = 1e13
MIN_PRICE = 1e-4  # dollars per share
MAX_PRICE = 1e7  # dollars per share
MAX_SHARES = 1e9
MIN_YIELD = -0.10  # decimal a year
MAX_YIELD = 1.0  # decimal a year
MAX_COUPON = 1.0  # decimal a year
MAX_BOND_YEARS = 100.0  # years to maturity
PERCENT_LIKE = 100.0  # a value in (bound, 100] where a decimal <= bound is wanted


def _noun(field: str) -> str:
    """The plural a hint speaks of, from the field's name."""
    name = field.rsplit(".", 1)[-1].lower()
    for suffix, noun in (
        ("rate", "rates"),
        ("yield", "yields"),
        ("coupon", "coupons"),
        ("growth", "growth rates"),
        ("return", "returns"),
        ("volatility", "volatilities"),
    ):
        if name.rstrip("_").endswith(suffix):
            return noun
    return "shares"


def decimal_hint(field: str, value: object, bound: float) -> str:
    """``"; rates are decimals: 0.24 for 24%"`` when ``value`` looks like a percentage.

    That is a number above ``bound`` (the field's largest decimal) and at most 100; else "".
    A field whose bound is above 1 is a decimal only if its name says so (a rate, a yield,
    ...): an age or a count of years is no share, and gets no hint.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    v = float(value)
    if not bound < v <= PERCENT_LIKE or v <= 1.0:
        return ""
    noun = _noun(field)
    if bound > 1.0 and noun == "shares":
        return ""
    return f"; {noun} are decimals: {v / 100:g} for {pct_g(v / 100, 6)}"

"""The tax feed: the ledger's recognized gains of the tax year into the ``[income]`` table.

``[ledger] gains_to_income = true``: the net short- and long-term gains the ledger's
sales of ``investor.tax_year`` recognize (after the losses wash sales disallow; dollars,
negative for a net loss; :func:`assetloc.ledger.form8949.realized_totals`) become the
``[income]`` table's ``short_term_gains`` and ``long_term_gains``, for every command that
computes the year's tax (``tax-year``, ``taxes``, ``harvest``, the rebalance's baseline).
An ``[income]`` table that states nonzero gains as well is an error: give one or the other.
"""

from __future__ import annotations

from collections.abc import Iterable

from assetloc.errors import InputError
from assetloc.inputs.household import Household
from assetloc.ledger.form8949 import realized_totals
from assetloc.ledger.records import Sale
from assetloc.units import usd


def year_totals(sales: Iterable[Sale], year: int) -> tuple[float, float]:
    """(short-term, long-term) recognized net gains of ``year`` (dollars), by
    :func:`~assetloc.ledger.form8949.realized_totals`."""
    totals = realized_totals(sales, year)
    return totals["short_term"], totals["long_term"]


def gains_note(year: int, st: float, lt: float, through: str) -> str:
    """The assumption line that says where the year's gains came from."""
    return (
        f"{year} realized gains from the ledger ([ledger] gains_to_income), sales through "
        f"{through}: short-term {usd(st, 2)}, long-term {usd(lt, 2)} (recognized, after "
        "the losses wash sales disallow)"
    )


def household_with_gains(h: Household, st: float, lt: float) -> Household:
    """``h`` with its ``[income]`` gains set to ``st`` and ``lt`` (dollars)."""
    if h.income is None:
        raise InputError(
            "ledger.gains_to_income",
            "needs an [income] table (with investor.filing_status): the ledger's gains go into it",
        )
    for name in ("short_term_gains", "long_term_gains"):
        if getattr(h.income, name) != 0:
            raise InputError(
                f"income.{name}",
                "is also fed from the ledger ([ledger] gains_to_income = true): give one or "
                "the other",
            )
    income = h.income.model_copy(update={"short_term_gains": st, "long_term_gains": lt})
    return h.model_copy(update={"income": income})

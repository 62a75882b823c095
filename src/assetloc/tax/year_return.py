"""One household's return for one year, its marginal rates, and a batch over many.

:func:`tax_return` computes the return of a :class:`~assetloc.tax.income.Filer` with an
:class:`~assetloc.tax.income.Income` (dollars); :func:`marginal_rates` the tax of one
more dollar of each kind of income, by the engine itself (the increment of the total tax,
federal + NIIT + state, per dollar); :func:`batch_returns` many returns at once (numpy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from assetloc.tax.engine import FLOATS, NOT_MODELLED, compute_lines
from assetloc.tax.income import INCOME_KEYS, Filer, Income
from assetloc.tax.law import STATUSES, status_code, year_law
from assetloc.types import FloatArray

#: Kinds of income with a marginal rate, and the ``[income]`` keys one more dollar adds to.
MARGINAL_KINDS: Mapping[str, tuple[str, ...]] = {
    "ordinary": ("wages",),
    "taxable_interest": ("taxable_interest",),
    "treasury_interest": ("treasury_interest",),
    "tax_exempt_interest": ("tax_exempt_interest",),
    "ordinary_dividends": ("ordinary_dividends",),
    "qualified_dividends": ("ordinary_dividends", "qualified_dividends"),
    "short_term_gains": ("short_term_gains",),
    "long_term_gains": ("long_term_gains",),
    "ira_distributions": ("ira_distributions",),
}
#: The step of a marginal rate: the tax of the next dollar.
MARGINAL_STEP = 1.0
#: Marginal rates are rounded to this many decimals (float noise of the difference).
MARGINAL_DIGITS = 8


@dataclass(frozen=True)
class MarginalRate:
    """Tax of one more dollar of a kind of income (decimals): federal (with NIIT), state.

    ``niit``: the part of ``federal`` that is the net investment income tax.
    """

    federal: float
    state: float
    niit: float = 0.0

    @property
    def total(self) -> float:
        """Federal + NIIT + state."""
        return self.federal + self.state


@dataclass(frozen=True)
class TaxReturn:
    """A computed return (dollars; rates decimal). ``lines``: every engine line."""

    filer: Filer
    income: Income
    lines: Mapping[str, float]
    marginal: Mapping[str, MarginalRate]

    @property
    def total_tax(self) -> float:
        """Federal income tax + NIIT + state tax, dollars."""
        return self.lines["total_tax"]

    @property
    def average_rate(self) -> float:
        """Total tax / AGI (0 when AGI <= 0)."""
        agi = self.lines["agi"]
        return self.total_tax / agi if agi > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The return as JSON-ready data (dollars; rates decimal)."""
        ln = self.lines
        f = self.filer
        return {
            "year": f.year,
            "filing_status": f.filing_status,
            "income": self.income.as_dict(),
            "federal": {
                "capital_gain_or_loss": ln["capital_gain_or_loss"],
                "taxable_social_security": ln["taxable_social_security"],
                "agi": ln["agi"],
                "standard_deduction": ln["standard_deduction"],
                "itemized_deduction": ln["itemized_deduction"],
                "deduction": ln["deduction"],
                "deduction_kind": "itemized"
                if ln["itemized_deduction"] > ln["standard_deduction"]
                else "standard",
                "senior_deduction": ln["senior_deduction"],
                "taxable_income": ln["taxable_income"],
                "ordinary_taxable_income": ln["ordinary_taxable_income"],
                "gains_worksheet": {
                    "at_0": ln["gains_at_0"],
                    "at_15": ln["gains_at_15"],
                    "at_20": ln["gains_at_20"],
                },
                "ordinary_tax": ln["ordinary_tax"],
                "capital_gains_tax": ln["capital_gains_tax"],
                "regular_tax": ln["regular_tax"],
                "net_investment_income": ln["net_investment_income"],
                "niit": ln["niit"],
                "total": ln["federal_total"],
                "loss_deducted": ln["loss_deducted"],
                "carryforward": {
                    "short_term": ln["carryforward_short_term"],
                    "long_term": ln["carryforward_long_term"],
                },
            },
            "state": {
                "rate": f.state_rate,
                "taxable_income": ln["state_taxable_income"],
                "tax": ln["state_tax"],
            },
            "total_tax": self.total_tax,
            "average_rate": self.average_rate,
            "marginal_rates": {k: m.total for k, m in self.marginal.items()},
            "marginal_rates_detail": {
                k: {"federal_rate": m.federal, "niit_rate": m.niit, "state_rate": m.state}
                for k, m in self.marginal.items()
            },
            "not_modelled": list(NOT_MODELLED),
        }


def lines_of(filer: Filer, income: Mapping[str, float]) -> dict[str, float]:
    """Every line of one return (dollars), by the one-return (float) path of the engine."""
    law = year_law(filer.year)
    out = compute_lines(
        law,
        status_code(filer.filing_status),
        filer.people_65,
        filer.state_rate,
        1.0 if filer.muni_in_state else 0.0,
        income,
        FLOATS,
    )
    return {k: float(v) for k, v in out.items()}


def marginal_rates(
    filer: Filer, income: Income, base: Mapping[str, float] | None = None
) -> dict[str, MarginalRate]:
    """Tax of one more dollar of each of :data:`MARGINAL_KINDS` (decimals), by the engine."""
    step = MARGINAL_STEP
    amounts = income.as_dict()
    lines = lines_of(filer, amounts) if base is None else base
    out = {}
    for kind, keys in MARGINAL_KINDS.items():
        bumped = dict(amounts)
        for k in keys:
            bumped[k] += step
        up = lines_of(filer, bumped)
        out[kind] = MarginalRate(
            federal=round((up["federal_total"] - lines["federal_total"]) / step, MARGINAL_DIGITS),
            state=round((up["state_tax"] - lines["state_tax"]) / step, MARGINAL_DIGITS),
            niit=round((up["niit"] - lines["niit"]) / step, MARGINAL_DIGITS),
        )
    return out


def tax_return(filer: Filer, income: Income) -> TaxReturn:
    """The return of ``filer`` with ``income``, with its marginal rates."""
    lines = lines_of(filer, income.as_dict())
    return TaxReturn(
        filer=filer, income=income, lines=lines, marginal=marginal_rates(filer, income, lines)
    )


def total_tax(filer: Filer, income: Mapping[str, float]) -> float:
    """Total tax (dollars): federal income tax + NIIT + state, of one return."""
    return lines_of(filer, income)["total_tax"]


def batch_returns(
    year: int,
    filing_status: ArrayLike,
    income: Mapping[str, ArrayLike],
    *,
    age: ArrayLike | None = None,
    spouse_age: ArrayLike | None = None,
    state_rate: ArrayLike = 0.0,
    muni_in_state: ArrayLike = False,
) -> dict[str, FloatArray]:
    """Every line of n returns of one year at once (arrays, dollars).

    ``filing_status``: status names (or codes 0..4 of
    :data:`~assetloc.tax.law.STATUSES`); ``income``: arrays per
    :data:`~assetloc.tax.income.INCOME_KEYS` (missing keys are 0); ages in years (missing =
    under 65). No input checks beyond shapes: validate with :class:`Income` first.
    """
    raw = np.asarray(filing_status)
    if raw.dtype.kind in "iu":
        status = raw.astype(np.intp)
    else:
        codes = {s: i for i, s in enumerate(STATUSES)}
        status = np.array([codes[str(s)] for s in raw.ravel()], dtype=np.intp)
    n = status.shape[0]
    zero = np.zeros(n)
    cols = {k: np.broadcast_to(np.asarray(income.get(k, zero), float), (n,)) for k in INCOME_KEYS}
    head = np.zeros(n) if age is None else np.broadcast_to(np.asarray(age, float), (n,))
    spouse = (
        np.zeros(n) if spouse_age is None else np.broadcast_to(np.asarray(spouse_age, float), (n,))
    )
    joint = status == STATUSES.index("married_filing_jointly")
    people = (head >= 65).astype(np.intp) + ((spouse >= 65) & joint).astype(np.intp)
    return compute_lines(
        year_law(year),
        status,
        people,
        np.broadcast_to(np.asarray(state_rate, float), (n,)),
        np.broadcast_to(np.asarray(muni_in_state, float), (n,)),
        cols,
    )

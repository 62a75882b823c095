"""The report's "The year's tax" section: the household's return and its marginal rates.

Input: the household's :class:`~assetloc.tax.household_return.TaxYear` (dollars; rates
decimal), or None for a household with stated rates (the template then says the rates are
stated and apply to every dollar). Output: a :class:`TaxSection` of formatted text that
``templates/tax.html.j2`` lays out.
"""

from __future__ import annotations

from dataclasses import dataclass

from assetloc.notice import NOTICE
from assetloc.present.fmt import pct, usd
from assetloc.tax.engine import NOT_MODELLED
from assetloc.tax.household_return import TaxYear

#: The return's lines shown: (engine line, label).
_LINES = (
    ("capital_gain_or_loss", "Capital gain or (loss), after the $3,000 limit"),
    ("taxable_social_security", "Taxable Social Security"),
    ("agi", "Adjusted gross income"),
    ("deduction", "Deduction"),
    ("senior_deduction", "Senior deduction (65+)"),
    ("taxable_income", "Taxable income"),
    ("ordinary_tax", "Tax on ordinary income"),
    ("capital_gains_tax", "Tax on qualified dividends and gains (0/15/20%)"),
    ("niit", "Net investment income tax (3.8%)"),
    ("federal_total", "Federal total"),
)


def return_usd(x: float) -> str:
    """Whole dollars as on a return: losses in parentheses, ``($1,234)``."""
    return usd(x, 0, parens=True)


@dataclass(frozen=True)
class TaxSection:
    """The return's lines and marginal rates as text (dollars; percents)."""

    year: str
    filing_status: str
    income_source: str
    lines: tuple[tuple[str, str], ...]  # (label, amount)
    carryforward: str  # "short / long", or "" when nothing carries forward
    state_tax: str
    total_tax: str
    marginal_rates: tuple[tuple[str, str], ...]  # (kind, rate)
    not_modelled: str
    notice: str


def tax_section(ty: TaxYear) -> TaxSection:
    """The section's content for the household's return."""
    ret = ty.tax_return
    ln = ret.lines
    names = dict(_LINES)
    if ty.filing_status == "married_filing_separately":
        names["capital_gain_or_loss"] = "Capital gain or (loss), after the $1,500 limit"
    kind = "itemized" if ln["itemized_deduction"] > ln["standard_deduction"] else "standard"
    names["deduction"] = f"Deduction ({kind})"
    short, long_ = ln["carryforward_short_term"], ln["carryforward_long_term"]
    return TaxSection(
        year=str(ty.year),
        filing_status=ty.filing_status.replace("_", " "),
        income_source=ty.income_source,
        lines=tuple((names[key], return_usd(ln[key])) for key, _ in _LINES),
        carryforward=f"{return_usd(short)} / {return_usd(long_)}" if short or long_ else "",
        state_tax=return_usd(ln["state_tax"]),
        total_tax=return_usd(ret.total_tax),
        marginal_rates=tuple((k.replace("_", " "), pct(m.total)) for k, m in ret.marginal.items()),
        not_modelled="; ".join(NOT_MODELLED),
        notice=NOTICE,
    )

"""Terminal tables of the year's return (`assetloc tax-year`): lines, marginal rates, notes."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from assetloc.present.fmt import CENT, pct
from assetloc.present.fmt import console as new_console
from assetloc.present.tax_section import return_usd as _usd

_FEDERAL_LINES = (
    ("capital_gain_or_loss", "Capital gain or (loss), after the $3,000 loss limit"),
    ("taxable_social_security", "Taxable Social Security"),
    ("agi", "Adjusted gross income (AGI)"),
    ("deduction", "Deduction"),
    ("senior_deduction", "Senior deduction (65+)"),
    ("taxable_income", "Taxable income"),
    ("ordinary_taxable_income", "  of which ordinary"),
    ("ordinary_tax", "Tax on ordinary income"),
    ("capital_gains_tax", "Tax on qualified dividends and gains"),
    ("regular_tax", "Regular tax"),
    ("net_investment_income", "Net investment income"),
    ("niit", "Net investment income tax (3.8%)"),
    ("total", "Federal total"),
)


def _return_table(d: dict[str, Any]) -> Table:
    """The federal and state return, line by line (dollars)."""
    f, s = d["federal"], d["state"]
    t = Table(title=f"Tax year {d['year']}, {d['filing_status']} (dollars)")
    t.add_column("line")
    t.add_column("amount", justify="right")
    for key, label in _FEDERAL_LINES:
        if key == "capital_gain_or_loss" and d["filing_status"] == "married_filing_separately":
            label = label.replace("$3,000", "$1,500")
        if key == "deduction":
            label = f"Deduction ({f['deduction_kind']})"
            claimed = d["income"]["itemized_deductions"]
            if f["deduction_kind"] == "itemized" and claimed > f["itemized_deduction"] + CENT:
                t.add_row(
                    "  itemized claimed, less the §68 cut (2/37)",
                    f"{_usd(claimed)} − {_usd(claimed - f['itemized_deduction'])}",
                )
        t.add_row(label, _usd(f[key]))
        if key == "capital_gains_tax":
            ws = f["gains_worksheet"]
            t.add_row(
                "  worksheet: at 0% / 15% / 20%",
                f"{_usd(ws['at_0'])} / {_usd(ws['at_15'])} / {_usd(ws['at_20'])}",
            )
    cf = f["carryforward"]
    if f["loss_deducted"] or cf["short_term"] or cf["long_term"]:
        t.add_row("Capital loss deducted", _usd(f["loss_deducted"]))
        t.add_row(
            "Carryforward to next year (short / long)",
            f"{_usd(cf['short_term'])} / {_usd(cf['long_term'])}",
        )
    t.add_row(f"State taxable income (flat {pct(s['rate'], 2)})", _usd(s["taxable_income"]))
    t.add_row("State tax", _usd(s["tax"]))
    t.add_row("Total tax", _usd(d["total_tax"]), style="bold")
    t.add_row("Average rate (of AGI)", pct(d["average_rate"], 1))
    return t


def print_tax_year(d: dict[str, Any]) -> None:
    """Print the return document ``d`` (:func:`~assetloc.tax.household_return.return_document`)."""
    console = new_console()
    console.print(_return_table(d))
    rates = Table(title="Marginal rates: tax of one more dollar (federal incl. NIIT + state)")
    rates.add_column("kind of income")
    for col in ("total", "federal", "of which NIIT", "state"):
        rates.add_column(col, justify="right")
    for kind, m in d["marginal_rates_detail"].items():
        rates.add_row(
            kind.replace("_", " "),
            pct(m["federal_rate"] + m["state_rate"], 1),
            pct(m["federal_rate"], 1),
            pct(m["niit_rate"], 1),
            pct(m["state_rate"], 1),
        )
    console.print(rates)
    console.print(escape(f"Income: {d['income_source']}."))
    console.print("Not modelled: " + escape("; ".join(d["not_modelled"])) + ".")
    console.print(d["notice"])

"""The report's "The year's tax" section: the household's return and its marginal rates.

Input: the JSON of ``assetloc tax-year`` (dollars; rates decimal), or None for a household
with stated rates (the section then says the rates are stated and apply to every dollar).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from assetloc.present.fmt import pct

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
    ("total", "Federal total"),
)


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _usd(x: float) -> str:
    return f"${x:,.0f}" if x >= 0 else f"(${-x:,.0f})"


def tax_section(ret: Mapping[str, Any] | None) -> str:
    """HTML of the section (empty string never: stated rates get one sentence)."""
    if ret is None:
        return (
            '<section id="year-tax"><h2>The year\'s tax</h2><p>The household file states its '
            "marginal rates: they apply to every dollar (no brackets, no return). Give a "
            "filing status and an [income] table for the year's return.</p></section>"
        )
    f, s = ret["federal"], ret["state"]
    names = dict(_LINES)
    if ret["filing_status"] == "married_filing_separately":
        names["capital_gain_or_loss"] = "Capital gain or (loss), after the $1,500 limit"
    names["deduction"] = f"Deduction ({f['deduction_kind']})"
    rows = [
        f'<tr><th scope="row">{_e(names[key])}</th><td class="num">{_usd(f[key])}</td></tr>'
        for key, _ in _LINES
    ]
    cf = f["carryforward"]
    if cf["short_term"] or cf["long_term"]:
        rows.append(
            '<tr><th scope="row">Loss carried to next year (short / long)</th>'
            f'<td class="num">{_usd(cf["short_term"])} / {_usd(cf["long_term"])}</td></tr>'
        )
    rows.append(f'<tr><th scope="row">State tax</th><td class="num">{_usd(s["tax"])}</td></tr>')
    rows.append(
        f'<tr><th scope="row">Total tax</th><td class="num"><b>{_usd(ret["total_tax"])}</b>'
        "</td></tr>"
    )
    rates = "".join(
        f'<tr><th scope="row">{_e(k.replace("_", " "))}</th><td class="num">{pct(v)}</td></tr>'
        for k, v in ret["marginal_rates"].items()
    )
    return (
        '<section id="year-tax"><h2>The year\'s tax</h2>'
        f"<p>Tax year {_e(ret['year'])}, {_e(ret['filing_status'].replace('_', ' '))}, from "
        f"{_e(ret['income_source'])}. Every rate in this report is this return's own "
        "increment for one more dollar.</p>"
        '<div class="scroll"><table id="year-return"><caption>The return, dollars</caption>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<div class="scroll"><table id="marginal-rates"><caption>Marginal rates (federal '
        "incl. NIIT + state)</caption>"
        f"<tbody>{rates}</tbody></table></div>"
        f"<p>Not modelled: {_e('; '.join(ret['not_modelled']))}.</p>"
        f"<p>{_e(ret['notice'])}</p></section>"
    )

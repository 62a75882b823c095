"""The report's "How the mix was chosen" section: universe, expected returns (stated,
equilibrium, used; the market reference) and the concentration notes. Input: the plan's
``assumptions`` dict (decimals; shown as percents)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from assetloc.present.fmt import pct

METHOD_KEYS = ("universe", "returns", "concentration")  # not repeated in the assumptions list


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _returns_table(r: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    robust = r.get("method") == "robust"
    cols = (
        ["class", "stated", "equilibrium", "used", "market reference"]
        if robust
        else [
            "class",
            "used (as stated)",
        ]
    )
    head = "".join(
        f'<th scope="col"{" class=num" if i else ""}>{_e(c)}</th>' for i, c in enumerate(cols)
    )
    rows = []
    for cid, used in r["expected_return"].items():
        name = f'<span title="{_e(cid)}">{_e(labels.get(cid, cid))}</span>'
        cells = (
            [r["stated"][cid], r["equilibrium"][cid], used, r["reference_portfolio"][cid]]
            if robust
            else [used]
        )
        tds = "".join(f'<td class="num">{pct(v)}</td>' for v in cells)
        rows.append(f'<tr><th scope="row">{name}</th>{tds}</tr>')
    return (
        '<div class="scroll"><table id="expected-returns"><caption>Expected returns, pre-tax, '
        f"% per year</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table></div>"
    )


def method_section(assumptions: Mapping[str, Any]) -> str:
    """HTML for the section (empty when the plan carries no universe/returns data)."""
    u, r = assumptions.get("universe"), assumptions.get("returns")
    if not isinstance(u, Mapping) or not isinstance(r, Mapping):
        return ""
    labels: Mapping[str, str] = u.get("labels") or {}
    out = ['<section id="method"><h2>How the mix was chosen</h2>']
    if r.get("method") == "robust":
        out.append(
            "<p><strong>Robust expected returns (Black–Litterman).</strong> The optimizer does "
            "not trust the survey's returns alone: it starts from the returns the market "
            "reference portfolio implies (equilibrium, market risk aversion "
            f"{float(r['market_risk_aversion']):.2f}) and moves toward the stated returns "
            f"with a view confidence of {100 * float(r['view_confidence']):.0f}% "
            f"(τ = {float(r['tau']):g}). Reference: {_e(r['reference_source'])} "
            f'({_e(r["reference_date"])}). Set <code>returns = "as_given"</code> in '
            "<code>[objective]</code> for plain mean-variance on the stated returns.</p>"
        )
    else:
        out.append(
            f"<p><strong>Expected returns as stated</strong>: {_e(r.get('reason', ''))}.</p>"
        )
    out.append(_returns_table(r, labels))
    out.append(f"<p><strong>Universe</strong>: {_e(u.get('rule', ''))}.</p>")
    excluded = u.get("excluded") or {}
    if excluded:
        items = "".join(
            f'<li><span title="{_e(c)}">{_e(labels.get(c, c))}</span>: {_e(why)}</li>'
            for c, why in excluded.items()
        )
        out.append(f'<p>Left out:</p><ul id="excluded-classes">{items}</ul>')
    notes = assumptions.get("concentration") or []
    if notes:
        items = "".join(f"<li>{_e(n)}</li>" for n in notes)
        out.append(f'<p><strong>Concentration</strong>:</p><ul id="concentration">{items}</ul>')
    out.append("</section>")
    return "".join(out)

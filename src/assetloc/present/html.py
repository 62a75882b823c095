"""One self-contained HTML report: headline, tables, charts, assumptions, the tax notice.

The file works offline: no scripts, no external fonts, style sheets or images; charts are
embedded as SVG data URIs (text drawn as paths, so no font is needed either). Every string
that comes from the data (titles, account ids, class ids, notes) is escaped.

Report data contract (all returns and volatilities are decimals per year after tax; money
is US dollars)::

    data = {
      "title": str,
      "context": "financial" | "net_worth",       # the view the optimizer used
      "plan": Plan.to_dict(),                     # required
      "views": {"financial": {"expected_return", "volatility"}, "net_worth": {...}},  # optional
      "frontier": {"financial": {"points": [...], "optimum": {...}, "indifference": [...]},
                   "net_worth": {...}},            # optional
      "comparison": {"methods": [{"name", "financial": {...}, "net_worth": {...},
                                  "accounts": [{"id", "holdings": {class: dollars}}]}]},  # optional
      "balance_sheet": {"rows": [{"item", "pre_tax", "after_tax"}]},                    # optional
    }
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assetloc.present.charts import build_figures, figure_svg, report_context
from assetloc.present.method_section import METHOD_KEYS, method_section
from assetloc.present.style import (
    CENT,
    METHOD_DESCRIPTIONS,
    VIEW_LABELS,
    bp,
    class_colors,
    class_label,
    is_fixed_mix,
    is_number,
    pct,
    plan_classes,
    ratio,
    usd,
    utility_formula,
)
from assetloc.present.tax_section import tax_section

#: Shown when the plan carries no notice of its own.
DEFAULT_NOTICE = (
    "Estimates, not tax advice: expected returns, risks and tax rates are assumptions; "
    "check any decision with a qualified professional."
)

#: Added to the frontier caption when the plan places a fixed household mix.
FIXED_MIX_FRONTIER_NOTE = (
    "This household fixes its mix, so its plan (the cross) is not the star: the star is the "
    "unconstrained optimum with the mix released, shown for comparison only."
)

#: Captions of the charts, by figure name.
CHART_CAPTIONS: dict[str, str] = {
    "frontier": (
        "After-tax efficient frontier: the best expected return for each level of risk. The "
        "star is the optimum; the dashed curve joins the risk/return pairs with the same "
        "utility as the optimum. Net worth adds human capital and subtracts liabilities."
    ),
    "allocation": (
        "Dollars by asset class in each account (own, face-value dollars), with the balance and "
        "after-tax value above each bar."
    ),
    "mix": (
        "Household mix on the after-tax basis (what the household owns once deferred taxes are "
        "paid) and on the pre-tax basis (account balances at face value)."
    ),
    "comparison": (
        "Each method's after-tax expected return and volatility, and its utility gain over the "
        "naive approach in basis points a year."
    ),
}

CSS = """
:root { --ink:#1f2328; --muted:#59636e; --line:#d0d7de; --soft:#f6f8fa; --accent:#0072B2;
        --warn-bg:#fff4d6; --warn-line:#E69F00; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans",
             "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 28px; margin: 0 0 4px; line-height: 1.2; }
h2 {
  font-size: 20px;
  margin: 36px 0 10px;
  padding-bottom: 4px;
  border-bottom: 2px solid var(--line);
}
h3 { font-size: 16px; margin: 20px 0 8px; }
p { margin: 6px 0; }
.sub { color: var(--muted); margin: 0 0 16px; }
.notice { border: 2px solid var(--warn-line); background: var(--warn-bg); border-radius: 8px;
          padding: 12px 16px; margin: 16px 0 20px; }
.notice strong { font-size: 17px; display: block; margin-bottom: 2px; }
.cards {
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(170px, 1fr));
  gap: 12px;
}
.card {
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 12px 14px;
  background: var(--soft);
}
.card .label { color: var(--muted); font-size: 13px; }
.card .value {
  font-size: 26px;
  font-weight: 700;
  line-height: 1.2;
  font-variant-numeric: tabular-nums;
}
.card .note { color: var(--muted); font-size: 12px; }
.card.gain .value { color: #007a55; }
.card.loss .value { color: #b3261e; }
.scroll { overflow-x: auto; }
table {
  border-collapse: collapse;
  margin: 8px 0 4px;
  font-size: 14px;
  width: auto;
  min-width: 50%;
}
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; color: var(--ink); }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--soft); border-bottom: 2px solid var(--line); text-align: left; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody th { text-align: left; font-weight: 600; }
tfoot td, tfoot th { border-top: 2px solid var(--line); border-bottom: none; font-weight: 600; }
tr.optimum th, tr.optimum td { background: #eaf3fb; }
thead th.group {
  text-align: center;
  border-left: 2px solid #fff;
  border-bottom: 1px solid var(--line);
}
tfoot th { text-align: left; }
.share { color: var(--muted); font-size: 12px; }
.swatch {
  display: inline-block;
  width: 11px;
  height: 11px;
  border-radius: 2px;
  margin-right: 6px;
}
          vertical-align: -1px; border: 1px solid rgba(0,0,0,.25); }
code, .id {
  font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace;
  font-size: 13px;
}
figure { margin: 18px 0 26px; }
figure img {
  display: block;
  width: auto;
  max-width: 100%;
  height: auto;
  border: 1px solid var(--line);
  border-radius: 6px;
}
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
dl.assumptions {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: 4px 18px;
  margin: 8px 0;
}
dl.assumptions dt { font-weight: 600; }
dl.assumptions dd { margin: 0; }
dl.assumptions table { min-width: 0; margin: 0; }
ul { margin: 4px 0; padding-left: 20px; }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--accent); }
footer {
  margin-top: 40px;
  padding-top: 12px;
  border-top: 1px solid var(--line);
  color: var(--muted);
  font-size: 13px;
}
.muted { color: var(--muted); }
@page { size: letter; margin: 14mm 12mm; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  table, figure, .card, .notice, dl.assumptions { break-inside: avoid; }
  .scroll { overflow: visible; }
  details::details-content { content-visibility: visible; display: contents; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(x: object) -> str:
    """Escape any value for HTML text or an attribute."""
    return html.escape(str(x), quote=True)


def _label(key: str) -> str:
    return key.replace("_", " ")


def _view(v: str) -> str:
    return VIEW_LABELS.get(v, _label(v))


def _num_cell(text: str, cls: str = "num") -> str:
    return f'<td class="{cls}">{_e(text)}</td>'


def _table(
    caption: str,
    head: Sequence[tuple[str, bool]],
    rows: Sequence[str],
    *,
    foot: str = "",
    cls: str = "",
    head_rows: str = "",
) -> str:
    """A table; ``head`` is (escaped-later label, numeric?) per column; rows are ready HTML."""
    ths = "".join(
        f'<th scope="col" class="num">{_e(h)}</th>' if num else f'<th scope="col">{_e(h)}</th>'
        for h, num in head
    )
    klass = f' class="{cls}"' if cls else ""
    tfoot = f"<tfoot>{foot}</tfoot>" if foot else ""
    return (
        f'<div class="scroll"><table{klass}><caption>{_e(caption)}</caption>'
        f"<thead>{head_rows}<tr>{ths}</tr></thead><tbody>{''.join(rows)}</tbody>{tfoot}"
        "</table></div>"
    )


# ----------------------------------------------------------------------------- sections


def _headline(data: Mapping[str, Any]) -> str:
    plan = data["plan"]
    m = plan.get("metrics", {})
    context = report_context(data)
    cards = [
        ("Expected return", pct(m.get("expected_return")), "after tax, per year", ""),
        ("Volatility (SD)", pct(m.get("volatility")), "after tax, per year", ""),
        (
            "Utility",
            pct(m.get("utility")),
            f"risk-adjusted return, {utility_formula(plan)}",
            "",
        ),
        ("Sharpe ratio", ratio(m.get("sharpe")), "excess return over cash / SD", ""),
    ]
    gain = (plan.get("improvement_bp") or {}).get("duplicate")
    if gain is None:
        gain = _gain_from_comparison(data, "duplicate")
    if gain:
        u = gain.get("utility_bp")
        klass = "gain" if is_number(u) and float(u) >= 0 else "loss"
        cards.append(
            (
                "Gain vs duplicate",
                f"{bp(u)}/yr",
                f"utility; expected return {bp(gain.get('expected_return_bp'))}/yr, "
                "vs the same mix in every account",
                klass,
            )
        )
    html_cards = "".join(
        f'<div class="card {k}"><div class="label">{_e(lbl)}</div>'
        f'<div class="value">{_e(val)}</div><div class="note">{_e(note)}</div></div>'
        for lbl, val, note, k in cards
    )
    hh = plan.get("household", {})
    summary = (
        f"Method <strong>{_e(plan.get('method', '?'))}</strong>, optimized in the "
        f"<strong>{_e(_view(context))}</strong> view. Household balance "
        f"<strong>{_e(usd(hh.get('balance')))}</strong>, after-tax wealth "
        f"<strong>{_e(usd(hh.get('after_tax_wealth')))}</strong>."
    )
    views_table = ""
    views = data.get("views") or plan.get("views") or {}
    if len(views) > 1 and _views_coincide(views):
        views_table = (
            '<p class="muted">No human capital or liabilities: the net-worth view is the '
            "financial-assets view.</p>"
        )
    elif views:
        with_u = any(isinstance(vm, Mapping) and "utility" in vm for vm in views.values())
        rows = []
        for v, vm in views.items():
            if not isinstance(vm, Mapping):
                continue
            mark = " (optimized)" if v == context else ""
            cells = _num_cell(pct(vm.get("expected_return"))) + _num_cell(pct(vm.get("volatility")))
            if with_u:
                cells += _num_cell(pct(vm.get("utility")))
            rows.append(f'<tr><th scope="row">{_e(_view(v) + mark)}</th>{cells}</tr>')
        head = [("view", False), ("expected return", True), ("volatility (SD)", True)]
        if with_u:
            head.append(("utility", True))
        views_table = _table(
            "This plan seen as financial assets alone and as part of net worth", head, rows
        )
    return (
        '<section id="headline"><h2>Headline (after tax, per year)</h2>'
        f'<div class="cards">{html_cards}</div><p>{summary}</p>{views_table}</section>'
    )


def _views_coincide(views: Mapping[str, Any]) -> bool:
    """True when every view has the same E and SD (no human capital, no liabilities)."""
    pts = [
        (vm.get("expected_return"), vm.get("volatility"))
        for vm in views.values()
        if isinstance(vm, Mapping)
    ]
    if len(pts) < 2 or not all(is_number(e) and is_number(v) for e, v in pts):
        return False
    e0, v0 = pts[0]
    return all(abs(e - e0) < 1e-12 and abs(v - v0) < 1e-12 for e, v in pts)  # type: ignore[operator]


def _gain_from_comparison(data: Mapping[str, Any], ref: str) -> dict[str, float] | None:
    methods = (data.get("comparison") or {}).get("methods") or []
    view = report_context(data)
    by = {str(m.get("name")): m.get(view) for m in methods}
    method = str(data["plan"].get("method", "joint"))
    a, b = by.get(method), by.get(ref)
    if not a or not b:
        return None
    return {
        "expected_return_bp": 1e4 * (float(a["expected_return"]) - float(b["expected_return"])),
        "utility_bp": 1e4 * (float(a["utility"]) - float(b["utility"])),
    }


def _class_name(plan: Mapping[str, Any], c: str) -> str:
    """A class by its preset label, with the id as a tooltip (the id alone without a label)."""
    name = class_label(plan, c)
    if name == c:
        return f'<span class="id">{_e(c)}</span>'
    return f'<span title="{_e(c)}">{_e(name)}</span>'


def _swatch(color: str) -> str:
    return f'<span class="swatch" style="background:{_e(color)}"></span>'


def _holdings(plan: Mapping[str, Any]) -> str:
    accounts = list(plan.get("accounts", []))
    classes = plan_classes(plan)
    colors = class_colors(classes)
    held = [
        c
        for c in classes
        if any(float(a.get("holdings", {}).get(c, 0.0)) >= CENT for a in accounts)
    ]
    not_held = [c for c in classes if c not in held]
    head = [("asset class", False)]
    for a in accounts:
        head.append((f"{a.get('id', '?')} ({a.get('type', '?')})", True))
    head.append(("household", True))
    rows = []
    for c in held:
        cells = []
        total = 0.0
        for a in accounts:
            d = float(a.get("holdings", {}).get(c, 0.0))
            total += d
            bal = float(a.get("balance", 0.0)) or sum(
                float(v) for v in a.get("holdings", {}).values()
            )
            if d >= CENT:
                share = d / bal if bal > 0 else 0.0
                cells.append(
                    f'<td class="num">{_e(usd(d))}<br><span class="share">'
                    f"{_e(pct(share, 1))} of account</span></td>"
                )
            else:
                cells.append('<td class="num muted">–</td>')
        grand = sum(float(a.get("balance", 0.0)) for a in accounts)
        cells.append(
            f'<td class="num">{_e(usd(total))}<br><span class="share">'
            f"{_e(pct(total / grand if grand > 0 else 0.0, 1))} of balances</span></td>"
        )
        rows.append(
            f'<tr><th scope="row">{_swatch(colors[c])}{_class_name(plan, c)}</th>'
            + "".join(cells)
            + "</tr>"
        )
    foot_bal = "".join(_num_cell(usd(a.get("balance"))) for a in accounts)
    foot_atv = "".join(_num_cell(usd(a.get("after_tax_value"))) for a in accounts)
    hh = plan.get("household", {})
    foot = (
        f'<tr><th scope="row">balance</th>{foot_bal}{_num_cell(usd(hh.get("balance")))}</tr>'
        f'<tr><th scope="row">after-tax value</th>{foot_atv}'
        f"{_num_cell(usd(hh.get('after_tax_wealth')))}</tr>"
    )
    table = _table(
        "Holdings by account and asset class (dollars; share of the account)",
        head,
        rows,
        foot=foot,
    )
    ids = ", ".join(_class_name(plan, c) for c in not_held)
    note = f'<p class="muted">Not held in any account: {ids}.</p>' if not_held else ""
    return f'<section id="holdings"><h2>Holdings</h2>{table}{note}</section>'


def _points(d: float) -> str:
    """A difference of two shares in percentage points, "+2.3 pts" (no "-0.0")."""
    v = round(100 * d, 1)
    return "0.0 pts" if v == 0 else f"{v:+.1f} pts"


def _mix(plan: Mapping[str, Any]) -> str:
    hh = plan.get("household", {})
    after = hh.get("mix") or {}
    pre = hh.get("mix_pre_tax") or {}
    classes = plan_classes(plan)
    colors = class_colors(classes)
    rows = []
    for c in classes:
        a, p = after.get(c), pre.get(c)
        diff = _points(float(a) - float(p)) if is_number(a) and is_number(p) else "–"
        rows.append(
            f'<tr><th scope="row">{_swatch(colors[c])}{_class_name(plan, c)}</th>'
            f"{_num_cell(pct(a, 1))}{_num_cell(pct(p, 1))}{_num_cell(diff)}</tr>"
        )
    table = _table(
        "Household mix: after-tax basis vs pre-tax (face value) basis",
        [
            ("asset class", False),
            ("after tax", True),
            ("pre-tax", True),
            ("after − pre", True),
        ],
        rows,
    )
    return (
        '<section id="mix"><h2>Household mix</h2>'
        "<p>The after-tax mix counts what the household owns once deferred taxes are paid "
        "(a traditional account is worth its balance × (1 − withdrawal rate) on the after-tax "
        f"basis); the pre-tax mix counts account balances at face value.</p>{table}</section>"
    )


def _metric_cells(m: Mapping[str, Any] | None) -> str:
    if not m:
        return '<td class="num muted" colspan="4">not computed</td>'
    return (
        _num_cell(pct(m.get("expected_return")))
        + _num_cell(pct(m.get("volatility")))
        + _num_cell(pct(m.get("utility")))
        + _num_cell(ratio(m.get("sharpe")))
    )


def _comparison(data: Mapping[str, Any]) -> str:
    plan = data["plan"]
    comparison = data.get("comparison") or {}
    methods = list(comparison.get("methods") or [])
    context = report_context(data)
    plan_method = str(plan.get("method", "joint"))
    parts = ['<section id="comparison"><h2>Method comparison</h2>']
    if methods:
        views = [v for v in ("financial", "net_worth") if any(m.get(v) for m in methods)]
        ref = {
            v: next((m[v] for m in methods if m.get("name") == "duplicate" and m.get(v)), None)
            for v in views
        }
        group = "".join(
            f'<th scope="colgroup" colspan="5" class="group">{_e(_view(v))}'
            f"{' (optimized)' if v == context else ''}</th>"
            for v in views
        )
        head_rows = f'<tr><th scope="col"></th>{group}</tr>'
        head: list[tuple[str, bool]] = [("method", False)]
        for _v in views:
            head += [
                ("E", True),
                ("SD", True),
                ("U", True),
                ("Sharpe", True),
                ("U vs duplicate", True),
            ]
        rows = []
        for m in methods:
            name = str(m.get("name", "?"))
            desc = METHOD_DESCRIPTIONS.get(name, "")
            if m.get("error"):
                desc = f"not available: {m['error']}"
            cells = ""
            for v in views:
                cells += _metric_cells(m.get(v))
                r, mv = ref[v], m.get(v)
                cells += _num_cell(
                    bp(1e4 * (float(mv["utility"]) - float(r["utility"])))
                    if r and mv and is_number(mv.get("utility"))
                    else "–"
                )
            klass = ' class="optimum"' if name == plan_method else ""
            rows.append(
                f'<tr{klass}><th scope="row"><span class="id">{_e(name)}</span>'
                f'<br><span class="share">{_e(desc)}</span></th>{cells}</tr>'
            )
        parts.append(
            _table(
                "After-tax expected return (E), volatility (SD), utility (U) and Sharpe ratio "
                "by method; % per year; gains in basis points a year",
                head,
                rows,
                head_rows=head_rows,
            )
        )
        details = [_method_holdings(m, plan) for m in methods if m.get("accounts")]
        if details:
            parts.append(
                "<details><summary>Holdings of each method by account</summary>"
                + "".join(details)
                + "</details>"
            )
    baselines = plan.get("baselines") or {}
    if baselines:
        imp = plan.get("improvement_bp") or {}
        rows = [
            f'<tr class="optimum"><th scope="row"><span class="id">{_e(plan_method)}</span></th>'
            f"{_metric_cells(plan.get('metrics'))}<td></td><td></td></tr>"
        ]
        for name, bm in baselines.items():
            g = imp.get(name) or {}
            rows.append(
                f'<tr><th scope="row"><span class="id">{_e(name)}</span></th>{_metric_cells(bm)}'
                f"{_num_cell(bp(g.get('expected_return_bp')))}{_num_cell(bp(g.get('utility_bp')))}</tr>"
            )
        parts.append(
            _table(
                f"Baselines holding the same household mix ({_view(context)} view): "
                f"the optimum's gain over each",
                [
                    ("portfolio", False),
                    ("E", True),
                    ("SD", True),
                    ("U", True),
                    ("Sharpe", True),
                    ("optimum gain E", True),
                    ("optimum gain U", True),
                ],
                rows,
            )
        )
    parts.append(
        f'<p class="muted">E: expected return; SD: volatility; U: utility, '
        f"{_e(utility_formula(plan))} (a risk-adjusted return); Sharpe ratio: (E − cash) / SD. "
        "All after tax, per year.</p>"
    )
    parts.append("</section>")
    return "".join(parts)


def _method_holdings(m: Mapping[str, Any], plan: Mapping[str, Any]) -> str:
    accounts = list(m.get("accounts") or [])
    classes = plan_classes(plan)
    for a in accounts:
        for c in a.get("holdings", {}) or {}:
            if c not in classes:
                classes.append(c)
    held = [
        c
        for c in classes
        if any(float(a.get("holdings", {}).get(c, 0.0)) >= CENT for a in accounts)
    ]
    head = [("asset class", False)] + [(str(a.get("id", "?")), True) for a in accounts]
    rows = [
        f'<tr><th scope="row">{_class_name(plan, c)}</th>'
        + "".join(_num_cell(usd(float(a.get("holdings", {}).get(c, 0.0)))) for a in accounts)
        + "</tr>"
        for c in held
    ]
    return _table(f"{m.get('name', '?')}: dollars by account", head, rows)


def _balance_sheet(data: Mapping[str, Any]) -> str:
    bs = data.get("balance_sheet") or data["plan"].get("balance_sheet") or {}
    rows_in = bs.get("rows") or []
    if not rows_in:
        return ""
    rows = [
        f'<tr><th scope="row">{_e(r.get("item", ""))}</th>'
        f"{_num_cell(usd(r.get('pre_tax')))}{_num_cell(usd(r.get('after_tax')))}</tr>"
        for r in rows_in
    ]
    table = _table(
        "Balance sheet (US dollars; present values)",
        [("item", False), ("pre-tax", True), ("after tax", True)],
        rows,
    )
    return f'<section id="balance-sheet"><h2>Balance sheet</h2>{table}</section>'


def _charts(data: Mapping[str, Any]) -> str:
    figures = build_figures(data)
    if not figures:
        return ""
    out = ['<section id="charts"><h2>Charts</h2>']
    for name, fig in figures.items():
        svg = figure_svg(fig).encode("utf-8")
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
        caption = CHART_CAPTIONS.get(name, name)
        if name == "frontier" and is_fixed_mix(data.get("plan") or {}):
            caption += " " + FIXED_MIX_FRONTIER_NOTE
        out.append(
            f'<figure id="chart-{_e(name)}"><img src="{uri}" alt="{_e(name)} chart: {_e(caption)}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>"
        )
    out.append("</section>")
    return "".join(out)


def _trimmed(v: float, digits: int) -> str:
    """Fixed point with at most ``digits`` decimals, trailing zeros dropped: 24.000 → "24"."""
    text = f"{v:,.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _format_value(key: str, value: Any, plan: Mapping[str, Any] | None = None) -> str:
    """HTML for one assumption value: rates as percents, dicts as tables, lists as lists."""
    rate_like = "rate" in key or key in {"cash_rate", "expected_return", "volatility"}
    if isinstance(value, Mapping):
        rows = "".join(
            f'<tr><th scope="row">{_class_name(plan or {}, str(k))}</th>'
            f"<td class='num'>{_format_value(key if rate_like else str(k), v, plan)}</td></tr>"
            for k, v in value.items()
        )
        return f"<table><tbody>{rows}</tbody></table>"
    if isinstance(value, list | tuple):
        if not value:
            return '<span class="muted">none</span>'
        return "<ul>" + "".join(f"<li>{_format_value(key, v, plan)}</li>" for v in value) + "</ul>"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if is_number(value):
        if rate_like:
            return _e(_trimmed(100 * float(value), 3) + "%")
        return _e(_trimmed(float(value), 6))
    if value is None:
        return '<span class="muted">not given</span>'
    return _e(value)


def _joint_table(
    keys: Sequence[str], names: Sequence[str], a: Mapping[str, Any], plan: Mapping[str, Any]
) -> str:
    """One table for several assumptions with the same keys: a column per assumption."""
    head = "".join(f'<th scope="col">{_e(_label(n))}</th>' for n in names)
    rows = "".join(
        f'<tr><th scope="row">{_class_name(plan, k)}</th>'
        + "".join(f'<td class="num">{_format_value(n, a[n][k])}</td>' for n in names)
        + "</tr>"
        for k in keys
    )
    return f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _assumptions(plan: Mapping[str, Any]) -> str:
    a = plan.get("assumptions") or {}
    # Assumptions keyed by the same names (per asset class, typically) share one table.
    groups: dict[tuple[str, ...], list[str]] = {}
    a = {k: v for k, v in a.items() if k not in METHOD_KEYS}  # shown in their own section
    for k, v in a.items():
        if isinstance(v, Mapping) and v and not any(isinstance(x, Mapping) for x in v.values()):
            groups.setdefault(tuple(map(str, v)), []).append(str(k))
    merged = {names[0]: (keys, names) for keys, names in groups.items() if len(names) > 1}
    skip = {n for _, names in merged.values() for n in names[1:]}
    parts = []
    for k, v in a.items():
        key = str(k)
        if key in skip:
            continue
        if key in merged:
            keys, names = merged[key]
            parts.append(f"<dt>{_e(' / '.join(_label(n) for n in names))}</dt><dd>")
            parts.append(_joint_table(keys, names, a, plan))
            parts.append("</dd>")
        else:
            parts.append(f"<dt>{_e(_label(key))}</dt><dd>{_format_value(key, v, plan)}</dd>")
    items = "".join(parts)
    tie = plan.get("tie_break")
    tie_html = (
        f'<h3>Tie-break rule</h3><p id="tie-break">{_e(tie)}</p>'
        if tie
        else '<h3>Tie-break rule</h3><p class="muted">none stated</p>'
    )
    return (
        '<section id="assumptions"><h2>Assumptions and sources</h2>'
        "<p>Every assumption behind these numbers, as used by the optimizer. Rates are shown "
        "as percents (decimals per year in the data).</p>"
        f'<dl class="assumptions">{items}</dl>{tie_html}</section>'
    )


def _notice(plan: Mapping[str, Any], where: str) -> str:
    text = str(plan.get("notice") or DEFAULT_NOTICE)
    head = "Estimates, not tax advice"
    if text.lower().startswith(head.lower()):
        text = text[len(head) :].lstrip(" :.;,-–—")
        text = text[:1].upper() + text[1:]
    return (
        f'<aside class="notice" role="note" id="notice-{where}"><strong>{head}.</strong>'
        f"{_e(text)}</aside>"
    )


# ----------------------------------------------------------------------------- public


def render_html(data: Mapping[str, Any], *, charts: bool = True) -> str:
    """Render the report as one self-contained HTML document.

    Parameters
    ----------
    data
        Report data (see the module docstring); ``data["plan"]`` is required, everything
        else is optional and its section is left out when absent.
    charts
        Embed the charts (SVG data URIs). False gives a small, text-only report.

    Returns
    -------
    str
        The HTML document (UTF-8 text). No scripts and no external resources.

    Raises
    ------
    ValueError
        When ``data`` has no ``plan``.
    """
    plan = data.get("plan")
    if not isinstance(plan, Mapping):
        raise ValueError("report data needs a 'plan' (Plan.to_dict())")
    title = str(data.get("title") or "assetloc report")
    context = report_context(data)
    body = [
        f"<header><h1>{_e(title)}</h1>",
        f'<p class="sub">Tax-aware asset allocation and location · after tax · US dollars · '
        f"optimized in the {_e(_view(context))} view</p></header>",
        _notice(plan, "top"),
        _headline(data),
        _holdings(plan),
        _mix(plan),
        _comparison(data),
        _balance_sheet(data),
        _charts(data) if charts else "",
        method_section(plan.get("assumptions") or {}),
        tax_section(data.get("tax_year")),
        _assumptions(plan),
        f"<footer>{_notice(plan, 'bottom')}<p>Made by assetloc. Returns and volatilities are "
        "after tax and per year; money is US dollars. Figures are model estimates under the "
        "assumptions above.</p></footer>",
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


def write_report(data: Mapping[str, Any], path: str | Path) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8; parent directories are created).

    Returns
    -------
    Path
        The written file.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data), encoding="utf-8")
    return out

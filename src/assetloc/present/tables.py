"""Terminal tables for a :class:`~assetloc.analysis.plan.Plan` (rich).

Every number goes through :mod:`assetloc.present.fmt` (its rules: ``-$1,234``, cents below
$100, returns to 2 percent digits, shares and tax rates to 1).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from assetloc.analysis.plan import Plan
from assetloc.market.assumptions import MarketAssumptions
from assetloc.notice import NOTICE
from assetloc.present.fmt import CENT, bp, label_map, pct, ratio, usd
from assetloc.present.fmt import console as new_console
from assetloc.present.style import VIEW_LABELS


def holdings_table(plan: Plan) -> Table:
    """Per account and class: dollars and percent of the account."""
    p = plan.problem
    d = plan.dollars
    used = [i for i in range(p.n) if (d[:, i] >= CENT).any()]
    t = Table(title="Holdings by account (own dollars; % of account)", show_footer=True)
    t.add_column("asset class", footer="balance / after-tax", overflow="fold", min_width=12)
    for k in range(p.k):
        footer = f"{usd(p.balances[k])} / {usd(p.value_factor[k] * p.balances[k])}"
        t.add_column(f"{p.account_ids[k]}\n({p.account_types[k]})", justify="right", footer=footer)
    t.add_column("household\nafter-tax mix", justify="right")
    t.add_column("household\npre-tax mix", justify="right")
    for i in used:
        cells = []
        for k in range(p.k):
            bal = p.balances[k]
            share = d[k, i] / bal if bal > 0 else 0.0
            cells.append(f"{usd(d[k, i])} ({pct(share, 0)})" if d[k, i] >= CENT else "-")
        t.add_row(
            p.market.labels[i], *cells, pct(plan.weights[i], 1), pct(plan.weights_pre_tax[i], 1)
        )
    return t


def balance_sheet_table(plan: Plan) -> Table:
    """Each account's value before and after the tax it carries."""
    t = Table(title="Balance sheet (dollars)")
    t.add_column("item")
    t.add_column("pre-tax", justify="right")
    t.add_column("after-tax", justify="right")
    for row in plan.balance_sheet()["rows"]:
        t.add_row(row["item"], usd(row["pre_tax"]), usd(row["after_tax"]))
    return t


def metrics_table(plan: Plan) -> Table:
    """The optimum against its baselines: E, SD, U, Sharpe, and the gain in bp/yr, in the
    optimized view (named in the title when the household has human capital or
    liabilities, where the two views differ)."""
    p = plan.problem
    view = f", {VIEW_LABELS.get(str(p.context), str(p.context))} view" if p.has_net_worth else ""
    t = Table(title=f"After-tax metrics{view} (decimals shown as % per year)")
    t.add_column("portfolio", no_wrap=True, min_width=13)
    for col in (
        "expected return",
        "volatility",
        "utility",
        "Sharpe",
        "optimum gain E (bp/yr)",
        "optimum gain U (bp/yr)",
    ):
        t.add_column(col, justify="right")
    m = plan.metrics
    t.add_row(
        plan.method,
        pct(m.expected_return, 2),
        pct(m.volatility, 2),
        pct(m.utility, 2),
        ratio(m.sharpe),
        "",
        "",
    )
    for name, b in plan.baselines.items():
        g = plan.improvement_bp(name)
        bm = b.metrics
        t.add_row(
            name,
            pct(bm.expected_return, 2),
            pct(bm.volatility, 2),
            pct(bm.utility, 2),
            ratio(bm.sharpe),
            bp(g["expected_return_bp"]).removesuffix(" bp"),
            bp(g["utility_bp"]).removesuffix(" bp"),
        )
    return t


def assumptions_block(plan: Plan, market: MarketAssumptions) -> Group:
    """The assumptions used, with sources and the tax notice."""
    a = plan.assumptions
    names = label_map(market.ids, market.labels)
    lines = [
        f"Assumptions: {a['preset']} — {a['source']} ({a['date']})",
        f"Rates: ordinary {pct(a['ordinary_rate'], 1)}, long-term gains "
        f"{pct(a['capital_gains_rate'], 1)}, qualified dividends "
        f"{pct(a.get('qualified_dividend_rate', a['capital_gains_rate']), 1)}, retirement "
        f"withdrawals {pct(a['retirement_rate'], 1)}; "
        f"horizon {a['horizon_years']} years, {a['liquidation']} at the end; tax-deferred "
        f"basis {a['tax_deferred_basis']}; taxable at {a['taxable_value']} value; "
        f"HSA {a['hsa_treatment']}",
        f"Objective: {a['objective']}; utility {a['utility']}; Sharpe against cash at "
        f"{pct(a['cash_rate'], 2)}",
        *method_lines(a),
        "Effective tax rates in a taxable account: "
        + ", ".join(
            f"{names.get(c, c)} {pct(r, 1)} ({a['effective_tax_rate_origin'][c]})"
            for c, r in a["effective_tax_rates"].items()
        ),
        *(f"Tax model: {n}" for n in a["tax_assumptions"]),
        f"Tie-break: {plan.tie_break}",
        *(f"Note: {n}" for n in market.notes),
        NOTICE,
    ]
    return Group(*(Text(line) for line in lines))


def method_lines(a: dict[str, Any]) -> list[str]:
    """Plain lines: how the returns were made, the universe, the concentration notes."""
    r, u = a.get("returns") or {}, a.get("universe") or {}
    lines = []
    market = a.get("market")
    if isinstance(market, dict):
        lines.append(f"Assumptions: {market['preset']} — {market['source']} ({market['date']})")
    if r.get("method") == "robust":
        lines.append(
            "Returns: robust (Black-Litterman): equilibrium returns implied by the market "
            f"reference portfolio (market risk aversion {r['market_risk_aversion']:.2f}), moved "
            f"toward the stated returns at view confidence {pct(r['view_confidence'], 0)} "
            f"(tau {r['tau']:g}); reference: {r['reference_source']} ({r['reference_date']}). "
            'returns = "as_given" in [objective] gives plain mean-variance.'
        )
    elif r:
        lines.append(f"Returns: as stated ({r.get('reason', '')})")
    if u:
        labels = u.get("labels") or {}
        left = "; ".join(f"{labels.get(c, c)} ({why})" for c, why in u["excluded"].items())
        lines.append(f"Universe: {u['rule']}" + (f". Left out: {left}" if left else ""))
    lines += [f"Concentration: {n}" for n in a.get("concentration") or []]
    return lines


def returns_table(plan: Plan) -> Table | None:
    """Stated, equilibrium and used expected returns (robust plans only), % per year."""
    r = plan.assumptions.get("returns") or {}
    if r.get("method") != "robust":
        return None
    labels = (plan.assumptions.get("universe") or {}).get("labels") or {}
    t = Table(title="Expected returns, pre-tax (% per year): robust (Black-Litterman)")
    t.add_column("asset class", overflow="fold")
    for col in ("stated", "equilibrium", "used", "market reference"):
        t.add_column(col, justify="right")
    for cid, used in r["expected_return"].items():
        t.add_row(
            labels.get(cid, cid),
            pct(r["stated"][cid], 2),
            pct(r["equilibrium"][cid], 2),
            pct(used, 2),
            pct(r["reference_portfolio"][cid], 1),
        )
    return t


def views_table(plan: Plan) -> Table:
    """The plan seen as financial assets alone and as part of net worth: E, SD, U."""
    t = Table(title="This plan seen as financial assets alone and as part of net worth")
    t.add_column("view", no_wrap=True)
    for col in ("expected return", "volatility", "utility"):
        t.add_column(col, justify="right")
    context = str(plan.problem.context)
    for name, m in plan.view_metrics().items():
        label = VIEW_LABELS.get(name, name) + (" (optimized)" if name == context else "")
        t.add_row(label, pct(m.expected_return, 2), pct(m.volatility, 2), pct(m.utility, 2))
    return t


def print_plan(plan: Plan, console: Console | None = None) -> None:
    """Print holdings, metrics (and both views when they differ) and assumptions."""
    c = console or new_console()
    c.print(holdings_table(plan))
    c.print(balance_sheet_table(plan))
    c.print(metrics_table(plan))
    if plan.problem.has_net_worth:
        c.print(views_table(plan))
    robust = returns_table(plan)
    if robust is not None:
        c.print(robust)
    c.print(assumptions_block(plan, plan.problem.market))

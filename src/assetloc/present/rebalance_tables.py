"""Terminal tables for a :class:`~assetloc.rebalance.result.RebalanceResult` (rich).

Every number goes through :mod:`assetloc.present.fmt`: dollars with cents below $100 and whole
dollars above (prices always to the cent), shares whole or to 4 decimals, shares of the
household as percents to 1 digit.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assetloc.notice import NOTICE
from assetloc.present.fmt import CENT, bp, pct, points, ratio, shares, usd
from assetloc.present.tables import method_lines
from assetloc.rebalance.result import RebalanceResult, Trade


def _pct(x: float, sign: bool = False) -> str:
    """Shares of the household and rates: 1 digit."""
    return pct(x, 1, sign)


def _lots_text(t: Trade) -> str:
    parts = []
    for lot in t.lots:
        term = "ST" if lot.term == "short" else "LT"
        flag = " WASH SALE" if lot.wash_sale else ""
        parts.append(
            f"{lot.acquired}: {shares(lot.shares)} sh, {term} {usd(lot.gain, sign=True)}{flag}"
        )
    return "\n".join(parts)


def account_table(result: RebalanceResult, k: int) -> Table:
    """Trades of account ``k`` and its class dollars before, after and target."""
    acc = result.accounts[k]
    flows = []
    if acc.contribution:
        flows.append(f"contribution {usd(acc.contribution)}")
    if acc.withdrawal:
        flows.append(f"withdrawal {usd(acc.withdrawal)}")
    title = (
        f"{acc.id} ({acc.type}): cash {usd(acc.cash_before)}"
        + (f", {', '.join(flows)}" if flows else "")
        + f" -> cash after {usd(acc.cash_after)}"
    )
    t = Table(title=title, title_justify="left")
    for col in ("symbol", "side", "shares", "price", "dollars", "lots sold (gain, term)"):
        t.add_column(col, justify="right" if col in ("shares", "price", "dollars") else "left")
    trades = [tr for tr in result.trades if tr.account == acc.id]
    for tr in trades:
        t.add_row(
            tr.symbol,
            tr.side,
            shares(tr.shares),
            usd(tr.price, 2),
            usd(tr.amount),
            _lots_text(tr)
            if tr.lots
            else ("no tax (tax-advantaged)" if tr.side == "sell" and acc.type != "taxable" else ""),
        )
    if not trades:
        t.add_row("-", "no trades", "", "", "", "")
    return t


def account_allocation_table(result: RebalanceResult, k: int) -> Table:
    """Class dollars of account ``k``: before, after, target."""
    acc = result.accounts[k]
    t = Table(title=f"{acc.id}: allocation (dollars)", title_justify="left")
    for col in ("asset class", "before", "after", "target"):
        t.add_column(col, justify="left" if col == "asset class" else "right")
    for i, cid in enumerate(result.classes):
        b, a, g = (
            result.before.dollars[k, i],
            result.after.dollars[k, i],
            result.target[k, i],
        )
        if max(abs(b), abs(a), abs(g)) >= 0.5:
            t.add_row(result.labels.get(cid, cid), usd(b), usd(a), usd(g))
    t.add_row(
        "cash (uninvested)",
        usd(result.before.cash[k]),
        usd(result.after.cash[k]),
        usd(float(result.account_cash_target[k])),
    )
    return t


def household_table(result: RebalanceResult) -> Table:
    """Household allocation against the target with bands (shares of the household)."""
    t = Table(title="Household vs target (% of household; drift = share - target)")
    t.add_column("asset class", no_wrap=True)
    for col in ("before", "after", "target", "band ±", "drift before", "drift after"):
        t.add_column(col, justify="right")
    t.add_column("band", no_wrap=True)
    db, da = result.drift_before, result.drift_after
    for i, cid in enumerate(da.classes):
        before = "OUT" if db.out_of_band[i] else "in"
        after = "OUT" if da.out_of_band[i] else "in"
        t.add_row(
            result.labels.get(cid, cid),
            _pct(db.shares[i]),
            _pct(da.shares[i]),
            _pct(da.target[i]),
            _pct(da.band[i]),
            _pct(db.drift[i], sign=True),
            _pct(da.drift[i], sign=True),
            f"{before}->{after}",
        )
    return t


def tax_table(result: RebalanceResult) -> Table:
    """Realized gains and their tax this year (with the carryforward when there is one)."""
    tx = result.tax
    how = (
        "tax(income + gains) - tax(income), by the year's return"
        if tx.source == "engine"
        else "at the stated rates"
    )
    t = Table(
        title=f"Realized gains and estimated tax ({how})", show_header=False, title_justify="left"
    )
    t.add_column("item")
    t.add_column("dollars", justify="right")
    t.add_row(
        f"short-term gain (next dollar taxed at {_pct(tx.short_term_rate)})",
        usd(tx.short_term_gain, sign=True),
    )
    t.add_row(
        f"long-term gain (next dollar taxed at {_pct(tx.long_term_rate)})",
        usd(tx.long_term_gain, sign=True),
    )
    if tx.disallowed_loss:
        t.add_row("loss disallowed by wash sales (no credit)", usd(tx.disallowed_loss))
    if tx.loss_deducted >= CENT:
        t.add_row("net loss deducted from ordinary income this year", usd(tx.loss_deducted))
    if tx.carryforward >= CENT:
        t.add_row(
            "net loss carried forward to next year (short-term / long-term)",
            f"{usd(tx.carryforward)} ({usd(tx.carryforward_short_term)} / "
            f"{usd(tx.carryforward_long_term)})",
        )
    t.add_row(
        "estimated tax" + ("" if tx.allow_losses else " (losses earn no credit)"),
        usd(tx.estimated_tax),
    )
    if result.trading_costs:
        t.add_row("trading costs", usd(result.trading_costs))
    return t


def cost_benefit_table(result: RebalanceResult) -> Table:
    """What the realized tax buys: the cost-benefit figures (dollars, bp, years)."""
    cb = result.cost_benefit
    t = Table(title="What the tax buys", show_header=False, title_justify="left")
    t.add_column("item")
    t.add_column("value", justify="right")
    t.add_row("estimated tax now", usd(cb["tax_now"]))
    t.add_row("  of which from gain-realizing sales", usd(cb["tax_of_gain_realizing_trades"]))
    t.add_row(
        "utility gain (after tax) vs not realizing gains", f"{bp(cb['utility_gain_bp'], 2)}/yr"
    )
    t.add_row("benefit per year (utility gain x after-tax wealth)", usd(cb["benefit_per_year"]))
    t.add_row(
        f"present value over {cb['horizon_years']} years at {_pct(cb['discount_rate'])}",
        usd(cb["present_value"]),
    )
    be = cb["break_even_years"]
    no_tax = abs(cb["tax_now"]) < CENT
    t.add_row(
        "break-even (years)",
        "n/a (no tax)" if no_tax else ("never" if be is None else ratio(be, 1)),
    )
    t.add_row("net benefit (present value - tax - costs)", usd(cb["net_benefit"], sign=True))
    full = cb.get("full_rebalance")
    if full:
        t.add_row(
            "a full rebalance instead: tax / present value",
            f"{usd(full['tax_now'])} / {usd(full['present_value'])}",
        )
    dist = cb["distance_from_target"]
    t.add_row(
        "left to move to reach the target", f"{usd(dist['dollars'])} ({points(dist['points'])})"
    )
    if cb["budget_binds"]:
        t.add_row("budget binds", ", ".join(cb["budget_binds"]))
    return t


def print_result(result: RebalanceResult, console: Console | None = None) -> None:
    """Print the whole result."""
    con = console or Console()
    if console is None and not con.is_terminal:
        con.width = max(con.width, 120)  # files and pipes: room for the tables
    con.print(
        f"[bold]Rebalance as of {result.as_of}[/bold]: mode {result.mode} -> "
        f"{result.action} ({result.reason})"
    )
    for k in range(len(result.accounts)):
        con.print(account_table(result, k))
        con.print(account_allocation_table(result, k))
    con.print(household_table(result))
    con.print(tax_table(result))
    if result.cost_benefit:
        con.print(cost_benefit_table(result))
    if result.within_bands:
        con.print("Check: every class is within its band after the trades.")
    else:
        con.print("[bold]Not every class is within its band. What binds:[/bold]")
    for b in result.binding:
        con.print(f"  - {escape(b)}")
    if result.wash_sale_flags:
        con.print("[bold]Wash sales:[/bold]")
        for f in result.wash_sale_flags:
            con.print(f"  - {escape(f)}")
    for g, reasons in result.blocked_groups.items():
        con.print(escape(f"Not bought (wash-sale guard): group {g}: {'; '.join(reasons)}"))
    if result.near_long_term:
        con.print("[bold]Short-term gains that turn long-term within 30 days:[/bold]")
        for x in result.near_long_term:
            con.print(
                escape(
                    f"  - {x.account} {x.symbol} lot {x.acquired}: gain {usd(x.gain)}, "
                    f"long-term on {x.long_term_on} ({x.days_to_long_term} d): waiting saves "
                    f"{usd(x.tax_saved_by_waiting)} of tax (defer_near_long_term = true "
                    "forbids such sales)"
                )
            )
    if result.defer_near_long_term and result.deferred_lots:
        con.print(
            f"defer_near_long_term: {len(result.deferred_lots)} lot(s) at a short-term gain "
            "that turn long-term within 30 days were not sold (see notes)"
        )
    if result.avoid_buying:
        con.print(
            "Sold at a loss today: do not buy these groups in ANY account (IRA and Roth "
            f"included) for the next 30 days: {escape(', '.join(result.avoid_buying))}"
        )
    for line in result.stranded_cash:
        con.print(f"[bold]Cash left uninvested:[/bold] {escape(line)}")
    for n in result.notes:
        con.print(f"note: {escape(n)}")
    for line in method_lines(result.method):
        con.print(escape(f"Target: {line}"))
    con.print(NOTICE)

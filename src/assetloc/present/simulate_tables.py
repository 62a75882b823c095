"""Tables of a simulation (`assetloc simulate` and the report's section), as plain text.

Input: :meth:`SimulationResult.to_dict` (today's dollars; location value in bp a year;
shares as decimals). Output: :class:`TextTable` rows of formatted strings, which the CLI
prints with rich (:func:`print_simulation`) and the HTML report lays out
(:mod:`assetloc.present.simulate_section`): one set of rows, two renderings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assetloc.present.fmt import bp, number, pct, usd

#: the distributions shown per strategy: (JSON key, table title)
DISTRIBUTIONS = (
    ("terminal_wealth", "Terminal after-tax wealth, after the final liquidation (today's $)"),
    ("spending", "Sustainable after-tax spending a year (today's $)"),
    ("lifetime_tax", "Lifetime tax (today's $)"),
)
STATS = ("mean", "p5", "p50", "p95")
#: rows of the lifecycle table (``--json`` gives every year)
LIFECYCLE_ROWS = 8


@dataclass(frozen=True)
class TextTable:
    """A titled table of text: the first column is a label, the rest are numbers."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    name: str = ""  # an id for the HTML (``sim-<name>``)


def _money(x: Any) -> str:
    return usd(float(x), 0)


def distribution_tables(d: Mapping[str, Any]) -> tuple[TextTable, ...]:
    """Terminal wealth, spending and lifetime tax per strategy: mean, p5, p50, p95."""
    out = []
    for key, title in DISTRIBUTIONS:
        rows = tuple(
            (name, *(_money(s[key][stat]) for stat in STATS)) for name, s in d["strategies"].items()
        )
        out.append(TextTable(title, ("strategy", *STATS), rows, key))
    return tuple(out)


def sales_table(d: Mapping[str, Any]) -> TextTable:
    """The guide's "core challenge": rebalancing that had to sell in a taxable account."""
    rows = []
    for name, s in d["strategies"].items():
        t = s["taxable_rebalance_sales"]
        rows.append(
            (name, pct(t["share_of_years"], 1), pct(t["share_of_paths"], 1), usd(t["tax"], 0))
        )
    return TextTable(
        "Rebalancing that sold in a taxable account",
        ("strategy", "share of years", "share of paths", "tax of those sales (mean per path)"),
        tuple(rows),
        "sales",
    )


def location_table(d: Mapping[str, Any]) -> TextTable | None:
    """Location value against duplicate, bp a year: mean, p5, p50, p95, share negative."""
    lv = d.get("location_value_bp") or {}
    if not lv:
        return None
    adjusted = any("risk_adjusted" in v for v in lv.values())
    rows = []
    for name, v in lv.items():
        extra = (_bp_or_dash(v.get("risk_adjusted")),) if adjusted else ()
        if "mean" not in v:
            rows.append((name, *(["–"] * 4), "–", *extra))
            continue
        rows.append(
            (name, *(bp(float(v[stat])) for stat in STATS), pct(v["share_negative"], 1), *extra)
        )
    gamma = d.get("risk_aversion")
    risk = (
        (f"risk-adjusted (CE, γ = {float(gamma):.3g}; – if a path ends at $0)",)
        if adjusted and gamma
        else ()
    )
    return TextTable(
        "Location value vs duplicate (bp a year of after-tax return)",
        ("strategy", *STATS, "share of paths negative", *risk),
        tuple(rows),
        "location",
    )


def _bp_or_dash(v: Any) -> str:
    return "–" if v is None or not math.isfinite(float(v)) else bp(float(v))


def reoptimized_table(d: Mapping[str, Any]) -> TextTable | None:
    """What re-solving the plan on each path's balances changed: one row per strategy that
    re-solves, one column per measure (counts as numbers, shares as percents)."""
    measured = {n: s["reoptimized"] for n, s in d["strategies"].items() if s.get("reoptimized")}
    if not measured:
        return None
    keys = list(dict.fromkeys(k for m in measured.values() for k in m))
    rows = []
    for name, m in measured.items():
        cells = []
        for key in keys:
            v = m.get(key)
            if v is None:
                cells.append("–")
            else:
                v = float(v)
                cells.append(number(v) if v == round(v) else pct(v, 2))  # counts; shares
        rows.append((name, *cells))
    return TextTable(
        "Re-solving the plan along the paths",
        ("strategy", *(k.replace("_", " ") for k in keys)),
        tuple(rows),
        "reoptimized",
    )


#: a placed strategy whose start mix differs from joint's by more than this share of F is
#: named in :func:`allocation_note`
MIX_GAP_NOTE = 0.01
#: joint is said to end behind duplicate when its mean location value is at most minus this
#: (bp a year) and it is negative on more than this share of the paths (noise is neither)
BEHIND_BP = 5.0
BEHIND_SHARE = 0.6
#: the strategies that place joint's own mix (the others choose their mix)
PLACED = ("duplicate", "rule_of_thumb")


def _pct_or_dash(m: Mapping[str, Any], key: str, digits: int) -> str:
    v = m.get(key)
    return "–" if v is None else pct(float(v), digits)


def mix_table(d: Mapping[str, Any]) -> TextTable | None:
    """Each strategy's household mix, pre-tax: E and SD at the start, E held over the run,
    and against joint's mix the share of F held in other classes and the difference in E."""
    mixes = d.get("household_mix") or {}
    if not mixes:
        return None
    rows = []
    for name, m in mixes.items():
        gap_bp = m.get("held_expected_return_vs_joint_bp")
        rows.append(
            (
                name,
                _pct_or_dash(m, "start_expected_return", 2),
                _pct_or_dash(m, "start_volatility", 2),
                _pct_or_dash(m, "start_gap_vs_joint", 1),
                _pct_or_dash(m, "held_expected_return", 2),
                _pct_or_dash(m, "held_gap_vs_joint", 1),
                "–" if gap_bp is None else bp(float(gap_bp)),
            )
        )
    return TextTable(
        "Household mix of each strategy: pre-tax E and SD of the mix; the share of wealth not "
        "held as joint holds it",
        (
            "strategy",
            "E, start",
            "SD, start",
            "not as joint, start",
            "E held, run mean",
            "not as joint, run",
            "E held vs joint",
        ),
        tuple(rows),
        "mix",
    )


def allocation_note(d: Mapping[str, Any]) -> str | None:
    """A warning when duplicate or rule_of_thumb, which place joint's mix, hold another:
    from the start (a menu or a bound keeps the mix from being placed as it is), or over the
    run (between re-solves each strategy's mix drifts as its accounts grow and are spent at
    their own rates). Their wealth then differs from joint's by allocation as well as
    location, and every location value is measured against duplicate. With deterministic
    returns (no risk) the mix with the higher expected return ends richer whatever its risk."""
    mixes = d.get("household_mix") or {}
    off = []
    for name in PLACED:
        m = mixes.get(name) or {}
        start = float(m.get("start_gap_vs_joint") or 0.0)
        held = float(m.get("held_gap_vs_joint") or 0.0)
        if max(start, held) <= MIX_GAP_NOTE:
            continue
        cause = (
            f"from the start ({pct(start, 1)}: a menu or a bound keeps joint's mix from being "
            "placed as it is)"
            if start > MIX_GAP_NOTE
            else "as the mixes drift apart between re-solves (accounts grow and are spent at "
            "different rates)"
        )
        e_gap = m.get("held_expected_return_vs_joint_bp")
        e_text = "" if e_gap is None else f", its expected return {bp(float(e_gap))} a year"
        off.append(
            f"{name} holds up to {pct(max(start, held), 1)} of wealth otherwise than joint, "
            f"{cause}{e_text} pre-tax"
        )
    if not off:
        return None
    text = (
        f"Note: {'; '.join(off)}: these differences in wealth are partly allocation, not "
        "location alone (every location value is measured against duplicate)"
    )
    if d.get("returns") == "deterministic":
        text += (
            "; with deterministic returns there is no risk, so the mix with the higher "
            "expected return ends richer whatever its risk: judge with montecarlo paths and "
            "the risk-adjusted column"
        )
    return text


def joint_behind_note(d: Mapping[str, Any]) -> str | None:
    """A warning when the optimizer's own plan ends poorer than duplicate on most paths: the
    plan is a one-period optimum (Kaplan's model) and does not see the order in which the
    ``[plan]`` spends the accounts, nor how the mix drifts between re-solves."""
    joint = (d.get("location_value_bp") or {}).get("joint") or {}
    if (
        "mean" not in joint
        or float(joint["mean"]) > -BEHIND_BP
        or float(joint["share_negative"]) <= BEHIND_SHARE
    ):
        return None
    order = (d.get("assumptions") or {}).get("withdrawal_order", "")
    return (
        f"Note: joint ends poorer than duplicate on {pct(float(joint['share_negative']), 0)} "
        f"of the paths (mean {bp(float(joint['mean']))} a year): its placement is a one-period "
        "optimum that does not see when each account is spent"
        + (f" (withdrawal order: {order})" if order else "")
        + " or how the mix drifts between re-solves; the household mix table shows how much "
        "of the gap is allocation. Weigh this before acting on the placement"
    )


def warnings(d: Mapping[str, Any]) -> tuple[str, ...]:
    """The simulation's warnings, in the order shown: joint behind, then a baseline on
    another mix (:func:`joint_behind_note`, :func:`allocation_note`)."""
    return tuple(n for n in (joint_behind_note(d), allocation_note(d)) if n)


def _sample(n: int, rows: int = LIFECYCLE_ROWS) -> list[int]:
    if n <= rows:
        return list(range(n))
    return sorted({round(j * (n - 1) / (rows - 1)) for j in range(rows)})


def lifecycle_table(d: Mapping[str, Any]) -> TextTable | None:
    """A few years of Kaplan's lifecycle: H, F, W = H + F and the CRRA consumption."""
    lc = d.get("lifecycle")
    if not lc:
        return None
    n = len(lc["total_wealth"])
    rows = tuple(
        (
            str(lc["year"][t]),
            _money(lc["human_capital"][t]),
            _money(lc["financial_wealth"][t]),
            _money(lc["total_wealth"][t]),
            _money(lc["consumption"][t]) if t < len(lc["consumption"]) else "–",
        )
        for t in _sample(n)
    )
    return TextTable(
        "Lifecycle (Kaplan): human capital H, financial wealth F, W = H + F, CRRA consumption "
        "(today's $)",
        ("year", "H", "F", "W", "consumption"),
        rows,
        "lifecycle",
    )


def tables(d: Mapping[str, Any]) -> tuple[TextTable, ...]:
    """Every table of the simulation, in the order they are shown."""
    out = [*distribution_tables(d), sales_table(d)]
    for t in (location_table(d), mix_table(d), reoptimized_table(d), lifecycle_table(d)):
        if t is not None:
            out.append(t)
    return tuple(out)


def lifecycle_note(d: Mapping[str, Any]) -> str | None:
    """The lifecycle's first-year consumption beside the simulated sustainable spending."""
    lc = d.get("lifecycle")
    if not lc or not lc["consumption"]:
        return None
    parts = [f"CRRA consumption in year 0: {_money(lc['consumption'][0])}"]
    for name in ("joint", "duplicate"):
        s = d["strategies"].get(name)
        if s is not None:
            parts.append(f"{name} sustainable spending (median): {_money(s['spending']['p50'])}")
    return "; ".join(parts)


def assumption_lines(assumptions: Mapping[str, Any]) -> list[str]:
    """``key: value`` lines; lists joined by semicolons, mappings as ``k = v`` pairs."""
    lines = []
    for key, value in assumptions.items():
        lines.append(f"{key.replace('_', ' ')}: {_text(value)}")
    return lines


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} = {_text(v)}" for k, v in value.items()) or "none"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "; ".join(_text(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return "not given" if value is None else str(value)


def rich_table(t: TextTable) -> Table:
    """A :class:`TextTable` as a rich table (numbers right-aligned)."""
    out = Table(title=t.title)
    for j, col in enumerate(t.columns):
        out.add_column(col, justify="left" if j == 0 else "right", no_wrap=j == 0)
    for row in t.rows:
        out.add_row(*(escape(c) for c in row))
    return out


def run_line(paths: int, returns: str, years: int, seed: int | None) -> str:
    """ "1,000 montecarlo paths x 50 years, seed 0"; a deterministic run is one path, no seed."""
    if returns == "deterministic":
        return f"deterministic (expected returns, one path) x {years} years"
    return f"{number(paths)} {returns} path{'s' if paths != 1 else ''} x {years} years, seed {seed}"


def print_simulation(d: Mapping[str, Any], console: Console) -> None:
    """Every table, the lifecycle note, the assumptions and the notice, on ``console``."""
    console.print(
        escape(
            f"{run_line(d['paths'], d['returns'], d['years'], d['seed'])} "
            "(after tax, today's dollars)"
        )
    )
    for t in tables(d):
        console.print(rich_table(t))
    for warning in warnings(d):
        console.print(escape(warning))
    note = lifecycle_note(d)
    if note:
        console.print(escape(note))
    console.print("Assumptions:")
    for line in assumption_lines(d["assumptions"]):
        console.print(escape(f"  {line}"))
    console.print(escape(str(d["notice"])))

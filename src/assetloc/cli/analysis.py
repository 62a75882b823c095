"""`assetloc frontier | compare`: the evidence around an optimization (thin shells)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from assetloc.analysis.compare import compare
from assetloc.analysis.frontier import frontiers
from assetloc.analysis.optimize import method_summary, optimize
from assetloc.inputs.household import load_household
from assetloc.notice import NOTICE
from assetloc.present import jsonout
from assetloc.present.fmt import console as new_console
from assetloc.present.fmt import label_map, pct, ratio, usd
from assetloc.present.tables import method_lines

FileArg = Annotated[Path, typer.Argument(help="household TOML file")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object")]


#: rows of each frontier table on a terminal (``--json`` gives every point)
TABLE_ROWS = 12


def _frontier(
    file: FileArg,
    points: Annotated[int, typer.Option("--points", min=2, max=2000, help="return targets")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """The after-tax efficient frontier in both views, with the optimum and indifference."""
    h = load_household(file)
    plan = optimize(h)
    fr = frontiers(h, points, plan.x)
    context = plan.problem.context
    if as_json:
        main = fr[context].to_dict()
        out = {
            "context": context,
            "points": main["points"],
            "optimum": main["optimum"],
            "indifference": main["indifference"],
            "chosen": main["chosen"],
            "views": {name: f.to_dict() for name, f in fr.items()},
            **method_summary(plan.problem.market),
            "notice": NOTICE,
        }
        typer.echo(jsonout.dumps(out))
        return
    console = new_console()
    for name, f in fr.items():
        shown = _sample(len(f.points))
        t = Table(title=f"Efficient frontier, {name} view (after tax, % per year)")
        for col in ("expected return", "volatility", "utility"):
            t.add_column(col, justify="right")
        for j in shown:
            pt = f.points[j]
            t.add_row(pct(pt.expected_return), pct(pt.volatility), pct(pt.utility))
        console.print(t)
        if len(shown) < len(f.points):
            console.print(
                f"  showing {len(shown)} of {len(f.points)} points, evenly spaced along "
                "the frontier; --json gives all"
            )
        o = f.optimum
        console.print(
            f"  optimum: E {pct(o.expected_return)}, SD {pct(o.volatility)}, U {pct(o.utility)}"
        )
        if f.chosen is not None:
            c = f.chosen
            console.print(
                f"  the household's plan ({context} optimum) seen here: "
                f"E {pct(c.expected_return)}, SD {pct(c.volatility)}"
            )
    for line in method_lines(method_summary(plan.problem.market)):
        console.print(escape(line))
    console.print(NOTICE)


def _sample(n: int, rows: int = TABLE_ROWS) -> list[int]:
    """Indices of at most ``rows`` points out of ``n``, evenly spaced, first and last kept."""
    if n <= rows:
        return list(range(n))
    return sorted({round(j * (n - 1) / (rows - 1)) for j in range(rows)})


def _compare(file: FileArg, as_json: JsonOpt = False) -> None:
    """Joint, duplicate, separate, two-step and rule-of-thumb side by side, both views."""
    cmp = compare(load_household(file))
    d = cmp.to_dict()
    method = method_summary(cmp.problem.market)
    if as_json:
        d.update(method)
        d["notice"] = NOTICE
        typer.echo(jsonout.dumps(d))
        return
    console = new_console()
    views = [v for v in ("financial", "net_worth") if any(v in m for m in d["methods"])]
    t = Table(title=f"Methods compared (after tax, % per year; optimized view: {d['context']})")
    t.add_column("method", no_wrap=True)
    for v in views:
        for col in ("E", "SD", "U", "Sharpe"):
            t.add_column(f"{v}\n{col}", justify="right")
    for m in d["methods"]:
        cells = []
        for v in views:
            if v in m:
                mv = m[v]
                cells += [
                    pct(mv["expected_return"]),
                    pct(mv["volatility"]),
                    pct(mv["utility"]),
                    ratio(mv["sharpe"]),
                ]
            else:
                cells += ["-"] * 4
        t.add_row(m["name"], *cells)
    console.print(t)
    p = cmp.problem
    names = label_map(p.market.ids, p.market.labels)
    for m in d["methods"]:
        if "error" in m:
            console.print(f"{m['name']}: not available ({m['error']})")
            continue
        a = Table(title=f"{m['name']}: holdings by account (dollars)")
        a.add_column("asset class", overflow="fold")
        for acc in m["accounts"]:
            a.add_column(acc["id"], justify="right")
        for i, cid in enumerate(p.market.ids):
            vals = [acc["holdings"][cid] for acc in m["accounts"]]
            if max(vals) >= 0.5:
                a.add_row(names[cid], *(usd(v) if v >= 0.5 else "-" for v in vals))
            del i
        console.print(a)
    for line in method_lines(method):
        console.print(escape(line))
    console.print(NOTICE)


def register(app: typer.Typer) -> None:
    """Attach ``frontier`` and ``compare`` to ``app``."""
    app.command("frontier")(_frontier)
    app.command("compare")(_compare)

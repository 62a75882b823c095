"""`assetloc frontier | compare`: the evidence around an optimization (thin shells)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assetloc import jsonout
from assetloc.compare import compare
from assetloc.frontier import frontiers
from assetloc.household import load_household
from assetloc.optimize import optimize
from assetloc.plan import NOTICE

FileArg = Annotated[Path, typer.Argument(help="household TOML file")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object")]


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


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
            "notice": NOTICE,
        }
        typer.echo(jsonout.dumps(out))
        return
    console = Console()
    for name, f in fr.items():
        t = Table(title=f"Efficient frontier, {name} view (after tax, % per year)")
        for col in ("expected return", "volatility", "utility"):
            t.add_column(col, justify="right")
        step = max(1, len(f.points) // 12)
        for pt in f.points[::step]:
            t.add_row(_pct(pt.expected_return), _pct(pt.volatility), _pct(pt.utility))
        console.print(t)
        o = f.optimum
        console.print(
            f"  optimum: E {_pct(o.expected_return)}, SD {_pct(o.volatility)}, U {_pct(o.utility)}"
        )
        if f.chosen is not None:
            c = f.chosen
            console.print(
                f"  the household's plan ({context} optimum) seen here: "
                f"E {_pct(c.expected_return)}, SD {_pct(c.volatility)}"
            )
    console.print(NOTICE)


def _compare(file: FileArg, as_json: JsonOpt = False) -> None:
    """Joint, duplicate, separate, two-step and rule-of-thumb side by side, both views."""
    cmp = compare(load_household(file))
    d = cmp.to_dict()
    if as_json:
        d["notice"] = NOTICE
        typer.echo(jsonout.dumps(d))
        return
    console = Console()
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
                    _pct(mv["expected_return"]),
                    _pct(mv["volatility"]),
                    _pct(mv["utility"]),
                    f"{mv['sharpe']:.3f}",
                ]
            else:
                cells += ["-"] * 4
        t.add_row(m["name"], *cells)
    console.print(t)
    p = cmp.problem
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
                a.add_row(cid, *(f"${v:,.0f}" if v >= 0.5 else "-" for v in vals))
            del i
        console.print(a)
    console.print(NOTICE)


def register(app: typer.Typer) -> None:
    """Attach ``frontier`` and ``compare`` to ``app``."""
    app.command("frontier")(_frontier)
    app.command("compare")(_compare)

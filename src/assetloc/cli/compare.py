"""`assetloc compare FILE`: the optimization beside simpler methods (thin shell)."""

from __future__ import annotations

import typer

from assetloc.cli.options import FileArg, JsonOpt


def _compare(file: FileArg, as_json: JsonOpt = False) -> None:
    """Joint, duplicate, separate, two-step and rule-of-thumb side by side, both views."""
    from rich.markup import escape
    from rich.table import Table

    from assetloc.analysis.compare import compare
    from assetloc.analysis.optimize import method_summary
    from assetloc.cli.loading import load
    from assetloc.notice import NOTICE
    from assetloc.present import jsonout
    from assetloc.present.documents import compare_document
    from assetloc.present.fmt import console as new_console
    from assetloc.present.fmt import label_map, pct, ratio, usd
    from assetloc.present.tables import method_lines

    loaded = load(file)
    if as_json:
        typer.echo(jsonout.dumps(compare_document(loaded)))
        return
    cmp = compare(loaded.household)
    d = cmp.to_dict()
    method = method_summary(cmp.problem.market)
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
        for cid in p.market.ids:
            vals = [acc["holdings"][cid] for acc in m["accounts"]]
            if max(vals) >= 0.5:
                a.add_row(names[cid], *(usd(v) if v >= 0.5 else "-" for v in vals))
        console.print(a)
    for line in method_lines(method):
        console.print(escape(line))
    console.print(NOTICE)


def register(app: typer.Typer) -> None:
    """Attach ``compare`` to ``app``."""
    app.command("compare")(_compare)

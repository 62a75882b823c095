"""`assetloc taxes FILE`: effective tax rates and after-tax returns per class."""

from __future__ import annotations

import typer

from assetloc.cli.options import FileArg, JsonOpt


def _taxes(file: FileArg, as_json: JsonOpt = False) -> None:
    """Effective tax rates, tax cost ratios and after-tax returns per asset class."""
    from assetloc.cli.loading import load
    from assetloc.present import jsonout
    from assetloc.present.documents import taxes_document

    d = taxes_document(load(file))
    if as_json:
        typer.echo(jsonout.dumps(d))
        return
    from rich.markup import escape
    from rich.table import Table

    from assetloc.market.traits import TRAIT_FIELDS
    from assetloc.present.fmt import console as new_console
    from assetloc.present.fmt import pct
    from assetloc.present.tables import method_lines
    from assetloc.tax.muni import muni_line

    t = Table(title="What tax does to each class (% per year; rates after tax)")
    t.add_column("asset class", overflow="fold", min_width=14)
    for col in (
        "pre-tax",
        "tax rate (taxable)",
        "tax cost ratio",
        "taxable",
        "traditional",
        "roth",
        "hsa",
        "origin",
    ):
        t.add_column(col, justify="right")
    for c in d["classes"]:
        a = c["after_tax_return"]
        t.add_row(
            c["label"],
            pct(c["pre_tax_return"], 2),
            pct(c["effective_tax_rate"], 1),
            pct(c["tax_cost_ratio"], 2),
            pct(a["taxable"], 2),
            pct(a["traditional"], 2),
            pct(a["roth"], 2),
            pct(a["hsa"], 2),
            c["origin"],
        )
    console = new_console()
    console.print(t)
    traits = Table(title="Tax traits used (decimals; income 'all' = whole return is income)")
    cols = TRAIT_FIELDS
    traits.add_column("asset class", overflow="fold", min_width=14)
    for col in cols:
        traits.add_column(col.replace("_", " "), justify="right")
    for c in d["classes"]:
        tr = c["traits"]
        if tr is None:
            traits.add_row(c["label"], *(["-"] * len(cols)))
        else:
            traits.add_row(c["label"], *("all" if tr[k] is None else f"{tr[k]:.3g}" for k in cols))
    console.print(traits)
    for line in method_lines(d):
        console.print(escape(line))
    console.print("Rates: " + ", ".join(f"{k} {pct(v, 2)}" for k, v in d["rates"].items()))
    be = d.get("muni_break_even")
    console.print(escape(muni_line(be, d.get("muni_break_even_reason", ""))))
    for note in d["assumptions"]:
        console.print(f"  {note}")


def register(app: typer.Typer) -> None:
    """Attach ``taxes`` to ``app``."""
    app.command("taxes")(_taxes)

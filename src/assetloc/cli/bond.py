"""`assetloc bond`: price, yield, duration, convexity and after-tax yields of one bond.

Thin shell over :mod:`assetloc.bonds`: parse options, call, print.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from assetloc import bonds


def _parse_date(field: str, text: str | None) -> date | None:
    from assetloc.inputs.dates import parse_date

    return None if text is None else parse_date(field, text)


def bond(
    coupon: Annotated[float, typer.Option(help="Annual coupon rate, decimal (0.05 = 5%).")],
    yield_: Annotated[
        float | None,
        typer.Option(
            "--yield",
            help="Yield, decimal, compounded --frequency times a year; -0.10 to 1.00.",
        ),
    ] = None,
    price: Annotated[
        float | None,
        typer.Option(
            help="Clean (quoted) price per 100 of face, instead of --yield; its yield must "
            "be in -10% to 100%."
        ),
    ] = None,
    settle: Annotated[str | None, typer.Option(help="Settlement date, YYYY-MM-DD.")] = None,
    maturity: Annotated[str | None, typer.Option(help="Maturity date, YYYY-MM-DD.")] = None,
    years: Annotated[
        float | None, typer.Option(help="Years to maturity, instead of --settle/--maturity.")
    ] = None,
    frequency: Annotated[int, typer.Option(help="Coupons a year: 1, 2, 4 or 12.")] = 2,
    day_count: Annotated[
        str, typer.Option(help="30/360 (US bond basis) or act/act (ICMA); with dates.")
    ] = "30/360",
    eom: Annotated[
        bool, typer.Option("--eom/--no-eom", help="End-of-month rule for month-end maturities.")
    ] = True,
    federal_rate: Annotated[
        float | None, typer.Option(help="Federal ordinary income-tax rate, decimal.")
    ] = None,
    state_rate: Annotated[
        float | None, typer.Option(help="State income-tax rate, decimal (not deductible).")
    ] = None,
    muni: Annotated[bool, typer.Option("--muni", help="Municipal bond (federal-exempt).")] = False,
    in_state: Annotated[
        bool, typer.Option("--in-state", help="Muni of the holder's state (state-exempt).")
    ] = False,
    treasury: Annotated[
        bool, typer.Option("--treasury", help="US Treasury (state-exempt).")
    ] = False,
    shift_bp: Annotated[
        float | None,
        typer.Option(help="Also show exact vs duration-convexity price change for this move, bp."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Price, yield, accrued interest, durations, DV01, convexity and after-tax yields."""
    from assetloc import bonds
    from assetloc.errors import InputError

    if (yield_ is None) == (price is None):
        raise InputError("yield", "give exactly one of --yield or --price")
    if years is not None and (settle is not None or maturity is not None):
        raise InputError("years", "give either --years or --settle/--maturity, not both")
    if years is None and (settle is None or maturity is None):
        raise InputError(
            "maturity" if settle is not None else "settle",
            "give --settle and --maturity dates, or --years",
        )
    tax: bonds.BondTaxRates | None = None
    if federal_rate is not None or state_rate is not None:
        tax = bonds.BondTaxRates(
            federal=federal_rate or 0.0,
            state=state_rate or 0.0,
            muni=muni,
            in_state=in_state,
            treasury=treasury,
        )
    elif muni or in_state or treasury:
        raise InputError(
            "federal_rate", "give --federal-rate and/or --state-rate for after-tax yields"
        )
    the_bond = bonds.make_bond(
        coupon,
        frequency,
        years=years,
        settle=_parse_date("settle", settle),
        maturity=_parse_date("maturity", maturity),
        day_count=day_count,
        end_of_month=eom,
    )
    report = bonds.analyze(
        the_bond,
        yield_=yield_,
        clean_price=price,
        tax=tax,
        dy=None if shift_bp is None else shift_bp / 10000.0,
    )
    if as_json:
        from assetloc.present import jsonout

        typer.echo(jsonout.dumps(report.to_dict(), indent=None))
    else:
        from rich.console import Console

        Console().print(_table(report))


def _table(report: bonds.BondReport) -> Table:
    from rich.table import Table

    from assetloc.units import pct_g

    m = report.measures
    t = m.timing
    table = Table(title="Bond", show_header=True)
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    table.add_column("Unit")
    rows: list[tuple[str, str, str]] = [
        ("Coupon rate", f"{100 * m.coupon:.6g}", "% a year"),
        ("Frequency", str(t.frequency), "coupons a year"),
    ]
    if t.settle is not None and t.maturity is not None:
        rows += [
            ("Settlement", t.settle.isoformat(), "date"),
            ("Maturity", t.maturity.isoformat(), "date"),
            ("Previous coupon", str(t.previous_coupon), "date"),
            ("Next coupon", str(t.next_coupon), "date"),
            ("Day count", str(t.day_count), ""),
        ]
    rows += [
        ("Coupons left (n)", str(t.n), "coupons"),
        ("Period gone (f)", f"{t.f:.10f}", "fraction of a period"),
        ("Time to maturity", f"{t.years:.6f}", "years"),
        ("Yield", f"{100 * m.yield_:.8f}", f"% a year, compounded {t.frequency}x"),
        ("Full (dirty) price", f"{m.price_full:.8f}", "per 100 face"),
        ("Accrued interest", f"{m.accrued_interest:.8f}", "per 100 face"),
        ("Clean price", f"{m.price_clean:.8f}", "per 100 face"),
        ("Macaulay duration", f"{m.macaulay_duration:.8f}", "years"),
        ("Modified duration", f"{m.modified_duration:.8f}", "years"),
        ("DV01", f"{m.dv01:.8f}", "price per 100 face per 1 bp"),
        ("Convexity", f"{m.convexity:.8f}", "years^2"),
    ]
    if report.after_tax is not None:
        a = report.after_tax
        rows += [
            ("Tax rate on interest", f"{100 * a.tax_rate:.6g}", "%"),
            ("After-tax yield", f"{100 * a.after_tax:.8f}", "% a year"),
            (
                "Taxable-equivalent yield",
                f"{100 * a.taxable_equivalent:.8f}",
                f"% a year (fully taxable at {pct_g(a.combined_rate, 6)})",
            ),
        ]
    if report.change is not None:
        c = report.change
        rows += [
            ("Yield move", f"{10000 * c.dy:.6g}", "bp"),
            ("Price change, exact", f"{100 * c.exact:.8f}", "% of full price"),
            ("Price change, -D_m dy + C dy^2/2", f"{100 * c.approx:.8f}", "% of full price"),
        ]
    for row in rows:
        table.add_row(*row)
    return table


def register(app: typer.Typer) -> None:
    """Attach the ``bond`` command to ``app``; calling it again does nothing."""
    if any(info.name == "bond" for info in app.registered_commands):
        return
    app.command("bond")(bond)

"""Form 8949 (Sales and Other Dispositions of Capital Assets) rows from the engine's sales.

One row per sale row (a lot sold, or its washed and allowed parts), taxable accounts only
(IRA, Roth and HSA sales are not reported). Part I holds short-term rows, Part II long-term
ones. Columns, per the form's instructions: (a) description ("100 sh VTI"), (b) date
acquired (the holding period's start, tacked for wash-sale replacements), (c) date sold,
(d) proceeds, (e) cost or other basis (wash adjustments included), (f) code ("W": a
nondeductible loss from a wash sale), (g) adjustment (the disallowed loss, a positive
number), (h) gain or loss = (d) - (e) + (g). Box A/D: basis reported to the IRS on Form
1099-B (default); B/E: reported, basis not; C/F: no Form 1099-B.

Dollars stay floats inside; the CSV shows cents, rounded half away from zero, with (h)
and the totals computed from the rounded columns so that every printed row adds up.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

from assetloc.ledger.records import Sale

__all__ = [
    "COLUMNS",
    "Form8949Row",
    "Form8949Total",
    "cents",
    "form8949_rows",
    "form8949_totals",
    "realized_totals",
    "write_form8949_csv",
]

#: the long-term box that goes with each short-term one
LONG_BOX = {"A": "D", "B": "E", "C": "F"}

COLUMNS = (
    "part",
    "box",
    "description",
    "date_acquired",
    "date_sold",
    "proceeds",
    "cost_basis",
    "code",
    "adjustment",
    "gain_or_loss",
)


def cents(dollars: float) -> Decimal:
    """Dollars to the cent, half away from zero (from the shortest repr of the float)."""
    return Decimal(repr(dollars)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _shares(x: float) -> str:
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return text or "0"


@dataclass(frozen=True)
class Form8949Row:
    """One line of Form 8949. Dollars unrounded; :meth:`printed` gives the form's cents."""

    part: Literal["I", "II"]
    box: str
    description: str  # (a)
    acquired: dt.date  # (b)
    sold: dt.date  # (c)
    proceeds: float  # (d)
    basis: float  # (e)
    code: str  # (f)
    adjustment: float  # (g), >= 0
    gain: float  # (h) = (d) - (e) + (g)

    def printed(self) -> dict[str, str]:
        """The row as the form shows it: dates MM/DD/YYYY, cents; (h) from the rounded
        (d), (e) and (g)."""
        d, e, g = cents(self.proceeds), cents(self.basis), cents(self.adjustment)
        return {
            "part": self.part,
            "box": self.box,
            "description": self.description,
            "date_acquired": self.acquired.strftime("%m/%d/%Y"),
            "date_sold": self.sold.strftime("%m/%d/%Y"),
            "proceeds": str(d),
            "cost_basis": str(e),
            "code": self.code,
            "adjustment": str(g) if self.code else "",
            "gain_or_loss": str(d - e + g),
        }


def form8949_rows(
    sales: Iterable[Sale],
    year: int | None = None,
    box_short: str = "A",
    box_long: str | None = None,
) -> list[Form8949Row]:
    """The Form 8949 rows of the taxable sales of ``year`` (None: every sale given): Part I
    (short-term, box ``box_short``: A, B or C) then Part II (long-term, box ``box_long``:
    D, E or F, default the one that goes with ``box_short``), each in sale order."""
    if box_short not in LONG_BOX:
        raise ValueError(f"the short-term box must be A, B or C, got {box_short!r}")
    long_box = LONG_BOX[box_short] if box_long is None else box_long
    if long_box not in LONG_BOX.values():
        raise ValueError(f"the long-term box must be D, E or F, got {box_long!r}")
    rows = [
        Form8949Row(
            part="I" if s.term == "short" else "II",
            box=box_short if s.term == "short" else long_box,
            description=f"{_shares(s.shares)} sh {s.symbol}",
            acquired=s.acquired,
            sold=s.sold,
            proceeds=s.proceeds,
            basis=s.basis,
            code=s.code,
            adjustment=s.disallowed,
            gain=s.proceeds - s.basis + s.disallowed,
        )
        for s in sales
        if s.taxable and (year is None or s.sold.year == year)
    ]
    return [r for r in rows if r.part == "I"] + [r for r in rows if r.part == "II"]


@dataclass(frozen=True)
class Form8949Total:
    """The totals of one part and box (the form's line 2), in cents as printed."""

    part: str
    box: str
    proceeds: Decimal
    basis: Decimal
    adjustment: Decimal
    gain: Decimal


def form8949_totals(rows: Sequence[Form8949Row]) -> list[Form8949Total]:
    """Per part and box: the sums of the printed (rounded) columns (d), (e), (g), (h)."""
    out: dict[tuple[str, str], list[Decimal]] = {}
    for r in rows:
        p = r.printed()
        sums = out.setdefault((r.part, r.box), [Decimal(0)] * 4)
        sums[0] += Decimal(p["proceeds"])
        sums[1] += Decimal(p["cost_basis"])
        sums[2] += Decimal(p["adjustment"] or "0")
        sums[3] += Decimal(p["gain_or_loss"])
    cent = Decimal("0.01")  # a total with no adjustment prints 0.00 like the rest
    return [
        Form8949Total(part, box, *(x.quantize(cent) for x in sums))
        for (part, box), sums in out.items()
    ]


def write_form8949_csv(rows: Sequence[Form8949Row], path: str | Path) -> None:
    """Write the rows, then one ``Totals`` line per part and box, as CSV (:data:`COLUMNS`)."""
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(r.printed() for r in rows)
        for t in form8949_totals(rows):
            writer.writerow(
                {
                    "part": t.part,
                    "box": t.box,
                    "description": "Totals",
                    "date_acquired": "",
                    "date_sold": "",
                    "proceeds": str(t.proceeds),
                    "cost_basis": str(t.basis),
                    "code": "",
                    "adjustment": str(t.adjustment),
                    "gain_or_loss": str(t.gain),
                }
            )


def realized_totals(sales: Iterable[Sale], year: int) -> dict[str, float]:
    """Recognized net gains of ``year``'s taxable sales, dollars: ``short_term`` and
    ``long_term`` (disallowed wash-sale losses excluded), for the tax engine."""
    totals = {"short_term": 0.0, "long_term": 0.0}
    for s in sales:
        if s.taxable and s.sold.year == year:
            totals["short_term" if s.term == "short" else "long_term"] += s.gain
    return totals

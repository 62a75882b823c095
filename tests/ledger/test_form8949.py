"""Form 8949 rows: the columns per the form's instructions ((g) positive for code W,
(h) = (d) - (e) + (g)), parts by term, totals equal to the realized totals."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings

from assetloc.ledger.engine import derive
from assetloc.ledger.form8949 import (
    cents,
    form8949_rows,
    form8949_totals,
    realized_totals,
    write_form8949_csv,
)

from support.ledger_cases import GOLDEN, load_case, run_case
from support.ledgergen import ACCOUNTS, GROUPS, Ledger, ledgers


def test_pub550_example_on_the_form() -> None:
    """$1,000 basis sold for $750, rebought: (d) 750, (e) 1,000, (f) W, (g) 250, (h) 0."""
    sales = run_case(load_case(GOLDEN / "pub550_basis_of_new_stock.toml")).sales
    (row,) = form8949_rows(sales, 2024)
    assert row.printed() == {
        "part": "I",
        "box": "A",
        "description": "100 sh X",
        "date_acquired": "01/02/2024",
        "date_sold": "03/01/2024",
        "proceeds": "750.00",
        "cost_basis": "1000.00",
        "code": "W",
        "adjustment": "250.00",
        "gain_or_loss": "0.00",
    }


def test_parts_boxes_and_years() -> None:
    sales = run_case(load_case(GOLDEN / "edge_tacked_holding_period_long_term.toml")).sales
    assert [r.part for r in form8949_rows(sales, 2023)] == ["I"]
    (long_row,) = form8949_rows(sales, 2024, box_short="B")
    assert (long_row.part, long_row.box) == ("II", "E")
    assert long_row.acquired.isoformat() == "2023-01-14"  # tacked
    assert form8949_rows(sales, 2024, box_short="C", box_long="D")[0].box == "D"
    assert len(form8949_rows(sales)) == 2  # no year: every sale given
    with pytest.raises(ValueError, match="box"):
        form8949_rows(sales, 2024, box_short="D")
    with pytest.raises(ValueError, match="box"):
        form8949_rows(sales, 2024, box_long="A")


def test_ira_sales_are_not_reported() -> None:
    sales = run_case(load_case(GOLDEN / "edge_ira_replacement_sold_later.toml")).sales
    rows = form8949_rows(sales, 2024)
    assert [r.code for r in rows] == ["W"]  # the taxable loss; the IRA's sale is left out
    assert realized_totals(sales, 2024) == {"short_term": 0.0, "long_term": 0.0}


def test_fractional_shares_description() -> None:
    sales = run_case(load_case(GOLDEN / "edge_reinvested_dividend_partial_wash.toml")).sales
    assert [r.description for r in form8949_rows(sales, 2024)] == [
        "2.5 sh VTI",
        "97.5 sh VTI",
    ]


@pytest.mark.parametrize(
    ("dollars", "printed"),
    [(0.125, "0.13"), (-0.125, "-0.13"), (2.675, "2.68"), (1.005, "1.01"), (-0.004, "0.00")],
)
def test_cents_round_half_away_from_zero(dollars: float, printed: str) -> None:
    assert abs(cents(dollars)) == abs(Decimal(printed))
    assert str(cents(dollars)).lstrip("-") == printed.lstrip("-")


@settings(max_examples=100)
@given(ledgers())
def test_columns_add_up_and_totals_are_the_realized_totals(ledger: Ledger) -> None:
    sales = derive(ledger.transactions, ACCOUNTS, GROUPS).sales
    year = 2024
    rows = form8949_rows(sales, year)
    assert len(rows) == sum(1 for s in sales if s.taxable and s.sold.year == year)
    for r in rows:
        p = r.printed()
        assert Decimal(p["gain_or_loss"]) == (
            Decimal(p["proceeds"]) - Decimal(p["cost_basis"]) + Decimal(p["adjustment"] or "0")
        )
        assert abs(r.gain - (r.proceeds - r.basis + r.adjustment)) <= 1e-9
        assert r.adjustment >= 0 and (r.code == "W") == (r.adjustment > 0)
        if r.code == "W":
            assert Decimal(p["adjustment"]) >= 0
    realized = realized_totals(sales, year)
    totals = {t.part: t for t in form8949_totals(rows)}
    for part, term in (("I", "short_term"), ("II", "long_term")):
        n = sum(1 for r in rows if r.part == part)
        got = float(totals[part].gain) if part in totals else 0.0
        assert abs(got - realized[term]) <= 0.015 * n + 1e-9  # a cent and a half a row at most


def test_csv_rows_then_totals(tmp_path: Path) -> None:
    sales = run_case(load_case(GOLDEN / "reg_1091_1_example2_fewer_bought.toml")).sales
    rows = form8949_rows(sales, 1955)
    path = tmp_path / "f8949.csv"
    write_form8949_csv(rows, path)
    with path.open(newline="", encoding="utf-8") as fh:
        lines = list(csv.DictReader(fh))
    assert [ln["gain_or_loss"] for ln in lines] == ["0.00", "-250.00", "-250.00"]
    assert lines[-1]["description"] == "Totals"
    assert (lines[-1]["proceeds"], lines[-1]["cost_basis"], lines[-1]["adjustment"]) == (
        "4000.00",
        "5000.00",
        "750.00",
    )

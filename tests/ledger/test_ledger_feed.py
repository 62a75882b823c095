"""The tax feed (``[ledger] gains_to_income``) and the ledger in every command, end to end:
in memory (the engine) and through a SQLite ledger imported by ``assetloc ledger import``
(the engine and the store)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assetloc import parse_household
from assetloc.errors import InputError
from assetloc.ledger.context import complete
from assetloc.tax.household_return import return_document

from support.cli_runner import run_cli
from support.ledger_households import checked, fields, inputs_for, tx

ROWS: list[tuple[Any, ...]] = [
    ("2024-01-10", "brk", "VTI", "buy", 10, 200.0),
    ("2026-02-01", "brk", "VTI", "buy", 10, 300.0),
    ("2026-03-02", "brk", "VTI", "sell", 10, 260.0, "2026-02-01"),  # short-term -$400
    ("2026-04-01", "brk", "VTI", "sell", 5, 260.0, "2024-01-10"),  # long-term +$300
    ("2026-04-02", "ira", "VTI", "buy", 3, 250.0),  # an IRA trade: no tax
    ("2026-04-03", "ira", "VTI", "sell", 3, 200.0),
    ("2025-05-01", "brk", "VTI", "sell", 1, 250.0),  # another year
    ("2026-05-01", "brk", "VTI", "buy", 4, 300.0),  # $200 under water at $250
]


def _file(income: dict[str, float] | None = None, **ledger: Any) -> dict[str, Any]:
    return {
        "investor": {"filing_status": "single", "tax_year": 2026},
        "income": {"wages": 80_000.0, **(income or {})},
        "accounts": [
            {"id": "brk", "type": "taxable", "cash": 1000.0},
            {"id": "ira", "type": "traditional", "cash": 500.0},
        ],
        "objective": {"kind": "fixed_mix", "mix": {"us_equity_large_cap": 1.0}},
        "securities": [{"symbol": "VTI", "price": 250.0}],
        "ledger": {"url": "sqlite:///unused.db", "gains_to_income": True, **ledger},
        "rebalance": {"as_of": "2026-06-30"},
    }


def _complete(d: dict[str, Any]) -> Any:
    h = fields(d)
    txs = [tx(*row, seq=i + 1) for i, row in enumerate(ROWS)]
    return complete(h, inputs_for(h, txs))


def test_the_years_recognized_gains_feed_income_and_the_return() -> None:
    loaded = _complete(_file())
    h = checked(loaded.household)
    assert h.income is not None
    assert h.income.short_term_gains == pytest.approx(-400.0)
    assert h.income.long_term_gains == pytest.approx(5 * 60.0)
    assert any("realized gains from the ledger" in n for n in loaded.notes)
    typed = parse_household(
        _file({"short_term_gains": -400.0, "long_term_gains": 300.0}, gains_to_income=False)
    )
    assert return_document(h)["total_tax"] == pytest.approx(return_document(typed)["total_tax"])


def test_income_that_states_gains_too_is_an_error() -> None:
    with pytest.raises(InputError, match=r"^income\.short_term_gains: .*give one or the other"):
        _complete(_file({"short_term_gains": 10.0}))


def test_the_cli_reads_the_ledger_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    home = tmp_path / "h.toml"
    home.write_text(HOUSEHOLD_TOML, encoding="utf-8")
    csv = tmp_path / "ledger.csv"
    lines = ["date,account,symbol,action,shares,price,fees,lot"]
    lines += [",".join(str(x) for x in (*row[:6], 0, *row[6:])) for row in ROWS]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "ledger", "import", str(home), str(csv))
    assert code == 0, err
    code, out, err = run_cli(capsys, "tax-year", str(home), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert any("from the ledger" in a for a in doc["assumptions"])
    code, out, err = run_cli(capsys, "harvest", str(home), "--json")
    assert code == 0, err
    # the 2024 lot (4 shares left at $200) is at a gain; the May lot $200 under water
    (c,) = json.loads(out)["candidates"]
    assert (c["symbol"], c["shares"], c["loss"]) == ("VTI", 4.0, pytest.approx(200.0))
    assert c["lot"] != "2026-05-01"  # the ledger's lot id
    code, out, err = run_cli(capsys, "rebalance", str(home), "--json")
    assert code == 0, err
    assert any("positions and lots from the ledger" in n for n in json.loads(out)["notes"])


HOUSEHOLD_TOML = """
[investor]
filing_status = "single"
tax_year = 2026

[income]
wages = 80000.0

[[accounts]]
id = "brk"
type = "taxable"
cash = 1000.0

[[accounts]]
id = "ira"
type = "traditional"
cash = 500.0

[objective]
kind = "fixed_mix"
mix = {us_equity_large_cap = 1.0}

[[securities]]
symbol = "VTI"
price = 250.0

[ledger]
url = "sqlite:///ledger.db"
positions = true
gains_to_income = true

[rebalance]
as_of = "2026-06-30"
"""

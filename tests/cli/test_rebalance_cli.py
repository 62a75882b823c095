"""`assetloc rebalance` and `assetloc import-holdings`: output, files, bad input (exit 2)."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import pytest

from assetloc import parse_household
from assetloc.rebalance import rebalance
from assetloc.rebalance.csv_import import apply_holdings, read_holdings_csv

from support.cli_runner import run_cli
from support.rebalance_files import CSV, HOUSEHOLD, write

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "rebalance.toml")


def one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0][len("error: ") :]


def test_rebalance_prints_tables_per_account_and_the_notice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(capsys, "rebalance", EXAMPLE)
    assert code == 0, err
    for text in (
        "brokerage (taxable)",
        "401k (traditional)",
        "roth (roth)",
        "Household vs target",
        "estimated tax",
        "not tax advice",
        # issue 10: the 401(k) reaches the target at no tax, so no lot is sold (the old
        # $0.01-per-dollar rule sold long-term lots, "LT"); the tables say what tax buys
        "What the tax buys",
        "cash (uninvested)",
        "within its band",
    ):
        assert text in out, text


def test_rebalance_json_has_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "rebalance", EXAMPLE, "--json")
    assert code == 0
    d = json.loads(out)
    assert d["trades"]
    for t in d["trades"]:
        assert {
            "account",
            "symbol",
            "side",
            "shares",
            "amount",
            "short_term_gain",
            "long_term_gain",
        } <= set(t)
        assert t["side"] in ("buy", "sell")
        assert t["amount"] == pytest.approx(t["shares"] * t["price"], abs=0.005)  # to the cent
    assert {"short_term_gain", "long_term_gain", "estimated_tax"} <= set(d["tax"])
    for a in d["after"]["accounts"]:
        assert {"id", "cash", "positions"} <= set(a)
        assert a["cash"] >= 0 and all(q >= 0 for q in a["positions"].values())


def test_orders_csv_for_bulk_upload(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    orders = tmp_path / "orders.csv"
    code, out, _ = run_cli(capsys, "rebalance", EXAMPLE, "--orders", str(orders), "--json")
    assert code == 0
    trades = json.loads(out)["trades"]
    rows = list(csv.DictReader(orders.open(encoding="utf-8")))
    assert len(rows) == len(trades)
    assert list(rows[0]) == [
        "account",
        "action",
        "symbol",
        "quantity",
        "order_type",
        "estimated_price",
        "estimated_amount",
        "lots",
        "trade_date",
    ]
    as_of = json.loads(out)["as_of"]
    for row, t in zip(rows, trades, strict=True):
        assert row["trade_date"] == as_of  # ledger import records the orders on that day
        assert row["action"] == t["side"].upper() and row["symbol"] == t["symbol"]
        assert float(row["quantity"]) == pytest.approx(t["shares"], abs=1e-6)
        if t["lots"]:
            total = sum(float(part.split(":")[1]) for part in row["lots"].split(";"))
            assert total == pytest.approx(t["shares"], abs=1e-6)


def test_mode_and_as_of_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "rebalance", EXAMPLE, "--mode", "cash_flow_only", "--json")
    assert code == 0
    d = json.loads(out)
    assert d["action"] == "cash_flow_only"
    assert not any(t["side"] == "sell" for t in d["trades"])
    code, _, err = run_cli(capsys, "rebalance", EXAMPLE, "--mode", "sometimes")
    assert code == 2 and one_error_line(err).startswith("--mode: must be one of")
    code, _, err = run_cli(capsys, "rebalance", EXAMPLE, "--as-of", "2019-01-01")
    assert code == 2 and "is after the trade date 2019-01-01" in one_error_line(err)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'symbol = "BND"',
            'symbol = "NOPE"',
            "accounts[1].positions[0].symbol: unknown security 'NOPE'",
        ),
        (
            "shares = 40, cost_basis",
            "shares = 30, cost_basis",
            "accounts[0].positions[0]: lots hold 90 shares but the position has 100",
        ),
        ("price = 72.5", "price = -72.5", "accounts[1].positions[0].price:"),
        (
            "2025-03-02",
            "2027-03-02",
            "accounts[0].positions[0].lots[1].acquired: 2027-03-02 is after the trade date",
        ),
    ],
)
def test_bad_household_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    assert old in HOUSEHOLD
    path = write(tmp_path, "h.toml", HOUSEHOLD.replace(old, new, 1))
    code, out, err = run_cli(capsys, "rebalance", path)
    assert code == 2 and out == ""
    assert one_error_line(err).startswith(expected)


# ---------------------------------------------------------------------------- the CSV


def test_holdings_csv_gives_the_same_household_as_the_toml(tmp_path: Path) -> None:
    h = parse_household(tomllib.loads(HOUSEHOLD))
    imported = read_holdings_csv(write(tmp_path, "holdings.csv", CSV))
    stripped = tomllib.loads(HOUSEHOLD)
    for acc in stripped["accounts"]:
        acc["cash"] = 1  # replaced by the CSV
        acc["positions"] = []
    h2 = apply_holdings(parse_household(stripped), imported)
    assert h2.accounts == h.accounts
    r1, r2 = rebalance(h), rebalance(h2)
    assert [t.to_dict() for t in r1.trades] == [t.to_dict() for t in r2.trades]


def test_rebalance_with_holdings_csv_and_import_holdings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml_path = write(tmp_path, "h.toml", HOUSEHOLD)
    csv_path = write(tmp_path, "holdings.csv", CSV)
    code, out, err = run_cli(capsys, "rebalance", toml_path, "--holdings", csv_path, "--json")
    assert code == 0, err
    assert json.loads(out)["after"]["accounts"][0]["id"] == "brokerage"
    code, out, err = run_cli(capsys, "import-holdings", csv_path, "--household", toml_path)
    assert code == 0, err
    accounts = tomllib.loads(out)["accounts"]
    assert [a["id"] for a in accounts] == ["brokerage", "ira"]
    assert accounts[0]["cash"] == 1000.0
    vti = accounts[0]["positions"][0]
    assert vti["shares"] == 100.0 and vti["lots"][1]["cost_basis"] == 11800.0
    code, out, _ = run_cli(capsys, "import-holdings", csv_path, "--json")
    assert code == 0 and json.loads(out)["accounts"][1]["positions"][0]["symbol"] == "BND"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "VTI,60,250.00",
            "VTI,6o,250.00",
            "holdings.csv row 3, column shares: not a number ('6o')",
        ),
        (
            "price,acquired",
            "prize,acquired",
            "holdings.csv row 1, column 5: unknown column 'prize'",
        ),
        ("BND,300,72.50", "BND,300,-72.50", "holdings.csv row 5, column price: must be > 0"),
        (
            "250.00,2025-03-02",
            "251.00,2025-03-02",
            "holdings.csv row 4, column price: 251 disagrees",
        ),
        ("2020-01-15", "2020-13-15", "holdings.csv row 3, column acquired: not a valid date"),
        ("2025-03-02,", ",", "holdings.csv row 4, column acquired: is required when cost_basis"),
        (
            "ira,traditional",
            "ira,roth",
            "holdings.csv row 5, column type: 'roth' but the household",
        ),
        (
            "ira,traditional,BND",
            "ira,traditional,NOPE",
            "holdings.csv row 5, column symbol: unknown security 'NOPE'",
        ),
        (
            "2020-01-15",
            "2027-01-15",
            "holdings.csv row 3, column acquired: 2027-01-15 is after the trade date",
        ),
        ("brokerage,taxable,CASH", "brokerage,taxable,CASH", None),
    ],
)
def test_bad_csv_names_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str | None
) -> None:
    assert old in CSV
    toml_path = write(tmp_path, "h.toml", HOUSEHOLD)
    csv_path = write(tmp_path, "holdings.csv", CSV.replace(old, new, 1))
    code, out, err = run_cli(capsys, "rebalance", toml_path, "--holdings", csv_path)
    if expected is None:
        assert code == 0
        return
    assert code == 2 and out == ""
    assert one_error_line(err).startswith(expected), err


def test_csv_new_account_needs_a_type_and_taxable_rows_need_lots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml_path = write(tmp_path, "h.toml", HOUSEHOLD)
    for extra, expected in (
        ("roth2,,VTI,1,250,,\n", "holdings.csv row 6, column type: account 'roth2' is not in"),
        ("hsa,taxable,BND,5,72.5,,\n", "holdings.csv row 6, column acquired: BND in taxable"),
    ):
        csv_path = write(tmp_path, "holdings.csv", CSV + extra)
        code, _, err = run_cli(capsys, "rebalance", toml_path, "--holdings", csv_path)
        assert code == 2
        assert one_error_line(err).startswith(expected), err
    code, _, err = run_cli(capsys, "import-holdings", write(tmp_path, "x.csv", "account,symbol\n"))
    assert code == 2 and one_error_line(err) == "x.csv row 1: missing column 'shares'"

"""`assetloc ledger import | lots | realized | form8949`: what a user sees, JSON only on
stdout with --json, one-line errors with exit 2; the figures of the IRS's own wash-sale
example (Pub 550 "Wash Sales"; VITA Capital Gain or Loss Workout, case study 1: buy 100
shares for $1,000, sell them for $750, buy 100 within 30 days for $800: the $250 loss is
disallowed and the new shares' basis is $1,050) and Rev. Rul. 2008-5 (the replacement
bought in an IRA: the loss is lost for good, the IRA's basis stays $800)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import assetloc

from support.ledger_files import LEDGER, household, write

CliResult = tuple[int, str, str]

PUB550 = """date,account,symbol,action,shares,price,fees,lot
2024-01-10,brokerage,XYZ,buy,100,10.00,0,
2024-03-01,brokerage,XYZ,sell,100,7.50,0,
2024-03-15,brokerage,XYZ,buy,100,8.00,0,
"""
REV_RUL_2008_5 = PUB550.replace("2024-03-15,brokerage,", "2024-03-15,ira,")


ROW6 = "ledger.csv row 6, column "


def one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0][len("error: ") :]


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as wide as they need (a pipe prints at $COLUMNS)."""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def home(tmp_path: Path) -> str:
    return str(household(tmp_path, "sqlite:///ledger.db"))


def test_import_prints_the_count_and_the_notice_then_skips_on_reimport(
    cli: Callable[..., CliResult], home: str, tmp_path: Path
) -> None:
    f = str(write(tmp_path, "ledger.csv", LEDGER))
    code, out, err = cli("ledger", "import", home, f)
    assert (code, err) == (0, "")
    assert (
        out.splitlines()[0] == "imported ledger.csv: 4 transactions added, 0 already in the ledger"
    )
    assert "not tax advice" in out
    code, out, err = cli("ledger", "import", home, f)
    assert (
        out.splitlines()[0] == "imported ledger.csv: 0 transactions added, 4 already in the ledger"
    )
    assert (tmp_path / "ledger.db").is_file()  # relative to the household file's folder


def test_import_json_is_the_documented_document(
    cli: Callable[..., CliResult], home: str, tmp_path: Path
) -> None:
    f = str(write(tmp_path, "ledger.csv", LEDGER))
    code, out, err = cli("ledger", "import", home, f, "--json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert set(doc) == {"added", "skipped", "rows", "source", "ledger", "format", "household",
                        "notice"}  # fmt: skip
    assert (doc["added"], doc["skipped"], doc["rows"], doc["source"]) == (4, 0, 4, "ledger.csv")
    assert doc["ledger"] == f"sqlite:///{tmp_path / 'ledger.db'}"
    assert "not tax advice" in doc["notice"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("2024-07-01,brokerage,VTI,sell,5,abc,0,", ROW6 + "price: not a number ('abc')"),
        ("2024-07-01,brkg,VTI,buy,5,10,0,",
         ROW6 + "account: unknown account 'brkg' (the household's: brokerage, ira, roth)"),
    ],
)  # fmt: skip
def test_a_bad_row_is_exit_2_one_line_and_nothing_on_stdout_with_json(
    cli: Callable[..., CliResult], home: str, tmp_path: Path, extra: str, message: str
) -> None:
    f = str(write(tmp_path, "ledger.csv", LEDGER + extra + "\n"))
    for args in ((), ("--json",)):
        code, out, err = cli("ledger", "import", home, f, *args)
        assert code == 2
        assert out == ""
        assert one_error_line(err) == message


def test_database_problems_are_exit_2_one_line(
    cli: Callable[..., CliResult], home: str, tmp_path: Path
) -> None:
    bare = tmp_path / "bare.toml"
    bare.write_text(Path(home).read_text().replace('[ledger]\nurl = "sqlite:///ledger.db"\n', ""))
    code, out, err = cli("ledger", "lots", str(bare))
    assert code == 2
    assert (
        one_error_line(err)
        == "ledger.url: no ledger: give [ledger] url in the household file or --db URL"
    )
    code, out, err = cli(
        "ledger", "lots", home, "--db", "postgresql+psycopg://u:secret@127.0.0.1:1/x"
    )
    assert code == 2 and "cannot open" in one_error_line(err) and "secret" not in err
    code, out, err = cli("ledger", "realized", home, "--year", "2024", "--db", "nonsense")
    assert code == 2 and "not a database URL" in one_error_line(err)
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all\n" * 100)
    code, out, err = cli("ledger", "lots", home, "--db", "sqlite:///junk.db", "--json")
    assert code == 2 and out == "" and "cannot open" in one_error_line(err)
    code, out, err = cli("ledger", "import", home, str(tmp_path / "missing.csv"))
    assert code == 2 and "file not found" in one_error_line(err)


def test_help_lists_the_ledger_commands(cli: Callable[..., CliResult]) -> None:
    code, out, _ = cli("ledger", "--help")
    assert code == 0
    for name in ("import", "lots", "realized", "form8949"):
        assert name in out


def test_lots_show_the_pub_550_basis_of_1050(
    cli: Callable[..., CliResult], home: str, tmp_path: Path
) -> None:
    assert cli("ledger", "import", home, str(write(tmp_path, "p.csv", PUB550)))[0] == 0
    code, out, err = cli("ledger", "lots", home, "--as-of", "2024-12-31", "--json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert set(doc) == {"as_of", "ledger", "lots", "notice"}
    (lot,) = doc["lots"]
    assert (lot["account"], lot["symbol"], lot["shares"]) == ("brokerage", "XYZ", 100.0)
    assert lot["basis"] == 1050.0  # $800 + the $250 disallowed loss
    assert lot["wash_adjustment"] == 250.0
    assert lot["opened"] == "2024-03-15"
    # the old shares' holding period (Jan 10 - Mar 1, 51 days) is tacked on (IRC §1223(3))
    assert lot["acquired"] == "2024-01-24"
    assert lot["term"] == "short"
    code, out, _ = cli("ledger", "lots", home, "--as-of", "2024-12-31")
    assert "$1,050.00" in out and "$250.00" in out and "not tax advice" in out


def test_realized_disallows_the_250_loss_deferred(
    cli: Callable[..., CliResult], home: str, tmp_path: Path
) -> None:
    cli("ledger", "import", home, str(write(tmp_path, "p.csv", PUB550)))
    code, out, err = cli("ledger", "realized", home, "--year", "2024", "--json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert set(doc) == {"year", "ledger", "sales", "totals", "notice"}
    (sale,) = doc["sales"]
    assert (sale["proceeds"], sale["basis"], sale["disallowed"]) == (750.0, 1000.0, 250.0)
    assert (sale["gain"], sale["code"], sale["permanent"]) == (0.0, "W", False)
    t = doc["totals"]
    assert (t["short_term_gain"], t["long_term_gain"]) == (0.0, 0.0)
    assert (t["disallowed_deferred"], t["disallowed_permanent"]) == (250.0, 0.0)
    code, out, _ = cli("ledger", "realized", home, "--year", "2024")
    assert "deferred into replacement lots: $250.00" in out and "not tax advice" in out


def test_an_ira_replacement_loses_the_loss_for_good(
    cli: Callable[..., CliResult], home: str, tmp_path: Path
) -> None:
    """Rev. Rul. 2008-5: the IRA purchase washes the loss; the IRA lot's basis stays $800."""
    cli("ledger", "import", home, str(write(tmp_path, "r.csv", REV_RUL_2008_5)))
    doc = json.loads(cli("ledger", "realized", home, "--year", "2024", "--json")[1])
    (sale,) = doc["sales"]
    assert (sale["disallowed"], sale["permanent"], sale["gain"]) == (250.0, True, 0.0)
    assert (doc["totals"]["disallowed_permanent"], doc["totals"]["disallowed_deferred"]) == (
        250.0,
        0.0,
    )
    lots = json.loads(cli("ledger", "lots", home, "--as-of", "2024-12-31", "--json")[1])["lots"]
    assert [(x["account"], x["basis"]) for x in lots] == [("ira", 800.0)]


def test_form8949_writes_the_wash_sale_row(
    cli: Callable[..., CliResult], home: str, tmp_path: Path
) -> None:
    cli("ledger", "import", home, str(write(tmp_path, "p.csv", PUB550)))
    out_csv = tmp_path / "8949.csv"
    code, out, err = cli("ledger", "form8949", home, "--year", "2024", "-o", str(out_csv))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"wrote 1 Form 8949 rows of 2024 to {out_csv}"
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    first = rows[0]
    assert (first["part"], first["box"], first["description"]) == ("I", "A", "100 sh XYZ")
    assert (first["date_acquired"], first["date_sold"]) == ("01/10/2024", "03/01/2024")
    assert (first["proceeds"], first["cost_basis"], first["code"]) == ("750.00", "1000.00", "W")
    assert (first["adjustment"], first["gain_or_loss"]) == ("250.00", "0.00")
    code, _, err = cli("ledger", "form8949", home, "--year", "2024", "-o", str(out_csv),
                       "--box-short", "Q")  # fmt: skip
    assert code == 2 and one_error_line(err).startswith("--box-short: must be A, B or C")


def test_import_json_in_a_fresh_process_prints_only_json(home: str, tmp_path: Path) -> None:
    """No migration log or banner: stdout is one JSON document, stderr empty."""
    env = {**os.environ, "PYTHONPATH": str(Path(assetloc.__file__).resolve().parents[1])}
    f = str(write(tmp_path, "ledger.csv", LEDGER))
    run = [sys.executable, "-m", "assetloc", "ledger"]
    p = subprocess.run([*run, "import", home, f, "--json"], capture_output=True, text=True,
                       env=env, timeout=120)  # fmt: skip
    assert p.returncode == 0 and p.stderr == ""
    assert json.loads(p.stdout)["added"] == 4


def test_form8949_boxes_as_asked(cli: Callable[..., CliResult], home: str, tmp_path: Path) -> None:
    """A long-term sale goes to Part II, its box the one asked for (default: with A, D)."""
    history = PUB550.replace("2024-03-01,brokerage,XYZ,sell", "2025-03-01,brokerage,XYZ,sell")
    history = history.replace(
        "2024-03-15,brokerage,XYZ,buy,100,8.00", "2025-06-15,brokerage,XYZ,buy,1,8.00"
    )
    cli("ledger", "import", home, str(write(tmp_path, "lt.csv", history)))
    out_csv = tmp_path / "8949.csv"
    for args, box in (((), "D"), (("--box-short", "C"), "F"), (("--box-long", "e"), "E")):
        code, _, err = cli("ledger", "form8949", home, "--year", "2025", "-o", str(out_csv), *args)
        assert (code, err) == (0, "")
        first = next(csv.DictReader(out_csv.open(encoding="utf-8")))
        assert (first["part"], first["box"], first["proceeds"]) == ("II", box, "750.00")

"""Broker positions files (golden fixtures written from the brokers' real export headers)
as starting lots: one ``transfer_in`` a position, basis = the file's cost basis total,
acquired on ``--acquired``; cash, money market, pending and total rows skipped; Vanguard's
basis-less file refused unless ``--basis-unknown``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assetloc.errors import InputError
from assetloc.inputs.household import Household, parse_household
from assetloc.ledger.api import detect_format, import_file, parse_file
from assetloc.ledger.source import ledger_inputs
from assetloc.ledger.transactions import Action

FIXTURES = Path(__file__).parent / "fixtures"
ACQUIRED = dt.date(2020, 1, 15)


def broker_household(ids: list[str]) -> Household:
    accounts = "".join(
        f'\n[[accounts]]\nid = "{i}"\ntype = "{"roth" if "876" in i else "taxable"}"\n'
        "balance = 10000\n"
        for i in ids
    )
    return parse_household(
        __import__("tomllib").loads(
            "[investor]\nordinary_rate = 0.3\ncapital_gains_rate = 0.15\n"
            + accounts
            + '\n[objective]\nkind = "fixed_mix"\nmix = { us_equity_large_cap = 1.0 }\n'
        )
    )


FIDELITY_IDS = ["Z12345678", "Z87654321"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("fidelity_positions.csv", "fidelity"),
        ("schwab_positions.csv", "schwab"),
        ("vanguard_ofxdownload.csv", "vanguard"),
        ("ledger_example.csv", "ledger"),
    ],
)
def test_auto_detects_each_format(name: str, kind: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert detect_format(name, text) == kind


def test_fidelity_positions_become_transfer_ins_at_their_basis() -> None:
    h = broker_household(FIDELITY_IDS)
    parsed = parse_file(FIXTURES / "fidelity_positions.csv", h, acquired=ACQUIRED)
    got = [
        (r.number, r.transaction.account, r.transaction.symbol, r.transaction.shares)
        for r in parsed.rows
    ]
    # SPAXX** (money market) row 2 and Pending Activity row 5 skipped; spreadsheet numbering
    assert got == [
        (3, "Z12345678", "VTI", 120.0),
        (4, "Z12345678", "BND", 200.5),
        (6, "Z87654321", "FXAIX", 50.123),
    ]
    basis = [r.transaction.shares * r.transaction.price for r in parsed.rows]
    assert basis == pytest.approx([25000.0, 15000.0, 8000.0], rel=1e-15)
    for r in parsed.rows:
        t = r.transaction
        assert t.action is Action.TRANSFER_IN
        assert t.lot == "2020-01-15"  # acquired
        assert t.date == dt.date(2025, 6, 30)  # the file's "Date downloaded" note
        assert t.fees == 0
    later = parse_file(
        FIXTURES / "fidelity_positions.csv", h, acquired=ACQUIRED, as_of=dt.date(2025, 7, 1)
    )
    assert {r.transaction.date for r in later.rows} == {dt.date(2025, 7, 1)}


def test_fidelity_account_numbers_must_match_or_be_mapped() -> None:
    h = broker_household(["brokerage"])
    with pytest.raises(InputError) as err:
        parse_file(FIXTURES / "fidelity_positions.csv", h, acquired=ACQUIRED)
    assert "fidelity_positions.csv row 3, column Account Number" in str(err.value)
    assert "broker account 'Z12345678' is no household account id (brokerage)" in str(err.value)
    assert "--account" in str(err.value)
    # --account maps one broker account; this file has two
    with pytest.raises(InputError, match="row 6, column Account Number: a second broker account"):
        parse_file(FIXTURES / "fidelity_positions.csv", h, acquired=ACQUIRED, account="brokerage")
    with pytest.raises(InputError, match="--account: unknown account 'nope'"):
        parse_file(FIXTURES / "fidelity_positions.csv", h, acquired=ACQUIRED, account="nope")


def test_schwab_positions_with_account_and_the_title_date() -> None:
    h = broker_household(["brokerage"])
    with pytest.raises(InputError, match="--account: a schwab positions file names no account"):
        parse_file(FIXTURES / "schwab_positions.csv", h, acquired=ACQUIRED)
    parsed = parse_file(
        FIXTURES / "schwab_positions.csv", h, acquired=ACQUIRED, account="brokerage"
    )
    assert parsed.kind == "schwab"
    rows = [(r.number, r.transaction.symbol, r.transaction.shares) for r in parsed.rows]
    assert rows == [(4, "SCHB", 1000.0), (5, "SCHZ", 300.5)]  # cash, totals skipped
    basis = [r.transaction.shares * r.transaction.price for r in parsed.rows]
    assert basis == pytest.approx([18000.0, 7212.0], rel=1e-15)
    assert {r.transaction.date for r in parsed.rows} == {dt.date(2025, 5, 4)}  # "as of"


def test_positions_need_an_acquisition_date() -> None:
    h = broker_household(["brokerage"])
    with pytest.raises(InputError) as err:
        parse_file(FIXTURES / "schwab_positions.csv", h, account="brokerage")
    assert str(err.value) == (
        "--acquired: a schwab positions file gives no lot dates: give --acquired YYYY-MM-DD"
    )
    with pytest.raises(InputError, match="after the positions' date 2025-05-04"):
        parse_file(
            FIXTURES / "schwab_positions.csv", h, account="brokerage", acquired=dt.date(2026, 1, 1)
        )


def test_vanguard_without_basis_is_refused_unless_basis_unknown() -> None:
    h = broker_household(["12345678"])
    with pytest.raises(InputError) as err:
        parse_file(FIXTURES / "vanguard_ofxdownload.csv", h, acquired=ACQUIRED)
    assert "has no cost basis: give --basis-unknown" in str(err.value)
    parsed = parse_file(
        FIXTURES / "vanguard_ofxdownload.csv",
        h,
        acquired=ACQUIRED,
        basis_unknown=True,
        as_of=dt.date(2025, 6, 30),
    )
    # VMFXX (money market) skipped; the transactions section after the blank line not read
    assert [(r.number, r.transaction.symbol, r.transaction.shares) for r in parsed.rows] == [
        (2, "VTSAX", 150.321),
        (4, "BND", 40.0),
    ]
    assert all(r.transaction.price == 0.0 for r in parsed.rows)


def test_a_broker_file_imports_and_reimports_idempotently(tmp_path: Path) -> None:
    h = broker_household(["brokerage"])
    path = tmp_path / "h.toml"
    url = f"sqlite:///{tmp_path / 'l.db'}"
    f = FIXTURES / "schwab_positions.csv"
    first = import_file(h, path, f, url, account="brokerage", acquired=ACQUIRED)
    assert (first.format, first.added, first.skipped) == ("schwab", 2, 0)
    again = import_file(h, path, f, url, account="brokerage", acquired=ACQUIRED)
    assert (again.added, again.skipped) == (0, 2)
    assert len(ledger_inputs(h, path, url).transactions) == 2


def test_a_file_of_no_known_format_names_the_choices(tmp_path: Path) -> None:
    f = tmp_path / "odd.csv"
    f.write_text("when,what\n2024-01-01,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"odd\.csv row 1: cannot tell the format.*give --format"):
        parse_file(f, broker_household(["brokerage"]))
    with pytest.raises(InputError, match="--format: must be one of auto, ledger, orders"):
        parse_file(f, broker_household(["brokerage"]), fmt="etrade")

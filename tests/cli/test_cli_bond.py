"""`assetloc bond`: JSON and table output, after-tax yields, bad input as one line + exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assetloc import bonds
from assetloc.cli.app import main

BASE = [
    "bond",
    "--coupon",
    "0.05",
    "--settle",
    "2026-11-22",
    "--maturity",
    "2031-06-15",
    "--frequency",
    "2",
]
KEYS = {
    "price_full",
    "price_clean",
    "accrued_interest",
    "yield",
    "macaulay_duration",
    "modified_duration",
    "dv01",
    "convexity",
}
TAX_KEYS = {"after_tax_yield", "taxable_equivalent_yield"}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    code, out, err = run([*argv, "--json"], capsys)
    assert code == 0, err
    assert err == ""
    return json.loads(out)


@pytest.mark.parametrize("day_count", ["30/360", "act/act"])
def test_json_from_yield_matches_library(
    day_count: str, capsys: pytest.CaptureFixture[str]
) -> None:
    d = run_json([*BASE, "--yield", "0.045", "--day-count", day_count], capsys)
    assert KEYS <= set(d)
    assert not TAX_KEYS & set(d)
    bond = bonds.make_bond(
        0.05, 2, settle=date(2026, 11, 22), maturity=date(2031, 6, 15), day_count=day_count
    )
    m = bonds.measures(bond, 0.045).to_dict()
    for key in KEYS:
        assert d[key] == pytest.approx(m[key], rel=1e-12), key  # JSON: 13 significant digits
    assert d["day_count"] == day_count
    assert d["previous_coupon"] == "2026-06-15" and d["next_coupon"] == "2026-12-15"


def test_json_from_price_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    d = run_json([*BASE, "--price", "101.25", "--day-count", "act/act"], capsys)
    assert d["price_clean"] == pytest.approx(101.25, rel=1e-12)
    assert d["price_full"] == pytest.approx(101.25 + d["accrued_interest"], rel=1e-12)
    again = run_json([*BASE, "--yield", repr(d["yield"]), "--day-count", "act/act"], capsys)
    assert again["price_clean"] == pytest.approx(101.25, rel=1e-12)


YEARS_FORM = ["bond", "--coupon", "0.03", "--price", "100", "--years", "4.5"]
RATES = ["--federal-rate", "0.35", "--state-rate", "0.05"]


def test_json_years_form_with_after_tax(capsys: pytest.CaptureFixture[str]) -> None:
    d = run_json([*YEARS_FORM, *RATES, "--muni"], capsys)
    assert KEYS | TAX_KEYS <= set(d)
    assert d["yield"] == pytest.approx(0.03, rel=1e-12)  # par bond on a coupon date
    assert d["accrued_interest"] == 0.0 and d["years_to_maturity"] == 4.5
    assert d["after_tax_yield"] == pytest.approx(0.03 * 0.95, rel=1e-12)  # out-of-state muni
    assert d["taxable_equivalent_yield"] == pytest.approx(0.03 * 0.95 / 0.60, rel=1e-12)
    d = run_json([*YEARS_FORM, *RATES, "--muni", "--in-state"], capsys)
    assert d["after_tax_yield"] == pytest.approx(0.03, rel=1e-12)
    d = run_json([*YEARS_FORM, *RATES, "--treasury"], capsys)
    assert d["after_tax_yield"] == pytest.approx(0.03 * 0.65, rel=1e-12)
    d = run_json([*YEARS_FORM, "--federal-rate", "0.35"], capsys)
    assert d["after_tax_yield"] == pytest.approx(0.03 * 0.65, rel=1e-12)


def test_shift_bp_reports_exact_and_approximate_change(
    capsys: pytest.CaptureFixture[str],
) -> None:
    d = run_json([*BASE, "--yield", "0.045", "--shift-bp", "100"], capsys)
    ch = d["price_change"]
    assert ch["dy"] == pytest.approx(0.01)
    assert ch["exact"] < 0 and abs(ch["exact"] - ch["approx"]) < 1e-4


def test_table_shows_every_measure_with_units(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [*BASE, "--yield", "0.045", "--federal-rate", "0.32", "--state-rate", "0.05"], capsys
    )
    assert code == 0, err
    for label in (
        "Full (dirty) price",
        "Clean price",
        "Accrued interest",
        "Yield",
        "Macaulay duration",
        "Modified duration",
        "DV01",
        "Convexity",
        "After-tax yield",
        "Taxable-equivalent yield",
    ):
        assert label in out, label
    for unit in ("per 100 face", "years", "years^2", "% a year"):
        assert unit in out, unit
    assert "104.2196944" in out  # full price at 4.5 % under 30/360


def test_repeated_main_registers_bond_once(capsys: pytest.CaptureFixture[str]) -> None:
    from assetloc.cli.app import app

    for _ in range(3):
        code, out, _ = run(["bond", "--help"], capsys)
        assert code == 0 and "--coupon" in out
    assert [c.name for c in app.registered_commands].count("bond") == 1


BAD = [
    (["--yield", "0.045", "--price", "101"], "yield"),
    ([], "yield"),
    (["--yield", "0.045", "--frequency", "3"], "frequency"),
    (["--price", "0"], "price"),
    (["--price=-5"], "price"),
    (["--yield", "0.045", "--day-count", "act/365"], "day_count"),
    (["--yield=-2"], "yield"),
    (["--yield=-2.5"], "yield"),
    (["--yield", "nan"], "yield"),
    (["--yield", "0.045", "--federal-rate", "1.5"], "federal_rate"),
    (["--yield", "0.045", "--federal-rate", "0.3", "--in-state"], "in_state"),
    (["--yield", "0.045", "--federal-rate", "0.3", "--muni", "--treasury"], "treasury"),
    (["--yield", "0.045", "--muni"], "federal_rate"),
]
BAD_DATES = [
    (["bond", "--coupon=-0.01", "--yield", "0.04", "--years", "5"], "coupon"),
    (["bond", "--coupon", "0.05", "--yield", "0.04", "--years", "0"], "years"),
    (["bond", "--coupon", "0.05", "--yield", "0.04", "--years=-3"], "years"),
    (["bond", "--coupon", "0.05", "--yield", "0.04"], "settle"),
    (["bond", "--coupon", "0.05", "--yield", "0.04", "--settle", "2030-01-01"], "maturity"),
    (
        [
            "bond",
            "--coupon",
            "0.05",
            "--yield",
            "0.04",
            "--settle",
            "2031-06-15",
            "--maturity",
            "2031-06-15",
        ],
        "settle",
    ),
    (
        [
            "bond",
            "--coupon",
            "0.05",
            "--yield",
            "0.04",
            "--settle",
            "2032-01-01",
            "--maturity",
            "2031-06-15",
        ],
        "settle",
    ),
    (
        [
            "bond",
            "--coupon",
            "0.05",
            "--yield",
            "0.04",
            "--settle",
            "2030-02-30",
            "--maturity",
            "2031-06-15",
        ],
        "settle",
    ),
    (
        [
            "bond",
            "--coupon",
            "0.05",
            "--yield",
            "0.04",
            "--settle",
            "2030-01-01",
            "--maturity",
            "June 2031",
        ],
        "maturity",
    ),
    (
        [
            "bond",
            "--coupon",
            "0.05",
            "--yield",
            "0.04",
            "--years",
            "5",
            "--settle",
            "2030-01-01",
            "--maturity",
            "2031-06-15",
        ],
        "years",
    ),
]


@pytest.mark.parametrize("argv,field", [([*BASE, *extra], f) for extra, f in BAD] + BAD_DATES)
def test_bad_input_one_line_exit_2(
    argv: list[str], field: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {field}: "), err
    assert "Traceback" not in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([*BASE, "--yield", "abc"], capsys)
    assert code == 2
    assert err.startswith("error: ") and "--yield" in err


def test_console_script_bad_input_subprocess() -> None:
    script = Path(sys.executable).with_name("assetloc")
    if not script.exists():
        pytest.skip("console script not installed")
    proc = subprocess.run(
        [str(script), *BASE, "--yield", "0.045", "--frequency", "3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "error: frequency: must be one of 1, 2, 4, 12; got 3"
    ]
    proc = subprocess.run(
        [str(script), *BASE, "--yield", "0.045", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert KEYS <= set(json.loads(proc.stdout))

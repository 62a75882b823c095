"""`assetloc harvest`: the table and the notice, JSON only with --json, "no candidates",
options, bad input (exit 2, one line)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli_runner import run_cli

HOUSEHOLD = """
[investor]
ordinary_rate = 0.24
capital_gains_rate = 0.15

[[accounts]]
id = "brk"
type = "taxable"
cash = 0
[[accounts.positions]]
symbol = "VTI"
shares = 20
price = 100.0
lots = [{acquired = "2025-01-10", shares = 20, cost_basis = 4000.0}]

[[accounts]]
id = "k401"
type = "traditional"
cash = 0
[[accounts.positions]]
symbol = "VTI"
shares = 10
price = 100.0

[objective]
kind = "fixed_mix"
mix = {us_equity_large_cap = 1.0}

[rebalance]
as_of = "2026-06-30"

[[recurring_purchases]]
account = "k401"
symbol = "VTI"
every = "monthly"
start = "2026-07-15"
amount = 500
"""


@pytest.fixture
def household(tmp_path: Path) -> Path:
    path = tmp_path / "h.toml"
    path.write_text(HOUSEHOLD, encoding="utf-8")
    return path


def test_the_table_lists_the_lot_its_conflict_and_ends_with_the_notice(
    capsys: pytest.CaptureFixture[str], household: Path
) -> None:
    code, out, err = run_cli(capsys, "harvest", str(household))
    assert code == 0, err
    for text in ("VTI", "2025-01-10", "$2,000", "2026-07-31", "recurring purchase", "permanent"):
        assert text in out, text
    assert out.strip().endswith("qualified professional.")


def test_json_has_the_documented_keys(capsys: pytest.CaptureFixture[str], household: Path) -> None:
    code, out, err = run_cli(capsys, "harvest", str(household), "--json")
    assert code == 0 and err == ""
    d = json.loads(out)
    assert {"as_of", "candidates", "assumptions", "notice"} <= set(d)
    (c,) = d["candidates"]
    assert c["blocked_until"] == "2026-07-31"
    (x,) = c["conflicts"]  # July 15: 5 shares in the 401(k)
    assert (x["date"], x["account"], x["permanent"]) == ("2026-07-15", "k401", True)
    assert c["disallowed_if_sold_today"] == pytest.approx(500.0)
    assert c["tax_value_now"] == pytest.approx(0.24 * 1500.0)


def test_options_move_the_date_and_the_thresholds(
    capsys: pytest.CaptureFixture[str], household: Path
) -> None:
    code, out, _ = run_cli(capsys, "harvest", str(household), "--as-of", "2026-08-20", "--json")
    d = json.loads(out)
    assert code == 0 and d["as_of"] == "2026-08-20"
    assert [x["date"] for x in d["candidates"][0]["conflicts"]] == ["2026-08-15", "2026-09-15"]
    code, out, _ = run_cli(capsys, "harvest", str(household), "--min-loss", "$2,500")
    assert code == 0 and "no candidates" in out and "not tax advice" in out
    code, out, _ = run_cli(capsys, "harvest", str(household), "--min-loss-pct", "0.6", "--json")
    assert code == 0 and json.loads(out)["candidates"] == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--min-loss", "abc"], "--min-loss"),
        (["--min-loss", "-5"], "--min-loss"),
        (["--min-loss-pct", "5"], "--min-loss-pct"),
        (["--as-of", "2026-13-01"], "--as-of"),
        (["--discount-rate", "nan"], "--discount-rate"),
    ],
)
def test_bad_options_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], household: Path, args: list[str], field: str
) -> None:
    code, out, err = run_cli(capsys, "harvest", str(household), *args, "--json")
    assert code == 2 and out == ""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}")


def test_an_unpriced_planned_purchase_is_an_input_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "h.toml"
    extra = (
        '\n[[planned_purchases]]\naccount = "brk"\nsymbol = "VOO"\ndate = "2026-07-02"\n'
        "amount = 100\n"
    )
    path.write_text(HOUSEHOLD + extra, encoding="utf-8")
    code, _, err = run_cli(capsys, "harvest", str(path))
    assert code == 2
    assert err.startswith("error: planned_purchases[0].symbol: no price for VOO")

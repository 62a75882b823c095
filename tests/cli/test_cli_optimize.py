"""The CLI on the examples and on every bad-input case: one line, documented exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest

from support.samples import TWO_ACCOUNTS_TOML

Cli = Callable[..., tuple[int, str, str]]

BASE = (
    TWO_ACCOUNTS_TOML
    + """
[objective]
kind = "fixed_mix"
mix = { us_equity_large_cap = 0.6, us_corp_bonds_core = 0.4 }
"""
)

INLINE = """
[investor]
ordinary_rate = 0.24
capital_gains_rate = 0.15

[[accounts]]
id = "roth"
type = "roth"
balance = 1000

[objective]
kind = "mean_variance"

[assumptions]
cash_rate = 0.02
correlation = CORR

[[assumptions.classes]]
id = "a"
expected_return = 0.07
volatility = 0.15
effective_tax_rate = 0.2

[[assumptions.classes]]
id = "b"
expected_return = 0.03
volatility = 0.05
effective_tax_rate = 0.3
"""


def test_optimize_example_json(cli: Cli, example_path: Callable[[str], str]) -> None:
    code, out, _ = cli("optimize", example_path("three_accounts"), "--json")
    assert code == 0
    d = json.loads(out)
    assert d["method"] == "joint"
    assert {a["id"] for a in d["accounts"]} == {"brokerage", "ira", "roth"}
    ira = next(a for a in d["accounts"] if a["id"] == "ira")
    assert ira["after_tax_value"] == pytest.approx(114000.0)
    for key in ("expected_return", "volatility", "utility", "sharpe"):
        assert key in d["metrics"] and key in d["baselines"]["duplicate"]
    assert "not tax advice" in d["notice"]


def test_optimize_example_tables(cli: Cli, example_path: Callable[[str], str]) -> None:
    code, out, _ = cli("optimize", example_path("three_accounts"))
    assert code == 0
    assert "duplicate" in out and "rule_of_thumb" in out and "not tax advice" in out


def test_validate_schema_presets(cli: Cli, example_path: Callable[[str], str]) -> None:
    assert cli("validate", example_path("three_accounts"))[0] == 0
    code, out, _ = cli("schema")
    assert code == 0 and "accounts" in json.loads(out)["properties"]
    code, out, _ = cli("presets", "--json")
    names = {p["name"] for p in json.loads(out)}
    assert names == {"horizon-2025", "kaplan-2020"}


SYM = "[[1.0, 0.3], [0.2, 1.0]]"
BAD_CASES = [
    ("wrong type", BASE.replace("balance = 200000", 'balance = "lots"'), "accounts[0].balance"),
    ("unknown account type", BASE.replace('type = "taxable"', 'type = "529"'), "accounts[0].type"),
    ("unknown class", BASE.replace("us_corp_bonds_core", "bitcoin"), "objective.mix"),
    ("negative balance", BASE.replace("balance = 200000", "balance = -5"), "accounts[0].balance"),
    ("mix sum", BASE.replace("0.4 }", "0.5 }"), "objective.mix"),
    (
        "rate above 1",
        BASE.replace("ordinary_rate = 0.24", "ordinary_rate = 1.2"),
        "investor.ordinary_rate",
    ),
    (
        "rate equal 1",
        BASE.replace("capital_gains_rate = 0.15", "capital_gains_rate = 1.0"),
        "investor.capital_gains_rate",
    ),
    ("duplicate ids", BASE.replace('id = "ira"', 'id = "brokerage"'), "accounts[1].id"),
    (
        "empty household",
        BASE.split("[[accounts]]")[0] + "accounts = []\n" + BASE.split("balance = 150000")[1],
        "accounts",
    ),
    ("unknown field", BASE + "\n[options]\nbasis = 'x'\n", "options.basis"),
    ("not symmetric", INLINE.replace("CORR", SYM), "assumptions.correlation"),
    (
        "not unit diagonal",
        INLINE.replace("CORR", "[[1.0, 0.2], [0.2, 0.9]]"),
        "assumptions.correlation",
    ),
    ("not PSD", INLINE.replace("CORR", "[[1.0, 1.5], [1.5, 1.0]]"), "assumptions.correlation"),
    ("wrong size", INLINE.replace("CORR", "[[1.0]]"), "assumptions.correlation"),
    ("invalid toml", "[investor\nordinary_rate = ", "household.toml"),
    ("unknown preset", BASE + '\n[assumptions]\npreset = "nope"\n', "assumptions.preset"),
    (
        "menu unknown",
        BASE.replace('type = "traditional"', 'type = "traditional"\nmenu = ["x"]'),
        "accounts[1].menu",
    ),
    (
        "bounds reversed",
        BASE + "\n[bounds]\nus_corp_bonds_core = { min = 0.5, max = 0.2 }\n",
        "bounds.us_corp_bonds_core",
    ),
    (
        "all zero",
        BASE.replace("balance = 200000", "balance = 0").replace("balance = 150000", "balance = 0"),
        "accounts",
    ),
]


@pytest.mark.parametrize(("name", "text", "field"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_one_line_exit_2(
    cli: Cli, household_file: Callable[[str], str], name: str, text: str, field: str
) -> None:
    code, out, err = cli("optimize", household_file(text))
    assert code == 2, (name, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert field in lines[0], lines[0]
    assert "Traceback" not in err and out == ""


def test_missing_file(cli: Cli) -> None:
    code, _, err = cli("optimize", "does-not-exist.toml")
    assert code == 2 and "file not found" in err


def test_infeasible_names_conflicts(cli: Cli, household_file: Callable[[str], str]) -> None:
    text = BASE.replace('type = "taxable"', 'type = "taxable"\nmenu = ["us_corp_bonds_core"]')
    text = text.replace(
        'type = "traditional"', 'type = "traditional"\nmenu = ["us_corp_bonds_core"]'
    )
    code, _, err = cli("optimize", household_file(text))
    assert code == 3
    line = err.strip()
    assert len(line.splitlines()) == 1
    assert "menu of account 'brokerage'" in line and "menu of account 'ira'" in line
    assert "fixed mix us_equity_large_cap" in line


def test_infeasible_bounds(cli: Cli, household_file: Callable[[str], str]) -> None:
    text = BASE.replace(
        'kind = "fixed_mix"\nmix = { us_equity_large_cap = 0.6, us_corp_bonds_core = 0.4 }',
        'kind = "mean_variance"',
    )
    text += "\n[assumptions]\nuniverse = ['us_equity_large_cap', 'us_corp_bonds_core']\n"
    text += "\n[bounds]\nus_equity_large_cap = { min = 0.7 }\nus_corp_bonds_core = { min = 0.4 }\n"
    code, _, err = cli("optimize", household_file(text))
    assert code == 3, err
    assert "household bound on us_equity_large_cap" in err
    assert "household bound on us_corp_bonds_core" in err


def test_console_script_no_traceback(household_file: Callable[[str], str]) -> None:
    """The installed entry point, as a user runs it."""
    path = household_file(BASE.replace("balance = 200000", "balance = -1"))
    res = subprocess.run(
        [sys.executable, "-m", "assetloc", "optimize", path], capture_output=True, text=True
    )
    assert res.returncode == 2
    assert (
        res.stderr.strip()
        == "error: accounts[0].balance: input should be greater than or equal to 0"
    )


def test_net_worth_tables_name_the_view_and_show_both(
    cli: Cli, example_path: Callable[[str], str]
) -> None:
    """With human capital and liabilities the metrics are net-worth figures: the table
    says so, and a second table gives the plan as financial assets alone (the JSON's
    ``views``), so the portfolio's own risk is on the screen too."""
    path = example_path("kaplan_net_worth")
    code, out, err = cli("optimize", path)
    assert code == 0, err
    views = json.loads(cli("optimize", path, "--json")[1])["views"]
    assert "After-tax metrics, net worth view" in out
    line = next(ln for ln in out.splitlines() if "│ financial assets " in ln)
    for key in ("expected_return", "volatility", "utility"):
        assert f"{100 * views['financial'][key]:.2f}%" in line
    assert "│ net worth (optimized)" in out
    plain = cli("optimize", example_path("three_accounts"))[1]  # no net worth: one view
    assert "(optimized)" not in plain and "After-tax metrics (" in plain

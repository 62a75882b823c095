"""The README's figures, read from the README and recomputed by the pipeline it names.

Each figure is found by a regular expression anchored on its sentence (so a reworded
sentence fails loudly rather than silently skipping its figure), recomputed by the command
the README says produced it (``assetloc optimize|compare|taxes ... --json``, in-process) or
by its closed form, and compared at the precision the README prints: "6.20%" agrees with
any value in [6.195%, 6.205%].

The README's ```python blocks are run in a fresh interpreter from the repository root
(a block whose first line is ``# illustrative`` is skipped).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.cli_runner import cli_json
from support.paths import EXAMPLES, README, ROOT

TEXT = README.read_text(encoding="utf-8")
DASH = "–"  # an empty table cell


def said(pattern: str) -> re.Match[str]:
    """The README's match of ``pattern``, where a space matches any run of whitespace
    (sentences wrap), ``.`` any character, and the pattern's groups capture the figures."""
    m = re.search(pattern.replace(" ", r"\s+"), TEXT, flags=re.S)
    assert m is not None, f"the README no longer says: {pattern}"
    return m


def number(printed: str) -> float:
    """'$18,400' → 18400.0; '6.20%' → 6.20; '+8.1' → 8.1; '–' → 0."""
    text = printed.strip().lstrip("$+").rstrip("%").replace(",", "")
    return 0.0 if text == DASH else float(text)


def agrees(printed: str, value: float) -> bool:
    """``value`` rounds to the README's ``printed`` figure (half a unit of its last digit)."""
    text = printed.strip().rstrip("%")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return abs(value - number(printed)) <= 0.5 * 10.0**-decimals + 1e-9


def check(printed: str, value: float, what: str) -> None:
    assert agrees(printed, value), f"README says {what} = {printed}, the pipeline gives {value}"


@pytest.fixture(scope="module")
def three_accounts() -> dict[str, Any]:
    return cli_json("optimize", str(EXAMPLES / "three_accounts.toml"))


@pytest.fixture(scope="module")
def three_accounts_taxes() -> dict[str, Any]:
    return cli_json("taxes", str(EXAMPLES / "three_accounts.toml"))


@pytest.fixture(scope="module")
def kaplan() -> dict[str, Any]:
    return cli_json("optimize", str(EXAMPLES / "kaplan_net_worth.toml"))


@pytest.fixture(scope="module")
def kaplan_compare() -> dict[str, Any]:
    return cli_json("compare", str(EXAMPLES / "kaplan_net_worth.toml"))


def holdings(doc: dict[str, Any], account: str) -> dict[str, float]:
    return next(a["holdings"] for a in doc["accounts"] if a["id"] == account)


# ------------------------------------------------ the guide's example: three accounts


@pytest.mark.parametrize(
    ("row", "account"),
    [("brokerage \\(taxable\\)", "brokerage"), ("ira \\(traditional\\)", "ira"), ("roth", "roth")],
)
def test_three_accounts_table(row: str, account: str, three_accounts: dict[str, Any]) -> None:
    m = said(rf"\n\| {row} \| ([$\d,–]+) \| ([$\d,–]+) \|")
    held = holdings(three_accounts, account)
    check(m[1], held["us_equity_large_cap"], f"{account} stocks")
    check(m[2], held["us_corp_bonds_core"], f"{account} bonds")


def test_three_accounts_roth_holds_18400_of_stocks(three_accounts: dict[str, Any]) -> None:
    m = said(r"the remaining\s+(\$[\d,]+) of stocks and (\$[\d,]+) of bonds go to the Roth")
    check(m[1], holdings(three_accounts, "roth")["us_equity_large_cap"], "Roth stocks")
    check(m[2], holdings(three_accounts, "roth")["us_corp_bonds_core"], "Roth bonds")


def test_three_accounts_after_tax_wealth_and_mix(three_accounts: dict[str, Any]) -> None:
    m = said(
        r"the household has F = (\$[\d,]+) and 60/40 means (\$[\d,]+) of stocks and "
        r"(\$[\d,]+) of bonds \*\*after tax\*\* — ([\d.]+)/([\d.]+) in face dollars"
    )
    hh = three_accounts["household"]
    wealth = hh["after_tax_wealth"]
    check(m[1], wealth, "F")
    check(m[2], hh["mix"]["us_equity_large_cap"] * wealth, "stocks after tax")
    check(m[3], hh["mix"]["us_corp_bonds_core"] * wealth, "bonds after tax")
    check(m[4], 100 * hh["mix_pre_tax"]["us_equity_large_cap"], "stocks, face %")
    check(m[5], 100 * hh["mix_pre_tax"]["us_corp_bonds_core"], "bonds, face %")


def test_three_accounts_tax_drag(three_accounts_taxes: dict[str, Any]) -> None:
    m = said(
        r"In the taxable account stocks lose ([\d.]+)% of their return to tax .*? and bonds "
        r"([\d.]+)% \(all interest\): a drag of ([\d.]+)% a year against ([\d.]+)%"
    )
    cls = {c["id"]: c for c in three_accounts_taxes["classes"]}
    stocks, bonds = cls["us_equity_large_cap"], cls["us_corp_bonds_core"]
    check(m[1], 100 * stocks["effective_tax_rate"], "stocks' effective tax rate")
    check(m[2], 100 * bonds["effective_tax_rate"], "bonds' effective tax rate")
    check(m[3], 100 * stocks["effective_tax_rate"] * stocks["pre_tax_return"], "stocks' drag")
    check(m[4], 100 * bonds["effective_tax_rate"] * bonds["pre_tax_return"], "bonds' drag")


def test_three_accounts_headline_metrics_and_gains(three_accounts: dict[str, Any]) -> None:
    m = said(
        r"After-tax expected return\s+([\d.]+)%, volatility ([\d.]+)%, utility ([\d.]+)%: "
        r"\*\*\+([\d.]+) bp/yr of expected return and \+([\d.]+) bp/yr of utility over "
        r"holding 60/40 in every account\*\*, and \+([\d.]+) / \+([\d.]+) bp/yr over the rule"
    )
    metrics, gain = three_accounts["metrics"], three_accounts["improvement_bp"]
    check(m[1], 100 * metrics["expected_return"], "expected return")
    check(m[2], 100 * metrics["volatility"], "volatility")
    check(m[3], 100 * metrics["utility"], "utility")
    check(m[4], gain["duplicate"]["expected_return_bp"], "return gain over duplicate")
    check(m[5], gain["duplicate"]["utility_bp"], "utility gain over duplicate")
    check(m[6], gain["rule_of_thumb"]["expected_return_bp"], "return gain over rule of thumb")
    check(m[7], gain["rule_of_thumb"]["utility_bp"], "utility gain over rule of thumb")
    # the baselines' own figures give the same gains: a second way to the same bp
    for name in ("duplicate", "rule_of_thumb"):
        base = three_accounts["baselines"][name]
        assert gain[name]["utility_bp"] == pytest.approx(
            1e4 * (metrics["utility"] - base["utility"]), abs=1e-6
        )


def test_three_accounts_rule_of_thumb_placement() -> None:
    m = said(
        r"\(which fills the Roth with stocks and leaves (\$[\d,]+) of bonds in the taxable\s+"
        r"account\)"
    )
    doc = cli_json("compare", str(EXAMPLES / "three_accounts.toml"))
    rule = next(x for x in doc["methods"] if x["name"] == "rule_of_thumb")
    held = {a["id"]: a["holdings"] for a in rule["accounts"]}
    check(m[1], held["brokerage"]["us_corp_bonds_core"], "rule of thumb's taxable bonds")
    check("$50,000", held["roth"]["us_equity_large_cap"], "the Roth full of stocks")


def test_three_accounts_face_basis(household_file: Callable[..., str]) -> None:
    m = said(
        r'With `tax_deferred_basis = "face"` .*? the Roth then holds (\$[\d,]+) of stocks '
        r"and (\$[\d,]+) of bonds"
    )
    text = (EXAMPLES / "three_accounts.toml").read_text(encoding="utf-8")
    face = text.replace('tax_deferred_basis = "after_tax"', 'tax_deferred_basis = "face"')
    assert face != text
    roth = holdings(cli_json("optimize", household_file(face)), "roth")
    check(m[1], roth["us_equity_large_cap"], "Roth stocks (face)")
    check(m[2], roth["us_corp_bonds_core"], "Roth bonds (face)")


def test_output_json_sample_is_the_three_accounts_plan(three_accounts: dict[str, Any]) -> None:
    sample = said(
        r"`--json` prints \(for `examples/three_accounts.toml`[^\n]*\n\n```json\n(.*?)```"
    )
    body = sample[1]
    for key, value in (
        ("metrics", three_accounts["metrics"]),
        ("duplicate", three_accounts["baselines"]["duplicate"]),
    ):
        part = re.search(rf'"{key}": \{{([^}}]*)\}}', body)
        assert part is not None, key
        for field, printed in re.findall(r'"(\w+)": ([\d.]+)', part[1]):
            check(printed, value[field], f"{key}.{field}")
    gain = re.search(
        r'"duplicate": \{"expected_return_bp": ([\d.]+), "utility_bp": ([\d.]+)\}', body
    )
    assert gain is not None
    check(gain[1], three_accounts["improvement_bp"]["duplicate"]["expected_return_bp"], "bp")
    check(gain[2], three_accounts["improvement_bp"]["duplicate"]["utility_bp"], "bp")
    hh = re.search(r'"after_tax_wealth": ([\d.]+)', body)
    assert hh is not None
    check(hh[1], three_accounts["household"]["after_tax_wealth"], "after_tax_wealth")


# ------------------------------------------------------- Kaplan's net-worth example

KAPLAN_ROWS = [
    ("global developed ex-US stocks", "global_dm_ex_us"),
    ("emerging-markets stocks", "emerging_markets"),
    ("global REITs", "global_reits"),
    ("municipal bonds", "municipal_bonds"),
    ("global bonds ex-US", "global_bonds_ex_us"),
]


@pytest.mark.parametrize(("row", "cid"), KAPLAN_ROWS)
def test_kaplan_table(row: str, cid: str, kaplan: dict[str, Any]) -> None:
    m = said(rf"\n\| {row} \| ([$\d,–]+) \| ([$\d,–]+) \|")
    check(m[1], holdings(kaplan, "taxable")[cid], f"{row}, taxable")
    check(m[2], holdings(kaplan, "tax_advantaged")[cid], f"{row}, tax-advantaged")


def test_kaplan_holds_12456_of_developed_stocks(kaplan: dict[str, Any]) -> None:
    m = said(r"\| global developed ex-US stocks \| (\$12,456) \|")
    check(m[1], holdings(kaplan, "taxable")["global_dm_ex_us"], "Kaplan's developed ex-US")


def test_kaplan_both_views(kaplan: dict[str, Any]) -> None:
    m = said(
        r"has E ([\d.]+)%, SD ([\d.]+)% seen as net worth and E ([\d.]+)%, SD ([\d.]+)% seen "
        r"as financial assets"
    )
    nw, fin = kaplan["views"]["net_worth"], kaplan["views"]["financial"]
    check(m[1], 100 * nw["expected_return"], "net-worth E")
    check(m[2], 100 * nw["volatility"], "net-worth SD")
    check(m[3], 100 * fin["expected_return"], "financial E")
    check(m[4], 100 * fin["volatility"], "financial SD")


def test_kaplan_compare_utilities(kaplan_compare: dict[str, Any]) -> None:
    m = said(
        r"the net-worth utility is ([\d.]+)% \(joint\), ([\d.]+)% \(separate\), ([\d.]+)% "
        r"\(two-step\), ([\d.]+)% \(duplicate\), ([\d.]+)% \(rule of thumb\): joint is "
        r"\+(\d+) bp/yr over duplicate"
    )
    u = {x["name"]: x["net_worth"]["utility"] for x in kaplan_compare["methods"]}
    for group, name in enumerate(("joint", "separate", "two_step", "duplicate"), start=1):
        check(m[group], 100 * u[name], f"{name} utility")
    check(m[5], 100 * u["rule_of_thumb"], "rule of thumb utility")
    check(m[6], 1e4 * (u["joint"] - u["duplicate"]), "joint over duplicate, bp")


def test_kaplan_compare_joint_is_the_optimum(
    kaplan: dict[str, Any], kaplan_compare: dict[str, Any]
) -> None:
    joint = next(x for x in kaplan_compare["methods"] if x["name"] == "joint")
    assert joint["net_worth"]["utility"] == pytest.approx(kaplan["metrics"]["utility"], abs=1e-12)


# ---------------------------------------------------------------- closed forms


def test_default_risk_aversion_reproduces_kaplans_utility() -> None:
    """A = 3.74 is consistent with Kaplan's rounded E, SD and U: some E and SD that round to
    his figures give a U that rounds to his (interval arithmetic on the printed digits)."""
    m = said(
        r"its default ([\d.]+) is the value implied by Kaplan's Part III utilities "
        r"\(E ([\d.]+)%, SD ([\d.]+)% → U ([\d.]+)%\)"
    )
    a = number(m[1])
    half = 0.005  # the figures are printed to 0.01%
    e, sd, u = number(m[2]), number(m[3]), number(m[4])
    lowest = (e - half) - a / 2 * (sd + half) ** 2 / 100
    highest = (e + half) - a / 2 * (sd - half) ** 2 / 100
    assert lowest <= u + half and u - half <= highest, (lowest, highest)
    # and A ± 0.05 does not fit: the figures pin A that closely
    for other in (a - 0.05, a + 0.05):
        hi = (e + half) - other / 2 * (sd - half) ** 2 / 100
        lo = (e - half) - other / 2 * (sd + half) ** 2 / 100
        assert not (lo <= u + half and u - half <= hi), other


def test_muni_break_even_rates(household_file: Callable[..., str]) -> None:
    m = said(
        r"With the\s+bundled presets' stated returns and no state tax it is ([\d.]+)%; 5% "
        r"state tax on out-of-state\s+munis lowers it to ([\d.]+)%"
    )
    for printed, state in ((m[1], 0.0), (m[2], 0.05)):
        path = household_file(
            f"""
[investor]
ordinary_rate = 0.35
capital_gains_rate = 0.15
state_rate = {state}

[[accounts]]
id = "brokerage"
type = "taxable"
balance = 100000

[objective]
kind = "mean_variance"
returns = "as_given"
"""
        )
        doc = cli_json("taxes", path)
        check(printed, 100 * doc["muni_break_even"]["ordinary_rate"], f"break-even at {state}")
        # the closed form of the README: t* = 1 - s - r(1 - s) for out-of-state munis
        r = doc["muni_break_even"]["return_ratio"]
        check(printed, 100 * (1 - state - r * (1 - state)), "the closed form")


# ------------------------------------------------------------- the python blocks


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


def test_readme_has_python_blocks() -> None:
    assert python_blocks(), "the README's library section lost its example"


@pytest.mark.parametrize("block", python_blocks(), ids=lambda b: b.splitlines()[0][:40])
def test_python_block_runs(block: str, tmp_path: Path) -> None:
    if block.lstrip().startswith("# illustrative"):
        pytest.skip("marked illustrative")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    # Run where the README's relative paths resolve, but write its outputs (report.html,
    # charts/) into the test's own directory, never into the repository.
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    done = subprocess.run(
        [sys.executable, "-c", block],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------- the household example


def test_annotated_household_example_validates(tmp_path: Path) -> None:
    """The README's complete, annotated household file (the first ```toml block) is a
    household the CLI accepts as written: a newcomer's template must not fail."""
    blocks = re.findall(r"```toml\n(.*?)```", TEXT, flags=re.S)
    example = next(b for b in blocks if "[[accounts]]" in b)
    path = tmp_path / "household.toml"
    path.write_text(example, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "assetloc", "validate", str(path)],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    optimized = cli_json("optimize", str(path))
    assert {a["id"] for a in optimized["accounts"]} == {"brokerage", "401k", "roth"}

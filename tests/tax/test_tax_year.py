"""`assetloc tax-year` and the agreement of every tax figure with the year's return.

The retired couple's return is checked against hand arithmetic (Form 1040, Pub. 915); the
rates the other commands use (effective tax rates, the IRA's after-tax value, `assetloc
taxes`) are checked to be the return's own increments for the same household.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from assetloc import build_problem, load_household, parse_household
from assetloc.analysis.tax_summary import tax_summary
from assetloc.tax import Filer, Income, tax_return

from support.cli_runner import run_cli
from support.paths import ROOT

COUPLE = ROOT / "examples" / "retired_couple.toml"
REQUIRED_FEDERAL = {
    "agi",
    "deduction",
    "taxable_income",
    "ordinary_tax",
    "capital_gains_tax",
    "regular_tax",
    "niit",
    "total",
    "carryforward",
}
REQUIRED_RATES = {
    "ordinary",
    "qualified_dividends",
    "long_term_gains",
    "short_term_gains",
    "ira_distributions",
}


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code, out, err = run_cli(capsys, *args)
    assert code == 0 and err == "", err
    return json.loads(out)


def test_the_couples_return_by_hand(capsys: pytest.CaptureFixture[str]) -> None:
    d = _json(capsys, "tax-year", str(COUPLE), "--json")
    assert REQUIRED_FEDERAL <= set(d["federal"]) and {"taxable_income", "tax"} <= set(d["state"])
    assert REQUIRED_RATES <= set(d["marginal_rates"]) and d["not_modelled"]
    f = d["federal"]
    # Schedule D: ST −2,500 − 4,000 carried in; LT +22,000: net +15,500
    assert f["capital_gain_or_loss"] == 15_500
    other = 38_000 + 4_200 + 1_800 + 14_000 + 15_500 + 30_000
    provisional = other + 6_500 + 36_000 / 2  # 128,000: past the $44,000 adjusted base
    assert provisional > 44_000 and f["taxable_social_security"] == 0.85 * 36_000
    agi = other + 0.85 * 36_000
    assert f["agi"] == agi
    assert f["deduction"] == 32_200 + 1_650  # 2026 joint + one spouse 65+
    assert f["senior_deduction"] == 6_000  # AGI under $150,000: no phase-out
    taxable = agi - 33_850 - 6_000
    assert f["taxable_income"] == taxable
    preferred = 11_500 + 15_500  # qualified dividends + net capital gain
    assert f["gains_worksheet"]["at_0"] == preferred  # all under the $98,900 0% top
    ordinary = taxable - preferred
    assert f["ordinary_tax"] == pytest.approx(0.10 * 24_800 + 0.12 * (ordinary - 24_800), abs=0.01)
    assert f["niit"] == 0  # MAGI under $250,000
    state = 0.0495 * (agi - 1_800 - 0.85 * 36_000 - 33_850 - 6_000)  # in-state munis exempt
    assert d["state"]["tax"] == pytest.approx(state, abs=0.01)
    assert d["total_tax"] == pytest.approx(f["total"] + d["state"]["tax"], abs=0.01)


def test_terminal_output_prints_the_lines_and_what_is_not_modelled(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "tax-year", str(COUPLE))
    assert code == 0
    for needle in (
        "Adjusted gross income",
        "Taxable income",
        "Net investment income tax",
        "State tax",
        "Not modelled",
        "AMT",
        "not tax advice",
    ):
        assert needle in out, needle


def test_every_command_uses_the_returns_rates(capsys: pytest.CaptureFixture[str]) -> None:
    """`assetloc taxes`, the optimizer's IRA value and the effective tax rates take the
    marginal rates of the return, not a bracket lookup beside it."""
    ret = _json(capsys, "tax-year", str(COUPLE), "--json")
    rates = _json(capsys, "taxes", str(COUPLE), "--json")["rates"]
    m = ret["marginal_rates"]
    assert rates["ordinary"] == pytest.approx(m["ordinary"], abs=1e-9)
    assert rates["long_term"] == pytest.approx(m["long_term_gains"], abs=1e-9)
    assert rates["qualified"] == pytest.approx(m["qualified_dividends"], abs=1e-9)
    # the withdrawal rate: the return's extra tax (no NIIT) of taking the IRA's balance
    # spread over the horizon ($900,000 / 15 years) more this year
    h = load_household(COUPLE)
    inv = h.investor
    filer = Filer(
        inv.filing_status, inv.tax_year, inv.age, inv.spouse_age, inv.state_rate, inv.muni_in_state
    )
    assert h.income is not None
    income = Income(**h.income.model_dump())
    a, b = tax_return(filer, income), tax_return(filer, income.plus(ira_distributions=60_000))
    withdrawal = (b.total_tax - a.total_tax - (b.lines["niit"] - a.lines["niit"])) / 60_000
    assert rates["withdrawal"] == pytest.approx(withdrawal, abs=1e-9)
    assert withdrawal > m["ira_distributions"]  # the $60,000 reach the 22% bracket
    p = build_problem(h)
    assert p.value_factor[1] == pytest.approx(1 - withdrawal, abs=1e-9)  # the IRA


def test_an_extra_dollar_of_income_costs_what_the_marginal_rate_says() -> None:
    """The rate is the increment of the engine's total at this household: a second engine
    run with $100 more of each kind moves the total by 100 × the rate."""
    h = load_household(COUPLE)
    d = tax_summary(h).to_dict()
    assert d["rates"]["ordinary"] > 0
    inv = h.investor
    filer = Filer(
        inv.filing_status, inv.tax_year, inv.age, inv.spouse_age, inv.state_rate, inv.muni_in_state
    )
    assert h.income is not None
    income = Income(**h.income.model_dump())
    base = tax_return(filer, income).total_tax
    more = tax_return(filer, income.plus(wages=100)).total_tax
    assert (more - base) / 100 == pytest.approx(d["rates"]["ordinary"], abs=1e-6)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"income": {"wages": -5}}, "income.wages"),
        ({"income": {"qualified_dividends": 10, "ordinary_dividends": 5}}, "income"),
        ({"income": {"salary": 5}}, "income.salary"),
        ({"investor": {"taxable_income": 100000}}, "investor.taxable_income"),
        ({"investor": {"spouse_age": 130}}, "investor.spouse_age"),
    ],
)
def test_bad_income_is_one_line_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict, field: str
) -> None:
    data = tomllib.loads(COUPLE.read_text(encoding="utf-8"))
    for table, values in change.items():
        data[table] = {**data[table], **values}
    path = tmp_path / "bad.toml"
    lines = []
    for table in ("investor", "income"):
        lines.append(f"[{table}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in data[table].items()]
    lines += [
        "[objective]",
        'kind = "mean_variance"',
        "[[accounts]]",
        'id = "a"',
        'type = "taxable"',
        "balance = 1000",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    code, out, err = run_cli(capsys, "tax-year", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and field in err, err


def test_stated_rates_have_no_return(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "tax-year", str(ROOT / "examples" / "three_accounts.toml"))
    assert code == 2 and "investor.filing_status" in err


def test_a_loss_year_does_not_make_future_gains_tax_free() -> None:
    """A net capital loss carried forward makes this year's next gain dollar untaxed; the
    rates for the years ahead (effective tax rates) are those without this year's losses."""
    base = {
        "investor": {"filing_status": "single", "age": 30, "state_rate": 0.05},
        "income": {"wages": 85_000, "short_term_gains": -6_000, "short_term_carryforward": 2_500},
        "accounts": [{"id": "t", "type": "taxable", "balance": 100_000}],
        "objective": {"kind": "mean_variance"},
    }
    loss = tax_summary(parse_household(base)).to_dict()
    plain = dict(base, income={"wages": 85_000 - 3_000})  # about the same taxable income
    normal = tax_summary(parse_household(plain)).to_dict()
    assert loss["rates"]["long_term"] == pytest.approx(normal["rates"]["long_term"]) == 0.20
    assert any("net capital loss" in a for a in loss["assumptions"])
    year = tax_return(
        Filer("single", 2026, 30, None, 0.05),
        Income(wages=85_000, short_term_gains=-6_000, short_term_carryforward=2_500),
    )
    assert year.marginal["long_term_gains"].total == 0.0  # this year's own rate


def test_stated_niit_stays_out_of_the_withdrawal_rate() -> None:
    """Rates form with niit = true: interest pays 3.8% more, the IRA is valued without it."""
    base = {
        "investor": {"ordinary_rate": 0.35, "capital_gains_rate": 0.20, "niit": True},
        "accounts": [
            {"id": "t", "type": "taxable", "balance": 100_000},
            {"id": "ira", "type": "traditional", "balance": 100_000},
        ],
        "objective": {"kind": "mean_variance"},
    }
    p = build_problem(parse_household(base))
    assert p.value_factor[1] * 100_000 == pytest.approx(65_000)
    assert p.taxes.profile.ordinary_investment == pytest.approx(0.388)


def test_the_report_shows_the_same_return() -> None:
    from assetloc.present.html import render_html
    from assetloc.present.report_data import report_data
    from assetloc.tax.household_return import return_document

    h = load_household(COUPLE)
    data = report_data(h, points=5)
    html = render_html(data, charts=False)
    doc = return_document(h)
    assert 'id="year-tax"' in html
    assert f"${doc['federal']['agi']:,.0f}" in html and f"${doc['total_tax']:,.0f}" in html
    stated = render_html(
        report_data(load_household(ROOT / "examples" / "three_accounts.toml"), points=5),
        charts=False,
    )
    assert "apply to every dollar" in stated

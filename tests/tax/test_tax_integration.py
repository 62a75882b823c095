"""Effective tax rates in the household: profile forms, traits, τ, liquidation values."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assetloc import build_problem, optimize, parse_household
from assetloc.analysis.tax_summary import tax_summary
from assetloc.cli.app import main
from assetloc.errors import InputError
from assetloc.tax.effective import default_traits, simulate_after_tax
from assetloc.tax.profile import TaxProfile

BASE: dict[str, Any] = {
    "investor": {"ordinary_rate": 0.32, "capital_gains_rate": 0.15},
    "accounts": [
        {"id": "tax", "type": "taxable", "balance": 100000.0},
        {"id": "ira", "type": "traditional", "balance": 100000.0},
        {"id": "roth", "type": "roth", "balance": 50000.0},
    ],
    "assumptions": {"preset": "horizon-2025"},
    "objective": {"kind": "mean_variance"},
}


def household(**changes: Any) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    for key, value in changes.items():
        d[key] = value
    return d


def test_rates_form_matches_the_simulation_directly() -> None:
    """The problem's taxable τ is 1 − t from an independent call of the simulation."""
    p = build_problem(parse_household(household()))
    traits = default_traits()
    prof = TaxProfile.from_rates(0.32, 0.15)
    sim = simulate_after_tax(
        p.mu, [traits[c] for c in p.market.ids], prof, horizon=20, liquidation="liquidate"
    )
    np.testing.assert_allclose(p.tau[0], 1 - sim.effective_rate, atol=1e-15)
    bonds = p.market.index("us_corp_bonds_core")
    assert p.tax_rate[bonds] == pytest.approx(0.32, abs=1e-12)  # all interest: ordinary


def test_foreign_tax_is_a_drag_in_tax_advantaged_accounts() -> None:
    p = build_problem(parse_household(household()))
    dev = p.market.index("non_us_equity_developed")
    us = p.market.index("us_equity_large_cap")
    t = default_traits()["non_us_equity_developed"]
    assert t.foreign_tax_share > 0 and t.income_yield is not None
    expected = 1 - t.income_yield * t.foreign_tax_share / p.mu[dev]
    assert p.tau[1, dev] == pytest.approx(expected, rel=1e-12)  # the IRA loses it
    assert p.tau[2, dev] == pytest.approx(expected, rel=1e-12)  # so does the Roth
    assert p.tau[1, us] == 1.0


def test_income_form_uses_the_brackets() -> None:
    inv = {"filing_status": "single", "taxable_income": 100000, "state_rate": 0.05}
    p = build_problem(parse_household(household(investor=inv)))
    prof = p.taxes.profile
    assert prof.kinds["ordinary"].federal == pytest.approx(0.22)
    assert prof.kinds["long_term_gains"].federal == pytest.approx(0.15)
    assert prof.ordinary == pytest.approx(0.27)
    assert p.value_factor[1] == pytest.approx(1 - 0.27)  # withdrawal at ordinary
    tsy = p.market.index("us_treasuries_cash_equivalents")
    assert p.tax_rate[tsy] < 0.27  # Treasury interest skips state tax


def test_inline_effective_rate_overrides_computed() -> None:
    d = household()
    d["assumptions"]["classes"] = [{"id": "us_equity_large_cap", "effective_tax_rate": 0.3}]
    p = build_problem(parse_household(d))
    i = p.market.index("us_equity_large_cap")
    assert p.tax_rate[i] == 0.3 and p.taxes.origin[i] == "given"


def test_inline_traits_override_defaults() -> None:
    d = household()
    d["assumptions"]["classes"] = [
        {"id": "us_equity_large_cap", "turnover": 0.5, "long_term_share": 0.0}
    ]
    hot = build_problem(parse_household(d))
    cold = build_problem(parse_household(household()))
    i = hot.market.index("us_equity_large_cap")
    assert hot.tax_rate[i] > cold.tax_rate[i] + 0.05  # short-term turnover costs tax


def test_kaplan_preset_computed_rates_in_his_range() -> None:
    """At Kaplan's 40% ordinary (and 23.8% long-term), bonds and cash come out at exactly
    40% and equities within his 19–27% band (10-year horizon, liquidated)."""
    inv = {"ordinary_rate": 0.40, "capital_gains_rate": 0.238, "horizon_years": 10}
    d = household(investor=inv, assumptions={"preset": "kaplan-2020"})
    p = build_problem(parse_household(d))
    rates = dict(zip(p.market.ids, p.tax_rate, strict=True))
    for c in ("us_bonds", "global_bonds_ex_us", "cash"):
        assert rates[c] == pytest.approx(0.40, abs=1e-12)
    for c in (
        "us_large_cap",
        "us_mid_cap",
        "us_small_cap",
        "global_dm_ex_us",
        "emerging_markets",
        "global_reits",
    ):
        assert 0.19 <= rates[c] <= 0.27, (c, rates[c])
    assert rates["municipal_bonds"] == pytest.approx(0.0, abs=1e-12)


def test_preset_option_reproduces_kaplans_table() -> None:
    inv = {"ordinary_rate": 0.40, "capital_gains_rate": 0.20}
    d = household(
        investor=inv,
        assumptions={"preset": "kaplan-2020"},
        options={"effective_tax_rates": "preset"},
    )
    p = build_problem(parse_household(d))
    rates = dict(zip(p.market.ids, p.tax_rate, strict=True))
    assert rates["us_large_cap"] == pytest.approx(0.2450)
    assert rates["global_dm_ex_us"] == pytest.approx(0.1934)
    assert rates["us_bonds"] == pytest.approx(0.40)


def test_liquidation_value_of_taxable_account() -> None:
    d = household(options={"taxable_value": "liquidation"}, rebalance={"as_of": "2026-11-22"})
    d["accounts"][0] = {
        "id": "tax",
        "type": "taxable",
        "cash": 1000.0,
        "positions": [
            {
                "symbol": "VTI",
                "shares": 100,
                "price": 300.0,
                "lots": [
                    {"acquired": "2020-01-15", "shares": 60, "cost_basis": 9000.0},  # LT gain 9,000
                    {
                        "acquired": "2026-06-01",
                        "shares": 40,
                        "cost_basis": 13000.0,
                    },  # ST loss 1,000
                ],
            }
        ],
    }
    p = build_problem(parse_household(d))
    tax = (9000 - 1000) * 0.15  # Schedule D: the short-term loss offsets the long-term gain
    assert p.balances[0] == pytest.approx(31000.0)
    assert p.value_factor[0] * p.balances[0] == pytest.approx(31000.0 - tax)


def test_taxes_summary_shape_and_identities() -> None:
    d = tax_summary(parse_household(household())).to_dict()
    assert {"classes", "rates", "assumptions", "notice"} <= set(d)
    for c in d["classes"]:
        mu, t = c["pre_tax_return"], c["effective_tax_rate"]
        assert c["after_tax_return"]["taxable"] == pytest.approx(mu * (1 - t), abs=1e-15)
        assert c["after_tax_return"]["roth"] == c["after_tax_return"]["traditional"]
        assert c["tax_cost_ratio"] == pytest.approx(1 - (1 + mu * (1 - t)) / (1 + mu))


def test_optimizer_uses_foreign_tax_drag() -> None:
    """With a large foreign-tax share, developed ex-US stock moves to the taxable account."""
    d = household(
        assumptions={
            "preset": "horizon-2025",
            "universe": ["us_equity_large_cap", "non_us_equity_developed", "us_corp_bonds_core"],
        }
    )
    d["objective"] = {
        "kind": "fixed_mix",
        "mix": {
            "us_equity_large_cap": 0.3,
            "non_us_equity_developed": 0.3,
            "us_corp_bonds_core": 0.4,
        },
    }
    base = optimize(parse_household(d))
    heavy = copy.deepcopy(d)
    heavy["assumptions"]["classes"] = [
        {"id": "non_us_equity_developed", "foreign_tax_share": 1.0, "income_yield": 0.04}
    ]
    moved = optimize(parse_household(heavy))
    dev = base.problem.market.index("non_us_equity_developed")
    assert moved.x[0, dev] >= base.x[0, dev] - 1e-9
    assert moved.x[0, dev] > 0


BAD = [
    ({"filing_status": "single_parent", "taxable_income": 5e4}, "investor.filing_status"),
    ({"filing_status": "single", "taxable_income": -1}, "investor.taxable_income"),
    ({"filing_status": "single"}, "investor"),
    (
        {
            "ordinary_rate": 0.3,
            "capital_gains_rate": 0.15,
            "filing_status": "single",
            "taxable_income": 1e5,
        },
        "investor",
    ),
    ({"filing_status": "single", "taxable_income": 1e5, "tax_year": 1999}, "year"),
    (
        {"ordinary_rate": 0.3, "capital_gains_rate": 0.15, "horizon_years": 0},
        "investor.horizon_years",
    ),
    (
        {"ordinary_rate": 0.3, "capital_gains_rate": 0.15, "liquidation": "sell"},
        "investor.liquidation",
    ),
]


@pytest.mark.parametrize(("investor", "field"), BAD)
def test_bad_investor(investor: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as err:
        build_problem(parse_household(household(investor=investor)))
    assert field in str(err.value)


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"id": "us_equity_large_cap", "income_yield": -0.01}, "income_yield"),
        ({"id": "us_equity_large_cap", "qualified_share": 1.5}, "qualified_share"),
        ({"id": "us_equity_large_cap", "turnover": -0.1}, "turnover"),
    ],
)
def test_bad_traits(entry: dict[str, Any], field: str) -> None:
    d = household()
    d["assumptions"]["classes"] = [entry]
    with pytest.raises(InputError) as err:
        build_problem(parse_household(d))
    assert field in str(err.value)


def test_cli_taxes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[2]
    main(["taxes", str(root / "examples" / "three_accounts.toml"), "--json"])
    d = json.loads(capsys.readouterr().out)
    c = d["classes"][0]
    assert set(c["after_tax_return"]) == {"taxable", "traditional", "roth", "hsa"}
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (root / "examples" / "three_accounts.toml")
        .read_text()
        .replace("ordinary_rate = 0.24", 'filing_status = "nope"\ntaxable_income = 1')
    )
    with pytest.raises(SystemExit) as ex:
        main(["taxes", str(bad)])
    assert ex.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: investor")

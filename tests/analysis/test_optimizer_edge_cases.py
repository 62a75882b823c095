"""Regressions from an independent review: each input once gave a wrong answer or a crash."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assetloc import build_problem, optimize, parse_household
from assetloc.errors import InfeasibleError, InputError
from assetloc.inputs.holdings import is_long_term
from assetloc.model.utility import crra_utility

from support.cli_runner import run_cli

BASE: dict[str, Any] = {
    "investor": {"ordinary_rate": 0.24, "capital_gains_rate": 0.15},
    "accounts": [
        {"id": "brokerage", "type": "taxable", "balance": 200000.0},
        {"id": "ira", "type": "traditional", "balance": 150000.0},
    ],
    "objective": {
        "kind": "fixed_mix",
        "mix": {"us_equity_large_cap": 0.6, "us_corp_bonds_core": 0.4},
    },
}


def hh(**changes: Any) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    d.update(copy.deepcopy(changes))
    return d


def test_menu_outside_the_fixed_mix_is_an_input_error() -> None:
    d = hh()
    d["accounts"][1]["menu"] = ["tips"]
    with pytest.raises(InputError, match=r"accounts\[1\]\.menu"):
        build_problem(parse_household(d))


def test_mix_that_menus_cannot_hold_is_infeasible_not_ignored() -> None:
    d = hh(
        accounts=[
            {"id": "a", "type": "roth", "balance": 50000.0, "menu": ["us_equity_large_cap"]},
            {"id": "b", "type": "roth", "balance": 50000.0, "menu": ["us_corp_bonds_core"]},
        ],
        objective={
            "kind": "fixed_mix",
            "mix": {"us_equity_large_cap": 0.9, "us_corp_bonds_core": 0.1},
        },
    )
    with pytest.raises(InfeasibleError) as err:
        optimize(parse_household(d))
    assert "fixed mix" in str(err.value) and "menu of account" in str(err.value)


def test_exact_bound_that_cannot_hold_is_infeasible() -> None:
    d = hh(objective={"kind": "mean_variance"})
    d["accounts"].append(
        {
            "id": "roth",
            "type": "roth",
            "balance": 50000.0,
            "menu": ["tips"],
            "bounds": {"tips": {"min": 0.5, "max": 0.5}},
        }
    )
    with pytest.raises(InfeasibleError, match="bounds of account 'roth'"):
        optimize(parse_household(d))


def test_zero_maximum_is_reported_as_a_bound_not_a_menu() -> None:
    d = hh()
    for acc in d["accounts"]:
        acc["bounds"] = {"us_corp_bonds_core": {"max": 0.0}}
    with pytest.raises(InfeasibleError) as err:
        optimize(parse_household(d))
    assert "bounds of account" in str(err.value) and "menu" not in str(err.value)


def test_crra_picks_the_least_risky_portfolio_at_the_top() -> None:
    d = {
        "investor": {"ordinary_rate": 0.3, "capital_gains_rate": 0.15},
        "accounts": [{"id": "roth", "type": "roth", "balance": 100000.0}],
        "assumptions": {
            "cash_rate": 0.02,
            "correlation": np.eye(3).tolist(),
            "classes": [
                {"id": "a", "expected_return": 0.07, "volatility": 0.15, "effective_tax_rate": 0.2},
                {"id": "b", "expected_return": 0.07, "volatility": 0.20, "effective_tax_rate": 0.2},
                {"id": "c", "expected_return": 0.03, "volatility": 0.05, "effective_tax_rate": 0.2},
            ],
        },
        "objective": {"kind": "crra", "risk_tolerance": 3.0},
    }
    plan = optimize(parse_household(d))
    best_sd = 1 / np.sqrt(1 / 0.15**2 + 1 / 0.20**2)  # least-variance mix of a and b
    assert plan.metrics.volatility <= best_sd + 1e-6
    # the reported utility is the CRRA one
    m = plan.metrics
    assert m.utility == pytest.approx(crra_utility(m.expected_return, m.volatility**2, 3.0))


@pytest.mark.parametrize("theta", [0.01, 0.05, 1e-6])
def test_crra_risk_tolerance_floor(theta: float) -> None:
    d = hh(objective={"kind": "crra", "risk_tolerance": theta})
    with pytest.raises(InputError, match=r"objective\.risk_tolerance"):
        parse_household(d)


def test_income_yield_all_and_bad_strings() -> None:
    d = hh(
        objective={"kind": "mean_variance"},
        assumptions={"preset": "horizon-2025", "classes": [{"id": "tips", "income_yield": "all"}]},
    )
    build_problem(parse_household(d))
    d["assumptions"]["classes"][0]["income_yield"] = "abc"
    with pytest.raises(InputError, match="income_yield"):
        build_problem(parse_household(d))


def test_max_bound_outside_universe_is_harmless_min_is_an_error() -> None:
    d = hh()
    d["accounts"][0]["bounds"] = {"tips": {"max": 0.2}}
    d["bounds"] = {"tips": {"max": 0.1}}
    optimize(parse_household(d))
    d["accounts"][0]["bounds"] = {"tips": {"min": 0.1}}
    with pytest.raises(InputError, match=r"accounts\[0\]\.bounds\.tips"):
        build_problem(parse_household(d))


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("accounts", 0, "balance"), 1e308, "accounts[0].balance"),
        (("accounts", 0, "balance"), "200000", "accounts[0].balance"),
        (("accounts", 0, "balance"), True, "accounts[0].balance"),
        (
            ("objective",),
            {"kind": "mean_variance", "reference": {"expected_return": 0.06, "volatility": 1e-200}},
            "objective.reference.volatility",
        ),
        (
            ("objective",),
            {"kind": "mean_variance", "risk_aversion": 1e-30},
            "objective.risk_aversion",
        ),
        (("objective",), {"kind": "mean_variance", "target_return": 0.05}, "objective"),
        (("assumptions",), {"preset": ""}, "assumptions.preset"),
        (("assumptions",), {"preset": "horizon-2025", "universe": []}, "assumptions.universe"),
        (
            ("assumptions",),
            {"preset": "horizon-2025", "universe": ["tips", "tips"]},
            "assumptions.universe[1]",
        ),
        (
            ("investor",),
            {"filing_status": "single", "taxable_income": 1e5, "tax_year": 1900},
            "investor.tax_year",
        ),
    ],
)
def test_bad_values_name_their_field(path: tuple[Any, ...], value: Any, field: str) -> None:
    d = hh()
    target = d
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InputError) as err:
        optimize(parse_household(d))
    assert err.value.field.startswith(field), str(err.value)


def test_huge_expected_return_is_an_input_error() -> None:
    d = hh(
        assumptions={
            "preset": "horizon-2025",
            "classes": [{"id": "us_equity_large_cap", "expected_return": 1e300}],
        }
    )
    with pytest.raises(InputError, match="expected_return"):
        parse_household(d)


def test_thin_net_worth_is_an_input_error() -> None:
    d = hh(
        liabilities=[{"id": "debt", "present_value": 363999.0, "mix": {"us_corp_bonds_core": 1.0}}]
    )
    with pytest.raises(InputError, match="net worth"):
        build_problem(parse_household(d))


def test_target_volatility_on_many_accounts_does_not_fail() -> None:
    accounts = [
        {
            "id": "h1",
            "type": "hsa",
            "balance": 837124.0,
            "menu": [
                "non_us_debt_emerging",
                "tips",
                "us_corp_bonds_core",
                "non_us_equity_developed",
            ],
        },
        {"id": "t1", "type": "traditional", "balance": 915000.0},
        {"id": "t2", "type": "traditional", "balance": 68000.0},
        {"id": "tx", "type": "taxable", "balance": 667888.0},
        {"id": "h2", "type": "hsa", "balance": 524965.0},
        {"id": "h3", "type": "hsa", "balance": 565587.0},
        {"id": "h4", "type": "hsa", "balance": 111000.0},
    ]
    d = hh(accounts=accounts, objective={"kind": "target_volatility", "target_volatility": 0.1})
    plan = optimize(parse_household(d))
    assert plan.metrics.volatility <= 0.1 + 1e-7
    np.testing.assert_allclose(plan.dollars.sum(axis=1), plan.problem.balances, rtol=1e-9)


def test_target_return_just_above_the_maximum_says_what_is_possible() -> None:
    d = hh(objective={"kind": "target_return", "target_return": 0.2})
    with pytest.raises(InfeasibleError, match="greatest return"):
        optimize(parse_household(d))


def test_large_unrealized_loss_does_not_inflate_wealth() -> None:
    d = hh(options={"taxable_value": "liquidation"}, rebalance={"as_of": "2026-11-22"})
    d["accounts"][0] = {
        "id": "brokerage",
        "type": "taxable",
        "positions": [
            {
                "symbol": "X",
                "shares": 10,
                "price": 100.0,
                "lots": [{"acquired": "2020-01-01", "shares": 10, "cost_basis": 100000.0}],
            }
        ],
    }
    p = build_problem(parse_household(d))
    assert p.value_factor[0] == 1.0


@pytest.mark.parametrize(
    ("acquired", "sold", "long"),
    [
        (dt.date(2023, 3, 1), dt.date(2024, 3, 1), False),
        (dt.date(2023, 3, 1), dt.date(2024, 3, 2), True),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28), False),
        (dt.date(2024, 2, 29), dt.date(2025, 3, 1), True),
    ],
)
def test_holding_period(acquired: dt.date, sold: dt.date, long: bool) -> None:
    assert is_long_term(acquired, sold) is long


def test_riskless_portfolio_json_has_null_sharpe(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    f = tmp_path / "h.toml"
    f.write_text("""
[investor]
ordinary_rate = 0.3
capital_gains_rate = 0.15
[[accounts]]
id = "roth"
type = "roth"
balance = 1000
[objective]
kind = "mean_variance"
[assumptions]
cash_rate = 0.02
correlation = [[1.0]]
[[assumptions.classes]]
id = "cash"
expected_return = 0.03
volatility = 0.0
effective_tax_rate = 0.3
""")
    code, out, _ = run_cli(capsys, "optimize", str(f), "--json")
    assert code == 0
    assert json.loads(out)["metrics"]["sharpe"] is None


@pytest.mark.parametrize("bounded_first", [True, False])
def test_a_zero_maximum_is_a_bound_when_merging(bounded_first: bool) -> None:
    """Two identical Roth IRAs, one barred from stocks by `max = 0`: they must not be merged
    as interchangeable (once: infeasible, or the whole group barred from stocks)."""
    import assetloc.solve._solver as solver_module

    stocks, bonds = "us_equity_large_cap", "us_corp_bonds_core"
    barred = {"id": "roth_b", "type": "roth", "balance": 60000.0}
    barred["bounds"] = {stocks: {"min": 0.0, "max": 0.0}}
    free = {"id": "roth_a", "type": "roth", "balance": 50000.0}
    roths = [barred, free] if bounded_first else [free, barred]
    data = hh(
        accounts=[{"id": "brokerage", "type": "taxable", "balance": 10000.0}, *roths],
        objective={"kind": "mean_variance", "risk_aversion": 3.0},
        assumptions={"preset": "horizon-2025", "universe": [stocks, bonds]},
    )
    h = parse_household(data)
    plan = optimize(h)
    with pytest.MonkeyPatch.context() as mp:
        alone = lambda p, tf: ([[k] for k in range(p.k)], [[k] for k in range(p.k)])  # noqa: E731
        mp.setattr(solver_module, "partition", alone)
        plain = optimize(h)
    assert abs(plan.metrics.utility - plain.metrics.utility) < 1e-10
    np.testing.assert_allclose(plan.dollars, plain.dollars, atol=1e-4)
    assert plan.dollars[[a["id"] for a in data["accounts"]].index("roth_b"), 0] == 0.0

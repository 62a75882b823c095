"""Net worth, utilities, frontier and the method comparison (issue 4 checks)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc import build_problem, load_household, optimize, parse_household
from assetloc.analysis.compare import compare
from assetloc.analysis.frontier import frontiers
from assetloc.analysis.plan import metrics
from assetloc.errors import InputError
from assetloc.model.utility import crra_utility, implied_risk_aversion

from support.cli_runner import run_cli
from support.householdgen import random_household
from support.paths import ROOT

KAPLAN = ROOT / "examples" / "kaplan_net_worth.toml"


def with_net_worth(data: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    d = copy.deepcopy(data)
    ids = [c["id"] for c in d["assumptions"]["classes"]]
    total = sum(a["balance"] for a in d["accounts"])
    h = rng.dirichlet(np.ones(len(ids)))
    lm = rng.dirichlet(np.ones(len(ids)))
    d["human_capital"] = {
        "present_value": float(total * rng.uniform(0, 2)),
        "mix": dict(zip(ids, map(float, h), strict=True)),
    }
    d["liabilities"] = [
        {
            "id": "debt",
            "present_value": float(total * rng.uniform(0, 0.5)),
            "mix": dict(zip(ids, map(float, lm), strict=True)),
        }
    ]
    d["options"] = {"context": "net_worth"}
    return d


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_net_worth_metrics_match_direct_recomputation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    d = with_net_worth(random_household(seed, "mean_variance"), rng)
    h = parse_household(d)
    plan = optimize(h)
    p = plan.problem
    f = p.wealth
    hc = d["human_capital"]["present_value"]
    lv = d["liabilities"][0]["present_value"]
    ids = list(p.market.ids)
    hv = np.array([d["human_capital"]["mix"][c] for c in ids])
    lvv = np.array([d["liabilities"][0]["mix"][c] for c in ids])
    e = (p.tau * plan.x).sum(axis=0)
    z = (f * e + hc * hv - lv * lvv) / (f + hc - lv)
    m = metrics(p, plan.x, "net_worth")
    assert m.expected_return == pytest.approx(float(p.mu @ z), abs=1e-14)
    assert m.volatility == pytest.approx(float(np.sqrt(z @ p.cov @ z)), abs=1e-14)


def test_zero_human_capital_and_liabilities_is_the_financial_view() -> None:
    d = random_household(3, "mean_variance")
    ids = [c["id"] for c in d["assumptions"]["classes"]]
    d["human_capital"] = {"present_value": 0.0, "mix": {ids[0]: 1.0}}
    d["options"] = {"context": "net_worth"}
    nw = optimize(parse_household(d))
    d2 = random_household(3, "mean_variance")
    fin = optimize(parse_household(d2))
    assert metrics(nw.problem, nw.x, "net_worth") == metrics(nw.problem, nw.x, "financial")
    assert nw.metrics.utility == pytest.approx(fin.metrics.utility, abs=1e-12)
    np.testing.assert_allclose(nw.x, fin.x, atol=1e-9)


def test_present_value_from_cash_flows_is_a_growing_annuity() -> None:
    d = parse_household(
        {
            "investor": {"ordinary_rate": 0.3, "capital_gains_rate": 0.15},
            "accounts": [{"id": "roth", "type": "roth", "balance": 100000.0}],
            "objective": {"kind": "mean_variance"},
            "human_capital": {
                "cash_flows": {"annual_amount": 50000, "growth": 0.02, "years": 25},
                "mix": {"us_equity_large_cap": 0.2, "us_corp_bonds_core": 0.8},
            },
        }
    )
    p = build_problem(d)
    r = (
        0.2 * p.mu[p.market.index("us_equity_large_cap")]
        + 0.8 * p.mu[p.market.index("us_corp_bonds_core")]
    )
    g, t = 0.02, 25
    closed = 50000 / (r - g) * (1 - ((1 + g) / (1 + r)) ** t)
    assert p.networth.human_capital == pytest.approx(closed, rel=1e-12)
    assert p.context == "net_worth"  # the default once human capital is given


def test_kaplan_example_qualitative_findings() -> None:
    plan = optimize(load_household(KAPLAN))
    p = plan.problem
    d = plan.dollars
    tax, adv = 0, 1
    ix = p.market.index
    assert d[tax, ix("municipal_bonds")] > 1000 and d[adv, ix("municipal_bonds")] < 1
    taxable_bonds = ix("us_bonds"), ix("global_bonds_ex_us")
    assert sum(d[tax, i] for i in taxable_bonds) < 1
    assert sum(d[adv, i] for i in taxable_bonds) > 10000
    assert d[:, ix("us_large_cap")].sum() < 1  # human capital already holds US stock
    assert d[:, ix("global_dm_ex_us")].sum() + d[:, ix("emerging_markets")].sum() > 10000
    assert d[:, ix("global_reits")].sum() > 10000  # REITs hedge the liabilities
    fin = metrics(p, plan.x, "financial")
    nw = metrics(p, plan.x, "net_worth")
    assert nw.expected_return > fin.expected_return and nw.volatility > fin.volatility


def test_frontier_concave_monotone_and_optimum_on_it() -> None:
    h = load_household(KAPLAN)
    plan = optimize(h)
    for f in frontiers(h, 80, plan.x).values():
        er = np.array([pt.expected_return for pt in f.points])
        sd = np.array([pt.volatility for pt in f.points])
        assert np.all(np.diff(er) > 0) and np.all(np.diff(sd) >= -1e-12)
        slope = np.diff(er) / np.diff(sd)
        assert np.all(np.diff(slope) <= 1e-6 * np.abs(slope[:-1]).max())  # concave
        # the optimum is on the frontier: its SD is the frontier's at its E
        assert f.optimum.volatility == pytest.approx(
            np.interp(f.optimum.expected_return, er, sd), abs=2e-3
        )
        assert f.optimum.utility >= max(pt.utility for pt in f.points) - 1e-12
        # the indifference curve touches the optimum and lies above the frontier elsewhere
        for s_i, e_i in f.indifference:
            if sd[0] <= s_i <= sd[-1]:
                assert e_i >= np.interp(s_i, sd, er) - 1e-9
    fr = frontiers(h, 20, plan.x)
    assert fr["net_worth"].chosen.utility == pytest.approx(plan.metrics.utility, abs=1e-12)


def test_crra_optimum_maximizes_crra_on_the_frontier() -> None:
    d = copy.deepcopy(random_household(21, "mean_variance"))
    d["objective"] = {"kind": "crra", "risk_tolerance": 0.4}
    h = parse_household(d)
    plan = optimize(h)
    m = metrics(plan.problem, plan.x)
    var = m.volatility**2
    u_opt = crra_utility(m.expected_return, var, 0.4)
    f = frontiers(h, 200, plan.x)["financial"]
    best_grid = max(crra_utility(pt.expected_return, pt.volatility**2, 0.4) for pt in f.points)
    assert u_opt >= best_grid - 1e-9


def test_crra_utility_formula() -> None:
    assert crra_utility(0.05, 0.0, 1.0) == pytest.approx(np.log(1.05))
    theta = 0.5
    w = 1.05
    u = (w ** (1 - 1 / theta) - 1) / (1 - 1 / theta)
    u2 = -(1 / theta) * w ** (-1 / theta - 1)
    assert crra_utility(0.05, 0.01, theta) == pytest.approx(u + 0.5 * u2 * 0.01)


def test_implied_risk_aversion() -> None:
    assert implied_risk_aversion(0.06, 0.1, 0.02) == pytest.approx(4.0)
    d = copy.deepcopy(random_household(2, "mean_variance"))
    d["objective"] = {
        "kind": "mean_variance",
        "reference": {"expected_return": 0.06, "volatility": 0.1},
    }
    assert build_problem(parse_household(d)).risk_aversion == pytest.approx(4.0)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), nw=st.booleans())
def test_joint_beats_every_method_in_its_view(seed: int, nw: bool) -> None:
    d = random_household(seed, "mean_variance")
    # baselines ignore bounds (they are naive placements); without bounds all are feasible
    d["bounds"] = {}
    for acc in d["accounts"]:
        acc.pop("bounds", None)
    if nw:
        d = with_net_worth(d, np.random.default_rng(seed))
    h = parse_household(d)
    cmp = compare(h)
    context = cmp.problem.context
    joint = next(r for r in cmp.methods if r.name == "joint").metrics[context].utility
    for r in cmp.methods:
        if r.error is None:
            assert r.metrics[context].utility <= joint + 1e-9, r.name


run = run_cli


def test_cli_frontier_and_compare_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "frontier", str(KAPLAN), "--points", "30", "--json")
    assert code == 0
    d = json.loads(out)
    assert len(d["points"]) == 30 and set(d["optimum"]) == {
        "expected_return",
        "volatility",
        "utility",
    }
    assert set(d["views"]) == {"financial", "net_worth"}
    code, out, _ = run(capsys, "compare", str(KAPLAN), "--json")
    names = [m["name"] for m in json.loads(out)["methods"]]
    assert names == ["joint", "duplicate", "separate", "two_step", "rule_of_thumb"]
    code, out, _ = run(capsys, "optimize", str(KAPLAN), "--json")
    views = json.loads(out)["views"]
    assert views["net_worth"]["expected_return"] > views["financial"]["expected_return"]


BAD = [
    ("present_value = 125000", "present_value = -5", "human_capital.present_value"),
    ("us_bonds = 0.8 }", "us_bonds = 0.7 }", "human_capital.mix"),
    ("present_value = 150000", "present_value = 400000", "liabilities"),
    ("global_reits = 0.1", "gold = 0.1", "liabilities[0].mix"),
]


@pytest.mark.parametrize(("old", "new", "field"), BAD)
def test_bad_net_worth_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, old: str, new: str, field: str
) -> None:
    f = tmp_path / "h.toml"
    text = KAPLAN.read_text()
    assert old in text
    f.write_text(text.replace(old, new, 1))
    code, _, err = run(capsys, "optimize", str(f))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and field in err, err


def test_w_must_be_positive_message() -> None:
    text = KAPLAN.read_text().replace("present_value = 150000", "present_value = 400000")
    import tomllib

    with pytest.raises(InputError, match="must be positive"):
        build_problem(parse_household(tomllib.loads(text)))

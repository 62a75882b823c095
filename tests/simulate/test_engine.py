"""The engine on random paths: reproducibility, independence of paths, location value."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from assetloc.simulate.engine import run_engine
from assetloc.simulate.returns import montecarlo
from assetloc.simulate.run import engine_spec, resolved_settings, simulate
from assetloc.simulate.settings import timeline
from assetloc.simulate.strategies import account_weights, targets

from support.sim_households import household

MIX = {"us_equity_large_cap": 0.6, "us_corp_bonds_core": 0.4}


def test_same_seed_same_outcome_and_another_seed_differs(example) -> None:
    h = example("three_accounts")
    a = simulate(h, paths=30, years=10, seed=7, strategies=("joint", "duplicate"))
    b = simulate(h, paths=30, years=10, seed=7, strategies=("joint", "duplicate"))
    c = simulate(h, paths=30, years=10, seed=8, strategies=("joint", "duplicate"))
    for name in ("joint", "duplicate"):
        np.testing.assert_array_equal(a.outcomes[name].wealth, b.outcomes[name].wealth)
        np.testing.assert_array_equal(a.outcomes[name].tax, b.outcomes[name].tax)
        assert not np.array_equal(a.outcomes[name].wealth, c.outcomes[name].wealth)
    assert a.to_dict()["strategies"] == b.to_dict()["strategies"]


def three_account_run(
    strategy: str, *, years: int, paths: int, seed: int, spending: float
) -> tuple[Any, Any, Any]:
    """(engine spec, targets, Monte Carlo scenarios) of a taxable + IRA + Roth household
    on MIX, retiring halfway through ``years`` and then spending ``spending`` a year."""
    h = household(
        [
            {"id": "brokerage", "type": "taxable", "balance": 300_000.0},
            {"id": "ira", "type": "traditional", "balance": 200_000.0},
            {"id": "roth", "type": "roth", "balance": 50_000.0},
        ],
        MIX,
        plan={"years": years, "retire_in": years // 2, "spending": spending},
    )
    settings = resolved_settings(h)
    tl = timeline(h.model_copy(update={"plan": settings}))
    tg = targets(h, (strategy,))
    spec = engine_spec(h, tg.problem, settings, tl)
    return spec, tg, montecarlo(tg.problem.market, paths, years, seed)


def test_vectorized_paths_equal_a_plain_per_path_loop() -> None:
    """Paths never mix: the batch equals one engine call per path (and any chunking), to
    the gross-up's tolerance (a path in a batch keeps iterating until every path meets
    it, so it can land a fraction of a cent closer)."""
    spec, tg, sc = three_account_run("joint", years=12, paths=9, seed=11, spending=40_000.0)
    w = account_weights(tg.holdings["joint"], tg.problem)
    batch = run_engine(spec, sc.total, w, "joint").outcome
    chunked = run_engine(spec, sc.total, w, "joint", chunk=4).outcome
    for i in range(9):
        one = run_engine(spec, sc.total[i : i + 1], w, "joint").outcome
        np.testing.assert_allclose(batch.wealth[i], one.wealth[0], rtol=0, atol=0.12)
        np.testing.assert_allclose(batch.tax[i], one.tax[0], rtol=0, atol=0.02)
    np.testing.assert_allclose(batch.wealth, chunked.wealth, rtol=0, atol=0.12)


def test_only_tax_advantaged_accounts_show_no_location_value() -> None:
    """Without a taxable account, where a class sits does not change after-tax wealth as
    long as the household mix is kept: joint re-solved every year on the exact account
    shares holds the same after-tax exposure as duplicate, so both end with the same
    wealth on every path."""
    h = household(
        [
            {"id": "ira", "type": "traditional", "balance": 300_000.0},
            {"id": "roth", "type": "roth", "balance": 100_000.0},
            {"id": "hsa", "type": "hsa", "balance": 20_000.0},
        ],
        MIX,
        plan={"years": 10, "reoptimize_every": 1},
    )
    r = simulate(h, paths=12, seed=2, strategies=("joint", "duplicate"), budget_grid=0.0)
    v = r.location_value_bp("joint")
    np.testing.assert_allclose(v, 0.0, atol=1e-6)
    # the placements differ (so the test can fail): joint holds bonds in the IRA
    tg = targets(h, ("joint", "duplicate"))
    assert not np.allclose(tg.holdings["joint"], tg.holdings["duplicate"])


def test_three_accounts_joint_beats_duplicate_on_average(example) -> None:
    """The guide's example: a positive mean location value of joint against duplicate."""
    r = simulate(
        example("three_accounts"), paths=300, years=30, seed=0, strategies=("joint", "duplicate")
    )
    v = r.location_value_bp("joint")
    assert np.isfinite(v).all()
    assert v.mean() > 0
    d = r.to_dict()
    assert d["location_value_bp"]["joint"]["mean"] == pytest.approx(v.mean())
    assert r.outcomes["joint"].reoptimized is not None


def test_rebalancing_sells_in_taxable_accounts_and_prices_the_tax() -> None:
    """Stocks and bonds both in one taxable account drift apart; rebalancing sells the
    winner and the tax it costs is that of the gain realized."""
    h = household(
        [{"id": "brokerage", "type": "taxable", "balance": 1_000_000.0}],
        MIX,
        plan={"years": 10},
    )
    r = simulate(h, paths=50, seed=4, strategies=("joint",))
    out = r.outcomes["joint"]
    assert out.taxable_sale.any()
    assert np.all(out.taxable_sale_tax[~out.taxable_sale] == 0)
    # stated rates: the tax of a long-term gain is at most 15% of the sales' gains, and a
    # year with a sale costs something unless it realized a loss
    assert np.all(out.taxable_sale_tax <= 0.15 * 1_000_000.0 * 3)


@pytest.mark.parametrize("order", ["taxable_first", "proportional", "fill_bracket"])
def test_a_household_of_every_kind_runs_clean(order: str) -> None:
    """Two taxable accounts, a spouse's IRA, a tax-deferred HSA, an empty Roth that only
    receives contributions, RMDs and benefits: finite outcomes, no negative balance, the
    gross-up within its tolerance, the spending paid while money lasts."""
    from assetloc.simulate.year_flows import TOLERANCE

    h = household(
        [
            {"id": "joint_brokerage", "type": "taxable", "balance": 150_000.0},
            {"id": "own_brokerage", "type": "taxable", "balance": 60_000.0},
            {"id": "ira", "type": "traditional", "balance": 300_000.0},
            {"id": "spouse_ira", "type": "traditional", "balance": 200_000.0, "owner": "spouse"},
            {"id": "hsa", "type": "hsa", "balance": 15_000.0},
            {"id": "roth", "type": "roth", "balance": 0.0},
        ],
        {"us_equity_large_cap": 0.4, "real_estate": 0.1, "us_corp_bonds_core": 0.3, "tips": 0.2},
        investor={
            "filing_status": "married_filing_jointly",
            "age": 60,
            "spouse_age": 63,
            "state_rate": 0.05,
            "tax_year": 2026,
        },
        income={"wages": 120_000.0, "itemized_deductions": 10_000.0},
        plan={
            "years": 20,
            "retire_in": 4,
            "spending": 70_000.0,
            "social_security": 35_000.0,
            "contributions": {"roth": 7_000.0, "ira": 10_000.0, "own_brokerage": 5_000.0},
            "withdrawal_order": order,
            "inflation": 0.03,
            **({"fill_bracket_rate": 0.22} if order == "fill_bracket" else {}),
        },
    )
    h = h.model_copy(
        update={"options": h.options.model_copy(update={"hsa_treatment": "tax_deferred"})}
    )
    r = simulate(h, paths=40, seed=5)
    assert r.assumptions["gross_up_residual"] <= TOLERANCE
    for o in r.outcomes.values():
        for arr in (o.wealth, o.tax, o.spending_paid, o.taxable_sale_tax):
            assert np.all(np.isfinite(arr))
        assert np.all(o.wealth >= -1e-6)
        assert np.all(o.spending_paid <= 70_000.0 + 1e-9)
        rich = o.wealth[:, -1] > 100_000.0
        np.testing.assert_allclose(o.spending_paid[rich, 4:], 70_000.0, atol=0.02)


def test_held_mix_is_the_target_when_every_account_holds_it() -> None:
    """Every account rebalanced each year to the same shares w: the household mix at every
    year end is w itself, whatever the returns, so the held mix (mean over year ends) is w;
    chunking the paths changes nothing."""
    spec, tg, sc = three_account_run("duplicate", years=8, paths=7, seed=3, spending=30_000.0)
    w = account_weights(tg.holdings["duplicate"], tg.problem)
    np.testing.assert_allclose(w, w[0][None, :].repeat(3, axis=0), atol=1e-12)
    out = run_engine(spec, sc.total, w, "duplicate").outcome
    assert out.held_mix is not None and out.held_mix.shape == (7, w.shape[1])
    np.testing.assert_allclose(out.held_mix, np.broadcast_to(w[0], out.held_mix.shape), atol=1e-9)
    chunked = run_engine(spec, sc.total, w, "duplicate", chunk=3).outcome
    assert chunked.held_mix is not None
    np.testing.assert_allclose(chunked.held_mix, out.held_mix, atol=1e-12)


def test_household_mixes_against_joint_by_hand(example) -> None:
    """household_mixes: E = μ'm and SD = √(m'Σm) of Σ_k x[k]; the gap ½ Σ |m − m_J| and
    the E difference in bp, recomputed here from the arrays."""
    from assetloc.simulate.run import household_mixes

    tg = targets(example("three_accounts"), ("joint", "duplicate"))
    p = tg.problem
    x_j, x_d = tg.holdings["joint"], tg.holdings["duplicate"]
    tilted = x_d.copy()
    tilted[0] = tilted[0][::-1]  # the brokerage holds another mix: the household's moves
    out = household_mixes(p, {"joint": x_j, "duplicate": tilted}, {})
    m_j, m_d = x_j.sum(axis=0), tilted.sum(axis=0)
    assert out["joint"]["start_gap_vs_joint"] == 0.0
    assert out["duplicate"]["start_expected_return"] == pytest.approx(float(p.mu @ m_d), abs=1e-15)
    assert out["duplicate"]["start_volatility"] == pytest.approx(
        float(np.sqrt(m_d @ p.cov @ m_d)), abs=1e-15
    )
    assert out["duplicate"]["start_gap_vs_joint"] == pytest.approx(
        0.5 * float(np.abs(m_d - m_j).sum()), abs=1e-15
    )
    assert "held_expected_return" not in out["duplicate"]  # no outcome: nothing held

"""Deterministic mode against closed forms (inflation 0, so today's dollars are nominal).

Every expected value is computed here from the preset's μ and the stated rates, not from
the simulator.
"""

from __future__ import annotations

import numpy as np
import pytest

from assetloc.simulate.run import simulate

from support.sim_households import RATES, household

YEARS = 12


def _mu(h, cid: str) -> float:
    from assetloc.model.problem import build_problem

    p = build_problem(h)
    return float(p.mu[p.market.ids.index(cid)])


def _terminal(h, **kw) -> float:
    r = simulate(h, returns="deterministic", strategies=("joint",), **kw)
    out = r.outcomes["joint"]
    assert out.terminal_wealth.shape == (1,)
    return float(out.terminal_wealth[0])


def test_untaxed_account_compounds_at_mu() -> None:
    h = household(
        [{"id": "roth", "type": "roth", "balance": 100_000.0}],
        {"us_equity_large_cap": 1.0},
        plan={"years": YEARS},
    )
    mu = _mu(h, "us_equity_large_cap")
    assert _terminal(h) == pytest.approx(100_000.0 * (1.0 + mu) ** YEARS, rel=1e-12)


def test_taxable_all_income_class_compounds_at_mu_after_tax() -> None:
    h = household(
        [{"id": "brokerage", "type": "taxable", "balance": 100_000.0}],
        {"us_corp_bonds_core": 1.0},
        plan={"years": YEARS},
    )
    mu = _mu(h, "us_corp_bonds_core")
    t = RATES["ordinary_rate"]
    expected = 100_000.0 * (1.0 + mu * (1.0 - t)) ** YEARS
    # the gross-up pays each year's tax to within its tolerance (a cent)
    assert _terminal(h) == pytest.approx(expected, abs=0.01 * YEARS)


def test_roth_and_traditional_at_equal_rates_end_equal_after_tax() -> None:
    t = RATES["retirement_rate"]
    mix = {"us_equity_large_cap": 0.6, "us_corp_bonds_core": 0.4}
    trad = household(
        [{"id": "ira", "type": "traditional", "balance": 100_000.0}], mix, plan={"years": YEARS}
    )
    roth = household(
        [{"id": "roth", "type": "roth", "balance": 100_000.0 * (1.0 - t)}],
        mix,
        plan={"years": YEARS},
    )
    assert _terminal(trad) == pytest.approx(_terminal(roth), rel=1e-12)


def test_taxable_growth_class_defers_gains_until_liquidation() -> None:
    """A class paying y a year (qualified, turnover 5%) and growing by g = μ − y: the
    effective-tax model's own year-by-year recursion (tax.effective) gives the same value."""
    from assetloc.market.traits import default_traits
    from assetloc.tax.effective import simulate_after_tax
    from assetloc.tax.profile import TaxProfile

    h = household(
        [{"id": "brokerage", "type": "taxable", "balance": 100_000.0}],
        {"us_equity_large_cap": 1.0},
        plan={"years": YEARS},
    )
    mu = _mu(h, "us_equity_large_cap")
    profile = TaxProfile.from_rates(0.30, 0.15, retirement_rate=0.30)
    sim = simulate_after_tax([mu], [default_traits()["us_equity_large_cap"]], profile, YEARS)
    expected = 100_000.0 * (1.0 + sim.post_liquidation[0]) ** YEARS
    assert _terminal(h) == pytest.approx(expected, rel=1e-6)


def test_retired_roth_pays_spending_from_a_closed_form_balance() -> None:
    spend = 5_000.0
    h = household(
        [{"id": "roth", "type": "roth", "balance": 100_000.0}],
        {"us_corp_bonds_core": 1.0},
        plan={"years": YEARS, "retire_in": 0, "spending": spend},
    )
    mu = _mu(h, "us_corp_bonds_core")
    b = 100_000.0
    for _ in range(YEARS):
        b = b * (1.0 + mu) - spend
    r = simulate(h, returns="deterministic", strategies=("joint",))
    out = r.outcomes["joint"]
    assert float(out.terminal_wealth[0]) == pytest.approx(b, rel=1e-12)
    np.testing.assert_allclose(out.spending_paid, spend)
    np.testing.assert_allclose(out.tax, 0.0, atol=1e-9)
    # sustainable spending: the level c, spent at each year end, that leaves nothing:
    # c = W0 (1+μ)^T / Σ_{t<T} (1+μ)^t = W0 μ / (1 − (1+μ)^−T)
    level = 100_000.0 * mu / (1.0 - (1.0 + mu) ** -YEARS)
    assert float(out.spending[0]) == pytest.approx(level, rel=1e-9)


def test_retired_traditional_grosses_up_withdrawals_at_the_stated_rate() -> None:
    """Spending s after tax from a traditional account at rate t: D = s / (1 − t)."""
    spend, t = 5_000.0, RATES["retirement_rate"]
    h = household(
        [{"id": "ira", "type": "traditional", "balance": 200_000.0}],
        {"us_corp_bonds_core": 1.0},
        plan={"years": YEARS, "retire_in": 0, "spending": spend},
    )
    mu = _mu(h, "us_corp_bonds_core")
    b = 200_000.0
    for _ in range(YEARS):
        b = b * (1.0 + mu) - spend / (1.0 - t)
    out = simulate(h, returns="deterministic", strategies=("joint",)).outcomes["joint"]
    assert float(out.terminal_wealth[0]) == pytest.approx(b * (1.0 - t), abs=0.05 * YEARS)
    np.testing.assert_allclose(out.tax, spend / (1.0 - t) * t, atol=0.02)


def test_step_up_skips_the_final_gains_tax() -> None:
    accounts = [{"id": "brokerage", "type": "taxable", "balance": 100_000.0}]
    mix = {"us_equity_large_cap": 1.0}
    liq = household(accounts, mix, plan={"years": YEARS})
    step = household(
        accounts, mix, plan={"years": YEARS}, investor={**RATES, "liquidation": "step_up"}
    )
    r_liq = simulate(liq, returns="deterministic", strategies=("joint",)).outcomes["joint"]
    r_step = simulate(step, returns="deterministic", strategies=("joint",)).outcomes["joint"]
    # the same path until the end; the step-up adds back the tax on the unrealized gain
    np.testing.assert_allclose(r_liq.wealth, r_step.wealth, rtol=1e-12)
    assert r_step.terminal_wealth[0] > r_liq.terminal_wealth[0]


@pytest.mark.parametrize("inflation", [0.0, 0.03])
def test_rebalanced_roth_on_random_paths_is_the_product_of_portfolio_returns(inflation) -> None:
    """A Roth held at 60/40 and rebalanced every year grows by Π_t (1 + w·R_t)/(1 + π)
    on every Monte Carlo path (today's dollars)."""
    from assetloc.simulate.returns import montecarlo

    h = household(
        [{"id": "roth", "type": "roth", "balance": 100_000.0}],
        {"us_equity_large_cap": 0.6, "us_corp_bonds_core": 0.4},
        plan={"years": YEARS, "inflation": inflation},
    )
    r = simulate(h, paths=25, seed=3, strategies=("duplicate",))
    from assetloc.model.problem import build_problem

    p = build_problem(h)
    sc = montecarlo(p.market, 25, YEARS, 3)
    w = np.array([0.6 if c == "us_equity_large_cap" else 0.4 for c in p.market.ids])
    growth = np.prod((1.0 + sc.total @ w) / (1.0 + inflation), axis=1)
    np.testing.assert_allclose(
        r.outcomes["duplicate"].terminal_wealth, 100_000.0 * growth, rtol=1e-12
    )


def test_untaxed_taxable_account_loses_nothing_in_lots_and_flows() -> None:
    """At zero tax rates a taxable account (lots, income cash, sales, purchases, the
    gross-up) ends exactly where a Roth with the same mix does, path by path (classes
    without foreign tax, which a Roth would lose and a taxable account credits)."""
    zero = {"ordinary_rate": 0.0, "capital_gains_rate": 0.0, "retirement_rate": 0.0}
    mix = {"us_equity_large_cap": 0.5, "us_equity_small_mid_cap": 0.2, "us_corp_bonds_core": 0.3}
    plan = {"years": YEARS, "retire_in": 6, "spending": 6_000.0, "inflation": 0.02}
    taxable = household(
        [{"id": "b", "type": "taxable", "balance": 100_000.0}], mix, investor=zero, plan=plan
    )
    roth = household(
        [{"id": "r", "type": "roth", "balance": 100_000.0}], mix, investor=zero, plan=plan
    )
    a = simulate(taxable, paths=20, seed=9, strategies=("duplicate",)).outcomes["duplicate"]
    b = simulate(roth, paths=20, seed=9, strategies=("duplicate",)).outcomes["duplicate"]
    np.testing.assert_allclose(a.wealth, b.wealth, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(a.spending_paid, b.spending_paid, atol=1e-6)
    assert a.taxable_sale.any()  # the taxable account did sell to rebalance


def test_foreign_tax_is_lost_in_a_roth_and_credited_in_taxable() -> None:
    """Deterministic, zero rates: a Roth of developed ex-US stock grows by μ − f·y (the
    withheld tax cannot be credited), a taxable account by μ (credited: costs nothing)."""
    from assetloc.market.traits import default_traits

    zero = {"ordinary_rate": 0.0, "capital_gains_rate": 0.0, "retirement_rate": 0.0}
    mix = {"non_us_equity_developed": 1.0}
    t = default_traits()["non_us_equity_developed"]
    assert t.foreign_tax_share > 0 and t.income_yield is not None
    drag = t.foreign_tax_share * t.income_yield
    roth = household(
        [{"id": "r", "type": "roth", "balance": 1e5}], mix, investor=zero, plan={"years": YEARS}
    )
    tx = household(
        [{"id": "b", "type": "taxable", "balance": 1e5}], mix, investor=zero, plan={"years": YEARS}
    )
    mu = _mu(roth, "non_us_equity_developed")
    assert _terminal(roth) == pytest.approx(1e5 * (1 + mu - drag) ** YEARS, rel=1e-12)
    assert _terminal(tx) == pytest.approx(1e5 * (1 + mu) ** YEARS, rel=1e-9)

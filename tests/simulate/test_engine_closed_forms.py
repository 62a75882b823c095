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

"""The simulator's yearly tax equals the tax-year engine's for that year's income.

A household with a filing status (the full return every year): the engine records every
year's income components; on sampled paths and years the Income is rebuilt from them and
``assetloc.tax.year_return.total_tax`` (what ``assetloc tax-year`` computes) must give the
simulator's tax. Inflation 0, so today's dollars are nominal and the law is the bundled
one (the last bundled year after it).
"""

from __future__ import annotations

import numpy as np
import pytest

from assetloc.simulate.engine import run_engine
from assetloc.simulate.returns import montecarlo
from assetloc.simulate.run import engine_spec, resolved_settings
from assetloc.simulate.settings import timeline
from assetloc.simulate.strategies import account_weights, targets
from assetloc.simulate.yearly_tax import law_year
from assetloc.tax.income import INCOME_KEYS, Filer, Income
from assetloc.tax.year_return import total_tax

from support.sim_households import household

AGE = 62
YEARS = 16


def _household(order: str):
    return household(
        [
            {"id": "brokerage", "type": "taxable", "balance": 400_000.0},
            {"id": "ira", "type": "traditional", "balance": 600_000.0},
            {"id": "roth", "type": "roth", "balance": 150_000.0},
        ],
        {"us_equity_large_cap": 0.5, "non_us_equity_developed": 0.2, "us_corp_bonds_core": 0.3},
        investor={
            "filing_status": "married_filing_jointly",
            "age": AGE,
            "spouse_age": AGE - 2,
            "state_rate": 0.04,
            "tax_year": 2025,
        },
        income={"wages": 150_000.0},
        plan={
            "years": YEARS,
            "retire_in": 3,
            "spending": 90_000.0,
            "social_security": 40_000.0,
            "social_security_age": 67,
            "contributions": {"ira": 20_000.0},
            "withdrawal_order": order,
            **({"fill_bracket_rate": 0.22} if order == "fill_bracket" else {}),
        },
    )


@pytest.mark.parametrize("order", ["taxable_first", "proportional", "fill_bracket"])
def test_yearly_tax_is_the_tax_year_engine(order: str) -> None:
    h = _household(order)
    settings = resolved_settings(h)
    tl = timeline(h.model_copy(update={"plan": settings}))
    tg = targets(h, ("joint",))
    p = tg.problem
    spec = engine_spec(h, p, settings, tl)
    spec = type(spec)(**{**spec.__dict__, "record_income": True})
    sc = montecarlo(p.market, 40, YEARS, 3)
    run = run_engine(spec, sc.total, account_weights(tg.holdings["joint"], p), "joint")
    assert run.total_tax is not None
    rng = np.random.default_rng(0)
    checked = 0
    for path in rng.choice(40, size=8, replace=False):
        for t in rng.choice(YEARS, size=5, replace=False):
            amounts = {k: float(run.income[k][path, t]) for k in INCOME_KEYS}
            # sums of many terms can leave -1e-10 where the amount is zero
            amounts = {
                k: (v if k in ("short_term_gains", "long_term_gains") else max(v, 0.0))
                for k, v in amounts.items()
            }
            filer = Filer(
                "married_filing_jointly",
                law_year(2025, int(t)),
                age=AGE + int(t),
                spouse_age=AGE - 2 + int(t),
                state_rate=0.04,
            )
            want = total_tax(filer, Income(**amounts).as_dict())
            assert run.total_tax[path, t] == pytest.approx(want, abs=1e-6), (path, t)
            checked += 1
    assert checked == 40
    # the recorded tax is the year's total less the wages' own tax
    assert np.all(np.isfinite(run.outcome.tax))
    # retired years draw on the accounts: some distributions were taxed
    assert run.income["ira_distributions"][:, tl.retire_in :].sum() > 0


def test_rmds_come_out_of_traditional_accounts() -> None:
    """From the SECURE 2.0 age (73 for someone born 1951–1959) the distributions are at
    least last year's balance over the Uniform Lifetime divisor."""
    from assetloc.simulate.schedules import rmd_divisor

    h = household(
        [
            {"id": "brokerage", "type": "taxable", "balance": 2_000_000.0},
            {"id": "ira", "type": "traditional", "balance": 500_000.0},
        ],
        {"us_corp_bonds_core": 1.0},
        investor={"filing_status": "single", "age": 70, "tax_year": 2025},
        income={"wages": 0.0},
        plan={"years": 8, "retire_in": 0, "spending": 1_000.0},
    )
    settings = resolved_settings(h)
    tl = timeline(h.model_copy(update={"plan": settings}))
    tg = targets(h, ("joint",))
    p = tg.problem
    spec = engine_spec(h, p, settings, tl)
    spec = type(spec)(**{**spec.__dict__, "record_income": True})
    mu = p.mu[p.market.ids.index("us_corp_bonds_core")]
    total = np.full((1, 8, 1), mu)
    run = run_engine(spec, total, account_weights(tg.holdings["joint"], p), "joint")
    dist = run.income["ira_distributions"][0]
    assert np.all(dist[:3] == 0)  # ages 70-72: taxable first covers the spending
    b = 500_000.0 * (1 + mu) ** 3  # Dec 31 of the year the owner turns 72
    for t in range(3, 8):
        rmd = b / rmd_divisor(70 + t, 73)
        assert dist[t] == pytest.approx(rmd, rel=1e-9)
        b = b * (1 + mu) - rmd


def test_fill_bracket_fills_the_bracket_with_traditional_withdrawals() -> None:
    """Retired, a large IRA, little spending: fill_bracket withdraws until ordinary taxable
    income reaches the top of the 12% bracket (2026, married filing jointly) every year,
    and the spending is paid."""
    from assetloc.tax.law import year_law

    h = household(
        [
            {"id": "brokerage", "type": "taxable", "balance": 300_000.0},
            {"id": "ira", "type": "traditional", "balance": 1_500_000.0},
        ],
        {"us_corp_bonds_core": 1.0},
        investor={"filing_status": "married_filing_jointly", "age": 66, "spouse_age": 66},
        income={"wages": 0.0},
        plan={
            "years": 6,
            "retire_in": 0,
            "spending": 20_000.0,
            "withdrawal_order": "fill_bracket",
            "fill_bracket_rate": 0.12,
        },
    )
    settings = resolved_settings(h)
    tl = timeline(h.model_copy(update={"plan": settings}))
    tg = targets(h, ("joint",))
    p = tg.problem
    spec = engine_spec(h, p, settings, tl)
    spec = type(spec)(**{**spec.__dict__, "record_income": True})
    mu = p.mu[p.market.ids.index("us_corp_bonds_core")]
    run = run_engine(spec, np.full((1, 6, 1), mu), account_weights(tg.holdings["joint"], p), "j")
    law = year_law(2026)
    top = float(law.bracket_start[1, 2])  # the 22% bracket starts where the 12% one ends
    for t in range(6):
        income = {k: run.income[k][:, t] for k in INCOME_KEYS}
        lines = spec.tax.lines(t, income)
        assert lines["ordinary_taxable_income"][0] == pytest.approx(top, abs=0.05)
    assert run.income["ira_distributions"][0, 0] > 20_000.0
    np.testing.assert_allclose(run.outcome.spending_paid, 20_000.0)

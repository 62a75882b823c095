"""The yearly tax models: the today's-dollar law, stated rates, and the withdrawal orders."""

from __future__ import annotations

import numpy as np
import pytest

from assetloc.simulate.withdrawals import in_order, proportional
from assetloc.simulate.yearly_tax import EngineYearTax, StatedYearTax, scaled_law
from assetloc.tax.engine import compute_lines
from assetloc.tax.income import INCOME_KEYS
from assetloc.tax.law import year_law
from assetloc.tax.profile import TaxProfile


def _income(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    g = {k: np.zeros(n) for k in INCOME_KEYS}
    g["wages"] = rng.uniform(0, 300_000, n)
    g["taxable_interest"] = rng.uniform(0, 20_000, n)
    g["qualified_dividends"] = rng.uniform(0, 20_000, n)
    g["ordinary_dividends"] = g["qualified_dividends"] + rng.uniform(0, 5_000, n)
    g["long_term_gains"] = rng.uniform(-30_000, 80_000, n)
    g["ira_distributions"] = rng.uniform(0, 60_000, n)
    g["social_security"] = rng.uniform(0, 40_000, n)
    return g


def test_tax_is_homogeneous_in_dollars_so_todays_dollars_are_exact() -> None:
    """tax(s·income; law with every dollar amount × s) = s·tax(income; law)."""
    rng = np.random.default_rng(1)
    g = _income(200, rng)
    law = year_law(2026)
    status = np.full(200, 1, dtype=np.intp)
    s = 1.025**-7
    base = compute_lines(law, status, 0, 0.05, 0.0, g)["total_tax"]
    scaled = compute_lines(
        scaled_law(law, s, s), status, 0, 0.05, 0.0, {k: v * s for k, v in g.items()}
    )
    np.testing.assert_allclose(scaled["total_tax"], s * base, rtol=1e-9, atol=1e-9)


def test_engine_law_beyond_the_table_keeps_todays_brackets_and_shrinks_unindexed_amounts() -> None:
    tax = EngineYearTax("single", 2026, inflation=0.03, years=5)
    law0, law4 = tax.laws[0], tax.laws[4]
    np.testing.assert_allclose(law4.bracket_start, law0.bracket_start)  # indexed: constant
    np.testing.assert_allclose(law4.niit_threshold, law0.niit_threshold / 1.03**4)
    np.testing.assert_allclose(law4.loss_limit, law0.loss_limit / 1.03**4)
    assert tax.people_65(0) == 0
    older = EngineYearTax("married_filing_jointly", 2026, 0.0, 5, age=63, spouse_age=64)
    assert [older.people_65(t) for t in range(4)] == [0, 1, 2, 2]
    top = tax.bracket_top(0, 0.12)
    assert top == pytest.approx(float(law0.bracket_start[0, 2]))


def test_stated_rates_net_gains_and_carry_losses_by_character() -> None:
    prof = TaxProfile.from_rates(0.32, 0.15, retirement_rate=0.24)
    tax = StatedYearTax(prof)
    z = np.zeros(1)
    g = {k: z for k in INCOME_KEYS}
    # a 10,000 long-term loss against 1,000 short-term gain: 3,000 deducted, 6,000 carried
    lines = tax.lines(
        0, {**g, "short_term_gains": np.array([1_000.0]), "long_term_gains": np.array([-10_000.0])}
    )
    assert lines["total_tax"][0] == pytest.approx(-3_000.0 * 0.32)
    assert lines["carryforward_long_term"][0] == pytest.approx(6_000.0)
    assert lines["carryforward_short_term"][0] == 0.0
    # next year the carryforward offsets a gain first
    nxt = tax.lines(
        0,
        {
            **g,
            "long_term_gains": np.array([10_000.0]),
            "long_term_carryforward": np.array([6_000.0]),
        },
    )
    assert nxt["total_tax"][0] == pytest.approx(4_000.0 * 0.15)
    ira = tax.lines(0, {**g, "ira_distributions": np.array([10_000.0])})
    assert ira["total_tax"][0] == pytest.approx(2_400.0)


def test_withdrawal_orders() -> None:
    need = np.array([50.0, 250.0, 1000.0])
    taxable = np.array([[60.0, 40.0]] * 3)
    trad = np.array([[200.0]] * 3)
    takes, short = in_order(need, [taxable, trad])
    np.testing.assert_allclose(takes[0], [[30, 20], [60, 40], [60, 40]])
    np.testing.assert_allclose(takes[1], [[0], [150], [200]])
    np.testing.assert_allclose(short, [0, 0, 700])
    takes, short = proportional(need, [taxable, trad])
    np.testing.assert_allclose(takes[0][0], [10, 20 / 3], rtol=1e-12)
    np.testing.assert_allclose(takes[1][0], [100 / 3], rtol=1e-12)
    np.testing.assert_allclose(short, [0, 0, 700])

"""A given withdrawal schedule (another planner's, e.g. Owl's) in place of the order."""

from __future__ import annotations

import numpy as np
import pytest

from assetloc.errors import InputError
from assetloc.model.problem import build_problem
from assetloc.simulate.run import simulate

from support.sim_households import RATES, household

YEARS = 8
ZERO = {"ordinary_rate": 0.0, "capital_gains_rate": 0.0, "retirement_rate": 0.0}
BONDS = {"us_corp_bonds_core": 1.0}


def _mu(h) -> float:
    p = build_problem(h)
    return float(p.mu[p.market.ids.index("us_corp_bonds_core")])


def test_a_surplus_over_spending_is_saved_in_the_taxable_account() -> None:
    h = household(
        [
            {"id": "b", "type": "taxable", "balance": 50_000.0},
            {"id": "r", "type": "roth", "balance": 100_000.0},
        ],
        BONDS,
        investor=ZERO,
        plan={"years": YEARS, "retire_in": 0, "spending": 5_000.0},
    )
    schedule = np.tile([0.0, 7_000.0], (YEARS, 1))
    out = simulate(
        h, returns="deterministic", strategies=("joint",), withdrawals=schedule
    ).outcomes["joint"]
    mu = _mu(h)
    b, r = 50_000.0, 100_000.0
    for _ in range(YEARS):
        r = r * (1 + mu) - 7_000.0
        b = b * (1 + mu) + 2_000.0
    assert float(out.terminal_wealth[0]) == pytest.approx(b + r, abs=0.1)
    np.testing.assert_allclose(out.spending_paid, 5_000.0)


def test_a_deficit_cuts_the_spending_paid() -> None:
    t = RATES["retirement_rate"]
    h = household(
        [{"id": "ira", "type": "traditional", "balance": 200_000.0}],
        BONDS,
        plan={"years": YEARS, "retire_in": 0, "spending": 10_000.0},
    )
    schedule = np.full((YEARS, 1), 10_000.0)
    out = simulate(
        h, returns="deterministic", strategies=("joint",), withdrawals=schedule
    ).outcomes["joint"]
    np.testing.assert_allclose(out.spending_paid, 10_000.0 * (1 - t), atol=0.02)
    np.testing.assert_allclose(out.tax, 10_000.0 * t, atol=1e-6)


def test_a_schedule_of_the_wrong_shape_is_an_input_error() -> None:
    h = household([{"id": "r", "type": "roth", "balance": 1_000.0}], BONDS, plan={"years": YEARS})
    with pytest.raises(InputError, match="withdrawals"):
        simulate(h, returns="deterministic", withdrawals=np.zeros((YEARS, 2)))

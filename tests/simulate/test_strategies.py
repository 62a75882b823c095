"""Strategy targets and the batched re-solve of joint."""

from __future__ import annotations

import numpy as np
import pytest

from assetloc.analysis.optimize import tax_flags
from assetloc.errors import InputError
from assetloc.simulate.strategies import Replacer, account_weights, targets, with_budgets
from assetloc.solve import solve


def test_every_strategy_has_holdings_with_the_account_budgets(example) -> None:
    h = example("three_accounts")
    tg = targets(h)
    assert set(tg.holdings) == {"joint", "duplicate", "rule_of_thumb", "two_step", "separate"}
    for x in tg.holdings.values():
        np.testing.assert_allclose(x.sum(axis=1), tg.problem.budgets, atol=1e-9)
        w = account_weights(x, tg.problem)
        np.testing.assert_allclose(w.sum(axis=1), 1.0)
    with pytest.raises(InputError, match="strategies"):
        targets(h, ("nope",))


def test_an_empty_account_holds_the_mix_over_its_menu(example) -> None:
    tg = targets(example("three_accounts"), ("joint",))
    x = tg.holdings["joint"].copy()
    x[2] = 0.0
    w = account_weights(x, tg.problem)
    mix = x.sum(axis=0)
    np.testing.assert_allclose(w[2], mix / mix.sum())


def test_re_solving_on_the_same_budgets_gives_the_plan(example) -> None:
    h = example("three_accounts")
    tg = targets(h, ("joint",))
    p = tg.problem
    free = tax_flags(h)[1]
    np.testing.assert_allclose(
        solve(with_budgets(p, p.budgets), tax_free=free).x, tg.plan.x, atol=1e-9
    )
    w = account_weights(tg.plan.x, p)
    resolver = Replacer(p, tg.placers["joint"], every=2, grid=0.0)
    current = np.broadcast_to(w, (3, *w.shape)).copy()
    assert resolver(0, np.tile(p.balances, (3, 1)), current) is None  # not a re-solve year
    new = resolver(1, np.tile(p.balances, (3, 1)), current)
    assert new is not None
    np.testing.assert_allclose(new, current, atol=1e-7)
    assert resolver.summary()["mean_abs_change"] == pytest.approx(0.0, abs=1e-7)


def test_re_solving_on_grown_taxable_balances_moves_bonds_into_taxable(example) -> None:
    """The guide's 60/40 after stocks in the brokerage doubled: to keep 60/40 of F the
    plan must now hold some bonds in the brokerage."""
    h = example("three_accounts")
    tg = targets(h, ("joint",))
    p = tg.problem
    w = account_weights(tg.plan.x, p)
    bonds = p.market.ids.index("us_corp_bonds_core")
    assert w[0, bonds] == pytest.approx(0.0, abs=1e-9)
    resolver = Replacer(p, tg.placers["joint"], every=1)
    grown = np.array([[400_000.0, 150_000.0, 50_000.0]] * 2)
    new = resolver(0, grown, np.broadcast_to(w, (2, *w.shape)).copy())
    assert new is not None
    assert new[0, 0, bonds] > 0.05
    assert resolver.summary()["solves"] == 1  # both paths share one grid point


@pytest.mark.parametrize("name", ["rule_of_thumb", "two_step", "duplicate"])
def test_placed_again_strategies_keep_their_household_mix(example, name: str) -> None:
    """A fixed mix (the guide's 60/40) is placed again as it is on other account shares."""
    h = example("three_accounts")
    tg = targets(h)
    p = tg.problem
    mix = tg.holdings[name].sum(axis=0)
    budgets = np.array([0.7, 0.2, 0.1])
    x = tg.placers[name](with_budgets(p, budgets))
    np.testing.assert_allclose(x.sum(axis=1), budgets, atol=1e-9)
    np.testing.assert_allclose(x.sum(axis=0), mix, atol=1e-7)
    assert "separate" not in tg.placers


def test_duplicate_and_rule_of_thumb_follow_the_re_solved_joint_mix(example) -> None:
    h = example("four_accounts")
    tg = targets(h)
    p = tg.problem
    budgets = np.full(p.k, 1.0 / p.k)
    q = with_budgets(p, budgets)
    mix = tg.placers["joint"](q).sum(axis=0)
    for name in ("duplicate", "rule_of_thumb"):
        x = tg.placers[name](q)
        np.testing.assert_allclose(x.sum(axis=1), budgets, atol=1e-9)
        allowed = (p.upper > 0).all(axis=0)  # menus can bind a baseline's mix (baselines.py)
        np.testing.assert_allclose(x.sum(axis=0)[allowed], mix[allowed], atol=0.05)


def test_failed_placements_are_counted_per_path_date_and_explained(example) -> None:
    """A placement that fails keeps its paths' old targets: counted once per path and date
    (kept_old_targets), once per grid point (failed_placements), and its message is kept."""
    from assetloc.errors import InfeasibleError

    tg = targets(example("three_accounts"), ("joint",))
    p = tg.problem

    def refuses(problem: object) -> np.ndarray:
        raise InfeasibleError(["budget of account 'ira'", "menu of account 'ira'"])

    resolver = Replacer(p, refuses, every=1)
    w = account_weights(tg.plan.x, p)
    current = np.broadcast_to(w, (3, *w.shape)).copy()
    balances = np.array([[200_000.0, 150_000.0, 50_000.0]] * 2 + [[400_000.0, 150_000.0, 50_000.0]])
    for t in range(2):  # two dates, three paths on two grid points
        new = resolver(t, balances, current)
        assert new is not None
        np.testing.assert_array_equal(new, current)  # every path kept its targets
    summary = resolver.summary()
    assert summary["kept_old_targets"] == 6  # 3 paths x 2 dates, never more than that
    assert summary["failed_placements"] == 2  # two grid points, each tried once (cached)
    note = resolver.error_note()
    assert (
        note is not None and "menu of account 'ira'" in note and "(2 account-share points)" in note
    )
    ok = Replacer(p, tg.placers["joint"], every=1)
    ok(0, balances, current)
    assert ok.error_note() is None and ok.summary()["kept_old_targets"] == 0

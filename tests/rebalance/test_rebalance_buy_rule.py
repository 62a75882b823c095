"""An account buys only what its own target holds (issue 10: no munis bought in a Roth)."""

from __future__ import annotations

import numpy as np

from assetloc import load_household
from assetloc.inputs.securities import security_table
from assetloc.rebalance import rebalance
from assetloc.rebalance.engine import fits_target

from support.paths import ROOT


def test_fits_target_closed_cases() -> None:
    split = np.array([[1.0, 0.0], [0.82, 0.18], [0.0, 1.0], [0.4, 0.6]])  # 4 securities
    target = np.array([[100.0, 0.0], [0.0, 50.0]])  # account 0 holds class 0 only
    got = fits_target(split, target)
    np.testing.assert_array_equal(got, [[True, True, False, False], [False, False, True, True]])


def test_trial_household_buys_only_target_classes() -> None:
    h = load_household(ROOT / "examples" / "four_accounts.toml")
    r = rebalance(h)
    table = security_table(h.securities)
    for t in r.trades:
        if t.side != "buy":
            continue
        k = [a.id for a in r.accounts].index(t.account)
        split = table.require(t.symbol, "trade").security.split
        in_target = sum(
            w for c, w in split.items() if c in r.classes and r.target[k, r.classes.index(c)] > 0.5
        )
        assert in_target >= 0.5, (t.account, t.symbol, split)
        if t.account_type != "taxable":
            assert split.get("us_municipal_bonds", 0.0) == 0.0, (t.account, t.symbol)

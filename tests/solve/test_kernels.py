"""The solver's kernels against plain numpy statements of the same thing (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc.solve._kernels import (
    fill,
    holding_bounds,
    must_stand_alone,
    pooled_accounts,
    worst_violation,
)

from support.kernel_inputs import accounts, violation_args

INF = 1e30
PROPS = settings(max_examples=150, deadline=None)


@PROPS
@given(d=accounts())
def test_worst_violation_is_the_largest_gap(d: dict[str, np.ndarray]) -> None:
    x = d["x"]
    held = x.sum(axis=0)
    gaps = [
        (d["lower"] - x).ravel(),
        (x - d["upper"]).ravel(),
        np.abs(x.sum(axis=1) - d["budgets"]),
        d["class_lower"] - held,
        held - d["class_upper"],
        [0.0],
    ]
    if d["mix"].size:
        gaps.append(np.abs(d["weights"] @ x - d["mix"]))
    expected = float(np.concatenate(gaps).max())
    got = worst_violation(x, *violation_args(d))
    assert abs(got - expected) <= 1e-15


@PROPS
@given(d=accounts())
def test_accounts_that_stand_alone(d: dict[str, np.ndarray]) -> None:
    b, up = d["budgets"], d["upper"]
    expected = (d["lower"] > 0).any(axis=1) | ((up > 0) & (up < b[:, None])).any(axis=1) | (b <= 0)
    np.testing.assert_array_equal(must_stand_alone(d["lower"], up, b), expected)


@PROPS
@given(d=accounts(), data=st.data())
def test_pooled_accounts_sum_budgets_and_open_the_menu(
    d: dict[str, np.ndarray], data: st.DataObject
) -> None:
    k = len(d["budgets"])
    labels = data.draw(st.lists(st.integers(0, k - 1), min_size=k, max_size=k))
    _, group_of = np.unique(labels, return_inverse=True)  # groups 0..G-1, all nonempty
    n_groups = int(group_of.max()) + 1
    firsts = np.array([np.flatnonzero(group_of == g)[0] for g in range(n_groups)])
    budget, tau, lower, upper, weights = pooled_accounts(
        group_of, firsts, d["budgets"], d["tau"], d["lower"], d["upper"], d["weights"]
    )
    for g in range(n_groups):
        members = np.flatnonzero(group_of == g)
        first = members[0]
        assert budget[g] == d["budgets"][members].sum()
        np.testing.assert_array_equal(tau[g], d["tau"][first])
        np.testing.assert_array_equal(lower[g], d["lower"][first])
        assert weights[g] == d["weights"][first]
        pooled = np.where(d["upper"][first] > 0, budget[g], 0.0)
        np.testing.assert_array_equal(upper[g], pooled if len(members) > 1 else d["upper"][first])


@PROPS
@given(d=accounts(), data=st.data())
def test_holding_bounds(d: dict[str, np.ndarray], data: st.DataObject) -> None:
    k, n = d["upper"].shape
    cols = np.array(sorted(data.draw(st.sets(st.integers(0, k * n - 1), min_size=1))))
    lb, ub, rows, binds = holding_bounds(cols, d["lower"], d["upper"], d["budgets"], INF)
    acc = cols // n
    lower, upper, budget = d["lower"].ravel()[cols], d["upper"].ravel()[cols], d["budgets"][acc]
    np.testing.assert_array_equal(lb, lower)
    np.testing.assert_array_equal(ub, np.where((upper >= budget) & (budget > 0), INF, upper))
    np.testing.assert_array_equal(rows, (acc == np.arange(k)[:, None]).astype(float))
    free = lower != upper
    expected = (d["budgets"] > 0) & ((acc == np.arange(k)[:, None]) & free).any(axis=1)
    np.testing.assert_array_equal(binds, expected)


@PROPS
@given(d=accounts(), a_free=st.floats(0.01, 0.5), a_other=st.floats(0.01, 0.5))
def test_fill_solves_the_knapsack(d: dict[str, np.ndarray], a_free: float, a_other: float) -> None:
    """Against HiGHS: the LP max μ'r, 0 <= r <= z, Σ r = a_free, then the tie-break QP value."""
    from scipy.optimize import linprog

    mu = d["mu"]
    z = np.abs(d["x"][0]) * (a_free + a_other) / max(np.abs(d["x"][0]).sum(), 1e-9)
    r = fill(mu, z, a_free, a_other, 1e-13)
    assert np.all(r >= -1e-15) and np.all(r <= z + 1e-15)
    assert abs(r.sum() - min(a_free, z.sum())) <= 1e-12
    if z.sum() < a_free:
        return
    lp = linprog(-mu, A_eq=np.ones((1, len(z))), b_eq=[a_free], bounds=[(0.0, float(v)) for v in z])
    assert lp.status == 0
    assert mu @ r >= -lp.fun - 1e-12

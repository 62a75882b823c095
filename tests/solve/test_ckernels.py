"""The C translation of the solver's kernels (``_ckernels.c``) against the Python reference
(``_kernels.REFERENCE``), bit for bit, on generated inputs: budgets, menus and bounds like
build_problem's, ties of expected return (the tie-break's blocks), zero budgets, empty
groups, and inputs off the common path (other dtypes, strided arrays), which must give
exactly what numpy gives, errors included. ``tests/solve/test_kernels.py`` checks the
kernels in use against plain numpy statements of the same thing."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc.native import PURE_PYTHON
from assetloc.solve import _kernels

from support.kernel_inputs import accounts, violation_args

fast = _kernels.compiled
ref = _kernels.REFERENCE
pytestmark = pytest.mark.skipif(fast is None, reason="the C translation is not built")
PROPS = settings(max_examples=300, deadline=None)


def test_the_c_translation_is_built_and_in_use() -> None:
    if os.environ.get(PURE_PYTHON):
        return
    assert fast is not None
    for name in ref:
        assert getattr(_kernels, name) is getattr(fast, name)


def bits(obj: Any) -> Any:
    """Arrays as (dtype, shape, bytes): -0.0 ≠ 0.0, NaN equal to itself."""
    if isinstance(obj, np.ndarray):
        return (obj.dtype.str, obj.shape, np.ascontiguousarray(obj).tobytes())
    if isinstance(obj, tuple):
        return tuple(bits(v) for v in obj)
    if isinstance(obj, float):
        return ("float", np.float64(obj).tobytes())
    return obj


def outcome(f: Any, *args: Any) -> Any:
    try:
        return ("ok", bits(f(*args)))
    except Exception as err:
        return ("raises", type(err).__name__, str(err))


def same(name: str, *args: Any) -> None:
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    got = outcome(getattr(fast, name), *args)
    assert got == outcome(ref[name], *copies), name
    for a, c in zip(args, copies, strict=True):  # neither wrote into its inputs
        if isinstance(a, np.ndarray):
            assert bits(a) == bits(c)


def groups(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """A grouping of k accounts (first-appearance order) and each group's first account."""
    labels = rng.integers(0, max(1, k - 1), k)
    _, first, group_of = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(first)  # renumber groups by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[group_of].astype(np.int64), np.sort(first).astype(np.int64)


@PROPS
@given(d=accounts(), seed=st.integers(0, 2**32 - 1))
def test_the_kernels_give_the_same_bits(d: dict[str, np.ndarray], seed: int) -> None:
    rng = np.random.default_rng(seed)
    k, n = d["upper"].shape
    same("worst_violation", d["x"], *violation_args(d))
    same("must_stand_alone", d["lower"], d["upper"], d["budgets"])
    group_of, first = groups(rng, k)
    same(
        "pooled_accounts",
        group_of,
        first,
        d["budgets"],
        d["tau"],
        d["lower"],
        d["upper"],
        d["weights"],
    )
    cols = np.flatnonzero(d["upper"].ravel() > 0).astype(np.int64)
    same("holding_bounds", cols, d["lower"], d["upper"], d["budgets"], 1e30)
    # group holdings with ties of μ (blocks of the tie-break) and some below held_tol
    g = int(first.size)
    y = rng.uniform(0, 0.3, (g, n)) * (rng.random((g, n)) > 0.2)
    is_free = rng.random(k) < 0.5
    for held_tol in (0.0, 1e-9, 0.05):
        same("split_groups", y, group_of, is_free, d["budgets"], d["mu"], held_tol)
    # E and V of the holdings in a view (financial: scale 1, no offset; net worth: F/W, offset)
    root = rng.uniform(-0.2, 0.2, (n, n))
    cov = root @ root.T
    tau = d["tau"] * np.ones((k, n))
    for scale, offset in (
        (1.0, np.zeros(n)),
        (float(rng.uniform(0.2, 1.5)), rng.normal(0, 0.1, n)),
    ):
        same("portfolio_moments", tau, d["x"], scale, offset, d["mu"], cov)
    # the rank test's matrix: multipliers of bounds then rows, some at noise level
    nv, nr = int(rng.integers(0, 9)), int(rng.integers(0, 5))
    lam = rng.choice([0.0, 1e-17, 1e-3, 2.0, -0.5], nv + nr + int(rng.integers(0, 3)))
    lb = rng.choice([0.0, 0.1], nv)
    ub = np.where(rng.random(nv) < 0.2, lb, lb + 0.5)
    a = rng.uniform(-1, 1, (nr, nv))
    m = rng.uniform(-1, 1, (int(rng.integers(0, 4)), nv))
    same("face_matrix", lam, lb, ub, a, int(rng.integers(0, nr + 1)), m, 1e-9)


@PROPS
@given(
    z=st.lists(st.floats(1e-6, 1.0), min_size=2, max_size=12),
    c=st.floats(0.01, 0.99),
    fraction=st.floats(0.0, 1.0),
)
def test_tie_blocks_split_to_the_same_bits(z: list[float], c: float, fraction: float) -> None:
    """One block of equal μ that the tax-free side fills in part: tie_share's path."""
    n = len(z)
    zz = np.array(z)
    mu = np.full(n, 0.05)
    a_free = fraction * float(zz.sum())
    a_other = max(1e-6, float(zz.sum()) - a_free)
    budgets = np.array([a_free * c, a_free * (1 - c), a_other])
    group_of = np.zeros(3, dtype=np.int64)
    is_free = np.array([True, True, False])
    same("split_groups", zz[None, :], group_of, is_free, budgets, mu, 0.0)


def test_inputs_off_the_common_path_give_numpys_answers_and_errors() -> None:
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, (3, 4))
    lower, upper = np.zeros((3, 4)), np.ones((3, 4))
    budgets, cl, cu = np.ones(3), np.zeros(4), np.ones(4)
    rest = (lower, upper, budgets, cl, cu, np.zeros(0), np.ones(3))  # after x
    same("worst_violation", x.T.copy().T, *rest)  # Fortran order copied back: C order
    for bad_x in (x.astype(np.float32), np.full((3, 4), np.nan)):
        same("worst_violation", bad_x, *rest)
    strided = (lower[:, :2], upper[:, :2], budgets, cl[:2], cu[:2], np.zeros(0), np.ones(3))
    same("worst_violation", x[:, ::2], *strided)  # strided: the reference
    same("worst_violation", x, lower, upper, np.ones(2), cl, cu, np.zeros(0), np.ones(3))
    same("must_stand_alone", lower, upper, np.ones(4))  # numpy's broadcast error
    same("holding_bounds", np.array([0, 99]), lower, upper, budgets, 1e30)  # out of range
    same("holding_bounds", np.array([0, 5], dtype=np.int32), lower, upper, budgets, 1e30)
    same(
        "pooled_accounts", np.array([0, 0, 5]), np.array([0]), budgets, upper, lower, upper, budgets
    )
    same(
        "split_groups",
        np.ones((1, 4)),
        np.zeros(3, dtype=np.int64),
        np.ones(3, bool),
        budgets,
        np.array([0.05, np.nan, 0.05, 0.01]),
        0.0,
    )
    same("portfolio_moments", np.ones((3, 4)), x[:, ::-1], 1.0, cl, cu, np.eye(4))
    same("portfolio_moments", np.ones((3, 4)), x, 1.0, cl, cu, np.eye(3))  # numpy's error
    same(
        "face_matrix",
        np.ones(2),
        np.zeros(3),
        np.ones(3),
        np.ones((1, 3)),
        0,
        np.ones((1, 3)),
        1e-9,
    )  # fewer multipliers than bounds and rows: numpy's error


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # numpy's, on inf
def test_keywords_other_kinds_and_infinite_holdings_go_to_the_reference() -> None:
    lower, upper, budgets = np.zeros((3, 4)), np.ones((3, 4)), np.ones(3)
    assert fast is not None
    got = outcome(lambda: fast.must_stand_alone(lower, upper, budgets=budgets))
    assert got == outcome(lambda: ref["must_stand_alone"](lower, upper, budgets=budgets))
    same(
        "face_matrix",
        np.ones(7),
        np.zeros(3),
        np.ones(3),
        np.ones((1, 3)),
        1.0,
        np.ones((1, 3)),
        1e-9,
    )
    same("must_stand_alone", lower, upper)  # a missing argument: Python's message
    y = np.array([[0.2, np.inf, 0.1, 0.3]])
    same(
        "split_groups",
        y,
        np.zeros(3, dtype=np.int64),
        np.array([True, False, True]),
        budgets,
        np.full(4, 0.05),
        0.0,
    )

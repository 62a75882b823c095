"""Generated inputs of the solver's kernels (tests/solve/test_kernels.py, test_ckernels.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


@st.composite
def accounts(draw: st.DrawFn) -> dict[str, np.ndarray]:
    """Budgets, menus and bounds of 1-6 accounts over 1-8 classes, like build_problem's."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    k, n = int(rng.integers(1, 7)), int(rng.integers(1, 9))
    budgets = rng.dirichlet(np.ones(k)) * (rng.random(k) > 0.15)
    upper = np.repeat(budgets[:, None], n, axis=1) * (rng.random((k, n)) > 0.3)
    capped = rng.random((k, n)) < 0.1
    upper[capped] *= rng.uniform(0.2, 0.9, capped.sum())
    lower = np.where(rng.random((k, n)) < 0.1, upper * rng.uniform(0, 1, (k, n)), 0.0)
    return {
        "budgets": budgets,
        "upper": upper,
        "lower": lower,
        "tau": np.where(rng.random((k, 1)) < 0.5, 1.0, rng.uniform(0.5, 1.0, (1, n))),
        "weights": rng.choice([1.0, 0.8], k),
        "x": rng.uniform(-0.1, 0.6, (k, n)),
        "class_lower": rng.uniform(0, 0.2, n) * (rng.random(n) < 0.3),
        "class_upper": np.where(rng.random(n) < 0.3, rng.uniform(0.3, 1.0, n), 1.0),
        "mix": rng.dirichlet(np.ones(n)) if rng.random() < 0.5 else np.zeros(0),
        "mu": rng.choice([0.03, 0.05, 0.07], n),
    }


def violation_args(d: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """``worst_violation``'s arguments after x, from :func:`accounts`' draw."""
    keys = ("lower", "upper", "budgets", "class_lower", "class_upper", "mix", "weights")
    return tuple(d[k] for k in keys)

"""Summary statistics of per-path outcomes: mean and the 5th, 50th and 95th percentiles."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: the percentiles every distribution is reported at (percent)
PERCENTILES = (5, 50, 95)


def stats(a: ArrayLike) -> dict[str, float]:
    """``{"mean", "p5", "p50", "p95"}`` of the finite values of ``a`` (any unit; the
    percentiles by linear interpolation, numpy's default). NaN everywhere when ``a`` has no
    finite value."""
    x = np.asarray(a, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return {"mean": float("nan"), **{f"p{q}": float("nan") for q in PERCENTILES}}
    qs = np.percentile(x, PERCENTILES)
    return {
        "mean": float(x.mean()),
        **{f"p{q}": float(v) for q, v in zip(PERCENTILES, qs, strict=True)},
    }

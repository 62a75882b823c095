"""Where a year's cash comes from: the withdrawal orders, vectorized over paths.

Every amount is in today's dollars with a leading path axis. A group of accounts (all
taxable accounts, all traditional ones, ...) gives in proportion to what each holds.
"""

from __future__ import annotations

import numpy as np

from assetloc.types import FloatArray


def pro_rata(amount: FloatArray, available: FloatArray) -> FloatArray:
    """Split ``amount`` (P,) over accounts (P, G) in proportion to ``available``; capped at
    what they hold in total."""
    total = available.sum(axis=1)
    take = np.minimum(amount, total)
    share = np.divide(
        available, total[:, None], out=np.zeros_like(available), where=total[:, None] > 0
    )
    out: FloatArray = share * take[:, None]
    return out


def in_order(amount: FloatArray, groups: list[FloatArray]) -> tuple[list[FloatArray], FloatArray]:
    """Take ``amount`` (P,) from the groups in turn, each (P, G) of available dollars;
    returns what each account gives and what no group could cover (P,)."""
    rest = np.maximum(amount, 0.0)
    takes = []
    for available in groups:
        take = pro_rata(rest, available)
        takes.append(take)
        rest = rest - take.sum(axis=1)
    return takes, np.maximum(rest, 0.0)


def proportional(
    amount: FloatArray, groups: list[FloatArray]
) -> tuple[list[FloatArray], FloatArray]:
    """Take ``amount`` (P,) from every account in proportion to its balance."""
    available = np.concatenate(groups, axis=1)
    take = pro_rata(np.maximum(amount, 0.0), available)
    rest = np.maximum(amount - take.sum(axis=1), 0.0)
    sizes = np.cumsum([g.shape[1] for g in groups])[:-1]
    return list(np.split(take, sizes, axis=1)), rest

"""Sustainable spending: the constant after-tax spending a path could have afforded.

Per path, in today's dollars a year: the spending paid in retirement, plus the level
extra spending Δ that the terminal wealth W_T could have paid every retirement year
instead, had it not been left over: Δ = W_T / A with A = Σ_{t=R}^{T−1} Π_{s=t+1}^{T−1} g_s
(the engine spends at the end of a year, so year t's dollar would have grown by the path's
after-tax growth g of the years after it). g_s = (W_{s+1} + spending paid_s −
benefits_s) / W_s is the path's own after-tax growth of year s in retirement, read off its
wealth path. It is a first-order reading: it ignores that spending more would have
changed the tax and the withdrawals' mix. Spending paid is the mean over the retirement
years; a path whose wealth ran out has Δ = 0 (what it paid is all it could). A plan that
never retires within the horizon spreads W_T the same way over all its years (growth from
its wealth path net of nothing: contributions count as growth there, an upper reading).
"""

from __future__ import annotations

import numpy as np

from assetloc.types import FloatArray

#: growth factors are clipped to this range (a path near zero wealth has no meaningful g)
G_RANGE = (0.2, 5.0)


def growth_factors(wealth: FloatArray, paid: FloatArray, benefits: FloatArray) -> FloatArray:
    """(P, years) after-tax growth of each year: (W_{t+1} + paid_t − benefits_t) / W_t,
    clipped to :data:`G_RANGE`; 1 where W_t ≤ 0. ``wealth`` (P, years+1), ``paid`` (P,
    years), ``benefits`` (years,), today's dollars."""
    start = wealth[:, :-1]
    spent = np.maximum(paid - benefits[None, :], 0.0)
    g = np.divide(wealth[:, 1:] + spent, start, out=np.ones_like(start), where=start > 0)
    return np.clip(g, *G_RANGE)


def annuity_factor(g: FloatArray, first: int) -> FloatArray:
    """(P,) A = Σ_{t=first}^{T−1} Π_{s=t+1}^{T−1} g_s: the terminal value of a dollar spent
    at the end of each year from ``first`` on."""
    years = g.shape[1]
    tail = np.ones(g.shape[0])
    total = np.zeros(g.shape[0])
    for t in range(years - 1, first - 1, -1):  # backward: tail = Π_{s=t+1}^{T-1} g_s
        total += tail
        tail = tail * g[:, t]
    return total


def sustainable_spending(
    wealth: FloatArray, terminal: FloatArray, paid: FloatArray, benefits: FloatArray, retire_in: int
) -> FloatArray:
    """(P,) today's dollars a year (see the module docstring)."""
    years = paid.shape[1]
    first = retire_in if retire_in < years else 0
    n = years - first
    base = paid[:, first:].sum(axis=1) / n
    a = annuity_factor(growth_factors(wealth, paid, benefits), first)
    extra = np.divide(np.maximum(terminal, 0.0), a, out=np.zeros_like(a), where=a > 0)
    out: FloatArray = base + extra
    return out

"""Taxable lots against a plain per-lot reference (lists of lots, highest cost sold first)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc.simulate.taxable_lots import Lots

Op = tuple[float, float, float]  # (price factor, buy dollars, sell share of value)


class Reference:
    """One cell's lots as a list of [units, cost per unit]; HIFO sales."""

    def __init__(self, value: float, basis: float) -> None:
        self.lots = [[value, basis / value]] if value > 0 else []

    def value(self, price: float) -> float:
        return sum(u for u, _ in self.lots) * price

    def basis(self) -> float:
        return sum(u * c for u, c in self.lots)

    def sell(self, amount: float, price: float) -> float:
        gain = 0.0
        for lot in sorted(self.lots, key=lambda x: -x[1]):
            if amount <= 0:
                break
            take = min(amount, lot[0] * price)
            gain += take * (1 - lot[1] / price)
            lot[0] -= take / price
            amount -= take
        self.lots = [lot for lot in self.lots if lot[0] > 1e-12 * max(1.0, lot[0])]
        return gain

    def buy(self, amount: float, price: float) -> None:
        if amount > 0:
            self.lots.append([amount / price, price])


ops = st.lists(
    st.tuples(
        st.floats(0.6, 1.5),
        st.floats(0.0, 500.0),
        st.floats(0.0, 1.0),
    ),
    min_size=1,
    max_size=12,
)


def _run(op_lists: list[list[Op]], slots: int) -> tuple[Lots, np.ndarray, list[float]]:
    paths = len(op_lists)
    lots = Lots.start(np.full((paths, 1, 1), 1000.0), np.full((paths, 1, 1), 800.0), slots)
    price = np.ones((paths, 1))
    steps = max(len(o) for o in op_lists)
    gains = np.zeros(paths)
    for j in range(steps):
        f = np.array([o[j][0] if j < len(o) else 1.0 for o in op_lists])
        buy = np.array([o[j][1] if j < len(o) else 0.0 for o in op_lists])
        share = np.array([o[j][2] if j < len(o) else 0.0 for o in op_lists])
        price = price * f[:, None]
        table = lots.sale_table(price)
        amount = (lots.value(price)[:, 0, 0] * share)[:, None, None]
        gains += table.gain(amount)[:, 0, 0]
        lots.sell(table, amount, price)
        lots.buy(buy[:, None, None], price)
    return lots, price, list(gains)


@settings(max_examples=60)
@given(st.lists(ops, min_size=1, max_size=4))
def test_lots_match_the_reference_when_every_purchase_has_a_slot(op_lists: list[list[Op]]) -> None:
    lots, price, gains = _run(op_lists, slots=16)
    for i, o in enumerate(op_lists):
        ref = Reference(1000.0, 800.0)
        p = 1.0
        g = 0.0
        for f, buy, share in o:
            p *= f
            g += ref.sell(ref.value(p) * share, p)
            ref.buy(buy, p)
        assert gains[i] == pytest.approx(g, rel=1e-9, abs=1e-6)
        assert lots.value(price)[i, 0, 0] == pytest.approx(ref.value(p), rel=1e-9, abs=1e-6)
        basis = float(
            (
                lots.units[:, i, 0, 0]
                * np.where(lots.units[:, i, 0, 0] > 0, lots.cost[:, i, 0, 0], 0)
            ).sum()
        )
        assert basis == pytest.approx(ref.basis(), rel=1e-9, abs=1e-6)


@settings(max_examples=60)
@given(st.lists(ops, min_size=1, max_size=4))
def test_joined_lots_keep_value_and_basis_accounting(op_lists: list[list[Op]]) -> None:
    """With 2 slots lots are joined, yet value and basis add up: basis after = basis
    before + purchases − (proceeds − realized gains); costs stay sorted."""
    lots, price, gains = _run(op_lists, slots=2)
    for i, o in enumerate(op_lists):
        p, value, basis = 1.0, 1000.0, 800.0
        for f, buy, share in o:
            p *= f
            value *= f
            sold = value * share
            value += buy - sold
            basis += buy - sold
        basis += gains[i]
        u = lots.units[:, i, 0, 0]
        c = lots.cost[:, i, 0, 0]
        assert float(u.sum() * price[i, 0]) == pytest.approx(value, rel=1e-9, abs=1e-6)
        assert float((u * np.where(u > 0, c, 0)).sum()) == pytest.approx(basis, rel=1e-9, abs=1e-6)
        live = c[u > 0]
        assert np.all(np.diff(live) >= -1e-12)


def test_repeated_gain_queries_equal_the_exact_sum_over_lots() -> None:
    """The gross-up asks the same table many times; its remembered segments must give the
    exact gain of every amount, in or out of the last segment."""
    rng = np.random.default_rng(5)
    lots = Lots.start(np.full((50, 2, 3), 1000.0), np.full((50, 2, 3), 700.0), 6)
    price = np.ones((50, 3))
    for _ in range(5):
        price = price * rng.uniform(0.7, 1.4, size=(50, 3))
        lots.buy(rng.uniform(0, 300, size=(50, 2, 3)), price)
    table = lots.sale_table(price)
    value = lots.value(price)
    for _ in range(8):
        amount = value * rng.uniform(0, 1, size=value.shape) * (rng.uniform(size=value.shape) < 0.7)
        exact = (table.sold(amount) * np.where(lots.units > 0, table.gain_share, 0)).sum(axis=0)
        np.testing.assert_allclose(table.gain(amount), exact, rtol=1e-9, atol=1e-7)

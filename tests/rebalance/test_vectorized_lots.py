"""The rebalancer's vectorized lot work equals a plain per-lot statement of it.

Random books (taxable lots bought from years ago to the trade date, February 29 and the
30-day window included; recent buys and sells in every account type, some of them a
lot's own purchase; a group shared by two symbols) and random sales and purchases: the
long-term flags, the days to long-term, the wash-sale flags and the share matching of
disallowed losses must equal :mod:`support.rebalance_reference`'s loops exactly (the same
floating-point operations in the same order), and the orders must carry the same lots.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc import parse_household
from assetloc.rebalance.book import Book, build_book
from assetloc.rebalance.engine import _trades, days_to_long_term
from assetloc.rebalance.washsale import WashSaleGuard, build_guard, disallowed_losses

from support import rebalance_reference as ref
from support.rebalance_support import AS_OF, BOND, STOCK, account, household_dict, lot, pos

SECURITIES: list[dict[str, Any]] = [
    {"symbol": "STK", "asset_class": STOCK, "group": "stk"},
    {"symbol": "STKB", "asset_class": STOCK, "group": "stk"},  # substantially identical
    {"symbol": "STK2", "asset_class": STOCK, "group": "stk2"},
    {"symbol": "BON", "asset_class": BOND, "group": "bon"},
    {"symbol": "BON2", "asset_class": BOND, "group": "bon2"},
]
SYMBOLS = [s["symbol"] for s in SECURITIES]
TRADE_DATES = [  # around February 29 anniversaries, and the tests' usual date
    dt.date(2025, 2, 28),
    dt.date(2025, 3, 1),
    dt.date(2025, 3, 2),
    dt.date(2029, 2, 28),
    dt.date(2029, 3, 1),
    AS_OF,
]
LEAP_DAYS = [dt.date(2024, 2, 29), dt.date(2028, 2, 29), dt.date(2024, 2, 28), dt.date(2024, 3, 1)]


def special_days(as_of: dt.date) -> list[dt.date]:
    """Days around the 30-day window and the one-year anniversary, and leap days."""
    near = [as_of - dt.timedelta(days=d) for d in (0, 1, 29, 30, 31, 364, 365, 366, 367, 395)]
    return near + [d for d in LEAP_DAYS if d <= as_of]


def random_book(seed: int) -> tuple[Any, Book, WashSaleGuard]:
    """A household with random lots and recent trades, its book and wash-sale guard."""
    rng = np.random.default_rng(seed)
    as_of = TRADE_DATES[int(rng.integers(len(TRADE_DATES)))]
    days = special_days(as_of)
    price = {s: float(rng.uniform(20.0, 200.0)) for s in SYMBOLS}
    start = (as_of - dt.timedelta(days=6 * 365)).toordinal()
    recent: list[dict[str, Any]] = []
    accounts = []
    for acc_id in ("brk", "joint"):
        positions = []
        for sym in SYMBOLS:
            n = int(rng.integers(0, 8))
            if n == 0:
                continue
            lots = []
            for _ in range(n):
                if rng.random() < 0.3:
                    day = days[int(rng.integers(len(days)))]
                elif rng.random() < 0.3:
                    day = as_of - dt.timedelta(days=int(rng.integers(0, 40)))
                else:
                    day = dt.date.fromordinal(int(rng.integers(start, as_of.toordinal() + 1)))
                q = float(rng.integers(1, 30))
                basis = round(float(rng.uniform(0.5, 1.5)) * price[sym] * q, 2)
                lots.append(lot(day.isoformat(), q, basis))
                if day >= as_of - dt.timedelta(days=30) and rng.random() < 0.4:
                    # the lot's own purchase, stated again as a recent buy
                    recent.append(
                        {
                            "account": acc_id,
                            "symbol": sym,
                            "side": "buy",
                            "date": day.isoformat(),
                            "shares": q,
                        }
                    )
            total = sum(x["shares"] for x in lots)
            positions.append(pos(sym, total, price[sym], lots))
        accounts.append(account(acc_id, "taxable", float(rng.uniform(0, 5000)), positions))
    accounts.append(account("roth", "roth", 1000.0, [pos("STK2", 40, price["STK2"])]))
    accounts.append(account("ira", "traditional", 500.0, [pos("BON", 30, price["BON"])]))
    for _ in range(int(rng.integers(0, 6))):
        acc = ("brk", "joint", "roth", "ira")[int(rng.integers(4))]
        trade: dict[str, Any] = {
            "account": acc,
            "symbol": SYMBOLS[int(rng.integers(len(SYMBOLS)))],
            "side": "buy" if rng.random() < 0.6 else "sell",
            "date": (as_of - dt.timedelta(days=int(rng.integers(0, 45)))).isoformat(),
            "shares": float(rng.integers(1, 20)),
        }
        if trade["side"] == "sell" and rng.random() < 0.7:
            trade["realized_gain"] = float(rng.uniform(-500, 500))
        recent.append(trade)
    h = parse_household(
        household_dict(
            accounts, securities=SECURITIES, recent=recent, rebalance={"as_of": as_of.isoformat()}
        )
    )
    book = build_book(h, (STOCK, BOND))
    return h, book, build_guard(h, book)


def random_trades(book: Book, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random lot sales (none, part or all of each lot) and purchases."""
    rng = np.random.default_rng(seed + 1)
    pick = rng.random(book.n_lots)
    part = rng.uniform(0, 1, book.n_lots) * book.lot_shares
    lot_sold = np.where(pick < 0.4, 0.0, np.where(pick < 0.7, book.lot_shares, part))
    buy = np.where(rng.random((book.k, book.s)) < 0.3, rng.integers(1, 25, (book.k, book.s)), 0.0)
    sell = np.zeros((book.k, book.s))
    np.add.at(sell, (book.lot_account, book.lot_security), lot_sold)
    return lot_sold, buy.astype(float), sell


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_lot_terms_equal_the_per_lot_reference(seed: int) -> None:
    _, book, _ = random_book(seed)
    assert np.array_equal(book.lot_long_term, ref.long_term_flags(book))
    assert np.array_equal(days_to_long_term(book), ref.days_to_long_term(book))
    assert np.array_equal(book.lot_day, [d.toordinal() for d in book.lot_acquired])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_wash_sale_flags_and_matching_equal_the_per_lot_reference(seed: int) -> None:
    _, book, guard = random_book(seed)
    window = ref.window_lots(book)
    assert {g: set(v) for g, v in guard.recent_buy_lots.items()} == window
    assert np.array_equal(guard.lot_flagged(book), ref.lot_flagged(guard, book))
    assert np.array_equal(guard.lot_forfeit(book), ref.lot_forfeit(guard, book))
    lot_sold, buy, _ = random_trades(book, seed)
    ours = disallowed_losses(book, guard, lot_sold, buy)
    theirs = ref.disallowed_losses(book, guard, lot_sold, buy)
    assert np.array_equal(ours.loss, theirs.loss)
    assert np.array_equal(ours.permanent, theirs.permanent)
    assert ours.reasons == theirs.reasons


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_orders_carry_the_lots_the_per_lot_reference_finds(seed: int) -> None:
    _, book, guard = random_book(seed)
    lot_sold, buy, sell = random_trades(book, seed)
    trades, _ = _trades(book, guard, buy, sell, lot_sold)
    sells = [t for t in trades if t.side == "sell"]
    expected = ref.lots_of_orders(book, sell, lot_sold)
    assert [[x.field for x in t.lots] for t in sells] == [
        [book.lot_field[m] for m in lots] for lots in expected
    ]
    for t in sells:
        for x in t.lots:
            m = book.lot_field.index(x.field)
            assert x.shares == float(lot_sold[m])
            assert x.cost_basis == float(book.lot_basis[m] * lot_sold[m] / book.lot_shares[m])
            assert x.term == ("long" if ref.long_term_flags(book)[m] else "short")


def test_the_random_books_exercise_matching_and_flags() -> None:
    """The generator reaches the cases the comparison is about (not vacuous)."""
    matched = flagged = forfeit = partial = leap = 0
    for seed in range(40):
        _, book, guard = random_book(seed)
        lot_sold, buy, _ = random_trades(book, seed)
        dis = ref.disallowed_losses(book, guard, lot_sold, buy)
        matched += int((dis.loss > 0).sum())
        partial += int(
            ((dis.loss > 0) & (dis.loss < -book.lot_gain_per_share * lot_sold - 1e-9)).sum()
        )
        flagged += int(ref.lot_flagged(guard, book).sum())
        forfeit += int(ref.lot_forfeit(guard, book).sum())
        days = ref.days_to_long_term(book)
        leap += sum(
            d.month == 2 and d.day == 29 and 0 < n <= 2
            for d, n in zip(book.lot_acquired, days, strict=True)
        )
    assert matched > 20 and flagged > 20 and forfeit > 5 and partial > 0 and leap > 0

"""Invariants of the engine on random valid ledgers (hypothesis): row identities, dollars
and shares conserved, order independence, each replacement share used once, the window."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from assetloc.ledger.engine import LedgerResult, derive
from assetloc.ledger.transactions import PURCHASES, Action, Transaction

from support.ledgergen import ACCOUNTS, GROUPS, START, Ledger, ledgers

TOL = 1e-6


def run(txs: list[Transaction], include_spouse: bool = True) -> LedgerResult:
    return derive(txs, ACCOUNTS, GROUPS, include_spouse=include_spouse)


def group(symbol: str) -> str:
    return GROUPS.get(symbol, symbol)


@settings(max_examples=150)
@given(ledgers())
def test_rows_add_up(ledger: Ledger) -> None:
    for s in run(ledger.transactions).sales:
        loss = s.basis - s.proceeds
        assert abs(s.gain - (s.proceeds - s.basis + s.disallowed)) <= TOL
        assert 0.0 <= s.disallowed <= max(0.0, loss) + TOL
        assert (s.code == "W") == (s.disallowed > 0)
        assert not s.permanent or s.code == "W"
        if not s.taxable:
            assert s.disallowed == 0.0


@settings(max_examples=150)
@given(ledgers())
def test_dollars_conserved_per_group(ledger: Ledger) -> None:
    """Open basis + sold basis = purchase costs + non-permanent disallowed losses (the
    disallowed loss moves into a replacement's basis; an IRA's is lost)."""
    result = run(ledger.transactions)
    lhs: dict[str, float] = defaultdict(float)
    rhs: dict[str, float] = defaultdict(float)
    for lot in result.lots:
        lhs[group(lot.symbol)] += lot.basis
    for s in result.sales:
        lhs[group(s.symbol)] += s.basis
        if not s.permanent:
            rhs[group(s.symbol)] += s.disallowed
    for t in ledger.transactions:
        if t.action in PURCHASES:
            rhs[group(t.symbol)] += t.shares * t.price + t.fees
    for g in set(lhs) | set(rhs):
        assert abs(lhs[g] - rhs[g]) <= TOL * max(1.0, rhs[g]), g


@settings(max_examples=150)
@given(ledgers())
def test_shares_conserved(ledger: Ledger) -> None:
    result = run(ledger.transactions)
    held: dict[tuple[str, str], float] = defaultdict(float)
    for lot in result.lots:
        held[(lot.account, lot.symbol)] += lot.shares
        assert lot.shares > 0
    for key in set(held) | set(ledger.held):
        assert abs(held[key] - ledger.held.get(key, 0.0)) <= TOL, key
    sold: dict[str, float] = defaultdict(float)
    for s in result.sales:
        sold[s.transaction] += s.shares
    for t in ledger.transactions:
        if t.action is Action.SELL:
            assert abs(sold[t.id] - t.shares) <= TOL


@settings(max_examples=100)
@given(ledgers(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(ledger: Ledger, rnd: random.Random) -> None:
    shuffled = list(ledger.transactions)
    rnd.shuffle(shuffled)
    assert run(shuffled) == run(ledger.transactions)


@settings(max_examples=150)
@given(ledgers(), st.booleans())
def test_each_replacement_share_used_once_within_the_window(
    ledger: Ledger, include_spouse: bool
) -> None:
    result = run(ledger.transactions, include_spouse)
    by_id = {t.id: t for t in ledger.transactions}
    used: dict[str, float] = defaultdict(float)
    disallowed: dict[tuple[str, str], float] = defaultdict(float)
    own: dict[str, set[str]] = defaultdict(set)
    for s in result.sales:
        disallowed[(s.transaction, s.lot)] += s.disallowed
        own[s.transaction].add(s.lot.split(".w")[0])
    matched: dict[tuple[str, str], float] = defaultdict(float)
    for m in result.matches:
        buy, sale = by_id[m.purchase], by_id[m.sale]
        assert buy.action in PURCHASES
        assert group(buy.symbol) == group(sale.symbol)
        assert abs((buy.date - sale.date).days) <= 30
        assert m.purchase not in own[m.sale], "a lot sold is never its own replacement"
        assert ACCOUNTS[sale.account].taxable
        assert m.permanent == (not ACCOUNTS[buy.account].taxable)
        if not include_spouse:
            owners = {ACCOUNTS[buy.account].owner, ACCOUNTS[sale.account].owner}
            assert len(owners) == 1 or "joint" in owners
        used[m.purchase] += m.replacement_shares
        matched[(m.sale, m.lot)] += m.disallowed
    for pid, shares in used.items():
        assert shares <= by_id[pid].shares + TOL, pid
    for key, dollars in matched.items():
        assert abs(dollars - disallowed[key]) <= TOL, key


@settings(max_examples=100)
@given(ledgers(), st.integers(0, 200))
def test_as_of_is_the_ledger_cut_at_that_date(ledger: Ledger, days: int) -> None:
    as_of = START + dt.timedelta(days=days)
    cut = [t for t in ledger.transactions if t.date <= as_of]
    got = derive(ledger.transactions, ACCOUNTS, GROUPS, as_of=as_of)
    assert got == run(cut)

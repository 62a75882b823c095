"""The columnar replay of a big ledger: transactions coded as integer arrays, the replay in
numba (:mod:`assetloc.ledger._kernel`), the result built from columns.

Same rules and, bit for bit, the same result as the reference engine
(:class:`assetloc.ledger.engine._Engine`); :func:`derive_columnar` returns None for what it
leaves to that engine: a ledger with a specific lot selection, an invalid transaction (the
reference names it), ids not unique or containing ``.w``, prices or fees that are not
floats, and any transaction the replay cannot apply. Units: shares, dollars, dates (days
as ordinals inside).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from assetloc.ledger.records import AccountInfo
from assetloc.ledger.transactions import Action, Transaction

if TYPE_CHECKING:
    from assetloc.ledger.engine import LedgerResult

_CODE = {
    Action.BUY: 0,
    Action.REINVEST: 1,
    Action.SELL: 2,
    Action.SPLIT: 3,
    Action.TRANSFER_IN: 4,
    Action.TRANSFER_OUT: 5,
}
_EPS = 1e-9
_DUST = 1e-9


class _Coded:
    """The transactions as arrays (processing order) and the tables behind the codes."""

    def __init__(self, txs: Sequence[Transaction], accounts: Mapping[str, AccountInfo]) -> None:
        columns = zip(*txs, strict=True)
        (dates, accts, syms, actions, shares, prices, fees, lots, ids, _seqs) = columns
        self.ids: list[str] = list(ids)
        self.acc_names = list(accounts)
        amap = {a: k for k, a in enumerate(self.acc_names)}
        self.sym_names = sorted(set(syms))
        smap = {s: k for k, s in enumerate(self.sym_names)}
        self.acc = np.array(list(map(amap.__getitem__, accts)), np.int64)
        self.sym = np.array(list(map(smap.__getitem__, syms)), np.int64)
        self.act = np.array(list(map(_CODE.__getitem__, actions)), np.int8)
        ords = {d: d.toordinal() for d in set(dates)}
        self.day = np.array(list(map(ords.__getitem__, dates)), np.int64)
        self.shares = np.array(shares, np.float64)
        self.price = np.array(prices, np.float64)
        self.fees = np.array(fees, np.float64)
        self.lots: tuple[str, ...] = lots
        self.dates: tuple[dt.date, ...] = dates


def _applicable(txs: Sequence[Transaction], accounts: Mapping[str, AccountInfo]) -> bool:
    """Whether the columnar replay takes this ledger (see the module docstring)."""
    known = accounts.keys()
    accts = {t.account for t in txs}
    if not accts <= known:
        return False
    ids = [t.id for t in txs]
    if len(set(ids)) != len(ids) or ".w" in "\x00".join(ids):
        return False
    for t in txs:
        if t.lot and (t.action is Action.SELL or t.action is Action.TRANSFER_OUT):
            return False
    return {type(t.price) for t in txs} == {float} and {type(t.fees) for t in txs} == {float}


def _valid(c: _Coded) -> bool:
    """The engine's quick checks (shares, price and fees finite and in range)."""
    with np.errstate(invalid="ignore"):
        if not np.all((c.shares > _EPS) & (c.shares < math.inf)):
            return False
        priced = c.act != 3
        p, f = c.price[priced], c.fees[priced]
        return bool(np.all((p >= 0) & (p < math.inf) & (f >= 0) & (f < math.inf)))


def _pairs(c: _Coded, txs: Sequence[Transaction]) -> np.ndarray[Any, Any]:
    """Matched transfers: the partner of each transfer (-1: none), as the engine pairs them."""
    partner = np.full(len(txs), -1, np.int64)
    outs: dict[tuple[dt.date, str, float], list[int]] = {}
    ins: dict[tuple[dt.date, str, float], list[int]] = {}
    for i in np.flatnonzero(c.act >= 4).tolist():
        t = txs[i]
        side = outs if t.action is Action.TRANSFER_OUT else ins
        side.setdefault((t.date, t.symbol, round(t.shares, 9)), []).append(i)
    for key, out_list in outs.items():
        free = ins.get(key, [])
        for o in out_list:
            for n, k in enumerate(free):
                if txs[k].account != txs[o].account:
                    partner[o] = k
                    partner[k] = o
                    del free[n]
                    break
    return partner


def _received(c: _Coded, partner: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    """The acquisition date (ordinal) of each unmatched transfer in; None if one is bad."""
    received = c.day.copy()
    for i in np.flatnonzero((c.act == 4) & (partner < 0)).tolist():
        text = c.lots[i]
        if text:
            try:
                acquired = dt.date.fromisoformat(text.strip())
            except ValueError:
                return None
            if acquired > c.dates[i]:
                return None
            received[i] = acquired.toordinal()
    return received


def _run(
    c: _Coded,
    groups: Mapping[str, str],
    accounts: Mapping[str, AccountInfo],
    partner: np.ndarray[Any, Any],
    received: np.ndarray[Any, Any],
    include_spouse: bool,
) -> tuple[Any, np.ndarray[Any, Any]] | None:
    """The replay (numba): its final state and the positions' codes (account * symbols +
    symbol); None when it could not apply a transaction."""
    from assetloc.ledger import _kernel

    n_sym = len(c.sym_names)
    key = c.acc * n_sym + c.sym
    codes, pos = np.unique(key, return_inverse=True)
    group_names: dict[str, int] = {}
    grp_of_sym = np.array(
        [group_names.setdefault(groups.get(s, s), len(group_names)) for s in c.sym_names],
        np.int64,
    )
    infos = [accounts[a] for a in c.acc_names]
    owners: dict[str, int] = {}
    owner = np.array([owners.setdefault(i.owner, len(owners)) for i in infos], np.int64)
    taxable = np.array([i.taxable for i in infos], np.bool_)
    hifo = np.array([i.lot_method == "hifo" for i in infos], np.bool_)
    room = 1
    while True:
        state = _kernel.allocate(len(c.act), len(codes), room)
        try:
            _kernel.replay(
                c.act,
                c.day,
                c.acc,
                pos.astype(np.int64),
                c.sym,
                grp_of_sym[c.sym],
                c.shares,
                c.price,
                c.fees,
                partner,
                received,
                taxable,
                hifo,
                owner,
                owners.get("joint", -1),
                include_spouse,
                n_sym,
                len(group_names),
                *state,
            )
        except _kernel.CapacityError:
            room *= 2
            continue
        except _kernel.ReplayError:
            return None
        return state, codes


def derive_columnar(
    txs: Sequence[Transaction],
    accounts: Mapping[str, AccountInfo],
    groups: Mapping[str, str],
    include_spouse: bool,
) -> LedgerResult | None:
    """The engine's result for ``txs`` (in processing order, ids filled in), or None when
    the reference engine is to derive it (see the module docstring)."""
    if not txs:
        from assetloc.ledger.engine import LedgerResult

        return LedgerResult(lots=(), sales=(), matches=())
    if not _applicable(txs, accounts):
        return None
    c = _Coded(txs, accounts)
    if not _valid(c):
        return None
    partner = _pairs(c, txs)
    received = _received(c, partner)
    if received is None:
        return None
    ran = _run(c, groups, accounts, partner, received, include_spouse)
    if ran is None:
        return None
    from assetloc.ledger._columnar_result import build

    state, codes = ran
    return build(c, state, codes, accounts)

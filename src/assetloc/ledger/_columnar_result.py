"""The :class:`~assetloc.ledger.engine.LedgerResult` of a columnar replay, built column by
column (:mod:`assetloc.ledger._columnar`): the same rows, lots and matches, field for field,
as the reference engine's ``_result`` (units: shares, dollars, dates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from assetloc.inputs.holdings import long_term_on
from assetloc.ledger.records import AccountInfo, OpenLot, Sale

if TYPE_CHECKING:
    from assetloc.ledger._columnar import _Coded
    from assetloc.ledger.engine import LedgerResult

_DUST = 1e-9  # dollars (the engine's DUST)
_TERMS = ("short", "long")
_CODES = ("", "W")
_Array = np.ndarray[Any, Any]


def _dates(ords: _Array) -> list[dt.date]:
    """Date objects of day ordinals (each distinct date built once)."""
    if ords.size == 0:
        return []
    uniq, inverse = np.unique(ords, return_inverse=True)
    table = [dt.date.fromordinal(o) for o in uniq.tolist()]
    return list(map(table.__getitem__, inverse.tolist()))


def _long_from(acq: _Array) -> _Array:
    """:func:`long_term_on` of each acquisition day (ordinals)."""
    if acq.size == 0:
        return acq.copy()
    uniq, inverse = np.unique(acq, return_inverse=True)
    on = [long_term_on(dt.date.fromordinal(o)).toordinal() for o in uniq.tolist()]
    return np.array(on, np.int64)[inverse]


def _names(ids: list[str], parent: _Array, num: _Array) -> list[str]:
    """Every lot id: the transactions' ids, then each wash part's (``<parent>.w<num>``)."""
    names = list(ids)
    add = names.append
    for p, k in zip(parent.tolist(), num.tolist(), strict=True):
        add(f"{names[p]}.w{k}")
    return names


def _replaced(ids: list[str], start: _Array, end: _Array, items: _Array) -> list[tuple[str, ...]]:
    """Each replaced-by list as the engine's tuple (ids, repeats dropped, first kept)."""
    first = items[np.minimum(start, max(items.size - 1, 0))].tolist() if items.size else []
    lengths = (end - start).tolist()
    out: list[tuple[str, ...]] = []
    add = out.append
    flat = items.tolist()
    for b, size in enumerate(lengths):
        if size == 1:
            add((ids[first[b]],))
        elif size == 0:
            add(())
        else:
            s = int(start[b])
            add(tuple(dict.fromkeys(ids[j] for j in flat[s : s + size])))
    return out


def _get(table: list[Any], codes: _Array) -> list[Any]:
    return list(map(table.__getitem__, codes.tolist()))


def build(
    c: _Coded,
    state: Any,
    factor: _Array,
    codes: _Array,
    accounts: Mapping[str, AccountInfo],
) -> LedgerResult:
    """The result of the replay's final ``state`` (see :func:`_kernel.replay`)."""
    from assetloc.ledger import _kernel
    from assetloc.ledger.engine import LedgerResult, WashMatch

    lots, rows, mt, w = state
    cnt = w.cnt
    new: Any = tuple.__new__
    names = _names(c.ids, w.n_parent[: cnt[_kernel.C_NODES]], w.n_num[: cnt[_kernel.C_NODES]])
    ids = c.ids
    taxable = np.array([accounts[a].taxable for a in c.acc_names], np.bool_)
    # --- sales ---
    order = _kernel.flatten(rows, w)
    tx = rows.tx[order]
    acc = c.acc[tx]
    sold = c.day[tx]
    acq = rows.acq[order]
    shares = rows.shares[order]
    proceeds = rows.proceeds[order]
    basis = rows.basis[order]
    dis = rows.dis[order]
    dis = np.where(dis > _DUST, dis, 0.0)
    washed = dis != 0.0
    start, end, items = _kernel.dedupe(w)
    lists = _replaced(ids, start, end, items)
    lists.append(())  # index -1: no list
    sale_cols = (
        _get(c.acc_names, acc),
        _get(c.sym_names, c.sym[tx]),
        _get(c.dates, tx),  # type: ignore[arg-type]
        _dates(acq),
        shares.tolist(),
        proceeds.tolist(),
        basis.tolist(),
        (proceeds - basis + dis).tolist(),
        _get(list(_TERMS), (sold >= _long_from(acq)).astype(np.int64)),
        _get(list(_CODES), washed.astype(np.int64)),
        dis.tolist(),
        (rows.perm[order] & (dis > 0.0)).tolist(),
        _get(names, rows.node[order]),
        _get(ids, tx),
        _get(lists, rows.rb[order]),
        taxable[acc].tolist(),
    )
    sales = list(map(partial(new, Sale), zip(*sale_cols, strict=True)))
    # --- open lots: positions by (account, symbol), each position's lots in FIFO order ---
    n_sym = len(c.sym_names)
    pos_acc, pos_sym = codes // n_sym, codes % n_sym
    rank = np.empty(len(c.acc_names), np.int64)
    rank[np.argsort(np.array(c.acc_names, dtype=object), kind="stable")] = np.arange(rank.size)
    positions = np.lexsort((pos_sym, rank[pos_acc])).astype(np.int64)
    kept = _kernel.open_lots(lots, w, positions)
    lp = lots.pos[kept]
    lot_cols = (
        _get(c.acc_names, pos_acc[lp]),
        _get(c.sym_names, pos_sym[lp]),
        _get(names, lots.node[kept]),
        _dates(lots.opened[kept]),
        _dates(lots.acq[kept]),
        lots.shares[kept].tolist(),
        lots.basis[kept].tolist(),
        lots.wash[kept].tolist(),
    )
    open_lots = list(map(partial(new, OpenLot), zip(*lot_cols, strict=True)))
    # --- wash matches ---
    m = cnt[_kernel.C_MATCHES]
    match_cols = (
        _get(ids, mt.tx[:m]),
        _get(names, mt.node[:m]),
        _get(ids, mt.j[:m]),
        mt.shares[:m].tolist(),
        mt.rshares[:m].tolist(),
        mt.dollars[:m].tolist(),
        mt.perm[:m].tolist(),
    )
    matches = list(map(partial(new, WashMatch), zip(*match_cols, strict=True)))
    _ = factor
    return LedgerResult(lots=tuple(open_lots), sales=tuple(sales), matches=tuple(matches))

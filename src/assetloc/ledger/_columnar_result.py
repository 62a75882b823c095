"""The :class:`~assetloc.ledger.engine.LedgerResult` of a columnar replay, built column by
column (:mod:`assetloc.ledger._columnar`): the same rows, lots and matches, field for field,
as the reference engine's ``_result`` (units: shares, dollars, dates)."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, overload

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
T = TypeVar("T")


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


class Lazy(Sequence[T]):
    """A tuple of named tuples built from columns on first use (then kept): compares,
    hashes, prints and pickles as that tuple; ``len`` without building it."""

    __slots__ = ("_items", "_len", "_make")

    def __init__(self, size: int, make: Callable[[], tuple[T, ...]]) -> None:
        self._len = size
        self._make: Callable[[], tuple[T, ...]] | None = make
        self._items: tuple[T, ...] | None = None

    def all(self) -> tuple[T, ...]:
        """The items as a tuple (built now if not yet; the cyclic collector paused)."""
        if self._items is None:
            assert self._make is not None
            paused = gc.isenabled()
            gc.disable()
            try:
                self._items = self._make()
            finally:
                if paused:
                    gc.enable()
            self._make = None
        return self._items

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, k: int) -> T: ...

    @overload
    def __getitem__(self, k: slice) -> tuple[T, ...]: ...

    def __getitem__(self, k: int | slice) -> T | tuple[T, ...]:
        return self.all()[k]

    def __iter__(self) -> Iterator[T]:
        return iter(self.all())

    def __contains__(self, item: object) -> bool:
        return item in self.all()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Lazy):
            return self.all() == other.all()
        if isinstance(other, tuple):
            return self.all() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.all())

    def __repr__(self) -> str:
        return repr(self.all())

    def __add__(self, other: Sequence[T]) -> tuple[T, ...]:
        return self.all() + tuple(other)

    def __radd__(self, other: Sequence[T]) -> tuple[T, ...]:
        return tuple(other) + self.all()

    def __reduce__(self) -> tuple[type[tuple[T, ...]], tuple[tuple[T, ...]]]:
        return (tuple, (self.all(),))


def _tuples(
    kind: type[T], columns: Callable[[], Sequence[list[Any]]]
) -> Callable[[], tuple[T, ...]]:
    """A maker of the named tuples ``kind`` of the columns ``columns()`` gives, in C."""
    new: Any = tuple.__new__

    def make() -> tuple[T, ...]:
        return tuple(map(partial(new, kind), zip(*columns(), strict=True)))

    return make


def build(
    c: _Coded, state: Any, codes: _Array, accounts: Mapping[str, AccountInfo]
) -> LedgerResult:
    """The result of the replay's final ``state`` (:class:`_kernel.State`): the arrays of
    its rows, lots and matches now, their named tuples on first use (:class:`Lazy`)."""
    from assetloc.ledger import _kernel
    from assetloc.ledger import _kernel as k
    from assetloc.ledger.engine import LedgerResult, WashMatch

    st = state
    cnt = st.cnt
    nodes = int(cnt[k.C_NODES])
    parent, num = st.nd[:nodes, 0].copy(), st.nd[:nodes, 1].copy()
    ids = c.ids
    acc_names, sym_names, dates = c.acc_names, c.sym_names, c.dates
    names_cache: list[list[str]] = []

    def names() -> list[str]:
        if not names_cache:
            names_cache.append(_names(ids, parent, num))
        return names_cache[0]

    taxable = np.array([accounts[a].taxable for a in acc_names], np.bool_)
    # --- sales ---
    order = _kernel.flatten(st.ri, st.tops, cnt)
    ri = st.ri[order]
    rf = st.rf[order]
    tx = ri[:, k.R_TX]
    acc = c.acc[tx]
    sym = c.sym[tx]
    acq = ri[:, k.R_ACQ]
    shares = rf[:, k.R_SHARES]
    proceeds = rf[:, k.R_PROCEEDS]
    basis = rf[:, k.R_BASIS]
    dis = rf[:, k.R_DIS]
    dis = np.where(dis > _DUST, dis, 0.0)
    perm = (ri[:, k.R_PERM] != 0) & (dis > 0.0)
    node = ri[:, k.R_NODE]
    rb = ri[:, k.R_RB]
    start, end, items = _kernel.dedupe(st.rbl, st.rbi, cnt, ~taxable[c.acc])
    long_term = c.day[tx] >= _long_from(acq)

    def sale_columns() -> Sequence[list[Any]]:
        lists = _replaced(ids, start, end, items)
        lists.append(())  # index -1: no list
        return (
            _get(acc_names, acc),
            _get(sym_names, sym),
            _get(dates, tx),  # type: ignore[arg-type]
            _dates(acq),
            shares.tolist(),
            proceeds.tolist(),
            basis.tolist(),
            (proceeds - basis + dis).tolist(),
            _get(list(_TERMS), long_term.astype(np.int64)),
            _get(list(_CODES), (dis != 0.0).astype(np.int64)),
            dis.tolist(),
            perm.tolist(),
            _get(names(), node),
            _get(ids, tx),
            _get(lists, rb),
            taxable[acc].tolist(),
        )

    # --- open lots: positions by (account, symbol), each position's lots in FIFO order ---
    n_sym = len(sym_names)
    pos_acc, pos_sym = codes // n_sym, codes % n_sym
    rank = np.empty(len(acc_names), np.int64)
    rank[np.argsort(np.array(acc_names, dtype=object), kind="stable")] = np.arange(rank.size)
    positions = np.lexsort((pos_sym, rank[pos_acc])).astype(np.int64)
    kept = _kernel.open_lots(st.lf, st.pp, st.pool, positions)
    li = st.li[kept]
    fl = st.lf[kept]
    lp = li[:, k.L_POS]

    def lot_columns() -> Sequence[list[Any]]:
        return (
            _get(acc_names, pos_acc[lp]),
            _get(sym_names, pos_sym[lp]),
            _get(names(), li[:, k.L_NODE]),
            _dates(li[:, k.L_OPENED]),
            _dates(li[:, k.L_ACQ]),
            fl[:, k.L_SHARES].tolist(),
            fl[:, k.L_BASIS].tolist(),
            fl[:, k.L_WASH].tolist(),
        )

    # --- wash matches ---
    m = int(cnt[k.C_MATCHES])
    mi, mf = st.mi[:m].copy(), st.mf[:m].copy()

    def match_columns() -> Sequence[list[Any]]:
        return (
            _get(ids, mi[:, 0]),
            _get(names(), mi[:, 1]),
            _get(ids, mi[:, 2]),
            mf[:, 0].tolist(),
            mf[:, 1].tolist(),
            mf[:, 2].tolist(),
            (mi[:, 3] != 0).tolist(),
        )

    return LedgerResult(
        lots=Lazy(int(kept.size), _tuples(OpenLot, lot_columns)),
        sales=Lazy(int(order.size), _tuples(Sale, sale_columns)),
        matches=Lazy(m, _tuples(WashMatch, match_columns)),
    )

"""The ledger replay compiled by numba: the rules of :mod:`assetloc.ledger.engine` on integer
codes and arrays, for big ledgers (imported only by :mod:`assetloc.ledger._columnar`, only
when a ledger is big enough to pay for numba's import).

Units as in the engine: shares, dollars, days (date ordinals). Every float operation is
the engine's own, in the engine's order (IEEE double, no fast-math), so the results are
bit for bit the reference engine's. Lots, sale rows, wash matches and lot ids live in
preallocated arrays; when one is full the replay stops with :class:`CapacityError` and the
caller runs it again with twice the room. A transaction the replay cannot apply (more
shares sold than held, split ratios that differ, a date before year 1) stops it with
:class:`ReplayError`: the caller then runs the reference engine, which names the problem.

Lot ids are nodes: node ``i < n`` is transaction ``i``'s id, a node ``k >= n`` is its
parent's id + ``.w<num>`` (:meth:`_Engine._wash_id`); ids compare as those strings do.
A position's lots are a slice of one pool (FIFO order, as ``Position.lots``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numba import njit

EPS = 1e-9  # shares (the engine's EPS)
DUST = 1e-9  # dollars (the engine's DUST)
WINDOW = 30  # days (the engine's WINDOW_DAYS)

BUY, REINVEST, SELL, SPLIT, TRANSFER_IN, TRANSFER_OUT = 0, 1, 2, 3, 4, 5

# counters (one int64 array)
C_LOTS, C_ROWS, C_NODES, C_MATCHES, C_POOL, C_MOVED, C_PEND, C_RB, C_RBI, C_TOPS = range(10)
# the first transaction the replay could not apply
C_BAD = 10
N_COUNTERS = 11


class CapacityError(Exception):
    """An array of the replay is full (run again with more room)."""


class ReplayError(Exception):
    """A transaction the replay cannot apply (the reference engine names it)."""


# a lot's columns: floats (shares, dollars, split factor) and integers
L_SHARES, L_BASIS, L_WASH, L_F = range(4)
L_POS, L_NODE, L_OPENED, L_ACQ, L_ORIGIN, L_ORDER, L_USED, L_ALIVE = range(8)


class Lots(NamedTuple):
    """The lots ever made, one row a lot (its fields side by side: one or two cache lines).
    ``fl``: shares, basis and wash adjustment (dollars), split factor; ``li``: position, id
    node, opened and acquired (day ordinals), the purchase that bought it (-1: none), FIFO
    order (the transaction that opened it), used as a replacement, in a position."""

    fl: Any
    li: Any


class Rows(NamedTuple):
    """Sale rows (index = row): the sell (transaction), dates, shares, dollars, lot id node,
    purchase of the lot sold, flags, split factor, replaced-by list (-1: none), the rows
    split off it (first, last child, next sibling), next row of the same purchase."""

    tx: Any
    acq: Any
    opened: Any
    shares: Any
    proceeds: Any
    basis: Any
    dis: Any
    node: Any
    origin: Any
    used: Any
    perm: Any
    f: Any
    rb: Any
    child: Any
    last: Any
    sib: Any
    cnext: Any


class Matches(NamedTuple):
    """Wash matches: the sell, lot id node, purchase, shares, replacement shares, dollars,
    permanent."""

    tx: Any
    node: Any
    j: Any
    shares: Any
    rshares: Any
    dollars: Any
    perm: Any


class Work(NamedTuple):
    """Per transaction: open lot of a purchase, its moved lots, closed rows and pending
    adjustments (linked lists); lot id nodes; positions; replaced-by lists; scratch."""

    open_of: Any
    m_head: Any
    m_tail: Any
    me_lot: Any
    me_next: Any
    c_head: Any
    c_tail: Any
    p_head: Any
    p_tail: Any
    pe_units: Any
    pe_dollars: Any
    pe_held: Any
    pe_next: Any
    n_parent: Any
    n_num: Any
    n_count: Any
    p_start: Any
    p_len: Any
    p_cap: Any
    p_total: Any
    pool: Any
    rb_start: Any
    rb_end: Any
    rb_items: Any
    tops: Any
    excl: Any
    cnt: Any


# --- lot ids ---------------------------------------------------------------------------


@njit(cache=True)
def _suffix(parent: Any, num: Any, node: int, n: int) -> Any:
    """The bytes of a node's id after its root (``.w<num>`` per level, root first)."""
    depth = 0
    k = node
    while k >= n:
        depth += 1
        k = parent[k - n]
    nums = np.empty(depth, np.int64)
    k = node
    d = depth
    while k >= n:
        d -= 1
        nums[d] = num[k - n]
        k = parent[k - n]
    out = np.empty(depth * 22, np.uint8)
    m = 0
    digits = np.empty(20, np.uint8)
    for d in range(depth):
        out[m] = 46  # "."
        out[m + 1] = 119  # "w"
        m += 2
        v = nums[d]
        nd = 0
        while True:
            digits[nd] = 48 + v % 10
            nd += 1
            v //= 10
            if v == 0:
                break
        for q in range(nd - 1, -1, -1):
            out[m] = digits[q]
            m += 1
    return out[:m]


@njit(cache=True)
def _id_lt(w: Any, n: int, a: int, b: int) -> bool:
    """Whether id node ``a`` < ``b`` as strings; both are ids of one lot's parts (the same
    root, so only the ``.w<num>`` suffixes differ)."""
    if a == b:
        return False
    ra = a
    while ra >= n:
        ra = w.n_parent[ra - n]
    rb = b
    while rb >= n:
        rb = w.n_parent[rb - n]
    if ra != rb:  # never: parts of one lot share its root
        raise ReplayError()
    sa = _suffix(w.n_parent, w.n_num, a, n)
    sb = _suffix(w.n_parent, w.n_num, b, n)
    m = min(sa.size, sb.size)
    for q in range(m):
        if sa[q] != sb[q]:
            return sa[q] < sb[q]
    return sa.size < sb.size


@njit(cache=True, inline="always")
def _wash_id(w: Any, n: int, node: int) -> int:
    """A new id node ``<node>.w<k>`` (k counts per id, from 1)."""
    c = w.cnt
    k = c[C_NODES]
    if k >= w.n_parent.size:
        raise CapacityError()
    w.n_count[node] += 1
    w.n_parent[k] = node
    w.n_num[k] = w.n_count[node]
    c[C_NODES] = k + 1
    return n + k


# --- lots and positions ----------------------------------------------------------------


@njit(cache=True, inline="always")
def _lot_lt(lots: Any, w: Any, n: int, a: int, b: int) -> bool:
    """FIFO order: (acquired, opened, order, id) of lot ``a`` < that of lot ``b``."""
    if lots.li[a, L_ACQ] != lots.li[b, L_ACQ]:
        return lots.li[a, L_ACQ] < lots.li[b, L_ACQ]
    if lots.li[a, L_OPENED] != lots.li[b, L_OPENED]:
        return lots.li[a, L_OPENED] < lots.li[b, L_OPENED]
    if lots.li[a, L_ORDER] != lots.li[b, L_ORDER]:
        return lots.li[a, L_ORDER] < lots.li[b, L_ORDER]
    return _id_lt(w, n, lots.li[a, L_NODE], lots.li[b, L_NODE])


@njit(cache=True, inline="always")
def _new_lot(
    lots: Any,
    w: Any,
    pos: int,
    node: int,
    opened: int,
    acq: int,
    shares: float,
    basis: float,
    wash: float,
    origin: int,
    f: float,
    order: int,
    used: bool,
) -> int:
    c = w.cnt
    k = c[C_LOTS]
    if k >= lots.fl.shape[0]:
        raise CapacityError()
    c[C_LOTS] = k + 1
    lots.li[k, L_POS] = pos
    lots.li[k, L_NODE] = node
    lots.li[k, L_OPENED] = opened
    lots.li[k, L_ACQ] = acq
    lots.fl[k, L_SHARES] = shares
    lots.fl[k, L_BASIS] = basis
    lots.fl[k, L_WASH] = wash
    lots.li[k, L_ORIGIN] = origin
    lots.fl[k, L_F] = f
    lots.li[k, L_ORDER] = order
    lots.li[k, L_USED] = used
    lots.li[k, L_ALIVE] = True
    return k


@njit(cache=True, inline="always")
def _split_lot(lots: Any, w: Any, lot: int, shares: float, node: int) -> int:
    """``Lot.split``: ``shares`` off ``lot`` (dollars pro rata) as a new lot with id ``node``."""
    share = shares / lots.fl[lot, L_SHARES]
    basis = lots.fl[lot, L_BASIS] * share
    wash = lots.fl[lot, L_WASH] * share
    part = _new_lot(
        lots,
        w,
        lots.li[lot, L_POS],
        node,
        lots.li[lot, L_OPENED],
        lots.li[lot, L_ACQ],
        shares,
        basis,
        wash,
        lots.li[lot, L_ORIGIN],
        lots.fl[lot, L_F],
        lots.li[lot, L_ORDER],
        lots.li[lot, L_USED],
    )
    lots.fl[lot, L_SHARES] -= shares
    lots.fl[lot, L_BASIS] -= basis
    lots.fl[lot, L_WASH] -= wash
    return part


@njit(cache=True, inline="always")
def _room(w: Any, p: int) -> None:
    """Room for one more lot at the end of position ``p``'s slice of the pool."""
    if w.p_len[p] < w.p_cap[p]:
        return
    c = w.cnt
    size = max(8, 2 * w.p_len[p])
    top = c[C_POOL]
    if top + size > w.pool.size:
        raise CapacityError()
    s = w.p_start[p]
    for q in range(w.p_len[p]):
        w.pool[top + q] = w.pool[s + q]
    w.p_start[p] = top
    w.p_cap[p] = size
    c[C_POOL] = top + size


@njit(cache=True, inline="always")
def _append(w: Any, p: int, lot: int) -> None:
    _room(w, p)
    w.pool[w.p_start[p] + w.p_len[p]] = lot
    w.p_len[p] += 1


@njit(cache=True, inline="always")
def _insort(lots: Any, w: Any, n: int, p: int, lot: int) -> None:
    """``Position.add``: ``lot`` after the lots not after it in FIFO order (insort right)."""
    _room(w, p)
    s = w.p_start[p]
    ln = w.p_len[p]
    pool = w.pool
    if ln == 0 or not _lot_lt(lots, w, n, lot, pool[s + ln - 1]):
        pool[s + ln] = lot
        w.p_len[p] = ln + 1
        return
    lo, hi = 0, ln
    while lo < hi:
        mid = (lo + hi) // 2
        if _lot_lt(lots, w, n, lot, pool[s + mid]):
            hi = mid
        else:
            lo = mid + 1
    for q in range(ln, lo, -1):
        pool[s + q] = pool[s + q - 1]
    pool[s + lo] = lot
    w.p_len[p] = ln + 1


@njit(cache=True, inline="always")
def _remove(w: Any, p: int, lot: int) -> None:
    """``list.remove``: the lot out of position ``p`` (order kept)."""
    s = w.p_start[p]
    ln = w.p_len[p]
    pool = w.pool
    for q in range(ln):
        if pool[s + q] == lot:
            for r in range(q, ln - 1):
                pool[s + r] = pool[s + r + 1]
            w.p_len[p] = ln - 1
            return


@njit(cache=True, inline="always")
def _held(lots: Any, w: Any, p: int) -> float:
    """``Position.held``: the shares of the lots, summed in order."""
    total = 0.0
    s = w.p_start[p]
    for q in range(w.p_len[p]):
        total += lots.fl[w.pool[s + q], L_SHARES]
    w.p_total[p] = total
    return total


@njit(cache=True)
def _draw(lots: Any, w: Any, p: int, shares: float, hifo: bool, i: int, out: Any) -> int:
    """``draw``: take ``shares`` out of position ``p`` by FIFO or HIFO; the lots drawn into
    ``out`` (in the order drawn), their count returned."""
    if shares > w.p_total[p] - 1e-6 and shares > _held(lots, w, p) + EPS:
        w.cnt[C_BAD] = i
        raise ReplayError()
    w.p_total[p] -= shares
    s = w.p_start[p]
    ln = w.p_len[p]
    pool = w.pool
    m = 0
    if not hifo:
        left = shares
        k = 0
        for q in range(ln):
            if left <= EPS:
                break
            lot = pool[s + q]
            if lots.fl[lot, L_SHARES] <= left + EPS:
                lots.li[lot, L_ALIVE] = False
                out[m] = lot
                m += 1
                left -= lots.fl[lot, L_SHARES]
                k += 1
            else:
                out[m] = _split_lot(lots, w, lot, left, lots.li[lot, L_NODE])
                m += 1
                left = 0.0
        w.p_start[p] = s + k
        w.p_len[p] = ln - k
        w.p_cap[p] -= k
        return m
    per_share = np.empty(ln)
    for q in range(ln):
        lot = pool[s + q]
        per_share[q] = lots.fl[lot, L_BASIS] / lots.fl[lot, L_SHARES]
    left = shares
    takes = np.empty(ln)
    idx = np.empty(ln, np.int64)
    while left > EPS:
        top = -np.inf
        k = -1
        for q in range(ln):
            if per_share[q] > top or (k < 0 and per_share[q] == top):
                top = per_share[q]
                k = q
        if top == -np.inf:
            break
        per_share[k] = -np.inf
        lot = pool[s + k]
        take = min(lots.fl[lot, L_SHARES], left)
        idx[m] = lot
        takes[m] = take
        m += 1
        left -= take
    gone = False
    for q in range(m):
        lot = idx[q]
        take = takes[q]
        if take >= lots.fl[lot, L_SHARES] - EPS:
            lots.li[lot, L_ALIVE] = False
            gone = True
            out[q] = lot
        else:
            out[q] = _split_lot(lots, w, lot, take, lots.li[lot, L_NODE])
    if gone:
        r = 0
        for q in range(ln):
            lot = pool[s + q]
            if lots.li[lot, L_ALIVE]:
                pool[s + r] = lot
                r += 1
        w.p_len[p] = r
    return m


# --- sale rows -------------------------------------------------------------------------


@njit(cache=True, inline="always")
def _new_row(rows: Any, w: Any) -> int:
    c = w.cnt
    k = c[C_ROWS]
    if k >= rows.shares.size:
        raise CapacityError()
    c[C_ROWS] = k + 1
    rows.dis[k] = 0.0
    rows.perm[k] = False
    rows.rb[k] = -1
    rows.child[k] = -1
    rows.last[k] = -1
    rows.sib[k] = -1
    rows.cnext[k] = -1
    return k


@njit(cache=True, inline="always")
def _split_row(rows: Any, w: Any, row: int, shares: float) -> int:
    """``Row.split``: ``shares`` off ``row`` (dollars pro rata), listed after it."""
    share = shares / rows.shares[row]
    part = _new_row(rows, w)
    rows.tx[part] = rows.tx[row]
    rows.acq[part] = rows.acq[row]
    rows.opened[part] = rows.opened[row]
    rows.shares[part] = shares
    rows.proceeds[part] = rows.proceeds[row] * share
    rows.basis[part] = rows.basis[row] * share
    rows.node[part] = rows.node[row]
    rows.origin[part] = rows.origin[row]
    rows.used[part] = rows.used[row]
    rows.f[part] = rows.f[row]
    rows.dis[part] = rows.dis[row] * share
    rows.perm[part] = rows.perm[row]
    rows.rb[part] = rows.rb[row]  # the lists never change once set: shared
    rows.shares[row] -= shares
    rows.proceeds[row] -= rows.proceeds[part]
    rows.basis[row] -= rows.basis[part]
    rows.dis[row] -= rows.dis[part]
    if rows.child[row] < 0:
        rows.child[row] = part
    else:
        rows.sib[rows.last[row]] = part
    rows.last[row] = part
    return part


@njit(cache=True)
def _flat(rows: Any, top: int, out: Any, m: int) -> int:
    """``Row.flat``: ``top`` and the rows split off it (depth first) into ``out`` from
    ``m``; the new end returned."""
    stack = [top]
    while len(stack) > 0:
        r = stack.pop()
        if m >= out.size:
            raise CapacityError()
        out[m] = r
        m += 1
        kids = []
        k = rows.child[r]
        while k >= 0:
            kids.append(k)
            k = rows.sib[k]
        for q in range(len(kids) - 1, -1, -1):
            stack.append(kids[q])
    return m


# --- replacements ----------------------------------------------------------------------


@njit(cache=True, inline="always")
def _find(skip: Any, base: int, k: int) -> int:
    root = k
    while skip[base + root] != root:
        root = skip[base + root]
    while skip[base + k] != root:
        nxt = skip[base + k]
        skip[base + k] = root
        k = nxt
    return root


@njit(cache=True, inline="always")
def _bisect(a: Any, lo: int, hi: int, x: int) -> int:
    """The first index in ``a[lo:hi]`` (sorted) whose value is >= ``x`` (``hi``: none)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


# --- the replay ------------------------------------------------------------------------


@njit(cache=True, inline="always")
def _tack_lot(lots: Any, lot: int, dollars: float, held: int) -> None:
    lots.fl[lot, L_BASIS] += dollars
    lots.fl[lot, L_WASH] += dollars
    lots.li[lot, L_ACQ] = lots.li[lot, L_OPENED] - held
    lots.li[lot, L_USED] = True


@njit(cache=True, inline="always")
def _tack_row(rows: Any, row: int, dollars: float, held: int) -> None:
    rows.basis[row] += dollars
    rows.acq[row] = rows.opened[row] - held
    rows.used[row] = True


@njit(cache=True)
def _adjust_past(
    lots: Any, rows: Any, w: Any, n: int, j: int, units: float, dollars: float, held: int
) -> None:
    """``_Engine._adjust_past``: a wash adjustment into purchase ``j``'s open lots, then
    into the rows of its shares sold since."""
    left = units
    e = -2  # -2: the open lot first, then the moved ones
    while True:
        if e == -2:
            lot = w.open_of[j]
            e = w.m_head[j]
            if lot < 0:
                continue
        elif e >= 0:
            lot = w.me_lot[e]
            e = w.me_next[e]
        else:
            break
        if left <= EPS:
            return
        if not lots.li[lot, L_ALIVE] or lots.li[lot, L_USED] or lots.fl[lot, L_SHARES] <= EPS:
            continue
        lot_units = lots.fl[lot, L_SHARES] / lots.fl[lot, L_F]
        take = min(lot_units, left)
        p = lots.li[lot, L_POS]
        if take < lot_units - EPS:
            piece = _split_lot(lots, w, lot, take * lots.fl[lot, L_F], _wash_id(w, n, lots.li[lot, L_NODE]))
            _tack_lot(lots, piece, dollars * take / units, held)
            if lots.li[piece, L_ACQ] < 1:
                raise ReplayError()
            _insort(lots, w, n, p, piece)
        else:
            _tack_lot(lots, lot, dollars * take / units, held)
            if lots.li[lot, L_ACQ] < 1:
                raise ReplayError()
            _remove(w, p, lot)
            _insort(lots, w, n, p, lot)
        left -= take
    top = w.c_head[j]
    buf = np.empty(16, np.int64)
    while top >= 0:
        if rows.child[top] < 0:
            buf[0] = top
            m = 1
        else:
            while True:
                try_m = _flat_count(rows, top)
                if try_m <= buf.size:
                    break
                buf = np.empty(2 * try_m, np.int64)
            m = _flat(rows, top, buf, 0)
        for q in range(m):
            row = buf[q]
            if left <= EPS:
                return
            if rows.used[row] or rows.shares[row] <= EPS:
                continue
            row_units = rows.shares[row] / rows.f[row]
            take = min(row_units, left)
            part = row if take >= row_units - EPS else _split_row(rows, w, row, take * rows.f[row])
            _tack_row(rows, part, dollars * take / units, held)
            if rows.acq[part] < 1:
                raise ReplayError()
            left -= take
        top = rows.cnext[top]


@njit(cache=True)
def _flat_count(rows: Any, top: int) -> int:
    """How many rows :func:`_flat` gives for ``top``."""
    stack = [top]
    m = 0
    while len(stack) > 0:
        r = stack.pop()
        m += 1
        k = rows.child[r]
        while k >= 0:
            stack.append(k)
            k = rows.sib[k]
    return m


@njit(cache=True)
def _wash(
    lots: Any,
    rows: Any,
    mt: Any,
    w: Any,
    n: int,
    i: int,
    row: int,
    day: Any,
    acc: Any,
    factor: Any,
    taxable: Any,
    owner: Any,
    joint: int,
    include_spouse: bool,
    g_start: Any,
    g_end: Any,
    gp_index: Any,
    gp_day: Any,
    gp_cap: Any,
    skip: Any,
    group: int,
) -> None:
    """``_Engine._wash``: the loss shares of ``row`` matched with replacement shares
    (``Replacements.claim``); the row split into washed parts and the allowed rest."""
    need = rows.shares[row] / rows.f[row]
    lo = g_start[group]
    size = g_end[group] - lo
    if size == 0:
        return
    base = lo + group  # the group's skip pointers (one more than its purchases)
    d = day[i]
    hi = _bisect(gp_day, lo, lo + size, d + WINDOW + 1) - lo  # bisect_right
    k = _find(skip, base, _bisect(gp_day, lo, lo + size, d - WINDOW) - lo)
    own = owner[acc[i]]
    loss_per_share = 0.0
    held = 0
    washed0 = 0.0
    washed1 = 0.0
    washed2 = 0.0
    washed3 = 0.0
    c = w.cnt
    first = True
    ids0 = c[C_RBI]  # the taxable purchases' ids go here; the IRA ones after them
    n_ids0 = 0
    ira = np.empty(0, np.int64)
    n_ira = 0
    while k < size and k < hi and need > EPS:
        j = gp_index[lo + k]
        ok = w.excl[j] != i
        if ok and not include_spouse:
            other = owner[acc[j]]
            ok = other == own or other == joint or own == joint
        if ok:
            u = min(gp_cap[lo + k], need)
            gp_cap[lo + k] -= u
            need -= u
            if gp_cap[lo + k] <= EPS:
                skip[base + k] = k + 1
            if first:
                first = False
                loss_per_share = (rows.basis[row] - rows.proceeds[row]) / rows.shares[row]
                held = d - rows.acq[row]
            shares = u * rows.f[row]
            dollars = shares * loss_per_share
            q = c[C_MATCHES]
            if q >= mt.shares.size:
                raise CapacityError()
            c[C_MATCHES] = q + 1
            perm = not taxable[acc[j]]
            mt.tx[q] = i
            mt.node[q] = rows.node[row]
            mt.j[q] = j
            mt.shares[q] = shares
            mt.rshares[q] = u * factor[j]
            mt.dollars[q] = dollars
            mt.perm[q] = perm
            if not perm:
                washed0 += shares
                washed1 += dollars
                if ids0 + n_ids0 >= w.rb_items.size:
                    raise CapacityError()
                w.rb_items[ids0 + n_ids0] = j
                n_ids0 += 1
                c[C_RBI] = ids0 + n_ids0
                if j > i:
                    e = c[C_PEND]
                    if e >= w.pe_units.size:
                        raise CapacityError()
                    c[C_PEND] = e + 1
                    w.pe_units[e] = u
                    w.pe_dollars[e] = dollars
                    w.pe_held[e] = held
                    w.pe_next[e] = -1
                    if w.p_head[j] < 0:
                        w.p_head[j] = e
                    else:
                        w.pe_next[w.p_tail[j]] = e
                    w.p_tail[j] = e
                else:
                    _adjust_past(lots, rows, w, n, j, u, dollars, held)
            else:
                washed2 += shares
                washed3 += dollars
                if n_ira == ira.size:
                    grown = np.empty(max(4, 2 * n_ira), np.int64)
                    grown[:n_ira] = ira[:n_ira]
                    ira = grown
                ira[n_ira] = j
                n_ira += 1
        k = _find(skip, base, k + 1)
    if first:
        return
    # the taxable ids are rb_items[ids0 : ids0 + n_ids0]; the IRA ones follow them
    start1 = c[C_RBI]
    if start1 + n_ira > w.rb_items.size:
        raise CapacityError()
    for q in range(n_ira):
        w.rb_items[start1 + q] = ira[q]
    c[C_RBI] = start1 + n_ira
    cur = row
    for kind in range(2):
        shares = washed0 if kind == 0 else washed2
        if shares <= EPS:
            continue
        rest = -1
        if shares < rows.shares[cur] - EPS:
            rest = _split_row(rows, w, cur, rows.shares[cur] - shares)
        rows.dis[cur] = washed1 if kind == 0 else washed3
        rows.perm[cur] = kind == 1
        b = c[C_RB]
        if b >= w.rb_start.size:
            raise CapacityError()
        c[C_RB] = b + 1
        if kind == 0:
            w.rb_start[b] = ids0
            w.rb_end[b] = ids0 + n_ids0
        else:
            w.rb_start[b] = start1
            w.rb_end[b] = start1 + n_ira
        rows.rb[cur] = b
        if rest < 0:
            break
        cur = rest


@njit(cache=True)
def replay(
    act: Any,
    day: Any,
    acc: Any,
    pos: Any,
    sym: Any,
    grp: Any,
    shares: Any,
    price: Any,
    fees: Any,
    partner: Any,
    received: Any,
    taxable: Any,
    hifo: Any,
    owner: Any,
    joint: int,
    include_spouse: bool,
    n_sym: int,
    n_grp: int,
    lots: Any,
    rows: Any,
    mt: Any,
    w: Any,
) -> Any:
    """Replay the ledger (transactions in processing order, see the engine); the split
    factor of every transaction returned. ``received``: an unmatched transfer in's
    acquisition date."""
    n = act.size
    c = w.cnt
    # --- preparation: split factors, purchases by group ---
    factor = np.ones(n)
    sym_f = np.ones(n_sym)
    split_day = np.full(n_sym, -1, np.int64)
    split_ratio = np.zeros(n_sym)
    g_count = np.zeros(n_grp, np.int64)
    for i in range(n):
        a = act[i]
        s = sym[i]
        if a == BUY or a == REINVEST:
            factor[i] = sym_f[s]
            g_count[grp[i]] += 1
            continue
        if a == SPLIT:
            if split_day[s] != day[i]:
                split_day[s] = day[i]
                split_ratio[s] = shares[i]
                sym_f[s] = sym_f[s] * shares[i]
            else:
                seen = split_ratio[s]
                if abs(seen - shares[i]) > 1e-12 * max(seen, shares[i]):
                    c[C_BAD] = i
                    raise ReplayError()
        factor[i] = sym_f[s]
    g_start = np.zeros(n_grp, np.int64)
    g_end = np.zeros(n_grp, np.int64)
    total = 0
    for g in range(n_grp):
        g_start[g] = total
        g_end[g] = total
        total += g_count[g]
    gp_index = np.empty(total, np.int64)
    gp_day = np.empty(total, np.int64)
    gp_cap = np.empty(total)
    for i in range(n):
        a = act[i]
        if a == BUY or a == REINVEST:
            g = grp[i]
            k = g_end[g]
            gp_index[k] = i
            gp_day[k] = day[i]
            gp_cap[k] = shares[i] / factor[i]
            g_end[g] = k + 1
    skip = np.empty(total + n_grp, np.int64)
    for g in range(n_grp):
        base = g_start[g] + g
        for k in range(g_end[g] - g_start[g] + 1):
            skip[base + k] = k
    # --- replay ---
    out = np.empty(64, np.int64)
    done = np.zeros(n, np.bool_)
    for i in range(n):
        a = act[i]
        p = pos[i]
        if a == BUY or a == REINVEST:
            lot = _new_lot(
                lots,
                w,
                p,
                i,
                day[i],
                day[i],
                shares[i],
                shares[i] * price[i] + fees[i],
                0.0,
                i,
                factor[i],
                i,
                False,
            )
            e = w.p_head[i]
            if e >= 0:  # _replacement_bought
                rest = lot
                while e >= 0 and rest >= 0:
                    units = w.pe_units[e]
                    piece_shares = units * lots.fl[rest, L_F]
                    if piece_shares >= lots.fl[rest, L_SHARES] - EPS:
                        piece = rest
                        rest = -1
                    else:
                        piece = _split_lot(
                            lots, w, rest, piece_shares, _wash_id(w, n, lots.li[rest, L_NODE])
                        )
                    _tack_lot(lots, piece, w.pe_dollars[e], w.pe_held[e])
                    if lots.li[piece, L_ACQ] < 1:
                        raise ReplayError()
                    _insort(lots, w, n, p, piece)
                    w.p_total[p] += lots.fl[piece, L_SHARES]
                    e = w.pe_next[e]
                if rest >= 0:
                    _insort(lots, w, n, p, rest)
                    w.p_total[p] += lots.fl[rest, L_SHARES]
                    w.open_of[i] = rest
            else:  # the latest lot: FIFO order holds
                _append(w, p, lot)
                w.p_total[p] += lots.fl[lot, L_SHARES]
                w.open_of[i] = lot
        elif a == SELL:
            if out.size < w.p_len[p] + 1:
                out = np.empty(2 * (w.p_len[p] + 1), np.int64)
            m = _draw(lots, w, p, shares[i], hifo[acc[i]], i, out)
            tax = taxable[acc[i]]
            per_share = (shares[i] * price[i] - fees[i]) / shares[i]
            for q in range(m):
                j = lots.li[out[q], L_ORIGIN]
                if j >= 0:
                    w.excl[j] = i
            for q in range(m):
                piece = out[q]
                row = _new_row(rows, w)
                rows.tx[row] = i
                rows.acq[row] = lots.li[piece, L_ACQ]
                rows.opened[row] = lots.li[piece, L_OPENED]
                rows.shares[row] = lots.fl[piece, L_SHARES]
                rows.proceeds[row] = per_share * lots.fl[piece, L_SHARES]
                rows.basis[row] = lots.fl[piece, L_BASIS]
                rows.node[row] = lots.li[piece, L_NODE]
                rows.origin[row] = lots.li[piece, L_ORIGIN]
                rows.used[row] = lots.li[piece, L_USED]
                rows.f[row] = lots.fl[piece, L_F]
                if tax and lots.fl[piece, L_BASIS] - rows.proceeds[row] > DUST:
                    _wash(
                        lots,
                        rows,
                        mt,
                        w,
                        n,
                        i,
                        row,
                        day,
                        acc,
                        factor,
                        taxable,
                        owner,
                        joint,
                        include_spouse,
                        g_start,
                        g_end,
                        gp_index,
                        gp_day,
                        gp_cap,
                        skip,
                        grp[i],
                    )
                t = c[C_TOPS]
                if t >= w.tops.size:
                    raise CapacityError()
                w.tops[t] = row
                c[C_TOPS] = t + 1
                j = lots.li[piece, L_ORIGIN]
                if not lots.li[piece, L_USED] and j >= 0 and day[j] >= day[i] - WINDOW:
                    if w.c_head[j] < 0:
                        w.c_head[j] = row
                    else:
                        rows.cnext[w.c_tail[j]] = row
                    w.c_tail[j] = row
            for q in range(m):  # the exclusion marks: one sale's
                j = lots.li[out[q], L_ORIGIN]
                if j >= 0 and w.excl[j] == i:
                    w.excl[j] = -1
        elif a == SPLIT:
            ratio = shares[i]
            s = w.p_start[p]
            for q in range(w.p_len[p]):
                lot = w.pool[s + q]
                lots.fl[lot, L_SHARES] *= ratio
                lots.fl[lot, L_F] *= ratio
            w.p_total[p] *= ratio
        elif not done[i]:
            k = partner[i]
            if k < 0:
                if a == TRANSFER_OUT:  # a gift: the shares leave
                    if out.size < w.p_len[p] + 1:
                        out = np.empty(2 * (w.p_len[p] + 1), np.int64)
                    _draw(lots, w, p, shares[i], hifo[acc[i]], i, out)
                else:
                    lot = _new_lot(
                        lots,
                        w,
                        p,
                        i,
                        received[i],
                        received[i],
                        shares[i],
                        shares[i] * price[i],
                        0.0,
                        -1,
                        factor[i],
                        i,
                        False,
                    )
                    _insort(lots, w, n, p, lot)
                    w.p_total[p] += shares[i]
            else:
                o = i if a == TRANSFER_OUT else k
                into = k if a == TRANSFER_OUT else i
                dest = pos[into]
                po = pos[o]
                if out.size < w.p_len[po] + 1:
                    out = np.empty(2 * (w.p_len[po] + 1), np.int64)
                m = _draw(lots, w, po, shares[o], hifo[acc[o]], o, out)
                d0 = day[o]
                for q in range(m):
                    piece = out[q]
                    lots.li[piece, L_ALIVE] = True
                    lots.li[piece, L_POS] = dest
                    j = lots.li[piece, L_ORIGIN]
                    if not lots.li[piece, L_USED] and j >= 0 and day[j] >= d0 - WINDOW:
                        e = c[C_MOVED]
                        if e >= w.me_lot.size:
                            raise CapacityError()
                        c[C_MOVED] = e + 1
                        w.me_lot[e] = piece
                        w.me_next[e] = -1
                        if w.m_head[j] < 0:
                            w.m_head[j] = e
                        else:
                            w.me_next[w.m_tail[j]] = e
                        w.m_tail[j] = e
                for q in range(m):
                    w.p_total[dest] += lots.fl[out[q], L_SHARES]
                for q in range(m):
                    _insort(lots, w, n, dest, out[q])
                done[max(o, into)] = True
    return factor


@njit(cache=True)
def flatten(rows: Any, w: Any) -> Any:
    """Every sale row in order: each top row, then the rows split off it (depth first)."""
    out = np.empty(w.cnt[C_ROWS], np.int64)
    m = 0
    for t in range(w.cnt[C_TOPS]):
        top = w.tops[t]
        if rows.child[top] < 0:
            out[m] = top
            m += 1
        else:
            m = _flat(rows, top, out, m)
    return out[:m]


@njit(cache=True)
def open_lots(lots: Any, w: Any, order: Any) -> Any:
    """The open lots (shares > EPS) of the positions in ``order``, each position's in its
    FIFO order."""
    total = 0
    for p in order:
        total += w.p_len[p]
    out = np.empty(total, np.int64)
    m = 0
    for p in order:
        s = w.p_start[p]
        for q in range(w.p_len[p]):
            lot = w.pool[s + q]
            if lots.fl[lot, L_SHARES] > EPS:
                out[m] = lot
                m += 1
    return out[:m]


@njit(cache=True)
def dedupe(w: Any) -> Any:
    """Each replaced-by list without repeated purchases (first kept): new (start, end)."""
    nb = w.cnt[C_RB]
    start = np.empty(nb, np.int64)
    end = np.empty(nb, np.int64)
    items = np.empty(w.cnt[C_RBI], np.int64)
    m = 0
    for b in range(nb):
        start[b] = m
        for q in range(w.rb_start[b], w.rb_end[b]):
            j = w.rb_items[q]
            seen = False
            for r in range(start[b], m):
                if items[r] == j:
                    seen = True
                    break
            if not seen:
                items[m] = j
                m += 1
        end[b] = m
    return start, end, items[:m]


#: spare entries in each growing array (a test sets 0 to make the arrays run out)
SLACK = 1024


def allocate(n: int, n_pos: int, room: int) -> tuple[Lots, Rows, Matches, Work]:
    """Empty state for ``n`` transactions and ``n_pos`` positions; ``room`` scales the
    arrays of lots (1.5 ``n`` a unit), sale rows (``n``), matches and lot ids (``n / 2``)."""
    n_lots = room * (3 * n // 2) + SLACK
    n_rows = room * n + SLACK
    n_match = room * (n // 2) + SLACK
    i32, f64, b = np.int32, np.float64, np.bool_
    lots = Lots(np.empty((n_lots, 4), f64), np.empty((n_lots, 8), i32))
    rows = Rows(
        *(
            np.empty(n_rows, t)
            for t in (i32, i32, i32, f64, f64, f64, f64, i32, i32, b, b, f64, i32, i32, i32, i32, i32)
        )
    )
    mt = Matches(*(np.empty(n_match, t) for t in (i32, i32, i32, f64, f64, f64, b)))
    w = Work(
        open_of=np.full(n, -1, i32),
        m_head=np.full(n, -1, i32),
        m_tail=np.full(n, -1, i32),
        me_lot=np.empty(n_lots, i32),
        me_next=np.empty(n_lots, i32),
        c_head=np.full(n, -1, i32),
        c_tail=np.full(n, -1, i32),
        p_head=np.full(n, -1, i32),
        p_tail=np.full(n, -1, i32),
        pe_units=np.empty(n_match, f64),
        pe_dollars=np.empty(n_match, f64),
        pe_held=np.empty(n_match, i32),
        pe_next=np.empty(n_match, i32),
        n_parent=np.empty(n_match, i32),
        n_num=np.empty(n_match, i32),
        n_count=np.zeros(n + n_match, i32),
        p_start=np.zeros(n_pos, i32),
        p_len=np.zeros(n_pos, i32),
        p_cap=np.zeros(n_pos, i32),
        p_total=np.zeros(n_pos, f64),
        pool=np.empty(3 * n_lots, i32),
        rb_start=np.empty(n_rows, i32),
        rb_end=np.empty(n_rows, i32),
        rb_items=np.empty(n_match, i32),
        tops=np.empty(n_rows, i32),
        excl=np.full(n, -1, i32),
        cnt=np.zeros(N_COUNTERS, np.int64),
    )
    return lots, rows, mt, w

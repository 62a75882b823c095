"""The pieces of the compiled replay (:mod:`assetloc.ledger._kernel`): lots, positions, lot
ids and sale rows as rows of arrays (numba; imported only with the kernel).

Units as in the engine: shares, dollars, days (date ordinals). A lot is a row of ``lf``
(floats: shares, basis and wash adjustment in dollars, split factor) and of ``li``
(integers: position, id node, opened and acquired days, the purchase that bought it or -1,
FIFO order = the transaction that opened it, used as a replacement, in a position); a sale
row one of ``rf`` and ``ri`` (the ``R_*`` columns). Helpers take the arrays themselves, never
a tuple of them (numba counts references of a tuple's every array at each call).

Lot ids are nodes: node ``i < n`` is transaction ``i``'s id, a node ``k >= n`` is its
parent's id + ``.w<num>`` (row ``k - n`` of ``nd``: parent, num); ids compare as those
strings do. A position's lots are a slice of ``pool`` (``pp``: start, length, room), in
FIFO order as ``Position.lots``; a FIFO sale takes lots off the front of the slice, and a
block half empty in front is reused before a bigger one is taken.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

EPS = 1e-9  # shares (the engine's EPS)
DUST = 1e-9  # dollars (the engine's DUST)
WINDOW = 30  # days (the engine's WINDOW_DAYS)

BUY, REINVEST, SELL, SPLIT, TRANSFER_IN, TRANSFER_OUT = 0, 1, 2, 3, 4, 5

# counters (``cnt``, int64)
C_LOTS, C_ROWS, C_NODES, C_MATCHES, C_POOL, C_MOVED, C_PEND, C_RB, C_RBI, C_TOPS = range(10)
N_COUNTERS = 10
# lot columns: lf (float64), li (int32)
L_SHARES, L_BASIS, L_WASH, L_F = range(4)
L_POS, L_NODE, L_OPENED, L_ACQ, L_ORIGIN, L_ORDER, L_USED, L_ALIVE = range(8)
# sale row columns: rf (float64), ri (int32); R_RB: replaced-by list (-1: none); R_CHILD,
# R_LAST, R_SIB: the rows split off it (first, last) and its next sibling; R_CNEXT: the next
# row of the same purchase's shares
R_SHARES, R_PROCEEDS, R_BASIS, R_DIS, R_F = range(5)
R_TX, R_ACQ, R_OPENED, R_NODE, R_ORIGIN, R_USED, R_PERM, R_RB = range(8)
R_CHILD, R_LAST, R_SIB, R_CNEXT = range(8, 12)
# per transaction (tw, int32): a purchase's open lot, its moved lots (first, last entry of
# me), its sale rows (first, last), pending adjustments (first, last entry of pf/pi), and
# the sale whose own purchases it is (never its replacements)
T_OPEN, T_MHEAD, T_MTAIL, T_CHEAD, T_CTAIL, T_PHEAD, T_PTAIL, T_EXCL = range(8)
# positions (pp, int32): the lots' start in the pool, their count, the room from the start
# to the end of the position's block, the block's start and size
P_START, P_LEN, P_ROOM, P_BASE, P_SIZE = range(5)


class CapacityError(Exception):
    """An array of the replay is full (run again with more room)."""


class ReplayError(Exception):
    """A transaction the replay cannot apply (the reference engine names it)."""


# --- lot ids ---------------------------------------------------------------------------


@njit(cache=True)
def _suffix(nd: Any, node: int, n: int) -> Any:
    """The bytes of a node's id after its root (``.w<num>`` per level, root first)."""
    depth = 0
    k = node
    while k >= n:
        depth += 1
        k = nd[k - n, 0]
    nums = np.empty(depth, np.int64)
    k = node
    d = depth
    while k >= n:
        d -= 1
        nums[d] = nd[k - n, 1]
        k = nd[k - n, 0]
    out = np.empty(depth * 22, np.uint8)
    m = 0
    digits = np.empty(20, np.uint8)
    for d in range(depth):
        out[m] = 46  # "."
        out[m + 1] = 119  # "w"
        m += 2
        v = nums[d]
        nd_ = 0
        while True:
            digits[nd_] = 48 + v % 10
            nd_ += 1
            v //= 10
            if v == 0:
                break
        for q in range(nd_ - 1, -1, -1):
            out[m] = digits[q]
            m += 1
    return out[:m]


@njit(cache=True)
def id_lt(nd: Any, n: int, a: int, b: int) -> bool:
    """Whether id node ``a`` < ``b`` as strings; both are ids of one lot's parts (the same
    root, so only the ``.w<num>`` suffixes differ)."""
    if a == b:
        return False
    ra = a
    while ra >= n:
        ra = nd[ra - n, 0]
    rb = b
    while rb >= n:
        rb = nd[rb - n, 0]
    if ra != rb:  # never: parts of one lot share its root
        raise ReplayError()
    sa = _suffix(nd, a, n)
    sb = _suffix(nd, b, n)
    for q in range(min(sa.size, sb.size)):
        if sa[q] != sb[q]:
            return bool(sa[q] < sb[q])
    return bool(sa.size < sb.size)


@njit(cache=True, inline="always")
def wash_id(nd: Any, ncount: Any, cnt: Any, n: int, node: int) -> int:
    """A new id node ``<node>.w<k>`` (k counts per id, from 1)."""
    k = cnt[C_NODES]
    if k >= nd.shape[0]:
        raise CapacityError()
    ncount[node] += 1
    nd[k, 0] = node
    nd[k, 1] = ncount[node]
    cnt[C_NODES] = k + 1
    return int(n + k)


# --- lots and positions ----------------------------------------------------------------


@njit(cache=True, inline="always")
def lot_lt(li: Any, nd: Any, n: int, a: int, b: int) -> bool:
    """FIFO order: (acquired, opened, order, id) of lot ``a`` < that of lot ``b``."""
    if li[a, L_ACQ] != li[b, L_ACQ]:
        return bool(li[a, L_ACQ] < li[b, L_ACQ])
    if li[a, L_OPENED] != li[b, L_OPENED]:
        return bool(li[a, L_OPENED] < li[b, L_OPENED])
    if li[a, L_ORDER] != li[b, L_ORDER]:
        return bool(li[a, L_ORDER] < li[b, L_ORDER])
    return id_lt(nd, n, li[a, L_NODE], li[b, L_NODE])


@njit(cache=True, inline="always")
def new_lot(
    lf: Any,
    li: Any,
    cnt: Any,
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
    used: int,
) -> int:
    """A new lot (in a position: alive); its index."""
    k = cnt[C_LOTS]
    if k >= lf.shape[0]:
        raise CapacityError()
    cnt[C_LOTS] = k + 1
    lf[k, L_SHARES] = shares
    lf[k, L_BASIS] = basis
    lf[k, L_WASH] = wash
    lf[k, L_F] = f
    li[k, L_POS] = pos
    li[k, L_NODE] = node
    li[k, L_OPENED] = opened
    li[k, L_ACQ] = acq
    li[k, L_ORIGIN] = origin
    li[k, L_ORDER] = order
    li[k, L_USED] = used
    li[k, L_ALIVE] = 1
    return int(k)


@njit(cache=True, inline="always")
def split_lot(lf: Any, li: Any, cnt: Any, lot: int, shares: float, node: int) -> int:
    """``Lot.split``: ``shares`` off ``lot`` (dollars pro rata) as a new lot with id ``node``."""
    share = shares / lf[lot, L_SHARES]
    basis = lf[lot, L_BASIS] * share
    wash = lf[lot, L_WASH] * share
    part = new_lot(
        lf,
        li,
        cnt,
        li[lot, L_POS],
        node,
        li[lot, L_OPENED],
        li[lot, L_ACQ],
        shares,
        basis,
        wash,
        li[lot, L_ORIGIN],
        lf[lot, L_F],
        li[lot, L_ORDER],
        li[lot, L_USED],
    )
    lf[lot, L_SHARES] -= shares
    lf[lot, L_BASIS] -= basis
    lf[lot, L_WASH] -= wash
    return part


@njit(cache=True, inline="always")
def tack_lot(lf: Any, li: Any, lot: int, dollars: float, held: int) -> None:
    """``_Engine._tack`` of a lot: the disallowed loss into basis, the holding period."""
    lf[lot, L_BASIS] += dollars
    lf[lot, L_WASH] += dollars
    li[lot, L_ACQ] = li[lot, L_OPENED] - held
    li[lot, L_USED] = 1
    if li[lot, L_ACQ] < 1:  # before year 1: the reference engine says so
        raise ReplayError()


@njit(cache=True, inline="always")
def room(pool: Any, pp: Any, cnt: Any, p: int) -> None:
    """Room for one more lot at the end of position ``p``'s slice of the pool: the lots
    moved to the front of their block when at least half of it is free, else to a new
    block twice their number at the pool's end."""
    ln = pp[p, P_LEN]
    if ln < pp[p, P_ROOM]:
        return
    s = pp[p, P_START]
    base = pp[p, P_BASE]
    size = pp[p, P_SIZE]
    if s > base and 2 * ln <= size:
        for q in range(ln):
            pool[base + q] = pool[s + q]
        pp[p, P_START] = base
        pp[p, P_ROOM] = size
        return
    size = max(8, 2 * ln)
    top = cnt[C_POOL]
    if top + size > pool.size:
        raise CapacityError()
    for q in range(ln):
        pool[top + q] = pool[s + q]
    pp[p, P_START] = top
    pp[p, P_ROOM] = size
    pp[p, P_BASE] = top
    pp[p, P_SIZE] = size
    cnt[C_POOL] = top + size


@njit(cache=True, inline="always")
def append(pool: Any, pp: Any, cnt: Any, p: int, lot: int) -> None:
    """A lot at the end of position ``p``."""
    room(pool, pp, cnt, p)
    pool[pp[p, P_START] + pp[p, P_LEN]] = lot
    pp[p, P_LEN] += 1


@njit(cache=True, inline="always")
def insort(li: Any, nd: Any, pool: Any, pp: Any, cnt: Any, n: int, p: int, lot: int) -> None:
    """``Position.add``: ``lot`` after the lots not after it in FIFO order (insort right)."""
    room(pool, pp, cnt, p)
    s = pp[p, P_START]
    ln = pp[p, P_LEN]
    if ln == 0 or not lot_lt(li, nd, n, lot, pool[s + ln - 1]):
        pool[s + ln] = lot
        pp[p, P_LEN] = ln + 1
        return
    lo, hi = 0, ln
    while lo < hi:
        mid = (lo + hi) // 2
        if lot_lt(li, nd, n, lot, pool[s + mid]):
            hi = mid
        else:
            lo = mid + 1
    for q in range(ln, lo, -1):
        pool[s + q] = pool[s + q - 1]
    pool[s + lo] = lot
    pp[p, P_LEN] = ln + 1


@njit(cache=True, inline="always")
def remove(pool: Any, pp: Any, p: int, lot: int) -> None:
    """``list.remove``: the lot out of position ``p`` (order kept)."""
    s = pp[p, P_START]
    ln = pp[p, P_LEN]
    for q in range(ln):
        if pool[s + q] == lot:
            for r in range(q, ln - 1):
                pool[s + r] = pool[s + r + 1]
            pp[p, P_LEN] = ln - 1
            return


# --- sale rows -------------------------------------------------------------------------


@njit(cache=True, inline="always")
def new_row(rf: Any, ri: Any, cnt: Any) -> int:
    """A new sale row (nothing disallowed, no parts); its index."""
    k = cnt[C_ROWS]
    if k >= rf.shape[0]:
        raise CapacityError()
    cnt[C_ROWS] = k + 1
    rf[k, R_DIS] = 0.0
    ri[k, R_PERM] = 0
    ri[k, R_RB] = -1
    ri[k, R_CHILD] = -1
    ri[k, R_LAST] = -1
    ri[k, R_SIB] = -1
    ri[k, R_CNEXT] = -1
    return int(k)


@njit(cache=True, inline="always")
def split_row(rf: Any, ri: Any, cnt: Any, row: int, shares: float) -> int:
    """``Row.split``: ``shares`` off ``row`` (dollars pro rata), listed after it."""
    share = shares / rf[row, R_SHARES]
    part = new_row(rf, ri, cnt)
    for col in (R_TX, R_ACQ, R_OPENED, R_NODE, R_ORIGIN, R_USED, R_PERM, R_RB):
        ri[part, col] = ri[row, col]  # the replaced-by lists never change once set: shared
    rf[part, R_F] = rf[row, R_F]
    rf[part, R_SHARES] = shares
    rf[part, R_PROCEEDS] = rf[row, R_PROCEEDS] * share
    rf[part, R_BASIS] = rf[row, R_BASIS] * share
    rf[part, R_DIS] = rf[row, R_DIS] * share
    rf[row, R_SHARES] -= shares
    rf[row, R_PROCEEDS] -= rf[part, R_PROCEEDS]
    rf[row, R_BASIS] -= rf[part, R_BASIS]
    rf[row, R_DIS] -= rf[part, R_DIS]
    if ri[row, R_CHILD] < 0:
        ri[row, R_CHILD] = part
    else:
        ri[ri[row, R_LAST], R_SIB] = part
    ri[row, R_LAST] = part
    return part


@njit(cache=True, inline="always")
def tack_row(rf: Any, ri: Any, row: int, dollars: float, held: int) -> None:
    """``_Engine._tack`` of a sale row: the disallowed loss into basis, the holding period."""
    rf[row, R_BASIS] += dollars
    ri[row, R_ACQ] = ri[row, R_OPENED] - held
    ri[row, R_USED] = 1
    if ri[row, R_ACQ] < 1:
        raise ReplayError()


@njit(cache=True)
def flat(ri: Any, top: int, out: Any, m: int) -> int:
    """``Row.flat``: ``top`` and the rows split off it (depth first) into ``out`` from
    ``m`` (room checked); the new end returned."""
    stack = [top]
    while len(stack) > 0:
        r = stack.pop()
        if m >= out.size:
            raise CapacityError()
        out[m] = r
        m += 1
        kids = []
        k = ri[r, R_CHILD]
        while k >= 0:
            kids.append(k)
            k = ri[k, R_SIB]
        for q in range(len(kids) - 1, -1, -1):
            stack.append(kids[q])
    return m


@njit(cache=True)
def flat_count(ri: Any, top: int) -> int:
    """How many rows :func:`flat` gives for ``top``."""
    stack = [top]
    m = 0
    while len(stack) > 0:
        r = stack.pop()
        m += 1
        k = ri[r, R_CHILD]
        while k >= 0:
            stack.append(k)
            k = ri[k, R_SIB]
    return m


# --- replacements ----------------------------------------------------------------------


@njit(cache=True, inline="always")
def find(skip: Any, base: int, k: int) -> int:
    """The first purchase at or after ``k`` not used up (skip pointers, path-compressed)."""
    root = k
    while skip[base + root] != root:
        root = skip[base + root]
    while skip[base + k] != root:
        nxt = skip[base + k]
        skip[base + k] = root
        k = nxt
    return int(root)


@njit(cache=True, inline="always")
def bisect(a: Any, lo: int, hi: int, x: int) -> int:
    """The first index in ``a[lo:hi]`` (sorted) whose value is >= ``x`` (``hi``: none)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return int(lo)

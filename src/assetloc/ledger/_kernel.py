"""The ledger replay compiled by numba: the rules of :mod:`assetloc.ledger.engine` on integer
codes and arrays, for big ledgers (imported only by :mod:`assetloc.ledger._columnar`, when
a ledger is big enough to pay for numba's import).

Units as in the engine: shares, dollars, days (date ordinals). Every float operation is the
engine's own, in the engine's order (IEEE double, no fast-math), so the results are bit for
bit the reference engine's. Lots, sale rows, wash matches and lot ids live in preallocated
arrays (:func:`allocate`); when one is full the replay stops with :class:`CapacityError`
and the caller runs it again with twice the room. A transaction the replay cannot apply
(more shares sold than held, split ratios that differ, a date before year 1) stops it with
:class:`ReplayError`: the caller then runs the reference engine, which names the problem.

A lot is a row of ``lf``
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

Everything compiled is in this one module: numba's cache of a function is checked against
its own file only, so a helper or constant in another module would be frozen stale.
"""

from __future__ import annotations

from typing import Any, NamedTuple

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


__all__ = ["CapacityError", "ReplayError", "State", "allocate", "replay"]


class State(NamedTuple):
    """The replay's arrays (their columns: the ``L_``, ``R_``, ``T_``, ``P_`` constants): lots
    (``lf``, ``li``), sale rows (``rf``, ``ri``), matches (``mf``: shares, replacement
    shares, dollars; ``mi``: sell, lot id node, purchase, permanent), per transaction
    (``tw``), moved lots (``me``: lot, next), pending adjustments (``pf``: units, dollars;
    ``pi``: held days, next), lot id nodes (``nd``, ``ncount``), positions (``pp``,
    ``ptotal`` shares, ``pool``), replaced-by lists (``rbl``: start, end, IRA ones; ``rbi``:
    purchases), the top sale rows in order (``tops``), counters (``cnt``)."""

    lf: Any
    li: Any
    rf: Any
    ri: Any
    mf: Any
    mi: Any
    tw: Any
    me: Any
    pf: Any
    pi: Any
    nd: Any
    ncount: Any
    pp: Any
    ptotal: Any
    pool: Any
    rbl: Any
    rbi: Any
    tops: Any
    cnt: Any


#: spare entries in each growing array (a test sets 0 to make the arrays run out)
SLACK = 1024


def allocate(n: int, n_pos: int, room: int) -> State:
    """Empty state for ``n`` transactions and ``n_pos`` positions; ``room`` scales the
    growing arrays: lots (3 ``n`` a unit), sale rows, matches and lot ids (2 ``n``). Only
    what the replay writes is touched (``np.empty``), so the room costs address space, not
    memory; the import benchmark's 11-year ledger needs 2.4 lots, 1.8 rows and 1.7 matches
    a transaction."""
    n_lots = room * 3 * n + SLACK
    n_rows = room * 2 * n + SLACK
    n_match = room * 2 * n + SLACK
    i32, f64 = np.int32, np.float64
    return State(
        lf=np.empty((n_lots, 4), f64),
        li=np.empty((n_lots, 8), i32),
        rf=np.empty((n_rows, 5), f64),
        ri=np.empty((n_rows, 12), i32),
        mf=np.empty((n_match, 3), f64),
        mi=np.empty((n_match, 4), i32),
        tw=np.full((n, 8), -1, i32),
        me=np.empty((n_lots, 2), i32),
        pf=np.empty((n_match, 2), f64),
        pi=np.empty((n_match, 2), i32),
        nd=np.empty((n_match, 2), i32),
        ncount=np.zeros(n + n_match, i32),
        pp=np.zeros((n_pos, 5), i32),
        ptotal=np.zeros(n_pos, f64),
        pool=np.empty(3 * n_lots, i32),
        rbl=np.empty((n_rows, 3), i32),
        rbi=np.empty(n_match, i32),
        tops=np.empty(n_rows, i32),
        cnt=np.zeros(N_COUNTERS, np.int64),
    )


@njit(cache=True)
def _draw(
    lf: Any,
    li: Any,
    cnt: Any,
    pool: Any,
    pp: Any,
    ptotal: Any,
    p: int,
    shares: float,
    hifo: bool,
    out: Any,
) -> int:
    """``draw``: take ``shares`` out of position ``p`` by FIFO or HIFO; the lots drawn into
    ``out`` (in the order drawn), their count returned."""
    s = pp[p, P_START]
    ln = pp[p, P_LEN]
    if shares > ptotal[p] - 1e-6:
        held = 0.0  # Position.held: the lots' shares summed in order
        for q in range(ln):
            held += lf[pool[s + q], L_SHARES]
        ptotal[p] = held
        if shares > held + EPS:
            raise ReplayError()
    ptotal[p] -= shares
    m = 0
    if not hifo:
        left = shares
        k = 0
        for q in range(ln):
            if left <= EPS:
                break
            lot = pool[s + q]
            if lf[lot, L_SHARES] <= left + EPS:
                li[lot, L_ALIVE] = 0
                out[m] = lot
                m += 1
                left -= lf[lot, L_SHARES]
                k += 1
            else:
                out[m] = split_lot(lf, li, cnt, lot, left, li[lot, L_NODE])
                m += 1
                left = 0.0
        pp[p, P_START] = s + k
        pp[p, P_LEN] = ln - k
        pp[p, P_ROOM] -= k
        return m
    per_share = np.empty(ln)
    for q in range(ln):
        lot = pool[s + q]
        per_share[q] = lf[lot, L_BASIS] / lf[lot, L_SHARES]
    left = shares
    takes = np.empty(ln)
    while left > EPS:
        top = -np.inf
        k = -1
        for q in range(ln):  # max(): the first of the highest
            if per_share[q] > top or (k < 0 and per_share[q] == top):
                top = per_share[q]
                k = q
        if top == -np.inf:
            break
        per_share[k] = -np.inf
        lot = pool[s + k]
        take = min(lf[lot, L_SHARES], left)
        out[m] = lot
        takes[m] = take
        m += 1
        left -= take
    gone = False
    for q in range(m):
        lot = out[q]
        if takes[q] >= lf[lot, L_SHARES] - EPS:
            li[lot, L_ALIVE] = 0
            gone = True
        else:
            out[q] = split_lot(lf, li, cnt, lot, takes[q], li[lot, L_NODE])
    if gone:
        r = 0
        for q in range(ln):
            lot = pool[s + q]
            if li[lot, L_ALIVE]:
                pool[s + r] = lot
                r += 1
        pp[p, P_LEN] = r
    return m


@njit(cache=True)
def _adjust_past(
    lf: Any,
    li: Any,
    rf: Any,
    ri: Any,
    cnt: Any,
    tw: Any,
    me: Any,
    nd: Any,
    ncount: Any,
    pool: Any,
    pp: Any,
    n: int,
    j: int,
    units: float,
    dollars: float,
    held: int,
) -> None:
    """``_Engine._adjust_past``: a wash adjustment into purchase ``j``'s open lots (the one
    it opened, then those moved), then into the rows of its shares sold since."""
    left = units
    e = -2  # -2: the open lot first, then the moved ones
    while True:
        if e == -2:
            lot = tw[j, T_OPEN]
            e = tw[j, T_MHEAD]
            if lot < 0:
                continue
        elif e >= 0:
            lot = me[e, 0]
            e = me[e, 1]
        else:
            break
        if left <= EPS:
            return
        if not li[lot, L_ALIVE] or li[lot, L_USED] or lf[lot, L_SHARES] <= EPS:
            continue
        lot_units = lf[lot, L_SHARES] / lf[lot, L_F]
        take = min(lot_units, left)
        p = li[lot, L_POS]
        if take < lot_units - EPS:
            node = wash_id(nd, ncount, cnt, n, li[lot, L_NODE])
            piece = split_lot(lf, li, cnt, lot, take * lf[lot, L_F], node)
            tack_lot(lf, li, piece, dollars * take / units, held)
            insort(li, nd, pool, pp, cnt, n, p, piece)
        else:
            tack_lot(lf, li, lot, dollars * take / units, held)
            remove(pool, pp, p, lot)
            insort(li, nd, pool, pp, cnt, n, p, lot)
        left -= take
    top = tw[j, T_CHEAD]
    buf = np.empty(0, np.int64)
    while top >= 0:
        if ri[top, R_CHILD] < 0:
            rows_of = 1
        else:
            rows_of = flat_count(ri, top)
            if rows_of > buf.size:
                buf = np.empty(2 * rows_of, np.int64)
            flat(ri, top, buf, 0)
        for q in range(rows_of):
            row = top if rows_of == 1 else buf[q]
            if left <= EPS:
                return
            if ri[row, R_USED] or rf[row, R_SHARES] <= EPS:
                continue
            row_units = rf[row, R_SHARES] / rf[row, R_F]
            take = min(row_units, left)
            part = row
            if take < row_units - EPS:
                part = split_row(rf, ri, cnt, row, take * rf[row, R_F])
            tack_row(rf, ri, part, dollars * take / units, held)
            left -= take
        top = ri[top, R_CNEXT]


@njit(cache=True)
def _wash(
    lf: Any,
    li: Any,
    rf: Any,
    ri: Any,
    mf: Any,
    mi: Any,
    cnt: Any,
    tw: Any,
    me: Any,
    pf: Any,
    pi: Any,
    nd: Any,
    ncount: Any,
    pool: Any,
    pp: Any,
    rbl: Any,
    rbi: Any,
    n: int,
    i: int,
    row: int,
    d: int,
    acc: Any,
    factor: Any,
    taxable: Any,
    owner: Any,
    joint: int,
    include_spouse: bool,
    lo: int,
    size: int,
    base: int,
    gp_index: Any,
    gp_day: Any,
    gp_cap: Any,
    skip: Any,
) -> None:
    """``_Engine._wash``: the loss shares of ``row`` (sold on day ``d`` by sell ``i``)
    matched with replacement shares of its group's purchases ``gp_*[lo : lo + size]``
    (``Replacements.claim``); the row split into washed parts and the allowed rest."""
    need = rf[row, R_SHARES] / rf[row, R_F]
    hi = bisect(gp_day, lo, lo + size, d + WINDOW + 1) - lo  # bisect_right
    k = find(skip, base, bisect(gp_day, lo, lo + size, d - WINDOW) - lo)
    own = owner[acc[i]]
    loss_per_share = 0.0
    held = 0
    washed = np.zeros(4)  # shares, dollars: taxable replacements; IRA ones
    first = cnt[C_RBI]  # the purchases claimed, in claim order, go to rbi from here
    claimed = 0
    while k < hi and need > EPS:
        j = gp_index[lo + k]
        ok = tw[j, T_EXCL] != i
        if ok and not include_spouse:
            other = owner[acc[j]]
            ok = other == own or other == joint or own == joint
        if ok:
            u = min(gp_cap[lo + k], need)
            gp_cap[lo + k] -= u
            need -= u
            if gp_cap[lo + k] <= EPS:
                skip[base + k] = k + 1
            if claimed == 0:
                loss_per_share = (rf[row, R_BASIS] - rf[row, R_PROCEEDS]) / rf[row, R_SHARES]
                held = d - ri[row, R_ACQ]
            shares = u * rf[row, R_F]
            dollars = shares * loss_per_share
            q = cnt[C_MATCHES]
            if q >= mf.shape[0] or first + claimed >= rbi.size:
                raise CapacityError()
            cnt[C_MATCHES] = q + 1
            ira = not taxable[acc[j]]
            mi[q, 0] = i
            mi[q, 1] = ri[row, R_NODE]
            mi[q, 2] = j
            mi[q, 3] = ira
            mf[q, 0] = shares
            mf[q, 1] = u * factor[j]
            mf[q, 2] = dollars
            rbi[first + claimed] = j
            claimed += 1
            cnt[C_RBI] = first + claimed
            kind = 2 if ira else 0
            washed[kind] += shares
            washed[kind + 1] += dollars
            if not ira:
                if j > i:  # bought later: the adjustment waits for the purchase
                    e = cnt[C_PEND]
                    if e >= pf.shape[0]:
                        raise CapacityError()
                    cnt[C_PEND] = e + 1
                    pf[e, 0] = u
                    pf[e, 1] = dollars
                    pi[e, 0] = held
                    pi[e, 1] = -1
                    if tw[j, T_PHEAD] < 0:
                        tw[j, T_PHEAD] = e
                    else:
                        pi[tw[j, T_PTAIL], 1] = e
                    tw[j, T_PTAIL] = e
                else:
                    _adjust_past(
                        lf, li, rf, ri, cnt, tw, me, nd, ncount, pool, pp, n, j, u, dollars, held
                    )
        k = find(skip, base, k + 1)
    if claimed == 0:
        return
    cur = row
    for kind in (0, 2):
        shares = washed[kind]
        if shares <= EPS:
            continue
        rest = -1
        if shares < rf[cur, R_SHARES] - EPS:
            rest = split_row(rf, ri, cnt, cur, rf[cur, R_SHARES] - shares)
        rf[cur, R_DIS] = washed[kind + 1]
        ri[cur, R_PERM] = kind == 2
        b = cnt[C_RB]
        if b >= rbl.shape[0]:
            raise CapacityError()
        cnt[C_RB] = b + 1
        rbl[b, 0] = first
        rbl[b, 1] = first + claimed
        rbl[b, 2] = kind == 2  # the list: the claimed purchases of this kind
        ri[cur, R_RB] = b
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
    lf: Any,
    li: Any,
    rf: Any,
    ri: Any,
    mf: Any,
    mi: Any,
    tw: Any,
    me: Any,
    pf: Any,
    pi: Any,
    nd: Any,
    ncount: Any,
    pp: Any,
    ptotal: Any,
    pool: Any,
    rbl: Any,
    rbi: Any,
    tops: Any,
    cnt: Any,
) -> int:
    """Replay the ledger (transactions in processing order, see the engine) into the
    state's arrays (:class:`State`); the number of transactions returned. ``received``:
    an unmatched transfer in's acquisition day; ``owner``/``joint``: owner codes."""
    n = act.size
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
    skip = np.empty(total + n_grp, np.int64)  # per group: one more than its purchases
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
            lot = new_lot(
                lf,
                li,
                cnt,
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
                0,
            )
            e = tw[i, T_PHEAD]
            if e < 0:  # the latest lot: FIFO order holds
                append(pool, pp, cnt, p, lot)
                ptotal[p] += lf[lot, L_SHARES]
                tw[i, T_OPEN] = lot
                continue
            rest = lot  # _replacement_bought: one lot per loss matched, split off
            while e >= 0 and rest >= 0:
                piece_shares = pf[e, 0] * lf[rest, L_F]
                if piece_shares >= lf[rest, L_SHARES] - EPS:
                    piece = rest
                    rest = -1
                else:
                    node = wash_id(nd, ncount, cnt, n, li[rest, L_NODE])
                    piece = split_lot(lf, li, cnt, rest, piece_shares, node)
                tack_lot(lf, li, piece, pf[e, 1], pi[e, 0])
                insort(li, nd, pool, pp, cnt, n, p, piece)
                ptotal[p] += lf[piece, L_SHARES]
                e = pi[e, 1]
            if rest >= 0:
                insort(li, nd, pool, pp, cnt, n, p, rest)
                ptotal[p] += lf[rest, L_SHARES]
                tw[i, T_OPEN] = rest
        elif a == SELL:
            if out.size < pp[p, P_LEN] + 1:
                out = np.empty(2 * (pp[p, P_LEN] + 1), np.int64)
            m = _draw(lf, li, cnt, pool, pp, ptotal, p, shares[i], hifo[acc[i]], out)
            tax = taxable[acc[i]]
            per_share = (shares[i] * price[i] - fees[i]) / shares[i]
            d = day[i]
            g = grp[i]
            lo = g_start[g]
            size = g_end[g] - lo
            for q in range(m):
                j = li[out[q], L_ORIGIN]
                if j >= 0:
                    tw[j, T_EXCL] = i
            for q in range(m):
                piece = out[q]
                row = new_row(rf, ri, cnt)
                ri[row, R_TX] = i
                ri[row, R_ACQ] = li[piece, L_ACQ]
                ri[row, R_OPENED] = li[piece, L_OPENED]
                ri[row, R_NODE] = li[piece, L_NODE]
                ri[row, R_ORIGIN] = li[piece, L_ORIGIN]
                ri[row, R_USED] = li[piece, L_USED]
                rf[row, R_SHARES] = lf[piece, L_SHARES]
                rf[row, R_PROCEEDS] = per_share * lf[piece, L_SHARES]
                rf[row, R_BASIS] = lf[piece, L_BASIS]
                rf[row, R_F] = lf[piece, L_F]
                if tax and size > 0 and lf[piece, L_BASIS] - rf[row, R_PROCEEDS] > DUST:
                    _wash(
                        lf, li, rf, ri, mf, mi, cnt, tw, me, pf, pi, nd, ncount, pool, pp,
                        rbl, rbi, n, i, row, d, acc, factor, taxable, owner, joint,
                        include_spouse, lo, size, lo + g, gp_index, gp_day, gp_cap, skip,
                    )  # fmt: skip
                t = cnt[C_TOPS]
                if t >= tops.size:
                    raise CapacityError()
                tops[t] = row
                cnt[C_TOPS] = t + 1
                j = li[piece, L_ORIGIN]
                if not li[piece, L_USED] and j >= 0 and day[j] >= d - WINDOW:
                    if tw[j, T_CHEAD] < 0:
                        tw[j, T_CHEAD] = row
                    else:
                        ri[tw[j, T_CTAIL], R_CNEXT] = row
                    tw[j, T_CTAIL] = row
        elif a == SPLIT:
            ratio = shares[i]
            s = pp[p, P_START]
            for q in range(pp[p, P_LEN]):
                lot = pool[s + q]
                lf[lot, L_SHARES] *= ratio
                lf[lot, L_F] *= ratio
            ptotal[p] *= ratio
        elif not done[i]:
            k = partner[i]
            if k < 0 and a == TRANSFER_OUT:  # a gift: the shares leave
                if out.size < pp[p, P_LEN] + 1:
                    out = np.empty(2 * (pp[p, P_LEN] + 1), np.int64)
                _draw(lf, li, cnt, pool, pp, ptotal, p, shares[i], hifo[acc[i]], out)
            elif k < 0:  # an unmatched transfer in: a lot at its price
                lot = new_lot(
                    lf,
                    li,
                    cnt,
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
                    0,
                )
                insort(li, nd, pool, pp, cnt, n, p, lot)
                ptotal[p] += shares[i]
            else:  # a matched pair: the lots move, at the first of the two rows
                o = i if a == TRANSFER_OUT else k
                into = k if a == TRANSFER_OUT else i
                dest = pos[into]
                po = pos[o]
                if out.size < pp[po, P_LEN] + 1:
                    out = np.empty(2 * (pp[po, P_LEN] + 1), np.int64)
                m = _draw(lf, li, cnt, pool, pp, ptotal, po, shares[o], hifo[acc[o]], out)
                d0 = day[o]
                for q in range(m):
                    piece = out[q]
                    li[piece, L_ALIVE] = 1
                    li[piece, L_POS] = dest
                    j = li[piece, L_ORIGIN]
                    if not li[piece, L_USED] and j >= 0 and day[j] >= d0 - WINDOW:
                        e = cnt[C_MOVED]
                        if e >= me.shape[0]:
                            raise CapacityError()
                        cnt[C_MOVED] = e + 1
                        me[e, 0] = piece
                        me[e, 1] = -1
                        if tw[j, T_MHEAD] < 0:
                            tw[j, T_MHEAD] = e
                        else:
                            me[tw[j, T_MTAIL], 1] = e
                        tw[j, T_MTAIL] = e
                for q in range(m):
                    ptotal[dest] += lf[out[q], L_SHARES]
                for q in range(m):  # a stable merge, as add_many's sort
                    insort(li, nd, pool, pp, cnt, n, dest, out[q])
                done[max(o, into)] = True
    return int(n)


@njit(cache=True)
def flatten(ri: Any, tops: Any, cnt: Any) -> Any:
    """Every sale row in order: each top row, then the rows split off it (depth first)."""
    out = np.empty(cnt[C_ROWS], np.int64)
    m = 0
    for t in range(cnt[C_TOPS]):
        top = tops[t]
        if ri[top, R_CHILD] < 0:
            out[m] = top
            m += 1
        else:
            m = flat(ri, top, out, m)
    return out[:m]


@njit(cache=True)
def open_lots(lf: Any, pp: Any, pool: Any, order: Any) -> Any:
    """The open lots (shares > EPS) of the positions in ``order``, each position's in its
    FIFO order."""
    total = 0
    for p in order:
        total += pp[p, P_LEN]
    out = np.empty(total, np.int64)
    m = 0
    for p in order:
        s = pp[p, P_START]
        for q in range(pp[p, P_LEN]):
            lot = pool[s + q]
            if lf[lot, L_SHARES] > EPS:
                out[m] = lot
                m += 1
    return out[:m]


@njit(cache=True)
def dedupe(rbl: Any, rbi: Any, cnt: Any, ira: Any) -> Any:
    """Each replaced-by list (the claimed purchases of its kind: ``ira[j]`` as the list's
    IRA flag) without repeats (first kept): new (start, end) and items."""
    nb = cnt[C_RB]
    start = np.empty(nb, np.int64)
    end = np.empty(nb, np.int64)
    items = np.empty(cnt[C_RBI], np.int64)
    m = 0
    for b in range(nb):
        start[b] = m
        for q in range(rbl[b, 0], rbl[b, 1]):
            j = rbi[q]
            if ira[j] != rbl[b, 2]:
                continue
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

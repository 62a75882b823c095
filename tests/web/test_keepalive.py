"""``KeepAliveLimit``: each connection (client address and port) is closed with its first
answer past its age limit, timed apart from every other connection; with a table of the
other workers' connections (``Peers``), a worker holding ``SURPLUS`` more than the least
loaded other closes one connection every ``SHED_GAP`` at most, and never on a stale table;
other traffic passes untouched."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.types import Message, Receive, Scope, Send

from assetloc.web.keepalive import (
    MAX_AGE,
    RECOUNT,
    SHED_GAP,
    SURPLUS,
    KeepAliveLimit,
    age_limit,
)
from assetloc.web.peers import FRESH, Peers, _alive, create

CLOSE = (b"connection", b"close")


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-a", b"1")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _headers(app: Any, client: tuple[str, int] | None, kind: str = "http") -> list[Any]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    scope = {"type": kind, "client": client}
    # in a thread of its own: a browser test's event loop may be running in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    return list(sent[0]["headers"]) if sent else []


class Clock:
    """A clock the test moves (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _closes(app: Any, client: tuple[str, int]) -> bool:
    return CLOSE in _headers(app, client)


@given(st.integers(min_value=1, max_value=65535))
def test_a_connections_age_limit_is_within_a_quarter_of_max_age(port: int) -> None:
    assert 0.75 * MAX_AGE <= age_limit(port) < 1.25 * MAX_AGE
    assert age_limit(port) == age_limit(port)


def test_age_limits_spread_over_ports() -> None:
    limits = [age_limit(p) for p in range(40000, 40050)]  # a client's burst of ports
    assert min(limits) < 0.85 * MAX_AGE and max(limits) > 1.15 * MAX_AGE


def test_each_connection_is_closed_with_its_first_answer_past_its_age() -> None:
    clock = Clock()
    app = KeepAliveLimit(_ok, clock=clock)
    a, b = ("10.0.0.1", 5000), ("10.0.0.1", 5001)
    start = clock.now
    step = 0.2 * MAX_AGE  # requests closer than uvicorn's idle timeout: the same connection
    seen: dict[tuple[str, int], list[tuple[float, bool]]] = {a: [], b: []}
    while clock.now < start + 1.3 * MAX_AGE:
        for c in (a, b):
            seen[c].append((clock.now - start, _closes(app, c)))
        clock.now += step
    for c in (a, b):  # each by its own limit: never before, at its first answer past it
        closed = [t for t, shut in seen[c] if shut]
        assert closed and age_limit(c[1]) <= closed[0] < age_limit(c[1]) + step, c
    assert (b"x-a", b"1") in _headers(app, a)  # the app's own headers kept


def test_a_port_unseen_past_the_idle_timeout_is_a_new_connection() -> None:
    clock = Clock()
    app = KeepAliveLimit(_ok, clock=clock)
    a = ("10.0.0.1", 5000)
    assert not _closes(app, a)
    clock.now += 2 * MAX_AGE  # closed by the client long ago; its port comes back
    assert not _closes(app, a)


def test_requests_without_a_client_pass_untouched() -> None:
    app = KeepAliveLimit(_ok, max_age=0.0)
    assert _headers(app, None) == [(b"x-a", b"1")]
    # a client named by a proxy (X-Forwarded-For: uvicorn gives port 0): not one connection
    assert [_headers(app, ("203.0.113.5", 0)) for _ in range(3)] == [[(b"x-a", b"1")]] * 3


def _two_workers(tmp_path: Path, clock: Clock) -> tuple[KeepAliveLimit, KeepAliveLimit]:
    table = tmp_path / "peers"
    create(table)
    one = KeepAliveLimit(_ok, peers=Peers(table, pid=os.getpid()), clock=clock)
    two = KeepAliveLimit(_ok, peers=Peers(table, pid=os.getppid()), clock=clock)
    return one, two


def test_the_busier_worker_sheds_connections_until_even(tmp_path: Path) -> None:
    clock = Clock()
    busy, idle = _two_workers(tmp_path, clock)
    held = [("127.0.0.1", 6000 + i) for i in range(6)]
    assert not _closes(idle, ("127.0.0.1", 7000))  # the other worker holds one
    assert not any(_closes(busy, c) for c in held)  # counted once, with the first: 1
    closes = []
    for _ in range(8):  # recounted: 6 against 1, one close per SHED_GAP
        clock.now += 1.01 * max(SHED_GAP, RECOUNT)
        closes.append(_closes(busy, held[-1]))
        assert not _closes(busy, held[0])  # within the gap: none
        if closes[-1]:
            held.pop()
    assert closes == [True] * 4 + [False] * 4
    assert len(held) == 1 + SURPLUS - 1  # fewer than the other's count + SURPLUS
    assert not any(_closes(idle, ("127.0.0.1", 7000)) for _ in range(3))  # never the idle


def test_a_stale_table_sheds_nothing(tmp_path: Path) -> None:
    clock = Clock()
    busy, idle = _two_workers(tmp_path, clock)
    held = [("127.0.0.1", 6000 + i) for i in range(20)]
    idle.tally(clock.now)  # the other worker: no connection, written once, then silent
    start = clock.now
    shed_at = []
    while clock.now < start + FRESH + 1.0:  # busy's connections asked every 0.25 s
        clock.now += 0.25
        for c in list(held):
            if _closes(busy, c):
                shed_at.append(clock.now - start)
                held.remove(c)
    assert shed_at and len(held) > 1 + SURPLUS  # shed while the table was fresh...
    assert max(shed_at) <= FRESH  # ...and not once it was stale


def test_an_idle_worker_writes_its_count_through_the_lifespan(tmp_path: Path) -> None:
    table = tmp_path / "peers"
    create(table)
    other = Peers(table, pid=os.getppid())

    async def lifespan(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(3 * RECOUNT)  # the server running, no request

    worker = KeepAliveLimit(lifespan, peers=Peers(table, pid=os.getpid()))
    assert other.fewest_elsewhere(time.monotonic()) is None  # claimed, never written

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        pass

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, worker({"type": "lifespan"}, receive, send)).result()
    assert other.fewest_elsewhere(time.monotonic()) == 0  # seen by the others: 0 held


def test_a_dead_workers_slot_is_taken_again(tmp_path: Path) -> None:
    table = tmp_path / "peers"
    create(table)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    live = Peers(table, pid=os.getppid())
    dead = Peers(table, pid=int(gone.stdout))
    assert (live.slot, dead.slot) == (0, 1)
    assert Peers(table).slot == 1  # the dead process's slot
    assert Peers(table).slot == 1  # this process's own slot, not a second one


def test_a_missing_or_full_table_leaves_the_age_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assetloc.web import peers
    from assetloc.web.app import _peers

    monkeypatch.setattr(peers, "SLOTS", 4)  # a table of 4 workers, filled by live processes
    assert _peers(str(tmp_path / "gone")) is None  # removed: the app still starts
    table = tmp_path / "peers"
    create(table)
    others = [int(d) for d in os.listdir("/proc") if d.isdigit() and int(d) != os.getpid()]
    live = [pid for pid in others if _alive(pid)][: peers.SLOTS]
    assert len(live) == peers.SLOTS
    for pid in live:
        Peers(table, pid=pid)
    assert _peers(str(table)) is None  # every slot held by a live process

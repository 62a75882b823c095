"""Connections even out across the workers of ``assetloc serve --workers N`` (installed
with more than one worker).

A connection stays with the process that accepted it, and N processes share one listening
socket: a burst of connections (a load test's 50, a browser's half dozen) is accepted mostly by
whichever process woke first. Measured here, all 50 of ``benchmarks/bench_web.py``'s
connections on one of two workers for its first seconds (a count of connections by client
address and port: a client that opens a connection per request counts once per port
for :data:`ACTIVE` seconds, which is load too). A worker that holds too many
closes some (``Connection: close`` on an answer; the client opens a new connection for its
next request, which another worker may accept). Two rules:

* **Surplus** (with ``peers``, the other workers' counts: :mod:`assetloc.web.peers`): a
  worker holding :data:`SURPLUS` or more connections than the least loaded other closes one,
  one every :data:`SHED_GAP` seconds at most, so that the counts catch up in between. With
  it, 25 and 25 connections two seconds into the load test and to its end; its p95 latency
  fell from 52-57 ms to 34-45 ms (``benchmarks/bench_web.py`` with wrk; README, web app).
  Each worker writes its count every :data:`RECOUNT` seconds, answering or not.
* **Age**, as nginx's ``keepalive_time``: a connection is closed with its first answer after
  about :data:`MAX_AGE` seconds (0.75 to 1.25 times it, by its port, so that connections
  opened together are not closed together). Not by a count of requests (nginx's
  ``keepalive_requests``, this module's first form): a connection on the busier worker is
  answered more slowly, so it takes longer to reach any count, and connections piled up
  where they were served worst (measured: 13 and 35, then 38 and 11 connections).

A client sees nothing but a new connection now and then (a TCP handshake, about 0.1 ms on
loopback).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from assetloc.web.asgi import adding_header
from assetloc.web.peers import Peers

#: seconds a keep-alive connection is kept, from its first request (spread ±25% by port)
MAX_AGE = 10.0
#: a worker holding this many connections more than another closes one (with ``peers``)
SURPLUS = 2
#: seconds between two such closes, at least (the counts catch up in between)
SHED_GAP = 0.05
#: a connection that made a request within this many seconds counts as held
ACTIVE = 1.0
#: seconds between two counts of this worker's connections
RECOUNT = 0.05
#: uvicorn's own limit on an idle keep-alive connection, in seconds (its default): an entry
#: not seen for longer cannot be a connection still open, whatever its port
IDLE_TIMEOUT = 5.0
#: connections tracked at most (one entry each; the stale ones dropped beyond it)
_TRACKED = 10_000
_CLOSE = (b"connection", b"close")


def age_limit(port: int, max_age: float = MAX_AGE) -> float:
    """Seconds the connection from ``port`` is kept: 0.75 to 1.25 × ``max_age``, spread
    by the port (a multiplicative hash, the same for the same port)."""
    spread = (port * 2654435761 % 2**32) / 2**32  # Knuth's multiplicative hash in [0, 1)
    return max_age * (0.75 + 0.5 * spread)


class KeepAliveLimit:
    """Pure ASGI middleware: notes when each connection (the client's address and port)
    made its first request and closes it with the first answer past its
    :func:`age_limit`; with ``peers`` (the other workers' counts), also closes one when this
    worker holds :data:`SURPLUS` or more connections than the least loaded other worker
    (one every :data:`SHED_GAP` seconds at most). ``clock``: seconds (monotonic)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_age: float = MAX_AGE,
        peers: Peers | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.max_age = max_age
        self.peers = peers
        self._clock = clock
        #: connection -> (time of its first request, time of its latest)
        self._seen: dict[tuple[str, int], tuple[float, float]] = {}
        self._stale = IDLE_TIMEOUT + 1.0
        self._counted_at = -math.inf
        self._shed_at = -math.inf
        self.connections = 0
        #: the fewest connections another live worker held at the latest count (None: none)
        self.fewest_elsewhere: int | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" and self.peers is not None:
            await self._with_tally(scope, receive, send)
            return
        client = scope.get("client") if scope["type"] == "http" else None
        if client is None or not client[1]:
            # no client, or one named by a proxy's X-Forwarded-For (port 0): its
            # connections cannot be told apart, so none is timed
            await self.app(scope, receive, send)
            return
        key = (client[0], client[1])
        now = self._clock()
        seen = self._seen.get(key)
        if seen is None or now - seen[1] > self._stale:  # new, or the port used again
            if len(self._seen) >= _TRACKED:
                self._forget_stale(now)
            opened = now
        else:
            opened = seen[0]
        self._seen[key] = (opened, now)
        if now - opened < age_limit(key[1], self.max_age) and not self._surplus(now):
            await self.app(scope, receive, send)
            return
        del self._seen[key]
        self.connections -= 1
        await self.app(scope, receive, adding_header(send, _CLOSE))

    async def _with_tally(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app's lifespan, with this worker's count written every :data:`RECOUNT`
        seconds meanwhile: an idle worker, answering nothing, is seen by the others too."""

        async def tally_forever() -> None:
            while True:
                self.tally(self._clock())
                await asyncio.sleep(RECOUNT)

        task = asyncio.create_task(tally_forever())
        try:
            await self.app(scope, receive, send)
        finally:
            task.cancel()

    def tally(self, now: float) -> None:
        """Count the connections that made a request within :data:`ACTIVE` seconds, write
        the count to the table and read the others' (once per :data:`RECOUNT`, not per
        request)."""
        if self.peers is None:
            return
        self.connections = sum(1 for _, last in self._seen.values() if now - last <= ACTIVE)
        self._counted_at = now
        self.peers.publish(self.connections, now)
        self.fewest_elsewhere = self.peers.fewest_elsewhere(now)

    def _surplus(self, now: float) -> bool:
        """Whether to close this connection to even the load out (and note that it was)."""
        if self.peers is None:
            return False
        if now - self._counted_at >= RECOUNT:
            self.tally(now)
        if now - self._shed_at < SHED_GAP:
            return False
        fewest = self.fewest_elsewhere
        if fewest is None or self.connections < fewest + SURPLUS:
            return False
        self._shed_at = now
        return True

    def _forget_stale(self, now: float) -> None:
        """Drop the entries no open connection can have; all of them if more than half
        the entries are live (so that the scan is not repeated at every new one)."""
        live = {k: t for k, t in self._seen.items() if now - t[1] <= self._stale}
        self._seen = live if len(live) <= _TRACKED // 2 else {}

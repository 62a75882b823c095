"""At most :data:`MAX_REQUESTS` requests on one keep-alive connection, as nginx's
``keepalive_requests``: the answer to the last says ``Connection: close`` and the client
opens a new connection for its next request.

Why: ``assetloc serve --workers N`` runs N processes on one listening socket, and a
connection stays with the process that accepted it. A burst of connections (a load test's
50, a proxy's pool) is accepted mostly by whichever process woke first: measured here, 40
of 50 connections on one of two workers, one second into ``benchmarks/bench_web.py``, and
still so at its end. Closing each connection after :data:`MAX_REQUESTS` lets the clients
reconnect, and a busy process, in the middle of a request, is seldom the first to accept:
with this, 26 and 24 eight seconds in. A client sees nothing but a new connection now and
then (a TCP handshake, about 0.1 ms on loopback).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from assetloc.web.asgi import adding_header

#: requests answered on one connection before the server closes it
MAX_REQUESTS = 100
#: connections tracked at most (one entry each; forgotten all at once beyond it)
_TRACKED = 10_000
_CLOSE = (b"connection", b"close")


class KeepAliveLimit:
    """Pure ASGI middleware: counts the requests of each connection (by the client's
    address and port) and closes it after ``max_requests``."""

    def __init__(self, app: ASGIApp, *, max_requests: int = MAX_REQUESTS) -> None:
        self.app = app
        self.max_requests = max_requests
        self._served: dict[tuple[str, int], int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        if client is None or not client[1]:
            # no client, or one named by a proxy's X-Forwarded-For (port 0): its
            # connections cannot be told apart, so none is counted
            await self.app(scope, receive, send)
            return
        key = (client[0], client[1])
        served = self._served.get(key, 0) + 1
        if served < self.max_requests:
            if len(self._served) >= _TRACKED:
                self._served.clear()
            self._served[key] = served
            await self.app(scope, receive, send)
            return
        self._served.pop(key, None)
        await self.app(scope, receive, adding_header(send, _CLOSE))

"""``KeepAliveLimit``: each connection (client address and port) is closed after its
``max_requests``-th answer, counted apart from every other connection; other traffic
passes untouched."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from assetloc.web.keepalive import KeepAliveLimit


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


def test_each_connection_is_closed_after_its_max_requests() -> None:
    app = KeepAliveLimit(_ok, max_requests=3)
    a, b = ("10.0.0.1", 5000), ("10.0.0.1", 5001)
    close = (b"connection", b"close")
    seen_a = [close in _headers(app, a) for _ in range(7)]
    assert seen_a == [False, False, True, False, False, True, False]  # a new count after
    assert [close in _headers(app, b) for _ in range(3)] == [False, False, True]
    assert (b"x-a", b"1") in _headers(app, a)  # the app's own headers kept


def test_requests_without_a_client_pass_untouched() -> None:
    app = KeepAliveLimit(_ok, max_requests=1)
    assert _headers(app, None) == [(b"x-a", b"1")]
    # a client named by a proxy (X-Forwarded-For: uvicorn gives port 0): not one connection
    assert [_headers(app, ("203.0.113.5", 0)) for _ in range(3)] == [[(b"x-a", b"1")]] * 3

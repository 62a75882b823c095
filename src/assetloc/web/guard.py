"""The API's gate, a pure ASGI middleware: the bearer token (401), same-origin writes
(403) and the body size limit (413), checked in that order before any route runs; every
response says `nosniff`."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assetloc.web.asgi import adding_header
from assetloc.web.errors import BodyTooLarge, error_response, too_large

#: methods that change something: a browser's cross-origin request of these is refused
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def same_origin(origin: str, host: str | None, scheme: str) -> bool:
    """Whether ``origin`` (``scheme://host[:port]``) names the host:port of ``host`` (the
    request's Host header, served over ``scheme``); default ports filled in."""
    if not host:
        return False
    try:
        o = urlsplit(origin)
        h = urlsplit(f"//{host}")
        o_port = o.port or _PORTS.get(o.scheme)
        h_port = h.port or _PORTS.get(scheme)
    except ValueError:  # a port that is not a number
        return False
    if not o.hostname or not h.hostname:
        return False
    return (o.hostname.lower(), o_port) == (h.hostname.lower(), h_port)


def host_name(host: str | None) -> str | None:
    """The name in a Host header (``[::1]:8000`` -> ``::1``), lower case; None if malformed."""
    if not host:
        return None
    try:
        name = urlsplit(f"//{host}").hostname
    except ValueError:
        return None
    return name


class Guard:
    """Wraps the app: every ``/api`` request carries ``Authorization: Bearer TOKEN`` when
    ``token`` is set; with ``hosts``, a request whose Host header names another host is
    refused; a write whose ``Origin`` is another host:port is refused; a body over
    ``max_body`` bytes is refused by its Content-Length or as it streams in."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        max_body: int,
        hosts: Collection[str] | None = None,
    ) -> None:
        self.app = app
        self.token = token
        self.max_body = max_body
        self.hosts = None if hosts is None else frozenset(h.lower() for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refused = self._refusal(scope, headers)
        if refused is not None:
            await refused(scope, receive, _nosniff(send))
            return
        await self.app(scope, self._limited(receive), _nosniff(send))

    def _refusal(self, scope: Scope, headers: Headers) -> ASGIApp | None:
        """The response refusing this request before it runs, else None."""
        if self.hosts is not None and host_name(headers.get("host")) not in self.hosts:
            # a page whose name was re-pointed at this machine (DNS rebinding) is same-origin
            # to itself: only the names this server is known by are served
            message = f"host: {headers.get('host')} is not a name this server answers to"
            return error_response(403, message, "host")
        if self.token is not None and str(scope["path"]).startswith("/api"):
            given = headers.get("authorization", "")
            scheme, _, value = given.partition(" ")
            ok = scheme.lower() == "bearer" and secrets.compare_digest(
                value.strip().encode(), self.token.encode()
            )
            if not ok:
                r = error_response(
                    401, "authorization: send 'Authorization: Bearer TOKEN'", "authorization"
                )
                r.headers["WWW-Authenticate"] = "Bearer"
                return r
        origin = headers.get("origin")
        if scope["method"] in WRITES and origin is not None:
            if not same_origin(origin, headers.get("host"), str(scope.get("scheme", "http"))):
                message = f"origin: {origin} is not this server: cross-origin writes are refused"
                return error_response(403, message, "origin")
        length = headers.get("content-length")
        if length is not None and length.strip().isdigit() and int(length) > self.max_body:
            return too_large(self.max_body)
        return None

    def _limited(self, receive: Receive) -> Receive:
        """``receive`` counting the body's bytes: over the limit raises BodyTooLarge."""
        seen = 0
        limit = self.max_body

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return counted


def _nosniff(send: Send) -> Send:
    """``send`` adding ``X-Content-Type-Options: nosniff``: a browser never reads the JSON
    (which may hold a household's own text, ``<script>`` included) as HTML."""
    return adding_header(send, _NOSNIFF)


_NOSNIFF = (b"x-content-type-options", b"nosniff")

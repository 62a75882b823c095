"""A real ``assetloc serve`` for tests: a free loopback port, requests with no proxy (each
on a new connection), and waiting until the server listens."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request

#: no proxy from the environment: the server is on this machine
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def request(
    url: str,
    token: str | None = None,
    data: bytes | None = None,
    content_type: str | None = None,
) -> tuple[int, bytes]:
    """(status, body) of a GET (or, with ``data``, a POST) on a new connection."""
    req = urllib.request.Request(url, data=data)
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    if content_type is not None:
        req.add_header("Content-Type", content_type)
    try:
        with OPENER.open(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def wait_listening(
    url: str, server: subprocess.Popen[bytes], token: str | None
) -> tuple[int, bytes]:
    """The first answer of ``GET url`` once the server listens (within 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return request(url, token)
        except OSError:  # not listening yet
            assert server.poll() is None, server.communicate()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)

"""The API's gate: a token (401 without it), same-origin writes (403 from another origin)
and the body limit (413 by Content-Length and as the body streams in)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assetloc.web.app import create_app
from assetloc.web.guard import same_origin

from support.paths import EXAMPLES

HOUSEHOLD = tomllib.loads((EXAMPLES / "three_accounts.toml").read_text())


@pytest.fixture(scope="module")
def guarded() -> Iterator[TestClient]:
    """A client of an app with the token ``s3cret`` and a 2,000-byte body limit."""
    with TestClient(create_app(token="s3cret", max_body=2000)) as c:
        yield c


AUTH = {"Authorization": "Bearer s3cret"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}, {"Authorization": ""}],
)
def test_token_is_required_on_every_api_route(guarded: TestClient, headers: dict[str, str]) -> None:
    for r in (
        guarded.get("/api/presets", headers=headers),
        guarded.get("/api/schema", headers=headers),
        guarded.post("/api/optimize", json=HOUSEHOLD, headers=headers),
    ):
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json()["field"] == "authorization"


def test_token_lets_requests_through(guarded: TestClient) -> None:
    assert guarded.get("/api/presets", headers=AUTH).status_code == 200
    assert guarded.post("/api/optimize", json=HOUSEHOLD, headers=AUTH).status_code == 200
    assert guarded.get("/openapi.json").status_code == 200  # the schema is no secret


def test_cross_origin_writes_are_403(client: TestClient) -> None:
    evil = client.post("/api/optimize", json=HOUSEHOLD, headers={"Origin": "http://evil.test"})
    assert evil.status_code == 403 and evil.json()["field"] == "origin"
    port = client.post(
        "/api/optimize", json=HOUSEHOLD, headers={"Origin": "http://testserver:8080"}
    )
    assert port.status_code == 403
    null = client.post("/api/optimize", json=HOUSEHOLD, headers={"Origin": "null"})
    assert null.status_code == 403
    same = client.post("/api/optimize", json=HOUSEHOLD, headers={"Origin": "http://testserver"})
    assert same.status_code == 200
    read = client.get("/api/presets", headers={"Origin": "http://evil.test"})
    assert read.status_code == 200  # a read changes nothing (and no CORS header: not readable)
    assert "access-control-allow-origin" not in read.headers


@pytest.mark.parametrize(
    ("origin", "host", "scheme", "same"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", "http", True),
        ("http://LOCALHOST:8000", "localhost:8000", "http", True),
        ("https://example.org", "example.org:443", "https", True),
        ("http://127.0.0.1:8001", "127.0.0.1:8000", "http", False),
        ("http://localhost:8000", "127.0.0.1:8000", "http", False),
        ("https://127.0.0.1:8000", "127.0.0.1:8000", "http", True),  # host:port only
        ("http://[::1]:8000", "[::1]:8000", "http", True),
        ("http://x:notaport", "x:80", "http", False),
        ("null", "x", "http", False),
        ("http://x", None, "http", False),
    ],
)
def test_same_origin(origin: str, host: str | None, scheme: str, same: bool) -> None:
    assert same_origin(origin, host, scheme) is same


def test_body_over_the_limit_is_413_by_content_length(guarded: TestClient) -> None:
    r = guarded.post("/api/optimize", content=b" " * 2001, headers=AUTH)
    assert r.status_code == 413
    assert r.json() == {"error": "body: larger than the limit of 2000 bytes", "field": "body"}
    upload = guarded.post("/api/optimize", files={"file": ("h.toml", b"#" * 3000)}, headers=AUTH)
    assert upload.status_code == 413


def test_body_over_the_limit_is_413_as_it_streams(guarded: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        for _ in range(10):
            yield b" " * 500

    r = guarded.post("/api/optimize", content=chunks(), headers=AUTH)
    assert "content-length" not in r.request.headers
    assert r.status_code == 413 and r.json()["field"] == "body"


def test_only_the_named_hosts_are_served() -> None:
    """``hosts`` (what ``serve`` sets on loopback without a token): a rebinding page's Host
    is refused, even for a read."""
    app = create_app(token=None, hosts={"127.0.0.1", "localhost", "::1"})
    for base, status in [
        ("http://127.0.0.1:8000", 200),
        ("http://localhost:8000", 200),
        ("http://[::1]:8000", 200),
        ("http://evil.test:8000", 403),
        ("http://127.0.0.1.evil.test", 403),
    ]:
        with TestClient(app, base_url=base) as c:
            r = c.get("/api/presets")
            assert r.status_code == status, base
            if status == 403:
                assert r.json()["field"] == "host"

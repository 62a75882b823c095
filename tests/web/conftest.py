"""Fixtures of the web API's tests: the app (no token) and a client on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assetloc.web.app import create_app


@pytest.fixture(scope="module")
def app() -> FastAPI:
    """The API app without a token."""
    return create_app(token=None)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    """An in-process client of :func:`app` (a server error is a response, not a raise)."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c

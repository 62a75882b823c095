"""Ledger databases for tests: SQLite in the test's folder, or PostgreSQL in a fresh schema
of ``ASSETLOC_TEST_PG_URL`` (dropped afterwards). PostgreSQL tests skip when the URL is not
set, except in CI (``CI`` set), where a missing PostgreSQL fails them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

BACKENDS = ("sqlite", "postgresql")
PG_ENV = "ASSETLOC_TEST_PG_URL"


def pg_base_url() -> str:
    """The PostgreSQL URL for tests; skip (or, in CI, fail) when there is none."""
    url = os.environ.get(PG_ENV, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(
                f"{PG_ENV} is not set under CI: run `make test` (scripts/ensure-postgres.sh)"
            )
        pytest.skip(
            f"{PG_ENV} not set: PostgreSQL ledger tests skipped (see scripts/ensure-postgres.sh)"
        )
    return url


def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """Yield a fresh, empty database's URL; clean up afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    from sqlalchemy import create_engine, text

    base = pg_base_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as err:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_ENV} unusable under CI: {err}")
        pytest.skip(f"PostgreSQL at {PG_ENV} unusable: {str(err).splitlines()[0]}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

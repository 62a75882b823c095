"""The ledger database: the schema Alembic creates (revision 0003), exact round trips of
numbers, URLs relative to the household file, several households in one database, and
one-line errors for databases that cannot be opened. Parametrized over SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import math
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

from assetloc.errors import InputError
from assetloc.ledger.store import (
    imports,
    load_transactions,
    open_store,
    resolve_url,
    transactions,
    write_import,
)
from assetloc.ledger.transactions import Action, Transaction

from support.ledger_db import BACKENDS, database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def test_open_creates_both_tables_at_the_head_revision(db_url: str) -> None:
    engine = open_store(db_url)
    try:
        insp = inspect(engine)
        names = set(insp.get_table_names())
        assert {"transactions", "imports", "households", "jobs", "alembic_version"} <= names
        cols = {c["name"] for c in insp.get_columns("transactions")}
        assert cols == {
            "household", "id", "date", "account", "symbol", "action", "shares", "price",
            "fees", "lot", "seq", "source", "imported_at",
        }  # fmt: skip
        assert set(insp.get_pk_constraint("transactions")["constrained_columns"]) == {
            "household",
            "id",
        }
        assert {c["name"] for c in insp.get_columns("imports")} == {
            "id", "household", "source", "sha256", "rows", "added", "imported_at",
        }  # fmt: skip
        assert {c["name"] for c in insp.get_columns("jobs")} == {
            "id", "task", "status", "done", "total", "unit", "result", "error",
            "http_status", "started", "finished", "updated", "owner",
        }  # fmt: skip
        assert insp.get_pk_constraint("jobs")["constrained_columns"] == ["id"]
        with engine.connect() as conn:
            rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert rev == "0003"
    finally:
        engine.dispose()
    # opening again migrates nothing and keeps what is there
    engine = open_store(db_url)
    with engine.begin() as conn:
        write_import(conn, "h", "a.csv", "0" * 64, 1, [_txn(1.0, 2.0, 0.0)])
    engine.dispose()
    engine = open_store(db_url)
    with engine.connect() as conn:
        assert len(load_transactions(conn, "h")) == 1
        assert conn.execute(select(imports.c.added)).scalar_one() == 1
    engine.dispose()


def _txn(shares: float, price: float, fees: float, seq: int = 1, tid: str = "x") -> Transaction:
    return Transaction(dt.date(2024, 3, 1), "brokerage", "VTI", Action.BUY, shares, price, fees,
                       "", tid, seq)  # fmt: skip


finite = st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_numbers_round_trip_bit_for_bit(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Shares, prices and fees come back as the very same doubles (Double columns)."""
    folder = tmp_path_factory.mktemp("rt")
    gen = database_url(backend, folder)
    url = next(gen)
    engine = open_store(url)
    counter = iter(range(10**9))

    @settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(finite, finite, finite), min_size=1, max_size=8))
    def check(values: list[tuple[float, float, float]]) -> None:
        key = f"h{next(counter)}"
        rows = [_txn(a, b, c, k + 1, f"id{k}") for k, (a, b, c) in enumerate(values)]
        with engine.begin() as conn:
            write_import(conn, key, "f.csv", "0" * 64, len(rows), rows)
        with engine.connect() as conn:
            back = load_transactions(conn, key)
        assert [(bits(t.shares), bits(t.price), bits(t.fees)) for t in back] == [
            (bits(a), bits(b), bits(c)) for a, b, c in values
        ]

    try:
        check()
        # awkward values a decimal column would round
        tricky = [0.1 + 0.2, 1 / 3, math.pi * 1e6, 5e-324, 1e9 - 2**-23]
        rows = [_txn(x, x, x, k + 1, f"t{k}") for k, x in enumerate(tricky)]
        with engine.begin() as conn:
            write_import(conn, "tricky", "f.csv", "0" * 64, len(rows), rows)
        with engine.connect() as conn:
            assert [bits(t.price) for t in load_transactions(conn, "tricky")] == [
                bits(x) for x in tricky
            ]
    finally:
        engine.dispose()
        gen.close()


def test_households_share_a_database_but_not_their_rows(db_url: str) -> None:
    engine = open_store(db_url)
    same = _txn(10, 100, 0, 1, "same-id")
    with engine.begin() as conn:
        assert write_import(conn, "smith", "a.csv", "0" * 64, 1, [same]).added == 1
        assert write_import(conn, "jones", "a.csv", "0" * 64, 1, [same]).added == 1
        assert write_import(conn, "jones", "a.csv", "0" * 64, 1, [same]).added == 0
    with engine.connect() as conn:
        assert len(load_transactions(conn, "smith")) == 1
        assert len(load_transactions(conn, "jones")) == 1
        assert load_transactions(conn, "nobody") == []
        n = conn.execute(select(transactions.c.id)).all()
    assert len(n) == 2
    engine.dispose()


def test_rows_come_back_in_date_then_seq_order(db_url: str) -> None:
    engine = open_store(db_url)
    a = Transaction(dt.date(2024, 1, 2), "b", "X", Action.SELL, 1, 1, 0, "", "a", 30)
    b = Transaction(dt.date(2024, 1, 2), "b", "X", Action.BUY, 1, 1, 0, "", "b", 20)
    c = Transaction(dt.date(2024, 1, 1), "b", "X", Action.BUY, 1, 1, 0, "", "c", 99)
    with engine.begin() as conn:
        write_import(conn, "h", "f", "0" * 64, 3, [a, b, c])
    with engine.connect() as conn:
        assert [t.id for t in load_transactions(conn, "h")] == ["c", "b", "a"]
    engine.dispose()


def test_relative_sqlite_paths_are_relative_to_the_household_folder(tmp_path: Path) -> None:
    base = tmp_path / "house"
    assert resolve_url("sqlite:///ledger.db", base) == f"sqlite:///{base / 'ledger.db'}"
    assert resolve_url("sqlite:///sub/l.db", base) == f"sqlite:///{base / 'sub' / 'l.db'}"
    assert resolve_url("sqlite:////abs/l.db", base) == "sqlite:////abs/l.db"
    assert resolve_url("sqlite://", base) == "sqlite://"
    assert resolve_url("sqlite:///:memory:", base) == "sqlite:///:memory:"
    pg = "postgresql+psycopg://u:p@host/db"
    assert resolve_url(pg, base) == pg


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "not a database URL"),
        ("nosuchdb://x/y", "unknown database type"),
        ("postgresql+psycopg://nobody:pw@127.0.0.1:1/none", "cannot open"),
    ],
)
def test_bad_urls_are_one_line_input_errors(url: str, says: str) -> None:
    with pytest.raises(InputError) as err:
        open_store(url)
    assert err.value.field == "ledger.url"
    assert says in str(err.value)
    assert "\n" not in str(err.value)
    assert ":pw@" not in str(err.value)  # the password is hidden


def test_a_file_that_is_no_database_is_an_input_error(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"this is not a database\n" * 200)
    with pytest.raises(InputError, match="cannot open") as err:
        open_store(f"sqlite:///{junk}")
    assert "\n" not in str(err.value)
    with pytest.raises(InputError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'missing' / 'l.db'}")


def test_migrations_ship_as_package_data() -> None:
    """A non-editable install carries the migrations: env.py and versions/ are packages
    (setuptools finds them) and script.py.mako is package data."""
    import tomllib

    from setuptools import find_packages

    found = find_packages(where=str(ROOT / "src"))
    assert "assetloc.ledger.migrations" in found
    assert "assetloc.ledger.migrations.versions" in found
    folder = ROOT / "src" / "assetloc" / "ledger" / "migrations"
    assert (folder / "env.py").is_file()
    assert list((folder / "versions").glob("rev_*.py"))
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert (
        "ledger/migrations/script.py.mako" in data["tool"]["setuptools"]["package-data"]["assetloc"]
    )

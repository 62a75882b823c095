"""Saved households (``assetloc.ledger.saved``, table ``households``, revision 0002): CRUD,
the CLI's checks and messages, a unique name, revisions, deleting with and without the
ledger, a 0001 database migrated on open with its transactions intact, and a 0002 one
given the jobs table (0003) with its data intact, and back. Parametrized over SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import Engine

from assetloc.errors import AssetlocError, ConflictError, InputError
from assetloc.ledger import saved
from assetloc.ledger.api import import_file
from assetloc.ledger.store import (
    households,
    imports,
    load_transactions,
    open_store,
    write_import,
)
from assetloc.ledger.transactions import Action, Transaction

from support.ledger_db import BACKENDS, database_url
from support.saved_households import BAD, LEDGER_CSV, bad, document, minimal

CliResult = tuple[int, str, str]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    e = open_store(db_url)
    yield e
    e.dispose()


def test_crud_round_trip_keeps_the_document_as_given(engine: Engine) -> None:
    doc = document()
    doc["investor"]["state_rate"] = 0.1 + 0.2  # a float that a rounding would change
    first = saved.create_household(engine, doc)
    assert first.revision == 1 and first.name == "ledger-example"
    assert first.created_at == first.updated_at and first.created_at.tzinfo == dt.UTC
    assert first.id.startswith("ledger-example-") and len(first.id) <= 64
    got = saved.get_household(engine, first.id)
    assert json.dumps(got.document) == json.dumps(doc)  # values and key order
    assert got.to_dict()["household"] is got.document
    assert list(got.to_dict()) == ["id", "name", "revision", "created_at", "updated_at",
                                   "household"]  # fmt: skip
    assert [s.summary() for s in saved.list_households(engine)] == [got.summary()]
    assert list(got.summary()) == ["id", "name", "updated_at", "revision"]

    other = saved.create_household(engine, minimal("Able & Baker"))
    assert other.id.startswith("able-baker-")
    assert [s.name for s in saved.list_households(engine)] == ["Able & Baker", "ledger-example"]

    doc2 = {**doc, "accounts": doc["accounts"][:2]}
    later = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    second = saved.replace_household(engine, first.id, doc2, revision=1, now=later)
    assert second.revision == 2 and second.updated_at == later
    assert second.created_at == first.created_at
    assert saved.get_household(engine, first.id).document == doc2
    third = saved.replace_household(engine, first.id, doc)  # no revision: no check
    assert third.revision == 3

    gone = saved.delete_household(engine, first.id)
    assert gone.revision == 3
    with pytest.raises(saved.NotFoundError) as err:
        saved.get_household(engine, first.id)
    assert err.value.field == "id" and isinstance(err.value, InputError)
    for call in (
        lambda: saved.replace_household(engine, first.id, doc),
        lambda: saved.delete_household(engine, first.id),
    ):
        with pytest.raises(saved.NotFoundError):
            call()
    assert [s.name for s in saved.list_households(engine)] == ["Able & Baker"]


def test_the_household_validates_into_the_same_household(engine: Engine) -> None:
    from assetloc.inputs.household import load_household

    from support.saved_households import LEDGER_HOUSEHOLD

    s = saved.create_household(engine, document())
    assert s.household() == load_household(LEDGER_HOUSEHOLD)


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_household_is_refused_with_the_clis_message(
    kind: str,
    engine: Engine,
    household_file: Callable[..., str],
    cli: Callable[..., CliResult],
) -> None:
    toml_text, raw = bad(kind)
    code, out, err = cli("ledger", "lots", household_file(toml_text), "--db", "sqlite://")
    assert code == 2 and out == ""
    with pytest.raises(InputError) as caught:
        saved.create_household(engine, raw)
    assert f"error: {caught.value}\n" == err
    assert saved.list_households(engine) == []  # nothing written
    # a replacement is checked the same way and leaves the stored one as it was
    good = saved.create_household(engine, minimal("good"))
    with pytest.raises(InputError) as again:
        saved.replace_household(engine, good.id, raw, revision=1)
    assert str(again.value) == str(caught.value)
    assert saved.get_household(engine, good.id) == good


@pytest.mark.parametrize("name", [None, "", "   "])
def test_a_saved_household_needs_a_name(engine: Engine, name: str | None) -> None:
    raw = minimal()
    if name is None:
        del raw["name"]
    else:
        raw["name"] = name
    with pytest.raises(InputError) as err:
        saved.create_household(engine, raw)
    assert err.value.field == "name"
    assert str(err.value) == "name: is required for a saved household (its ledger's key)"
    with pytest.raises(InputError, match=r"^household: must be a JSON object"):
        saved.create_household(engine, [raw])  # type: ignore[arg-type]


def test_names_are_unique_and_a_taken_one_is_a_conflict(engine: Engine) -> None:
    first = saved.create_household(engine, minimal("smith"))
    with pytest.raises(ConflictError) as err:
        saved.create_household(engine, minimal(" smith "))  # the ledger's key: stripped
    e = err.value
    assert isinstance(e, AssetlocError) and not isinstance(e, InputError)
    assert e.exit_code == 2 and e.field == "name"
    assert str(e) == f"name: a saved household is named 'smith' already (id {first.id})"
    other = saved.create_household(engine, minimal("jones"))
    with pytest.raises(ConflictError, match=r"^name: "):
        saved.replace_household(engine, other.id, minimal("smith"))  # renaming onto it
    renamed = saved.replace_household(engine, other.id, minimal("jones-2"))
    assert renamed.name == "jones-2" and renamed.id == other.id  # the id stays
    assert saved.replace_household(engine, first.id, minimal("smith")).revision == 2


def test_a_stale_revision_is_a_conflict_and_changes_nothing(engine: Engine) -> None:
    s = saved.create_household(engine, minimal("smith"))
    saved.replace_household(engine, s.id, minimal("smith"), revision=1)
    changed = minimal("smith")
    changed["accounts"][0]["balance"] = 5
    with pytest.raises(ConflictError) as err:
        saved.replace_household(engine, s.id, changed, revision=1)
    assert err.value.field == "revision" and err.value.exit_code == 2
    assert str(err.value) == "revision: is 1, the saved household is at 2: reload it"
    now = saved.get_household(engine, s.id)
    assert now.revision == 2 and now.document == minimal("smith")
    assert saved.replace_household(engine, s.id, changed, revision=2).revision == 3


def test_deleting_keeps_the_ledger_unless_purged(engine: Engine, db_url: str) -> None:
    keep = saved.create_household(engine, document())
    h = keep.household()
    result = import_file(h, None, LEDGER_CSV, db_url)
    assert result.household == "ledger-example" and result.added > 0
    other = saved.create_household(engine, {**document(), "name": "neighbour"})
    import_file(other.household(), None, LEDGER_CSV, db_url)

    saved.delete_household(engine, keep.id)
    with engine.connect() as conn:
        assert len(load_transactions(conn, "ledger-example")) == result.added
    # saved again under the same name, it finds its ledger
    again = saved.create_household(engine, document())
    assert import_file(again.household(), None, LEDGER_CSV, db_url).added == 0

    saved.delete_household(engine, again.id, purge_ledger=True)
    with engine.connect() as conn:
        assert load_transactions(conn, "ledger-example") == []
        left = conn.execute(select(imports.c.household)).scalars().all()
        assert set(left) == {"neighbour"}  # another household's ledger is untouched
        assert len(load_transactions(conn, "neighbour")) == result.added


def test_a_rename_takes_the_ledger_along(engine: Engine, db_url: str) -> None:
    """Renamed, a household reads the same transactions (filed under its new name); a name
    under which the ledger already files transactions is a conflict that changes nothing."""
    first = saved.create_household(engine, document())
    added = import_file(first.household(), None, LEDGER_CSV, db_url).added
    with engine.connect() as conn:
        before = load_transactions(conn, "ledger-example")
    renamed = saved.replace_household(engine, first.id, {**document(), "name": "moved"})
    assert renamed.name == "moved" and renamed.revision == 2
    with engine.connect() as conn:
        assert load_transactions(conn, "ledger-example") == []
        assert load_transactions(conn, "moved") == before and len(before) == added
        assert set(conn.execute(select(imports.c.household)).scalars()) == {"moved"}
    # the CLI imported under "taken" (no saved household of that name)
    loose = saved.create_household(engine, {**document(), "name": "taken"})
    import_file(loose.household(), None, LEDGER_CSV, db_url)
    saved.delete_household(engine, loose.id)
    with pytest.raises(ConflictError, match="already files transactions under 'taken'"):
        saved.replace_household(engine, first.id, {**document(), "name": "taken"})
    kept = saved.get_household(engine, first.id)
    assert kept.name == "moved" and kept.revision == 2
    with engine.connect() as conn:
        assert len(load_transactions(conn, "moved")) == added


def test_the_document_text_is_the_json_given(engine: Engine) -> None:
    raw = minimal("<script>\"'é")
    s = saved.create_household(engine, raw)
    with engine.connect() as conn:
        stored = conn.execute(select(households.c.document)).scalar_one()
    assert stored == json.dumps(raw, ensure_ascii=False)
    assert saved.get_household(engine, s.id).name == "<script>\"'é"
    assert s.id.startswith("script-")


def test_nan_is_not_stored(engine: Engine) -> None:
    raw = minimal()
    raw["investor"]["state_rate"] = float("nan")
    with pytest.raises(InputError):
        saved.create_household(engine, raw)
    assert saved.list_households(engine) == []


def _migrate(url: str, revision: str, down: bool = False) -> None:
    """Upgrade (or downgrade) the database at ``url`` to ``revision`` with Alembic."""
    from alembic import command
    from alembic.config import Config

    from assetloc.ledger.store import _migrations_dir

    cfg = Config()
    cfg.set_main_option("script_location", _migrations_dir())
    e = create_engine(url)
    with e.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)
    e.dispose()


def _revision(url: str) -> str:
    e = create_engine(url)
    with e.connect() as conn:
        rev: str = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    e.dispose()
    return rev


def _at_0001(url: str) -> None:
    """A database at schema 0001 with one household's transactions (as before 0002)."""
    _migrate(url, "0001")
    e = create_engine(url)
    with e.begin() as conn:
        write_import(conn, "old", "a.csv", "0" * 64, 2, [_txn(1, "t1"), _txn(2, "t2")])
    e.dispose()


def _txn(seq: int, tid: str) -> Transaction:
    return Transaction(dt.date(2024, 3, seq), "brokerage", "VTI", Action.BUY, 10.0 * seq,
                       200.0 + 0.1 * seq, 0.0, "", tid, seq)  # fmt: skip


def test_a_0001_database_is_upgraded_on_open_with_its_transactions(db_url: str) -> None:
    _at_0001(db_url)
    before = create_engine(db_url)
    with before.connect() as conn:
        assert not inspect(conn).has_table("households")
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0001"
        rows = load_transactions(conn, "old")
    before.dispose()
    assert len(rows) == 2
    e = open_store(db_url, create=False)
    try:
        with e.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
                "0003"
            )
            assert load_transactions(conn, "old") == rows
            cols = {c["name"] for c in inspect(conn).get_columns("households")}
        assert cols == {"id", "name", "document", "created_at", "updated_at", "revision"}
        s = saved.create_household(e, minimal("old"))
        assert saved.list_households(e) == [s]
    finally:
        e.dispose()


def test_a_0002_database_gets_jobs_and_keeps_its_data_and_0003_downgrades(db_url: str) -> None:
    """0002 -> 0003 (on open) adds ``jobs`` and keeps the saved households and the ledger;
    a downgrade to 0002 drops ``jobs`` only, and opening again brings it back."""
    _at_0001(db_url)
    _migrate(db_url, "0002")
    e = create_engine(db_url)
    s = saved.create_household(e, minimal("old"))  # at 0002: no jobs table yet
    with e.connect() as conn:
        assert not inspect(conn).has_table("jobs")
        rows = load_transactions(conn, "old")
    e.dispose()
    assert len(rows) == 2 and _revision(db_url) == "0002"

    for step in ("open", "down", "open"):
        if step == "down":
            _migrate(db_url, "0002", down=True)
        else:
            open_store(db_url, create=False).dispose()
        e = create_engine(db_url)
        try:
            with e.connect() as conn:
                assert inspect(conn).has_table("jobs") is (step == "open")
                assert load_transactions(conn, "old") == rows
            assert saved.list_households(e) == [s]
        finally:
            e.dispose()
        assert _revision(db_url) == ("0003" if step == "open" else "0002")

"""The ledger database: four tables (SQLAlchemy Core), any SQLAlchemy URL, migrated to the
newest schema (Alembic) each time it is opened.

Tables (schema revision ``0003``, :mod:`assetloc.ledger.migrations`; ``0001`` made the first
two, ``0002`` added ``households``, ``0003`` added ``jobs``):

- ``transactions``: one row per transaction; primary key (``household``, ``id``), ``id``
  being :func:`~assetloc.ledger.transactions.transaction_id` (or a broker's id), so one
  database can hold several households and a re-import adds nothing. Columns ``date``,
  ``account``, ``symbol``, ``action``, ``shares`` (shares), ``price`` (dollars a share),
  ``fees`` (dollars), ``lot``, ``seq`` (order within a date), ``source`` (the file's name)
  and ``imported_at`` (UTC).
- ``imports``: one row per import: ``household``, ``source`` (file name), ``sha256`` of the
  file, ``rows`` read, ``added``, ``imported_at``.
- ``households`` (revision ``0002``): the saved households of :mod:`assetloc.ledger.saved`:
  ``id`` (primary key, made by the server), ``name`` (unique: the key the household's
  transactions are filed under), ``document`` (the household's tables as JSON text, as
  given), ``created_at`` and ``updated_at`` (UTC), ``revision`` (1, then +1 a replacement).
- ``jobs`` (revision ``0003``): the server's long runs (:mod:`assetloc.web.job_store`), so
  every worker process of ``assetloc serve`` sees every job: ``id``, ``task``, ``status``
  (``running``, ``done``, ``error``), progress ``done`` of ``total`` ``unit``, ``result``
  and ``error`` (JSON text), ``http_status``, ``started``, ``finished`` and ``updated``
  (the last heartbeat) as Unix seconds, ``owner`` (the process running it).

Numbers are stored as IEEE doubles (``Double``: SQLite REAL, PostgreSQL ``double
precision``): a float round-trips exactly. A relative SQLite path (``sqlite:///ledger.db``)
is relative to the household file's folder (:func:`resolve_url`).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Double,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from assetloc.errors import InputError
from assetloc.ledger.transactions import Action, Transaction

metadata = MetaData()

transactions = Table(
    "transactions",
    metadata,
    Column("household", String(200), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("date", Date, nullable=False),
    Column("account", String(200), nullable=False),
    Column("symbol", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("shares", Double, nullable=False),
    Column("price", Double, nullable=False),
    Column("fees", Double, nullable=False),
    Column("lot", String(400), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("source", String(400), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("household", String(200), nullable=False),
    Column("source", String(400), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

households = Table(
    "households",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("document", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("revision", Integer, nullable=False),
    UniqueConstraint("name", name="uq_households_name"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("task", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("unit", String(64), nullable=False),
    Column("result", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("http_status", Integer, nullable=True),
    Column("started", Double, nullable=False),
    Column("finished", Double, nullable=True),
    Column("updated", Double, nullable=False),
    Column("owner", String(200), nullable=False),
)

#: rows of one executemany batch
BATCH = 20_000
#: ``seq`` = import number * SEQ_STRIDE + row: unique within a date across imports
SEQ_STRIDE = 10_000_000
FIELD = "ledger.url"
#: SQLite page cache a connection may use, KiB
SQLITE_CACHE_KIB = 256_000


def resolve_url(url: str, base: Path | None) -> str:
    """``url`` with a relative SQLite file path made relative to ``base`` (the household
    file's folder); other URLs unchanged. InputError when it is not a URL."""
    try:
        u = make_url(url)
    except ArgumentError:
        raise InputError(FIELD, f"not a database URL: {url!r} (e.g. sqlite:///ledger.db)") from None
    db = u.database
    if u.get_backend_name() == "sqlite" and db and db != ":memory:" and not db.startswith("file:"):
        p = Path(db).expanduser()
        if not p.is_absolute() and base is not None:
            return u.set(database=str(base / p)).render_as_string(hide_password=False)
    return url


def _migrations_dir() -> str:
    return str(resources.files("assetloc.ledger").joinpath("migrations"))


def _upgrade(conn: Connection) -> None:
    """Migrate the database behind ``conn`` to the newest revision (no-op when there)."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", _migrations_dir())
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if MigrationContext.configure(conn).get_current_revision() == head:
        return
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


def open_store(url: str, base: Path | None = None, create: bool = True) -> Engine:
    """An engine on the ledger database at ``url``, its schema migrated to the newest.

    ``create=False`` (every command but ``ledger import``): a SQLite file that does not
    exist is an error, not a new empty ledger (a mistyped path would read as no history).
    Any problem (a bad URL, a missing driver, a server that refuses, a file that is not a
    database) is one :class:`InputError` on ``ledger.url``."""
    resolved = resolve_url(url, base)
    shown = make_url(resolved).render_as_string(hide_password=True)
    u = make_url(resolved)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        folder = Path(u.database).expanduser().parent
        if not folder.is_dir():
            raise InputError(FIELD, f"{shown}: folder {folder} does not exist")
        if not create and not Path(u.database).expanduser().is_file():
            raise InputError(
                FIELD,
                f"{shown}: no ledger database there (a mistyped path? `assetloc ledger "
                "import` creates it)",
            )
    try:
        engine = create_engine(resolved)
        if u.get_backend_name() == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
    except NoSuchModuleError:
        raise InputError(FIELD, f"{shown}: unknown database type {u.drivername!r}") from None
    except (ArgumentError, ImportError) as err:
        raise InputError(FIELD, f"{shown}: {_first_line(err)}") from None
    try:
        with engine.begin() as conn:
            _upgrade(conn)
    except SQLAlchemyError as err:
        engine.dispose()
        raise InputError(FIELD, f"cannot open {shown}: {_first_line(err)}") from None
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """A page cache of up to SQLITE_CACHE_KIB: a million-row import's index pages stay in
    memory until its one commit (SQLite's default is 2 MiB)."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    cursor.close()


def _first_line(err: BaseException) -> str:
    orig = getattr(err, "orig", None)
    text = str(orig if orig is not None else err).strip() or err.__class__.__name__
    return text.splitlines()[0]


def database_error(url: str, err: SQLAlchemyError) -> InputError:
    """A database failure after opening, as one line on ``ledger.url``."""
    return InputError(FIELD, f"{make_url(url).render_as_string()}: {_first_line(err)}")


_SELECT = (
    "SELECT date, account, symbol, action, shares, price, fees, lot, id, seq "
    "FROM transactions WHERE household = {mark} ORDER BY date, seq"
)
#: ``tuple.__new__``: a :class:`Transaction` from a tuple of its fields, in C
_TUPLE_NEW: Any = tuple.__new__


def load_transactions(conn: Connection, household: str) -> list[Transaction]:
    """The household's transactions in (date, seq) order.

    SQLite and PostgreSQL: one query on the driver's own cursor (no per-row result
    processing), dates parsed once per distinct day; other databases through SQLAlchemy."""
    if conn.dialect.name not in ("sqlite", "postgresql"):
        return _load_core(conn, household)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    raw: Any = conn.connection.driver_connection
    cursor = raw.cursor()
    paused = gc.isenabled()
    gc.disable()  # millions of acyclic tuples: the cyclic collector would only cost time
    try:
        cursor.execute(_SELECT.format(mark=mark), (household,))
        return _transactions(cursor.fetchall())
    finally:
        cursor.close()
        if paused:
            gc.enable()


def _transactions(rows: list[Any]) -> list[Transaction]:
    """Transactions from driver rows (date as a date or ISO text, action as text)."""
    act: dict[str, Action] = {a.value: a for a in Action}
    days: dict[Any, dt.date] = {}
    new = _TUPLE_NEW
    out: list[Transaction] = []
    add = out.append
    for d, acc, sym, a, sh, pr, fe, lot, i, sq in rows:
        day = days.get(d)
        if day is None:
            day = days[d] = d if isinstance(d, dt.date) else dt.date.fromisoformat(d)
        add(new(Transaction, (day, acc, sym, act[a], sh, pr, fe, lot, i, sq)))
    return out


def _load_core(conn: Connection, household: str) -> list[Transaction]:
    t = transactions.c
    rows = conn.execute(
        select(t.date, t.account, t.symbol, t.action, t.shares, t.price, t.fees, t.lot, t.id, t.seq)
        .where(t.household == household)
        .order_by(t.date, t.seq)
    )
    act = {a.value: a for a in Action}
    return [
        Transaction(d, acc, sym, act[a], sh, pr, fe, lot, i, sq)
        for d, acc, sym, a, sh, pr, fe, lot, i, sq in rows
    ]


def count(conn: Connection, household: str) -> int:
    """Transactions the household has in the ledger."""
    t = transactions.c
    n = conn.execute(select(func.count()).where(t.household == household)).scalar_one()
    return int(n)


def peek_next_import(url: str) -> int:
    """:func:`next_import` of the database at ``url`` without creating or migrating it
    (1 when it does not exist yet or cannot be read: :func:`open_store` reports why)."""
    try:
        u = make_url(url)
        if u.get_backend_name() == "sqlite":
            db = u.database or ""
            if not db or db == ":memory:" or not Path(db).expanduser().is_file():
                return 1
        engine = create_engine(u)
    except (ArgumentError, NoSuchModuleError, ImportError):
        return 1
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("imports"):
                return 1
            return next_import(conn)
    except SQLAlchemyError:
        return 1
    finally:
        engine.dispose()


def next_import(conn: Connection) -> int:
    """The number the next import will get (1 for the first)."""
    last = conn.execute(select(func.max(imports.c.id))).scalar_one()
    return int(last or 0) + 1


@dataclass(frozen=True)
class ImportRecord:
    """What one import added: ``rows`` read, ``added`` new (the rest were in the ledger)."""

    household: str
    source: str
    sha256: str
    rows: int
    added: int


_COLUMNS = (
    "household", "id", "date", "account", "symbol", "action", "shares", "price", "fees",
    "lot", "seq", "source", "imported_at",
)  # fmt: skip
_VALUE = {a: a.value for a in Action}


def _insert_many(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """INSERT ... ON CONFLICT (household, id) DO NOTHING of ``rows`` (values in
    :data:`_COLUMNS` order, already bound for the dialect) with the driver's executemany:
    SQLite and PostgreSQL; other databases through SQLAlchemy's insert (the caller left
    out the ids already there)."""
    name = conn.dialect.name
    if name in ("sqlite", "postgresql"):
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO transactions ({', '.join(_COLUMNS)}) "
            f"VALUES ({', '.join([mark] * len(_COLUMNS))}) "
            "ON CONFLICT (household, id) DO NOTHING"
        )
        conn.exec_driver_sql(sql, rows)
    else:
        conn.execute(insert(transactions), [dict(zip(_COLUMNS, r, strict=True)) for r in rows])


def _bound(household: str, t: Transaction, source: str, stamp: Any, day_of: Any) -> tuple[Any, ...]:
    day = day_of(t.date) if day_of is not None else t.date
    return (household, t.id, day, t.account, t.symbol, _VALUE[t.action], t.shares, t.price,
            t.fees, t.lot, t.seq, source, stamp)  # fmt: skip


def write_import(
    conn: Connection,
    household: str,
    source: str,
    sha256: str,
    rows: int,
    new: Sequence[Transaction],
    now: dt.datetime | None = None,
) -> ImportRecord:
    """Insert ``new`` (ids not yet in the ledger; ``seq`` as final) and the import's row,
    inside the caller's transaction, in batches of :data:`BATCH`. Returns the count
    actually added."""
    when = now or dt.datetime.now(dt.UTC)
    before = count(conn, household)
    fast = conn.dialect.name in ("sqlite", "postgresql")
    # the columns' own bind processors (SQLite keeps dates as ISO text), applied once a row
    day_of = transactions.c.date.type.bind_processor(conn.dialect) if fast else None
    stamp_of = transactions.c.imported_at.type.bind_processor(conn.dialect) if fast else None
    stamp = stamp_of(when) if stamp_of is not None else when
    for batch in _batches(new, BATCH):
        _insert_many(conn, [_bound(household, t, source, stamp, day_of) for t in batch])
    added = count(conn, household) - before
    conn.execute(
        insert(imports).values(
            household=household,
            source=source,
            sha256=sha256,
            rows=rows,
            added=added,
            imported_at=when,
        )
    )
    return ImportRecord(household, source, sha256, rows, added)


def _batches(items: Sequence[Transaction], n: int) -> Iterable[Sequence[Transaction]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]

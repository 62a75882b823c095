"""Saved households: household documents kept in the ledger database (table ``households``,
schema revision ``0002``), so a server can hold them next to their ledgers.

A saved household is the household's tables as a JSON object, stored as given (every key,
in its order) after the same checks the CLI makes of a household file (fields, then the
cross-field checks: :func:`~assetloc.inputs.household.parse_fields` and
:func:`~assetloc.inputs.household.check_household`). Its ``name`` is required and unique:
it is the key the household's transactions are filed under in the same database
(:func:`~assetloc.ledger.source.household_key`), so ``assetloc ledger ... --db URL`` on a
file with that name reads the same ledger. Renaming a saved household points it at the
ledger filed under the new name, as renaming a file's ``name`` does.

Each write is one database transaction. A taken name or a stale ``revision`` is a
:class:`~assetloc.errors.ConflictError`; an unknown id a :class:`NotFoundError`.
Deleting a saved household keeps its ledger's transactions and imports (a ledger is a
record of what happened) unless ``purge_ledger=True``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from assetloc.errors import ConflictError, InputError
from assetloc.inputs.household import Household, check_household, parse_fields
from assetloc.ledger.store import database_error, households, imports, transactions

#: the longest name a saved household may have (the ledger's household column)
NAME_MAX = 200
#: characters of the id taken from the name (the rest: ``-`` and 8 random hex digits)
SLUG_MAX = 48


class NotFoundError(InputError):
    """No saved household has this id (field ``id``)."""


@dataclass(frozen=True)
class SavedHousehold:
    """One saved household: ``document`` is the household's tables as given; times UTC."""

    id: str
    name: str
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime
    document: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        """The list entry: id, name, updated_at (ISO 8601), revision."""
        return {
            "id": self.id,
            "name": self.name,
            "updated_at": self.updated_at.isoformat(),
            "revision": self.revision,
        }

    def to_dict(self) -> dict[str, Any]:
        """The record: id, name, revision, created_at, updated_at, household."""
        return {
            "id": self.id,
            "name": self.name,
            "revision": self.revision,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "household": self.document,
        }

    def household(self) -> Household:
        """The document validated into a :class:`Household` (as when it was saved)."""
        return validate(self.document)[0]


def validate(raw: Any) -> tuple[Household, str]:
    """The household of ``raw`` checked as the CLI checks a file, and its name (stripped).

    InputError (the CLI's one-line message) when it is not a valid household, or has no
    ``name``, or one longer than :data:`NAME_MAX`."""
    if not isinstance(raw, dict):
        raise InputError("household", "must be a JSON object (the TOML file's tables)")
    h = parse_fields(raw)
    check_household(h)
    name = (h.name or "").strip()
    if not name:
        raise InputError("name", "is required for a saved household (its ledger's key)")
    if len(name) > NAME_MAX:
        raise InputError("name", f"longer than {NAME_MAX} characters ({len(name)})")
    return h, name


def _document_text(raw: dict[str, Any]) -> str:
    try:
        return json.dumps(raw, ensure_ascii=False, allow_nan=False)
    except ValueError as err:  # NaN or infinity: not JSON
        raise InputError("household", f"not storable as JSON ({err})") from None


def new_id(name: str) -> str:
    """A url-safe id: the name's slug (lower case letters, digits, ``-``) and a random
    suffix, e.g. ``smith-family-3f9a2c1b``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:SLUG_MAX].strip("-")
    return f"{slug or 'household'}-{secrets.token_hex(4)}"


def _utc(t: dt.datetime) -> dt.datetime:
    """A stored time as an aware UTC datetime (SQLite gives it back naive)."""
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


def _saved(row: Row[Any]) -> SavedHousehold:
    document: dict[str, Any] = json.loads(row.document)
    return SavedHousehold(
        row.id, row.name, row.revision, _utc(row.created_at), _utc(row.updated_at), document
    )


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _row(conn: Connection, hid: str) -> Row[Any]:
    row = conn.execute(select(households).where(households.c.id == hid)).first()
    if row is None:
        raise NotFoundError("id", f"no saved household {hid!r}")
    return row


def _check_name_free(conn: Connection, name: str, hid: str | None) -> None:
    c = households.c
    query = select(c.id).where(c.name == name)
    if hid is not None:
        query = query.where(c.id != hid)
    other = conn.execute(query).scalar()
    if other is not None:
        raise ConflictError("name", f"a saved household is named {name!r} already (id {other})")


def list_households(engine: Engine) -> list[SavedHousehold]:
    """Every saved household, by name."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(households).order_by(households.c.name)).all()
    except SQLAlchemyError as err:
        raise database_error(_url(engine), err) from None
    return [_saved(r) for r in rows]


def get_household(engine: Engine, hid: str) -> SavedHousehold:
    """The saved household ``hid``; NotFoundError when there is none."""
    try:
        with engine.connect() as conn:
            return _saved(_row(conn, hid))
    except SQLAlchemyError as err:
        raise database_error(_url(engine), err) from None


def create_household(
    engine: Engine, raw: dict[str, Any], now: dt.datetime | None = None
) -> SavedHousehold:
    """Save a new household (revision 1) after the CLI's checks; ConflictError on ``name``
    when another saved household has its name."""
    _, name = validate(raw)
    text = _document_text(raw)
    when = now or dt.datetime.now(dt.UTC)
    hid = new_id(name)
    try:
        with engine.begin() as conn:
            _check_name_free(conn, name, None)
            conn.execute(
                insert(households).values(
                    id=hid, name=name, document=text, created_at=when, updated_at=when, revision=1
                )
            )
            return _saved(_row(conn, hid))
    except IntegrityError:  # another writer took the name in between
        raise ConflictError("name", f"a saved household is named {name!r} already") from None
    except SQLAlchemyError as err:
        raise database_error(_url(engine), err) from None


def replace_household(
    engine: Engine,
    hid: str,
    raw: dict[str, Any],
    revision: int | None = None,
    now: dt.datetime | None = None,
) -> SavedHousehold:
    """Replace the document of ``hid`` (revision + 1). ``revision``: the one the caller
    read; ConflictError on ``revision`` when the stored one differs (someone saved since),
    on ``name`` when another saved household has the new name. A new name takes the
    household's ledger with it (its transactions and imports are filed under the new name,
    in the same transaction); ConflictError on ``name`` when the ledger already files
    transactions under the new name (e.g. imported from the CLI)."""
    _, name = validate(raw)
    text = _document_text(raw)
    when = now or dt.datetime.now(dt.UTC)
    c = households.c
    try:
        with engine.begin() as conn:
            stored = _row(conn, hid)
            current = stored.revision
            if revision is not None and revision != current:
                raise ConflictError(
                    "revision", f"is {revision}, the saved household is at {current}: reload it"
                )
            _check_name_free(conn, name, hid)
            done = conn.execute(
                update(households)
                .where(c.id == hid, c.revision == current)
                .values(name=name, document=text, updated_at=when, revision=current + 1)
            )
            if done.rowcount != 1:  # a concurrent replacement won
                raise ConflictError("revision", f"the saved household changed after {current}")
            if stored.name != name:
                _move_ledger(conn, stored.name, name)
            return _saved(_row(conn, hid))
    except IntegrityError:
        raise ConflictError("name", f"a saved household is named {name!r} already") from None
    except SQLAlchemyError as err:
        raise database_error(_url(engine), err) from None


def _move_ledger(conn: Connection, old: str, new: str) -> None:
    """File the ledger of ``old`` under ``new`` (a renamed household keeps its history)."""
    taken = conn.execute(
        select(transactions.c.id).where(transactions.c.household == new).limit(1)
    ).first()
    if taken is not None:
        raise ConflictError(
            "name",
            f"the ledger already files transactions under {new!r}: choose another name "
            "(or delete those transactions first)",
        )
    conn.execute(update(transactions).where(transactions.c.household == old).values(household=new))
    conn.execute(update(imports).where(imports.c.household == old).values(household=new))


def delete_household(engine: Engine, hid: str, purge_ledger: bool = False) -> SavedHousehold:
    """Delete the saved household ``hid`` (returned as it was). Its ledger (transactions and
    imports filed under its name) stays unless ``purge_ledger``."""
    try:
        with engine.begin() as conn:
            saved = _saved(_row(conn, hid))
            conn.execute(delete(households).where(households.c.id == hid))
            if purge_ledger:
                conn.execute(delete(transactions).where(transactions.c.household == saved.name))
                conn.execute(delete(imports).where(imports.c.household == saved.name))
            return saved
    except SQLAlchemyError as err:
        raise database_error(_url(engine), err) from None


__all__ = [
    "NotFoundError",
    "SavedHousehold",
    "create_household",
    "delete_household",
    "get_household",
    "list_households",
    "new_id",
    "replace_household",
    "validate",
]

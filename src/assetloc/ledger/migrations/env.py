"""Alembic environment: migrate the connection :func:`assetloc.ledger.store.open_store`
hands over in ``config.attributes["connection"]`` (online only; no logging set-up, so
nothing is printed)."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only open_store runs these migrations
    raise RuntimeError("assetloc ledger migrations run through assetloc.ledger.store.open_store")
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()

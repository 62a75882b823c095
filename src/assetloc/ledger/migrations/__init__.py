"""Alembic migrations of the ledger database (run by :func:`assetloc.ledger.store.open_store`;
no ``alembic.ini`` needed). ``versions/`` holds one module per schema revision."""

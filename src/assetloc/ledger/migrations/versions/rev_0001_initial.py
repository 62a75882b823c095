"""The first schema: the transactions and imports tables.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``transactions`` (key: household, id) and ``imports``."""
    op.create_table(
        "transactions",
        sa.Column("household", sa.String(200), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("shares", sa.Double, nullable=False),
        sa.Column("price", sa.Double, nullable=False),
        sa.Column("fees", sa.Double, nullable=False),
        sa.Column("lot", sa.String(400), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("source", sa.String(400), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_transactions_household_date", "transactions", ["household", "date", "seq"])
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("household", sa.String(200), nullable=False),
        sa.Column("source", sa.String(400), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("imports")
    op.drop_index("ix_transactions_household_date", table_name="transactions")
    op.drop_table("transactions")

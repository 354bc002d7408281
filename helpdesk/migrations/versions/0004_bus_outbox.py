"""bus outbox: queue events written in the transaction of the change they describe (several server processes)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 18:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Additive: one new table; a server of the previous version never reads it (it publishes directly).
    op.create_table(
        "bus_outbox",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_bus_outbox")),
    )


def downgrade() -> None:
    op.drop_table("bus_outbox")

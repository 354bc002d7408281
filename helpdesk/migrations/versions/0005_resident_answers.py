"""resident answers: a kiosk's answer is stored once per Idempotency-Key and names the question it answers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Additive: two nullable columns; a server of the previous version never writes or reads them.
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("refers_to", sa.Integer(), nullable=True))
    op.create_index("uq_messages_escalation_client_key", "messages", ["escalation_id", "client_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_messages_escalation_client_key", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("refers_to")
        batch.drop_column("client_key")

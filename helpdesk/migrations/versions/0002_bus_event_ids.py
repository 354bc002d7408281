"""notification bus event ids shared by every server process (PostgreSQL only)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 16:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Additive: an old server ignores the sequence; SQLite runs one process and numbers events in memory.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE IF NOT EXISTS yorisoi_bus_event_ids")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS yorisoi_bus_event_ids")

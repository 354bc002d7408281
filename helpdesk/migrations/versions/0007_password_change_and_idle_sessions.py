"""staff: a password change can be required (after an administrator's reset); sessions remember when last used;
kiosks have a name staff recognise (e.g. 入口の左)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Additive, with defaults: rows of the previous version read as "no change required" / "used at creation".
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("password_change_required", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("staff_sessions") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("kiosks") as batch:
        batch.add_column(sa.Column("name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kiosks") as batch:
        batch.drop_column("name")
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("password_change_required")

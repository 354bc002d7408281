"""content versions: immutable signed packs and per-site rollouts (the content loop)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Additive: two new tables and two nullable columns; a server of the previous version never reads them.
    op.add_column("escalations", sa.Column("content_version", sa.String(length=64), nullable=True))
    op.add_column("session_events", sa.Column("content_version", sa.String(length=64), nullable=True))
    op.create_table(
        "content_versions",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("pack", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("public_key", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("procedures", sa.JSON(), nullable=False),
        sa.Column("lint", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_content_versions")),
    )
    op.create_table(
        "content_rollouts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=True),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version"], ["content_versions.version"], name=op.f("fk_content_rollouts_version_content_versions")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_content_rollouts_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_rollouts")),
    )
    op.create_table(
        "site_values",
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_values_site_id_sites")),
        sa.PrimaryKeyConstraint("site_id", "name", name=op.f("pk_site_values")),
    )
    op.create_table(
        "content_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("base_version", sa.String(length=64), nullable=True),
        sa.Column("pack", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_version", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_drafts")),
    )


def downgrade() -> None:
    op.drop_table("content_drafts")
    op.drop_table("site_values")
    op.drop_table("content_rollouts")
    op.drop_table("content_versions")
    with op.batch_alter_table("session_events") as batch:
        batch.drop_column("content_version")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("content_version")

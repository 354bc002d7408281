"""Alembic environment: always run with a connection handed in by helpdesk.database."""

from __future__ import annotations

from alembic import context

from helpdesk.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `yorisoi helpdesk migrate` (helpdesk.database.Database)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

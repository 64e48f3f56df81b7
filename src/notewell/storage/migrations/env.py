"""Alembic environment: migrations run on a connection handed in by :mod:`notewell.storage.database`."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from notewell.storage.tables import metadata

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through notewell.storage.database
    raise RuntimeError("notewell migrations run through notewell.storage.database.migrate()")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()

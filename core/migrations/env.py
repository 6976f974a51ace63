"""Alembic environment: relaychat runs migrations in-process (core/migrate.py), never from alembic.ini."""

from alembic import context
from sqlmodel import SQLModel

import core.models  # noqa: F401  (registers the tables)
from core.fts import include_object

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
    render_as_batch=True,
    # The full-text search tables and indexes are SQL of their own, not SQLModel tables.
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()

"""Alembic environment: run by `impact init` (etl.migrate) with a live connection."""

from alembic import context

from etl.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite needs batch mode for ALTERs
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

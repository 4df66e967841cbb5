"""Create or upgrade the warehouse schema with Alembic (`impact init`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    from etl import reference

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    reference.sync(engine)


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration against a database at head (developers only)."""
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)

"""Fixtures shared by the whole suite: settings, and a fresh warehouse per test.

`warehouse` is parametrised over a real SQLite file and a real PostgreSQL database (created and
dropped per test). PostgreSQL is found at TEST_POSTGRES_URL (default: the local server); when it
cannot be reached the PostgreSQL cases are skipped locally, but fail under CI (CI=true), so they
are never silently skipped there.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from etl import db, migrate, settings

TEST_PSEUDONYM_KEY = "test-key-0123456789"
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def make_settings(database_url: str, **overrides) -> settings.Settings:
    return settings.Settings(database_url=database_url, pseudonym_key=TEST_PSEUDONYM_KEY,
                             min_cell=5, secret_key="test-secret", **overrides)


def _postgres_available() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any connection failure means "not here"
        return str(error).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_admin():
    problem = _postgres_available()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI but unreachable: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _new_postgres_database(admin) -> tuple[str, callable]:
    name = f"impact_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)

    def drop():
        db.dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return url, drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
        return
    admin = request.getfixturevalue("postgres_admin")
    url, drop = _new_postgres_database(admin)
    yield url
    drop()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"


@pytest.fixture
def warehouse(database_url):
    """A migrated, empty warehouse (reference data only), with the settings pointing at it."""
    settings.configure(make_settings(database_url))
    engine = db.get_engine(database_url)
    migrate.upgrade(engine)
    yield engine
    settings.configure(None)


@pytest.fixture
def sqlite_warehouse(sqlite_url):
    """The same on SQLite only, for tests whose subject is not the database."""
    settings.configure(make_settings(sqlite_url))
    engine = db.get_engine(sqlite_url)
    migrate.upgrade(engine)
    yield engine
    settings.configure(None)

"""Engines for the warehouse: one per URL, SQLite in WAL mode with a busy timeout."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine

from etl.settings import get_settings, on_configure

_engines: dict[str, Engine] = {}


class WarehouseError(RuntimeError):
    """The warehouse cannot be reached or is not initialised."""


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    # Several web workers and a load share the file: WAL lets readers go on during a write.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # An erased person must not linger in free pages of the file (`impact forget`).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def pool_sizing(environ=None) -> tuple[int, int]:
    """(pool_size, max_overflow) of a PostgreSQL engine: IMPACT_DB_POOL_SIZE (default 5) and
    IMPACT_DB_MAX_OVERFLOW (default 5). Each process (gunicorn worker, `impact` command) has its
    own pool: workers x (pool_size + max_overflow) must stay under the server's connection
    limit (README, Deployment). A web worker needs about one connection per thread, plus one
    for an upload's load job."""
    environ = os.environ if environ is None else environ
    sizes = []
    for name, default in (("IMPACT_DB_POOL_SIZE", 5), ("IMPACT_DB_MAX_OVERFLOW", 5)):
        raw = (environ.get(name) or "").strip()
        try:
            value = int(raw) if raw else default
        except ValueError:
            raise WarehouseError(f"{name} must be a whole number, not '{raw}'") from None
        if value < (1 if name == "IMPACT_DB_POOL_SIZE" else 0):
            raise WarehouseError(f"{name} is too small: {value}")
        sizes.append(value)
    return sizes[0], sizes[1]


def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    engine = _engines.get(url)
    if engine is None:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            pool_size, max_overflow = pool_sizing()
            engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow,
                                   pool_pre_ping=True)
        _engines[url] = engine
    return engine


def reading(engine: Engine):
    """A connection for one read statement made on every request (the signed-in session, the
    warehouse version, the date of the data). On PostgreSQL it runs in autocommit: one
    statement is its own snapshot, and the BEGIN and ROLLBACK of a transaction would cost two
    more round trips (1.3 ms per read instead of 0.45). Elsewhere, a connection as usual."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


on_configure(dispose_engines)


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("load_batch")


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

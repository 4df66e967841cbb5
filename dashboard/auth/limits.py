"""Where failed sign-ins are counted, shared by every worker of a deployment: Redis when
REDIS_URL is set, else the warehouse (`login_failure`); and the limiter that reads them.
"""

from __future__ import annotations

import functools


@functools.cache
def _warehouse_storage_class():
    """Flask-Limiter's counts in the warehouse (`login_failure`), for deployments without
    Redis: every worker and machine of the deployment shares the warehouse, so they share the
    counts. A `limits` storage (moving window only, the strategy `make_limiter` uses), found by
    its URI scheme `impact-warehouse://`. Keys are stored as digests; entries older than their
    window are deleted as the key is counted again."""
    import hashlib
    import time

    from limits.storage import MovingWindowSupport, Storage
    from sqlalchemy import delete, func, select
    from sqlalchemy.exc import SQLAlchemyError

    from etl.schema import login_failure

    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def engine():
        from etl.db import get_engine

        return get_engine()

    class WarehouseLimitStorage(Storage, MovingWindowSupport):
        STORAGE_SCHEME = ["impact-warehouse"]

        @property
        def base_exceptions(self):
            return SQLAlchemyError

        @staticmethod
        def _window(conn, key: str, expiry: int, now: float) -> tuple[float | None, int]:
            oldest, count = conn.execute(
                select(func.min(login_failure.c.at), func.count())
                .where(login_failure.c.limit_key == digest(key),
                       login_failure.c.at > now - expiry)).one()
            return oldest, count

        def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
            now = time.time()
            with engine().begin() as conn:
                conn.execute(delete(login_failure).where(
                    login_failure.c.limit_key == digest(key), login_failure.c.at <= now - expiry))
                if self._window(conn, key, expiry, now)[1] + amount > limit:
                    return False
                conn.execute(login_failure.insert(),
                             [{"limit_key": digest(key), "at": now}] * amount)
            return True

        def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
            now = time.time()
            with engine().connect() as conn:
                oldest, count = self._window(conn, key, expiry, now)
            return (oldest if oldest is not None else now), count

        def incr(self, key: str, expiry: int, amount: int = 1) -> int:
            self.acquire_entry(key, 2**31, expiry, amount)
            return self.get_moving_window(key, 0, expiry)[1]

        def get(self, key: str) -> int:
            with engine().connect() as conn:
                return conn.execute(select(func.count()).where(
                    login_failure.c.limit_key == digest(key))).scalar_one()

        def get_expiry(self, key: str) -> float:
            return time.time()

        def check(self) -> bool:
            try:
                with engine().connect() as conn:
                    conn.execute(select(func.count()).select_from(login_failure))
                return True
            except SQLAlchemyError:
                return False

        def reset(self) -> int | None:
            with engine().begin() as conn:
                return conn.execute(delete(login_failure)).rowcount

        def clear(self, key: str) -> None:
            with engine().begin() as conn:
                conn.execute(delete(login_failure).where(
                    login_failure.c.limit_key == digest(key)))

    return WarehouseLimitStorage


WAREHOUSE_LIMITS = "impact-warehouse://"


def limiter_storage_uri(settings) -> str:
    """Where failed sign-ins are counted: Redis when REDIS_URL is set, else the warehouse.
    Both are shared by every worker of a deployment (a worker's memory is not)."""
    if settings.redis_url:
        return settings.redis_url
    _warehouse_storage_class()  # registers its URI scheme with `limits`
    return WAREHOUSE_LIMITS


def make_limiter(server, settings):
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    return Limiter(key_func=get_remote_address, app=server, default_limits=[],
                   storage_uri=limiter_storage_uri(settings), strategy="moving-window",
                   key_prefix="impact", headers_enabled=False,
                   in_memory_fallback_enabled=bool(settings.redis_url))

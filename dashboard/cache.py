"""A shared cache of the query layer's results: a repeated view is served without a query, a
new load is seen at once by every worker, and no account ever gets figures computed for
another scope.

How it is used. The public functions of `dashboard/queries/*.py` carry `@cached`; the app
factory calls `init_app(server, settings)` once. A decorated function then looks up its result
while serving a request of that app (a Dash callback, a page load); anywhere else (the `impact`
command line, exports, tests calling a function directly) it simply runs, as if undecorated.
`enabled(...)` turns the cache on outside a request (benchmarks, tests).

The key of an entry: the function (module and name), the warehouse (its URL, password hidden),
the warehouse version (below), and every argument the function takes but `engine`:
`Filters.key` for the filters, `Scope.key` (role, editions, regions, schools) for the account's
scope, K (the K in force when the function is given None), the language, the breakdown or
dimension, whatever the function takes. Two accounts share an entry only when the server would
compute exactly the same figures for them (same role and same scope). A call with a published
`snapshot` is never cached: it reads no warehouse.

The warehouse version (`VERSION`) is one query of index look-ups that changes with every write
that can change a figure: a load (a new `load_batch` row, its `finished_at`), an unload (the
count of batches in status `loaded` drops), a person erased by `impact forget` or an answer
label mapped or unmapped by `impact labels`, a staff comment written or removed (a new
`audit_log` row of one of
`etl.audit.FIGURE_ACTIONS`; the other audited actions, sign-ins, downloads, accounts, change no
figure and leave the cache alone), and any rewrite of the marts that moves their key
ranges. It is read once per request (kept in
`flask.g`), about 0.1 ms on SQLite and 1 ms on PostgreSQL (mostly the round trip), so the first request of any worker
after a load already asks for new keys: nothing needs to be told to forget anything, and old
entries simply expire (`TIMEOUT`). Code that edits warehouse rows in place by other means (SQL
by hand, a test) calls `clear()`.

Backends: Redis when REDIS_URL is set (one cache for every worker and machine; keys start with
`impact:fig:`, or IMPACT_CACHE_PREFIX when several deployments share one Redis); otherwise
memory of the process (cachelib's SimpleCache: each worker keeps its own, still correct since
the version is in the key). Values are pickled (DataFrames with their attrs, dicts, sets), so a
caller that modifies the result it got does not modify the cache. A Redis that cannot be
reached is not an error: the figures are computed, and Redis is tried again after
`RETRY_AFTER` seconds.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import logging
import numbers
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

EXTENSION = "impact_figure_cache"
DEFAULT_PREFIX = "impact:fig:"
TIMEOUT = 6 * 3600          # seconds an entry lives (entries of an old version are never read)
MEMORY_ENTRIES = 1000       # entries kept by the in-process cache before it prunes
RETRY_AFTER = 30.0          # seconds without Redis after it failed
REDIS_SOCKET_TIMEOUT = 1.0  # a slow or absent Redis must not hold a page for long


# ---- the warehouse version -----------------------------------------------------------------

def _version_statement():
    from etl.audit import FIGURE_ACTIONS
    from etl.schema import audit_log, load_batch, mart_pair, mart_response

    loaded = load_batch.c.status == "loaded"
    return select(
        select(func.count()).select_from(load_batch).scalar_subquery(),
        select(func.max(load_batch.c.batch_id)).scalar_subquery(),
        select(func.count()).select_from(load_batch).where(loaded).scalar_subquery(),
        select(func.max(load_batch.c.finished_at)).scalar_subquery(),
        # the latest erasure or answer-label mapping only: sign-ins, downloads and account
        # changes are audited too, and leave the figures alone (index ix_audit_log_action,
        # migration 0003)
        select(func.max(audit_log.c.audit_id))
        .where(audit_log.c.action.in_(FIGURE_ACTIONS)).scalar_subquery(),
        select(func.min(mart_response.c.response_id)).scalar_subquery(),
        select(func.max(mart_response.c.response_id)).scalar_subquery(),
        select(func.min(mart_pair.c.pseudonym)).scalar_subquery(),
        select(func.max(mart_pair.c.pseudonym)).scalar_subquery(),
    )


VERSION = _version_statement()


def warehouse_version(engine: Engine) -> tuple:
    """The version stamp of the warehouse now (see the module's docstring)."""
    from etl.db import reading

    with reading(engine) as conn:  # one statement: its own snapshot
        row = conn.execute(VERSION).one()
    return tuple(str(v) if v is not None and not isinstance(v, (int, str)) else v for v in row)


def version_for(engine: Engine) -> tuple:
    """Once per request (every query of a callback sees the same version), else each call."""
    from flask import g, has_request_context

    if not has_request_context():
        return warehouse_version(engine)
    versions = g.setdefault("_impact_cache_versions", {})
    url = _url(engine)
    if url not in versions:
        versions[url] = warehouse_version(engine)
    return versions[url]


def per_request(key, build):
    """`build()` once per request for `key` (hashable): what two figures of one callback
    share, on the request's one warehouse version; built at each call outside a request."""
    from flask import g, has_request_context

    if not has_request_context():
        return build()
    memo = g.setdefault("_impact_per_request", {})
    if key not in memo:
        memo[key] = build()
    return memo[key]


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


# ---- backends --------------------------------------------------------------------------------

@dataclass
class Stats:
    hits: int = 0
    misses: int = 0
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


class FigureCache:
    """One backend (cachelib: RedisCache or SimpleCache), a key prefix and hit counters."""

    def __init__(self, backend, prefix: str = DEFAULT_PREFIX, kind: str = "memory"):
        self.backend = backend
        self.prefix = prefix
        self.kind = kind
        self.stats = Stats()
        self._down_until = 0.0
        # cachelib's SimpleCache prunes by iterating over its dict: one thread at a time.
        self._lock = threading.Lock() if kind == "memory" else contextlib.nullcontext()

    def __repr__(self) -> str:
        return f"FigureCache({self.kind}, prefix={self.prefix!r})"

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, action: str, error: Exception) -> None:
        self.stats.count("errors")
        unreachable = isinstance(error, OSError) or type(error).__module__.startswith("redis")
        if not unreachable:  # a value that cannot be pickled, say: that entry only
            log.warning("figure cache (%s): %s failed (%s)", self.kind, action, error)
            return
        if self._available():
            log.warning("figure cache (%s): %s failed (%s); computing without it for %.0f s",
                        self.kind, action, error, RETRY_AFTER)
        self._down_until = time.monotonic() + RETRY_AFTER

    def get(self, key: str):
        if not self._available():
            return None
        try:
            with self._lock:
                return self.backend.get(key)
        except Exception as error:  # noqa: BLE001 - a cache failure must never fail a page
            self._failed("read", error)
            return None

    def set(self, key: str, value) -> None:
        if not self._available():
            return
        try:
            with self._lock:
                self.backend.set(key, value, timeout=TIMEOUT)
        except Exception as error:  # noqa: BLE001
            self._failed("write", error)

    def clear(self) -> None:
        """Forget every entry of this cache (its prefix only, on Redis)."""
        try:
            if self.kind == "redis":
                client = self.backend._write_client
                keys = list(client.scan_iter(match=f"{self.prefix}*", count=1000))
                for start in range(0, len(keys), 500):
                    client.delete(*keys[start:start + 500])
            else:
                with self._lock:
                    self.backend.clear()
        except Exception as error:  # noqa: BLE001
            self._failed("clear", error)


def prefix_of(settings) -> str:
    return settings.extra.get("cache_prefix") or settings.cache_prefix or DEFAULT_PREFIX


def make_cache(settings) -> FigureCache:
    """Redis when the settings have a REDIS_URL, else the memory of this process."""
    from cachelib import SimpleCache

    prefix = prefix_of(settings)
    if settings.redis_url:
        import redis
        from cachelib import RedisCache

        client = redis.Redis.from_url(settings.redis_url, socket_timeout=REDIS_SOCKET_TIMEOUT,
                                      socket_connect_timeout=REDIS_SOCKET_TIMEOUT)
        return FigureCache(RedisCache(host=client, key_prefix=prefix, default_timeout=TIMEOUT),
                           prefix, "redis")
    return FigureCache(SimpleCache(threshold=MEMORY_ENTRIES, default_timeout=TIMEOUT), prefix,
                       "memory")


# ---- which cache is in force -------------------------------------------------------------------

_forced: FigureCache | None = None


def init_app(server, settings=None) -> FigureCache:
    """Give the Flask server its figure cache; its requests use it from now on."""
    from etl.settings import get_settings

    figure_cache = make_cache(settings or get_settings())
    server.extensions[EXTENSION] = figure_cache
    log.info("figure cache: %r", figure_cache)
    return figure_cache


def active() -> FigureCache | None:
    """The cache the current call may use: the forced one (`enabled`), else the one of the app
    serving the current request, else none."""
    if _forced is not None:
        return _forced
    from flask import current_app, has_request_context

    if not has_request_context():
        return None
    return current_app.extensions.get(EXTENSION)


@contextlib.contextmanager
def enabled(figure_cache: FigureCache | None = None, settings=None):
    """Cache decorated calls outside a request too (benchmarks, tests): in the given cache, or a
    new one made from the settings."""
    global _forced
    from etl.settings import get_settings

    previous = _forced
    _forced = figure_cache or make_cache(settings or get_settings())
    try:
        yield _forced
    finally:
        _forced = previous


def clear() -> None:
    """Forget the entries of the cache in force (after editing warehouse rows in place)."""
    figure_cache = active()
    if figure_cache is not None:
        figure_cache.clear()


# ---- the decorator -------------------------------------------------------------------------

class Uncacheable(TypeError):
    """An argument the key cannot hold faithfully: the call runs uncached."""


def _plain(value):
    """An argument as it enters the key. A value that names its own key (the query layer's
    Filters and Scope: a `key` property) enters as that key, tagged with its kind."""
    if isinstance(getattr(type(value), "key", None), property):
        return (type(value).__name__.lower(), _plain(value.key))
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (tuple, list, frozenset, set)):
        items = [_plain(v) for v in value]
        return tuple(sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items()))
    raise Uncacheable(f"cannot key a cached call on a {type(value).__name__}")


def make_key(name: str, url: str, version: tuple, arguments: dict) -> str:
    material = repr((url, version, tuple(sorted(
        (param, _plain(value)) for param, value in arguments.items()))))
    return f"{name}:{hashlib.sha256(material.encode()).hexdigest()[:40]}"


def cached(function):
    """Cache the result of a query function (see the module's docstring). The function takes
    the filters and the scope (and maybe K, a language, a dimension...), optionally `engine`
    (default: the settings' warehouse) and `snapshot` (a call with one is never cached)."""
    signature = inspect.signature(function)
    name = f"{function.__module__.rsplit('.', 1)[-1]}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        figure_cache = active()
        if figure_cache is None:
            return function(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        if arguments.pop("snapshot", None) is not None:
            return function(*args, **kwargs)
        from etl.db import get_engine
        from etl.settings import get_settings

        engine = arguments.pop("engine", None) or get_engine()
        if "k" in arguments and arguments["k"] is None:
            arguments["k"] = get_settings().min_cell
        try:
            key = make_key(name, _url(engine), version_for(engine), arguments)
        except Uncacheable:
            return function(*args, **kwargs)
        value = figure_cache.get(key)
        if value is not None:
            figure_cache.stats.count("hits")
            return value
        figure_cache.stats.count("misses")
        value = function(*args, **kwargs)
        figure_cache.set(key, value)
        return value

    wrapper.uncached = function
    return wrapper

"""Structures derived from the warehouse (the awareness cubes, the overview's people, the
projects' arrays), kept in memory until the warehouse version changes: a load, an unload, an
erasure, an answer label mapped or unmapped, or a change of the marts' key ranges.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from etl.audit import FIGURE_ACTIONS
from etl.schema import audit_log, load_batch, mart_pair, mart_response


# Changes whenever the marts can have changed: a load or an unload (load_batch), an erasure
# or an answer label mapped or unmapped (a row of audit_log of etl.audit.FIGURE_ACTIONS;
# sign-ins and downloads leave the figures alone). Rows written
# into the marts by other means (tests, a manual refresh) are seen
# when they move the marts' key range; code that rewrites them in place calls clear_cache().
# Index lookups only: counting the marts' rows would cost 40 ms on PostgreSQL at national scale.
WAREHOUSE_VERSION = select(
    select(func.count()).select_from(load_batch).scalar_subquery(),
    select(func.max(load_batch.c.batch_id)).scalar_subquery(),
    select(func.count()).select_from(load_batch)
    .where(load_batch.c.status == "loaded").scalar_subquery(),
    select(func.max(load_batch.c.finished_at)).scalar_subquery(),
    select(func.max(audit_log.c.audit_id))
    .where(audit_log.c.action.in_(FIGURE_ACTIONS)).scalar_subquery(),
    select(func.min(mart_response.c.response_id)).scalar_subquery(),
    select(func.max(mart_response.c.response_id)).scalar_subquery(),
    select(func.min(mart_pair.c.pseudonym)).scalar_subquery(),
    select(func.max(mart_pair.c.pseudonym)).scalar_subquery(),
)


@dataclass
class _CachedCubes:
    version: tuple
    cubes: dict = field(default_factory=dict)


_CACHE: dict[str, _CachedCubes] = {}
_CACHE_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget the cubes (for code that rewrites mart rows in place, outside load/unload/forget)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def versioned(engine: Engine, name: str, build):
    """A structure derived from the warehouse (`build(conn)`), kept in memory until the
    warehouse version changes: a cube, or another module's index (the overview's people)."""
    key = engine.url.render_as_string(hide_password=True)
    version = _version(engine, key)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None or cached.version != version:
            cached = _CACHE[key] = _CachedCubes(version)
        found = cached.cubes.get(name)
    if found is None:
        with engine.connect() as conn:
            found = cached.cubes[name] = build(conn)
    return found


def _version(engine: Engine, key: str) -> tuple:
    """WAREHOUSE_VERSION, read once per request (a page asks for eight or nine structures:
    0.9 ms each on PostgreSQL), else at each call."""
    from flask import g, has_request_context

    def read() -> tuple:
        with engine.connect() as conn:
            return tuple(conn.execute(WAREHOUSE_VERSION).one())

    if not has_request_context():
        return read()
    versions = g.setdefault("_impact_structure_versions", {})
    if key not in versions:
        versions[key] = read()
    return versions[key]

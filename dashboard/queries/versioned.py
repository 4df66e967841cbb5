"""Structures derived from the warehouse (the awareness cubes, the overview's people, the
projects' arrays), kept in memory until the warehouse version changes (`dashboard.cache`): a
load, an unload, an erasure, an answer label mapped or unmapped, or a change of the marts' key
ranges.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from dashboard.cache import version_for


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
    warehouse version changes (`dashboard.cache.VERSION`, read once per request): a cube, or
    another module's index (the overview's people)."""
    key = engine.url.render_as_string(hide_password=True)
    version = version_for(engine)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None or cached.version != version:
            cached = _CACHE[key] = _CachedCubes(version)
        found = cached.cubes.get(name)
    if found is None:
        with engine.connect() as conn:
            found = cached.cubes[name] = build(conn)
    return found

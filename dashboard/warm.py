"""What a new warehouse version needs, built right after a load or an unload, not by its first
visitor.

A load, an unload or an erasure gives the warehouse a new version (dashboard/cache.py): the
figure cache's entries of the old version are never read again, and the structures each
process keeps per version (the awareness cubes, the overview's people, the projects and tour
arrays) are rebuilt on their first use. Without help, the first person to open a page after a
load pays for all of it (seconds at national scale). `warm` pays it instead:

- in the serving process, `start(app)` runs it in a background thread right after the load's
  or the unload's commit (dashboard/uploads.py): the structures are built in that process and
  the figures land in the app's figure cache, which Redis shares with every worker;
- `impact load`, `impact unload` and `impact forget` run it when REDIS_URL is set
  (`warm_shared_cache`): the web workers then find the figures in Redis.

What is warmed: for the national view and for the default view of every active funder and
school account (no filter, then the latest edition), the report's collection
(`collect.collect`, which runs the query functions of every page's snapshot figures) and the
page-only query functions the first screen of each page asks for. Other selections are
computed on demand, as before, from structures already built.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pending = {"again": False, "running": False}


def default_views(engine: Engine) -> list[tuple]:
    """(filters, scope) of the first screens: no filter, then the latest edition the scope
    may see, for staff and for each distinct scope of the active funder and school accounts."""
    from sqlalchemy import select

    from dashboard.queries.base import STAFF, Filters
    from dashboard.report.audience import UnknownAccount, scope_from_json
    from etl.schema import app_user, edition

    with engine.connect() as conn:
        editions = list(conn.scalars(select(edition.c.edition).order_by(edition.c.edition)))
        accounts = conn.execute(select(app_user.c.role, app_user.c.scope)
                                .where(app_user.c.is_active.is_(True),
                                       app_user.c.role.in_(("funder", "school")))).all()
    scopes = [STAFF]
    for role, text in accounts:
        try:
            scopes.append(scope_from_json(role, text))
        except UnknownAccount:  # an unreadable scope: that account's page says so itself
            continue
    views, seen = [], set()
    for scope in scopes:
        if scope.key in seen:
            continue
        seen.add(scope.key)
        allowed = [e for e in editions if not scope.editions or e in scope.editions]
        views.append((Filters(), scope))
        if allowed:
            views.append((Filters.of([allowed[-1]]), scope))
    return views


def warm(engine: Engine | None = None, k: int | None = None) -> dict:
    """Build what the new version needs (see the module's docstring); returns what it did:
    {"views": n, "seconds": s}. Figures go to the figure cache in force (a request of the
    app, `cache.enabled`); without one, only this process's structures are built."""
    from dashboard.queries import awareness, outcomes, overview
    from dashboard.queries.base import min_cell
    from dashboard.report import collect
    from etl.db import get_engine

    started = time.perf_counter()
    engine = engine or get_engine()
    k = k or min_cell()
    views = default_views(engine)
    for filters, scope in views:
        collect.collect(filters, scope, k, engine)
        collect.collect(filters, scope, k, engine, figures=collect.SHOWN)  # the report's page
        awareness.structures_named(filters, scope, k, engine)
        outcomes.in_use_by_tech(filters, scope, k, engine)
        overview.filter_options(scope, engine)
        if scope.full_view:
            outcomes.projects_table(filters, scope, k, engine)
    return {"views": len(views), "seconds": time.perf_counter() - started}


def warm_in_app(app) -> dict:
    """`warm` as one request of the app: its figure cache, one warehouse version throughout."""
    server = getattr(app, "server", app)
    with server.test_request_context("/"):
        return warm()


def start(app) -> threading.Thread | None:
    """Warm in a background thread of this process (after a load's or an unload's commit).
    A warm-up already running is asked to run once more when it ends, so the latest version
    is the one warmed; never two at once."""
    with _lock:
        if _pending["running"]:
            _pending["again"] = True
            return None
        _pending["running"] = True
    thread = threading.Thread(target=_run, args=(app,), daemon=True, name="impact-warm")
    thread.start()
    return thread


def _run(app) -> None:
    while True:
        try:
            done = warm_in_app(app)
            log.info("warmed %d views for the new data in %.1f s", done["views"],
                     done["seconds"])
        except Exception:  # noqa: BLE001 - a failed warm-up only leaves the work to visitors
            log.exception("warming the figures after a load failed")
        with _lock:
            if not _pending["again"]:
                _pending["running"] = False
                return
            _pending["again"] = False


def warm_shared_cache(engine: Engine, settings=None) -> dict | None:
    """From the command line: warm the shared Redis figure cache when there is one (a cache
    in this process's memory would die with it). None when there is no Redis."""
    from dashboard import cache
    from etl.settings import get_settings

    settings = settings or get_settings()
    if not settings.redis_url:
        return None
    with cache.enabled(cache.make_cache(settings)):
        return warm(engine)

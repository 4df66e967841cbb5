"""The public audience: what anybody may read of a published edition, without signing in.

Its report is the national one (no region, school or edition restriction) computed as for a
funder: the same publication units and small-cell rule (docs/disclosure.md), organisations'
follow-up answers hidden under K, no row-level data. Its role, "public", is no account's
role (`etl.schema.ROLES`), so no account can ever sign in with this scope, and its scope key
("public") is no account's key: the public page reads its own snapshots only.

Staff freeze it with every publication of an edition (`snapshots.publish_edition`, the page
"Rapport" and `impact report --publish`); the page never reads live data.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from dashboard.queries.base import Filters
from dashboard.report.audience import PUBLIC, PUBLIC_KEY
from etl.schema import published_snapshot


def publish(edition: str, *, actor: str | None, engine: Engine, k: int | None = None):
    """Freeze the public report of `edition` (a new snapshot, as every publication)."""
    from dashboard.report import collect, snapshots

    data = collect.collect(Filters.of([edition]), PUBLIC, k, engine)
    return snapshots.publish(data, actor=actor, engine=engine)


def versions(engine: Engine) -> list[tuple[str, int, str]]:
    """(edition, snapshot id, published at) of the latest public snapshot of every published
    edition, newest edition first: what the page shows, so what its ETag is made of."""
    latest = (select(published_snapshot.c.edition,
                     func.max(published_snapshot.c.snapshot_id).label("snapshot_id"))
              .where(published_snapshot.c.scope_key == PUBLIC_KEY)
              .group_by(published_snapshot.c.edition).subquery())
    query = (select(published_snapshot.c.edition, published_snapshot.c.snapshot_id,
                    published_snapshot.c.published_at)
             .join(latest, published_snapshot.c.snapshot_id == latest.c.snapshot_id)
             .order_by(published_snapshot.c.edition.desc()))
    with engine.connect() as conn:
        return [(edition, snapshot_id, str(at)) for edition, snapshot_id, at in conn.execute(query)]


def snapshots_of(found: list[tuple[str, int, str]], engine: Engine) -> list:
    """The snapshots `versions` named, read back (and checked against their hash)."""
    from dashboard.report import snapshots

    return [snapshots.by_id(snapshot_id, engine) for _edition, snapshot_id, _at in found]

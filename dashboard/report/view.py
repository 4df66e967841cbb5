"""What the page "Rapport" shows for a view: the live report, and the published one.

A funder or school account is shown the published version of a single edition when one exists
for its audience (the figures its board was sent); staff are shown the live figures. Both get
the snapshot too, so the page can say when the edition was published and what changed since.
Only a view within the account's scope finds a snapshot (`snapshots.for_view`), and what is
shown of it names no account (`snapshots.anonymous`: a snapshot published before snapshots
were stored anonymous may still carry the e-mail of the account it was collected for).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from dashboard.queries.base import Filters, Scope
from dashboard.report import collect, snapshots


@dataclass
class ReportView:
    data: dict                         # what the page and the PDF show
    live: dict                         # the live figures of the same view
    snapshot: snapshots.Snapshot | None  # the published version of the edition, if any
    shows_published: bool              # data is the snapshot's (funders and schools)

    @property
    def stamp(self) -> dict | None:
        return self.snapshot.stamp() if self.shows_published else None


def view_data(filters: Filters, scope: Scope, k: int,
              engine: Engine | None = None) -> ReportView:
    """The report of a view: live, and the published snapshot of a single edition when there
    is one (what funders and schools are shown)."""
    from etl.db import get_engine

    engine = engine or get_engine()
    snapshot = snapshots.for_view(filters, scope, engine)
    # Compared with a snapshot, the live report needs every figure (`snapshots.diff`);
    # otherwise only those it shows.
    live = collect.collect(filters, scope, k, engine,
                           figures="all" if snapshot is not None else collect.SHOWN)
    shows_published = snapshot is not None and not scope.full_view
    return ReportView(snapshots.anonymous(snapshot.data) if shows_published else live, live,
                      snapshot, shows_published)

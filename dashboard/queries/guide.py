"""Guide reach (DESIGN.md section 7): copies over time, by channel and audience, who received
it, the share of tour events where it was handed out, and conversion to projects.

A guide record belongs to the edition of its date and to its school (`school_id`). Its region
is the one written on it, else its school's, else its organisation's, else its event's
(`guide_region`); a record whose region cannot be known counts in totals only, and drops out
as soon as a region filter applies. Copies and records are not about people: nothing here is
suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from sqlalchemy import case, distinct, func, select

from dashboard.cache import cached
from dashboard.queries.base import Filters, Scope, effective, where
from dashboard.queries.outcomes import (
    ProjectIndex,
    frame_from_json,
    frame_to_json,
    iso_text,
    monthly_cumulative,
    project_index,
    ratio_pct,
    read_frame,
    stored,
)
from etl.db import get_engine
from etl.schema import GUIDE_AUDIENCES, guide_record, organisation, school, tour_event

guide_region = func.coalesce(guide_record.c.region_code, school.c.region_code,
                             organisation.c.region_code, tour_event.c.region_code)
GUIDE_ROWS = (guide_record
              .outerjoin(school, guide_record.c.school_id == school.c.school_id)
              .outerjoin(organisation, guide_record.c.org_id == organisation.c.org_id)
              .outerjoin(tour_event, guide_record.c.event_id == tour_event.c.event_id))
TIMELINE_COLUMNS = ["month", "channel", "records", "copies", "cumulative_copies",
                    "total_cumulative_copies"]
SNAPSHOT_KPIS = "guide_kpis"
SNAPSHOT_TIMELINE = "guide_timeline"
SNAPSHOT_AUDIENCE = "guide_by_audience"
SNAPSHOT_CONVERSION = "guide_conversion"


def guide_filters(f: Filters) -> list:
    return where(f, edition=guide_record.c.edition, school=guide_record.c.school_id,
                 region=guide_region)


def event_filters(f: Filters) -> list:
    """An event: the edition of its date, its region_code, the school named on it."""
    return where(f, edition=tour_event.c.edition, school=tour_event.c.school_id,
                 region=tour_event.c.region_code)


def select_guide(f: Filters, *columns):
    """SELECT columns FROM the records of the selection (joined to what gives their region)."""
    return select(*columns).select_from(GUIDE_ROWS).where(*guide_filters(f))


def _copies(channel: str | None = None):
    copies = guide_record.c.copies
    if channel is not None:
        copies = case((guide_record.c.channel == channel, copies), else_=0)
    return func.coalesce(func.sum(copies), 0)


@cached
def guide_kpis(filters: Filters, scope: Scope, k: int, engine=None,
               snapshot: Mapping | None = None) -> dict:
    """Copies (all, and per channel), records, recipients, and the events where it was given.

    `events_with_guide_pct`: among the tour events of the selection, the share named on at
    least one guide record (any record: the events of the selection are the population).
    """
    frozen = stored(snapshot, SNAPSHOT_KPIS)
    if frozen is not None:
        return dict(frozen)
    f = effective(filters, scope)
    totals = select_guide(
        f, _copies().label("copies"), _copies("download").label("downloads"),
        _copies("print").label("print_copies"), _copies("event").label("event_copies"),
        _copies("partner_mailing").label("mailing_copies"), func.count().label("records"),
        func.count(distinct(guide_record.c.school_id)).label("schools_reached"),
        func.count(distinct(guide_record.c.org_id)).label("organisations_reached"))
    selected_events = select(tour_event.c.event_id).where(*event_filters(f))
    events = select(
        select(func.count()).select_from(selected_events.subquery()).scalar_subquery()
        .label("events"),
        # guide_record.event_id has no index: one pass over the records, not one per event.
        select(func.count(distinct(guide_record.c.event_id)))
        .where(guide_record.c.event_id.in_(selected_events)).scalar_subquery()
        .label("events_with_guide"))
    with (engine or get_engine()).connect() as conn:
        kpis = {name: int(value) for statement in (totals, events)
                for name, value in conn.execute(statement).one()._mapping.items()}
    kpis["events_with_guide_pct"] = ratio_pct(kpis["events_with_guide"], kpis["events"])
    return kpis


@cached
def guide_timeline(filters: Filters, scope: Scope, k: int, engine=None,
                   snapshot: Mapping | None = None) -> pd.DataFrame:
    """Records and copies per month ('YYYY-MM') and channel, with the cumulative copies of each
    channel (`cumulative_copies`) and of all (`total_cumulative_copies`).

    Every month between the first and the last record appears for every channel present, so
    that stacked cumulative areas add up month by month.
    """
    frozen = stored(snapshot, SNAPSHOT_TIMELINE)
    if frozen is not None:
        return frame_from_json(frozen)
    month = func.substr(iso_text(guide_record.c.date), 1, 7)
    statement = (select_guide(effective(filters, scope), month.label("month"),
                              guide_record.c.channel, func.count().label("records"),
                              _copies().label("copies"))
                 .group_by(month, guide_record.c.channel))
    with (engine or get_engine()).connect() as conn:
        monthly = read_frame(conn, statement)
    frame = monthly_cumulative(monthly, "channel", ["records", "copies"])
    return frame.reindex(columns=TIMELINE_COLUMNS)


@cached
def guide_by_audience(filters: Filters, scope: Scope, k: int, engine=None,
                      snapshot: Mapping | None = None) -> pd.DataFrame:
    """Records and copies per audience (all five audiences, in vocabulary order)."""
    frozen = stored(snapshot, SNAPSHOT_AUDIENCE)
    if frozen is not None:
        return frame_from_json(frozen)
    statement = (select_guide(effective(filters, scope), guide_record.c.audience, func.count(),
                              _copies()).group_by(guide_record.c.audience))
    with (engine or get_engine()).connect() as conn:
        counts = {audience: (int(records), int(copies))
                  for audience, records, copies in conn.execute(statement).all()}
    return pd.DataFrame({
        "audience": list(GUIDE_AUDIENCES),
        "records": [counts.get(a, (0, 0))[0] for a in GUIDE_AUDIENCES],
        "copies": [counts.get(a, (0, 0))[1] for a in GUIDE_AUDIENCES],
    })


@cached
def guide_conversion(filters: Filters, scope: Scope, k: int, engine=None,
                     snapshot: Mapping | None = None) -> dict:
    """Among the schools and organisations named on the selection's guide records, those with a
    project (any status: a submitted one counts) dated within 12 months after their first record
    of the selection, both days included. A project's date is its start_date, else
    1 September of its edition; projects count whatever the filters.

    Returns {"schools": {...}, "organisations": {...}}, each with recipients, converted and
    share_pct (None when nobody received the guide).
    """
    frozen = stored(snapshot, SNAPSHOT_CONVERSION)
    if frozen is not None:
        return {key: dict(value) for key, value in frozen.items()}
    f = effective(filters, scope)
    engine = engine or get_engine()
    index = project_index(engine)
    with engine.connect() as conn:
        return {"schools": _converted(conn, f, guide_record.c.school_id, index.dates_by_school),
                "organisations": _converted(conn, f, guide_record.c.org_id, index.dates_by_org)}


def _converted(conn, f: Filters, recipient, project_dates: Mapping[str, list[str]]) -> dict:
    """Recipients of the selection's records, and those with a project date within 12 months
    after their first record of the selection (`ProjectIndex`: every project counts)."""
    first = conn.execute(
        select_guide(f, recipient, func.min(iso_text(guide_record.c.date)))
        .where(recipient.is_not(None)).group_by(recipient)).all()
    converted = sum(ProjectIndex.has_date_within_year(project_dates.get(key, ()), first_record)
                    for key, first_record in first)
    return {"recipients": len(first), "converted": int(converted),
            "share_pct": ratio_pct(converted, len(first))}


def snapshot_figures(filters: Filters, scope: Scope, k: int, engine=None) -> dict:
    """Every published figure of this module as JSON-ready data, keyed as `snapshot` reads."""
    return {
        SNAPSHOT_KPIS: guide_kpis(filters, scope, k, engine),
        SNAPSHOT_TIMELINE: frame_to_json(guide_timeline(filters, scope, k, engine)),
        SNAPSHOT_AUDIENCE: frame_to_json(guide_by_audience(filters, scope, k, engine)),
        SNAPSHOT_CONVERSION: guide_conversion(filters, scope, k, engine),
    }

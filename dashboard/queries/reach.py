"""Tour de France reach (DESIGN.md section 7): events, places, schools and people reached, the
guide's copies per region, and the conversion of reached schools and regions into projects.

An event belongs to the edition of its date (`tour_event.edition`), to the region of its
`region_code` and to the school named on it. Attendee counts are event head counts, not data
about identifiable people: they are shown as they are, never suppressed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
from sqlalchemy import distinct, func, select
from sqlalchemy.engine import Connection

from dashboard.cache import cached
from dashboard.queries.base import NOTHING, Filters, Scope, effective
from dashboard.queries.guide import event_filters, guide_region, select_guide
from dashboard.queries.outcomes import (
    ProjectIndex,
    frame_from_json,
    frame_to_json,
    iso_text,
    monthly_cumulative,
    next_edition,
    per_region,
    project_index,
    ratio_pct,
    read_frame,
    regions_frame,
    stored,
    year_after_text,
)
from etl.db import get_engine
from etl.schema import guide_record, tour_event

EXPORT_COLUMNS = [
    "region_code", "region_name", "events", "cities", "schools_reached", "attendees",
    "students_attending", "organisations_attending", "guide_copies", "guide_recipients_schools",
]
TIMELINE_COLUMNS = ["month", "event_type", "events", "attendees", "cumulative_events",
                    "cumulative_attendees", "total_cumulative_events",
                    "total_cumulative_attendees"]
REGIONS_TOTAL = 18
SNAPSHOT_EXPORT = "reach"
SNAPSHOT_KPIS = "reach_kpis"
SNAPSHOT_TIMELINE = "reach_timeline"
SNAPSHOT_CONVERSION = "reach_conversion"
city = func.trim(tour_event.c.city)


def _sum(column):
    return func.coalesce(func.sum(column), 0)


def _event_figures():
    return [
        func.count().label("events"),
        func.count(distinct(tour_event.c.school_id)).label("schools_reached"),
        _sum(tour_event.c.attendees).label("attendees"),
        _sum(tour_event.c.students_attending).label("students_attending"),
        _sum(tour_event.c.organisations_attending).label("organisations_attending"),
    ]


@cached
def export_table(filters: Filters, scope: Scope, k: int, engine=None,
                 snapshot: Mapping | None = None) -> pd.DataFrame:
    """One row per region (all 18, code order): the `impact export reach` table.

    `cities` are the distinct city names (trimmed) of the region's events; `guide_copies` and
    `guide_recipients_schools` come from the guide records whose region is known (see
    `guide.guide_region`).
    """
    frozen = stored(snapshot, SNAPSHOT_EXPORT)
    if frozen is not None:
        return frame_from_json(frozen)
    f = effective(filters, scope)
    events = (select(tour_event.c.region_code,
                     func.count(distinct(city)).label("cities"), *_event_figures())
              .where(*event_filters(f)).group_by(tour_event.c.region_code))
    guide = (select_guide(f, guide_region.label("region_code"),
                          _sum(guide_record.c.copies).label("guide_copies"),
                          func.count(distinct(guide_record.c.school_id))
                          .label("guide_recipients_schools"))
             .where(guide_region.is_not(None)).group_by(guide_region))
    with (engine or get_engine()).connect() as conn:
        rows = read_frame(conn, events).merge(read_frame(conn, guide), on="region_code",
                                              how="outer")
    return per_region(rows, EXPORT_COLUMNS[2:])[EXPORT_COLUMNS]


@cached
def reach_kpis(filters: Filters, scope: Scope, k: int, engine=None,
               snapshot: Mapping | None = None) -> dict:
    """Headline figures of the selection's events.

    `schools_reached` counts distinct schools over the selection (a school met in two regions
    counts once); `cities` counts distinct (region, city) pairs, so that the figure is the sum
    of the regions' and two homonyms (Saint-Denis in Île-de-France and in La Réunion) stay two.
    """
    frozen = stored(snapshot, SNAPSHOT_KPIS)
    if frozen is not None:
        return dict(frozen)
    statement = select(
        *_event_figures(),
        func.count(distinct(tour_event.c.region_code)).label("regions_covered"),
        func.count(distinct(tour_event.c.region_code + "|" + city)).label("cities"),
    ).select_from(tour_event).where(*event_filters(effective(filters, scope)))
    with (engine or get_engine()).connect() as conn:
        kpis = {name: int(value) for name, value in conn.execute(statement).one()._mapping.items()}
    kpis["regions_total"] = REGIONS_TOTAL
    return kpis


@cached
def timeline(filters: Filters, scope: Scope, k: int, engine=None,
             snapshot: Mapping | None = None) -> pd.DataFrame:
    """Events and attendees per month ('YYYY-MM') and event type, with cumulative sums.

    `cumulative_events` and `cumulative_attendees` run within each event type;
    `total_cumulative_events` and `total_cumulative_attendees` over all types. Every month
    from the first event to the last appears for every type present (zeros included), so that
    cumulative lines and stacked areas have no gaps.
    """
    frozen = stored(snapshot, SNAPSHOT_TIMELINE)
    if frozen is not None:
        return frame_from_json(frozen)
    month = func.substr(iso_text(tour_event.c.date), 1, 7)
    statement = (select(month.label("month"), tour_event.c.event_type,
                        func.count().label("events"),
                        _sum(tour_event.c.attendees).label("attendees"))
                 .where(*event_filters(effective(filters, scope)))
                 .group_by(month, tour_event.c.event_type))
    with (engine or get_engine()).connect() as conn:
        monthly = read_frame(conn, statement)
    return monthly_cumulative(monthly, "event_type", ["events", "attendees"])[TIMELINE_COLUMNS]


# ---- conversion --------------------------------------------------------------------------------

@cached
def conversion(filters: Filters, scope: Scope, k: int, engine=None,
               snapshot: Mapping | None = None) -> dict:
    """Did the tour lead to projects? Three views of the selection's events.

    - `by_edition` (DataFrame): for each selected edition (else each edition of the selected
      events) E, the schools named on an event of E, and those with at least one project
      (any status) of E or E+1, with the share in percent. Projects of E+1 count even when E+1
      is outside the edition filter: that is the definition.
    - `by_region` (DataFrame, 18 rows): the date of the region's first event in the selection
      and `new_organisations`, the organisations of the region whose first project ever
      (earliest project date: start_date, else 1 September of its edition) falls within
      [first event, first event + 12 months]. With a school filter, only organisations whose
      first project was with a selected school count.
    - `funnel` (dict): events -> schools reached -> schools with a project in E or E+1 (for an
      E in which an event named them) -> delivered projects of those schools in those editions.
    """
    frozen = stored(snapshot, SNAPSHOT_CONVERSION)
    if frozen is not None:
        return {"by_edition": frame_from_json(frozen["by_edition"], {"share_pct": "float64"}),
                "by_region": frame_from_json(frozen["by_region"], {"first_event_date": "date"}),
                "funnel": dict(frozen["funnel"])}
    f = effective(filters, scope)
    engine = engine or get_engine()
    index = project_index(engine)
    with engine.connect() as conn:
        pairs = set(conn.execute(select(tour_event.c.school_id, tour_event.c.edition)
                                 .where(tour_event.c.school_id.is_not(None), *event_filters(f))
                                 .distinct()).all())
        events = conn.execute(select(func.count()).select_from(tour_event)
                              .where(*event_filters(f))).scalar_one()
        by_region = _new_organisations(conn, f, index)
    projects = index.delivered
    return {"by_edition": _schools_by_edition(pairs, projects, f),
            "by_region": by_region,
            "funnel": _funnel(int(events), pairs, projects)}


def _windows(pairs) -> set[tuple[str, str]]:
    """The (school, edition) pairs where a project converts a school reached in an edition."""
    return {(school_id, e) for school_id, edition in pairs
            for e in (edition, next_edition(edition))}


def _schools_by_edition(pairs: set, projects: dict, f: Filters) -> pd.DataFrame:
    chosen = [e for e in f.editions if e != NOTHING]
    rows = []
    for edition in chosen or sorted({e for _, e in pairs}):
        reached = {school_id for school_id, e in pairs if e == edition}
        converted = {school_id for school_id, e in _windows({(s, edition) for s in reached})
                     if (school_id, e) in projects}
        rows.append({"edition": edition, "schools_reached": len(reached),
                     "schools_with_project": len(converted),
                     "share_pct": ratio_pct(len(converted), len(reached))})
    return pd.DataFrame(rows, columns=["edition", "schools_reached", "schools_with_project",
                                       "share_pct"])


def _funnel(events: int, pairs: set, projects: dict) -> dict:
    windows = _windows(pairs) & projects.keys()
    return {"events": events,
            "schools_reached": len({school_id for school_id, _ in pairs}),
            "schools_with_project": len({school_id for school_id, _ in windows}),
            # A project has one school and one edition: the windows' counts do not overlap.
            "projects_delivered": sum(projects[window] for window in windows)}


def _new_organisations(conn: Connection, f: Filters, index: ProjectIndex) -> pd.DataFrame:
    """Per region, the organisations of the region whose first project ever falls within 12
    months after the region's first event of the selection; with a school filter, only those
    whose first project was with a selected school (`ProjectIndex.first_project`)."""
    first_dates = dict(conn.execute(
        select(tour_event.c.region_code, func.min(iso_text(tour_event.c.date)))
        .where(*event_filters(f)).group_by(tour_event.c.region_code)).all())
    schools = set(f.schools)
    counts: dict[str, int] = {}
    for first_date, region_code, first_schools in index.first_project.values():
        start = first_dates.get(region_code)
        if start is None or not start <= first_date <= year_after_text(start):
            continue
        if schools and not schools & first_schools:
            continue
        counts[region_code] = counts.get(region_code, 0) + 1
    frame = regions_frame()
    frame["first_event_date"] = [dt.date.fromisoformat(first_dates[code])
                                 if code in first_dates else None
                                 for code in frame["region_code"]]
    frame["new_organisations"] = [int(counts.get(code, 0)) for code in frame["region_code"]]
    return frame


def snapshot_figures(filters: Filters, scope: Scope, k: int, engine=None) -> dict:
    """Every published figure of this module as JSON-ready data, keyed as `snapshot` reads."""
    converted = conversion(filters, scope, k, engine)
    return {
        SNAPSHOT_EXPORT: frame_to_json(export_table(filters, scope, k, engine)),
        SNAPSHOT_KPIS: reach_kpis(filters, scope, k, engine),
        SNAPSHOT_TIMELINE: frame_to_json(timeline(filters, scope, k, engine)),
        SNAPSHOT_CONVERSION: {"by_edition": frame_to_json(converted["by_edition"]),
                              "by_region": frame_to_json(converted["by_region"]),
                              "funnel": converted["funnel"]},
    }

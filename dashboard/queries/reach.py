"""Tour de France reach (DESIGN.md section 7): events, places, schools and people reached, the
guide's copies per region, and the conversion of reached schools and regions into projects.

An event belongs to the edition of its date (`tour_event.edition`), to the region of its
`region_code` and to the school named on it. Attendee counts are event head counts, not data
about identifiable people: they are shown as they are, never suppressed.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Mapping

import numpy as np
import pandas as pd

from dashboard.cache import cached
from dashboard.queries.base import NOTHING, Filters, Scope, effective
from dashboard.queries.guide import (
    EVENT_SUMS,
    TourData,
    distinct_count,
    grouped,
    total_by,
    tour_data,
)
from dashboard.queries.dates import (
    ProjectIndex, monthly_cumulative, next_edition, year_after_text)
from dashboard.queries.frames import (
    chosen_parts, frame_from_json, frame_to_json, ratio_pct, stored)
from etl import reference
from etl.db import get_engine

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

# The events and the guide's records are counted in memory (`guide.TourData`, per warehouse
# version): the figures are those of the SQL the docstrings describe. A city is its name
# trimmed (`guide.EVENT_COLUMNS`).


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
    data = tour_data(engine or get_engine())
    codes, keep = data.event_codes, data.select_events(f)
    region = codes["region_code"]
    groups, size = region.codes[keep], len(region.values)
    known = groups >= 0  # a region always, on an event
    groups = groups[known]
    figures = {
        "events": np.bincount(groups, minlength=size),
        "cities": distinct_count(groups, codes["city"].codes[keep][known], size),
        "schools_reached": distinct_count(groups, codes["school_id"].codes[keep][known], size),
        **{name: total_by(groups, data.events[name][keep][known], size) for name in EVENT_SUMS},
    }
    codes, keep = data.record_codes, data.select_records(f)
    region = codes["region_code"]
    groups, size = region.codes[keep], len(region.values)
    known = groups >= 0  # records whose region is unknown count in totals only
    groups = groups[known]
    figures["guide_copies"] = total_by(groups, data.records["copies"][keep][known], size)
    figures["guide_recipients_schools"] = distinct_count(
        groups, codes["school_id"].codes[keep][known], size)
    regions = reference.regions()  # the first codes of a region, in this order
    return pd.DataFrame({
        "region_code": list(regions), "region_name": list(regions.values()),
        **{name: figures[name][:len(regions)].astype(np.int64) for name in EXPORT_COLUMNS[2:]}})


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
    data = tour_data(engine or get_engine())
    codes, keep = data.event_codes, data.select_events(effective(filters, scope))
    regions, schools = codes["region_code"].codes[keep], codes["school_id"].codes[keep]
    known = regions >= 0
    kpis = {"events": int(keep.sum()),
            "schools_reached": int(np.unique(schools[schools >= 0]).size),
            **{name: int(data.events[name][keep].sum()) for name in EVENT_SUMS},
            "regions_covered": int(np.unique(regions[known]).size),
            # distinct (region, city) pairs: the regions' distinct cities, added up
            "cities": int(distinct_count(regions[known], codes["city"].codes[keep][known],
                                         len(codes["region_code"].values)).sum())}
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
    data = tour_data(engine or get_engine())
    keep = data.select_events(effective(filters, scope))
    monthly = grouped(data.event_codes["month"], keep, data.event_codes["event_type"],
                      data.events["attendees"])
    return monthly_cumulative({"month": monthly["month"], "event_type": monthly["key"],
                               "events": monthly["rows"], "attendees": monthly["sum_0"]},
                              "event_type", ["events", "attendees"], TIMELINE_COLUMNS)


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
    data = tour_data(engine or get_engine())
    index = data.index
    keep = data.select_events(f)
    codes = data.event_codes
    named = keep & (codes["school_id"].codes >= 0)
    pairs = set(zip((codes["school_id"].values[c] for c in codes["school_id"].codes[named]),
                    (codes["edition"].values[c] for c in codes["edition"].codes[named])))
    projects = index.delivered
    return {"by_edition": _schools_by_edition(pairs, projects, f),
            "by_region": _new_organisations(_first_dates(data, keep), f, index),
            "funnel": _funnel(int(keep.sum()), pairs, projects)}


def _windows(pairs) -> set[tuple[str, str]]:
    """The (school, edition) pairs where a project converts a school reached in an edition."""
    following = {edition: next_edition(edition) for edition in {e for _, e in pairs}}
    return {(school_id, e) for school_id, edition in pairs
            for e in (edition, following[edition])}


def _schools_by_edition(pairs: set, projects: dict, f: Filters) -> pd.DataFrame:
    chosen = [e for e in f.editions if e != NOTHING]
    reached_in: dict[str, set] = {}
    for school_id, edition in pairs:
        reached_in.setdefault(edition, set()).add(school_id)
    rows = []
    for edition in chosen or sorted(reached_in):
        reached = reached_in.get(edition, set())
        following = next_edition(edition)
        converted = {school_id for school_id in reached if (school_id, edition) in projects
                     or (school_id, following) in projects}
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


def _first_dates(data: TourData, keep: np.ndarray) -> dict[str, str]:
    """Region -> ISO date of its first event among the kept ones."""
    rows = data.events["by_date"]
    rows = rows[keep[rows]]  # the kept events, in date order
    region = data.event_codes["region_code"]
    codes, first = np.unique(region.codes[rows], return_index=True)
    dates = data.events["date"]
    return {region.values[code]: dates[rows[i]]
            for code, i in zip(codes.tolist(), first.tolist()) if code >= 0}


def _new_organisations(first_dates: Mapping[str, str], f: Filters,
                       index: ProjectIndex) -> pd.DataFrame:
    """Per region, the organisations of the region whose first project ever falls within 12
    months after the region's first event of the selection (`first_dates`); with a school
    filter, only those whose first project was with a selected school
    (`ProjectIndex.first_project`)."""
    schools = set(f.schools)
    regions = reference.regions()
    counts = []
    for code in regions:
        start = first_dates.get(code)
        dates, first_schools = index.first_by_region.get(code, ((), ()))
        if start is None or not dates:
            counts.append(0)
            continue
        low, high = bisect_left(dates, start), bisect_right(dates, year_after_text(start))
        counts.append(high - low if not schools else
                      sum(1 for chosen in first_schools[low:high] if schools & chosen))
    return pd.DataFrame({
        "region_code": list(regions), "region_name": list(regions.values()),
        "first_event_date": [dt.date.fromisoformat(first_dates[code]) if code in first_dates
                             else None for code in regions],
        "new_organisations": counts})


def snapshot_figures(filters: Filters, scope: Scope, k: int, engine=None, keys=None) -> dict:
    """Every published figure of this module as JSON-ready data, keyed as `snapshot` reads
    (`keys`: only those figures)."""
    args = (filters, scope, k, engine)

    def converted() -> dict:
        figures = conversion(*args)
        return {"by_edition": frame_to_json(figures["by_edition"]),
                "by_region": frame_to_json(figures["by_region"]), "funnel": figures["funnel"]}
    return chosen_parts({
        SNAPSHOT_EXPORT: lambda: frame_to_json(export_table(*args)),
        SNAPSHOT_KPIS: lambda: reach_kpis(*args),
        SNAPSHOT_TIMELINE: lambda: frame_to_json(timeline(*args)),
        SNAPSHOT_CONVERSION: converted,
    }, keys)

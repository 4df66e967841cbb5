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
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from dashboard.cache import cached
from dashboard.queries.base import Filters, Scope, effective, where
from dashboard.queries.dates import ProjectIndex, iso_text, monthly_cumulative, project_index
from dashboard.queries.frames import (
    chosen_parts, frame_from_json, frame_to_json, ratio_pct, stored)
from dashboard.queries.versioned import versioned
from etl import reference
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


# ---- the events and the records in memory ------------------------------------------------------
#
# The tour's events and the guide's records are a few thousand rows at national scale: held as
# arrays once per warehouse version (`dashboard.queries.versioned`), a selection's figures are
# counts over a mask (numpy, well under a millisecond each) instead of a dozen grouped statements
# at each filter change, the guide's ones over a four-table join (2 to 5 ms each on SQLite, more
# on PostgreSQL). What each column holds is what the SQL of `event_filters`, `guide_region` and
# `iso_text` gives, read by that SQL once.

EVENT_COLUMNS = {
    "event_id": tour_event.c.event_id, "edition": tour_event.c.edition,
    "school_id": tour_event.c.school_id, "region_code": tour_event.c.region_code,
    "date": iso_text(tour_event.c.date), "event_type": tour_event.c.event_type,
    "city": func.trim(tour_event.c.city), "attendees": tour_event.c.attendees,
    "students_attending": tour_event.c.students_attending,
    "organisations_attending": tour_event.c.organisations_attending,
}
RECORD_COLUMNS = {
    "edition": guide_record.c.edition, "school_id": guide_record.c.school_id,
    "org_id": guide_record.c.org_id, "region_code": guide_region,
    "date": iso_text(guide_record.c.date), "channel": guide_record.c.channel,
    "audience": guide_record.c.audience, "copies": guide_record.c.copies,
}
EVENT_SUMS = ("attendees", "students_attending", "organisations_attending")


class Codes:
    """A column of values as integer codes (-1 for NULL) and the values the codes stand for."""

    def __init__(self, values, known: list | None = None):
        self.values = list(known or [])
        at = {value: i for i, value in enumerate(self.values)}
        codes = []
        for value in values:
            if value is None:
                codes.append(-1)
            else:
                if value not in at:
                    at[value] = len(self.values)
                    self.values.append(value)
                codes.append(at[value])
        self.at = at
        self.codes = np.asarray(codes, dtype=np.int64)

    def isin(self, wanted) -> np.ndarray:
        """Rows whose value is one of `wanted` (SQL's IN: NULL is in nothing)."""
        return np.isin(self.codes, [self.at[v] for v in wanted if v in self.at])


def _select(codes: Mapping[str, Codes], f: Filters) -> np.ndarray:
    """The rows the filters keep, as `where` (edition, school_id, region_code)."""
    keep = np.ones(len(codes["edition"].codes), dtype=bool)
    for values, name in ((f.editions, "edition"), (f.schools, "school_id"),
                         (f.regions, "region_code")):
        if values:
            keep &= codes[name].isin(values)
    return keep


def distinct_count(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Per group (codes 0 to size - 1), the distinct values (codes, -1: NULL, not counted)."""
    known = values >= 0
    span = int(values.max(initial=0)) + 1
    pairs = np.unique(groups[known] * span + values[known])
    return np.bincount(pairs // span, minlength=size)


def total_by(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Per group, the sum of integer `values` (exact: float sums of integers under 2**53)."""
    return np.rint(np.bincount(groups, weights=values, minlength=size)).astype(np.int64)


@dataclass(frozen=True)
class TourData:
    """Every event (`events`) and guide record (`records`): the filters' and the figures' columns
    as codes (`Codes`: `event_codes`, `record_codes`) or int64 arrays. The first 18 codes of a
    region are the 18 regions in code order.

    Events: `has_guide`, named on a guide record; `by_date`, the rows in date order. Records:
    `school_converts` and `org_converts`, whether the record's school (organisation) has a
    project dated within 12 months after the record's date (`ProjectIndex`: a recipient
    converts when its first record of a selection does); `by_school` and `by_org`, the rows
    with a school (an organisation), by recipient then date. `index`: the projects' index it
    was built with (of the same warehouse version)."""

    events: Mapping[str, np.ndarray]
    event_codes: Mapping[str, Codes]
    records: Mapping[str, np.ndarray]
    record_codes: Mapping[str, Codes]
    index: ProjectIndex

    @classmethod
    def build(cls, conn: Connection, index: ProjectIndex) -> "TourData":
        regions = list(reference.regions())
        events = _columns(conn, EVENT_COLUMNS)
        records = _columns(conn, RECORD_COLUMNS, GUIDE_ROWS)
        event_codes = {name: Codes(events[name], regions if name == "region_code" else None)
                       for name in ("edition", "school_id", "region_code", "event_type",
                                    "city")}
        event_codes["month"] = Codes([date[:7] for date in events["date"]])
        record_codes = {name: Codes(records[name], regions if name == "region_code" else None)
                        for name in ("edition", "school_id", "org_id", "region_code",
                                     "channel", "audience")}
        record_codes["month"] = Codes([date[:7] for date in records["date"]])
        guided = {event_id for (event_id,) in conn.execute(
            select(guide_record.c.event_id).where(guide_record.c.event_id.is_not(None))
            .distinct())}
        dates = records["date"]
        converts = {
            recipient: np.asarray([
                key is not None and ProjectIndex.has_date_within_year(
                    project_dates.get(key, ()), date)
                for key, date in zip(records[recipient], dates)], dtype=bool)
            for recipient, project_dates in (("school_id", index.dates_by_school),
                                             ("org_id", index.dates_by_org))}
        return cls(
            events={
                "date": np.asarray(events["date"], dtype=object),
                "has_guide": np.asarray([e in guided for e in events["event_id"]], dtype=bool),
                "by_date": np.asarray(sorted(range(len(events["date"])),
                                             key=events["date"].__getitem__), dtype=np.int64),
                **{name: np.asarray([0 if v is None else int(v) for v in events[name]],
                                    dtype=np.int64) for name in EVENT_SUMS}},
            event_codes=event_codes,
            records={
                "date": np.asarray(dates, dtype=object),
                "copies": np.asarray([int(v) for v in records["copies"]], dtype=np.int64),
                "school_converts": converts["school_id"], "org_converts": converts["org_id"],
                **{f"by_{name}": _by_recipient(record_codes[key].codes, dates)
                   for name, key in (("school", "school_id"), ("org", "org_id"))}},
            record_codes=record_codes, index=index)

    def select_events(self, f: Filters) -> np.ndarray:
        return _select(self.event_codes, f)

    def select_records(self, f: Filters) -> np.ndarray:
        return _select(self.record_codes, f)


def _columns(conn: Connection, columns: Mapping, source=None) -> dict[str, list]:
    statement = select(*(column.label(name) for name, column in columns.items()))
    rows = conn.execute(statement if source is None else statement.select_from(source)).all()
    values = list(zip(*rows)) if rows else [()] * len(columns)
    return {name: list(column) for name, column in zip(columns, values)}


def _by_recipient(codes: np.ndarray, dates: list) -> np.ndarray:
    """The rows with a recipient (code >= 0), by recipient, then date."""
    rows = [i for i in range(len(codes)) if codes[i] >= 0]
    return np.asarray(sorted(rows, key=lambda i: (codes[i], dates[i])), dtype=np.int64)


def tour_data(engine: Engine) -> TourData:
    return versioned(engine, "tour_data",
                     lambda conn: TourData.build(conn, project_index(conn.engine)))


# ---- the figures -------------------------------------------------------------------------------

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
    data = tour_data(engine or get_engine())
    keep = data.select_records(f)
    codes = data.record_codes
    copies = data.records["copies"][keep]
    channel = codes["channel"]
    by_channel = total_by(channel.codes[keep], copies, len(channel.values))
    events = data.select_events(f)
    kpis = {"copies": int(copies.sum()),
            **{name: int(by_channel[channel.at[c]]) if c in channel.at else 0
               for name, c in (("downloads", "download"), ("print_copies", "print"),
                               ("event_copies", "event"), ("mailing_copies", "partner_mailing"))},
            "records": int(keep.sum()),
            "schools_reached": _distinct(codes["school_id"].codes[keep]),
            "organisations_reached": _distinct(codes["org_id"].codes[keep]),
            "events": int(events.sum()),
            "events_with_guide": int((events & data.events["has_guide"]).sum())}
    kpis["events_with_guide_pct"] = ratio_pct(kpis["events_with_guide"], kpis["events"])
    return kpis


def _distinct(codes: np.ndarray) -> int:
    """Distinct values among codes (-1, NULL, not counted)."""
    return int(np.unique(codes[codes >= 0]).size)


def grouped(groups: Codes, keep: np.ndarray, by: Codes, *values: np.ndarray) -> dict[str, list]:
    """The rows kept, grouped by two codings (month and `by`): per group with rows, its two
    values, its number of rows (`rows`) and the sums of `values` (`sum_0`...), as lists: what
    `GROUP BY month, by` gives."""
    first, second = groups.codes[keep], by.codes[keep]
    span = len(by.values)
    pairs = first * span + second
    size = len(groups.values) * span
    count = np.bincount(pairs, minlength=size)
    present = np.flatnonzero(count)
    columns = {"month": [groups.values[p // span] for p in present.tolist()],
               "key": [by.values[p % span] for p in present.tolist()],
               "rows": count[present].tolist()}
    for i, value in enumerate(values):
        columns[f"sum_{i}"] = total_by(pairs, value[keep], size)[present].tolist()
    return columns


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
    data = tour_data(engine or get_engine())
    keep = data.select_records(effective(filters, scope))
    codes = data.record_codes
    monthly = grouped(codes["month"], keep, codes["channel"], data.records["copies"])
    return monthly_cumulative({"month": monthly["month"], "channel": monthly["key"],
                               "records": monthly["rows"], "copies": monthly["sum_0"]},
                              "channel", ["records", "copies"], TIMELINE_COLUMNS)


@cached
def guide_by_audience(filters: Filters, scope: Scope, k: int, engine=None,
                      snapshot: Mapping | None = None) -> pd.DataFrame:
    """Records and copies per audience (all five audiences, in vocabulary order)."""
    frozen = stored(snapshot, SNAPSHOT_AUDIENCE)
    if frozen is not None:
        return frame_from_json(frozen)
    data = tour_data(engine or get_engine())
    keep = data.select_records(effective(filters, scope))
    audience = data.record_codes["audience"]
    size = len(audience.values)
    records = np.bincount(audience.codes[keep], minlength=size)
    copies = total_by(audience.codes[keep], data.records["copies"][keep], size)
    rows = [audience.at.get(a) for a in GUIDE_AUDIENCES]
    return pd.DataFrame({
        "audience": list(GUIDE_AUDIENCES),
        "records": [0 if row is None else int(records[row]) for row in rows],
        "copies": [0 if row is None else int(copies[row]) for row in rows],
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
    data = tour_data(engine or get_engine())
    keep = data.select_records(effective(filters, scope))
    return {"schools": _converted(data, keep, "school"),
            "organisations": _converted(data, keep, "org")}


def _converted(data: TourData, keep: np.ndarray, recipient: str) -> dict:
    """Recipients of the selection's records, and those whose first record of the selection
    converts (`TourData`: a project dated within 12 months after it)."""
    rows = data.records[f"by_{recipient}"]
    rows = rows[keep[rows]]  # the selection's records, by recipient then date
    codes = data.record_codes[f"{recipient}_id"].codes[rows]
    first = rows[np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])] if len(rows) else rows
    converted = int(data.records[f"{recipient}_converts"][first].sum())
    return {"recipients": len(first), "converted": converted,
            "share_pct": ratio_pct(converted, len(first))}


def snapshot_figures(filters: Filters, scope: Scope, k: int, engine=None, keys=None) -> dict:
    """Every published figure of this module as JSON-ready data, keyed as `snapshot` reads
    (`keys`: only those figures)."""
    args = (filters, scope, k, engine)
    return chosen_parts({
        SNAPSHOT_KPIS: lambda: guide_kpis(*args),
        SNAPSHOT_TIMELINE: lambda: frame_to_json(guide_timeline(*args)),
        SNAPSHOT_AUDIENCE: lambda: frame_to_json(guide_by_audience(*args)),
        SNAPSHOT_CONVERSION: lambda: guide_conversion(*args),
    }, keys)

"""Dates as the queries compare them: ISO text on both dialects, a project's date and the year
after it, every project's date by school and organisation (`ProjectIndex`), editions, and
monthly running totals.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Integer, String, cast, func, select
from sqlalchemy.engine import Connection, Engine

from dashboard.queries.versioned import versioned
from etl.db import get_engine
from etl.schema import organisation, project


def iso_text(column):
    """A date as ISO text (YYYY-MM-DD) on both dialects.

    ISO text orders like the dates, so windows are compared in SQL without date functions,
    which SQLite and PostgreSQL spell differently.
    """
    return func.substr(cast(column, String), 1, 10, type_=String)


def project_date(table=project):
    """A project's date as ISO text: its start_date, else 1 September of its edition."""
    september = func.substr(table.c.edition, 1, 4, type_=String) + "-09-01"
    return func.coalesce(iso_text(table.c.start_date), september, type_=String)


def year_after(iso):
    """ISO text of the same day 12 months later. 29 February gives 'YYYY-02-29' of a common
    year, which as an upper bound lets in the same dates as 28 February."""
    year = cast(cast(func.substr(iso, 1, 4), Integer) + 1, String)
    return year + func.substr(iso, 5, type_=String)


def within_year_after(date, start):
    """SQL condition: `date` in [start, start + 12 months], all ISO text."""
    return (date >= start) & (date <= year_after(start))


def year_after_text(iso: str) -> str:
    """`year_after` in Python: the same text the SQL expression gives."""
    return str(int(iso[:4]) + 1) + iso[4:]


@dataclass(frozen=True)
class ProjectIndex:
    """Every project's date (`project_date`), by school and by organisation, as the tour's and
    the guide's conversions read them: whatever the filters (a school reached in one edition
    converts with a project of the next), so built once per warehouse version, in memory
    (`dashboard.queries.versioned`), instead of a grouped scan of the projects at each filter
    change.

    `dates_by_school`, `dates_by_org`: sorted ISO dates of each one's projects;
    `delivered`: (school_id, edition) -> delivered projects, for every pair with a project;
    `first_project`: org_id -> (date of its first project, its region, the schools of the
    projects of that date); `first_by_region`: the same by region, as the sorted dates of its
    organisations' first projects and the schools of each (a window of dates is then two
    bisections)."""

    dates_by_school: Mapping[str, list[str]]
    dates_by_org: Mapping[str, list[str]]
    delivered: Mapping[tuple[str, str], int]
    first_project: Mapping[str, tuple[str, str | None, frozenset]]
    first_by_region: Mapping[str | None, tuple[list[str], list[frozenset]]]

    @classmethod
    def build(cls, conn: Connection) -> "ProjectIndex":
        rows = conn.execute(
            select(project.c.org_id, project.c.school_id, project.c.edition, project.c.status,
                   project_date().label("date"), organisation.c.region_code)
            .select_from(project.join(organisation,
                                      organisation.c.org_id == project.c.org_id))).all()
        by_school, by_org = defaultdict(set), defaultdict(set)
        delivered: dict[tuple[str, str], int] = defaultdict(int)
        firsts: dict[str, tuple[str, str | None, set]] = {}
        for org_id, school_id, edition_, status, date, region_code in rows:
            by_org[org_id].add(date)
            if school_id is not None:
                by_school[school_id].add(date)
                delivered[(school_id, edition_)] += status == "delivered"
            first = firsts.get(org_id)
            if first is None or date < first[0]:
                firsts[org_id] = (date, region_code, {school_id})
            elif date == first[0]:
                first[2].add(school_id)
        first_project = {org: (date, region_code, frozenset(schools - {None}))
                         for org, (date, region_code, schools) in firsts.items()}
        by_region = defaultdict(list)
        for date, region_code, schools in first_project.values():
            by_region[region_code].append((date, schools))
        for firsts_of_region in by_region.values():
            firsts_of_region.sort(key=lambda first: first[0])
        return cls(dates_by_school={k: sorted(v) for k, v in by_school.items()},
                   dates_by_org={k: sorted(v) for k, v in by_org.items()},
                   delivered=dict(delivered), first_project=first_project,
                   first_by_region={region: ([date for date, _ in firsts_of_region],
                                             [schools for _, schools in firsts_of_region])
                                    for region, firsts_of_region in by_region.items()})

    @staticmethod
    def has_date_within_year(dates: list[str], start: str) -> bool:
        """A date of `dates` (sorted) in [start, start + 12 months], as `within_year_after`."""
        position = bisect_left(dates, start)
        return position < len(dates) and dates[position] <= year_after_text(start)


def project_index(engine: Engine | None = None) -> ProjectIndex:
    return versioned(engine or get_engine(), "project_index", ProjectIndex.build)


def next_edition(edition: str) -> str:
    start = int(edition[:4]) + 1
    return f"{start}-{start + 1}"


def monthly_cumulative(monthly: pd.DataFrame | Mapping, series: str, values: list[str],
                       columns: list[str] | None = None) -> pd.DataFrame:
    """Month x series counts on a full grid of months, with running sums per series
    (`cumulative_<value>`) and over all series (`total_cumulative_<value>`).

    `monthly`: a frame, or a mapping of columns (lists), with `month`, `series` and `values`
    (one row per month and series value, as a grouped statement gives); `columns`: those to
    return (all by default)."""
    every = ["month", series, *values, *(f"cumulative_{v}" for v in values),
             *(f"total_cumulative_{v}" for v in values)]
    if not len(monthly["month"]):
        frame = pd.DataFrame(columns=every)
        return frame if columns is None else frame.reindex(columns=columns)
    # numpy on a month x series x value cube: the same frame as a pandas reindex and two
    # groupbys, at a tenth of the cost (these tables have a few hundred rows).
    month_column, series_column = list(monthly["month"]), list(monthly[series])
    months = _month_range(min(month_column), max(month_column))
    names = sorted(set(series_column))
    at_month = {m: i for i, m in enumerate(months)}
    at_series = {n: i for i, n in enumerate(names)}
    cube = np.zeros((len(months), len(names), len(values)), dtype=np.int64)
    for month, name, *counts in zip(month_column, series_column,
                                    *(list(monthly[v]) for v in values)):
        cube[at_month[month], at_series[name]] += [int(c) for c in counts]
    running = cube.cumsum(axis=0)
    totals = cube.sum(axis=1).cumsum(axis=0)  # month x value
    frame = {"month": np.repeat(months, len(names)), series: names * len(months)}
    for i, value in enumerate(values):
        frame[value] = cube[:, :, i].ravel()
    for i, value in enumerate(values):
        frame[f"cumulative_{value}"] = running[:, :, i].ravel()
    for i, value in enumerate(values):
        frame[f"total_cumulative_{value}"] = np.repeat(totals[:, i], len(names))
    return pd.DataFrame({column: frame[column] for column in columns or every})


def _month_range(first: str, last: str) -> list[str]:
    """Every month 'YYYY-MM' from `first` to `last`, both included."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months

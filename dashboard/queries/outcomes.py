"""Project outcomes (DESIGN.md section 7): projects, delivery, use, satisfaction, people engaged.

A project belongs to its `edition`, to its `school_id` and to its ORGANISATION's region; a
follow-up answer (`org_followup`) follows its project. One SQL statement joins each project to
its `end` and `six_months` answers (at most one of each: the table's key is project and wave)
and aggregates at the grain a caller asks for: by region, by tech type, or none.

Suppression (DESIGN.md section 6 as updated by docs/disclosure.md), for funders and schools
only (`scope.suppress_org_answers`):
- `students` is a count of people: hidden when 0 < students < k;
- an organisation-survey figure is a partner's opinion: hidden when built from 1 to k - 1
  distinct organisations (no answer at all is not hidden, the figure is just empty);
- across selections: `students` and each organisation-survey figure are shown only for a
  selection made of whole publication units of that figure (`project_units`: the students of
  the projects; the organisations that answered), so no difference of two selections (schools,
  regions, editions) gives back a hidden cell; a region row of `export_table` and a tech type
  row are selections too;
- secondary: the page and the report show the totals (`outcomes_kpis`) beside the regions, so
  when exactly one region's cell of a figure is hidden, the next smallest region with data is
  hidden too (`stats.suppress_counts`).
Counts of projects are not about people and are never hidden; neither are mentors (the pages
print them as plain numbers). Staff see everything.
`export_table` marks the hidden cells in `frame.attrs["suppressed_mask"]`, a boolean frame of
the same shape that `dashboard.exports` turns into "< K" cells. pandas deep-copies attrs and
cannot compare two such masks: an operation that aligns two copies of a masked table (a concat,
assigning several columns at once) needs `attrs` emptied first.

This module also holds what reach and guide share: figures on the 18 regions (`on_regions`),
dates as ISO text, a project's date, the projects' index and the monthly cumulative series.

`snapshot`: the figures of a published report (built by `snapshot_figures`, stored as JSON by
the publisher). A function given a snapshot returns its stored figure without touching the
warehouse, so a published report can be reproduced.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import Integer, String, case, cast, distinct, func, select
from sqlalchemy.engine import Connection, Engine

from dashboard.cache import cached
from dashboard.queries.base import Filters, Scope, effective, where
from dashboard.queries.disclosure import Gate, Partition, partitions
from dashboard.stats import is_small_cell, suppress_counts
from etl import reference
from etl.db import get_engine
from etl.schema import (
    CAUSES,
    PROJECT_STATUSES,
    TECH_TYPES,
    org_followup,
    organisation,
    project,
    school,
)

EXPORT_COLUMNS = [
    "region_code", "region_name", "projects", "delivered", "abandoned", "in_progress",
    "delivery_rate_pct", "in_use_answers", "in_use_yes", "in_use_rate_pct", "mean_satisfaction",
    "beneficiaries_reached", "students", "mentors",
]
RATE_COLUMNS = ["delivery_rate_pct", "in_use_rate_pct", "mean_satisfaction"]
# Each organisation-survey figure: the export columns it fills, the organisations behind it.
ORG_FIGURES = {
    "in_use": (("in_use_answers", "in_use_yes", "in_use_rate_pct"), "in_use_orgs"),
    "satisfaction": (("mean_satisfaction",), "satisfaction_orgs"),
    "beneficiaries": (("beneficiaries_reached",), "beneficiaries_orgs"),
}
KPIS_OF_FIGURE = {
    "students": ("students",),
    "in_use": ("in_use_rate_pct", "in_use_partial_pct", "in_use_yes", "in_use_partial",
               "in_use_n"),
    "satisfaction": ("mean_satisfaction", "satisfaction_n"),
    "beneficiaries": ("beneficiaries_reached",),
}
FRAGILE_MIN_ANSWERS = 5  # a rate on fewer answered projects is flagged "fragile" on the page
DIMENSIONS = {
    "status": (project.c.status, PROJECT_STATUSES),
    "tech_type": (project.c.tech_type, TECH_TYPES),
    "cause": (organisation.c.cause, CAUSES),
    "edition": (project.c.edition, None),
}
SUPPRESSED_MASK = "suppressed_mask"  # the attrs key `dashboard.exports` reads
SNAPSHOT_EXPORT = "outcomes"
SNAPSHOT_KPIS = "outcomes_kpis"
SNAPSHOT_BY_DIMENSION = "outcomes_by_{dimension}"
SNAPSHOT_SATISFACTION = "outcomes_satisfaction_by_tech"


# ---- shared with reach and guide -------------------------------------------------------------

def on_regions(keys, columns: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Figures keyed by region (the i-th value of each of `columns` belongs to `keys[i]`) on
    the 18 regions in code order, as int64 arrays with 0 where a region has no value; a key
    that is no region (None, unknown) is left out. Plain arrays: a set_index, a reindex and a
    fillna per table cost more than the figures themselves."""
    at = {key: i for i, key in enumerate(keys)}
    rows = np.asarray([at.get(code, -1) for code in reference.regions()], dtype=np.int64)
    known = rows >= 0
    figures = {}
    for name, values in columns.items():
        column = np.zeros(len(rows), dtype=np.int64)
        column[known] = np.asarray(values, dtype=np.int64)[rows[known]]
        figures[name] = column
    return figures


def rate(numerator: np.ndarray, denominator: np.ndarray, scale: float) -> np.ndarray:
    """numerator * scale / denominator, NaN where the denominator is 0 (as pandas'
    `(a * scale / b).where(b > 0)`, the same float operations)."""
    some = denominator > 0
    return np.where(some, numerator * scale / np.where(some, denominator, 1), np.nan)


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
    (`awareness.versioned`), instead of a grouped scan of the projects at each filter change.

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


def ratio_pct(numerator, denominator) -> float | None:
    return None if not denominator else float(numerator) * 100.0 / float(denominator)


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


def read_frame(conn: Connection, statement) -> pd.DataFrame:
    """The rows of a statement as a DataFrame, numbers as numbers."""
    result = conn.execute(statement)
    columns = list(result.keys())
    # Plain tuples: pandas probes each row object, and SQLAlchemy rows answer that slowly.
    frame = pd.DataFrame([tuple(row) for row in result], columns=columns)
    for column in columns:
        # PostgreSQL sums integers as numeric (Decimal); the figures are plain numbers.
        if len(frame) and isinstance(frame[column].iloc[0], Decimal):
            frame[column] = pd.to_numeric(frame[column])
    return frame


def stored(snapshot: Mapping | None, name: str):
    """The figure `name` of a published snapshot; None for live figures."""
    if snapshot is None:
        return None
    if snapshot.get(name) is None:
        raise KeyError(f"the published snapshot holds no '{name}' figure")
    return snapshot[name]


def plain(value):
    """A JSON-ready value: None for missing, Python numbers, ISO dates."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def frame_to_json(frame: pd.DataFrame) -> dict:
    mask = frame.attrs.get(SUPPRESSED_MASK)
    hidden = [] if mask is None else [[int(i), column] for column in mask.columns
                                      for i in np.flatnonzero(mask[column].to_numpy())]
    # Read column by column from a shallow copy without attrs: pandas deep-copies them (the
    # mask, a frame) at every column read, and itertuples makes a namedtuple class per call.
    bare = frame.copy(deep=False)
    bare.attrs = {}
    values = [bare[column].tolist() for column in bare.columns]
    rows = [[plain(v) for v in row] for row in zip(*values)] if values else \
        [[] for _ in range(len(bare))]
    return {"columns": list(frame.columns), "hidden": hidden, "rows": rows}


def frame_from_json(data: Mapping, dtypes: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The frame `frame_to_json` stored; its mask, if any, attached last (see the docstring
    above on masks in attrs)."""
    frame = pd.DataFrame(data["rows"], columns=data["columns"])
    for column, dtype in (dtypes or {}).items():
        if dtype == "date":
            frame[column] = [None if pd.isna(v) else dt.date.fromisoformat(v)
                             for v in frame[column]]
        else:
            frame[column] = frame[column].astype(dtype)
    if data.get("hidden"):
        cells = np.zeros((len(frame), len(frame.columns)), dtype=bool)
        position = {column: j for j, column in enumerate(frame.columns)}
        for i, column in data["hidden"]:
            cells[int(i), position[column]] = True
        frame.attrs[SUPPRESSED_MASK] = pd.DataFrame(cells, index=frame.index,
                                                    columns=frame.columns)
    return frame


# ---- the aggregate -----------------------------------------------------------------------------

END = org_followup.alias("end_answer")
SIX = org_followup.alias("six_months_answer")
PROJECT_ROWS = (project
                .join(organisation, project.c.org_id == organisation.c.org_id)
                .outerjoin(END, (END.c.project_id == project.c.project_id) & (END.c.wave == "end"))
                .outerjoin(SIX, (SIX.c.project_id == project.c.project_id)
                           & (SIX.c.wave == "six_months")))


def project_filters(f: Filters) -> list:
    return where(f, edition=project.c.edition, school=project.c.school_id,
                 region=organisation.c.region_code)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _orgs_if(condition):
    return func.count(distinct(case((condition, project.c.org_id))))


def _figures(with_orgs: bool = True):
    """The aggregates; `with_orgs` adds the organisations behind each survey figure, which
    only suppression needs (distinct counts are the costly part of the statement)."""
    in_use = SIX.c.in_use.is_not(None)
    satisfied = END.c.satisfaction.is_not(None)
    reached = SIX.c.beneficiaries_reached.is_not(None)
    figures = [
        func.count().label("projects"),
        func.count(distinct(project.c.org_id)).label("organisations"),
        _count_if(project.c.status == "delivered").label("delivered"),
        _count_if(project.c.status == "abandoned").label("abandoned"),
        _count_if(project.c.status == "in_progress").label("in_progress"),
        func.coalesce(func.sum(project.c.students_count), 0).label("students"),
        func.coalesce(func.sum(project.c.mentors_count), 0).label("mentors"),
        _count_if(in_use).label("in_use_answers"),
        _count_if(SIX.c.in_use == "oui").label("in_use_yes"),
        _count_if(SIX.c.in_use == "partiellement").label("in_use_partial"),
        _count_if(satisfied).label("satisfaction_n"),
        func.coalesce(func.sum(END.c.satisfaction), 0).label("satisfaction_sum"),
        func.coalesce(func.sum(SIX.c.beneficiaries_reached), 0).label("beneficiaries_reached"),
    ]
    if with_orgs:
        figures += [_orgs_if(in_use).label("in_use_orgs"),
                    _orgs_if(satisfied).label("satisfaction_orgs"),
                    _orgs_if(reached).label("beneficiaries_orgs")]
    return figures


# The figures of `_figures` over the projects as a few arrays in memory, once per warehouse
# version: 5,000 projects fit in a few hundred kilobytes, and a selection's figures are then
# counts over a mask (numpy, well under a millisecond) instead of a grouped SQL scan with
# distinct counts (5 to 10 ms each, four to six of them on the outcomes page).
_FRAME_COLUMNS = {
    "org_id": project.c.org_id, "edition": project.c.edition, "school_id": project.c.school_id,
    "region_code": organisation.c.region_code, "tech_type": project.c.tech_type,
    "status": project.c.status, "cause": organisation.c.cause,
    "students_count": project.c.students_count, "mentors_count": project.c.mentors_count,
    "in_use": SIX.c.in_use, "beneficiaries_reached": SIX.c.beneficiaries_reached,
    "satisfaction": END.c.satisfaction,
}
FIGURES = ["projects", "organisations", "delivered", "abandoned", "in_progress", "students",
           "mentors", "in_use_answers", "in_use_yes", "in_use_partial", "satisfaction_n",
           "satisfaction_sum", "beneficiaries_reached"]
ORG_COUNTS = {"in_use_orgs": "in_use", "satisfaction_orgs": "satisfaction",
              "beneficiaries_orgs": "beneficiaries_reached"}


@dataclass(frozen=True)
class ProjectFrame:
    """One entry per project row of PROJECT_ROWS: the filter keys, the grouping keys and the
    values `_figures` adds up, as numpy arrays."""

    columns: Mapping[str, np.ndarray]
    org_codes: np.ndarray
    answered: Mapping[str, np.ndarray]  # per ORG_COUNTS source: the value is not None

    @classmethod
    def build(cls, conn: Connection) -> "ProjectFrame":
        rows = conn.execute(select(*_FRAME_COLUMNS.values()).select_from(PROJECT_ROWS)).all()
        values = list(zip(*rows)) if rows else [()] * len(_FRAME_COLUMNS)
        columns = {name: np.asarray(column, dtype=object)
                   for name, column in zip(_FRAME_COLUMNS, values)}
        for name in ("students_count", "mentors_count", "beneficiaries_reached",
                     "satisfaction"):  # None (no answer) weighs 0 in a sum, as COALESCE(SUM)
            columns[name + "_value"] = np.asarray(
                [0 if v is None else float(v) for v in columns[name]], dtype=float)
        org_codes, _ = pd.factorize(columns["org_id"], use_na_sentinel=False)
        answered = {name: np.asarray([v is not None for v in columns[name]], dtype=bool)
                    for name in ORG_COUNTS.values()}
        return cls(columns, org_codes.astype(np.int64), answered)

    def select(self, f: Filters) -> np.ndarray:
        return select_rows(self.columns, f)


def select_rows(columns: Mapping[str, np.ndarray], f: Filters) -> np.ndarray:
    """The rows of a project's `edition`, `school_id` and `region_code` arrays that the
    filters keep (as `project_filters`)."""
    keep = np.ones(len(columns["edition"]), dtype=bool)
    for values, name in ((f.editions, "edition"), (f.schools, "school_id"),
                         (f.regions, "region_code")):
        if values:
            keep &= np.isin(columns[name], list(values))
    return keep


def figures_by(conn: Connection, f: Filters, *keys, with_orgs: bool = True) -> pd.DataFrame:
    """The project and follow-up figures of the selection, one row per value of `keys` (none,
    or one column of project or organisation), as `_figures` grouped by them in SQL gives."""
    names = [key.name for key in keys]
    if len(names) > 1:
        raise ValueError("figures_by groups by one key at most")
    labels, figures = figure_arrays(versioned_frame(conn.engine), f,
                                    names[0] if names else None, with_orgs=with_orgs)
    frame = pd.DataFrame(figures)
    if names:
        frame.insert(0, names[0], labels)
    return frame


def figure_arrays(data: ProjectFrame, f: Filters, key: str | None, *,
                  with_orgs: bool = True) -> tuple[list | None, dict[str, np.ndarray]]:
    """`figures_by` as plain data: the values of `key` (None without a key: one group) and
    each figure of `_figures` as an int64 array, one entry per value."""
    keep = data.select(f)
    if key is not None:
        groups, labels = pd.factorize(data.columns[key][keep], use_na_sentinel=False)
        labels, size = list(labels), len(labels)
    else:
        groups, labels, size = np.zeros(int(keep.sum()), dtype=np.int64), None, 1
    column = {name: values[keep] for name, values in data.columns.items()}
    span = int(data.org_codes.max(initial=0)) + 1
    orgs = data.org_codes[keep]

    def count(condition) -> np.ndarray:
        return np.bincount(groups, weights=condition.astype(float), minlength=size)

    def total(name: str) -> np.ndarray:
        return np.bincount(groups, weights=column[name + "_value"], minlength=size)

    def distinct_orgs(condition) -> np.ndarray:
        pairs = np.unique(groups[condition] * span + orgs[condition])
        return np.bincount(pairs // span, minlength=size)

    everything = np.ones(len(groups), dtype=bool)
    answered = {name: data.answered[name][keep] for name in ORG_COUNTS.values()}
    figures = {
        "projects": np.bincount(groups, minlength=size),
        "organisations": distinct_orgs(everything),
        **{status: count(column["status"] == status)
           for status in ("delivered", "abandoned", "in_progress")},
        "students": total("students_count"), "mentors": total("mentors_count"),
        "in_use_answers": count(answered["in_use"]),
        "in_use_yes": count(column["in_use"] == "oui"),
        "in_use_partial": count(column["in_use"] == "partiellement"),
        "satisfaction_n": count(answered["satisfaction"]),
        "satisfaction_sum": total("satisfaction"),
        "beneficiaries_reached": total("beneficiaries_reached"),
    }
    if with_orgs:
        figures |= {name: distinct_orgs(answered[source]) for name, source in ORG_COUNTS.items()}
    return labels, {name: np.rint(values).astype(np.int64) for name, values in figures.items()}


def figures_by_sql(conn: Connection, f: Filters, *keys, with_orgs: bool = True) -> pd.DataFrame:
    """`figures_by` as one grouped SQL statement: the reference the tests hold it to."""
    statement = (select(*keys, *_figures(with_orgs)).select_from(PROJECT_ROWS)
                 .where(*project_filters(f)).group_by(*keys))
    return read_frame(conn, statement)


def versioned(engine: Engine, name: str, build):
    from dashboard.queries.awareness import versioned as in_memory

    return in_memory(engine, name, build)


def versioned_frame(engine: Engine) -> ProjectFrame:
    return versioned(engine, "project_frame", ProjectFrame.build)


def _by_region(engine: Engine, f: Filters, with_orgs: bool) -> dict[str, np.ndarray]:
    """The figures of the selection on the 18 regions (code order), with the three rates:
    int64 arrays (float64 for the rates, NaN when there is nothing to divide by)."""
    labels, figures = figure_arrays(versioned_frame(engine), f, "region_code",
                                    with_orgs=with_orgs)
    regions = on_regions(labels, figures)
    regions["delivery_rate_pct"] = rate(regions["delivered"],
                                        regions["delivered"] + regions["abandoned"], 100.0)
    regions["in_use_rate_pct"] = rate(regions["in_use_yes"], regions["in_use_answers"], 100.0)
    regions["mean_satisfaction"] = rate(regions["satisfaction_sum"], regions["satisfaction_n"],
                                        1.0)
    return regions


# ---- suppression -------------------------------------------------------------------------------

BY_TECH_FIGURES = ("in_use", "satisfaction")  # the organisation figures shown per tech type


def project_units(engine: Engine, k: int) -> dict[str, Partition]:
    """The publication units of the projects' people figures (docs/disclosure.md), over the
    whole warehouse: `students` (the sum of the projects' students_count), each figure of
    ORG_FIGURES (the organisations that answered it) and, per tech type, `{figure}:{tech}` for
    the figures shown by tech type. A project's cell is its edition, its school and its
    organisation's region."""
    def build(_conn) -> dict[str, Partition]:
        data = versioned_frame(engine)
        columns = data.columns
        cells = list(zip(columns["edition"].tolist(), columns["school_id"].tolist(),
                         columns["region_code"].tolist()))
        nobody = frozenset()
        orgs = {figure: [frozenset((org,)) if answered else nobody for org, answered in
                         zip(data.org_codes.tolist(), data.answered[source].tolist())]
                for figure, source in (("in_use", "in_use"), ("satisfaction", "satisfaction"),
                                       ("beneficiaries", "beneficiaries_reached"))}
        populations = {"students": columns["students_count_value"].astype(np.int64).tolist(),
                       **orgs}
        techs = columns["tech_type"].tolist()
        for figure in BY_TECH_FIGURES:
            for tech in set(techs):
                populations[f"{figure}:{tech}"] = [
                    people if own == tech else nobody
                    for people, own in zip(orgs[figure], techs)]
        return partitions(cells, populations, k)
    return versioned(engine, f"units:projects:{k}", build)


def _not_whole_regions(gate: Gate, keys: list) -> dict[str, set]:
    """Per figure ('students' and ORG_FIGURES), the regions whose row is not a whole
    selection."""
    return {figure: {key for key, whole in gate.whole_by("region_code", figure).items()
                     if not whole}
            for figure in ("students", *ORG_FIGURES)}


def hidden_cells(keys: list, figures: Mapping[str, np.ndarray], k: int,
                 gate: Gate | None = None) -> dict[str, set]:
    """Per figure ('students' and ORG_FIGURES), the keys whose cells a funder or school must not
    see, totals being shown beside them. `figures[column][i]` is the count of `keys[i]`;
    `gate` (keys being regions): also hide the regions that are not whole selections."""
    counts = {"students": "students",
              **{figure: orgs for figure, (_, orgs) in ORG_FIGURES.items()}}
    partial = _not_whole_regions(gate, keys) if gate is not None else {}
    hidden = {}
    for figure, column in counts.items():
        cells = dict(zip(keys, (int(v) for v in figures[column])))
        # An organisation has one region, so the regions' counts add up to the total's.
        hidden[figure] = (suppress_counts(cells, k, total=sum(cells.values()))
                          | partial.get(figure, set()))
    return hidden


def _hidden_rows(keys: list, hidden: dict[str, set]) -> dict[str, np.ndarray]:
    """Per column of the figures of `hidden` (`hidden_cells`), the rows (one per key) to hide:
    what `frame.attrs[SUPPRESSED_MASK]` holds."""
    rows: dict[str, np.ndarray] = {}
    for figure, hidden_keys in hidden.items():
        columns = ("students",) if figure == "students" else ORG_FIGURES[figure][0]
        hide = np.asarray([key in hidden_keys for key in keys], dtype=bool)
        for column in columns:
            rows[column] = rows[column] | hide if column in rows else hide
    return rows


# ---- the figures -------------------------------------------------------------------------------

EXPORT_DTYPES = {column: "float64" if column in RATE_COLUMNS else "Int64"
                 for column in EXPORT_COLUMNS[2:]}


@cached
def export_table(filters: Filters, scope: Scope, k: int, engine=None,
                 snapshot: Mapping | None = None) -> pd.DataFrame:
    """One row per region (all 18, code order): the `impact export outcomes` table."""
    frozen = stored(snapshot, SNAPSHOT_EXPORT)
    if frozen is not None:
        return frame_from_json(frozen, EXPORT_DTYPES)
    engine, chosen = engine or get_engine(), effective(filters, scope)
    regions = _by_region(engine, chosen, scope.suppress_org_answers)
    codes = list(reference.regions())
    hidden = (_hidden_rows(codes, hidden_cells(codes, regions, k,
                                               Gate(project_units(engine, k), chosen)))
              if scope.suppress_org_answers else {})
    nothing = np.zeros(len(codes), dtype=bool)
    # The columns built with their dtypes and hidden cells (an astype and a mask of the whole
    # table cost more than the figures).
    columns = {"region_code": codes, "region_name": list(reference.regions().values())}
    for column, dtype in EXPORT_DTYPES.items():
        values, hide = regions[column], hidden.get(column, nothing)
        if dtype == "Int64":
            columns[column] = pd.arrays.IntegerArray(values.copy(), hide.copy())
        else:
            columns[column] = np.where(hide, np.nan, values)
    table = pd.DataFrame(columns)
    if scope.suppress_org_answers:
        table.attrs[SUPPRESSED_MASK] = pd.DataFrame(
            {column: hidden.get(column, nothing).copy() for column in EXPORT_COLUMNS})
    return table


@cached
def outcomes_kpis(filters: Filters, scope: Scope, k: int, engine=None,
                  snapshot: Mapping | None = None) -> dict:
    """The page's headline figures over the whole selection.

    Rates are percentages with their n; `fragile` flags a rate on fewer than 5 answered
    projects. For funders and schools, a total built from 1 to k - 1 people (students) or
    organisations (survey figures) is None and named in `suppressed`; `hidden_regions` lists,
    per figure, the regions hidden in `export_table` so that these totals give none of them
    back.
    """
    frozen = stored(snapshot, SNAPSHOT_KPIS)
    if frozen is not None:
        return dict(frozen)
    engine, chosen = engine or get_engine(), effective(filters, scope)
    regions = _by_region(engine, chosen, scope.suppress_org_answers)
    # Every figure adds up over regions, distinct organisations too (one region each).
    totals = {name: int(values.sum()) for name, values in regions.items()
              if name not in RATE_COLUMNS}
    decided = totals["delivered"] + totals["abandoned"]
    in_use_n, satisfaction_n = totals["in_use_answers"], totals["satisfaction_n"]
    kpis = {
        "projects": totals["projects"], "organisations": totals["organisations"],
        "delivered": totals["delivered"], "abandoned": totals["abandoned"],
        "in_progress": totals["in_progress"],
        "delivery_rate_pct": ratio_pct(totals["delivered"], decided), "delivery_n": decided,
        "in_use_rate_pct": ratio_pct(totals["in_use_yes"], in_use_n),
        "in_use_partial_pct": ratio_pct(totals["in_use_partial"], in_use_n),
        "in_use_yes": totals["in_use_yes"], "in_use_partial": totals["in_use_partial"],
        "in_use_n": in_use_n,
        "mean_satisfaction": (totals["satisfaction_sum"] / satisfaction_n
                              if satisfaction_n else None),
        "satisfaction_n": satisfaction_n,
        "beneficiaries_reached": totals["beneficiaries_reached"],
        "students": totals["students"], "mentors": totals["mentors"],
        "fragile": {"delivery_rate_pct": decided < FRAGILE_MIN_ANSWERS,
                    "in_use_rate_pct": in_use_n < FRAGILE_MIN_ANSWERS,
                    "mean_satisfaction": satisfaction_n < FRAGILE_MIN_ANSWERS},
        "suppressed": [], "hidden_regions": {},
    }
    if scope.suppress_org_answers:
        gate = Gate(project_units(engine, k), chosen)
        people = {"students": totals["students"],
                  **{figure: totals[orgs] for figure, (_, orgs) in ORG_FIGURES.items()}}
        hidden = [name for figure, count in people.items()
                  if is_small_cell(count, k) or not gate.whole(figure)
                  for name in KPIS_OF_FIGURE[figure]]
        kpis.update({name: None for name in hidden})
        kpis["suppressed"] = hidden
        kpis["hidden_regions"] = {
            figure: sorted(keys) for figure, keys
            in hidden_cells(list(reference.regions()), regions, k, gate).items()}
    return kpis


@cached
def by_dimension(dim: str, filters: Filters, scope: Scope, k: int, engine=None,
                 snapshot: Mapping | None = None) -> pd.DataFrame:
    """Projects per status, tech type, cause or edition: columns `dim`, `projects`.

    Vocabularies come whole and in their order (zeros included); editions as found.
    """
    if dim not in DIMENSIONS:
        raise ValueError(f"by_dimension: unknown dimension '{dim}' "
                         f"(one of {', '.join(DIMENSIONS)})")
    frozen = stored(snapshot, SNAPSHOT_BY_DIMENSION.format(dimension=dim))
    if frozen is not None:
        return frame_from_json(frozen)
    column, vocabulary = DIMENSIONS[dim]
    data = versioned_frame(engine or get_engine())
    counts = Counter(data.columns[column.name][data.select(effective(filters, scope))].tolist())
    values = list(vocabulary) if vocabulary else sorted(counts)
    return pd.DataFrame({dim: values, "projects": [int(counts.get(v, 0)) for v in values]})


@cached
def satisfaction_by_tech(filters: Filters, scope: Scope, k: int, engine=None,
                         snapshot: Mapping | None = None) -> pd.DataFrame:
    """Mean `end` satisfaction per tech type with its n (tech types that have projects).

    For funders and schools, a tech type whose answers come from 1 to k - 1 organisations is
    hidden (mean and n: with the page's overall mean and n, its n would give it back), with
    the secondary rule of the regions; `suppressed` flags it.
    """
    frozen = stored(snapshot, SNAPSHOT_SATISFACTION)
    if frozen is not None:
        return frame_from_json(frozen, {"satisfaction_n": "Int64",
                                        "mean_satisfaction": "float64"})
    labels, figures, hidden = _by_tech(filters, scope, k, engine, "satisfaction")
    n = figures["satisfaction_n"]
    return pd.DataFrame({
        "tech_type": labels, "projects": figures["projects"],
        "satisfaction_n": pd.arrays.IntegerArray(n, hidden.copy()),
        "mean_satisfaction": np.where(hidden, np.nan,
                                      rate(figures["satisfaction_sum"], n, 1.0)),
        "suppressed": hidden,
    })


@cached
def in_use_by_tech(filters: Filters, scope: Scope, k: int, engine=None) -> pd.DataFrame:
    """Six-month answers per tech type: `in_use_answers`, `in_use_yes`, `in_use_partial` and
    `in_use_rate_pct` ("oui" / answers), tech types that have projects, vocabulary order.

    Suppression as `satisfaction_by_tech`: for funders and schools, a tech type whose answers
    come from 1 to k - 1 organisations is hidden (with the secondary rule against the total),
    and `suppressed` flags it.
    """
    labels, figures, hidden = _by_tech(filters, scope, k, engine, "in_use")
    answers = figures["in_use_answers"]
    return pd.DataFrame({
        "tech_type": labels,
        **{name: pd.arrays.IntegerArray(figures[name], hidden.copy())
           for name in ("in_use_answers", "in_use_yes", "in_use_partial")},
        "in_use_rate_pct": np.where(hidden, np.nan, rate(figures["in_use_yes"], answers, 100.0)),
        "suppressed": hidden,
    })


def _by_tech(filters: Filters, scope: Scope, k: int, engine, figure: str):
    """The tech types that have projects (vocabulary order, then the others as found), their
    figures, and which ones a funder or school must not see: a tech type whose `figure`
    ('satisfaction' or 'in_use') comes from 1 to k - 1 organisations, with the secondary rule
    against the total (one organisation may stand behind several tech types: its total is
    counted apart)."""
    f = effective(filters, scope)
    suppress = scope.suppress_org_answers
    data = versioned_frame(engine or get_engine())
    labels, figures = figure_arrays(data, f, "tech_type", with_orgs=suppress)
    order = {tech: i for i, tech in enumerate(TECH_TYPES)}
    rows = sorted(range(len(labels)), key=lambda i: (0, order[labels[i]])
                  if labels[i] in order else (1, i))
    labels = [labels[i] for i in rows]
    figures = {name: values[rows] for name, values in figures.items()}
    hidden = np.zeros(len(rows), dtype=bool)
    if suppress and len(rows):
        orgs = f"{figure}_orgs"
        total = int(figure_arrays(data, f, None)[1][orgs].sum())
        keys = suppress_counts(dict(zip(labels, (int(v) for v in figures[orgs]))), k,
                               total=total)
        gate = Gate(project_units(engine or get_engine(), k), f)
        keys |= {label for label in labels if not gate.whole(f"{figure}:{label}")}
        answered = {label for label, n in zip(labels, figures[orgs]) if n > 0}
        # All or nothing: the selection's total is one family and each tech type another, so
        # a tech type hidden beside shown ones would come back from the total of another
        # selection minus their rows; a breakdown is shown only when its total is whole too.
        if keys & answered or not gate.whole(figure):
            keys |= answered
        hidden = np.asarray([label in keys for label in labels], dtype=bool)
    return labels, figures, hidden


@cached
def projects_table(filters: Filters, scope: Scope, k: int, engine=None,
                   snapshot: Mapping | None = None) -> pd.DataFrame:
    """Row-level projects with their follow-up answers: staff and admins only (never in a
    published snapshot)."""
    if not scope.full_view:
        raise PermissionError(f"role '{scope.role}' may not see row-level projects")
    data = versioned(engine or get_engine(), "project_table", ProjectTable.build)
    keep = data.select(effective(filters, scope))
    frame = frame_of({name: data.columns[name][keep].tolist() for name in PROJECT_TABLE_COLUMNS})
    frame.insert(5, "region_name", frame["region_code"].map(reference.regions()))
    frame["end_satisfaction"] = frame["end_satisfaction"].astype("Int64")
    return frame


# Every project's row of `projects_table`, in its order, held per warehouse version: fetching
# 5,000 rows through SQLAlchemy at each filter change cost 30 ms; a mask over arrays, 3 ms.
PROJECT_TABLE = (
    select(project.c.project_id, project.c.title, organisation.c.name.label("organisation"),
           school.c.name.label("school"), organisation.c.region_code, project.c.edition,
           project.c.tech_type, project.c.status,
           END.c.satisfaction.label("end_satisfaction"),
           SIX.c.in_use.label("six_months_in_use"))
    .select_from(PROJECT_ROWS.outerjoin(school, project.c.school_id == school.c.school_id))
    .order_by(project.c.edition.desc(), project.c.title, project.c.project_id))
PROJECT_TABLE_COLUMNS = [column.name for column in PROJECT_TABLE.selected_columns]


@dataclass(frozen=True)
class ProjectTable:
    """The rows of PROJECT_TABLE (every project), in the order the database sorts them (its
    collation orders the titles; a selection keeps that order), as object arrays, with the
    school of each row, which the filters read."""

    columns: Mapping[str, np.ndarray]

    @classmethod
    def build(cls, conn: Connection) -> "ProjectTable":
        names = [*PROJECT_TABLE_COLUMNS, "school_id"]
        rows = conn.execute(PROJECT_TABLE.add_columns(project.c.school_id)).all()
        values = list(zip(*rows)) if rows else [()] * len(names)
        return cls({name: np.asarray(column, dtype=object)
                    for name, column in zip(names, values)})

    def select(self, f: Filters) -> np.ndarray:
        return select_rows(self.columns, f)


def frame_of(columns: Mapping[str, list]) -> pd.DataFrame:
    """Columns of plain values as `read_frame` makes a frame of the same rows (the same
    inferred dtypes, numbers as numbers), without going through rows."""
    names = list(columns)
    if not any(len(values) for values in columns.values()):
        return pd.DataFrame([], columns=names)
    frame = pd.DataFrame(columns)
    for name in names:
        if isinstance(columns[name][0], Decimal):
            frame[name] = pd.to_numeric(frame[name])
    return frame


def snapshot_figures(filters: Filters, scope: Scope, k: int, engine=None) -> dict:
    """Every published figure of this module as JSON-ready data, keyed as `snapshot` reads."""
    figures = {
        SNAPSHOT_EXPORT: frame_to_json(export_table(filters, scope, k, engine)),
        SNAPSHOT_KPIS: outcomes_kpis(filters, scope, k, engine),
        SNAPSHOT_SATISFACTION: frame_to_json(satisfaction_by_tech(filters, scope, k, engine)),
    }
    for dim in DIMENSIONS:
        figures[SNAPSHOT_BY_DIMENSION.format(dimension=dim)] = frame_to_json(
            by_dimension(dim, filters, scope, k, engine))
    return figures

"""Projects joined to their organisation's follow-up answers (`end`, `six_months`: at most one
of each), aggregated at the grain a caller asks for (by region, by tech type, or none), held
in memory as arrays once per warehouse version; and which of their cells are hidden
(`project_units`, `hidden_cells`: dashboard.queries.outcomes says why).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import case, distinct, func, select
from sqlalchemy.engine import Connection, Engine

from dashboard.cache import per_request
from dashboard.queries.base import Filters, where
from dashboard.queries.disclosure import Gate, Partition, partitions
from dashboard.queries.frames import on_regions, rate, read_frame
from dashboard.queries.versioned import versioned
from dashboard.stats import suppress_counts
from etl.schema import org_followup, organisation, project


# Each organisation-survey figure: the export columns it fills, the organisations behind it.
ORG_FIGURES = {
    "in_use": (("in_use_answers", "in_use_yes", "in_use_rate_pct"), "in_use_orgs"),
    "satisfaction": (("mean_satisfaction",), "satisfaction_orgs"),
    "beneficiaries": (("beneficiaries_reached",), "beneficiaries_orgs"),
}

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


def versioned_frame(engine: Engine) -> ProjectFrame:
    return versioned(engine, "project_frame", ProjectFrame.build)


def by_region(engine: Engine, f: Filters, with_orgs: bool) -> dict[str, np.ndarray]:
    """The figures of the selection on the 18 regions (code order), with the three rates:
    int64 arrays (float64 for the rates, NaN when there is nothing to divide by), read-only.
    Once per request: the outcomes' table and key figures both ask for them."""
    key = ("by_region", engine.url.render_as_string(hide_password=True), f, with_orgs)
    return dict(per_request(key, lambda: _by_region(engine, f, with_orgs)))


def _by_region(engine: Engine, f: Filters, with_orgs: bool) -> dict[str, np.ndarray]:
    labels, figures = figure_arrays(versioned_frame(engine), f, "region_code",
                                    with_orgs=with_orgs)
    regions = on_regions(labels, figures)
    regions["delivery_rate_pct"] = rate(regions["delivered"],
                                        regions["delivered"] + regions["abandoned"], 100.0)
    regions["in_use_rate_pct"] = rate(regions["in_use_yes"], regions["in_use_answers"], 100.0)
    regions["mean_satisfaction"] = rate(regions["satisfaction_sum"], regions["satisfaction_n"],
                                        1.0)
    for values in regions.values():
        values.flags.writeable = False  # shared by the figures of a request
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


def hidden_rows(keys: list, hidden: dict[str, set]) -> dict[str, np.ndarray]:
    """Per column of the figures of `hidden` (`hidden_cells`), the rows (one per key) to hide:
    what `frame.attrs[SUPPRESSED_MASK]` holds."""
    rows: dict[str, np.ndarray] = {}
    for figure, hidden_keys in hidden.items():
        columns = ("students",) if figure == "students" else ORG_FIGURES[figure][0]
        hide = np.asarray([key in hidden_keys for key in keys], dtype=bool)
        for column in columns:
            rows[column] = rows[column] | hide if column in rows else hide
    return rows

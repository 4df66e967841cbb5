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

`snapshot`: the figures of a published report (built by `snapshot_figures`, stored as JSON by
the publisher). A function given a snapshot returns its stored figure without touching the
warehouse, so a published report can be reproduced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from dashboard.cache import cached
from dashboard.queries.base import Filters, Scope, effective
from dashboard.queries.disclosure import Gate
from dashboard.queries.frames import (
    SUPPRESSED_MASK, Mask, chosen_parts, frame_from_json, frame_to_json, rate, ratio_pct, stored)
from dashboard.queries.projects import (
    END, ORG_FIGURES, PROJECT_ROWS, SIX, by_region, figure_arrays, hidden_cells, hidden_rows,
    project_units, select_rows, versioned_frame)
from dashboard.queries.versioned import versioned
from dashboard.stats import is_small_cell, suppress_counts
from etl import reference
from etl.db import get_engine
from etl.schema import CAUSES, PROJECT_STATUSES, TECH_TYPES, organisation, project, school


EXPORT_COLUMNS = [
    "region_code", "region_name", "projects", "delivered", "abandoned", "in_progress",
    "delivery_rate_pct", "in_use_answers", "in_use_yes", "in_use_rate_pct", "mean_satisfaction",
    "beneficiaries_reached", "students", "mentors",
]
RATE_COLUMNS = ["delivery_rate_pct", "in_use_rate_pct", "mean_satisfaction"]

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

SNAPSHOT_EXPORT = "outcomes"
SNAPSHOT_KPIS = "outcomes_kpis"
SNAPSHOT_BY_DIMENSION = "outcomes_by_{dimension}"
SNAPSHOT_SATISFACTION = "outcomes_satisfaction_by_tech"

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
    regions = by_region(engine, chosen, scope.suppress_org_answers)
    codes = list(reference.regions())
    hidden = (hidden_rows(codes, hidden_cells(codes, regions, k,
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
        table.attrs[SUPPRESSED_MASK] = Mask(
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
    regions = by_region(engine, chosen, scope.suppress_org_answers)
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


def snapshot_figures(filters: Filters, scope: Scope, k: int, engine=None, keys=None) -> dict:
    """Every published figure of this module as JSON-ready data, keyed as `snapshot` reads
    (`keys`: only those figures)."""
    args = (filters, scope, k, engine)
    return chosen_parts({
        SNAPSHOT_EXPORT: lambda: frame_to_json(export_table(*args)),
        SNAPSHOT_KPIS: lambda: outcomes_kpis(*args),
        SNAPSHOT_SATISFACTION: lambda: frame_to_json(satisfaction_by_tech(*args)),
        **{SNAPSHOT_BY_DIMENSION.format(dimension=dim):
           (lambda dim=dim: frame_to_json(by_dimension(dim, *args))) for dim in DIMENSIONS},
    }, keys)

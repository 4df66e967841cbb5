"""The overview's headline figures, and the choices offered by the global filters.

Which rows a filter selects (DESIGN.md section 7):
- a project: its `edition`, its `school_id`, and the region of its organisation;
- a student of the roster: its `edition`, its `school_id`, and the region of that school;
- a tour event: its `edition` (from its date), its `school_id`, its `region_code`;
- a survey response (mart_response, mart_pair): its edition, school and the school's region.

Counts of projects, organisations, schools, regions and events are not about people and are
never hidden. Counts of people (students, respondents, matched pairs) of 1 to k - 1 are hidden:
the value comes back as None and its key is in `suppressed`, so every screen, file and map
hides the same cells.
"""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import case, distinct, func, select, union
from sqlalchemy.engine import Connection, Engine

from dashboard.cache import cached
from dashboard.queries.base import Filters, Scope, effective, where
from dashboard.stats import is_small_cell
from etl.db import get_engine
from etl.reference import name_key
from etl.schema import (
    edition, mart_pair, mart_response, organisation, project, region, school, student, tour_event,
)

REGIONS_TOTAL = 18  # the French regions, 13 metropolitan and 5 overseas
AWARE = 2  # knows_ess == 2: "Oui, précisément", the definition of being aware of the ESS

HEADLINE_KEYS = ("projects", "organisations", "students", "schools", "regions", "events",
                 "attendees", "n_pre", "n_post", "share_pre", "share_post", "n_matched")


@cached
def headline(filters: Filters, scope: Scope, k: int, engine: Engine | None = None,
             snapshot: Mapping[str, Any] | None = None) -> dict:
    """The overview's figures for the filters within the scope.

    Returns {projects, organisations, students, schools, regions, regions_total, events,
    attendees, n_pre, n_post, share_pre, share_post, n_matched, suppressed}; shares are
    fractions (0.21); a share is None when nobody answered or when its n is hidden.
    `snapshot`: the figures of a published snapshot (`published_snapshot.figures` decoded);
    when given, its "headline" entry is returned, so a published report keeps its numbers.
    """
    if snapshot is not None:
        frozen = dict(snapshot["headline"])
        frozen["suppressed"] = set(frozen.get("suppressed", ()))
        return frozen
    chosen = effective(filters, scope)
    with (engine or get_engine()).connect() as conn:
        figures = {**_projects(conn, chosen), **_events(conn, chosen),
                   "students": _students(conn, chosen), "schools": _schools(conn, chosen),
                   **_awareness(conn, chosen), "n_matched": _matched(conn, chosen),
                   "regions_total": REGIONS_TOTAL}
    # The guide's headline figure stands beside the tour's (copies are not people: not hidden).
    from dashboard.queries.guide import guide_kpis

    figures["guide_copies"] = guide_kpis(filters, scope, k, engine=engine)["copies"]
    return _suppress(figures, k)


def _suppress(figures: dict, k: int) -> dict:
    hidden = {name for name in ("students", "n_pre", "n_post", "n_matched")
              if is_small_cell(figures[name], k)}
    for wave in ("pre", "post"):
        if f"n_{wave}" in hidden:
            hidden.add(f"share_{wave}")
    return {**{name: (None if name in hidden else value) for name, value in figures.items()},
            "suppressed": hidden}


def _project_rows(chosen: Filters):
    return (project.join(organisation, organisation.c.org_id == project.c.org_id),
            where(chosen, edition=project.c.edition, school=project.c.school_id,
                  region=organisation.c.region_code))


def _student_rows(chosen: Filters):
    return (student.join(school, school.c.school_id == student.c.school_id),
            where(chosen, edition=student.c.edition, school=student.c.school_id,
                  region=school.c.region_code))


def _projects(conn: Connection, chosen: Filters) -> dict:
    rows, clauses = _project_rows(chosen)
    projects, organisations = conn.execute(
        select(func.count(), func.count(distinct(project.c.org_id))).select_from(rows)
        .where(*clauses)).one()
    return {"projects": projects, "organisations": organisations}


def _students(conn: Connection, chosen: Filters) -> int:
    rows, clauses = _student_rows(chosen)
    return conn.execute(select(func.count(distinct(student.c.pseudonym))).select_from(rows)
                        .where(*clauses)).scalar_one()


def _schools(conn: Connection, chosen: Filters) -> int:
    """Schools with a project or a roster student in the selection."""
    project_rows, project_clauses = _project_rows(chosen)
    student_rows, student_clauses = _student_rows(chosen)
    named = union(
        select(project.c.school_id.label("school_id")).select_from(project_rows)
        .where(project.c.school_id.is_not(None), *project_clauses),
        select(student.c.school_id.label("school_id")).select_from(student_rows)
        .where(*student_clauses),
    ).subquery()
    return conn.execute(select(func.count()).select_from(named)).scalar_one()


def _events(conn: Connection, chosen: Filters) -> dict:
    events, regions, attendees = conn.execute(
        select(func.count(), func.count(distinct(tour_event.c.region_code)),
               func.coalesce(func.sum(tour_event.c.attendees), 0))
        .where(*where(chosen, edition=tour_event.c.edition, school=tour_event.c.school_id,
                      region=tour_event.c.region_code))).one()
    return {"events": events, "regions": regions, "attendees": int(attendees)}


def _awareness(conn: Connection, chosen: Filters) -> dict:
    """Unpaired knows_ess: every pre answer against every post answer (n = who answered it)."""
    aware = func.sum(case((mart_response.c.knows_ess == AWARE, 1), else_=0))
    rows = conn.execute(
        select(mart_response.c.wave, func.count(mart_response.c.knows_ess), aware)
        .where(mart_response.c.knows_ess.is_not(None),
               *where(chosen, edition=mart_response.c.edition, school=mart_response.c.school_id,
                      region=mart_response.c.region_code))
        .group_by(mart_response.c.wave)).all()
    counts = {wave: (n, int(k or 0)) for wave, n, k in rows}
    figures = {}
    for wave in ("pre", "post"):
        n, k = counts.get(wave, (0, 0))
        figures[f"n_{wave}"] = n
        figures[f"share_{wave}"] = k / n if n else None
    return figures


def _matched(conn: Connection, chosen: Filters) -> int:
    """Respondents who answered knows_ess both before and after, in the same edition."""
    return conn.execute(
        select(func.count()).select_from(mart_pair)
        .where(mart_pair.c.pre_knows_ess.is_not(None), mart_pair.c.post_knows_ess.is_not(None),
               *where(chosen, edition=mart_pair.c.edition, school=mart_pair.c.school_id,
                      region=mart_pair.c.region_code))).scalar_one()


@cached
def filter_options(scope: Scope, engine: Engine | None = None) -> dict[str, list[dict]]:
    """The choices of the global filters, within what the account may see.

    {"edition": [{"label", "value"}...], "school": [...], "region": [...]}: editions newest
    first, schools by name, regions by name. A school-scoped account sees its schools only; a
    region-scoped one the schools of its regions.
    """
    editions = select(edition.c.edition).order_by(edition.c.edition.desc())
    regions = select(region.c.region_code, region.c.name)
    schools = select(school.c.school_id, school.c.name, school.c.short_name)
    if scope.editions:
        editions = editions.where(edition.c.edition.in_(scope.editions))
    if scope.regions:
        regions = regions.where(region.c.region_code.in_(scope.regions))
        schools = schools.where(school.c.region_code.in_(scope.regions))
    if scope.schools:
        schools = schools.where(school.c.school_id.in_(scope.schools))
    with (engine or get_engine()).connect() as conn:
        return {
            "edition": [{"label": e, "value": e} for e in conn.scalars(editions)],
            "school": _by_label([{"label": _school_label(name, short), "value": school_id}
                                 for school_id, name, short in conn.execute(schools)]),
            "region": _by_label([{"label": name, "value": code}
                                 for code, name in conn.execute(regions)]),
        }


def _by_label(options: list[dict]) -> list[dict]:
    # In Python rather than ORDER BY: "École" and "Île-de-France" sort among the E and I on
    # both databases, whatever their collation.
    return sorted(options, key=lambda option: name_key(option["label"]))


def _school_label(name: str, short_name: str | None) -> str:
    if short_name and short_name.lower() not in name.lower():
        return f"{name} ({short_name})"
    return name

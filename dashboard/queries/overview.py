"""The overview's headline figures, and the choices offered by the global filters.

Which rows a filter selects (DESIGN.md section 7):
- a project: its `edition`, its `school_id`, and the region of its organisation;
- a student of the roster: its `edition`, its `school_id`, and the region of that school;
- a tour event: its `edition` (from its date), its `school_id`, its `region_code`;
- a survey response (mart_response, mart_pair): its edition, school and the school's region.

Counts of projects, organisations, schools, regions and events are not about people and are
never hidden. Counts of people (students, respondents, matched pairs) of 1 to k - 1 are hidden:
the value comes back as None and its key is in `suppressed`, so every screen, file and map
hides the same cells. A share of a wave is shown only when the selection is made of whole
publication units of that wave's respondents (docs/disclosure.md), for every role: else two
selections differing by a few people would give those people's answers by subtraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from sqlalchemy import distinct, func, select
from sqlalchemy.engine import Connection, Engine

from dashboard.cache import cached
from dashboard.queries import awareness
from dashboard.queries.awareness.cubes import select_cubes
from dashboard.queries.base import Filters, Scope, among, effective, encoded, where
from dashboard.queries.versioned import versioned
from dashboard.stats import is_small_cell
from etl.db import get_engine
from etl.reference import name_key
from etl.schema import (
    edition, organisation, project, region, school, student, tour_event,
)

REGIONS_TOTAL = 18  # the French regions, 13 metropolitan and 5 overseas

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
    engine = engine or get_engine()
    with engine.connect() as conn:
        figures = {**_projects(conn, chosen), **_events(conn, chosen)}
    people = versioned(engine, "overview_people", _People.build)
    survey, withheld = _awareness(engine, chosen, k)
    figures |= {"students": people.students(chosen), "schools": people.schools(chosen),
                **survey, "regions_total": REGIONS_TOTAL}
    # The guide's headline figure stands beside the tour's (copies are not people: not hidden).
    from dashboard.queries.guide import guide_kpis

    figures["guide_copies"] = guide_kpis(filters, scope, k, engine=engine)["copies"]
    return _suppress(figures, k, withheld)


def _suppress(figures: dict, k: int, withheld: set[str] = frozenset()) -> dict:
    """`withheld`: the figures hidden whatever their n (a selection that is not whole)."""
    hidden = {name for name in ("students", "n_pre", "n_post", "n_matched")
              if is_small_cell(figures[name], k)} | set(withheld)
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


def _selected(columns: Mapping[str, tuple[np.ndarray, dict]], chosen: Filters) -> np.ndarray:
    """The rows of encoded `columns` (edition, school_id, region_code) inside the filters."""
    keep = np.ones(len(columns["edition"][0]), dtype=bool)
    for values, column in ((chosen.editions, "edition"), (chosen.schools, "school_id"),
                           (chosen.regions, "region_code")):
        if values:
            keep &= among(columns[column], values)
    return keep


@dataclass(frozen=True)
class _People:
    """Who stands behind the distinct counts of the headline, held in memory per warehouse
    version (like the awareness cubes): counting distinct people over 100,000 roster rows in
    SQL costs 100 to 250 ms at national scale, a mask over these arrays well under 5 ms.

    `roster`: one row per student and edition (a person as a small integer, the edition, the
    school, the school's region); `schools`: the distinct (edition, school, region) of the
    projects (the organisation's region) and of the roster (the school's region)."""

    roster: Mapping[str, tuple[np.ndarray, dict]]
    persons: np.ndarray
    people: int
    school_rows: Mapping[str, tuple[np.ndarray, dict]]

    @classmethod
    def build(cls, conn: Connection) -> "_People":
        # Plain columns, not a DataFrame: pandas takes half a second to infer the types of
        # 100,000 rows of text; the school's region is looked up here, not joined.
        regions = dict(conn.execute(select(school.c.school_id, school.c.region_code)).all())
        rows = conn.execute(select(student.c.pseudonym, student.c.edition,
                                   student.c.school_id)).all()
        pseudonyms, editions, schools = (list(column) for column in zip(*rows)) if rows \
            else ([], [], [])
        numbers: dict[str, int] = {}
        persons = np.fromiter((numbers.setdefault(p, len(numbers)) for p in pseudonyms),
                              dtype=np.int64, count=len(pseudonyms))
        school_regions = [regions.get(s) for s in schools]
        roster = {"edition": encoded(editions), "school_id": encoded(schools),
                  "region_code": encoded(school_regions)}
        project_rows, project_clauses = _project_rows(Filters())
        named = set(conn.execute(
            select(project.c.edition, project.c.school_id, organisation.c.region_code)
            .select_from(project_rows).where(project.c.school_id.is_not(None), *project_clauses)
            .distinct()).all())
        named |= set(zip(editions, schools, school_regions))
        triples = list(zip(*named)) if named else ([], [], [])
        return cls(roster=roster, persons=persons, people=len(numbers),
                   school_rows={c: encoded(list(v)) for c, v in
                                zip(("edition", "school_id", "region_code"), triples)})

    def students(self, chosen: Filters) -> int:
        """Distinct students of the roster in the selection (one person in two editions is one
        student)."""
        persons = self.persons[_selected(self.roster, chosen)]
        return int(np.count_nonzero(np.bincount(persons, minlength=self.people)))

    def schools(self, chosen: Filters) -> int:
        """Schools with a project or a roster student in the selection."""
        codes = self.school_rows["school_id"][0][_selected(self.school_rows, chosen)]
        return int(np.unique(codes).size)


def _events(conn: Connection, chosen: Filters) -> dict:
    events, regions, attendees = conn.execute(
        select(func.count(), func.count(distinct(tour_event.c.region_code)),
               func.coalesce(func.sum(tour_event.c.attendees), 0))
        .where(*where(chosen, edition=tour_event.c.edition, school=tour_event.c.school_id,
                      region=tour_event.c.region_code))).one()
    return {"events": events, "regions": regions, "attendees": int(attendees)}


def _awareness(engine: Engine, chosen: Filters, k: int) -> tuple[dict, set[str]]:
    """Unpaired knows_ess, every pre answer against every post answer (n = who answered it),
    and the matched respondents (knows_ess answered both before and after, in one edition):
    sums over the awareness page's cubes, the same counts as that page's; with the shares the
    selection may not show (not whole in the units of that wave's respondents)."""
    responses, pairs = select_cubes(engine, chosen, "responses", "pairs")
    units = awareness.survey_units(engine, k)
    item = awareness.HEADLINE_ITEM
    figures = {"n_matched": pairs.sums().get(f"matched__{item}", 0)}
    withheld = set()
    for wave in ("pre", "post"):
        counts = responses.select(Filters(), wave=wave).sums()
        n, aware = counts.get(f"n__{item}", 0), counts.get(f"positive__{item}", 0)
        figures[f"n_{wave}"] = n
        figures[f"share_{wave}"] = aware / n if n else None
        if not units[f"{wave}:{item}"].whole(chosen):
            withheld.add(f"share_{wave}")
    return figures, withheld


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

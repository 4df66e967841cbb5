"""The overview's headline figures on a small hand-written warehouse (SQLite and PostgreSQL).

Every expected value is arithmetic over the named inputs below, so a reader sees why it holds.
Schools and regions come from the reference data that `migrate.upgrade` loads: INSA Lyon is in
Auvergne-Rhône-Alpes (84), CentraleSupélec in Île-de-France (11), Brittany is 53.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.queries.base import STAFF, Filters, Scope
from dashboard.queries.overview import filter_options, headline
from etl import db, migrate
from etl.schema import (
    edition, load_batch, mart_pair, mart_response, organisation, project, student, tour_event,
)

E1, E2 = "2024-2025", "2025-2026"
LYON, PARIS = "insa-lyon", "centralesupelec"
ARA, IDF, BRE = "84", "11", "53"
K = 5

ORGANISATIONS = {"org-lyon-1": ARA, "org-lyon-2": ARA, "org-paris": IDF}  # org -> its region
PROJECTS = [  # (project_id, org_id, school_id, edition)
    ("p1", "org-lyon-1", LYON, E1),
    ("p2", "org-lyon-1", PARIS, E2),  # a Lyon organisation with Paris students: region 84
    ("p3", "org-paris", PARIS, E1),
    ("p4", "org-lyon-2", None, E2),  # no school named
]
LYON_STUDENTS = [f"lyon{i}" for i in range(6)]
PARIS_STUDENTS = [f"paris{i}" for i in range(3)]
ROSTER = [  # (pseudonym, edition, school_id)
    *[(p, E1, LYON) for p in LYON_STUDENTS],
    (LYON_STUDENTS[0], E2, LYON),  # the same student the next year: one person
    *[(p, E2, PARIS) for p in PARIS_STUDENTS],
]
EVENTS = [  # (event_id, edition, region_code, school_id, attendees)
    ("e1", E1, ARA, LYON, 100),
    ("e2", E2, IDF, PARIS, 50),
    ("e3", E2, BRE, None, 30),
]
# knows_ess: 2 = "Oui, précisément" (aware), 1 = vaguely, 0 = no; None = item not answered
KNOWS = {
    (E1, "pre", LYON): dict(zip(LYON_STUDENTS, [2, 2, 1, 0, 0, 1])),  # 2 aware of 6
    (E1, "post", LYON): dict(zip(LYON_STUDENTS[:5], [2, 2, 2, 1, 2])),  # 4 of 5; lyon5 left
    (E2, "pre", PARIS): dict(zip(PARIS_STUDENTS, [2, 0, 0])),  # 1 of 3
    (E2, "post", PARIS): dict(zip(PARIS_STUDENTS[:2], [2, 2])),  # 2 of 2
}
UNANSWERED = (E1, "pre", LYON, "anon-1")  # a response that skipped knows_ess: not in any n
REGION_OF_SCHOOL = {LYON: ARA, PARIS: IDF}


def _lineage(batch_id: int) -> dict:
    return {"batch_id": batch_id, "row_hash": "0" * 32}


def _response_rows() -> list[dict]:
    rows = [{"pseudonym": pseudonym, "edition": ed, "wave": wave, "school_id": school,
             "region_code": REGION_OF_SCHOOL[school], "knows_ess": value}
            for (ed, wave, school), answers in KNOWS.items()
            for pseudonym, value in answers.items()]
    ed, wave, school, pseudonym = UNANSWERED
    rows.append({"pseudonym": None, "edition": ed, "wave": wave, "school_id": school,
                 "region_code": REGION_OF_SCHOOL[school], "knows_ess": None})
    return [{"response_id": i, **row} for i, row in enumerate(rows, start=1)]


def _pair_rows() -> list[dict]:
    pairs = []
    for (ed, wave, school), answers in KNOWS.items():
        if wave != "pre":
            continue
        after = KNOWS[(ed, "post", school)]
        pairs += [{"pseudonym": p, "edition": ed, "school_id": school,
                   "region_code": REGION_OF_SCHOOL[school], "pre_knows_ess": before,
                   "post_knows_ess": after[p]} for p, before in answers.items() if p in after]
    return pairs


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path_factory):
    """The hand-written warehouse, built once per database: every test here only reads it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('overview') / 'warehouse.sqlite'}"
        drop = db.dispose_engines
    else:
        from tests.conftest import _new_postgres_database

        url, drop = _new_postgres_database(request.getfixturevalue("postgres_admin"))
    warehouse = db.get_engine(url)
    migrate.upgrade(warehouse)
    _fill(warehouse)
    yield warehouse
    drop()


def _fill(warehouse) -> None:
    now = dt.datetime(2026, 11, 23, 9, 0)
    with warehouse.begin() as conn:
        batch_id = conn.execute(load_batch.insert().values(
            file_name="hand-written", sha256="0" * 64, kind="projects", started_at=now,
            finished_at=now, status="loaded")).inserted_primary_key[0]
        conn.execute(edition.insert(), [
            {"edition": e, "start_date": dt.date(int(e[:4]), 9, 1),
             "end_date": dt.date(int(e[5:]), 8, 31)} for e in (E1, E2)])
        conn.execute(organisation.insert(), [
            {"org_id": org, "name": org, "legal_form": "association", "cause": "education",
             "region_code": reg, **_lineage(batch_id)} for org, reg in ORGANISATIONS.items()])
        conn.execute(project.insert(), [
            {"project_id": pid, "title": pid, "org_id": org, "school_id": school,
             "edition": ed, "tech_type": "web_app", "status": "delivered", **_lineage(batch_id)}
            for pid, org, school, ed in PROJECTS])
        conn.execute(student.insert(), [
            {"pseudonym": p, "edition": ed, "school_id": school, **_lineage(batch_id)}
            for p, ed, school in ROSTER])
        conn.execute(tour_event.insert(), [
            {"event_id": eid, "date": dt.date(int(ed[:4]), 10, 1), "edition": ed,
             "city": "Ville", "region_code": reg, "school_id": school,
             "event_type": "conference", "attendees": attendees, **_lineage(batch_id)}
            for eid, ed, reg, school, attendees in EVENTS])
        conn.execute(mart_response.insert(), _response_rows())
        conn.execute(mart_pair.insert(), _pair_rows())


def test_headline_without_filters_counts_everything(engine):
    figures = headline(Filters(), STAFF, K, engine=engine)

    assert figures["projects"] == len(PROJECTS) == 4
    assert figures["organisations"] == len(ORGANISATIONS) == 3
    assert figures["students"] == len(LYON_STUDENTS) + len(PARIS_STUDENTS) == 9  # lyon0 once
    assert figures["schools"] == len({LYON, PARIS}) == 2  # p4 names no school
    assert figures["events"] == 3
    assert figures["regions"] == len({ARA, IDF, BRE}) == 3
    assert figures["regions_total"] == 18
    assert figures["attendees"] == 100 + 50 + 30
    assert figures["n_pre"] == 6 + 3  # the response without knows_ess is not counted
    assert figures["share_pre"] == pytest.approx((2 + 1) / (6 + 3))
    assert figures["n_post"] == 5 + 2
    assert figures["share_post"] == pytest.approx((4 + 2) / (5 + 2))
    assert figures["n_matched"] == 5 + 2
    assert figures["suppressed"] == set()


def test_edition_filter(engine):
    figures = headline(Filters.of(editions=[E1]), STAFF, K, engine=engine)

    assert (figures["projects"], figures["organisations"]) == (2, 2)  # p1, p3
    assert figures["students"] == len(LYON_STUDENTS)
    assert figures["schools"] == 2  # Lyon (p1, roster) and Paris (p3)
    assert (figures["events"], figures["regions"], figures["attendees"]) == (1, 1, 100)
    # 2025-2026 holds only Paris's 3 pre and 2 post answers (under K): they are pooled with
    # Lyon's 2024-2025 answers into one publication unit, so 2024-2025 alone is not a whole
    # selection (its shares and the whole warehouse's would give Paris's back): the n's stay,
    # the shares are hidden (docs/disclosure.md).
    assert (figures["n_pre"], figures["share_pre"]) == (6, None)
    assert (figures["n_post"], figures["share_post"]) == (5, None)
    assert figures["suppressed"] == {"share_pre", "share_post"}
    assert figures["n_matched"] == 5


def test_region_filter_uses_the_organisations_region_for_projects(engine):
    figures = headline(Filters.of(regions=[ARA]), STAFF, K, engine=engine)

    assert figures["projects"] == 3  # p1, p2 (Lyon organisation, Paris students), p4
    assert figures["organisations"] == 2
    assert figures["students"] == len(LYON_STUDENTS)  # the region of the student's school
    assert figures["schools"] == 2  # Lyon, and Paris through p2
    assert (figures["events"], figures["attendees"]) == (1, 100)
    assert (figures["n_pre"], figures["n_post"]) == (6, 5)


def test_school_filter_hides_people_counts_under_k(engine):
    figures = headline(Filters.of(schools=[PARIS]), STAFF, K, engine=engine)

    assert (figures["projects"], figures["organisations"]) == (2, 2)  # p2, p3: never hidden
    assert (figures["events"], figures["attendees"]) == (1, 50)
    assert figures["schools"] == 1
    for name in ("students", "n_pre", "share_pre", "n_post", "share_post", "n_matched"):
        assert figures[name] is None, name
    assert figures["suppressed"] == {"students", "n_pre", "share_pre", "n_post", "share_post",
                                     "n_matched"}


@pytest.mark.parametrize("k, hidden", [(len(PARIS_STUDENTS) + 1, True),
                                       (len(PARIS_STUDENTS), False)])
def test_suppression_at_k_minus_one_and_k(engine, k, hidden):
    figures = headline(Filters.of(schools=[PARIS]), STAFF, k, engine=engine)

    assert ("students" in figures["suppressed"]) is hidden
    assert figures["students"] == (None if hidden else len(PARIS_STUDENTS))
    assert figures["n_pre"] == (None if hidden else 3)
    assert figures["share_pre"] == (None if hidden else pytest.approx(1 / 3))


def test_funder_scope_limits_every_figure_to_its_region(engine):
    funder = Scope(role="funder", regions=(ARA,))

    assert headline(Filters(), funder, K, engine=engine) == \
        headline(Filters.of(regions=[ARA]), STAFF, K, engine=engine)
    within = headline(Filters.of(editions=[E1]), funder, K, engine=engine)
    assert (within["projects"], within["students"], within["events"]) == (1, 6, 1)  # p1


def test_funder_choosing_a_region_outside_its_scope_sees_nothing(engine):
    figures = headline(Filters.of(regions=[IDF]), Scope(role="funder", regions=(ARA,)), K,
                       engine=engine)

    assert (figures["projects"], figures["events"], figures["students"]) == (0, 0, 0)
    assert (figures["n_pre"], figures["share_pre"]) == (0, None)  # nobody: not hidden
    assert figures["suppressed"] == set()


def test_snapshot_figures_are_returned_as_published(engine):
    published = {"headline": {"projects": 12, "students": None, "suppressed": ["students"]}}

    figures = headline(Filters(), STAFF, K, engine=engine, snapshot=published)

    assert figures == {"projects": 12, "students": None, "suppressed": {"students"}}


def test_filter_options_within_scope(engine):
    everything = filter_options(STAFF, engine=engine)
    assert [o["value"] for o in everything["edition"]] == [E2, E1]  # newest first
    assert len(everything["region"]) == 18
    assert {LYON, PARIS} <= {o["value"] for o in everything["school"]}
    labels = [o["label"] for o in everything["region"]]
    assert labels.index("Île-de-France") < labels.index("Normandie")  # accents sort in place

    funder = filter_options(Scope(role="funder", regions=(ARA,), editions=(E1,)),
                            engine=engine)
    assert [o["value"] for o in funder["region"]] == [ARA]
    assert [o["value"] for o in funder["edition"]] == [E1]
    assert LYON in {o["value"] for o in funder["school"]}
    assert PARIS not in {o["value"] for o in funder["school"]}

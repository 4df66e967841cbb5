"""Guide queries on hand-built files loaded through the ETL (SQLite and PostgreSQL).

A guide record's region is the one written on it, else its school's, else its organisation's,
else its event's. The records below exercise each step: expected values are sums over the
named records.
"""

from __future__ import annotations

import json
import textwrap

import pandas as pd
import pytest

from dashboard.queries import guide, reach
from dashboard.queries.base import Filters, Scope
from etl.load import load_paths

K = 5
STAFF = Scope()
ALL = Filters()

ORGANISATIONS = """\
    org_id,name,legal_form,cause,city,region_code
    A1,Entraide Lyon,association,education,Lyon,84
    C1,Lien Paris,cooperative,inclusion,Paris,11
    D1,Terre Réunion,association,environnement,Saint-Pierre,04
"""
# P9 has no start date: its date is 1 September 2026 (its edition's first day).
PROJECTS = """\
    project_id,title,org_id,school_id,edition,tech_type,status,students_count,mentors_count,start_date,end_date
    P1,Carte des bénévoles,A1,insa-lyon,2024-2025,web_app,delivered,4,1,2024-10-01,
    P4,Offres d'emploi,A1,insa-lyon,2025-2026,data_analysis,in_progress,5,2,2025-11-02,
    P3,Annuaire solidaire,C1,centralesupelec,2024-2025,web_app,delivered,3,1,2025-01-10,
    P7,Capteurs de rivière,D1,esiroi,2024-2025,iot,selected,6,0,2024-09-01,
    P9,Suivi des récoltes,D1,esiroi,2026-2027,website,submitted,,,,
"""
EVENTS = """\
    event_id,date,city,region_code,school_id,event_type,attendees,students_attending,organisations_attending
    E1,2024-10-10,Lyon,84,insa-lyon,conference,100,60,10
    E8,2025-01-15,Lyon,84,,workshop,30,20,3
    E4,2025-02-01,Paris,11,centralesupelec,forum,200,150,30
    E5,2025-11-15,Saint-Denis,04,esiroi,conference,50,30,8
"""
# Regions: G1, G3 written (G3's school is in 11: the written region wins); G2, G7 by school;
# G4, G8, G9 by organisation; G5 by event (E4); G10 by school before organisation (11, not
# 04); G11 by organisation before event (11, not 84); G6 unknown.
GUIDE = """\
    record_id,date,channel,copies,region_code,school_id,org_id,event_id,audience
    G1,2024-11-01,download,10,84,insa-lyon,,,students
    G2,2025-01-10,print,5,,centralesupelec,,,schools
    G3,2025-02-01,event,20,84,centralesupelec,,E1,students
    G4,2025-09-01,partner_mailing,7,,,D1,,organisations
    G5,2025-03-05,event,15,,,,E4,professionals
    G6,2025-04-01,download,100,,,,,other
    G7,2025-10-01,download,3,,esiroi,,,students
    G8,2025-06-01,download,4,,,A1,,organisations
    G9,2025-06-15,print,6,,,C1,,organisations
    G10,2025-12-01,download,1,,centralesupelec,D1,,schools
    G11,2025-12-05,print,2,,,C1,E1,organisations
"""
COPIES_84 = 10 + 20 + 4                 # G1, G3, G8
COPIES_11 = 5 + 15 + 6 + 1 + 2          # G2, G5, G9, G10, G11
COPIES_04 = 7 + 3                       # G4, G7
COPIES_UNKNOWN = 100                    # G6
FILES = {"organisations.csv": ORGANISATIONS, "projects.csv": PROJECTS, "events.csv": EVENTS,
         "guide.csv": GUIDE}


@pytest.fixture
def distribution(warehouse, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in FILES.items():
        (inbox / name).write_text(textwrap.dedent(text), encoding="utf-8")
    reports = load_paths([inbox], engine=warehouse)
    assert [(r.file, r.status, r.message) for r in reports if not r.ok] == []
    assert all(r.rows_rejected == 0 for r in reports), [r.reasons for r in reports]
    return warehouse


def test_guide_kpis_count_every_record_including_unknown_regions(distribution):
    kpis = guide.guide_kpis(ALL, STAFF, K, engine=distribution)
    assert kpis == {
        "copies": COPIES_84 + COPIES_11 + COPIES_04 + COPIES_UNKNOWN,
        "downloads": 10 + 100 + 3 + 4 + 1,          # G1, G6, G7, G8, G10
        "print_copies": 5 + 6 + 2,                  # G2, G9, G11
        "event_copies": 20 + 15,                    # G3, G5
        "mailing_copies": 7,                        # G4
        "records": 11,
        "schools_reached": 3,                       # insa-lyon, centralesupelec, esiroi
        "organisations_reached": 3,                 # D1, A1, C1
        "events": 4,
        "events_with_guide": 2,                     # E1 (G3, G11), E4 (G5); not E5, E8
        "events_with_guide_pct": 2 / 4 * 100,
    }


def test_guide_region_falls_back_from_school_to_organisation_to_event(distribution):
    table = reach.export_table(ALL, STAFF, K, engine=distribution).set_index("region_code")
    assert table.loc["84", "guide_copies"] == COPIES_84
    assert table.loc["11", "guide_copies"] == COPIES_11
    assert table.loc["04", "guide_copies"] == COPIES_04
    assert table.loc["94", "guide_copies"] == 0
    # G6 counts in the totals only.
    assert table["guide_copies"].sum() == COPIES_84 + COPIES_11 + COPIES_04
    assert table.loc["11", "guide_recipients_schools"] == 1    # centralesupelec (G2, G10)
    assert table.loc["84", "guide_recipients_schools"] == 2    # insa-lyon, centralesupelec
    for region_code, copies in (("84", COPIES_84), ("11", COPIES_11), ("04", COPIES_04)):
        kpis = guide.guide_kpis(Filters.of(regions=[region_code]), STAFF, K,
                                engine=distribution)
        assert kpis["copies"] == copies


def test_guide_kpis_follow_the_filters(distribution):
    in_84 = guide.guide_kpis(Filters.of(regions=["84"]), STAFF, K, engine=distribution)
    assert (in_84["copies"], in_84["downloads"], in_84["records"]) == (COPIES_84, 10 + 4, 3)
    assert (in_84["schools_reached"], in_84["organisations_reached"]) == (2, 1)
    # Events of 84: E1 (handed out) and E8 (not); G11 counts for E1 wherever its own region.
    assert (in_84["events"], in_84["events_with_guide"]) == (2, 1)

    # 2025-2026 starts on 1 September 2025: G4, G7, G10, G11; its only event, E5, had none.
    later = guide.guide_kpis(Filters.of(editions=["2025-2026"]), STAFF, K, engine=distribution)
    assert (later["copies"], later["records"]) == (7 + 3 + 1 + 2, 4)
    assert (later["events"], later["events_with_guide_pct"]) == (1, 0.0)

    school = guide.guide_kpis(Filters.of(schools=["centralesupelec"]), STAFF, K,
                              engine=distribution)
    assert school["copies"] == 5 + 20 + 1                      # G2, G3, G10
    assert (school["events"], school["events_with_guide"]) == (1, 1)   # E4, with G5

    nothing = guide.guide_kpis(Filters.of(regions=["94"]), STAFF, K, engine=distribution)
    assert nothing["copies"] == 0 and nothing["events_with_guide_pct"] is None


def test_guide_kpis_for_a_funder_stay_in_its_scope(distribution):
    funder = Scope(role="funder", regions=("84",))
    assert guide.guide_kpis(ALL, funder, K, engine=distribution) == guide.guide_kpis(
        Filters.of(regions=["84"]), STAFF, K, engine=distribution)
    outside = guide.guide_kpis(Filters.of(regions=["11"]), funder, K, engine=distribution)
    assert (outside["copies"], outside["records"], outside["events"]) == (0, 0, 0)


def test_guide_timeline_is_cumulative_per_channel(distribution):
    frame = guide.guide_timeline(ALL, STAFF, K, engine=distribution)
    assert list(frame.columns) == ["month", "channel", "records", "copies", "cumulative_copies",
                                   "total_cumulative_copies"]
    months = sorted(frame["month"].unique())
    assert (months[0], months[-1], len(months)) == ("2024-11", "2025-12", 14)
    assert len(frame) == 14 * 4
    june = frame[frame["month"] == "2025-06"].set_index("channel")["copies"].to_dict()
    assert june == {"download": 4, "event": 0, "partner_mailing": 0, "print": 6}
    last = frame[frame["month"] == "2025-12"].set_index("channel")["cumulative_copies"]
    assert last.to_dict() == {"download": 118, "event": 35, "partner_mailing": 7, "print": 13}
    assert last.sum() == COPIES_84 + COPIES_11 + COPIES_04 + COPIES_UNKNOWN
    assert guide.guide_timeline(Filters.of(regions=["94"]), STAFF, K,
                                engine=distribution).empty


def test_guide_by_audience(distribution):
    frame = guide.guide_by_audience(ALL, STAFF, K, engine=distribution).set_index("audience")
    assert list(frame.index) == ["students", "schools", "organisations", "professionals",
                                 "other"]
    assert frame["copies"].to_dict() == {
        "students": 10 + 20 + 3, "schools": 5 + 1, "organisations": 7 + 4 + 6 + 2,
        "professionals": 15, "other": 100}
    assert frame["records"].to_dict() == {"students": 3, "schools": 2, "organisations": 4,
                                          "professionals": 1, "other": 1}
    in_04 = guide.guide_by_audience(Filters.of(regions=["04"]), STAFF, K, engine=distribution)
    assert in_04.set_index("audience")["copies"].to_dict() == {
        "students": 3, "schools": 0, "organisations": 7, "professionals": 0, "other": 0}


def test_guide_conversion_within_twelve_months_of_the_first_record(distribution):
    result = guide.guide_conversion(ALL, STAFF, K, engine=distribution)
    # Schools: insa-lyon (first G1, 2024-11-01) has P4 on 2025-11-02, one day too late;
    # centralesupelec (G2, 2025-01-10) has P3 the same day; esiroi (G7, 2025-10-01) has P9,
    # dated 2026-09-01 by its edition.
    assert result["schools"] == pytest.approx({"recipients": 3, "converted": 2,
                                             "share_pct": 2 / 3 * 100})
    # Organisations: D1 (G4, 2025-09-01) has P9 exactly twelve months later; A1 (G8,
    # 2025-06-01) has P4; C1 (G9, 2025-06-15) only P3, earlier.
    assert result["organisations"] == pytest.approx({"recipients": 3, "converted": 2,
                                                   "share_pct": 2 / 3 * 100})


def test_guide_conversion_starts_from_the_first_record_of_the_selection(distribution):
    result = guide.guide_conversion(Filters.of(regions=["84"]), STAFF, K, engine=distribution)
    # In 84, centralesupelec's first record is G3 (2025-02-01), after its P3 (2025-01-10).
    assert result["schools"] == {"recipients": 2, "converted": 0, "share_pct": 0.0}
    assert result["organisations"] == {"recipients": 1, "converted": 1, "share_pct": 100.0}
    empty = guide.guide_conversion(Filters.of(regions=["94"]), STAFF, K, engine=distribution)
    assert empty["schools"] == {"recipients": 0, "converted": 0, "share_pct": None}


def test_a_published_snapshot_replays_the_guide_figures(distribution):
    snapshot = json.loads(json.dumps(guide.snapshot_figures(ALL, STAFF, K, distribution)))
    assert guide.guide_kpis(ALL, STAFF, K, snapshot=snapshot) == guide.guide_kpis(
        ALL, STAFF, K, engine=distribution)
    assert guide.guide_conversion(ALL, STAFF, K, snapshot=snapshot) == guide.guide_conversion(
        ALL, STAFF, K, engine=distribution)
    for function in (guide.guide_timeline, guide.guide_by_audience):
        live = function(ALL, STAFF, K, engine=distribution)
        pd.testing.assert_frame_equal(function(ALL, STAFF, K, snapshot=snapshot), live)


def test_the_overview_carries_the_guides_headline_beside_the_tours(distribution):
    from dashboard.queries.overview import headline

    figures = headline(Filters(), STAFF, 5, engine=distribution)
    assert figures["guide_copies"] == COPIES_84 + COPIES_11 + COPIES_04 + COPIES_UNKNOWN
    in_84 = headline(Filters.of(regions=["84"]), STAFF, 5, engine=distribution)
    assert in_84["guide_copies"] == COPIES_84


def test_the_figures_counted_in_memory_are_the_sql_statements(distribution):
    """The events and records held in memory (`guide.TourData`, per warehouse version) give
    the figures of the grouped SQL statements that define them, for a spread of selections."""
    from decimal import Decimal

    from sqlalchemy import case, distinct, func, select

    from dashboard.queries.dates import iso_text
    from etl.schema import guide_record, tour_event

    def total(column):
        return func.coalesce(func.sum(column), 0)

    city = func.trim(tour_event.c.city)
    month = {table: func.substr(iso_text(table.c.date), 1, 7)
             for table in (tour_event, guide_record)}
    selections = [ALL, Filters.of(editions=["2024-2025"]), Filters.of(schools=["insa-lyon"]),
                  Filters.of(regions=["84", "04"]), Filters.of(regions=["94"]),
                  Filters.of(editions=["2025-2026"], regions=["11"]),
                  Filters.of(schools=["centralesupelec", "esiroi"], regions=["11", "04"])]
    with distribution.connect() as conn:
        def rows(statement) -> set:  # PostgreSQL sums as Decimal
            return {tuple(int(v) if isinstance(v, (int, Decimal)) else v for v in row)
                    for row in conn.execute(statement)}

        for f in selections:
            events = guide.event_filters(f)
            table = reach.export_table(f, STAFF, K, engine=distribution)
            by_region = {row[0]: row[1:] for row in rows(
                select(tour_event.c.region_code, func.count(), func.count(distinct(city)),
                       func.count(distinct(tour_event.c.school_id)),
                       total(tour_event.c.attendees), total(tour_event.c.students_attending),
                       total(tour_event.c.organisations_attending))
                .where(*events).group_by(tour_event.c.region_code))}
            guide_by_region = {row[0]: row[1:] for row in rows(
                guide.select_guide(f, guide.guide_region, total(guide_record.c.copies),
                                   func.count(distinct(guide_record.c.school_id)))
                .where(guide.guide_region.is_not(None)).group_by(guide.guide_region))}
            for row in table.itertuples(index=False):
                assert tuple(row[2:8]) == by_region.get(row.region_code, (0,) * 6), f
                assert tuple(row[8:]) == guide_by_region.get(row.region_code, (0, 0)), f

            kpis = reach.reach_kpis(f, STAFF, K, engine=distribution)
            assert (kpis["events"], kpis["schools_reached"], kpis["attendees"],
                    kpis["regions_covered"], kpis["cities"]) == next(iter(rows(select(
                        func.count(), func.count(distinct(tour_event.c.school_id)),
                        total(tour_event.c.attendees),
                        func.count(distinct(tour_event.c.region_code)),
                        func.count(distinct(tour_event.c.region_code + "|" + city)))
                        .where(*events)))), f

            figures = guide.guide_kpis(f, STAFF, K, engine=distribution)
            assert tuple(figures[name] for name in (
                "copies", "downloads", "records", "schools_reached",
                "organisations_reached")) == next(iter(rows(guide.select_guide(
                    f, total(guide_record.c.copies),
                    total(case((guide_record.c.channel == "download", guide_record.c.copies),
                               else_=0)),
                    func.count(), func.count(distinct(guide_record.c.school_id)),
                    func.count(distinct(guide_record.c.org_id)))))), f

            for frame, series, statement in (
                    (reach.timeline(f, STAFF, K, engine=distribution), "event_type",
                     select(month[tour_event], tour_event.c.event_type, func.count(),
                            total(tour_event.c.attendees)).where(*events)
                     .group_by(month[tour_event], tour_event.c.event_type)),
                    (guide.guide_timeline(f, STAFF, K, engine=distribution), "channel",
                     guide.select_guide(f, month[guide_record], guide_record.c.channel,
                                        func.count(), total(guide_record.c.copies))
                     .group_by(month[guide_record], guide_record.c.channel))):
                counts = frame.columns[2:4]
                happened = frame[frame[counts[0]] > 0]
                assert set(zip(happened["month"], happened[series],
                               *(happened[c].astype(int) for c in counts))) == rows(statement), f

            firsts = rows(guide.select_guide(f, guide_record.c.org_id,
                                             func.min(iso_text(guide_record.c.date)))
                          .where(guide_record.c.org_id.is_not(None))
                          .group_by(guide_record.c.org_id))
            assert guide.guide_conversion(f, STAFF, K, engine=distribution)[
                "organisations"]["recipients"] == len(firsts), f

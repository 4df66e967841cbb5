"""Reach (Tour de France) and project-outcome queries, on hand-built files loaded through the ETL.

The programme below is small enough to check by hand. Three regions have data: Auvergne-Rhône-
Alpes (84, five organisations), Île-de-France (11) and La Réunion (04, overseas); Corse (94)
stands for the empty regions. Expected values are written as arithmetic over the rows, so a
reader can see where each figure comes from.
"""

from __future__ import annotations

import json
import math
import textwrap

import pandas as pd
import pytest

from dashboard.queries import outcomes, projects, reach
from dashboard.queries.base import Filters, Scope
from dashboard.queries.frames import read_frame
from etl import reference
from etl.load import load_paths

K = 5
STAFF = Scope()
ALL = Filters()
FUNDER_84 = Scope(role="funder", regions=("84",))
FUNDER_11 = Scope(role="funder", regions=("11",))
NATIONAL_FUNDER = Scope(role="funder")

ORGANISATIONS = """\
    org_id,name,legal_form,cause,city,region_code
    A1,Entraide Lyon,association,education,Lyon,84
    A2,Jardins de Grenoble,association,environnement,Grenoble,84
    A3,Maison Ouverte,fondation,sante,Lyon,84
    A4,Tremplin Emploi,entreprise_esus,emploi,Villeurbanne,84
    A5,Culture pour Tous,association,culture,Lyon,84
    C1,Lien Paris,cooperative,inclusion,Paris,11
    D1,Terre Réunion,association,environnement,Saint-Pierre,04
"""
# P2 and P5 have no start date: their date is 1 September of their edition.
PROJECTS = """\
    project_id,title,org_id,school_id,edition,tech_type,status,students_count,mentors_count,start_date,end_date
    P1,Carte des bénévoles,A1,insa-lyon,2024-2025,web_app,delivered,4,1,2024-10-01,2025-05-01
    P2,Suivi des jardins,A2,insa-lyon,2024-2025,web_app,delivered,3,1,,
    P3,Dossier patient,A3,centralesupelec,2024-2025,mobile_app,abandoned,2,1,2025-01-10,
    P4,Offres d'emploi,A4,insa-lyon,2025-2026,data_analysis,in_progress,5,2,2025-10-11,
    P5,Billetterie,A5,insa-lyon,2025-2026,website,submitted,,,,
    P6,Annuaire solidaire,C1,centralesupelec,2024-2025,web_app,delivered,3,1,,
    P7,Capteurs de rivière,D1,esiroi,2024-2025,iot,selected,6,0,2025-03-01,
"""
# E2's city is written with spaces around it; E6 (Saint-Denis, Île-de-France) shares its name
# with E5 (Saint-Denis, La Réunion). E6 falls on 1 September: first day of 2025-2026.
EVENTS = """\
    event_id,date,city,region_code,school_id,event_type,attendees,students_attending,organisations_attending
    E1,2024-10-10,Lyon,84,insa-lyon,conference,100,60,10
    E2,2025-03-05, Lyon ,84,,workshop,40,20,5
    E3,2025-05-20,Grenoble,84,centralesupelec,hackathon,30,25,
    E4,2025-02-01,Paris,11,centralesupelec,forum,200,150,30
    E5,2025-11-15,Saint-Denis,04,esiroi,conference,50,30,8
    E6,2025-09-01,Saint-Denis,11,,webinar,80,,
    E7,2024-03-01,Saint-Pierre,04,esiroi,workshop,25,20,2
"""
# Regions: G1 and G3 say 84 (G3 names a school of 11: the written region wins); G2 has its
# school's (11), G4 its organisation's (04), G5 its event's (E4: 11), G7 its school's (04);
# G6 names nothing, so its region is unknown.
GUIDE = """\
    record_id,date,channel,copies,region_code,school_id,org_id,event_id,audience
    G1,2024-11-01,download,10,84,insa-lyon,,,students
    G2,2025-01-10,print,5,,centralesupelec,,,schools
    G3,2025-02-01,event,20,84,centralesupelec,,E1,students
    G4,2025-03-01,partner_mailing,7,,,D1,,organisations
    G5,2025-03-05,event,15,,,,E4,professionals
    G6,2025-04-01,download,100,,,,,other
    G7,2025-10-01,download,3,,esiroi,,,students
"""
# Six-month answers: P1..P5 from five organisations of 84 (in use: oui, partiellement, non,
# oui, non), but beneficiaries from four only (P3 left it blank). End satisfaction: three
# organisations of 84. P7's `in_use` is on the end wave, which does not count.
ORG_SURVEY = """\
    project_id,wave,delivered,in_use,satisfaction,mission_impact,beneficiaries_reached,would_apply_again
    P1,six_months,oui,oui,,,100,oui
    P2,six_months,oui,partiellement,,,50,oui
    P3,six_months,non,non,,,,non
    P4,six_months,non,oui,,,20,oui
    P5,six_months,non,non,,,0,
    P6,six_months,oui,oui,,,30,oui
    P1,end,oui,,5,4,,oui
    P2,end,oui,,4,3,,oui
    P3,end,non,,2,1,,non
    P6,end,oui,,3,3,,oui
    P7,end,oui,oui,4,4,,oui
"""
FILES = {"organisations.csv": ORGANISATIONS, "projects.csv": PROJECTS, "events.csv": EVENTS,
         "guide.csv": GUIDE, "org_survey.csv": ORG_SURVEY}


@pytest.fixture
def programme(warehouse, tmp_path):
    """The warehouse with the files above loaded through the ordinary load path."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in FILES.items():
        (inbox / name).write_text(textwrap.dedent(text), encoding="utf-8")
    reports = load_paths([inbox], engine=warehouse)
    assert [(r.file, r.status, r.rows_rejected) for r in reports if not r.ok] == []
    assert all(r.rows_rejected == 0 for r in reports), [r.reasons for r in reports]
    return warehouse


def row(table: pd.DataFrame, region_code: str) -> dict:
    return table.set_index("region_code").loc[region_code].to_dict()


def blank(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def hidden_cells(table: pd.DataFrame) -> set[tuple[str, str]]:
    """(region_code, column) of the cells the export marks for "< K"."""
    mask = table.attrs["suppressed_mask"].set_index(table["region_code"])
    return {(code, column) for column in mask.columns for code in mask.index[mask[column]]}


def assert_all_regions(table: pd.DataFrame, columns: list[str]) -> None:
    assert list(table.columns) == columns
    assert list(table["region_code"]) == list(reference.regions())
    assert list(table["region_name"]) == list(reference.regions().values())
    assert len(table) == 18


# ---- reach: export table ---------------------------------------------------------------------

REACH_ZERO = {"events": 0, "cities": 0, "schools_reached": 0, "attendees": 0,
              "students_attending": 0, "organisations_attending": 0, "guide_copies": 0,
              "guide_recipients_schools": 0}


def reach_row(table, region_code):
    return {c: int(v) for c, v in row(table, region_code).items() if c != "region_name"}


def test_reach_export_has_every_region_with_known_totals(programme):
    table = reach.export_table(ALL, STAFF, K, engine=programme)
    assert_all_regions(table, reach.EXPORT_COLUMNS)
    assert reach_row(table, "84") == {
        "events": 3,                                  # E1, E2, E3
        "cities": 2,                                  # "Lyon" (twice, once padded), Grenoble
        "schools_reached": 2,                         # insa-lyon, centralesupelec
        "attendees": 100 + 40 + 30, "students_attending": 60 + 20 + 25,
        "organisations_attending": 10 + 5,            # E3 left it blank
        "guide_copies": 10 + 20,                      # G1, G3
        "guide_recipients_schools": 2,                # insa-lyon (G1), centralesupelec (G3)
    }
    assert reach_row(table, "11") == {
        "events": 2, "cities": 2, "schools_reached": 1,  # E4, E6; Paris, Saint-Denis
        "attendees": 200 + 80, "students_attending": 150, "organisations_attending": 30,
        "guide_copies": 5 + 15,                       # G2 by its school, G5 by its event
        "guide_recipients_schools": 1,                # centralesupelec (G2)
    }
    assert reach_row(table, "04") == {
        "events": 2, "cities": 2, "schools_reached": 1,  # E5, E7; Saint-Denis, Saint-Pierre
        "attendees": 50 + 25, "students_attending": 30 + 20, "organisations_attending": 8 + 2,
        "guide_copies": 7 + 3,                        # G4 by its organisation, G7 by its school
        "guide_recipients_schools": 1,                # esiroi (G7)
    }
    assert reach_row(table, "94") == REACH_ZERO
    # G6 (100 copies) has no region: it is in no row.
    assert table["guide_copies"].sum() == 10 + 20 + 5 + 15 + 7 + 3


def test_reach_export_filters_by_edition_school_and_region(programme):
    by_edition = reach.export_table(Filters.of(editions=["2025-2026"]), STAFF, K,
                                    engine=programme)
    assert_all_regions(by_edition, reach.EXPORT_COLUMNS)
    assert reach_row(by_edition, "11")["events"] == 1                # E6, 1 September 2025
    assert reach_row(by_edition, "04")["events"] == 1                # E5 (E7 is 2023-2024)
    assert reach_row(by_edition, "04")["guide_copies"] == 3          # G7
    assert reach_row(by_edition, "84") == REACH_ZERO

    by_school = reach.export_table(Filters.of(schools=["centralesupelec"]), STAFF, K,
                                   engine=programme)
    assert reach_row(by_school, "84")["events"] == 1                 # E3 in Grenoble
    assert reach_row(by_school, "84")["attendees"] == 30
    assert reach_row(by_school, "84")["guide_copies"] == 20          # G3
    assert reach_row(by_school, "11")["attendees"] == 200            # E4
    assert reach_row(by_school, "11")["guide_copies"] == 5           # G2
    assert reach_row(by_school, "04") == REACH_ZERO

    by_region = reach.export_table(Filters.of(regions=["04"]), STAFF, K, engine=programme)
    assert_all_regions(by_region, reach.EXPORT_COLUMNS)
    assert reach_row(by_region, "04")["guide_copies"] == 7 + 3
    assert by_region.drop(columns=["region_code", "region_name"]).sum().sum() == sum(
        reach_row(by_region, "04").values())


def test_reach_export_for_a_funder_shows_only_its_region(programme):
    table = reach.export_table(ALL, FUNDER_84, K, engine=programme)
    assert_all_regions(table, reach.EXPORT_COLUMNS)
    assert reach_row(table, "84") == reach_row(reach.export_table(ALL, STAFF, K, engine=programme),
                                               "84")
    for code in set(reference.regions()) - {"84"}:
        assert reach_row(table, code) == REACH_ZERO
    # A funder asking for another region gets nothing, not the other region.
    outside = reach.export_table(Filters.of(regions=["11"]), FUNDER_84, K, engine=programme)
    assert outside.drop(columns=["region_code", "region_name"]).sum().sum() == 0


def test_reach_export_does_not_suppress_event_head_counts(programme):
    # E3 had 30 attendees of whom 25 students; under any K these are event totals, not people.
    table = reach.export_table(Filters.of(schools=["centralesupelec"]), FUNDER_84, 1000,
                               engine=programme)
    assert reach_row(table, "84")["students_attending"] == 25


# ---- reach: page figures ---------------------------------------------------------------------

def test_reach_kpis_count_distinct_schools_and_cities_over_the_selection(programme):
    kpis = reach.reach_kpis(ALL, STAFF, K, engine=programme)
    assert kpis == {
        "events": 7, "regions_covered": 3, "regions_total": 18,
        # (84, Lyon), (84, Grenoble), (11, Paris), (11, Saint-Denis), (04, Saint-Denis),
        # (04, Saint-Pierre): the two Saint-Denis are two cities.
        "cities": 6,
        # insa-lyon, centralesupelec (in 84 and 11: once), esiroi; the regions' sum is 4.
        "schools_reached": 3,
        "attendees": 100 + 40 + 30 + 200 + 50 + 80 + 25,
        "students_attending": 60 + 20 + 25 + 150 + 30 + 20,
        "organisations_attending": 10 + 5 + 30 + 8 + 2,
    }
    funder = reach.reach_kpis(ALL, FUNDER_84, K, engine=programme)
    assert (funder["events"], funder["regions_covered"], funder["schools_reached"]) == (3, 1, 2)


def test_reach_timeline_is_monthly_and_cumulative(programme):
    frame = reach.timeline(Filters.of(regions=["84"]), STAFF, K, engine=programme)
    assert list(frame.columns) == ["month", "event_type", "events", "attendees",
                                   "cumulative_events", "cumulative_attendees",
                                   "total_cumulative_events", "total_cumulative_attendees"]
    months = sorted(frame["month"].unique())
    assert months[0] == "2024-10" and months[-1] == "2025-05" and len(months) == 8
    assert set(frame["event_type"]) == {"conference", "workshop", "hackathon"}
    march = frame[(frame["month"] == "2025-03") & (frame["event_type"] == "workshop")].iloc[0]
    assert (march["events"], march["attendees"]) == (1, 40)                   # E2
    last = frame[frame["month"] == "2025-05"]
    assert set(last["total_cumulative_events"]) == {3}
    assert set(last["total_cumulative_attendees"]) == {100 + 40 + 30}
    assert last.set_index("event_type")["cumulative_attendees"].to_dict() == {
        "conference": 100, "workshop": 40, "hackathon": 30}
    empty = reach.timeline(Filters.of(regions=["94"]), STAFF, K, engine=programme)
    assert empty.empty and "cumulative_events" in empty.columns


def test_reach_conversion_on_a_tiny_case(programme):
    result = reach.conversion(ALL, STAFF, K, engine=programme)
    by_edition = result["by_edition"].set_index("edition")
    # 2023-2024: esiroi (E7) has P7 in 2024-2025, the next edition: converted.
    # 2024-2025: insa-lyon (E1: P1) and centralesupelec (E3, E4: P3, P6): both converted.
    # 2025-2026: esiroi (E5) has no project in 2025-2026 or 2026-2027 (P7 is earlier).
    assert by_edition[["schools_reached", "schools_with_project"]].to_dict("index") == {
        "2023-2024": {"schools_reached": 1, "schools_with_project": 1},
        "2024-2025": {"schools_reached": 2, "schools_with_project": 2},
        "2025-2026": {"schools_reached": 1, "schools_with_project": 0},
    }
    assert by_edition["share_pct"].tolist() == [100.0, 100.0, 0.0]

    regions = result["by_region"]
    assert_all_regions(regions, ["region_code", "region_name", "first_event_date",
                                 "new_organisations"])
    new = regions.set_index("region_code")["new_organisations"].to_dict()
    # 84, first event 2024-10-10, window up to 2025-10-10: A3 (P3, 2025-01-10) and A5 (P5,
    # no start date: 2025-09-01) count; A1 (2024-10-01) and A2 (2024-09-01) started before,
    # A4 (2025-10-11) one day too late.
    assert new["84"] == 2
    assert new["11"] == 0      # C1's P6 dates from 2024-09-01, before E4 (2025-02-01)
    assert new["04"] == 1      # D1's P7 on 2025-03-01: exactly 12 months after E7, included
    assert new["94"] == 0
    assert str(regions.set_index("region_code").loc["04", "first_event_date"]) == "2024-03-01"
    assert regions.set_index("region_code").loc["94", "first_event_date"] is None

    # Funnel: 7 events -> 3 schools -> 3 with a project in E or E+1 -> delivered projects of
    # those schools in those editions: P1, P2 (insa-lyon), P6 (centralesupelec).
    assert result["funnel"] == {"events": 7, "schools_reached": 3, "schools_with_project": 3,
                                "projects_delivered": 3}


def test_reach_conversion_follows_the_selected_editions(programme):
    result = reach.conversion(Filters.of(editions=["2025-2026", "2026-2027"]), STAFF, K,
                              engine=programme)
    by_edition = result["by_edition"].set_index("edition")
    assert list(by_edition.index) == ["2025-2026", "2026-2027"]
    assert by_edition.loc["2025-2026", "schools_reached"] == 1          # esiroi (E5)
    assert by_edition.loc["2026-2027", "schools_reached"] == 0
    assert by_edition["share_pct"].isna().tolist() == [False, True]
    # The first 2025-2026 event of 84: none; of 04: E5 (2025-11-15), after D1's first project.
    assert result["by_region"].set_index("region_code")["new_organisations"].sum() == 0
    assert result["funnel"] == {"events": 2, "schools_reached": 1, "schools_with_project": 0,
                                "projects_delivered": 0}


# ---- outcomes: export table ------------------------------------------------------------------

def outcome_row(table, region_code):
    return {c: (None if blank(v) else v) for c, v in row(table, region_code).items()
            if c != "region_name"}


def test_outcomes_export_has_every_region_with_known_figures(programme):
    table = outcomes.export_table(ALL, STAFF, K, engine=programme)
    assert_all_regions(table, outcomes.EXPORT_COLUMNS)
    assert outcome_row(table, "84") == pytest.approx({
        "projects": 5, "delivered": 2, "abandoned": 1, "in_progress": 1,
        "delivery_rate_pct": 2 / (2 + 1) * 100,
        "in_use_answers": 5, "in_use_yes": 2,               # P1, P4; "partiellement" is not yes
        "in_use_rate_pct": 2 / 5 * 100,
        "mean_satisfaction": (5 + 4 + 2) / 3,
        "beneficiaries_reached": 100 + 50 + 20 + 0,
        "students": 4 + 3 + 2 + 5,                          # P5 left it blank
        "mentors": 1 + 1 + 1 + 2,
    })
    assert outcome_row(table, "11") == pytest.approx({
        "projects": 1, "delivered": 1, "abandoned": 0, "in_progress": 0,
        "delivery_rate_pct": 100.0, "in_use_answers": 1, "in_use_yes": 1,
        "in_use_rate_pct": 100.0, "mean_satisfaction": 3.0, "beneficiaries_reached": 30,
        "students": 3, "mentors": 1,
    })
    # La Réunion: P7 is only selected (no delivery rate) and its in_use was on the end wave.
    assert outcome_row(table, "04") == {
        "projects": 1, "delivered": 0, "abandoned": 0, "in_progress": 0,
        "delivery_rate_pct": None, "in_use_answers": 0, "in_use_yes": 0,
        "in_use_rate_pct": None, "mean_satisfaction": 4.0, "beneficiaries_reached": 0,
        "students": 6, "mentors": 0,
    }
    assert outcome_row(table, "94") == {
        "projects": 0, "delivered": 0, "abandoned": 0, "in_progress": 0,
        "delivery_rate_pct": None, "in_use_answers": 0, "in_use_yes": 0,
        "in_use_rate_pct": None, "mean_satisfaction": None, "beneficiaries_reached": 0,
        "students": 0, "mentors": 0,
    }
    assert outcomes.SUPPRESSED_MASK not in table.attrs        # staff: nothing hidden


def test_outcomes_export_filters_by_edition_school_and_region(programme):
    by_edition = outcomes.export_table(Filters.of(editions=["2025-2026"]), STAFF, K,
                                       engine=programme)
    assert outcome_row(by_edition, "84") == {
        "projects": 2, "delivered": 0, "abandoned": 0, "in_progress": 1,   # P4, P5
        "delivery_rate_pct": None, "in_use_answers": 2, "in_use_yes": 1,
        "in_use_rate_pct": 50.0, "mean_satisfaction": None, "beneficiaries_reached": 20 + 0,
        "students": 5, "mentors": 2,
    }
    assert outcome_row(by_edition, "11")["projects"] == 0

    by_school = outcomes.export_table(Filters.of(schools=["centralesupelec"]), STAFF, K,
                                      engine=programme)
    # P3's organisation is in 84 though its school is in Île-de-France.
    assert outcome_row(by_school, "84")["projects"] == 1
    assert outcome_row(by_school, "84")["delivery_rate_pct"] == 0.0       # 0 / (0 + 1)
    assert outcome_row(by_school, "11")["projects"] == 1                  # P6
    assert outcome_row(by_school, "04")["projects"] == 0

    by_region = outcomes.export_table(Filters.of(regions=["04"]), STAFF, K, engine=programme)
    assert_all_regions(by_region, outcomes.EXPORT_COLUMNS)
    assert by_region["projects"].tolist() == [1 if c == "04" else 0 for c in reference.regions()]


def test_outcomes_export_for_a_funder_hides_small_cells(programme):
    table = outcomes.export_table(ALL, FUNDER_84, K, engine=programme)
    assert_all_regions(table, outcomes.EXPORT_COLUMNS)
    figures = outcome_row(table, "84")
    # Shown: projects (not people), students (14 >= K, and 84's projects make whole units:
    # 2024-2025 INSA Lyon 4 + 3 with CentraleSupélec's 2 pooled in, 2025-2026 INSA Lyon 5 + 0).
    assert (figures["projects"], figures["students"]) == (5, 14)
    # Hidden: satisfaction from three organisations, beneficiaries from four; and now in use
    # at six months too: 84's answers come from 3 organisations in 2024-2025 and 2 in
    # 2025-2026, each under K, so they share one publication unit with C1's answer (region
    # 11): 84 alone is not whole, and 84 beside the national figure would give C1's answer.
    assert figures["in_use_answers"] is None and figures["in_use_rate_pct"] is None
    assert figures["mean_satisfaction"] is None
    assert figures["beneficiaries_reached"] is None
    assert hidden_cells(table) == {("84", "beneficiaries_reached"), ("84", "mean_satisfaction"),
                                   ("84", "in_use_answers"), ("84", "in_use_yes"),
                                   ("84", "in_use_rate_pct")}
    # Regions outside the scope are present, empty.
    for code in set(reference.regions()) - {"84"}:
        assert outcome_row(table, code)["projects"] == 0
        assert outcome_row(table, code)["students"] == 0


def test_outcomes_export_hides_students_under_k_for_a_funder(programme):
    figures = outcome_row(outcomes.export_table(ALL, FUNDER_11, K, engine=programme), "11")
    assert figures["projects"] == 1
    assert figures["students"] is None                      # 3 students < K
    assert figures["in_use_answers"] is None and figures["in_use_rate_pct"] is None
    assert figures["mean_satisfaction"] is None             # one organisation
    # Staff see everything.
    staff = outcome_row(outcomes.export_table(ALL, STAFF, K, engine=programme), "11")
    assert staff["students"] == 3 and staff["mean_satisfaction"] == 3.0


def test_outcomes_export_secondary_suppression_protects_the_national_total(programme):
    # Students: 84 has 14, 11 has 3 (hidden), 04 has 6. The page shows the total (23), so
    # 23 - 14 - 6 would give 11 back: the next smallest region, 04, is hidden too.
    table = outcomes.export_table(ALL, NATIONAL_FUNDER, K, engine=programme)
    students = {c: outcome_row(table, c)["students"] for c in ("84", "11", "04", "94")}
    assert students == {"84": 14, "11": None, "04": None, "94": 0}
    # In use at six months: 84 from five organisations, 11 from one (hidden); the total is
    # shown, so 84 goes too.
    assert outcome_row(table, "84")["in_use_answers"] is None
    kpis = outcomes.outcomes_kpis(ALL, NATIONAL_FUNDER, K, engine=programme)
    assert kpis["students"] == 14 + 3 + 6
    assert kpis["hidden_regions"]["students"] == ["04", "11"]
    assert kpis["hidden_regions"]["in_use"] == ["11", "84"]
    assert {("04", "students"), ("11", "students"), ("84", "in_use_rate_pct")} <= hidden_cells(
        table)


# ---- outcomes: page figures ------------------------------------------------------------------

def test_outcomes_kpis_over_the_selection(programme):
    kpis = outcomes.outcomes_kpis(ALL, STAFF, K, engine=programme)
    assert kpis["projects"] == 7 and kpis["organisations"] == 7
    assert (kpis["delivered"], kpis["abandoned"], kpis["delivery_n"]) == (3, 1, 4)
    assert kpis["delivery_rate_pct"] == pytest.approx(3 / (3 + 1) * 100)
    # Six months: P1..P6 answered; oui: P1, P4, P6; partiellement: P2.
    assert kpis["in_use_n"] == 6
    assert kpis["in_use_rate_pct"] == pytest.approx(3 / 6 * 100)
    assert kpis["in_use_partial_pct"] == pytest.approx(1 / 6 * 100)
    assert kpis["mean_satisfaction"] == pytest.approx((5 + 4 + 2 + 3 + 4) / 5)
    assert kpis["satisfaction_n"] == 5
    assert kpis["beneficiaries_reached"] == 100 + 50 + 20 + 0 + 30
    assert (kpis["students"], kpis["mentors"]) == (14 + 3 + 6, 5 + 1 + 0)
    # Four decided projects: the delivery rate is fragile; six and five answers are not.
    assert kpis["fragile"] == {"delivery_rate_pct": True, "in_use_rate_pct": False,
                               "mean_satisfaction": False}
    assert kpis["suppressed"] == []


def test_outcomes_kpis_hide_small_totals_for_a_funder(programme):
    kpis = outcomes.outcomes_kpis(ALL, FUNDER_11, K, engine=programme)
    assert kpis["projects"] == 1
    assert kpis["students"] is None
    assert kpis["mean_satisfaction"] is None and kpis["in_use_rate_pct"] is None
    assert kpis["beneficiaries_reached"] is None
    assert "students" in kpis["suppressed"]


def test_outcomes_by_dimension(programme):
    status = outcomes.by_dimension("status", ALL, STAFF, K, engine=programme)
    assert status.set_index("status")["projects"].to_dict() == {
        "submitted": 1, "selected": 1, "in_progress": 1, "delivered": 3, "abandoned": 1}
    cause = outcomes.by_dimension("cause", Filters.of(regions=["84"]), STAFF, K,
                                  engine=programme).set_index("cause")["projects"]
    assert cause["education"] == 1 and cause["inclusion"] == 0 and cause.sum() == 5
    edition = outcomes.by_dimension("edition", ALL, STAFF, K, engine=programme)
    assert edition.to_dict("list") == {"edition": ["2024-2025", "2025-2026"],
                                       "projects": [5, 2]}
    tech = outcomes.by_dimension("tech_type", ALL, STAFF, K, engine=programme)
    assert tech.set_index("tech_type")["projects"]["web_app"] == 3     # P1, P2, P6
    with pytest.raises(ValueError, match="unknown dimension"):
        outcomes.by_dimension("colour", ALL, STAFF, K, engine=programme)


def test_satisfaction_by_tech(programme):
    frame = outcomes.satisfaction_by_tech(ALL, STAFF, K, engine=programme).set_index("tech_type")
    assert frame.loc["web_app", "mean_satisfaction"] == pytest.approx((5 + 4 + 3) / 3)
    assert frame.loc["web_app", "satisfaction_n"] == 3
    assert frame.loc["iot", "mean_satisfaction"] == 4.0
    assert blank(frame.loc["website", "mean_satisfaction"])      # P5: no end answer
    # For a funder every answered tech type rests on fewer than K organisations; the types
    # nobody answered for are empty, not suppressed.
    funder = outcomes.satisfaction_by_tech(ALL, NATIONAL_FUNDER, K, engine=programme)
    assert funder["mean_satisfaction"].isna().all()
    assert funder.set_index("tech_type")["suppressed"].to_dict() == {
        "web_app": True, "mobile_app": True, "data_analysis": False, "website": False,
        "iot": True}


def test_the_figures_counted_in_memory_are_the_sql_aggregate(programme):
    """`figures_by` (arrays in memory per warehouse version) against the grouped SQL statement
    that defines the figures, for every grouping and a spread of selections."""
    from sqlalchemy import select

    from etl.schema import organisation, project

    with programme.connect() as conn:
        editions = sorted(conn.execute(select(project.c.edition).distinct()).scalars())
        schools = sorted(s for s in conn.execute(select(project.c.school_id).distinct())
                         .scalars() if s)
        regions = sorted(conn.execute(select(organisation.c.region_code).distinct()).scalars())
        selections = [Filters(), Filters.of(editions=editions[:1]),
                      Filters.of(editions=editions[-2:]), Filters.of(schools=schools[:1]),
                      Filters.of(regions=regions[:2]), Filters.of(regions=["06"]),
                      Filters.of(editions=editions[:1], regions=regions[:1])]
        for f in selections:
            for keys in ((), (organisation.c.region_code,), (project.c.tech_type,),
                         (project.c.status,)):
                for with_orgs in (True, False):
                    memory = projects.figures_by(conn, f, *keys, with_orgs=with_orgs)
                    sql = projects.figures_by_sql(conn, f, *keys, with_orgs=with_orgs)
                    order = [key.name for key in keys] or list(sql.columns[:1])
                    memory = memory.sort_values(order).reset_index(drop=True)
                    sql = sql.sort_values(order).reset_index(drop=True)
                    assert memory.astype(object).values.tolist() == \
                        sql[list(memory.columns)].astype(object).values.tolist(), (f, keys)


def test_projects_table_is_for_staff_only(programme):
    frame = outcomes.projects_table(ALL, STAFF, K, engine=programme)
    assert len(frame) == 7
    p1 = frame.set_index("project_id").loc["P1"]
    assert (p1["organisation"], p1["school"], p1["region_code"]) == ("Entraide Lyon",
                                                                     "INSA Lyon", "84")
    assert (p1["end_satisfaction"], p1["six_months_in_use"]) == (5, "oui")
    with pytest.raises(PermissionError):
        outcomes.projects_table(ALL, FUNDER_84, K, engine=programme)
    with pytest.raises(PermissionError):
        outcomes.projects_table(ALL, Scope(role="school", schools=("insa-lyon",)), K,
                                engine=programme)


def test_the_projects_table_held_in_memory_is_the_sql_statement(programme):
    """`projects_table` (every project's row per warehouse version, masked per selection): the
    rows, values and order of its statement with the selection's WHERE clauses."""
    for f in (ALL, Filters.of(editions=["2024-2025"]), Filters.of(schools=["insa-lyon"]),
              Filters.of(regions=["84", "04"]), Filters.of(regions=["94"])):
        with programme.connect() as conn:
            sql = read_frame(conn, outcomes.PROJECT_TABLE.where(
                *projects.project_filters(f)))
        memory = outcomes.projects_table(f, STAFF, K, engine=programme)
        assert memory["project_id"].tolist() == sql["project_id"].tolist(), f
        assert memory.drop(columns="region_name").astype(object).where(
            memory.drop(columns="region_name").notna(), None).values.tolist() == \
            sql.astype(object).where(sql.notna(), None).values.tolist(), f


# ---- published snapshots and the export command ----------------------------------------------

def replay(module, scope, engine):
    """The module's figures stored as JSON, as the publisher keeps them."""
    return json.loads(json.dumps(module.snapshot_figures(ALL, scope, K, engine)))


def test_a_published_snapshot_replays_without_the_warehouse(programme):
    snapshot = replay(outcomes, NATIONAL_FUNDER, programme)
    live = outcomes.export_table(ALL, NATIONAL_FUNDER, K, engine=programme)
    frozen = outcomes.export_table(Filters.of(regions=["11"]), STAFF, K, engine=None,
                                   snapshot=snapshot)
    assert hidden_cells(frozen) == hidden_cells(live)
    # pandas compares attrs when it concatenates, and cannot compare two masks: drop them.
    frozen.attrs, live.attrs = {}, {}
    pd.testing.assert_frame_equal(frozen, live)
    assert outcomes.outcomes_kpis(ALL, STAFF, K, snapshot=snapshot) == outcomes.outcomes_kpis(
        ALL, NATIONAL_FUNDER, K, engine=programme)
    pd.testing.assert_frame_equal(
        outcomes.by_dimension("status", ALL, STAFF, K, snapshot=snapshot),
        outcomes.by_dimension("status", ALL, NATIONAL_FUNDER, K, engine=programme))

    snapshot = replay(reach, STAFF, programme)
    pd.testing.assert_frame_equal(reach.export_table(ALL, STAFF, K, snapshot=snapshot),
                                  reach.export_table(ALL, STAFF, K, engine=programme))
    frozen, live = (reach.conversion(ALL, STAFF, K, snapshot=snapshot),
                    reach.conversion(ALL, STAFF, K, engine=programme))
    pd.testing.assert_frame_equal(frozen["by_region"], live["by_region"])
    assert frozen["funnel"] == live["funnel"]
    with pytest.raises(KeyError, match="reach_kpis"):
        reach.reach_kpis(ALL, STAFF, K, snapshot={"reach": snapshot["reach"]})


def test_the_export_command_writes_the_contract_columns(programme):
    from dashboard.exports import export_figure

    for module, figure in ((reach, "reach"), (outcomes, "outcomes")):
        lines = export_figure(figure, ALL, STAFF, K, "csv", None).decode().splitlines()
        assert lines[0] == ",".join(module.EXPORT_COLUMNS)
        assert len(lines) == 1 + 18
    lines = export_figure("outcomes", ALL, STAFF, K, "csv", None).decode().splitlines()
    reunion = dict(zip(outcomes.EXPORT_COLUMNS, next(line for line in lines
                                                     if line.startswith("04,")).split(",")))
    assert reunion["delivery_rate_pct"] == "" and reunion["students"] == "6"

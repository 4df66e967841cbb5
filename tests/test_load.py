"""Loading files into the warehouse, on SQLite and on PostgreSQL (the `warehouse` fixture; tests
whose subject is reading or checking rather than the database run on SQLite only).

Every input is written in the test, so the expected rows, reasons and counts can be read off it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from etl.extract import read_table
from etl.load import LoadError, detect_kind, load_paths, unload
from etl.schema import (
    load_batch, mart_pair, mart_response, organisation, project, rejected_row, survey_response,
    tour_event,
)

HERE = Path(__file__).parent
MESSY = HERE / "data" / "messy"
SURVEY_EXAMPLES = HERE / "data" / "survey-examples"

ORGANISATIONS = """\
org_id,name,legal_form,cause,city,region_code
ORG-1,Les Amis du Code,association,education,Lyon,84
ORG-2,Fondation Santé,fondation,sante,Rennes,53
"""
PROJECTS = """\
project_id,title,org_id,school_id,edition,tech_type,status,students_count,mentors_count,start_date,end_date
PRJ-1,Appli de dons,ORG-1,CS,2026-2027,web_app,delivered,4,1,2026-10-01,2027-03-01
PRJ-2,Carte des soins,ORG-2,Mines ParisTech,2026-2027,data_analysis,in_progress,3,,01/10/2026,
"""
EVENTS_HEADER = ("event_id,date,city,region_code,school_id,event_type,attendees,"
                 "students_attending,organisations_attending\n")
EVENTS = EVENTS_HEADER + """\
EVT-1,2026-10-05,Lyon,84,,workshop,30,20,3
EVT-2,2026-11-23,Paris,11,CentraleSupélec,conference,120,90,
"""
SURVEY_HEADER = ("email,school,edition,wave,submitted_at,knows_ess,ess_structures_known,"
                 "wants_useful,tech_for_good,consider_ess_career,intends_volunteer,"
                 "satisfaction,recommend\n")


def write(folder: Path, name: str, content: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(content.encode(encoding))
    return path


def load(engine, *paths, **options):
    return load_paths(list(paths), engine=engine, **options)


def scalar(engine, statement):
    with engine.connect() as conn:
        return conn.execute(statement).scalar()


def count(engine, table) -> int:
    return scalar(engine, select(func.count()).select_from(table))


def all_rows(engine, statement) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(statement)]


def reasons(engine) -> dict[tuple[str, int], str]:
    """(file, row) -> reason, for every rejected row."""
    return {(f, n): r for f, n, r in all_rows(engine, select(
        load_batch.c.file_name, rejected_row.c.row_number, rejected_row.c.reason)
        .join(load_batch, load_batch.c.batch_id == rejected_row.c.batch_id))}


# ---- folders, kinds, order --------------------------------------------------------------

def test_a_folder_loads_every_kind_in_reference_order(sqlite_warehouse, tmp_path):
    """Named so that alphabetical order is the wrong order: each file refers to the ones before."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox, "a_guide.csv", "record_id,date,channel,copies,org_id,event_id,audience\n"
                                "GUI-1,2026-10-05,event,50,ORG-1,EVT-1,students\n")
    write(inbox, "b_students.csv", "email,school,edition,project_id\n"
                                   "ines.roux@example.org,CS,2026-2027,PRJ-1\n")
    write(inbox, "c_projects.csv", PROJECTS)
    write(inbox, "d_events.csv", EVENTS)
    book = openpyxl.Workbook()
    for line in ORGANISATIONS.splitlines():
        book.active.append(line.split(","))
    book.save(inbox / "e_organisations.xlsx")
    with zipfile.ZipFile(inbox / "f_questionnaire.zip", "w") as archive:
        archive.writestr("Questionnaire.csv", (SURVEY_EXAMPLES / "google_forms_fr.csv").read_bytes())
    write(inbox, "g_followup.csv", "project_id,wave,delivered,satisfaction\nPRJ-1,end,oui,5\n")
    (inbox / "README.md").write_text("not data")

    reports = load(sqlite_warehouse, inbox)

    assert [(r.file, r.kind) for r in reports if r.ok] == [
        ("e_organisations.xlsx", "organisations"), ("c_projects.csv", "projects"),
        ("b_students.csv", "students"), ("d_events.csv", "events"), ("a_guide.csv", "guide"),
        ("g_followup.csv", "org-survey")]
    assert all(r.rows_rejected == 0 for r in reports if r.ok)
    # The survey has no wave column and none was given: refused, the others still loaded.
    [refused] = [r for r in reports if not r.ok]
    assert refused.file == "f_questionnaire.zip"
    assert "pass --wave pre or --wave post" in refused.message
    [survey] = load(sqlite_warehouse, inbox / "f_questionnaire.zip", wave="pre")
    assert (survey.kind, survey.tool, survey.rows_loaded) == ("survey", "google_forms", 3)


@pytest.mark.parametrize("headers, kind", [
    ("email,school,edition", "students"),                  # a roster without projects
    ("numero_etudiant;ecole;edition;id_projet", "students"),
    ("id_evenement;date;ville;code_region;type_evenement;participants", "events"),
    ("email,school,edition,wave,knows_ess,wants_useful", "survey"),
    ("project_id,wave,delivered,satisfaction", "org-survey"),
    ("foo,bar", None),
])
def test_the_kind_is_recognised_from_the_headers(tmp_path, headers, kind):
    path = write(tmp_path, "file.csv", headers + "\n")

    assert detect_kind(read_table(path)) == kind


def test_the_survey_wave_comes_from_the_option_else_a_column(sqlite_warehouse, tmp_path):
    google = SURVEY_EXAMPLES / "google_forms_fr.csv"    # 3 responses, no wave column
    template = write(tmp_path, "post.csv", SURVEY_HEADER +
                     "ines.roux@example.org,CS,2026-2027,post,2027-05-20,Non,,4,4,3,3,4,9\n")

    refused = load(sqlite_warehouse, google)[0]
    batches_after_refusal = count(sqlite_warehouse, load_batch)
    given = load(sqlite_warehouse, google, wave="pre")[0]
    from_column = load(sqlite_warehouse, template)[0]

    assert refused.status == "failed" and "--wave" in refused.message
    assert batches_after_refusal == 0
    assert (given.status, given.tool, given.rows_loaded) == ("loaded", "google_forms", 3)
    assert (from_column.status, from_column.tool, from_column.rows_loaded) == ("loaded", "template", 1)
    assert sorted(all_rows(sqlite_warehouse, select(survey_response.c.wave, func.count())
                           .group_by(survey_response.c.wave))) == [("post", 1), ("pre", 3)]


def test_an_unrecognisable_file_is_refused_naming_the_kinds_and_headers(sqlite_warehouse, tmp_path):
    path = write(tmp_path, "export.csv", "foo,bar\n1,2\n")

    [report] = load(sqlite_warehouse, path)

    assert report.status == "failed"
    for expected in ("export.csv", "foo, bar", "--kind", "organisations", "org-survey",
                     "events: event_id, date, city, region_code, event_type, attendees"):
        assert expected in report.message
    assert count(sqlite_warehouse, load_batch) == 0


def _seed_school_org(engine, tmp_path):
    load(engine, write(tmp_path, "org_s.csv", "org_id,name,legal_form,cause,region_code\n"
                                              "ORG-S,Org S,association,education,11\n"))



# ---- validation -----------------------------------------------------------------------------

BAD_EVENTS = EVENTS_HEADER + """\
EVT-1,2026-10-05,Lyon,84,,workshop,30,20,3
EVT-2,2026-10-06,Lyon,84,,workshop,-5,,
EVT-3,2026-10-07,Lyon,84,,workshop,10,12,1
EVT-4,2026-10-08,Lyon,99,,workshop,10,5,1
EVT-5,1999-10-08,Lyon,84,,workshop,10,5,1
EVT-6,2026-10-09,Lyon,84,,barbecue,10,5,1
EVT-7,2026-10-10,,84,,forum,10,5,1
EVT-8,2026-10-11,Marseille,93,Centrale Marseile,forum,10,5,1
EVT-9,2026-10-12,Paris,11,,forum,dix,5,1
"""
BAD_PROJECTS = """\
project_id,title,org_id,school_id,edition,tech_type,status,students_count,mentors_count,start_date,end_date
PRJ-1,Appli de dons,ORG-1,CS,2026-2027,web_app,delivered,4,1,2026-10-01,2027-03-01
PRJ-2,Site,ORG-404,CS,2026-2027,website,selected,,,,
PRJ-3,Data,ORG-1,CS,2026-2027,teleportation,selected,,,,
PRJ-4,Data,ORG-1,CS,2026-2027,data_analysis,selected,,,2027-03-01,2026-10-01
PRJ-5,Data,ORG-1,CS,2026,data_analysis,selected,,,,
PRJ-6,Data,ORG-1,CS,2026-2027,data_analysis,selected,trois,,,
"""
BAD_STUDENTS = """\
email,student_number,name,school,edition,project_id,year_of_study,gender
ines.roux@example.org,,Inès Roux,CS,2026-2027,PRJ-1,2,f
hugo.blanc@example.org,,Hugo Blanc,CS,2026-2027,PRJ-404,3,m
,21500007,Lina Meyer,CS,2026-2027,PRJ-1,9,f
,,Théo Petit,CS,2026-2027,PRJ-1,2,m
"""
BAD_GUIDE = """\
record_id,date,channel,copies,region_code,school_id,org_id,event_id,audience
GUI-1,2026-10-05,event,50,84,,ORG-1,EVT-1,students
GUI-2,2026-10-05,event,50,84,,,EVT-404,students
GUI-3,2026-10-05,download,12,,,ORG-404,,organisations
GUI-4,2026-10-05,pigeon,12,,,,,students
GUI-5,2026-10-05,print,-3,,,,,students
"""
BAD_FOLLOWUP = """\
project_id,wave,delivered,in_use,satisfaction,mission_impact,beneficiaries_reached,would_apply_again
PRJ-1,end,oui,oui,4,5,120,oui
PRJ-1,six_months,oui,peut-être,6,5,120,oui
PRJ-404,end,oui,oui,4,5,10,oui
"""
EXPECTED_REASONS = {
    ("events.csv", 3): "row 3: 'attendees' must be a whole number from 0 to 1000000, got '-5'",
    ("events.csv", 4): "row 4: students attending (12) exceed attendees (10)",
    ("events.csv", 5): "row 5: 'region_code' must be an INSEE region code such as 84 or a "
                       "region's name, got '99'",
    ("events.csv", 6): "row 6: 'date' must be a date (2025-10-06, 06/10/2025 or an Excel date), "
                       "got '1999-10-08'",
    ("events.csv", 7): "row 7: 'event_type' must be one of conference, forum, hackathon, webinar, "
                       "workshop, got 'barbecue'",
    ("events.csv", 8): "row 8: 'city' is empty",
    ("events.csv", 9): "row 9: unknown school 'Centrale Marseile'",
    ("events.csv", 10): "row 10: 'attendees' must be a whole number from 0 to 1000000, got 'dix'",
    ("projects.csv", 3): "row 3: unknown organisation 'ORG-404' in 'org_id'",
    ("projects.csv", 4): "row 4: 'tech_type' must be one of algorithm_ai, blockchain, "
                         "data_analysis, iot, mobile_app, other, web_app, website, "
                         "got 'teleportation'",
    ("projects.csv", 5): "row 5: end date 2026-10-01 is before start date 2027-03-01",
    ("projects.csv", 6): "row 6: 'edition' must be an academic year such as 2024-2025, got '2026'",
    ("projects.csv", 7): "row 7: 'students_count' must be a whole number from 0 to 10000, "
                         "got 'trois'",
    ("students.csv", 3): "row 3: unknown project 'PRJ-404' in 'project_id'",
    ("students.csv", 4): "row 4: 'year_of_study' must be a whole number from 1 to 8, got '9'",
    ("students.csv", 5): "row 5: no e-mail or student number",
    ("guide.csv", 3): "row 3: unknown event 'EVT-404' in 'event_id'",
    ("guide.csv", 4): "row 4: unknown organisation 'ORG-404' in 'org_id'",
    ("guide.csv", 5): "row 5: 'channel' must be one of download, event, partner_mailing, print, "
                      "got 'pigeon'",
    ("guide.csv", 6): "row 6: 'copies' must be a whole number from 0 to 10000000, got '-3'",
    ("followup.csv", 3): "row 3: 'in_use' must be one of non, oui, partiellement, got 'peut-être'; "
                         "'satisfaction' must be a whole number from 1 to 5, got '6'",
    ("followup.csv", 4): "row 4: unknown project 'PRJ-404' in 'project_id'",
}


def test_bad_rows_are_rejected_with_reasons_and_good_rows_load(warehouse, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, content in (("organisations.csv", ORGANISATIONS), ("events.csv", BAD_EVENTS),
                          ("projects.csv", BAD_PROJECTS), ("students.csv", BAD_STUDENTS),
                          ("guide.csv", BAD_GUIDE), ("followup.csv", BAD_FOLLOWUP)):
        write(inbox, name, content)
    shutil.copy(MESSY / "survey_out_of_range.csv", inbox)

    reports = {r.file: r for r in load(warehouse, inbox)}

    assert reasons(warehouse) == EXPECTED_REASONS
    loaded = {name: (r.rows_read, r.rows_loaded, r.rows_rejected) for name, r in reports.items()}
    assert loaded == {
        "organisations.csv": (2, 2, 0), "events.csv": (9, 1, 8), "projects.csv": (6, 1, 5),
        "students.csv": (4, 1, 3), "guide.csv": (5, 1, 4), "followup.csv": (3, 1, 2),
        "survey_out_of_range.csv": (4, 4, 0)}  # its 7 and 11 set aside, not their responses
    assert sorted((r["question"], r["label"], r["count"]) for r in
                  reports["survey_out_of_range.csv"].set_aside_by_label) == [
        ("recommend", "11", 1), ("wants_useful", "7", 1)]
    assert reports["events.csv"].reasons == {"invalid_value": 5, "inconsistent_counts": 1,
                                             "missing_value": 1, "unknown_school": 1}
    assert all_rows(warehouse, select(tour_event.c.event_id)) == [("EVT-1",)]


def test_school_names_written_any_common_way_resolve(sqlite_warehouse, tmp_path):
    """The messy file names its schools twelve ways; line 14 names one that does not exist."""
    _seed_school_org(sqlite_warehouse, tmp_path)

    [report] = load(sqlite_warehouse, MESSY / "projects_school_names.csv")

    schools = dict(all_rows(sqlite_warehouse, select(project.c.project_id, project.c.school_id)))
    assert schools == {
        "PRJ-S01": "centralesupelec", "PRJ-S02": "centralesupelec", "PRJ-S03": "centralesupelec",
        "PRJ-S04": "mines-paris", "PRJ-S05": "centralesupelec", "PRJ-S06": "centralesupelec",
        "PRJ-S07": "mines-paris", "PRJ-S08": "insa-lyon", "PRJ-S09": "polytechnique",
        "PRJ-S10": "polytechnique", "PRJ-S11": "telecom-paris", "PRJ-S12": "enseeiht"}
    assert reasons(sqlite_warehouse) == {
        ("projects_school_names.csv", 14): "row 14: unknown school 'Centrale Marseile'"}
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (13, 12, 1)


# ---- idempotence ----------------------------------------------------------------------------

def test_the_very_same_file_writes_nothing_the_second_time(warehouse, tmp_path):
    path = write(tmp_path, "events.csv", EVENTS)

    [first] = load(warehouse, path)
    batches = all_rows(warehouse, select(load_batch.c.batch_id, load_batch.c.status))
    [second] = load(warehouse, path)

    assert first.status == "loaded"
    assert second.status == "skipped"
    assert second.message == f"events.csv: already loaded as batch {first.batch_id}; nothing written"
    assert all_rows(warehouse, select(load_batch.c.batch_id, load_batch.c.status)) == batches
    assert count(warehouse, tour_event) == 2


def test_a_corrected_file_updates_its_keys_and_deletes_none(warehouse, tmp_path):
    first = write(tmp_path, "events.csv", EVENTS)
    corrected = write(tmp_path, "events_v2.csv", EVENTS_HEADER + """\
EVT-2,2026-11-23,Paris,11,CentraleSupélec,conference,150,90,
EVT-3,2026-12-01,Lille,32,,forum,40,40,2
""")
    same_rows_new_bytes = write(tmp_path, "events_v3.csv", corrected.read_text() + "\n\n")

    load(warehouse, first)
    [report] = load(warehouse, corrected)
    [again] = load(warehouse, same_rows_new_bytes)

    assert (report.rows_new, report.rows_updated, report.rows_unchanged) == (1, 1, 0)
    assert (again.status, again.rows_new, again.rows_updated, again.rows_unchanged) == (
        "loaded", 0, 0, 2)
    assert sorted(all_rows(warehouse, select(tour_event.c.event_id, tour_event.c.attendees))) == [
        ("EVT-1", 30), ("EVT-2", 150), ("EVT-3", 40)]


def test_an_empty_cell_does_not_turn_counts_into_decimals(warehouse, tmp_path):
    """One event without students_attending beside one with: the counts stay whole numbers, and
    re-loading the same rows from another file finds them unchanged."""
    path = write(tmp_path, "events.csv", EVENTS)           # EVT-2 has no organisations count
    copy = write(tmp_path, "events_copy.csv", EVENTS + "\n")

    [report] = load(warehouse, path)
    [again] = load(warehouse, copy)

    assert report.status == "loaded", report.message
    assert (again.rows_unchanged, again.rows_updated) == (2, 0)
    assert sorted(all_rows(warehouse, select(tour_event.c.event_id,
                                             tour_event.c.organisations_attending))) == [
        ("EVT-1", 3), ("EVT-2", None)]


# ---- lineage ----------------------------------------------------------------------------------

def test_every_load_writes_a_batch_and_every_row_knows_its_batch(warehouse, tmp_path):
    orgs = write(tmp_path, "organisations.csv", ORGANISATIONS)
    events = write(tmp_path, "events.csv", BAD_EVENTS)

    reports = load(warehouse, orgs, events)

    with warehouse.connect() as conn:
        batches = {b["file_name"]: b for b in conn.execute(select(load_batch)).mappings()}
    org_batch, event_batch = batches["organisations.csv"], batches["events.csv"]
    for batch, path, kind, counts in ((org_batch, orgs, "organisations", (2, 2, 0)),
                                      (event_batch, events, "events", (9, 1, 8))):
        assert batch["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert (batch["kind"], batch["tool"], batch["status"]) == (kind, "template", "loaded")
        assert (batch["rows_read"], batch["rows_loaded"], batch["rows_rejected"]) == counts
        assert batch["started_at"] <= batch["finished_at"]
    org_id, event_id = org_batch["batch_id"], event_batch["batch_id"]
    assert [r.batch_id for r in reports] == [org_id, event_id]
    assert set(all_rows(warehouse, select(organisation.c.batch_id))) == {(org_id,)}
    assert set(all_rows(warehouse, select(tour_event.c.batch_id))) == {(event_id,)}
    assert set(all_rows(warehouse, select(rejected_row.c.batch_id))) == {(event_id,)}


# ---- dry run ----------------------------------------------------------------------------------

def test_a_dry_run_reports_what_a_load_would_do_and_writes_nothing(warehouse, tmp_path):
    """Projects refer to organisations of the same run: the dry run must see them too."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox, "organisations.csv", ORGANISATIONS)
    write(inbox, "projects.csv", BAD_PROJECTS)

    dry = load(warehouse, inbox, dry_run=True)
    written_by_dry_run = {t.name: count(warehouse, t) for t in (load_batch, organisation, project,
                                                                rejected_row)}
    real = load(warehouse, inbox)
    dry_again = load(warehouse, inbox, dry_run=True)

    def summary(reports):
        return [(r.file, r.kind, r.rows_read, r.rows_new, r.rows_updated, r.rows_unchanged,
                 r.rows_rejected, dict(r.reasons)) for r in reports]

    assert [r.status for r in dry] == ["dry_run", "dry_run"]
    assert summary(dry) == summary(real)
    assert written_by_dry_run == {"load_batch": 0, "organisation": 0, "project": 0,
                                  "rejected_row": 0}
    assert [(r.status, r.message) for r in dry_again] == [
        ("skipped", f"{r.file}: already loaded as batch {r.batch_id}; nothing written")
        for r in real]


def test_a_longer_export_of_the_same_form_adds_only_the_new_responses(warehouse, tmp_path):
    export = (SURVEY_EXAMPLES / "google_forms_fr.csv").read_bytes()   # 3 responses
    longer = write(tmp_path, "responses_later.csv", export.decode("utf-8") +
                   '"2025/10/07 10:00:00 AM UTC+2","nora.haddad@example.org","CS","Non","",'
                   '"2","2"\r\n')

    [first] = load(warehouse, SURVEY_EXAMPLES / "google_forms_fr.csv", wave="pre")
    [second] = load(warehouse, longer, wave="pre")

    assert (first.rows_new, first.rows_unchanged) == (3, 0)
    assert (second.rows_read, second.rows_new, second.rows_updated, second.rows_unchanged) == (
        4, 1, 0, 3)
    assert count(warehouse, survey_response) == 4
    assert count(warehouse, mart_response) == 4


# ---- derived tables, unload -------------------------------------------------------------

PRE = SURVEY_HEADER + """\
ines.roux@example.org,CS,2026-2027,pre,2026-10-06,Non,,4,3,2,2,,
hugo.blanc@example.org,CS,2026-2027,pre,2026-10-06,Vaguement,Association,3,3,3,3,,
"""
POST = SURVEY_HEADER + """\
ines.roux@example.org,CS,2026-2027,post,2027-05-20,"Oui, précisément",Association;Fondation,5,4,4,3,5,9
"""


def test_derived_tables_follow_survey_loads_and_unloads(warehouse, tmp_path):
    pre = write(tmp_path, "pre.csv", PRE)
    post = write(tmp_path, "post.csv", POST)

    load(warehouse, pre)
    pairs_after_pre = count(warehouse, mart_pair)
    [post_report] = load(warehouse, post)
    pair = all_rows(warehouse, select(mart_pair.c.edition, mart_pair.c.school_id,
                                      mart_pair.c.pre_knows_ess, mart_pair.c.post_knows_ess,
                                      mart_pair.c.pre_wants_useful, mart_pair.c.post_wants_useful,
                                      mart_pair.c.pre_ess_structures_known,
                                      mart_pair.c.post_ess_structures_known))
    responses_with_post = count(warehouse, mart_response)
    removed = unload(post_report.batch_id, warehouse)

    assert pairs_after_pre == 0
    # knows_ess: Non = 0, Oui, précisément = 2; structures known: none, then two.
    assert pair == [("2026-2027", "centralesupelec", 0.0, 2.0, 4.0, 5.0, 0.0, 2.0)]
    assert responses_with_post == 3
    assert removed == {"survey_answer": 8, "survey_response": 1}
    assert count(warehouse, mart_pair) == 0
    assert sorted(all_rows(warehouse, select(mart_response.c.wave))) == [("pre",), ("pre",)]


def test_unload_takes_a_batch_out_and_the_file_can_come_back(warehouse, tmp_path):
    orgs = write(tmp_path, "organisations.csv", ORGANISATIONS)
    events = write(tmp_path, "events.csv", BAD_EVENTS)
    [_, event_report] = load(warehouse, orgs, events)

    removed = unload(event_report.batch_id, warehouse)
    status = scalar(warehouse, select(load_batch.c.status)
                    .where(load_batch.c.batch_id == event_report.batch_id))
    left = {t.name: count(warehouse, t) for t in (tour_event, rejected_row, organisation)}
    [again] = load(warehouse, events)

    assert removed == {"tour_event": 1, "rejected_row": 8}
    assert status == "unloaded"
    assert left == {"tour_event": 0, "rejected_row": 0, "organisation": 2}
    assert (again.status, again.rows_new, again.rows_rejected) == ("loaded", 1, 8)
    assert count(warehouse, rejected_row) == 8


def test_unload_refuses_a_batch_other_batches_depend_on(sqlite_warehouse, tmp_path):
    orgs = write(tmp_path, "organisations.csv", ORGANISATIONS)
    projects = write(tmp_path, "projects.csv", PROJECTS)
    [org_report, _] = load(sqlite_warehouse, orgs, projects)

    with pytest.raises(LoadError) as refused:
        unload(org_report.batch_id, sqlite_warehouse)
    with pytest.raises(LoadError, match="there is no load batch 999"):
        unload(999, sqlite_warehouse)

    assert str(refused.value) == (f"batch {org_report.batch_id} cannot be taken out: 2 projects "
                                  f"loaded by other batches refer to its rows; unload those "
                                  f"batches first")
    assert count(sqlite_warehouse, organisation) == 2


# ---- messy files ------------------------------------------------------------------------------

# file -> (status, rows read, loaded, rejected, words of the message or the first reason)
MESSY_EXPECTED = {
    "events_excel_fr.csv": ("loaded", 3, 2, 1, "row 4: 'participants' must be a whole number"),
    "events_unicode_text.txt": ("loaded", 2, 2, 0, None),
    "organisations_bom_blank_lines.csv": ("loaded", 4, 3, 1, "row 7: 'legal_form' must be one of"),
    "events_duplicated_rows.csv": ("loaded", 3, 2, 1,
                                   "row 4: same event_id as row 2 (event_id 'EVT-D-1')"),
    "projects_school_names.csv": ("loaded", 13, 12, 1, "row 14: unknown school 'Centrale Marseile'"),
    "survey_out_of_range.csv": ("loaded", 4, 4, 0, None),  # its 7 and 11 set aside alone
    "events_missing_column.csv": ("failed", 0, 0, 0, ("missing required column(s) "
                                                      "'attendees' for kind 'events'")),
    "empty.csv": ("failed", 0, 0, 0, "empty.csv: the file is empty"),
    "picture_renamed.csv": ("failed", 0, 0, 0, "not a text table (it holds binary data)"),
    "workbook_renamed.csv": ("failed", 0, 0, 0, "an Excel file renamed .csv"),
    "events_formulas.xlsx": ("loaded", 1, 1, 0, None),
    "events_formulas_never_computed.xlsx": ("failed", 0, 0, 0, (
        "cell G2 (=H2+25) holds a formula whose result was never computed")),
    "events_typed_cells.xlsx": ("loaded", 2, 2, 0, None),
}


def test_every_messy_file_is_listed():
    on_disk = {p.name for p in MESSY.iterdir() if p.suffix not in (".py", ".md")}
    assert on_disk == set(MESSY_EXPECTED)


@pytest.mark.parametrize("name", sorted(MESSY_EXPECTED))
def test_a_messy_file_behaves_as_specified(sqlite_warehouse, tmp_path, name):
    _seed_school_org(sqlite_warehouse, tmp_path)
    status, read, loaded, rejected, words = MESSY_EXPECTED[name]

    [report] = load(sqlite_warehouse, MESSY / name)

    assert (report.status, report.rows_read, report.rows_loaded, report.rows_rejected) == (
        status, read, loaded, rejected), report.message
    if status == "failed":
        assert words in report.message
        assert count(sqlite_warehouse, load_batch) == 1       # only the seed's
    elif words:
        first = min(reasons(sqlite_warehouse).items())[1]
        assert first.startswith(words)


def test_messy_cells_load_as_the_values_a_person_meant(warehouse, tmp_path):
    """Decimal commas, thousands spaces, French and serial dates, typed cells, formulas."""
    files = ["events_excel_fr.csv", "events_unicode_text.txt", "events_formulas.xlsx",
             "events_typed_cells.xlsx", "organisations_bom_blank_lines.csv"]

    reports = load(warehouse, *(MESSY / f for f in files))

    assert all(r.status == "loaded" for r in reports), [r.message for r in reports]
    events = all_rows(warehouse, select(
        tour_event.c.event_id, tour_event.c.date, tour_event.c.city, tour_event.c.region_code,
        tour_event.c.school_id, tour_event.c.event_type, tour_event.c.attendees,
        tour_event.c.students_attending, tour_event.c.organisations_attending)
        .order_by(tour_event.c.event_id))
    assert events == [
        ("EVT-F-1", dt.date(2026, 11, 23), "Lyon", "84", None, "workshop", 20 + 25, 20, 2),
        ("EVT-FR-1", dt.date(2026, 11, 23), "Orléans", "24", "centralesupelec", "conference",
         45, 30, 2),
        ("EVT-FR-2", dt.date(2026, 12, 1), "Besançon", "27", None, "workshop", 1200, 800, 12),
        ("EVT-T-1", dt.date(2026, 11, 23), "Lille", "32", "centralesupelec", "forum", 120, 80, 6),
        ("EVT-T-2", dt.date(2026, 12, 1), "Metz", "44", None, "workshop", 30, 30, 0),
        ("EVT-U-1", dt.date(2026, 10, 5), "Saint-Étienne", "84", None, "forum", 60, 40, 5),
        ("EVT-U-2", dt.date(2026, 10, 6), "Montréal-la-Cluse", "84", None, "hackathon", 25, 25, 0),
    ]
    assert sorted(all_rows(warehouse, select(organisation.c.org_id, organisation.c.name,
                                             organisation.c.legal_form))) == [
        ("ORG-M1", "Les Amis du Code", "association"),
        ("ORG-M2", "Fondation\nSolidaire", "fondation"),
        ("ORG-M3", "Coop Numérique", "cooperative")]


def test_a_load_leaves_postgresql_statistics_on_the_tables_it_wrote(warehouse, tmp_path):
    """Without statistics PostgreSQL plans a 5,000-row join as if it had a dozen rows
    (nested loops, 15 times slower): the load analyses what it wrote."""
    if warehouse.dialect.name != "postgresql":
        pytest.skip("SQLite plans these queries without statistics")
    load(warehouse, write(tmp_path, "organisations.csv", ORGANISATIONS),
         write(tmp_path, "projects.csv", PROJECTS))
    with warehouse.connect() as conn:
        analysed = set(conn.exec_driver_sql(
            "SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema()"
        ).scalars())
    assert {"organisation", "project"} <= analysed

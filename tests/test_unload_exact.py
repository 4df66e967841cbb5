"""`impact unload` takes out exactly what no other batch holds, on SQLite and on PostgreSQL.

Two files of the same kind: A, then B, which holds A's rows (one changed, one as it was) and one
row more. Unloading B brings back A's warehouse; unloading A instead leaves B's rows, all of
them, as B's. Every kind is checked this way; surveys also bring back the answers and the
derived tables. Every input is written in the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from etl.load import LoadError, load_paths, unload
from etl.schema import (
    guide_record,
    load_batch,
    mart_response,
    org_followup,
    organisation,
    project,
    rejected_row,
    student,
    survey_answer,
    survey_response,
    tour_event,
)
from etl.status import warehouse_status

ORGANISATIONS = """\
org_id,name,legal_form,cause,city,region_code
ORG-1,Les Amis du Code,association,education,Lyon,84
ORG-2,Fondation Santé,fondation,sante,Rennes,53
"""
PROJECTS = """\
project_id,title,org_id,school_id,edition,tech_type,status,students_count,mentors_count
PRJ-1,Appli de dons,ORG-1,CS,2026-2027,web_app,in_progress,4,1
PRJ-2,Carte des soins,ORG-2,CS,2026-2027,data_analysis,selected,3,1
"""
SURVEY_HEADER = ("email,school,edition,wave,submitted_at,knows_ess,ess_structures_known,"
                 "wants_useful,tech_for_good,consider_ess_career,intends_volunteer,"
                 "satisfaction,recommend\n")

# kind -> (files its rows refer to, file A, file B: A's first row changed, its second row as it
# was, and one row more)
CASES = {
    "organisations": ((), ORGANISATIONS, ORGANISATIONS.replace("Lyon", "Villeurbanne")
                      + "ORG-3,Coop Vélo,cooperative,environnement,Nantes,52\n"),
    "projects": ((ORGANISATIONS,), PROJECTS, PROJECTS.replace("in_progress", "delivered")
                 + "PRJ-3,Jardins partagés,ORG-1,CS,2026-2027,website,selected,2,1\n"),
    "students": (
        (ORGANISATIONS, PROJECTS),
        ("email,school,edition,project_id,year_of_study\n"
        "ines.roux@example.org,CS,2026-2027,PRJ-1,2\n"
        "hugo.blanc@example.org,CS,2026-2027,PRJ-2,3\n"),
        ("email,school,edition,project_id,year_of_study\n"
        "ines.roux@example.org,CS,2026-2027,PRJ-1,3\n"
        "hugo.blanc@example.org,CS,2026-2027,PRJ-2,3\n"
        "lina.meyer@example.org,CS,2026-2027,PRJ-1,4\n")),
    "events": (
        (),
        ("event_id,date,city,region_code,event_type,attendees\n"
        "EVT-1,2026-10-05,Lyon,84,workshop,30\n"
        "EVT-2,2026-11-23,Paris,11,conference,120\n"),
        ("event_id,date,city,region_code,event_type,attendees\n"
        "EVT-1,2026-10-05,Lyon,84,workshop,35\n"
        "EVT-2,2026-11-23,Paris,11,conference,120\n"
        "EVT-3,2027-01-12,Rennes,53,forum,80\n")),
    "guide": (
        (),
        ("record_id,date,channel,copies,audience\n"
        "GUI-1,2026-10-05,print,50,students\n"
        "GUI-2,2026-11-02,download,12,schools\n"),
        ("record_id,date,channel,copies,audience\n"
        "GUI-1,2026-10-05,print,60,students\n"
        "GUI-2,2026-11-02,download,12,schools\n"
        "GUI-3,2026-12-01,download,7,organisations\n")),
    "org-survey": (
        (ORGANISATIONS, PROJECTS),
        "project_id,wave,delivered,satisfaction\nPRJ-1,end,oui,4\nPRJ-2,end,non,2\n",
        ("project_id,wave,delivered,satisfaction\nPRJ-1,end,oui,5\nPRJ-2,end,non,2\n"
        "PRJ-1,six_months,oui,5\n")),
    "survey": (
        (),
        SURVEY_HEADER
        + "ines.roux@example.org,CS,2026-2027,pre,2026-10-06,Non,,4,3,2,2,,\n"
          "hugo.blanc@example.org,CS,2026-2027,pre,2026-10-06,Vaguement,Association,3,3,3,3,,\n",
        SURVEY_HEADER
        # Inès answered again, later: her new answers replace the first ones.
        + "ines.roux@example.org,CS,2026-2027,pre,2026-10-09,Vaguement,Fondation,5,4,2,2,,\n"
          "hugo.blanc@example.org,CS,2026-2027,pre,2026-10-06,Vaguement,Association,3,3,3,3,,\n"
          "lina.meyer@example.org,CS,2026-2027,pre,2026-10-07,Non,,2,2,2,2,,\n"),
}
TABLE_OF_KIND = {"organisations": organisation, "projects": project, "students": student,
                 "events": tour_event, "guide": guide_record, "org-survey": org_followup,
                 "survey": survey_response}


def write(folder: Path, name: str, content: str, newline: str = "\n") -> Path:
    path = folder / name
    path.write_bytes(content.replace("\n", newline).encode("utf-8"))
    return path


def load_one(engine, path: Path, **options):
    [report] = load_paths([path], engine=engine, **options)
    assert report.status == "loaded", report.message
    return report


def rows_of(engine, table) -> list[tuple]:
    """The table's content as a reader sees it: every column but the lineage and ids."""
    columns = [c for c in table.columns if c.name not in ("batch_id", "response_id")]
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(*columns)))


def answers_of(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(
            select(survey_response.c.respondent_key, survey_answer.c.item,
                   survey_answer.c.value, survey_answer.c.choices)
            .join(survey_answer, survey_answer.c.response_id == survey_response.c.response_id)))


def marts_of(engine) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(
            select(*[c for c in mart_response.columns if c.name != "response_id"])))


def warehouse_of(engine, kind: str) -> dict:
    table = TABLE_OF_KIND[kind]
    seen = {"rows": rows_of(engine, table)}
    if kind == "survey":
        seen |= {"answers": answers_of(engine), "marts": marts_of(engine)}
    return seen


def owners(engine, table) -> dict[int, int]:
    """batch_id -> rows of the table it owns."""
    with engine.connect() as conn:
        return dict(conn.execute(select(table.c.batch_id, func.count())
                                 .group_by(table.c.batch_id)).all())


def batch_counts(engine, batch_id: int) -> tuple:
    with engine.connect() as conn:
        return tuple(conn.execute(select(
            load_batch.c.rows_new, load_batch.c.rows_updated, load_batch.c.rows_unchanged,
            load_batch.c.rows_loaded).where(load_batch.c.batch_id == batch_id)).one())


@pytest.mark.parametrize("kind", list(CASES))
def test_unloading_the_later_file_brings_back_the_earlier_one(warehouse, tmp_path, kind):
    parents, first, second = CASES[kind]
    for number, content in enumerate(parents):
        load_one(warehouse, write(tmp_path, f"parent{number}.csv", content))
    a = write(tmp_path, "a.csv", first)
    b = write(tmp_path, "b.csv", second)
    load_one(warehouse, a, kind=kind)
    after_a = warehouse_of(warehouse, kind)
    b_report = load_one(warehouse, b, kind=kind)
    after_b = warehouse_of(warehouse, kind)

    removed = unload(b_report.batch_id, warehouse)

    assert (b_report.rows_new, b_report.rows_updated, b_report.rows_unchanged) == (1, 1, 1)
    assert after_b != after_a
    # Its new row goes, its changed row gets A's version back, its unchanged row stays.
    assert warehouse_of(warehouse, kind) == after_a
    assert removed.restored == {TABLE_OF_KIND[kind].name: 1}
    assert removed[TABLE_OF_KIND[kind].name] == 1


@pytest.mark.parametrize("kind", list(CASES))
def test_unloading_the_earlier_file_leaves_the_later_one_whole(warehouse, tmp_path, kind):
    parents, first, second = CASES[kind]
    for number, content in enumerate(parents):
        load_one(warehouse, write(tmp_path, f"parent{number}.csv", content))
    a_report = load_one(warehouse, write(tmp_path, "a.csv", first), kind=kind)
    b = write(tmp_path, "b.csv", second)
    b_report = load_one(warehouse, b, kind=kind)
    after_b = warehouse_of(warehouse, kind)
    table = TABLE_OF_KIND[kind]

    removed = unload(a_report.batch_id, warehouse)
    [again] = load_paths([b], engine=warehouse, kind=kind)
    batches = {s["batch_id"]: s for s in warehouse_status(warehouse)["batches"]}

    # B's three rows are all there, as B's: its changed and new rows, and the row it found
    # unchanged (A wrote it; B holds it now, as if it had added it).
    assert warehouse_of(warehouse, kind) == after_b
    assert owners(warehouse, table) == {b_report.batch_id: 3}
    # A owned one of them still (the row B found unchanged): kept, now B's.
    assert removed.get(table.name, 0) == 0 and removed.kept == {table.name: 1}
    # B counts them as added now (new, updated, unchanged, loaded).
    assert batch_counts(warehouse, b_report.batch_id) == (1 + 2, 0, 0, 3)
    assert batches[b_report.batch_id]["rows_loaded"] == 3
    assert batches[a_report.batch_id]["status"] == "unloaded"
    assert again.status == "skipped"  # B is still loaded, and says so truthfully


def test_a_version_between_two_others_goes_without_a_trace(warehouse, tmp_path):
    """A, then C changes ORG-1, then E changes it again: taking C out leaves E's version, and
    taking E out then brings back A's."""
    a = load_one(warehouse, write(tmp_path, "a.csv", ORGANISATIONS))
    after_a = rows_of(warehouse, organisation)
    c = load_one(warehouse, write(tmp_path, "c.csv", ORGANISATIONS.replace("Lyon", "Bron")))
    e = load_one(warehouse, write(tmp_path, "e.csv", ORGANISATIONS.replace("Lyon", "Vénissieux")))
    after_e = rows_of(warehouse, organisation)

    unload(c.batch_id, warehouse)
    after_c_out = rows_of(warehouse, organisation)
    unload(e.batch_id, warehouse)

    assert after_c_out == after_e
    assert rows_of(warehouse, organisation) == after_a
    assert owners(warehouse, organisation) == {a.batch_id: 2}


def test_an_earlier_response_set_aside_by_a_later_file_refuses_the_unload(warehouse, tmp_path):
    """Inès answered in May (file 1); file 2, loaded later, holds her April answer, set aside
    as superseded. Taking file 1 out would lose the April answer: refused, naming file 2."""
    may = write(tmp_path, "may.csv", SURVEY_HEADER +
                "ines.roux@example.org,CS,2026-2027,post,2027-05-20,Vaguement,,5,4,4,3,5,9\n")
    april = write(tmp_path, "april.csv", SURVEY_HEADER +
                  "ines.roux@example.org,CS,2026-2027,post,2027-04-02,Non,,3,3,3,3,3,6\n"
                  "hugo.blanc@example.org,CS,2026-2027,post,2027-04-02,Non,,3,3,3,3,3,6\n")
    may_report = load_one(warehouse, may)
    april_report = load_one(warehouse, april)

    with pytest.raises(LoadError) as refused:
        unload(may_report.batch_id, warehouse)
    still = rows_of(warehouse, survey_response)
    unload(april_report.batch_id, warehouse)
    unload(may_report.batch_id, warehouse)
    [april_again] = load_paths([april], engine=warehouse)

    assert april_report.reasons == {"superseded": 1}
    assert str(refused.value) == (
        f"batch {may_report.batch_id} cannot be taken out: batch {april_report.batch_id} set "
        f"aside 1 earlier survey response(s) of the same respondents as superseded by this "
        f"batch's; unload batch {april_report.batch_id} first (and load its file again "
        f"afterwards)")
    assert len(still) == 2  # nothing moved
    assert (april_again.rows_new, april_again.rows_rejected) == (2, 0)
    assert count(warehouse, survey_response) == 2


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


# ---- rejected rows are recorded once ----------------------------------------------------------

EVENTS_WITH_BAD_ROWS = """\
event_id,date,city,region_code,event_type,attendees
EVT-1,2026-10-05,Lyon,84,workshop,30
EVT-2,2026-11-23,Paris,11,conference,-5
EVT-3,2026-11-24,Paris,99,conference,12
"""


def test_a_file_saved_again_with_other_bytes_adds_no_rejected_row_twice(warehouse, tmp_path):
    first = write(tmp_path, "events.csv", EVENTS_WITH_BAD_ROWS)
    first_report = load_one(warehouse, first)
    # The same rows saved by another program: CRLF line ends, so another sha256.
    (tmp_path / "again").mkdir()
    second = write(tmp_path / "again", "events.csv", EVENTS_WITH_BAD_ROWS, newline="\r\n")
    second_report = load_one(warehouse, second)
    third_report = load_one(warehouse, write(tmp_path / "again", "events.csv",
                                             EVENTS_WITH_BAD_ROWS + "\n\n"))
    rejected_after_loads = count(warehouse, rejected_row)
    batches = {s["batch_id"]: s for s in warehouse_status(warehouse)["batches"]}

    unload(first_report.batch_id, warehouse)
    kept_after_first_out = count(warehouse, rejected_row)
    unload(second_report.batch_id, warehouse)
    unload(third_report.batch_id, warehouse)

    bad_rows = 2  # attendees -5, region 99
    assert first_report.sha256 != second_report.sha256 != third_report.sha256
    assert [r.rows_rejected for r in (first_report, second_report, third_report)] == [bad_rows] * 3
    assert rejected_after_loads == bad_rows
    # Each batch still says what its file had.
    assert [batches[r.batch_id]["rows_rejected"]
            for r in (first_report, second_report, third_report)] == [bad_rows] * 3
    assert warehouse_status(warehouse)["rejected_total"] == 0
    # The rows outlive the batch that recorded them while a later batch holds them.
    assert kept_after_first_out == bad_rows
    assert count(warehouse, rejected_row) == 0


def test_a_rejected_row_with_another_reason_or_from_another_file_is_recorded(
        sqlite_warehouse, tmp_path):
    load_one(sqlite_warehouse, write(tmp_path, "events.csv", EVENTS_WITH_BAD_ROWS))
    load_one(sqlite_warehouse, write(tmp_path, "events.csv",
                                     EVENTS_WITH_BAD_ROWS.replace("-5", "-6")))
    load_one(sqlite_warehouse, write(tmp_path, "events_copy.csv", EVENTS_WITH_BAD_ROWS,
                                     newline="\r\n"))

    # 2 rows, then only the changed one (-6), then both again under another file name.
    assert count(sqlite_warehouse, rejected_row) == 2 + 1 + 2


# ---- the command line ---------------------------------------------------------------------------

def test_impact_unload_says_what_stayed_and_what_came_back(tmp_path, monkeypatch):
    from etl import settings
    from impact.cli import cli

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", "test-key-0123456789")
    settings.configure(None)

    def impact(*args):
        settings.configure(None)
        return CliRunner().invoke(cli, [str(a) for a in args])

    a = write(tmp_path, "a.csv", ORGANISATIONS)
    b = write(tmp_path, "b.csv", ORGANISATIONS.replace("Lyon", "Villeurbanne")
              + "ORG-3,Coop Vélo,cooperative,environnement,Nantes,52\n")
    impact("load", a)
    impact("load", b)
    out_b = impact("unload", "2")
    impact("load", b)
    out_a = impact("unload", "1")
    status = impact("status")
    settings.configure(None)

    assert out_b.exit_code == 0, out_b.output
    assert out_b.output.splitlines() == [
        "batch 2 taken out: 1 from organisation",
        "    back to the version an earlier batch loaded: 1 in organisation"]
    assert out_a.output.splitlines() == [
        "batch 1 taken out: no rows",
        "    kept, as later batches hold them too: 1 in organisation"]
    assert "#3    loaded    organisations b.csv  read 3, loaded 3, rejected 0" in status.output
    assert "  organisation         3" in status.output


def test_an_earlier_version_that_refers_to_data_gone_is_not_brought_back(warehouse, tmp_path):
    """PRJ-1 was ORG-1's (batch 3), then ORG-2's (batch 4); ORG-1's file is then taken out.
    Taking batch 4 out would bring back a project whose organisation is gone: refused."""
    header = "org_id,name,legal_form,cause,city,region_code\n"
    one = load_one(warehouse, write(tmp_path, "one.csv", header + "ORG-1,Un,association,"
                                                                  "education,Lyon,84\n"))
    load_one(warehouse, write(tmp_path, "two.csv", header + "ORG-2,Deux,association,"
                                                            "education,Lyon,84\n"))
    projects = "project_id,title,org_id,school_id,edition,tech_type,status\n"
    first = load_one(warehouse, write(tmp_path, "p1.csv", projects +
                                      "PRJ-1,Appli,ORG-1,CS,2026-2027,web_app,selected\n"))
    second = load_one(warehouse, write(tmp_path, "p2.csv", projects +
                                       "PRJ-1,Appli,ORG-2,CS,2026-2027,web_app,selected\n"))
    unload(one.batch_id, warehouse)

    with pytest.raises(LoadError) as refused:
        unload(second.batch_id, warehouse)
    unload(first.batch_id, warehouse)  # its version is gone from the history
    removed = unload(second.batch_id, warehouse)

    assert str(refused.value).startswith(
        f"batch {second.batch_id} cannot be taken out: the earlier version of project PRJ-1 "
        f"(batch {first.batch_id}) that it would bring back refers to data no longer loaded (")
    assert str(refused.value).endswith(f"); unload batch {first.batch_id} first")
    assert removed == {"project": 1}
    assert count(warehouse, project) == 0


def test_forgetting_a_person_leaves_no_trace_in_the_lineage(sqlite_warehouse, tmp_path):
    from etl.load import forget
    from etl.schema import row_lineage

    _parents, first, second = CASES["survey"]
    load_one(sqlite_warehouse, write(tmp_path, "a.csv", first))
    load_one(sqlite_warehouse, write(tmp_path, "b.csv", second))
    with sqlite_warehouse.connect() as conn:
        pseudonym = conn.execute(select(survey_response.c.pseudonym).where(
            survey_response.c.submitted_at > "2026-10-08")).scalar_one()  # Inès, answered again

    forget("ines.roux@example.org", engine=sqlite_warehouse)

    with sqlite_warehouse.connect() as conn:
        entries = [tuple(r) for r in conn.execute(select(row_lineage))]
    # Hugo (in both files) and Lina (in the second) are left; Inès is in no key nor version.
    assert len(entries) == 2 + 1
    assert not any(pseudonym in " ".join(map(str, entry)) for entry in entries)

"""The input templates: committed as generated, and each one loads once a row is filled in."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from etl import db, migrate, settings
from etl.load import load_paths
from etl.templates import TEMPLATES, TEMPLATES_DIR, file_stem, write_templates

TEST_KEY = "templates-test-key"

# One valid row per kind, by canonical column; the references are loaded first (BASE).
VALID_ROW = {
    "organisations": {"org_id": "ORG-T", "name": "Asso Modèle", "legal_form": "association",
                      "cause": "education", "city": "Lyon", "region_code": "84"},
    "projects": {"project_id": "PRJ-T", "title": "Appli", "org_id": "ORG-BASE",
                 "school_id": "CentraleSupélec", "edition": "2026-2027", "tech_type": "web_app",
                 "status": "in_progress", "students_count": "4", "mentors_count": "1",
                 "start_date": "2026-10-01", "end_date": "2027-03-01"},
    "students": {"email": "ines.roux@example.org", "student_number": "", "school": "CS",
                 "edition": "2026-2027", "project_id": "PRJ-BASE", "year_of_study": "2",
                 "gender": "f"},
    "events": {"event_id": "EVT-T", "date": "23/11/2026", "city": "Lyon", "region_code": "84",
               "school_id": "", "event_type": "atelier", "attendees": "30",
               "students_attending": "20", "organisations_attending": "3"},
    "guide": {"record_id": "GUI-T", "date": "2026-11-23", "channel": "event", "copies": "50",
              "region_code": "84", "school_id": "", "org_id": "ORG-BASE", "event_id": "EVT-BASE",
              "audience": "students"},
    "survey": {"email": "ines.roux@example.org", "school": "CS", "edition": "2026-2027",
               "wave": "pre", "submitted_at": "2026-10-06", "knows_ess": "Vaguement",
               "ess_structures_known": "Association;Fondation", "wants_useful": "5",
               "tech_for_good": "4", "consider_ess_career": "3", "intends_volunteer": "2",
               "satisfaction": "", "recommend": ""},
    "org-survey": {"project_id": "PRJ-BASE", "wave": "end", "delivered": "oui",
                   "in_use": "partiellement", "satisfaction": "4", "mission_impact": "5",
                   "beneficiaries_reached": "120", "would_apply_again": "oui"},
}
BASE = {
    "organisations.csv": "org_id,name,legal_form,cause,region_code\n"
                         "ORG-BASE,Base,association,education,84\n",
    "projects.csv": "project_id,title,org_id,edition,tech_type,status\n"
                    "PRJ-BASE,Base,ORG-BASE,2026-2027,website,selected\n",
    "events.csv": "event_id,date,city,region_code,event_type,attendees\n"
                  "EVT-BASE,2026-10-05,Lyon,84,forum,10\n",
}
TEMPLATE_FILES = {f"{file_stem(kind)}{suffix}": kind for kind in TEMPLATES
                  for suffix in (".csv", "_fr.csv", ".xlsx", "_fr.xlsx")}


def test_the_committed_templates_are_what_the_generator_writes(tmp_path):
    written = write_templates(tmp_path)

    committed = {p.name for p in TEMPLATES_DIR.iterdir() if p.suffix in (".csv", ".xlsx")}
    assert {p.name for p in written} == committed == set(TEMPLATE_FILES)
    for path in written:
        assert path.read_bytes() == (TEMPLATES_DIR / path.name).read_bytes(), path.name


def test_every_column_of_every_template_has_a_valid_example_here():
    for kind, columns in TEMPLATES.items():
        assert [c for c, _, _ in columns] == list(VALID_ROW[kind]), kind


@pytest.fixture(scope="module")
def warehouse_with_references(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    url = f"sqlite:///{folder / 'warehouse.sqlite'}"
    settings.configure(settings.Settings(database_url=url, pseudonym_key=TEST_KEY))
    engine = db.get_engine(url)
    migrate.upgrade(engine)
    for name, content in BASE.items():
        (folder / name).write_text(content, encoding="utf-8")
    reports = load_paths([folder / name for name in BASE], engine=engine)
    assert all(r.status == "loaded" and r.rows_rejected == 0 for r in reports)
    yield engine
    settings.configure(None)


def _filled_copy(template, destination, values):
    if template.suffix == ".xlsx":
        book = openpyxl.load_workbook(template)
        book.worksheets[0].append(values)
        book.save(destination)
        return
    content = template.read_bytes().decode("utf-8")
    delimiter = ";" if template.stem.endswith("_fr") else ","
    row = io.StringIO()
    csv.writer(row, delimiter=delimiter, lineterminator="\r\n").writerow(values)
    destination.write_bytes((content + row.getvalue()).encode("utf-8"))


@pytest.mark.parametrize("name", list(TEMPLATE_FILES))
def test_a_filled_template_loads_without_being_told_its_kind(warehouse_with_references,
                                                               tmp_path, name):
    kind = TEMPLATE_FILES[name]
    values = [VALID_ROW[kind][column] for column, _, _ in TEMPLATES[kind]]
    filled = tmp_path / f"filled_{name}"
    _filled_copy(TEMPLATES_DIR / name, filled, values)

    [report] = load_paths([filled], engine=warehouse_with_references)

    assert (report.status, report.kind, report.tool) == ("loaded", kind, "template"), report.message
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (1, 1, 0)
    assert report.ignored_columns == []

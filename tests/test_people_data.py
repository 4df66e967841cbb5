"""People's data: e-mails and student numbers only ever reach the warehouse as keyed hashes,
never in clear (rows, rejected rows, messages, logs), and a person can be erased.

Every address is invented, at example.org.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from etl import settings
from etl.load import LoadError, forget, load_paths
from etl.schema import (
    audit_log, load_batch, mart_pair, mart_response, organisation, rejected_row, student,
    survey_response,
)
from impact.cli import cli

from conftest import TEST_PSEUDONYM_KEY

SURVEY_EXAMPLES = Path(__file__).parent / "data" / "survey-examples"

PROJECTS = """\
org_id,name,legal_form,cause,region_code
ORG-1,Les Amis du Code,association,education,84
"""
PROJECT = """\
project_id,title,org_id,edition,tech_type,status
PRJ-1,Appli de dons,ORG-1,2026-2027,web_app,in_progress
"""
STUDENTS = """\
Adresse e-mail,Numéro étudiant,Nom,École,Année,Projet,Genre
Ines.Roux@Example.org,,Inès Roux,CS,2026-2027,PRJ-1,f
hugo.blanc@example.org,,Hugo Blanc,CS,2026-2027,PRJ-404,m
,21500007,Lina Meyer,Centrale Marseile,2026-2027,PRJ-1,f
theo.petit@example.org,,Théo Petit,theo.petit@example.org,2026-2027,PRJ-1,m
hugo.blanc@example.org,,Hugo Blanc,CS,2026-2027,PRJ-1,m
hugo.blanc@example.org,,Hugo Blanc,CS,2026-2027,PRJ-1,m
"""
SURVEY_HEADER = ("email,school,edition,wave,submitted_at,knows_ess,ess_structures_known,"
                 "wants_useful,tech_for_good,consider_ess_career,intends_volunteer,"
                 "satisfaction,recommend\n")
PRE = SURVEY_HEADER + """\
ines.roux@example.org,CS,2026-2027,pre,2026-10-06,Non,,4,3,2,2,,
hugo.blanc@example.org,CS,2026-2027,pre,2026-10-06,Vaguement,Association,9,3,3,3,,
sarah.klein@example.org,sarah.klein@example.org,2026-2027,pre,2026-10-06,Non,,4,3,2,2,,
"""
POST = SURVEY_HEADER + """\
ines.roux@example.org,CS,2026-2027,post,2027-05-20,"Oui, précisément",Association,5,4,4,3,5,9
hugo.blanc@example.org,CS,2026-2027,post,2027-05-20,Vaguement,,4,4,4,3,4,8
"""
EMAILS = ["ines.roux@example.org", "hugo.blanc@example.org", "theo.petit@example.org",
          "sarah.klein@example.org", "camille.martin@example.org", "yanis.benali@example.org",
          "lea.nguyen@example.org"]     # the last three are in the Google Forms example
STUDENT_NUMBERS = ["21500007"]


def keyed_hash(identifier: str, key: str = TEST_PSEUDONYM_KEY) -> str:
    return hmac.new(key.encode(), identifier.strip().lower().encode(), hashlib.sha256).hexdigest()


def inbox(folder: Path) -> Path:
    folder.mkdir()
    for name, content in (("organisations.csv", PROJECTS), ("projects.csv", PROJECT),
                          ("students.csv", STUDENTS), ("pre.csv", PRE), ("post.csv", POST)):
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()


def test_people_are_stored_as_keyed_hashes(warehouse, tmp_path):
    reports = load_paths([inbox(tmp_path / "inbox")], engine=warehouse)

    assert [r.status for r in reports] == ["loaded"] * 5
    ines, hugo = keyed_hash("ines.roux@example.org"), keyed_hash("hugo.blanc@example.org")
    with warehouse.connect() as conn:
        roster = set(conn.scalars(select(student.c.pseudonym)))
        respondents = set(conn.scalars(select(survey_response.c.pseudonym)))
        pairs = set(conn.scalars(select(mart_pair.c.pseudonym)))
    # Upper case in the roster, lower case in the survey: the same person, the same hash.
    assert roster == {ines, hugo}
    assert respondents == {ines, hugo}
    # hugo's pre response counts: only its wants_useful 9 (on a 1-5 scale) is set aside
    assert pairs == {ines, hugo}


def test_no_identifier_reaches_the_warehouse_the_output_or_the_logs(tmp_path, monkeypatch, caplog):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
    caplog.set_level(logging.DEBUG)
    outputs = []

    def impact(*args):
        settings.configure(None)
        result = CliRunner().invoke(cli, [str(a) for a in args])
        assert result.exception is None or isinstance(result.exception, SystemExit)
        outputs.append(result.output)
        return result

    loaded = impact("load", inbox(tmp_path / "inbox"))
    impact("load", SURVEY_EXAMPLES / "google_forms_fr.csv", "--wave", "pre")
    impact("status")
    impact("status", "--json")
    forgotten = impact("forget", "theo.petit@example.org")
    warehouse_files = {p.name: p.read_bytes() for p in tmp_path.glob("warehouse.sqlite*")}
    settings.configure(None)                           # checkpoints the WAL into the file
    warehouse_files["after checkpoint"] = (tmp_path / "warehouse.sqlite").read_bytes()

    assert "warehouse.sqlite-wal" in warehouse_files
    assert loaded.exit_code == 0 and "rejected: " in loaded.output
    assert forgotten.stdout.strip() == "erased 1 row(s) of that person: 1 from rejected_row"
    texts = {"CLI output": "\n".join(outputs), "logs": caplog.text}
    assert TEST_PSEUDONYM_KEY not in texts["CLI output"]
    for email in EMAILS + [e.upper() for e in EMAILS] + ["Ines.Roux@Example.org"]:
        for name, content in warehouse_files.items():
            assert email.encode() not in content, f"{email} in {name}"
        for name, content in texts.items():
            assert email not in content, f"{email} in {name}"
    for number in STUDENT_NUMBERS:
        assert number.encode() not in warehouse_files["after checkpoint"]


def test_rejected_rows_keep_the_reason_but_no_identifier(warehouse, tmp_path):
    load_paths([inbox(tmp_path / "inbox")], engine=warehouse)

    with warehouse.connect() as conn:
        rejected = {(r.file_name, r.row_number): (r.reason, json.loads(r.data))
                    for r in conn.execute(select(load_batch.c.file_name, rejected_row.c.row_number,
                                                 rejected_row.c.reason, rejected_row.c.data)
                                          .join(load_batch))}

    assert {where: reason for where, (reason, _) in rejected.items()} == {
        ("students.csv", 3): "row 3: unknown project 'PRJ-404' in 'Projet'",
        ("students.csv", 4): "row 4: unknown school 'Centrale Marseile'",
        ("students.csv", 5): "row 5: unknown school '<an e-mail address, not shown>'",
        ("students.csv", 7): "row 7: same person and edition as row 6 (edition '2026-2027')",
        ("pre.csv", 4): "row 4: unknown school '<an e-mail address, not shown>'",
    }
    stored = json.dumps([data for _, data in rejected.values()], ensure_ascii=False).lower()
    for identifier in EMAILS + STUDENT_NUMBERS + ["Inès Roux", "Hugo Blanc", "Lina Meyer",
                                                  "Théo Petit"]:
        assert identifier.lower() not in stored
    # The roster's rejected rows keep the pseudonym, so that `impact forget` finds them.
    assert rejected[("students.csv", 4)][1]["pseudonym"] == keyed_hash("21500007")


def test_forget_erases_a_person_everywhere_and_audits_without_the_email(warehouse, tmp_path):
    load_paths([inbox(tmp_path / "inbox")], engine=warehouse)
    ines, hugo = keyed_hash("ines.roux@example.org"), keyed_hash("hugo.blanc@example.org")
    ines_before = {t.name: count(warehouse, t, t.c.pseudonym == ines)
                   for t in (student, survey_response, mart_response, mart_pair)}

    removed = forget("  Hugo.Blanc@example.org ", warehouse)

    for table in (student, survey_response, mart_response, mart_pair):
        assert count(warehouse, table, table.c.pseudonym == hugo) == 0, table.name
    assert count(warehouse, rejected_row, rejected_row.c.data.contains(hugo)) == 0
    assert {t.name: count(warehouse, t, t.c.pseudonym == ines)
            for t in (student, survey_response, mart_response, mart_pair)} == ines_before
    # Hugo: his roster row (line 6) and its two rejected lines (3: unknown project,
    # 7: duplicate), his post response with its 8 answers, his pre response with its 5
    # readable answers and its one answer set aside (wants_useful 9), their mart rows and
    # their pair.
    assert {k: v for k, v in removed.items() if v} == {
        "student": 1, "rejected_row": 2, "survey_response": 2, "survey_answer": 8 + 5,
        "answer_set_aside": 1, "mart_response": 2, "mart_pair": 1}
    with warehouse.connect() as conn:
        [(action, detail)] = conn.execute(select(audit_log.c.action, audit_log.c.detail)).all()
    assert action == "forget"
    assert "hugo" not in detail.lower() and hugo not in detail
    assert json.loads(detail) == {"rows_deleted": {k: v for k, v in removed.items() if v}}


def test_without_the_key_people_data_is_refused_and_the_rest_loads(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", "")
    folder = inbox(tmp_path / "inbox")

    settings.configure(None)
    loaded = CliRunner().invoke(cli, ["load", str(folder)])
    settings.configure(None)
    forgotten = CliRunner().invoke(cli, ["forget", "ines.roux@example.org"])
    settings.configure(None)

    assert loaded.exit_code == 1
    lines = loaded.stdout.splitlines()
    assert "✓ organisations.csv: organisations (template): 1 rows read, 1 loaded" in loaded.stdout
    assert "✓ projects.csv: projects (template): 1 rows read, 1 loaded" in loaded.stdout
    for name in ("students.csv", "pre.csv", "post.csv"):
        assert (f"✗ {name}: IMPACT_PSEUDONYM_KEY is not set: people's data (students, surveys) "
                f"cannot be loaded without it (see .env.example)") in lines
    assert forgotten.exit_code == 1
    assert "IMPACT_PSEUDONYM_KEY is not set" in forgotten.output
    assert "Traceback" not in loaded.output + forgotten.output


def test_forget_refuses_without_the_key(warehouse):
    settings.configure(settings.get_settings().replace(pseudonym_key=""))

    with pytest.raises(LoadError, match="IMPACT_PSEUDONYM_KEY is not set"):
        forget("ines.roux@example.org", warehouse)
    assert count(warehouse, organisation) == 0

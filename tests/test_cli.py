"""The `impact` commands that load, unload and describe data, as a staff member runs them.

Commands run through click's CliRunner with DATABASE_URL and IMPACT_PSEUDONYM_KEY in the
environment (settings re-read for every command, as a new process would).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select

from etl import settings
from etl.schema import load_batch, organisation, tour_event
from impact.cli import cli

TEST_KEY = "cli-test-key-0123456789"
EVENTS = """\
event_id,date,city,region_code,event_type,attendees,students_attending,Commentaire
EVT-1,2026-10-05,Lyon,84,workshop,30,20,bien
EVT-2,2026-10-06,Lyon,84,workshop,10,12,trop d'étudiants ?
EVT-3,2026-11-23,Paris,11,conference,120,90,
"""
ORGANISATIONS = """\
org_id,name,legal_form,cause,city,region_code
ORG-1,Les Amis du Code,association,education,Lyon,84
"""


@pytest.fixture
def env(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", TEST_KEY)
    yield sqlite_url
    settings.configure(None)


def impact(*args):
    """Runs one command as a fresh process would: settings re-read from the environment."""
    settings.configure(None)
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def count(url: str, table) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        number = conn.execute(select(func.count()).select_from(table)).scalar()
    engine.dispose()
    return number


def test_load_prints_a_report_for_each_file(env, tmp_path):
    events = write(tmp_path, "events.csv", EVENTS)

    result = impact("load", events)

    assert result.exit_code == 0
    assert result.stdout.splitlines()[-3:] == [
        ("✓ events.csv: events (template): 3 rows read, 2 loaded (2 new, 0 updated, "
         "0 unchanged), 1 rejected [batch 1]"),
        "    rejected: 1 inconsistent counts",
        "    columns ignored: Commentaire",
    ]


def test_loading_the_same_file_again_says_so_and_writes_nothing(env, tmp_path):
    events = write(tmp_path, "events.csv", EVENTS)

    impact("load", events)
    result = impact("load", events)

    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        "= events.csv: already loaded as batch 1; nothing written")
    assert count(env, load_batch) == 1


def test_a_dry_run_prints_the_same_report_and_writes_nothing(env, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox, "organisations.csv", ORGANISATIONS)
    write(inbox, "events.csv", EVENTS)

    dry = impact("load", inbox, "--dry-run")
    batches_after_dry_run = count(env, load_batch)
    real = impact("load", inbox)

    def report_lines(result):
        return [line for line in result.stdout.splitlines() if not line.startswith(
            ("loading ", "checking "))]

    assert dry.exit_code == real.exit_code == 0
    assert batches_after_dry_run == 0
    as_dry_run = [re.sub(r" \[batch \d+\]$", " [dry run: nothing written]",
                         line.replace(" loaded (", " would load ("))
                  for line in report_lines(real)]
    assert report_lines(dry) == as_dry_run
    assert len(as_dry_run) == 4   # two files, one with rejected rows and an ignored column


def test_exit_status_is_1_when_a_file_fails_and_the_others_still_load(env, tmp_path):
    good = write(tmp_path, "organisations.csv", ORGANISATIONS)
    unknown = write(tmp_path, "notes.csv", "foo,bar\n1,2\n")
    missing = tmp_path / "not_there.csv"

    result = impact("load", good, unknown, missing)

    assert result.exit_code == 1
    assert "✗ notes.csv: cannot tell which kind of data this is" in result.stdout
    assert f"✗ {missing}: no such file or folder" in result.stdout
    assert "✓ organisations.csv: organisations (template): 1 rows read" in result.stdout
    assert count(env, organisation) == 1


def test_a_bug_on_one_file_fails_that_file_only(env, tmp_path, monkeypatch):
    from etl.transform import tables

    def broken(raw, ctx):
        raise KeyError("the transform tripped")

    monkeypatch.setitem(tables.TRANSFORMS, "events", broken)
    orgs = write(tmp_path, "organisations.csv", ORGANISATIONS)
    events = write(tmp_path, "events.csv", EVENTS)

    result = impact("load", orgs, events)

    assert result.exit_code == 1
    assert ("✗ events.csv: could not be loaded because of an unexpected error (KeyError: "
            "'the transform tripped'); nothing of this file was written") in result.stdout
    assert (count(env, organisation), count(env, tour_event), count(env, load_batch)) == (1, 0, 1)


@pytest.mark.parametrize("args, words", [
    (["load", "--kind", "people", "x.csv"], "'people' is not one of 'organisations'"),
    (["load", "--wave", "during", "x.csv"], "'during' is not one of 'pre', 'post'"),
    (["load", "--edition", "2026", "x.csv"], "'2026' is not an edition such as 2024-2025"),
    (["load"], "Missing argument 'PATHS...'"),
    (["unload", "first"], "'first' is not a valid integer"),
    (["forget"], "Missing argument 'EMAIL'"),
    (["status", "--yaml"], "No such option '--yaml'"),
])
def test_usage_errors_exit_with_status_2(env, args, words):
    result = impact(*args)

    assert result.exit_code == 2
    assert words in result.output


@pytest.mark.parametrize("args, words", [
    (["unload", "42"], "impact: there is no load batch 42 (see `impact status`)"),
    (["load", "--kind", "survey", "{events}"],
     "no column is a question of the student questionnaire"),
    (["load", "--kind", "projects", "{events}"],
     "missing required column(s) 'project_id', 'title', 'org_id'"),
    (["load", "--kind", "events", "--wave", "pre", "{events}"],
     "--wave applies to surveys only, not to 'events'"),
    (["load", "{empty_folder}"], "impact: no supported file found"),
    (["load", "{followup}"], "the follow-up wave is unknown: pass --wave end or --wave six_months"),
])
def test_refusals_are_one_line_with_status_1(env, tmp_path, args, words):
    events = write(tmp_path, "events.csv", EVENTS)
    (tmp_path / "empty").mkdir()
    followup = write(tmp_path, "followup.csv", "project_id,delivered\nPRJ-1,oui\n")
    args = [a.format(events=events, empty_folder=tmp_path / "empty", followup=followup)
            for a in args]
    impact("init")

    result = impact(*args)

    assert result.exit_code == 1
    assert words in result.output


def test_unload_takes_a_batch_out(env, tmp_path):
    impact("load", write(tmp_path, "events.csv", EVENTS))

    first = impact("unload", "1")
    second = impact("unload", "1")

    assert first.exit_code == 0
    assert first.stdout.strip() == "batch 1 taken out: 2 from tour_event, 1 from rejected_row"
    assert count(env, tour_event) == 0
    assert second.exit_code == 1
    assert "batch 1 is unloaded, not loaded: nothing to take out" in second.output


def test_status_json_describes_batches_counts_and_rejections(database_url, monkeypatch, tmp_path):
    """On SQLite and PostgreSQL, through DATABASE_URL only."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", TEST_KEY)
    events = write(tmp_path, "events.csv", EVENTS)
    orgs = write(tmp_path, "organisations.csv", ORGANISATIONS)
    impact("load", orgs, events)

    result = impact("status", "--json")
    settings.configure(None)

    assert result.exit_code == 0
    state = json.loads(result.stdout)
    assert {"batches", "counts", "rejected_total"} <= set(state)
    newest, oldest = state["batches"]
    assert {k: oldest[k] for k in ("file", "kind", "rows_read", "rows_loaded", "rows_rejected",
                                   "status")} == {
        "file": "organisations.csv", "kind": "organisations", "rows_read": 1, "rows_loaded": 1,
        "rows_rejected": 0, "status": "loaded"}
    assert {k: newest[k] for k in ("file", "kind", "rows_read", "rows_loaded", "rows_rejected",
                                   "status")} == {
        "file": "events.csv", "kind": "events", "rows_read": 3, "rows_loaded": 2,
        "rows_rejected": 1, "status": "loaded"}
    assert len(newest["sha256"]) == 64 and newest["started_at"]
    assert state["counts"]["tour_event"] == 2
    assert state["counts"]["organisation"] == 1
    assert state["counts"]["load_batch"] == 2
    assert state["rejected_total"] == 1


def test_status_text_lists_batches_and_reasons(env, tmp_path):
    impact("load", write(tmp_path, "events.csv", EVENTS))

    result = impact("status")

    assert result.exit_code == 0
    assert "events.csv  read 3, loaded 2, rejected 1" in result.stdout
    assert "Rejected rows: 1" in result.stdout
    assert "  1 inconsistent counts" in result.stdout

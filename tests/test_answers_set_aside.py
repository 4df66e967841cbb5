"""One unreadable answer is set aside, not its response; staff map its label and it is read.

Survey exports are written here, small: a Google Forms CSV, a Microsoft Forms workbook and a
Typeform CSV, whose respondents are invented people at example.org. Commands run through
click's CliRunner with DATABASE_URL and IMPACT_PSEUDONYM_KEY in the environment, on SQLite
and PostgreSQL; figures are read through the awareness export (dashboard.queries.awareness).
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from dashboard.cache import warehouse_version
from dashboard.queries.awareness import WAREHOUSE_VERSION, export_table
from dashboard.queries import set_aside
from dashboard.queries.base import STAFF, Filters
from etl import db, labels, settings
from etl.schema import answer_set_aside, rejected_row, survey_answer, survey_response
from tests.test_cli import impact

TEST_KEY = "set-aside-test-key-0123456789"
WANTS_USEFUL = "Je veux que mon travail soit utile à la société."
FORMS_HEADERS = ["Horodateur", "Adresse e-mail", "École",
                 "Savez-vous précisément ce qu'est l'économie sociale et solidaire (ESS) ?",
                 WANTS_USEFUL,
                 "J'envisage de travailler dans l'ESS ou pour l'intérêt général.",
                 "Êtes-vous satisfait(e) du programme ?"]
STUDENTS = ["alice.martin", "bruno.petit", "chloe.roux", "david.morel", "emma.fabre"]


def forms_rows(wants_useful_of_chloe: str, students=STUDENTS, day: int = 20) -> list[list]:
    """Five post-programme responses, every question answered; Chloé's `wants_useful` cell
    is the one under test."""
    rows = []
    for number, student in enumerate(students):
        wants = wants_useful_of_chloe if student == "chloe.roux" else "Plutôt d'accord"
        rows.append([f"2026/05/{day} {9 + number}:14:02 UTC+2", f"{student}@example.org",
                     "INSA Lyon", "Vaguement", wants, "Tout à fait d'accord", "Satisfait(e)"])
    return rows


def write_forms(folder: Path, name: str, rows: list[list], headers=FORMS_HEADERS) -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


@pytest.fixture
def url(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("IMPACT_MIN_CELL", "1")
    yield database_url
    settings.configure(None)


def engine_of(url: str):
    settings.configure(None)
    return db.get_engine(url)


def n_post(url: str) -> dict[str, int]:
    """Answers counted per item, post-programme, in the awareness export."""
    table = export_table(Filters(), STAFF, 1, engine=engine_of(url))
    rows = table[table["analysis"] != "paired"]
    return {row.item: int(row.n_post) for row in rows.itertuples() if row.n_post is not None
            and row.n_post == row.n_post}


def schools_of(url) -> set[str]:
    with engine_of(url).connect() as conn:
        return set(conn.scalars(select(survey_response.c.school_id)))


def json_of(*args):
    result = impact(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ---- the rule, end to end -----------------------------------------------------------------

def test_an_unreadable_answer_is_set_aside_then_mapped_and_unmapped(url, tmp_path):
    readable = write_forms(tmp_path, "readable.csv", forms_rows("Plutôt d'accord"))
    assert impact("load", readable, "--wave", "post").exit_code == 0
    with_readable = n_post(url)
    assert with_readable["wants_useful"] == len(STUDENTS)
    assert impact("unload", 1).exit_code == 0

    bof = write_forms(tmp_path, "bof.csv", forms_rows("Bof"))
    loaded = impact("load", bof, "--wave", "post")

    assert loaded.exit_code == 0
    assert f"{len(STUDENTS)} new" in loaded.stdout and "0 rejected" in loaded.stdout
    assert "answers set aside: 1" in loaded.stdout and f"'{WANTS_USEFUL}': 'Bof' (1)" in \
        loaded.stdout
    with_bof = n_post(url)
    # Chloé's response counts, without its one unreadable answer.
    assert with_bof == with_readable | {"wants_useful": with_readable["wants_useful"] - 1}
    status = json_of("status", "--json")
    assert [b["answers_set_aside"] for b in status["batches"]] == [1, 0]  # bof.csv, readable.csv
    expected = [{"scale": "agreement", "question": WANTS_USEFUL, "label": "Bof", "count": 1}]
    assert status["answers_set_aside_by_label"] == expected
    assert json_of("labels", "list", "--json") == {"set_aside": expected, "mappings": []}
    assert "Answers set aside: 1" in impact("status").stdout
    assert labels.set_aside_count(Filters(), engine=engine_of(url)) == 1
    assert labels.set_aside_count(Filters(editions=("2024-2025",)), engine=engine_of(url)) == 0
    # The report's count, summed from cells kept in memory, says the same for any selection.
    bof_school = next(iter(schools_of(url)))
    for selection in (Filters(), Filters(editions=("2024-2025",)), Filters(schools=(bof_school,)),
                      Filters(schools=("NO-SUCH-SCHOOL",))):
        assert set_aside.set_aside_count(selection, engine_of(url)) == \
            labels.set_aside_count(selection, engine=engine_of(url))

    version = warehouse_version(engine_of(url))
    with engine_of(url).connect() as conn:
        structures = tuple(conn.execute(WAREHOUSE_VERSION).one())
    mapped = impact("labels", "map", "Bof", "--scale", "agreement", "--value", 3)

    assert mapped.exit_code == 0
    assert mapped.stdout.strip() == (
        "'Bof' now reads as 3 on agreement: 1 answer(s) set aside re-read")
    assert n_post(url) == with_readable  # no new upload: the figures count Chloé's answer
    assert warehouse_version(engine_of(url)) != version  # the dashboard's caches see it
    with engine_of(url).connect() as conn:
        assert tuple(conn.execute(WAREHOUSE_VERSION).one()) != structures
        value = conn.execute(select(survey_answer.c.value).join(
            answer_set_aside, (answer_set_aside.c.response_id == survey_answer.c.response_id)
            & (answer_set_aside.c.item == survey_answer.c.item))).scalar_one()
    assert value == 3.0
    listed = json_of("labels", "list", "--json")
    assert listed["set_aside"] == []
    assert [(m["scale"], m["label"], m["value"]) for m in listed["mappings"]] == [
        ("agreement", "Bof", "3")]
    assert json_of("status", "--json")["answers_set_aside_by_label"] == []
    assert set_aside.set_aside_count(Filters(), engine_of(url)) == 0  # a new version: recounted

    unmapped = impact("labels", "unmap", "Bof", "--scale", "agreement")

    assert unmapped.exit_code == 0
    assert unmapped.stdout.strip() == (
        "'Bof' is no longer mapped on agreement: 1 answer(s) set aside again")
    assert n_post(url) == with_bof
    assert json_of("labels", "list", "--json")["set_aside"] == expected

    # Mapped again, a later export that writes it (in lower case) is read through the mapping.
    impact("labels", "map", "Bof", "--scale", "agreement", "--value", 3)
    others = ["fanny.leroy", "gael.simon", "chloe.roux"]
    later = write_forms(tmp_path, "later.csv", forms_rows("bof", others, day=27)[:2]
                        + [forms_rows("bof", ["chloe.roux"], day=27)[0]])
    second = impact("load", later, "--wave", "post")
    assert second.exit_code == 0 and "answers set aside" not in second.stdout
    # Two new respondents; Chloé's later response replaces her first.
    assert n_post(url)["wants_useful"] == with_readable["wants_useful"] + 2


def test_a_value_outside_the_scale_or_an_unknown_scale_is_refused(url, tmp_path):
    impact("load", write_forms(tmp_path, "bof.csv", forms_rows("Bof")), "--wave", "post")

    outside = impact("labels", "map", "Bof", "--scale", "agreement", "--value", 7)
    unknown = impact("labels", "map", "Bof", "--scale", "likert", "--value", 3)
    known = impact("labels", "map", "Plutôt d'accord", "--scale", "agreement", "--value", 3)
    not_mapped = impact("labels", "unmap", "Bof", "--scale", "agreement")

    assert outside.exit_code == 1
    assert outside.output == ("impact: value '7' is outside scale agreement "
                              "(one of 1, 2, 3, 4, 5)\n")
    assert unknown.exit_code == 2 and "unknown scale 'likert'" in unknown.output
    assert known.exit_code == 1 and len(known.output.splitlines()) == 1
    assert "already read by the vocabulary" in known.output
    assert not_mapped.exit_code == 1 and len(not_mapped.output.splitlines()) == 1
    assert json_of("labels", "list", "--json")["set_aside"][0]["count"] == 1


def test_a_dry_run_reports_the_answers_it_would_set_aside(url, tmp_path):
    bof = write_forms(tmp_path, "bof.csv", forms_rows("Bof"))

    dry = impact("load", bof, "--wave", "post", "--dry-run")

    assert dry.exit_code == 0
    assert (f"    answers set aside: 1 (their responses are kept; `impact labels list`): "
            f"'{WANTS_USEFUL}': 'Bof' (1)") in dry.stdout.splitlines()
    assert json_of("status", "--json")["answers_set_aside_by_label"] == []


def test_reloading_the_same_export_adds_nothing_even_after_a_mapping(url, tmp_path):
    """Anonymous responses (no e-mail, no tool id) are keyed by their answers: the label of a
    set-aside answer is part of that key, whether a mapping reads it since or not."""
    headers = [h for h in FORMS_HEADERS if h != "Adresse e-mail"]
    rows = [row[:1] + row[2:] for row in forms_rows("Bof")]
    first = write_forms(tmp_path, "anonymous.csv", rows, headers)
    impact("load", first, "--wave", "post")

    again = impact("load", first, "--wave", "post")
    impact("labels", "map", "Bof", "--scale", "agreement", "--value", 2)
    longer = write_forms(tmp_path, "anonymous-longer.csv",
                         rows + [forms_rows("Bof", ["hugo.blanc"], day=28)[0][:1]
                                 + forms_rows("Bof", ["hugo.blanc"], day=28)[0][2:]], headers)
    third = impact("load", longer, "--wave", "post")

    assert "already loaded as batch 1; nothing written" in again.stdout
    assert f"(1 new, 0 updated, {len(rows)} unchanged)" in third.stdout
    with engine_of(url).connect() as conn:
        responses = conn.execute(select(survey_response.c.response_id)).all()
        kept = conn.execute(select(answer_set_aside.c.label)).scalars().all()
    assert len(responses) == len(rows) + 1
    assert kept == ["Bof"]  # the new one was read through the mapping on arrival: no new row
    assert n_post(url)["wants_useful"] == len(rows) + 1


# ---- the other formats --------------------------------------------------------------------

def microsoft_forms(tmp_path: Path, tech_for_good_of_first: object) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Form1"
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "School",
                  "Do you know precisely what the social and solidarity economy (SSE) is?",
                  "Digital technologies can help solve social and environmental problems.",
                  "I intend to put my skills at the service of a non-profit."])
    for number, (tech, intends) in enumerate([(tech_for_good_of_first, "Agree"),
                                              (4, "Strongly agree"), (2, "Disagree")], start=1):
        sheet.append([number, datetime(2025, 10, 6, 9, number),
                      datetime(2025, 10, 6, 9, 10 + number), "anonymous", None, "INSA Lyon", "Yes, precisely", tech, intends])
    path = tmp_path / "forms.xlsx"
    book.save(path)
    return path


def test_seven_on_a_one_to_five_scale_is_set_aside_in_a_microsoft_forms_workbook(url, tmp_path):
    result = impact("load", microsoft_forms(tmp_path, 7), "--wave", "pre")

    assert result.exit_code == 0 and "3 new" in result.stdout
    [row] = json_of("labels", "list", "--json")["set_aside"]
    assert row == {"scale": "agreement", "label": "7", "count": 1, "question":
                   "Digital technologies can help solve social and environmental problems."}
    table = export_table(Filters(), STAFF, 1, engine=engine_of(url))
    unpaired = {r.item: int(r.n_pre) for r in table.itertuples()
                if r.analysis == "unpaired" and r.n_pre == r.n_pre}
    assert unpaired["tech_for_good"] == 3 - 1 and unpaired["intends_volunteer"] == 3
    refused = impact("labels", "map", "7", "--scale", "agreement", "--value", 5)
    assert refused.exit_code == 1 and "is a number outside scale agreement" in refused.output


def test_an_unknown_kind_in_the_multi_select_question_sets_that_answer_aside(url, tmp_path):
    path = tmp_path / "typeform.csv"
    path.write_text(
        "#,École,Quelles structures de l'ESS connaissez-vous ?,"
        "Je veux que mon travail soit utile à la société.,Submit Date (UTC),Network ID\n"
        "a1,INSA Lyon,\"Association, Tiers-lieu\",Tout à fait d'accord,2025-10-06 07:00:00,n1\n"
        "a2,INSA Lyon,Mutuelle,Plutôt d'accord,2025-10-06 07:05:00,n2\n", encoding="utf-8")

    assert impact("load", path, "--wave", "pre").exit_code == 0
    [row] = json_of("labels", "list", "--json")["set_aside"]
    assert (row["scale"], row["label"]) == ("ess_option", "Tiers-lieu")
    mapped = impact("labels", "map", "Tiers-lieu", "--scale", "ess_option",
                    "--value", "cooperative")

    assert mapped.exit_code == 0 and "1 answer(s)" in mapped.stdout
    with engine_of(url).connect() as conn:
        answers = conn.execute(select(survey_answer.c.value, survey_answer.c.choices).where(
            survey_answer.c.item == "ess_structures_known")
            .order_by(survey_answer.c.response_id)).all()
    assert [tuple(a) for a in answers] == [(2.0, "association;cooperative"), (1.0, "mutuelle")]


# ---- people's data, empty responses, unload and forget ------------------------------------

def test_no_identifier_is_kept_and_a_response_with_no_readable_answer_is_rejected(url, tmp_path):
    rows = forms_rows("alice.martin@example.org")  # an e-mail typed into a Likert cell
    rows.append(["2026/05/21 9:00:00 UTC+2", "ines.roux@example.org", "INSA Lyon",
                 "", "Bof", "", ""])
    impact("load", write_forms(tmp_path, "mixed.csv", rows), "--wave", "post")

    with engine_of(url).connect() as conn:
        stored = [tuple(r) for r in conn.execute(select(answer_set_aside)).all()]
        [reason] = conn.execute(select(rejected_row.c.reason)).scalars().all()
    written = json.dumps(stored, default=str)
    assert "@" not in written and "example" not in written and "chloe" not in written
    assert json_of("labels", "list", "--json")["set_aside"][0]["label"] == labels.NOT_SHOWN
    assert reason.startswith("row 7: no question of the questionnaire is answered")
    assert f"'{WANTS_USEFUL}' must be 1-5, got 'Bof'" in reason


def test_unload_and_forget_take_the_answers_set_aside_with_their_responses(url, tmp_path):
    impact("load", write_forms(tmp_path, "bof.csv", forms_rows("Bof")), "--wave", "post")
    assert impact("forget", "chloe.roux@example.org").exit_code == 0
    assert json_of("labels", "list", "--json")["set_aside"] == []

    impact("load", write_forms(tmp_path, "bof2.csv", forms_rows("Bof", day=21)), "--wave", "post")
    assert json_of("status", "--json")["answers_set_aside_by_label"][0]["count"] == 1
    assert impact("unload", 2).exit_code == 0
    assert json_of("status", "--json")["answers_set_aside_by_label"] == []
    with engine_of(url).connect() as conn:
        assert conn.execute(select(answer_set_aside)).all() == []


def test_unloading_a_later_version_brings_back_the_earlier_answers_set_aside(url, tmp_path):
    # Batch 1: Chloé's "Bof" is set aside. Batch 2, a later export: she now answers in words
    # the vocabulary reads. Taking batch 2 out brings back her first response, "Bof" included.
    impact("load", write_forms(tmp_path, "bof.csv", forms_rows("Bof")), "--wave", "post")
    with_bof = n_post(url)
    expected = [{"scale": "agreement", "question": WANTS_USEFUL, "label": "Bof", "count": 1}]
    later = write_forms(tmp_path, "later.csv", forms_rows("Tout à fait d'accord", day=27))
    assert impact("load", later, "--wave", "post").exit_code == 0
    assert json_of("labels", "list", "--json")["set_aside"] == []
    assert n_post(url)["wants_useful"] == len(STUDENTS)

    assert impact("unload", 2).exit_code == 0

    assert n_post(url) == with_bof
    assert json_of("labels", "list", "--json")["set_aside"] == expected
    batches = json_of("status", "--json")["batches"]
    assert {b["batch_id"]: b["answers_set_aside"] for b in batches} == {1: 1, 2: 0}


def test_unloading_a_later_version_takes_its_answers_set_aside_with_it(url, tmp_path):
    readable = write_forms(tmp_path, "readable.csv", forms_rows("Plutôt d'accord"))
    impact("load", readable, "--wave", "post")
    with_readable = n_post(url)
    later = write_forms(tmp_path, "bof.csv", forms_rows("Bof", day=27))
    assert impact("load", later, "--wave", "post").exit_code == 0
    assert len(json_of("labels", "list", "--json")["set_aside"]) == 1

    assert impact("unload", 2).exit_code == 0

    assert n_post(url) == with_readable
    assert json_of("labels", "list", "--json")["set_aside"] == []
    with engine_of(url).connect() as conn:
        assert conn.execute(select(answer_set_aside)).all() == []


def test_a_superseded_response_leaves_no_answer_set_aside(url, tmp_path):
    rows = forms_rows("Plutôt d'accord")
    earlier = forms_rows("Bof", ["chloe.roux"], day=19)[0]  # the same student, a day before
    impact("load", write_forms(tmp_path, "twice.csv", [earlier] + rows), "--wave", "post")

    assert json_of("labels", "list", "--json")["set_aside"] == []
    assert n_post(url)["wants_useful"] == len(STUDENTS)


def test_the_upload_page_gets_the_answers_set_aside_in_its_report(url, tmp_path):
    from dashboard.uploads import report_dict
    from etl.load import load_paths

    from etl import migrate

    migrate.upgrade(engine_of(url))
    [report] = load_paths([write_forms(tmp_path, "bof.csv", forms_rows("Bof"))], wave="post",
                          dry_run=True, engine=engine_of(url))

    sent = json.loads(json.dumps(report_dict(report)))
    assert sent["answers_set_aside"] == 1
    assert sent["set_aside_by_label"] == [{"question": WANTS_USEFUL, "label": "Bof", "count": 1}]


def test_an_unknown_tick_in_one_option_column_is_read_once_mapped(url, tmp_path):
    """LimeSurvey writes one column per option of the multi-select question."""
    ess = "Quelles structures de l'ESS connaissez-vous ?"
    path = tmp_path / "limesurvey.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "submitdate", "École", f"{ess} [Association]",
                         f"{ess} [Mutuelle]", f"{ess} [Fondation]", WANTS_USEFUL])
        writer.writerow(["1", "2025-10-06 09:14:02", "INSA Lyon", "Oui", "Peut-être", "",
                         "Plutôt d'accord"])
        writer.writerow(["2", "2025-10-06 09:20:00", "INSA Lyon", "Oui", "Oui", "Non",
                         "Tout à fait d'accord"])

    assert impact("load", path, "--wave", "pre").exit_code == 0
    [row] = json_of("labels", "list", "--json")["set_aside"]
    assert (row["scale"], row["label"], row["question"]) == (
        "option_ticked", "Peut-être", f"{ess} [Mutuelle]")
    assert impact("labels", "map", "peut-etre", "--scale", "option_ticked",
                  "--value", 1).exit_code == 0
    assert "option_ticked 'peut-etre' -> 1" in impact("labels", "list").stdout

    with engine_of(url).connect() as conn:
        answers = conn.execute(select(survey_answer.c.value, survey_answer.c.choices).where(
            survey_answer.c.item == "ess_structures_known")
            .order_by(survey_answer.c.response_id)).all()
    # Response 1: Association ticked, Mutuelle "peut-être" now read as ticked.
    assert [tuple(a) for a in answers] == [(2.0, "association;mutuelle"),
                                           (2.0, "association;mutuelle")]

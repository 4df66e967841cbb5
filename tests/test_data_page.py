"""The "Données" page and its upload route, through Flask's test client on a SQLite warehouse.

Files go to `POST /upload` as a browser sends them (multipart, the session's CSRF token taken
from the page's own callback), the load runs in the server's background thread, and the job's
report is compared with what `impact load` reports for the same file. The page's callbacks
(undo, alias, re-run) are called as plain functions, as the browser's clicks would call them.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket

import pytest
from sqlalchemy import select

from dashboard import ids, uploads
from etl import db, migrate, reference, users
from etl import settings as etl_settings
from etl.load import load_paths
from etl.schema import audit_log, load_batch, organisation, project, rejected_row
from etl.status import warehouse_status
from tests.auth_helpers import CallbackRequest, sign_in
from tests.conftest import make_settings

PASSWORD = "a-test-password-1"
STAFF = "staff@example.org"
FUNDER = "funder@example.org"

ORGANISATIONS = (
    "org_id,name,legal_form,cause,city,region_code,commentaire\n"
    "ORG-1,Les Amis du Code,association,education,Lyon,84,partenaire historique\n"
    "ORG-2,Fondation Solidaire,fondation,sante,Rennes,53,\n"
    "ORG-3,Mutuelle Sans Forme,pas une forme,sante,Nantes,52,à revoir\n"
)
PROJECTS = (
    "project_id,title,org_id,school_id,edition,tech_type,status\n"
    "PRJ-1,Site de dons,ORG-1,INSA Lyon,2025-2026,website,selected\n"
    "PRJ-2,Carte des bénévoles,ORG-1,Centrale Marseile,2025-2026,web_app,selected\n"
    "PRJ-3,Appli de prêt,ORG-2,Centrale Marseile,2025-2026,mobile_app,in_progress\n"
)
STUDENTS = (
    "email,school,edition\n"
    "ada@example.org,INSA Lyon,2025-2026\n"
    "alan@example.org,Centrale Marseile,2025-2026\n"
)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A migrated warehouse with a staff and a funder account, built once for the module."""
    path = tmp_path_factory.mktemp("data-page") / "template.sqlite"
    url = f"sqlite:///{path}"
    etl_settings.configure(make_settings(url))
    engine = db.get_engine(url)
    migrate.upgrade(engine)
    for email, role, scope in ((STAFF, "staff", {}), (FUNDER, "funder", {"regions": ["84"]})):
        users.add_account(engine, email, PASSWORD, role, scope, actor="tests")
    etl_settings.configure(None)  # disposes the engine: the file is complete on disk
    return path


def fresh_settings(template, tmp_path, **overrides):
    """A copy of the template for one test, with its accounts (sign in to it: sessions live in
    the warehouse)."""
    copy = tmp_path / "warehouse.sqlite"
    shutil.copy(template, copy)
    return make_settings(f"sqlite:///{copy}", extra={"upload_dir": str(tmp_path / "store")},
                         **overrides)


@pytest.fixture(scope="module")
def app(template, tmp_path_factory):
    from dashboard.app import create_app

    created = create_app(fresh_settings(template, tmp_path_factory.mktemp("app")))
    yield created
    etl_settings.configure(None)


def signed_in(app, email=STAFF):
    client = app.server.test_client()
    assert sign_in(client, email, PASSWORD).status_code == 302
    return client




@pytest.fixture
def warehouse(template, tmp_path, app):
    """This test's own warehouse and upload folder, under the module's app."""
    settings = fresh_settings(template, tmp_path)
    etl_settings.configure(settings)
    yield db.get_engine(settings.database_url)
    etl_settings.configure(None)


@pytest.fixture
def store(warehouse, tmp_path):
    return tmp_path / "store"


@pytest.fixture
def aliases(tmp_path, monkeypatch):
    """The staff's aliases file, copied: adding an alias must not touch the project's data."""
    copy = tmp_path / "school_aliases.csv"
    shutil.copy(reference.ALIASES_CSV, copy)
    monkeypatch.setattr(reference, "ALIASES_CSV", copy)
    return copy


@pytest.fixture
def client(app, warehouse, aliases):
    return signed_in(app)  # in this test's warehouse, where its session is kept


def page_config(client, lang="fr") -> dict:
    """What the page gives upload.js (its CSRF token among it), through the page's callback."""
    outputs = [{"id": ids.DATA_INTRO, "property": "children"},
               {"id": ids.DATA_UPLOAD_CONFIG, "property": "data"},
               {"id": ids.DATA_FORM_LANG, "property": "data"}]
    key = "...".join(f"{o['id']}.{o['property']}" for o in outputs)
    answer = CallbackRequest(
        f"..{key}..", outputs,
        [{"id": ids.URL, "property": "search", "value": f"?lang={lang}"}],
        [{"id": ids.DATA_FORM_LANG, "property": "data", "value": None}],
        [f"{ids.URL}.search"]).post(client)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["response"][ids.DATA_UPLOAD_CONFIG]["data"]


def post_files(client, files: dict[str, str | bytes], token: str | None = None, **form):
    if token is None:
        token = page_config(client)["csrf"]
    data = {"files": [(io.BytesIO(body.encode() if isinstance(body, str) else body), name)
                      for name, body in files.items()], **form}
    return client.post("/upload?lang=fr", data=data, content_type="multipart/form-data",
                       headers={"X-CSRF-Token": token})


def upload(client, files: dict[str, str], **form) -> dict:
    """Post the files, wait for their job, return its final state."""
    answer = post_files(client, files, **form)
    assert answer.status_code == 202, answer.get_data(as_text=True)
    return uploads.wait_for_job(answer.get_json()["job_id"])


def batch_of(state: dict, file_name: str) -> int:
    return next(r["batch_id"] for r in state["reports"] if r["file"] == file_name)


# ---- the upload route ----

def test_an_uploaded_csv_is_loaded_in_the_background_and_its_batch_listed(client,
                                                                          warehouse):
    answer = post_files(client, {"organisations.csv": ORGANISATIONS})

    assert answer.status_code == 202
    job_id = answer.get_json()["job_id"]
    state = uploads.wait_for_job(job_id)
    assert state["status"] == "done"
    assert (state["files_done"], state["files_total"]) == (1, 1)
    [report] = state["reports"]
    assert report["status"] == "loaded"
    assert report["kind"] == "organisations"
    assert (report["rows_read"], report["rows_new"], report["rows_rejected"]) == (3, 2, 1)
    assert report["reasons"] == {"invalid_value": 1}
    assert report["ignored_columns"] == ["commentaire"]

    polled = client.get(f"/upload/jobs/{job_id}")
    assert polled.status_code == 200
    assert polled.get_json()["reports"] == state["reports"]

    [batch] = warehouse_status(warehouse)["batches"]
    assert (batch["batch_id"], batch["file"], batch["status"]) == (
        report["batch_id"], "organisations.csv", "loaded")
    assert (batch["rows_loaded"], batch["rows_rejected"]) == (2, 1)


def test_the_job_report_holds_the_same_fields_as_impact_load(client, warehouse, tmp_path):
    state = upload(client, {"organisations.csv": ORGANISATIONS})
    [from_page] = state["reports"]
    uploads.unload_batch(from_page["batch_id"])  # the same file may then be loaded again

    path = tmp_path / "organisations.csv"
    path.write_text(ORGANISATIONS, encoding="utf-8")
    [from_cli] = load_paths([path], engine=warehouse)  # what `impact load` runs

    expected = uploads.report_dict(from_cli)
    assert set(from_page) == set(expected)
    assert {k: v for k, v in from_page.items() if k != "batch_id"} == \
        {k: v for k, v in expected.items() if k != "batch_id"}


def test_a_refused_file_reports_its_one_line_message_and_the_others_still_load(client):
    state = upload(client, {"organisations.csv": ORGANISATIONS,
                            "notes.csv": "colour,taste\nred,sweet\n"})

    by_file = {r["file"]: r for r in state["reports"]}
    assert by_file["organisations.csv"]["status"] == "loaded"
    assert by_file["notes.csv"]["status"] == "failed"
    assert by_file["notes.csv"]["message"].startswith("notes.csv: cannot tell which kind")
    assert "\n" not in by_file["notes.csv"]["message"]


def test_the_upload_needs_the_session_token_and_a_staff_account(app, client):
    answer = post_files(client, {"organisations.csv": ORGANISATIONS}, token="forged")
    assert answer.status_code == 403
    assert "rechargez la page" in answer.get_json()["message"]

    funder = signed_in(app, FUNDER)
    answer = post_files(funder, {"organisations.csv": ORGANISATIONS}, token="any")
    assert answer.status_code == 403
    assert answer.get_json()["error"] == "forbidden"

    anonymous = app.server.test_client()
    assert anonymous.post("/upload").status_code == 401
    assert funder.get("/upload/batches/1/rejected.csv").status_code == 403


def status_request(search: str = "") -> CallbackRequest:
    return CallbackRequest(
        f"{ids.DATA_STATUS}.children", {"id": ids.DATA_STATUS, "property": "children"},
        [{"id": ids.URL, "property": "search", "value": search},
         {"id": ids.DATA_CHANGED, "property": "data", "value": 0},
         {"id": ids.DATA_JOB_DONE, "property": "data", "value": None}], [],
        [f"{ids.URL}.search"])


def test_the_page_callbacks_answer_staff_only(app, client):
    upload(client, {"organisations.csv": ORGANISATIONS})

    answer = status_request().post(client)
    assert answer.status_code == 200
    assert "organisations.csv" in json.dumps(answer.get_json(), ensure_ascii=False)
    assert status_request().post(signed_in(app, FUNDER)).status_code == 403
    assert status_request().post(app.server.test_client()).status_code == 401


@pytest.mark.parametrize(("form", "words"), [
    ({"kind": "pets"}, "Type de données inconnu"),
    ({"kind": "projects", "wave": "pre"}, "ne s'applique pas"),
    ({"edition": "2025"}, "n'est pas une édition"),
])
def test_bad_options_are_refused_before_anything_is_saved(client, store, form, words):
    answer = post_files(client, {"organisations.csv": ORGANISATIONS}, **form)

    assert answer.status_code == 400
    assert words in answer.get_json()["message"]


def test_no_file_and_an_unknown_job_get_clear_answers(client):
    answer = client.post("/upload?lang=en", data={"csrf_token": page_config(client)["csrf"]},
                         content_type="multipart/form-data")
    assert answer.status_code == 400
    assert answer.get_json()["message"].startswith("No file received")
    assert client.get("/upload/jobs/" + "0" * 32).status_code == 404
    assert client.get("/upload/jobs/not-a-job").status_code == 404


def test_files_of_people_are_not_kept_after_their_load(client, store):
    state = upload(client, {"organisations.csv": ORGANISATIONS, "students.csv": STUDENTS})

    kinds = {r["file"]: r for r in state["reports"]}
    kept = {p.name for p in (store / "uploads").rglob("*.csv")}
    assert kept == {"organisations.csv"}
    assert (store / "uploads" / kinds["organisations.csv"]["sha256"]).is_dir()
    assert not (store / "jobs" / state["job_id"]).exists()  # the job's files are gone
    assert (store / "jobs" / ".gitignore").read_text() == "*\n"


# ---- the page's callbacks ----

def test_undo_through_the_page_callback_takes_the_batch_out(client, warehouse):
    from dashboard.pages import data

    batch_id = batch_of(upload(client, {"organisations.csv": ORGANISATIONS}),
                        "organisations.csv")

    message, changed = data.confirm_undo(1, batch_id, "?lang=fr")

    assert f"Lot {batch_id} annulé" in str(message)
    assert changed  # the list, the counts and the freshness badge redraw
    with warehouse.connect() as conn:
        assert conn.execute(select(load_batch.c.status)).scalar() == "unloaded"
        assert conn.execute(select(organisation)).all() == []
        assert conn.execute(select(rejected_row)).all() == []
    status = warehouse_status(warehouse)
    table = str(data.status_sections(status, "fr", "", None))
    assert "Annulé" in table and "Annuler le lot" not in table  # no undo button any more

    with warehouse.connect() as conn:
        actions = [r.action for r in conn.execute(select(audit_log.c.action))]
    assert {"upload", "unload"} <= set(actions)  # who loaded and who undid, in the audit log

    again, _ = data.confirm_undo(1, batch_id, "")
    assert "n'a pas été annulé" in str(again)


def test_undo_is_refused_while_other_batches_refer_to_the_rows(client):
    from dashboard.pages import data

    state = upload(client, {"organisations.csv": ORGANISATIONS, "projects.csv": PROJECTS})
    message, _ = data.confirm_undo(1, batch_of(state, "organisations.csv"), "")

    assert "n'a pas été annulé" in str(message)
    assert "y font référence" in str(message)


def test_the_rejected_rows_download_has_the_reason_and_the_row_columns(client):
    batch_id = batch_of(upload(client, {"organisations.csv": ORGANISATIONS}),
                        "organisations.csv")

    answer = client.get(f"/upload/batches/{batch_id}/rejected.csv")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert list(rows[0])[:2] == ["row_number", "reason"]
    # The loader never stores `name` with a rejected row (etl.transform.tables.PERSONAL_COLUMNS).
    assert rows == [{"row_number": "4", "reason": rows[0]["reason"], "org_id": "ORG-3",
                     "legal_form": "pas une forme", "cause": "sante", "city": "Nantes",
                     "region_code": "52"}]
    assert "pas une forme" in rows[0]["reason"]

    excel = client.get(f"/upload/batches/{batch_id}/rejected.csv?format=excel-fr")
    text = excel.get_data(as_text=True)
    assert text.startswith("\ufeffrow_number;reason;org_id")
    assert client.get("/upload/batches/999/rejected.csv").status_code == 404


def test_an_alias_then_a_rerun_loads_the_rows_of_the_unknown_school(client, warehouse,
                                                                    aliases):
    from dashboard.pages import data

    state = upload(client, {"organisations.csv": ORGANISATIONS, "projects.csv": PROJECTS})
    batch_id = batch_of(state, "projects.csv")
    assert uploads.unknown_school_names(batch_id) == [("Centrale Marseile", 2)]
    panel = str(data.rejected_panel(uploads.batch_info(batch_id), "fr", f"?batch={batch_id}"))
    assert "Écoles non reconnues" in panel and "Relancer 2 lignes" in panel

    message, changed = data.alias_message("Centrale Marseile", "centrale-mediterranee", "fr")
    assert "désigne maintenant Centrale Méditerranée" in str(message) and changed
    assert aliases.read_text(encoding="utf-8").splitlines()[-1] == \
        "Centrale Marseile,centrale-mediterranee"
    assert uploads.resolve_school("centrale marseile") == "centrale-mediterranee"

    search, note = data.rerun(1, f"?batch={batch_id}")
    assert "Relance lancée" in str(note)
    rerun = uploads.wait_for_job(data.job_of(search))
    [report] = rerun["reports"]
    assert (report["status"], report["file"]) == ("loaded", f"rejets-du-lot-{batch_id}.csv")
    assert (report["kind"], report["rows_new"], report["rows_rejected"]) == ("projects", 2, 0)
    with warehouse.connect() as conn:
        schools = dict(conn.execute(select(project.c.project_id, project.c.school_id)).all())
        left = conn.execute(select(rejected_row).where(rejected_row.c.batch_id == batch_id)).all()
    assert schools == {"PRJ-1": "insa-lyon", "PRJ-2": "centrale-mediterranee",
                       "PRJ-3": "centrale-mediterranee"}
    assert left == []  # the rows moved to the re-run's batch
    panel = str(data.rejected_panel(uploads.batch_info(batch_id), "fr", f"?batch={batch_id}"))
    assert "relancées depuis dans un lot suivant" in panel


def test_an_alias_is_refused_for_a_name_that_already_means_another_school(client):
    from dashboard.pages import data

    message, changed = data.alias_message("INSA Lyon", "centrale-mediterranee", "fr")
    assert "désigne déjà une autre école" in str(message)
    assert changed is dash_no_update()
    message, _ = data.alias_message("Centrale Marseile", None, "fr")
    assert "Choisissez d'abord l'école" in str(message)


def dash_no_update():
    from dash import no_update

    return no_update


def test_rows_of_people_cannot_be_rerun_and_the_page_says_why(client):
    from dashboard.pages import data

    batch_id = batch_of(upload(client, {"students.csv": STUDENTS}), "students.csv")

    plan = uploads.rerun_plan(batch_id)
    assert (plan["possible"], plan["why_not"]) == (False, "people")
    panel = str(data.rejected_panel(uploads.batch_info(batch_id), "fr", ""))
    assert "identifiants des personnes ne sont jamais conservés" in panel
    assert f"id='{ids.DATA_RERUN}'" not in panel
    with pytest.raises(uploads.UploadRefused):
        uploads.start_rerun(batch_id)
    rows = uploads.rejected_records(batch_id)
    assert all("alan@example.org" not in json.dumps(r) for r in rows)


# ---- what the page shows ----

def test_the_batch_list_links_to_the_rejected_rows_and_offers_undo(client, warehouse):
    from dashboard.pages import data

    batch_id = batch_of(upload(client, {"organisations.csv": ORGANISATIONS}),
                        "organisations.csv")

    sections = str(data.render_status(f"?batch={batch_id}", 0, None))
    assert f"batch={batch_id}" in sections  # the rejected count links to the rows
    assert "voir les lignes rejetées du lot" in sections
    assert f"Annuler le lot {batch_id} (organisations.csv)" in sections
    assert "table-active" in sections  # the opened batch is marked
    plan = uploads.rerun_plan(batch_id)  # the loader keeps no `name` with a rejected row
    assert (plan["possible"], plan["why_not"], plan["missing"]) == (False, "columns", ["name"])
    panel = str(data.rejected_panel(uploads.batch_info(batch_id), "fr", ""))
    assert "la colonne obligatoire « name »" in panel
    assert "Problème" in panel and "valeur invalide" in panel


def test_the_job_callback_polls_until_the_end_then_tells_the_page_once(client):
    from dashboard.pages import data

    job_id = upload(client, {"organisations.csv": ORGANISATIONS})["job_id"]

    panel, poll_off, applied = data.follow_job(f"?job={job_id}", 3, None)
    assert "Rapport de chargement" in str(panel) and "1 fichier : 1 chargé." in str(panel)
    assert poll_off is True and applied == job_id  # the list, counts and badge redraw
    _, _, again = data.follow_job(f"?job={job_id}", 4, job_id)
    assert again is dash_no_update()
    nothing, off, _ = data.follow_job("", 0, None)
    assert nothing is None and off is True


def test_the_job_summary_agrees_with_its_counts():
    from dashboard.pages import data

    reports = [{"status": "loaded"}, {"status": "loaded"}, {"status": "failed"}]
    assert data.job_summary(reports, "fr") == "3 fichiers : 2 chargés, 1 refusé."
    assert data.job_summary(reports[:1], "en") == "1 file: 1 loaded."


def test_the_report_of_a_file_says_what_impact_load_says_in_both_languages():
    from dashboard.pages import data

    report = {"file": "organisations.csv", "kind": "organisations", "tool": "template",
              "status": "loaded", "batch_id": 7, "rows_read": 3, "rows_loaded": 2,
              "rows_new": 2, "rows_updated": 0, "rows_unchanged": 0, "rows_rejected": 1,
              "reasons": {"invalid_value": 1}, "ignored_columns": ["commentaire"],
              "message": None}

    english = " / ".join(data.report_lines(report, "en"))
    assert english == ("Recognised: Organisations (Latitudes template) / 3 rows read · "
                       "2 loaded (2 new, 0 updated, 0 unchanged) · 1 rejected / "
                       "Reasons for rejection: invalid value (1) / "
                       "Columns ignored: commentaire")
    french = " / ".join(data.report_lines(report, "fr"))
    assert ("3 lignes lues · 2 chargées (2 nouvelles, 0 mise à jour, 0 inchangée) · "
            "1 rejetée") in french
    assert "Raisons des rejets : valeur invalide (1)" in french
    card = str(data.report_card(report, "fr", ""))
    assert "Voir les lignes rejetées" in card and "batch=7" in card

    failed = {**report, "status": "failed", "message": "x.csv: missing required column(s)"}
    assert data.report_lines(failed, "en")[0] == "x.csv: missing required column(s)"


def test_the_job_panel_shows_progress_then_the_report():
    from dashboard.pages import data

    running = {"job_id": "a" * 32, "status": "running", "files_total": 3, "files_done": 1,
               "current_file": "projets.xlsx", "stage": "loading", "reports": []}
    panel = str(data.job_panel(running, "fr", ""))
    assert "Chargement en cours" in panel
    assert "Fichiers terminés : 1 sur 3" in panel and "Fichier en cours : projets.xlsx" in panel

    assert "plus disponible" in str(data.job_panel(None, "fr", "?job=x"))
    lost = {**running, "status": "lost"}
    assert "interrompu" in str(data.job_panel(lost, "fr", ""))


def test_sizes_and_times_follow_french_formats():
    from dashboard.pages import data

    assert data.size_text(12_345_678, "fr") == "12,3\u202fMo"
    assert data.size_text(999, "en") == "999 B"
    assert data.when_text("2026-11-23 13:05:00", "fr") == "23/11/2026 à 14:05"  # Paris time


def test_the_page_is_registered_for_staff_only(app):
    import dash

    page = next(p for p in dash.page_registry.values() if p["path"] == "/donnees")
    assert page["roles"] == ("admin", "staff")


# Last: it builds a second app, which takes over Dash's page registry from the module's app.
def test_an_upload_over_the_limit_gets_413_and_a_clear_json_message(template, tmp_path):
    from dashboard.app import create_app

    small = create_app(fresh_settings(template, tmp_path, max_upload_mb=1))
    try:
        client = signed_in(small)
        token = page_config(client)["csrf"]
        limit = small.server.config["MAX_CONTENT_LENGTH"]

        answer = post_files(client, {"big.csv": b"x" * (limit + 1)}, token=token)

        assert answer.status_code == 413
        body = answer.get_json()
        assert body["error"] == "too_large"
        assert body["max_mb"] == 1
        assert "1 Mo au plus par envoi" in body["message"]
        assert not (tmp_path / "store" / "jobs").exists()  # nothing was saved
    finally:
        etl_settings.configure(None)


def test_a_job_whose_worker_died_is_reported_lost(warehouse, store):
    job_id, _folder = uploads.new_job_folder()
    state = {"job_id": job_id, "status": "running", "pid": 2**22 + 12345,  # no such process
             "host": socket.gethostname(), "files_total": 1, "files_done": 0}
    uploads.write_state(state)  # as a killed worker leaves it

    assert uploads.read_job(job_id)["status"] == "lost"
    assert uploads.read_job(job_id.upper()) is None  # not a job id


# ---- answers set aside: labels staff map to a step of the scale ----

# Six students of one edition answered before the programme. Three wrote "Bof" where the
# agreement scale has no such answer (two in wants_useful, one in tech_for_good): only those
# three answers are set aside, their responses count for the other items.
SURVEY_EDITION = "2025-2026"
SURVEY_WITH_BOF = (
    "email,school,edition,wave,knows_ess,wants_useful,tech_for_good\n"
    f"lea@example.org,INSA Lyon,{SURVEY_EDITION},pre,Vaguement,Bof,4\n"
    f"hugo@example.org,INSA Lyon,{SURVEY_EDITION},pre,Non,Bof,Bof\n"
    f"ines@example.org,INSA Lyon,{SURVEY_EDITION},pre,Non,5,4\n"
    f"noah@example.org,INSA Lyon,{SURVEY_EDITION},pre,Oui précisément,4,3\n"
    f"zoe@example.org,INSA Lyon,{SURVEY_EDITION},pre,Non,2,2\n"
    f"remi@example.org,INSA Lyon,{SURVEY_EDITION},pre,Vaguement,5,5\n"
)
BOF_IN = {"wants_useful": 2, "tech_for_good": 1}  # the "Bof" cells above, by item
BOF_ANSWERS = sum(BOF_IN.values())


def text_of(component) -> str:
    """The words a reader sees in a Dash component tree, spaced as the page spaces them."""
    def words(node):
        if node is None or isinstance(node, (bool, dict)):
            return []
        if isinstance(node, (str, int, float)):
            return [str(node)]
        if isinstance(node, (list, tuple)):
            return [w for child in node for w in words(child)]
        return words(getattr(node, "children", None))

    return " ".join(" ".join(words(component)).split())


def answered(item: str, engine) -> int:
    """The n of the item before the programme, as the awareness page shows it."""
    from dashboard.queries import awareness
    from dashboard.queries.base import STAFF, Filters

    table = awareness.items_table(Filters.of([SURVEY_EDITION]), STAFF, 5, engine)
    return int(table.loc[(table["item"] == item) & (table["analysis"] == "paired"),
                         "n_pre"].iloc[0])


def load_survey(engine, tmp_path) -> None:
    path = tmp_path / "questionnaire-bof.csv"
    path.write_text(SURVEY_WITH_BOF, encoding="utf-8")
    [report] = load_paths([path], engine=engine)
    assert report.status == "loaded", report.message


def test_a_label_set_aside_is_listed_mapped_then_unmapped_from_the_page(client, warehouse,
                                                                        tmp_path):
    from dashboard.pages import data
    from etl import labels

    load_survey(warehouse, tmp_path)
    before = {item: answered(item, warehouse) for item in BOF_IN}
    assert before == {item: 6 - n for item, n in BOF_IN.items()}

    drawn = data.render_labels("?lang=fr", 0, None)
    section = text_of(drawn)
    assert f"« Bof » ({BOF_ANSWERS} réponses)" in section
    assert "Échelle : accord, de 1 à 5" in section
    assert "« wants_useful » (2)" in section and "« tech_for_good » (1)" in section
    assert "Réponse que veut dire « Bof »" in section  # the dropdown's name
    assert "3 – Ni d'accord ni pas d'accord" in str(drawn)  # a step of the dropdown
    assert "Aucun libellé enregistré" in section

    message, changed = data.map_message("Bof", "agreement", "3", "fr", actor=STAFF)

    assert f"{BOF_ANSWERS} réponses relues" in text_of(message) and changed
    assert {item: answered(item, warehouse) for item in BOF_IN} == {
        item: before[item] + n for item, n in BOF_IN.items()}
    [saved] = labels.mappings(warehouse)
    assert (saved["label"], saved["value"], saved["created_by"]) == ("Bof", "3", STAFF)
    drawn = data.render_labels("?lang=fr", changed, None)
    assert "Aucune réponse mise de côté" in text_of(drawn)
    assert ("« Bof » accord, de 1 à 5 3 – Ni d'accord ni pas d'accord staff@example.org"
            in text_of(drawn))  # the saved label's row: label, scale, value, who
    assert "Retirer le libellé « Bof » (accord, de 1 à 5)" in str(drawn)  # its button's name

    message, changed = data.unmap_message("Bof", "agreement", "fr", actor=STAFF)

    assert f"{BOF_ANSWERS} réponses de nouveau mises de côté" in text_of(message) and changed
    assert {item: answered(item, warehouse) for item in BOF_IN} == before
    section = text_of(data.render_labels("?lang=fr", changed, None))
    assert f"« Bof » ({BOF_ANSWERS} réponses)" in section
    assert labels.mappings(warehouse) == []


def test_a_label_is_saved_only_as_a_step_of_its_scale(client, warehouse, tmp_path):
    from dashboard.pages import data
    from dashboard.queries.base import Filters
    from etl import labels

    load_survey(warehouse, tmp_path)

    message, changed = data.map_message("Bof", "agreement", None, "fr", actor=STAFF)
    assert "Choisissez d'abord la réponse" in text_of(message) and changed is dash_no_update()
    message, changed = data.map_message("Bof", "agreement", "7", "en", actor=STAFF)
    assert "\"7\" is not an answer of the agreement, 1 to 5 scale" in text_of(message)
    assert changed is dash_no_update()
    data.map_message("Bof", "agreement", "3", "fr", actor=STAFF)
    message, changed = data.map_message("Bof", "agreement", "4", "fr", actor=STAFF)
    assert "n'a pas été enregistré" in text_of(message) and changed is dash_no_update()
    assert [m["value"] for m in labels.mappings(warehouse)] == ["3"]  # the first one holds
    assert labels.set_aside_count(Filters.of([SURVEY_EDITION])) == 0


def test_an_uploaded_survey_reports_its_answers_set_aside(client):
    from dashboard.pages import data

    state = upload(client, {"questionnaire.csv": SURVEY_WITH_BOF})

    [report] = state["reports"]
    assert (report["status"], report["rows_new"], report["rows_rejected"]) == ("loaded", 6, 0)
    assert report["answers_set_aside"] == BOF_ANSWERS
    assert f"{BOF_ANSWERS} réponses mises de côté" in " ".join(data.report_lines(report, "fr"))


def test_saving_and_removing_a_label_on_sqlite_and_postgresql(app, database_url, tmp_path):
    """The page's save and remove, on each database the warehouse may live in."""
    from dashboard.pages import data

    etl_settings.configure(make_settings(database_url))
    try:
        engine = db.get_engine(database_url)
        migrate.upgrade(engine)
        load_survey(engine, tmp_path)
        before = answered("wants_useful", engine)

        message, _ = data.map_message("bof", "agreement", "2", "fr", actor=STAFF)
        assert f"{BOF_ANSWERS} réponses relues" in text_of(message)  # any case reads "Bof"
        assert answered("wants_useful", engine) == before + BOF_IN["wants_useful"]
        assert "Aucune réponse mise de côté" in text_of(data.render_labels("", 1, None))

        message, _ = data.unmap_message("bof", "agreement", "fr", actor=STAFF)
        assert "« 2 – Plutôt pas d'accord »" in text_of(message)
        assert answered("wants_useful", engine) == before
        assert f"« Bof » ({BOF_ANSWERS} réponses)" in text_of(data.render_labels("", 2, None))
    finally:
        etl_settings.configure(None)


def test_the_page_names_each_step_of_every_scale_in_both_languages():
    from dashboard.pages import data
    from etl import labels

    agreement = [o["label"] for o in data.step_options("agreement", "fr")]
    assert agreement[0] == "1 – Pas du tout d'accord"
    assert agreement[-1] == "5 – Tout à fait d'accord"
    assert [o["label"] for o in data.step_options("knows_ess", "en")] == [
        "No", "Vaguely", "Yes, precisely"]
    recommend = data.step_options("recommend", "fr")
    assert recommend[0]["label"] == "0 – pas du tout probable" and recommend[5]["label"] == "5"
    assert data.step_label("ess_option", "none", "fr") == "Aucune"
    for scale, values in labels.SCALES.items():
        assert [o["value"] for o in data.step_options(scale, "en")] == list(values)


def label_request(app, position: int, step: str | None, keys: list[dict]) -> CallbackRequest:
    """The save button of the label at `position`, as the browser posts its click."""
    button = {"type": ids.DATA_LABEL_SAVE, "index": position}
    dropdown = {"type": ids.DATA_LABEL_STEP, "index": position}
    return CallbackRequest(
        callback_key(app, "save_label"),
        [{"id": ids.DATA_LABELS_RESULT, "property": "children"},
         {"id": ids.DATA_CHANGED, "property": "data"}],
        [[{"id": button, "property": "n_clicks", "value": 1}]],
        [[{"id": dropdown, "property": "value", "value": step}],
         {"id": ids.DATA_LABEL_KEYS, "property": "data", "value": keys},
         {"id": ids.URL, "property": "search", "value": "?lang=fr"}],
        [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"])


def callback_key(app, function_name: str) -> str:
    """The app's key of a callback (Dash suffixes the outputs it shares with a hash)."""
    return next(key for key, entry in app.callback_map.items()
                if getattr(entry.get("callback"), "__name__", None) == function_name)


def test_the_label_callbacks_answer_staff_only_and_record_who_saved(app, client, warehouse,
                                                                   tmp_path):
    from etl import labels

    load_survey(warehouse, tmp_path)
    request = label_request(app, 0, "3", [{"scale": "agreement", "label": "Bof"}])

    forged = request.post(signed_in(app, FUNDER))  # a funder forging the staff's click
    assert forged.status_code == 403
    assert labels.mappings(warehouse) == []

    answer = request.post(client)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert f"{BOF_ANSWERS} réponses relues" in json.dumps(answer.get_json(), ensure_ascii=False)
    [saved] = labels.mappings(warehouse)
    assert saved["created_by"] == STAFF  # the signed-in account, not the browser's say


def test_the_section_speaks_english(client, warehouse, tmp_path):
    from dashboard.pages import data

    lang = "en"
    load_survey(warehouse, tmp_path)
    section = text_of(data.render_labels(f"?lang={lang}", 0, None))
    assert "Answers set aside" in section
    assert f"\"Bof\" ({BOF_ANSWERS} answers)" in section
    assert "Scale: agreement, 1 to 5" in section
    message, _ = data.map_message("Bof", "agreement", "3", lang, actor=STAFF)
    assert f"{BOF_ANSWERS} answers re-read" in text_of(message)
    assert "now reads \"3 – Neither agree nor disagree\"" in text_of(message)

"""The "Données" page in Chromium: a file dropped on the page is loaded, reported and undone.

The file goes through the real path: the file input that assets/upload.js adds to the drop
zone, the multipart POST to /upload with the session's token, the load in the server's thread,
the page polling the job. The test leaves the session's demo warehouse as it found it: it
undoes its own batch through the page (confirming the browser's dialog).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from dashboard import ids
from tests.browser.conftest import choose

pytestmark = pytest.mark.browser

ORGANISATIONS = (
    "org_id,name,legal_form,cause,city,region_code\n"
    "BROWSER-ORG-1,Atelier Numérique Solidaire,association,inclusion,Lyon,84\n"
    "BROWSER-ORG-2,Fondation du Test,fondation,education,Rennes,53\n"
    "BROWSER-ORG-3,Coopérative Sans Forme,pas une forme,emploi,Lille,32\n"
)
FILE_NAME = "organisations-navigateur.csv"


@pytest.fixture
def upload_store(tmp_path, live_settings):
    """Uploads and job states of this test in its own folder (the server runs in-process)."""
    from etl import settings as etl_settings

    etl_settings.configure(live_settings.replace(upload_dir=str(tmp_path / "store")))
    yield tmp_path / "store"
    etl_settings.configure(live_settings)


def test_a_dropped_csv_is_loaded_reported_listed_then_undone(page, tmp_path, upload_store):
    source = tmp_path / FILE_NAME
    source.write_text(ORGANISATIONS, encoding="utf-8")
    page.goto("/donnees")
    expect(page.get_by_role("heading", name="Charger des fichiers")).to_be_visible()
    expect(page.locator(f"#{ids.DATA_SUBMIT}")).to_be_disabled()

    page.set_input_files(f"#{ids.DATA_FILE_INPUT}", str(source))  # what a drop does
    expect(page.locator(f"#{ids.DATA_FILE_LIST}")).to_contain_text(FILE_NAME)
    page.get_by_role("button", name="Charger les fichiers").click()

    report = page.locator(f"#{ids.DATA_JOB}")
    expect(report).to_contain_text("Rapport de chargement", timeout=20_000)
    expect(report).to_contain_text("3 lignes lues")
    expect(report).to_contain_text("2 chargées (2 nouvelles, 0 mise à jour, 0 inchangée)")
    expect(report).to_contain_text("1 rejetée")
    expect(report).to_contain_text("Raisons des rejets : valeur invalide (1)")
    assert "job=" in page.url  # the report is a view: it can be reloaded or sent

    batches = page.locator(f"#{ids.DATA_STATUS}")
    row = batches.locator("tr", has_text=FILE_NAME)
    expect(row).to_contain_text("Chargé")
    expect(row).to_contain_text("Organisations")
    today = dt.date.today().strftime("%d/%m/%Y")
    expect(page.locator(f"#{ids.FRESHNESS_BADGE}")).to_contain_text(today)

    report.get_by_role("link", name="Voir les lignes rejetées").click()
    rejected = page.locator(f"#{ids.DATA_REJECTED}")
    expect(rejected).to_contain_text("Lignes rejetées du lot")
    expect(rejected.locator(".ag-center-cols-container .ag-row")).to_have_count(1)
    expect(rejected).to_contain_text("pas une forme")
    with page.expect_download() as download:
        rejected.get_by_role("link", name="CSV", exact=True).click()
    text = download.value.path().read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("row_number,reason,org_id")
    if os.environ.get("IMPACT_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["IMPACT_SCREENSHOTS"], "donnees.png"),
                        full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Annuler").click()
    expect(page.locator(f"#{ids.DATA_ACTION_RESULT}")).to_contain_text("annulé")
    expect(batches.locator("tr", has_text=FILE_NAME)).to_contain_text("Annulé")
    expect(batches.locator("tr", has_text=FILE_NAME).get_by_role("button")).to_have_count(0)


def test_a_file_over_the_limit_is_refused_before_it_is_sent(page, tmp_path, upload_store,
                                                            live_settings):
    from etl import settings as etl_settings

    etl_settings.configure(live_settings.replace(max_upload_mb=1))
    try:
        big = tmp_path / "enorme.csv"
        big.write_bytes(b"x" * (2 * 1024 * 1024))
        page.goto("/donnees")
        page.set_input_files(f"#{ids.DATA_FILE_INPUT}", str(big))
        page.get_by_role("button", name="Charger les fichiers").click()

        status = page.locator(f"#{ids.DATA_UPLOAD_STATUS}")
        expect(status).to_contain_text("plus que les 1 Mo acceptés par envoi")
        assert "job=" not in page.url
        assert not (upload_store / "jobs").exists()  # nothing was sent
    finally:
        etl_settings.configure(live_settings)


@pytest.fixture
def aliases_copy(tmp_path, monkeypatch, live_settings):
    """The aliases file, copied; afterwards the warehouse's aliases are those of the project."""
    import shutil

    from etl import db, reference

    copy = tmp_path / "school_aliases.csv"
    shutil.copy(reference.ALIASES_CSV, copy)
    monkeypatch.setattr(reference, "ALIASES_CSV", copy)
    yield copy
    monkeypatch.undo()
    reference.sync(db.get_engine(live_settings.database_url))


def test_an_unknown_school_is_named_then_its_rows_rerun(page, tmp_path, upload_store,
                                                        aliases_copy, live_settings):
    from sqlalchemy import select

    from etl import db
    from etl.schema import organisation

    with db.get_engine(live_settings.database_url).connect() as conn:
        org_id = conn.execute(select(organisation.c.org_id).limit(1)).scalar()
    source = tmp_path / "projets-navigateur.csv"
    source.write_text(
        "project_id,title,org_id,school_id,edition,tech_type,status\n"
        f"BROWSER-PRJ-1,Carte des bénévoles,{org_id},INSA Lyon,2025-2026,web_app,selected\n"
        f"BROWSER-PRJ-2,Appli de prêt,{org_id},Centrale Marseile,2025-2026,mobile_app,selected\n",
        encoding="utf-8")
    page.goto("/donnees")
    expect(page.get_by_label("Édition (questionnaires)")).to_be_editable()
    expect(page.get_by_role("group", name="Type de données")).to_be_visible()
    page.set_input_files(f"#{ids.DATA_FILE_INPUT}", str(source))
    page.get_by_role("button", name="Charger les fichiers").click()
    report = page.locator(f"#{ids.DATA_JOB}")
    expect(report).to_contain_text("Raisons des rejets : école inconnue (1)", timeout=20_000)

    report.get_by_role("link", name="Voir les lignes rejetées").click()
    rejected = page.locator(f"#{ids.DATA_REJECTED}")
    expect(rejected).to_contain_text("« Centrale Marseile »")
    if os.environ.get("IMPACT_SCREENSHOTS"):
        rejected.screenshot(path=os.path.join(os.environ["IMPACT_SCREENSHOTS"],
                                              "donnees-rejets.png"))
    choose(page, rejected.get_by_role("button", name="École correspondant à « Centrale Marseile »"),
           "Centrale Méditerranée", close=False)
    rejected.get_by_role("button", name="Ajouter « Centrale Marseile »").click()
    expect(page.locator(f"#{ids.DATA_REJECTED_RESULT}")).to_contain_text(
        "« Centrale Marseile » désigne maintenant Centrale Méditerranée")
    expect(rejected).to_contain_text("reconnu désormais : Centrale Méditerranée")
    assert aliases_copy.read_text(encoding="utf-8").splitlines()[-1] == \
        "Centrale Marseile,centrale-mediterranee"

    rejected.get_by_role("button", name="Relancer 1 ligne").click()
    expect(report).to_contain_text("rejets-du-lot-", timeout=20_000)
    expect(report).to_contain_text("1 chargée (1 nouvelle, 0 mise à jour, 0 inchangée)")
    expect(rejected).to_contain_text("Ce lot n'a aucune ligne rejetée")
    if os.environ.get("IMPACT_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["IMPACT_SCREENSHOTS"], "donnees-alias.png"),
                        full_page=True)

    batches = page.locator(f"#{ids.DATA_STATUS}")
    for name in ("rejets-du-lot-", "projets-navigateur.csv"):  # newest first: the re-run
        page.once("dialog", lambda dialog: dialog.accept())
        batches.locator("tr", has_text=name).get_by_role("button", name="Annuler").click()
        expect(batches.locator("tr", has_text=name)).to_contain_text("Annulé")

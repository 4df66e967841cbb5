"""Answers set aside, in Chromium: staff load a survey with a label no scale knows, say what it
means on the "Données" page, see the figure take the answer in, then take the mapping back.

The survey goes through the page's upload (the file input of assets/upload.js, POST /upload,
the load in the server's thread). The awareness figure's n is read through the query layer the
awareness page draws from. The test leaves the session's demo warehouse as it found it: the
mapping is removed through the page and the batch taken out again.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from dashboard import ids
from tests.browser.test_accessibility import assert_accessible, axe_violations, wait_for_dash

pytestmark = pytest.mark.browser

EDITION = "2024-2025"  # an edition of the demo warehouse
ITEM = "wants_useful"  # an agreement item, asked before the programme
LABEL, SCALE, STEP = "Bof", "agreement", "3"
FILE_NAME = "questionnaire-bof.csv"
# One student of the demo's school answered "Bof" where the agreement scale has no such answer;
# the other items of the response are read.
SURVEY = (
    "email,school,edition,wave,knows_ess,wants_useful,tech_for_good\n"
    f"camille.bof@example.org,INSA Lyon,{EDITION},pre,Vaguement,{LABEL},4\n"
)
SAVE_BUTTON = f"Enregistrer : lire « {LABEL} » comme la réponse choisie (accord, de 1 à 5)"
REMOVE_BUTTON = f"Retirer le libellé « {LABEL} » (accord, de 1 à 5)"


def n_answered(engine) -> int:
    """The n of the item before the programme, as the awareness page shows it to staff."""
    from dashboard.queries import awareness
    from dashboard.queries.base import STAFF, Filters

    table = awareness.items_table(Filters.of([EDITION]), STAFF, 5, engine)
    row = table[(table["item"] == ITEM) & (table["analysis"] == "paired")].iloc[0]
    return int(row["n_pre"])


def set_aside_with_label(engine) -> int:
    from etl import labels

    return sum(r["count"] for r in labels.set_aside_by_label(engine)
               if (r["scale"], r["label"]) == (SCALE, LABEL))


def answers_text(n: int, one: str, other: str) -> str:
    return f"{n} {one if n == 1 else other}"


@pytest.fixture
def warehouse(live_settings):
    from etl import db

    return db.get_engine(live_settings.database_url)


@pytest.fixture
def upload_store(tmp_path, live_settings, warehouse):
    """Uploads and job states of this test in its own folder; afterwards, whatever happened,
    no mapping of the label and no batch of the file are left in the session's warehouse."""
    from sqlalchemy import select

    from etl import labels
    from etl import settings as etl_settings
    from etl.load import unload
    from etl.schema import load_batch

    etl_settings.configure(live_settings.replace(upload_dir=str(tmp_path / "store")))
    yield tmp_path / "store"
    etl_settings.configure(live_settings)
    if any((m["scale"], m["label"]) == (SCALE, LABEL) for m in labels.mappings(warehouse)):
        labels.unmap_label(LABEL, SCALE, actor="tests", engine=warehouse)
    with warehouse.connect() as conn:
        batches = conn.scalars(select(load_batch.c.batch_id).where(
            load_batch.c.file_name == FILE_NAME, load_batch.c.status == "loaded")).all()
    for batch_id in batches:
        unload(batch_id, warehouse)


def choose_by_keyboard(page, text: str, most: int = 12) -> None:
    """In an open dropdown, arrow down to the option `text`, then take it with Enter.

    After each key, wait until the focus has reached an option other than the last one: on a
    busy machine the browser moves it a moment after the key, and reading too early would
    take the list (whose text holds every option) for the option wanted."""
    expect(page.locator(".dash-dropdown-option", has_text=text)).to_be_visible()
    focused_option = """(previous) => {
        const option = document.activeElement && document.activeElement.closest(
            '.dash-dropdown-option');
        return option !== null && option.textContent !== previous ? option.textContent : null;
    }"""
    previous = None
    for _ in range(most):
        page.keyboard.press("ArrowDown")
        previous = page.wait_for_function(focused_option, arg=previous).json_value()
        if text in previous:
            break
    page.keyboard.press("Enter")


def upload_survey(page, tmp_path) -> None:
    source = tmp_path / FILE_NAME
    source.write_text(SURVEY, encoding="utf-8")
    page.goto("/donnees")
    page.set_input_files(f"#{ids.DATA_FILE_INPUT}", str(source))
    page.get_by_role("button", name="Charger les fichiers").click()
    expect(page.locator(f"#{ids.DATA_JOB}")).to_contain_text("1 réponse mise de côté",
                                                              timeout=20_000)


def test_a_label_set_aside_is_mapped_then_unmapped_from_the_page(page, tmp_path, upload_store,
                                                                 warehouse):
    from etl.users import DEMO_EMAIL

    waiting = set_aside_with_label(warehouse) + 1  # the demo's own, and this file's one
    upload_survey(page, tmp_path)
    n_before = n_answered(warehouse)

    section = page.locator(f"#{ids.DATA_LABELS}")
    line = section.get_by_role("listitem").filter(has_text=f"« {LABEL} »")
    expect(line).to_contain_text(f"« {LABEL} » ({answers_text(waiting, 'réponse', 'réponses')})")
    expect(line).to_contain_text("Échelle : accord, de 1 à 5")
    expect(line).to_contain_text(f"« {ITEM} » (1)")

    if os.environ.get("IMPACT_SCREENSHOTS"):
        section.screenshot(path=os.path.join(os.environ["IMPACT_SCREENSHOTS"],
                                             "donnees-reponses-de-cote.png"))
    # From the keyboard: the dropdown, named after the label, then its step, then the button.
    line.get_by_role("button", name=f"Réponse que veut dire « {LABEL} »").focus()
    page.keyboard.press("Enter")
    choose_by_keyboard(page, "3 – Ni d'accord ni pas d'accord")
    expect(line.locator(".data-alias-dropdown")).to_contain_text(
        "3 – Ni d'accord ni pas d'accord")
    page.keyboard.press("Escape")
    line.get_by_role("button", name=SAVE_BUTTON).focus()
    page.keyboard.press("Enter")

    result = page.locator(f"#{ids.DATA_LABELS_RESULT}")
    expect(result).to_contain_text(answers_text(waiting, "réponse relue", "réponses relues"))
    expect(section.get_by_role("listitem").filter(has_text=f"« {LABEL} »")).to_have_count(0)
    saved = section.get_by_role("row").filter(has_text=f"« {LABEL} »")
    expect(saved).to_contain_text("3 – Ni d'accord ni pas d'accord")
    expect(saved).to_contain_text(DEMO_EMAIL)  # who saved it
    assert n_answered(warehouse) == n_before + 1  # the figure takes the answer in
    if os.environ.get("IMPACT_SCREENSHOTS"):
        section.screenshot(path=os.path.join(os.environ["IMPACT_SCREENSHOTS"],
                                             "donnees-libelles.png"))

    saved.get_by_role("button", name=REMOVE_BUTTON).click()
    expect(result).to_contain_text(answers_text(waiting, "réponse de nouveau mise de côté",
                                                "réponses de nouveau mises de côté"))
    expect(section.get_by_role("listitem").filter(has_text=f"« {LABEL} »")).to_contain_text(
        f"({answers_text(waiting, 'réponse', 'réponses')})")
    assert n_answered(warehouse) == n_before


def test_the_section_speaks_english_and_passes_axe(browser, browser_context_args, tmp_path,
                                                   upload_store, warehouse, page):
    """With a label listed (dropdown and button drawn), in English, axe finds nothing
    serious; the page runs in a context that lets axe's script in (see test_accessibility)."""
    from etl.users import DEMO_EMAIL, DEMO_PASSWORD
    from tests.browser.conftest import sign_in

    upload_survey(page, tmp_path)
    context = browser.new_context(**browser_context_args, bypass_csp=True)
    try:
        axe_page = context.new_page()
        sign_in(axe_page, DEMO_EMAIL, DEMO_PASSWORD)
        axe_page.goto("/donnees?lang=en")
        wait_for_dash(axe_page)
        section = axe_page.locator(f"#{ids.DATA_LABELS}")
        expect(section.get_by_role("heading", name="Answers set aside")).to_be_visible()
        expect(section).to_contain_text("Scale: agreement, 1 to 5")
        expect(section.get_by_role("button", name=f"Answer that \"{LABEL}\" means")
               ).to_be_visible()
        assert_accessible("/donnees (answers set aside)", axe_violations(axe_page))
    finally:
        context.close()

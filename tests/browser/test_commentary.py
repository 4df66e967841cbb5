"""Commentary in Chromium: staff write a comment beside the tour map, a funder reads it, the
PDF carries it, and publishing the edition freezes it.

The session's demo warehouse is shared by every browser test: this one works on an edition no
other test reads (2022-2023), with its own funder account (region 84 and that edition only,
removed afterwards), and removes its comment at the end. The publication of 2022-2023 stays
(no other test reads it).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard import ids
from etl import db, users
from etl.users import DEMO_EMAIL, DEMO_PASSWORD
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

EDITION, REGION = "2022-2023", "84"
FUNDER_EMAIL = "fondation-commentaire@example.org"
FUNDER_PASSWORD = "funder-commentary-test"
FIRST = "Une école partenaire a fermé en mars : moins d'événements en Auvergne-Rhône-Alpes."
FIRST_EN = "A partner school closed in March."
LATER = "Texte corrigé après la publication."
LOADED = 30_000
PDF_MS = 90_000  # the first PDF of the process starts Chromium for the charts


def _slot(page, section: str):
    dom_id = json.dumps({"section": section, "type": ids.COMMENTARY_SLOT},
                        separators=(",", ":"))  # how Dash writes a pattern id in the page
    return page.locator(f"[id='{dom_id}']")


def _pdf_text(page, tmp_path: Path, name: str) -> str:
    with page.expect_download(timeout=PDF_MS) as started:
        page.locator(f"#{ids.REPORT_PDF_BUTTON}").click()
    path = tmp_path / name
    started.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.replace("\u2019", "'").split())


def _write(page, section: str, text_fr: str, text_en: str = "") -> None:
    slot = _slot(page, section)
    slot.locator("summary").click()
    slot.locator("textarea").nth(0).fill(text_fr)
    slot.locator("textarea").nth(1).fill(text_en)
    slot.get_by_role("button", name="Enregistrer").click()
    expect(slot.get_by_role("status")).to_have_text("Commentaire enregistré.")


@pytest.fixture
def funder_account(live_settings):
    """A funder of region 84 for 2022-2023, removed afterwards: other tests count the accounts
    of the shared warehouse (the admin page's list)."""
    engine = db.get_engine(live_settings.database_url)
    if users.get_account(engine, FUNDER_EMAIL) is None:
        users.add_account(engine, FUNDER_EMAIL, FUNDER_PASSWORD, "funder",
                          {"regions": [REGION], "editions": [EDITION]}, actor="tests")
    yield FUNDER_EMAIL
    users.remove_account(engine, FUNDER_EMAIL, actor="tests")


def test_staff_comment_reaches_the_funder_the_pdf_and_is_frozen(page, funder_account,
                                                                 tmp_path):
    view = f"?edition={EDITION}&region={REGION}"
    # Staff write the comment of region 84 beside the tour map.
    page.goto(f"/tour{view}")
    expect(page.locator("h1")).to_contain_text("Tour de France", timeout=LOADED)
    _write(page, "tour", FIRST, FIRST_EN)
    expect(_slot(page, "tour").locator(".commentary-item")).to_contain_text(
        "partenaire a fermé en mars")

    # The funder reads it beside the map, in French and in English, without an editor.
    sign_in(page, FUNDER_EMAIL, FUNDER_PASSWORD)
    page.goto(f"/tour?edition={EDITION}")
    slot = _slot(page, "tour")
    expect(slot.locator(".commentary-item")).to_contain_text("partenaire a fermé en mars",
                                                             timeout=LOADED)
    expect(slot.locator(".commentary-editor")).to_have_count(0)
    page.goto(f"/tour?edition={EDITION}&lang=en")
    expect(_slot(page, "tour").locator(".commentary-item")).to_contain_text(FIRST_EN,
                                                                            timeout=LOADED)
    # Its report carries it under the reach section (the PDF too: checked once published).
    page.goto(f"/rapport?edition={EDITION}")
    expect(page.locator(f"#{ids.REPORT_BODY}")).to_contain_text("partenaire a fermé",
                                                                timeout=LOADED)

    # Staff publish the edition, then change the comment.
    sign_in(page, DEMO_EMAIL, DEMO_PASSWORD)
    page.goto(f"/rapport?edition={EDITION}")
    page.locator(f"#{ids.REPORT_PUBLISH_BUTTON}").click(timeout=LOADED)
    expect(page.locator(f"#{ids.REPORT_PUBLISH_STATUS}")).to_contain_text("publi",
                                                                          timeout=LOADED)
    page.goto(f"/tour{view}")
    expect(page.locator("h1")).to_contain_text("Tour de France", timeout=LOADED)
    _write(page, "tour", LATER)
    # Staff's view of the live data shows the live comment.
    page.goto(f"/rapport?edition={EDITION}")
    expect(page.locator(f"#{ids.REPORT_BODY}")).to_contain_text(LATER, timeout=LOADED)

    # The funder's published report still says what was published, on screen and on paper.
    sign_in(page, FUNDER_EMAIL, FUNDER_PASSWORD)
    page.goto(f"/rapport?edition={EDITION}")
    body = page.locator(f"#{ids.REPORT_BODY}")
    expect(body).to_contain_text("partenaire a fermé", timeout=LOADED)
    expect(body).not_to_contain_text(LATER)
    frozen = _pdf_text(page, tmp_path, "published.pdf")
    assert FIRST in frozen and LATER not in frozen
    # ...while the tour page, live, shows the new text.
    page.goto(f"/tour?edition={EDITION}")
    expect(_slot(page, "tour").locator(".commentary-item")).to_contain_text(LATER,
                                                                            timeout=LOADED)

    # Staff remove it: gone from the page (the published report keeps its copy).
    sign_in(page, DEMO_EMAIL, DEMO_PASSWORD)
    page.goto(f"/tour{view}")
    slot = _slot(page, "tour")
    expect(slot.locator(".commentary-item")).to_have_count(1, timeout=LOADED)
    slot.locator("summary").click()
    slot.get_by_role("button", name="Supprimer").click()
    expect(slot.get_by_role("status")).to_have_text("Commentaire supprimé.")
    expect(slot.locator(".commentary-item")).to_have_count(0)

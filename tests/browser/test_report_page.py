"""The page "Rapport" in Chromium: the report of an edition, and its PDF downloaded.

The PDF is rendered on the server for the signed-in account's scope (the demo staff account
here) when the button is clicked; the browser only receives the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard import ids

pytestmark = pytest.mark.browser

EDITION = "2024-2025"
FIRST_DRAW_MS = 30_000
PDF_MS = 90_000  # the first PDF of the process starts Chromium for the charts


def test_the_report_page_shows_the_edition_and_downloads_its_pdf(page):
    page.goto(f"/rapport?edition={EDITION}")
    expect(page.locator("h1")).to_have_text("Rapport", timeout=FIRST_DRAW_MS)
    body = page.locator(f"#{ids.REPORT_BODY}")
    expect(body).to_contain_text(f"Rapport d\u2019impact · Édition {EDITION}",
                                 timeout=FIRST_DRAW_MS)
    expect(page.locator(f"#{ids.REPORT_HEAD}")).to_contain_text(
        "Chiffres en direct, non publiés.")
    expect(body).to_contain_text("Parmi les")  # the paired awareness sentence
    expect(page.locator(f"#{ids.REPORT_PUBLISH_BUTTON}")).to_be_enabled()  # staff

    with page.expect_download(timeout=PDF_MS) as download:
        page.locator(f"#{ids.REPORT_PDF_BUTTON}").click()

    assert download.value.suggested_filename == f"rapport-latitudes-{EDITION}.pdf"
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF")
    expect(page.locator(f"#{ids.REPORT_PDF_STATUS}")).to_have_text("PDF prêt.")


def test_publishing_needs_a_single_edition(page):
    page.goto("/rapport")
    expect(page.locator(f"#{ids.REPORT_BODY}")).to_contain_text(
        "Toutes les éditions", timeout=FIRST_DRAW_MS)
    expect(page.locator(f"#{ids.REPORT_PUBLISH_BUTTON}")).to_be_disabled()
    expect(page.locator(f"#{ids.REPORT_ACTIONS_NOTE}")).to_contain_text(
        "choisissez une seule édition")

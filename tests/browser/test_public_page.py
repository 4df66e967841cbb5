"""The public impact page in Chromium: drawn without a session, in French then English, no
serious axe violation, no horizontal scroll on a 390 px wide phone, and framed only by the
sites of IMPACT_EMBED_ORIGINS.

The session's demo warehouse gets one publication for the public audience only (the other
browser tests read the staff's and accounts' reports, which it leaves unpublished).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from dashboard.public import audience
from etl import settings as etl_settings
from tests.browser.test_accessibility import (  # noqa: F401 - axe_page is a fixture
    assert_accessible,
    axe_page,
    axe_violations,
)

pytestmark = pytest.mark.browser

EDITION = "2024-2025"


@pytest.fixture(scope="module")
def published(live_settings):
    from etl.db import get_engine

    etl_settings.configure(live_settings)
    audience.publish(EDITION, actor="tests", engine=get_engine())
    return EDITION


def test_the_page_renders_without_a_session_and_switches_language(anonymous_page, published):
    page = anonymous_page
    page.goto("/public")
    expect(page.locator("h1")).to_have_text("Notre impact")
    expect(page.get_by_role("heading", name=f"Édition {EDITION}", exact=True)).to_be_visible()
    expect(page.locator(".public-kpi").first).to_be_visible()
    expect(page.get_by_role("img", name=f"Événements par région, édition {EDITION}")) \
        .to_be_visible()
    expect(page.locator(".public-table tbody tr").first).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{page.url.split('/public')[0]}/public?lang=en")
    expect(page.locator("h1")).to_have_text("Our impact")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("link", name="Français").click()
    expect(page.locator("h1")).to_have_text("Notre impact")


def test_the_page_passes_axe(axe_page, published):  # noqa: F811
    for url in ("/public", "/public?lang=en"):
        axe_page.goto(url)
        expect(axe_page.locator("h1")).to_be_visible()
        assert_accessible(url, axe_violations(axe_page))


def test_a_phone_390_px_wide_scrolls_only_down(browser, browser_context_args, published):
    context = browser.new_context(**{**browser_context_args,
                                     "viewport": {"width": 390, "height": 844}})
    page = context.new_page()
    try:
        page.goto("/public")
        expect(page.locator("h1")).to_be_visible()
        widths = page.evaluate("[document.documentElement.scrollWidth, "
                               "document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in {widths[1]} px"
    finally:
        context.close()


# ---- framing -----------------------------------------------------------------------------------

@pytest.fixture
def other_site(live_server):
    """Another origin (another port) whose page frames /public."""
    target = f"{live_server}/public"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            body = (f'<!DOCTYPE html><html lang="fr"><title>Association</title>'
                    f'<iframe src="{target}" title="impact" width="800" height="600">'
                    "</iframe></html>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def framed_heading(browser, url: str) -> int:
    """How many "Notre impact" headings the framed page shows (0: the frame was refused)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_load_state("load")
        frame = page.frame_locator("iframe")
        try:
            expect(frame.locator("h1")).to_have_text("Notre impact", timeout=3000)
        except AssertionError:
            return 0
        return 1
    finally:
        context.close()


def test_only_the_listed_sites_may_frame_the_page(browser, live_settings, other_site,
                                                  published):
    assert framed_heading(browser, other_site) == 0  # no IMPACT_EMBED_ORIGINS: refused
    etl_settings.configure(live_settings.replace(embed_origins=other_site))
    try:
        assert framed_heading(browser, other_site) == 1
        etl_settings.configure(live_settings.replace(embed_origins="https://www.example.org"))
        assert framed_heading(browser, other_site) == 0
    finally:
        etl_settings.configure(live_settings)

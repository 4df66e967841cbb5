"""The dashboard on a phone (390 x 844) and a tablet (768 x 1024), in Chromium.

On every page, signed in as an admin (every page a staff member sees, and the accounts page),
a funder and a school, and on the sign-in page: nothing is wider than the screen (the page
never scrolls sideways) and every chart fits its screen; the admin's pages are drawn on a
tablet first, then narrowed to a phone (the charts follow). Under 992 px the header's links fold
behind "Menu" and the filters behind "Filtres"; a wide table scrolls inside its card, from the
keyboard too. At 1366 px nothing is folded.

Each test opens its own browser context at the test's size. A page that a role may not open
answers 403 (the browser logs that as a console error): only uncaught exceptions fail here.
Set IMPACT_SCREENSHOTS to a folder to keep a screenshot of each page at 390 px.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from dashboard import ids
from etl import db, users
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in
from tests.browser.test_accessibility import PAGES, wait_for_dash

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1366, "height": 900}
PASSWORD = "phone-layout-password"
ACCOUNTS = {  # role: (e-mail, scope); the admin comes from conftest
    "funder": ("funder.phone@example.org", {"regions": ["11"], "editions": ["2025-2026"]}),
    "school": ("school.phone@example.org", {"schools": ["insa-lyon"]}),
}

WIDTHS = """() => {
    const s = document.scrollingElement;
    const plots = [...document.querySelectorAll('.js-plotly-plot .main-svg')]
        .map(svg => Math.round(svg.getBoundingClientRect().width));
    return {scroll: s.scrollWidth, client: s.clientWidth, widestChart: Math.max(0, ...plots)};
}"""


@pytest.fixture(scope="module")
def logins(live_settings) -> dict[str, tuple[str, str]]:
    engine = db.get_engine(live_settings.database_url)
    for role, (email, scope) in ACCOUNTS.items():
        if users.get_account(engine, email) is None:
            users.add_account(engine, email, PASSWORD, role, scope, actor="tests")
    return {"admin": (ADMIN_EMAIL, ADMIN_PASSWORD),
            **{role: (email, PASSWORD) for role, (email, _scope) in ACCOUNTS.items()}}


@pytest.fixture
def sized(browser, browser_context_args, browser_log, live_settings):
    """`sized(viewport)`: a new page of that size, in a context of its own."""
    contexts = []

    def open_page(viewport: dict):
        context = browser.new_context(**{**browser_context_args, "viewport": viewport})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: browser_log.errors.append(f"uncaught: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not browser_log.errors, browser_log.errors


def open_drawn(page, path: str) -> int:
    """Open `path`; wait for the page and its callbacks when the account may see it."""
    status = page.goto(path).status
    if status == 200:
        wait_for_dash(page)
    return status


def too_wide(page, label: str) -> list[str]:
    widths = page.evaluate(WIDTHS)
    problems = []
    if widths["scroll"] > widths["client"]:
        problems.append(f"{label}: the page is {widths['scroll']} px wide on a "
                        f"{widths['client']} px screen")
    if widths["widestChart"] > widths["client"]:
        problems.append(f"{label}: a chart is {widths['widestChart']} px wide")
    return problems


def screenshot(page, name: str) -> None:
    if os.environ.get("IMPACT_SCREENSHOTS"):
        page.wait_for_timeout(400)  # a menu or the filters may still be unfolding
        page.screenshot(path=os.path.join(os.environ["IMPACT_SCREENSHOTS"], f"{name}.png"))


CHARTS_FIT = """(width) => [...document.querySelectorAll('.js-plotly-plot .main-svg')]
    .every(svg => svg.getBoundingClientRect().width <= width)"""


def test_no_page_scrolls_sideways_on_a_tablet_then_a_phone(sized, logins):
    """As an admin (every page): drawn on a tablet, then the same page turned into a phone's
    width: the layout follows and the charts shrink with their cards."""
    page = sized(TABLET)
    sign_in(page, *logins["admin"])
    problems = []
    for path in PAGES:
        page.set_viewport_size(TABLET)
        open_drawn(page, path)
        problems += too_wide(page, f"tablet {path}")
        page.set_viewport_size(PHONE)
        page.wait_for_function(CHARTS_FIT, arg=PHONE["width"], timeout=10_000)
        problems += too_wide(page, f"phone {path}")
        screenshot(page, f"phone-admin{path.replace('/', '-')}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["funder", "school"])
def test_no_page_scrolls_sideways_on_a_phone(sized, logins, role):
    """Every page, the ones the role may not open (403) included."""
    page = sized(PHONE)
    sign_in(page, *logins[role])
    problems = []
    for path in PAGES:
        status = open_drawn(page, path)
        problems += too_wide(page, f"{role} {path} ({status})")
        screenshot(page, f"phone-{role}{path.replace('/', '-')}")
    assert not problems, "\n".join(problems)


def test_the_sign_in_page_fits_a_phone(sized):
    page = sized(PHONE)
    page.goto("/login")
    expect(page.get_by_label("Adresse e-mail")).to_be_visible()
    assert not too_wide(page, "/login")


def test_the_menu_folds_on_a_phone_and_opens_with_its_button(sized, logins):
    page = sized(PHONE)
    sign_in(page, *logins["admin"])
    open_drawn(page, "/")
    menu = page.locator(f"#{ids.NAV_TOGGLE}")
    tour_link = page.locator(f"#{ids.NAV_LINKS}").get_by_role("link", name="Tour de France")
    logout = page.get_by_role("button", name="Se déconnecter")
    expect(tour_link).to_be_hidden()
    expect(logout).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    # The folded header leaves the first screen to the page.
    assert page.locator("header.app-header").bounding_box()["height"] < 100

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(tour_link).to_be_visible()
    expect(logout).to_be_visible()  # the account menu is whole, not cut off
    box = logout.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert not too_wide(page, "/ with the menu open")
    screenshot(page, "phone-menu-open")

    tour_link.click()  # following a link closes the menu
    expect(page).to_have_url(re.compile(r"/tour$"))
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(tour_link).to_be_hidden()


def test_the_filters_fold_on_a_phone_and_still_filter(sized, logins):
    """In English: the button's label follows the language like the rest of the shell."""
    page = sized(PHONE)
    sign_in(page, *logins["admin"])
    open_drawn(page, "/tour?lang=en")
    toggle = page.get_by_role("button", name="Filters")  # in the view's language
    editions = page.locator(f"#{ids.FILTER_EDITION}")
    expect(editions).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(editions).to_be_visible()
    editions.click()
    page.get_by_role("option", name="2025-2026").click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"[?&]edition=2025-2026"))
    assert not too_wide(page, "/tour with the filters open")
    screenshot(page, "phone-filters-open")

    toggle.click()
    expect(editions).to_be_hidden()


def test_a_wide_table_scrolls_inside_its_card_from_the_keyboard(sized, logins):
    page = sized(PHONE)
    sign_in(page, *logins["admin"])
    open_drawn(page, "/rapport")
    region = page.locator(".table-responsive[role='region']").first
    sizes = region.evaluate("r => ({scroll: r.scrollWidth, client: r.clientWidth})")
    assert sizes["scroll"] > sizes["client"], "the report's table fits: nothing to scroll"
    assert not too_wide(page, "/rapport")

    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    expect(region).not_to_have_js_property("scrollLeft", 0)


def test_nothing_is_folded_on_a_wide_screen(sized, logins):
    page = sized(DESKTOP)
    sign_in(page, *logins["admin"])
    open_drawn(page, "/")
    expect(page.locator(f"#{ids.NAV_TOGGLE}")).to_be_hidden()
    expect(page.locator(f"#{ids.FILTER_TOGGLE}")).to_be_hidden()
    expect(page.locator(f"#{ids.NAV_LINKS}").get_by_role("link", name="Tour de France")) \
        .to_be_visible()
    expect(page.locator(f"#{ids.FILTER_EDITION}")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

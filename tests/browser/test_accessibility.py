"""Accessibility in Chromium: axe-core on every page, the keyboard, and visible focus.

axe-core is vendored (tests/browser/axe/, see its README) and injected into the page with
`add_script_tag(path=...)`; the pages are those of `dash.page_registry` (every page an admin
can open; those a funder and a school account may open, as them) and the sign-in page, the
whole document audited (nothing excluded, Dash's own widgets included). A serious or critical
violation fails the test; the minor and moderate ones are printed. Injecting a script tag
needs the content security policy bypassed, so these pages run in a context of their own
(`bypass_csp`); the other browser tests run under the policy and fail on any console error,
a blocked script included.
"""

from __future__ import annotations

import re
from pathlib import Path

import dash
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from dashboard import auth, ids
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).with_name("axe") / "axe.min.js"
BLOCKING = ("serious", "critical")


def _registry_pages() -> list[dict]:
    from dashboard.app import server  # noqa: F401 - creating the app fills the registry

    return sorted((page for page in dash.page_registry.values()
                   if not page.get("path_template")), key=lambda page: page["path"])


PAGES = [page["path"] for page in _registry_pages()]
SCOPED = {  # role: (e-mail, scope) of the accounts audited besides the admin
    "funder": ("funder.axe@example.org", {"regions": ["11"], "editions": ["2025-2026"]}),
    "school": ("school.axe@example.org", {"schools": ["insa-lyon"]}),
}
SCOPED_PASSWORD = "axe-audit-password"
ROLE_PAGES = [(role, page["path"]) for role in SCOPED for page in _registry_pages()
              if role in auth.page_roles(page)]


@pytest.fixture
def axe_page(browser, browser_context_args, browser_log, live_settings):
    context = browser.new_context(**browser_context_args, bypass_csp=True)
    page = context.new_page()
    page.on("pageerror", lambda error: browser_log.errors.append(f"uncaught: {error}"))
    yield page
    context.close()
    assert not browser_log.errors, browser_log.errors


def wait_for_dash(page) -> None:
    """The page router has drawn the page and no callback is running."""
    page.wait_for_function("() => { const c = document.getElementById('_pages_content');"
                           " return c && c.children.length > 0; }")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-dash-is-loading='true']")).to_have_count(0, timeout=30_000)
    # A data grid draws its header cells and rows after Dash has finished: audit the grid a
    # person sees, not the empty frame of its first instant.
    page.wait_for_function("""() => [...document.querySelectorAll('.ag-root-wrapper')].every(
        g => g.querySelector('.ag-header-cell') &&
             (g.querySelector('.ag-row .ag-cell') || g.querySelector('.ag-overlay-no-rows-center')))""")


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const found = await axe.run(document, {resultTypes: ['violations']});
        return found.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +
                                              n.failureSummary.replace(/\\n/g, ' '))}));
    }""")
    return result


def report(path: str, violations: list[dict]) -> str:
    return "\n".join(f"{path}: [{v['impact']}] {v['id']}: {v['help']}\n    " +
                     "\n    ".join(v["nodes"]) for v in violations)


def assert_accessible(path: str, violations: list[dict]) -> None:
    minor = [v for v in violations if v["impact"] not in BLOCKING]
    if minor:
        print(report(path, minor))
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, "axe found serious or critical violations:\n" + report(path, blocking)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_passes_axe(axe_page, path):
    sign_in(axe_page, ADMIN_EMAIL, ADMIN_PASSWORD)
    axe_page.goto(path)
    wait_for_dash(axe_page)
    assert_accessible(path, axe_violations(axe_page))


@pytest.fixture(scope="module")
def scoped_accounts(live_settings) -> None:
    from etl import db, users

    engine = db.get_engine(live_settings.database_url)
    for role, (email, scope) in SCOPED.items():
        if users.get_account(engine, email) is None:
            users.add_account(engine, email, SCOPED_PASSWORD, role, scope, actor="tests")


@pytest.mark.parametrize(("role", "path"), ROLE_PAGES)
def test_every_page_passes_axe_as_a_scoped_account(axe_page, scoped_accounts, role, path):
    sign_in(axe_page, SCOPED[role][0], SCOPED_PASSWORD)
    axe_page.goto(path)
    wait_for_dash(axe_page)
    assert_accessible(f"{path} as {role}", axe_violations(axe_page))


def test_the_phone_layout_passes_axe_with_its_menu_and_filters_open(axe_page):
    """At 390 px: the folded header and filters, opened; the projects grid scrolls sideways
    inside its card there."""
    sign_in(axe_page, ADMIN_EMAIL, ADMIN_PASSWORD)
    axe_page.set_viewport_size({"width": 390, "height": 844})
    axe_page.goto("/resultats")
    wait_for_dash(axe_page)
    assert_accessible("/resultats (phone, folded)", axe_violations(axe_page))
    for toggle in (ids.NAV_TOGGLE, ids.FILTER_TOGGLE):
        axe_page.locator(f"#{toggle}").click()
        expect(axe_page.locator(f"#{toggle}")).to_have_attribute("aria-expanded", "true")
    axe_page.wait_for_timeout(400)  # the collapse has finished unfolding
    assert_accessible("/resultats (phone, open)", axe_violations(axe_page))


@pytest.mark.parametrize("path", ["/admin", "/donnees", "/rapport", "/sensibilisation"])
def test_pages_with_wide_tables_pass_axe_on_a_phone(axe_page, path):
    """At 390 px their tables scroll inside their cards: each scroll region is reachable."""
    sign_in(axe_page, ADMIN_EMAIL, ADMIN_PASSWORD)
    axe_page.set_viewport_size({"width": 390, "height": 844})
    axe_page.goto(path)
    wait_for_dash(axe_page)
    assert_accessible(f"{path} (phone)", axe_violations(axe_page))


def test_the_sign_in_page_passes_axe_with_and_without_an_error(axe_page):
    axe_page.goto("/login")
    assert_accessible("/login", axe_violations(axe_page))
    axe_page.get_by_label("Adresse e-mail").fill("nobody@example.org")
    axe_page.get_by_label("Mot de passe").fill("wrong-password")
    axe_page.get_by_role("button", name="Se connecter").click()
    expect(axe_page.get_by_role("alert")).to_be_visible()
    assert_accessible("/login (error)", axe_violations(axe_page))


def test_the_access_denied_page_passes_axe(axe_page):
    sign_in(axe_page, ADMIN_EMAIL, ADMIN_PASSWORD)  # then another account's denied page
    from etl.users import DEMO_EMAIL, DEMO_PASSWORD

    sign_in(axe_page, DEMO_EMAIL, DEMO_PASSWORD)
    axe_page.goto("/admin")
    expect(axe_page.locator("h1")).to_have_text("Accès refusé.")
    assert_accessible("/admin (403)", axe_violations(axe_page))


# ---- the keyboard ----

FOCUS_STATE = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    return {id: e.id || '', tag: e.tagName, text: (e.innerText || e.value || '').slice(0, 40),
            visible: outline || shadow, inForm: !!e.closest('form')};
}"""


def tab_through(page, presses: int) -> list[dict]:
    stops = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS_STATE))
    return stops


def test_the_keyboard_reaches_every_control_with_a_visible_focus(page):
    page.goto("/")
    wait_for_dash(page)
    stops = tab_through(page, 30)
    reached = {stop["id"] for stop in stops}
    assert stops[0]["id"] == ids.SKIP_LINK, "the skip link comes first"
    for control in (ids.FILTER_EDITION, ids.FILTER_SCHOOL, ids.FILTER_REGION, ids.FILTER_RESET,
                    auth.LOGOUT_BUTTON, "_dbcprivate_radioitems_lang-switch_input_en"):
        assert control in reached, f"Tab never reaches #{control}: {stops}"
    assert "Voir le tableau" in {stop["text"] for stop in stops}
    hidden = [s for s in stops if not s["visible"] and s["tag"] != "BODY"]
    assert not hidden, f"focus not visible on: {hidden}"


def test_the_sign_in_form_works_from_the_keyboard(anonymous_page):
    from etl.users import DEMO_EMAIL, DEMO_PASSWORD

    page = anonymous_page
    page.goto("/login")
    expect(page.get_by_label("Adresse e-mail")).to_be_focused()
    page.keyboard.type(DEMO_EMAIL)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator(f"#{auth.ACCOUNT_EMAIL}")).to_contain_text(DEMO_EMAIL)


FOCUS_ON = f"""(selector) => ({{...({FOCUS_STATE})(),
    matches: document.activeElement.matches(selector)}})"""


MARK_FOCUS = "() => { window.__focusBeforeKey = document.activeElement; }"
FOCUS_MOVED = "() => document.activeElement !== window.__focusBeforeKey"


def tab_to(page, selector: str, key: str = "Tab", presses: int = 150) -> list[dict]:
    """Press `key` (Tab, Shift+Tab) until the focus is on `selector`; every stop on the way
    shows its focus."""
    stops = []
    for _ in range(presses):
        page.evaluate(MARK_FOCUS)
        page.keyboard.press(key)
        try:  # a busy browser moves the focus a moment after the key: read it once moved
            page.wait_for_function(FOCUS_MOVED, timeout=2_000)
        except PlaywrightTimeoutError:
            pass  # it stayed where it was: read it as it is
        stop = page.evaluate(FOCUS_ON, selector)
        stops.append(stop)
        assert stop["visible"] or stop["tag"] == "BODY", f"focus not visible on: {stop}"
        if stop["matches"]:
            return stops
    raise AssertionError(f"{key} never reaches {selector}: "
                         f"{[s['id'] or s['text'] for s in stops]}")


def pattern(type_: str, **keys: str) -> str:
    """A CSS selector of a pattern-matching id ({"type": ..., key: value})."""
    return "".join(f"[id*='\"{key}\":\"{value}\"']" for key, value in
                   {**keys, "type": type_}.items())


def test_filter_measure_download_and_tab_flow_from_the_keyboard_alone(page):
    """A filter, a map measure, a download, a page change and a breakdown tab: Tab, Enter,
    the arrows and Escape only, the focus visible at every stop."""
    page.goto("/tour")
    wait_for_dash(page)

    tab_to(page, f"#{ids.FILTER_EDITION}")
    page.keyboard.press("Enter")  # opens the list, the focus in its search box
    expect(page.locator(".dash-dropdown-search")).to_be_focused()
    page.keyboard.press("ArrowDown")  # the first edition
    expect(page.locator(".dash-options-list-option-checkbox").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".dash-options-list-option-checkbox").first).to_be_checked()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"[?&]edition=\d{4}-\d{4}"))
    expect(page.locator(f"#{ids.FILTER_EDITION}")).to_be_focused()

    measure = pattern(ids.TOUR_MEASURE, measure="attendees")
    tab_to(page, measure)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]measure=attendees"))
    expect(page.locator(measure)).to_have_attribute("aria-checked", "true")
    expect(page.locator(measure)).to_be_focused()  # the map redrawn, the focus kept

    tab_to(page, pattern(ids.TOUR_EXPORT, format="csv"))
    with page.expect_download(timeout=30_000) as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".csv")

    tab_to(page, "a.nav-link[href^='/sensibilisation']", key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sensibilisation\?edition="))
    wait_for_dash(page)
    region_tab = pattern(ids.AWARENESS_TAB, tab="region")
    tab_to(page, region_tab)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]tab=region"))
    expect(page.locator(region_tab)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(region_tab)).to_be_focused()

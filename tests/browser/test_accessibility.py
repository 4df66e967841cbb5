"""Accessibility in Chromium: axe-core on every page, the keyboard, and visible focus.

axe-core is vendored (tests/browser/axe/, see its README) and injected into the page with
`add_script_tag(path=...)`; the pages are those of `dash.page_registry` (every page an admin
can open) and the sign-in page. A serious or critical violation fails the test; the minor and
moderate ones are printed. Injecting a script tag needs the content security policy bypassed,
so these pages run in a context of their own (`bypass_csp`); the other browser tests run under
the policy and fail on any console error, a blocked script included.
"""

from __future__ import annotations

from pathlib import Path

import dash
import pytest
from playwright.sync_api import expect

from dashboard import auth, ids
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).with_name("axe") / "axe.min.js"
BLOCKING = ("serious", "critical")


def _registry_paths() -> list[str]:
    from dashboard.app import server  # noqa: F401 - creating the app fills the registry

    return sorted(page["path"] for page in dash.page_registry.values()
                  if not page.get("path_template"))


PAGES = _registry_paths()


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


# Dash 4's dcc.Dropdown puts an invisible, aria-hidden input before its button, with
# tabindex 0, only to pass the focus on to the button (which has the label) as soon as it gets
# it: axe reports it as "aria-hidden-focus" (serious) on every dropdown. It is Dash's own
# markup, not ours; the keyboard test below checks that Tab lands on the labelled button.
NOT_OURS = [[".dash-dropdown-focus-target"]]


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async (exclude) => {
        const found = await axe.run({include: [['html']], exclude: exclude},
                                    {resultTypes: ['violations']});
        return found.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +
                                              n.failureSummary.replace(/\\n/g, ' '))}));
    }""", NOT_OURS)
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

"""Sessions end on the server, in Chromium: a second browser holding a copy of the session cookie
is sent back to the sign-in page once the first signs out, or once an admin ends the account's
sessions from the "Comptes" page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dashboard import auth
from etl import users
from etl.db import get_engine
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, choose, sign_in

pytestmark = pytest.mark.browser

EMAIL = "sessions.browser@example.org"
PASSWORD = "a-browser-password"


@pytest.fixture
def account(live_settings):
    engine = get_engine(live_settings.database_url)  # whatever other modules configured
    users.add_account(engine, EMAIL, PASSWORD, "staff", actor="tests")
    yield EMAIL
    users.remove_account(engine, EMAIL, actor="tests")


@pytest.fixture
def thief(browser, live_server):
    """`thief(page)`: a page of another browser holding a copy of the page's cookies."""
    contexts = []

    def steal(page):
        context = browser.new_context(base_url=live_server, locale="fr-FR")
        context.add_cookies(page.context.cookies())
        contexts.append(context)
        return context.new_page()
    yield steal
    for context in contexts:
        context.close()


def test_a_copied_cookie_opens_nothing_after_sign_out(page, account, thief):
    sign_in(page, EMAIL, PASSWORD)
    page.goto("/")
    expect(page.locator(f"#{auth.ACCOUNT_EMAIL}")).to_contain_text(EMAIL)
    copy = thief(page)
    copy.goto("/")
    expect(copy.locator(f"#{auth.ACCOUNT_EMAIL}")).to_contain_text(EMAIL)  # the copy works

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/login\?bye=1$"))

    copy.goto("/tour")
    expect(copy).to_have_url(re.compile(r"/login\?next=/tour$"))
    assert copy.request.get("/_dash-layout").status == 401


def test_an_admin_ends_the_sessions_of_an_account(page, account, thief):
    sign_in(page, EMAIL, PASSWORD)
    victim = thief(page)  # the account's own browser, signed in
    victim.goto("/")
    expect(victim.locator(f"#{auth.ACCOUNT_EMAIL}")).to_contain_text(EMAIL)

    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/admin")
    expect(page.locator("#admin-accounts")).to_contain_text(EMAIL)  # the page has settled
    # Typed as a person with many accounts would: the list narrows to the one option.
    choose(page, "#admin-edit-account", EMAIL, search=True)
    page.locator("#admin-edit-account").click()  # the menu speaks the page's language
    expect(page.locator(".dash-dropdown-search")).to_have_attribute("placeholder", "Rechercher…")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Fermer ses sessions").click()
    expect(page.locator("#admin-edit-status")).to_have_text(
        f"Sessions ouvertes de {EMAIL} fermées : 1.")

    victim.goto("/")
    expect(victim).to_have_url(re.compile(r"/login\?next=/$"))

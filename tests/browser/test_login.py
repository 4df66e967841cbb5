"""Signing in and out in Chromium: the form, the generic error, the way back to the page asked.

The served app requires a session like production; `anonymous_page` has none.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dashboard import auth, ids
from etl.users import DEMO_EMAIL, DEMO_PASSWORD
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, choose, sign_in

pytestmark = pytest.mark.browser


def fill_form(page, email: str, password: str) -> None:
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_signing_in_through_the_form_opens_the_overview(anonymous_page):
    page = anonymous_page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()

    fill_form(page, DEMO_EMAIL, DEMO_PASSWORD)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(f"#{ids.kpi('projects')} .kpi-value")).not_to_be_empty()
    expect(page.locator(f"#{auth.ACCOUNT_EMAIL}")).to_contain_text(DEMO_EMAIL)


def test_a_bad_password_gets_the_generic_message_and_no_session(anonymous_page):
    page = anonymous_page
    page.goto("/login")
    fill_form(page, DEMO_EMAIL, "not-the-password")

    alert = page.get_by_role("alert")
    expect(alert).to_have_text("E-mail ou mot de passe incorrect")
    expect(page.get_by_label("Adresse e-mail")).to_have_value(DEMO_EMAIL)
    expect(page.get_by_label("Mot de passe")).to_have_value("")

    fill_form(page, "nobody@example.org", "not-the-password")  # no such account: same words
    expect(page.get_by_role("alert")).to_have_text("E-mail ou mot de passe incorrect")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_the_form_brings_the_user_back_to_the_page_asked_in_english(anonymous_page):
    page = anonymous_page
    page.goto("/?edition=2024-2025")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("E-mail address").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/\?edition=2024-2025&lang=en$"))
    expect(page.locator(f"#{auth.LOGOUT_BUTTON}")).to_have_text("Sign out")


def test_signing_out_ends_the_session(page):
    page.goto("/")
    expect(page.locator(f"#{auth.ACCOUNT_EMAIL}")).to_contain_text(DEMO_EMAIL)

    page.get_by_role("button", name="Se déconnecter").click()

    expect(page).to_have_url(re.compile(r"/login\?bye=1$"))
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté.")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    assert page.request.get("/_dash-layout").status == 401


def test_the_navbar_shows_accounts_to_admins_only(page):
    page.goto("/")
    nav = page.locator(f"#{ids.NAV_LINKS}")
    expect(nav).to_contain_text("Vue d'ensemble")
    expect(nav).not_to_contain_text("Comptes")
    assert page.request.get("/admin").status == 403

    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/admin")
    expect(nav).to_contain_text("Comptes")
    expect(page.get_by_role("heading", name="Comptes existants")).to_be_visible()
    expect(page.locator("#admin-accounts")).to_contain_text(DEMO_EMAIL)


def test_an_admin_creates_and_disables_an_account_from_the_page(page):
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto("/admin")
    page.get_by_label("Adresse e-mail").fill("financeur.browser@example.org")
    page.get_by_label("Mot de passe (10 caractères au moins)").fill("un-mot-de-passe-long")
    expect(page.locator("#admin-accounts")).to_contain_text(DEMO_EMAIL)  # the page has settled
    choose(page, "#admin-new-regions", "Bretagne")
    page.get_by_role("button", name="Créer le compte").click()

    expect(page.locator("#admin-create-status")).to_have_text(
        "Compte financeur.browser@example.org créé.")
    table = page.locator("#admin-accounts")
    expect(table).to_contain_text("financeur.browser@example.org")
    expect(table).to_contain_text("régions Bretagne")

    choose(page, "#admin-edit-account", "financeur.browser@example.org", search=True)
    page.get_by_role("button", name="Désactiver ou réactiver").click()
    expect(page.locator("#admin-edit-status")).to_have_text(
        "Compte financeur.browser@example.org désactivé.")


def test_a_page_whose_session_ended_goes_to_the_sign_in_page(page, browser_log):
    page.goto("/?edition=2024-2025")
    expect(page.locator(f"#{auth.ACCOUNT_EMAIL}")).to_contain_text(DEMO_EMAIL)
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()  # signed out elsewhere, or expired

    page.locator(f"#{ids.FILTER_RESET}").click()  # the next callback gets 401

    expect(page).to_have_url(re.compile(r"/login\?next=%2F%3Fedition%3D2024-2025$"))
    browser_log.errors[:] = [e for e in browser_log.errors if "401" not in e]  # expected
    fill_form(page, DEMO_EMAIL, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/\?edition=2024-2025$"))

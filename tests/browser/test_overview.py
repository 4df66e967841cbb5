"""The overview page and the shell: filters in the URL, reload, language, table view.

The browser tests check what only a browser shows (the URL, the DOM after callbacks); the
values they expect come from the query layer on the same warehouse. The shell's URL logic is
tested first as plain functions.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dashboard import ids
from dashboard.i18n import fmt_int
from dashboard.queries.base import STAFF, Filters
from tests.browser.conftest import choose

# ---- the shell's URL <-> controls logic, as plain functions ----


def test_controls_from_search_reads_filters_and_language():
    from dashboard.app import controls_from_search

    editions, schools, regions, lang = controls_from_search(
        "?edition=2025-2026,2024-2025&school=insa-lyon&region=84&lang=en&tab=paired")
    assert (editions, schools, regions, lang) == (["2024-2025", "2025-2026"], ["insa-lyon"],
                                                  ["84"], "en")
    assert controls_from_search(None) == ([], [], [], "fr")


def test_controls_from_search_drops_values_the_dropdowns_do_not_offer():
    from dashboard.app import controls_from_search

    options = {"edition": [{"label": "2024-2025", "value": "2024-2025"}], "school": [],
               "region": [{"label": "Bretagne", "value": "53"}]}
    assert controls_from_search("?edition=1999-2000,2024-2025&region=53", options)[:3] == \
        (["2024-2025"], [], ["53"])


def test_search_from_controls_keeps_other_parameters_and_readable_commas():
    from dashboard.app import search_from_controls

    search = search_from_controls("?tab=paired&edition=2020-2021", ["2024-2025", "2025-2026"],
                                  [], ["84"], "en")
    assert search == "?tab=paired&edition=2024-2025,2025-2026&region=84&lang=en"
    assert search_from_controls(search, [], [], [], "fr") == "?tab=paired"  # fr: the default


def test_shell_texts_follow_the_language():
    from dashboard.app import create_app, shell_texts

    create_app()  # registers the pages the navbar lists
    state = {"as_of": "2026-11-23T16:13:35", "is_demo": True, "ok": True}
    english = shell_texts("?lang=en", "/", state)
    assert english["lang_store"] == {"lang": "en", "title": "Overview · Latitudes Impact"}
    assert english["edition_label"] == "Editions"
    assert "Data as of 23 Nov 2026" in str(english["freshness"])
    french = shell_texts("", "/", state)
    assert french["lang_store"]["lang"] == "fr"
    assert "Données au 23/11/2026" in str(french["freshness"])
    assert "Données de démonstration" in str(french["demo"])


def _rendered_text(component) -> str:
    """Every string of a Dash component tree, in order."""
    if isinstance(component, (list, tuple)):
        return " ".join(_rendered_text(c) for c in component)
    if isinstance(component, str):
        return component
    children = getattr(component, "children", None)
    return "" if children is None else _rendered_text(children)


HEADLINE = {"projects": 12, "organisations": 9, "students": None, "schools": 1, "regions": 1,
            "regions_total": 18, "events": 2, "attendees": 1234, "n_pre": None,
            "share_pre": None, "n_post": 40, "share_post": 0.58, "n_matched": None,
            "suppressed": {"students", "n_pre", "share_pre", "n_matched"}}


def test_overview_body_shows_hidden_cells_as_less_than_k():
    from dashboard.app import create_app

    create_app()
    from dashboard.pages.overview import body, kpi_cards

    cards = {card.id: _rendered_text(card) for card in kpi_cards(HEADLINE, "fr", 5)}
    assert cards[ids.kpi("students")] == "Étudiants < 5 Masqué : moins de 5 personnes"
    assert cards[ids.kpi("projects")].startswith("Projets 12 ")  # not about people: shown
    assert cards[ids.kpi("attendees")].startswith("Participants 1\u202f234 ")
    assert cards[ids.kpi("regions")].startswith("Régions touchées 1 / 18")
    assert "< 5 → 58\u202f%" in cards[ids.kpi("awareness")]
    text = _rendered_text(body(HEADLINE, "en", 5))
    assert "Fewer than 5 students enrolled: the exact number is hidden." in text
    assert ("Know precisely what the SSE is: before the programme, figure hidden (fewer than 5 "
            "respondents); after it, 58% (n = 40 respondents).") in text


def test_overview_awareness_with_few_answers_before_and_none_after():
    from dashboard.app import create_app

    create_app()
    from dashboard.pages.overview import body

    few = {**HEADLINE, "n_post": 0, "share_post": None}
    text = _rendered_text(body(few, "fr", 5))
    assert "aucune réponse au questionnaire" not in text  # there are answers, just too few
    assert ("avant le programme, chiffre masqué (moins de 5 répondants) ; après le programme, "
            "aucune réponse.") in text


def test_overview_body_without_survey_answers():
    from dashboard.app import create_app

    create_app()
    from dashboard.pages.overview import body

    nothing = {**HEADLINE, "students": 0, "n_pre": 0, "n_post": 0, "share_post": None,
               "n_matched": 0, "suppressed": set()}
    text = _rendered_text(body(nothing, "fr", 5))
    assert "Aucune réponse au questionnaire étudiant pour cette sélection." in text
    assert "0 étudiant inscrit au programme." in text  # French: 0 is singular


def test_a_fragile_estimate_is_said_in_words_not_only_greyed():
    from dashboard.app import create_app

    create_app()
    from dashboard.pages.overview import awareness_summary, awareness_table

    # 18 of 31: Wilson's 95 % interval is about 41 % to 74 %, wider than 30 points
    fragile = {**HEADLINE, "n_post": 31, "share_post": 18 / 31}
    assert awareness_summary(fragile, "fr", 5).endswith(
        "58\u202f% (n = 31 répondants), estimation fragile.")
    assert awareness_table(fragile, "en", 5).iloc[1]["Know precisely"] == \
        "58% (fragile estimate)"


# ---- in the browser ----


def kpi_value(page, name: str):
    return page.locator(f"#{ids.kpi(name)} .kpi-value")



@pytest.fixture(scope="module")
def figures(live_settings):
    """What the page must show, from the query layer on the same warehouse."""
    from dashboard.queries.overview import filter_options, headline

    edition = filter_options(STAFF)["edition"][0]["value"]  # the newest edition
    everything = headline(Filters(), STAFF, live_settings.min_cell)
    one = headline(Filters.of(editions=[edition]), STAFF, live_settings.min_cell)
    assert one["projects"] != everything["projects"], "the demo should tell editions apart"
    return {"edition": edition, "all": everything, "one": one}


@pytest.mark.browser
def test_a_filter_changes_the_kpis_and_the_url_and_survives_a_reload(page, figures):
    page.goto("/")
    expect(kpi_value(page, "projects")).to_have_text(fmt_int(figures["all"]["projects"], "fr"))
    expect(page.locator(f"#{ids.FRESHNESS_BADGE}")).to_contain_text("Données au ")
    expect(page.locator(f"#{ids.DEMO_BANNER}")).to_contain_text("Données de démonstration")

    choose(page, f"#{ids.FILTER_EDITION}", figures["edition"])

    one = figures["one"]
    expect(page).to_have_url(re.compile(rf"[?&]edition={figures['edition']}(&|$)"))
    expect(kpi_value(page, "projects")).to_have_text(fmt_int(one["projects"], "fr"))
    expect(kpi_value(page, "events")).to_have_text(fmt_int(one["events"], "fr"))

    page.reload()

    expect(kpi_value(page, "projects")).to_have_text(fmt_int(one["projects"], "fr"))
    expect(kpi_value(page, "organisations")).to_have_text(fmt_int(one["organisations"], "fr"))
    expect(page.locator(f"#{ids.FILTER_EDITION}")).to_contain_text(figures["edition"])


@pytest.mark.browser
def test_switching_to_english_keeps_the_filters_and_sets_html_lang(page, figures):
    page.goto(f"/?edition={figures['edition']}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(f"#{ids.kpi('projects')} .kpi-label")).to_have_text("Projets")

    page.locator(f"#{ids.LANG_SWITCH} label", has_text="EN").click()

    expect(page).to_have_url(re.compile(r"[?&]lang=en(&|$)"))
    expect(page).to_have_url(re.compile(rf"edition={figures['edition']}"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(f"#{ids.kpi('projects')} .kpi-label")).to_have_text("Projects")
    expect(page.locator(f"#{ids.FILTER_EDITION_LABEL}")).to_have_text("Editions")
    expect(page.locator(f"#{ids.FRESHNESS_BADGE}")).to_contain_text("Data as of ")
    expect(page.locator(f"#{ids.NAV_LINKS}")).to_contain_text("Overview")
    expect(kpi_value(page, "projects")).to_have_text(
        fmt_int(figures["one"]["projects"], "en"))
    expect(page).to_have_title(re.compile("^Overview"))

    page.reload()  # an English bookmark opens in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(f"#{ids.kpi('projects')} .kpi-label")).to_have_text("Projects")


@pytest.mark.browser
def test_reset_removes_every_filter(page, figures):
    page.goto(f"/?edition={figures['edition']}&region=84")
    expect(page.locator(f"#{ids.FILTER_REGION}")).to_contain_text("Auvergne-Rhône-Alpes")

    page.locator(f"#{ids.FILTER_RESET}").click()

    expect(page).not_to_have_url(re.compile(r"edition=|region="))
    expect(kpi_value(page, "projects")).to_have_text(fmt_int(figures["all"]["projects"], "fr"))
    expect(page.locator(f"#{ids.FILTER_REGION}")).to_contain_text("Toutes les régions")


@pytest.mark.browser
def test_the_chart_has_a_table_view_and_image_downloads(page, figures):
    page.goto("/")
    toggle = page.get_by_role("button", name="Voir le tableau")
    table = page.locator(f"#{ids.table_panel_dom_id(ids.OVERVIEW_AWARENESS_GRAPH)} table")
    expect(page.locator(f"#{ids.OVERVIEW_AWARENESS_GRAPH} .main-svg").first).to_be_visible()
    expect(table).to_be_hidden()

    toggle.click()

    expect(table).to_be_visible()
    expect(table).to_contain_text("Avant le programme")
    expect(table).to_contain_text(fmt_int(figures["all"]["n_pre"], "fr"))
    expect(page.get_by_role("button", name="Masquer le tableau")).to_have_attribute(
        "aria-expanded", "true")

    with page.expect_download() as download:
        page.get_by_role("button", name="SVG").click()
    assert download.value.suggested_filename == f"{ids.OVERVIEW_AWARENESS_GRAPH}.svg"

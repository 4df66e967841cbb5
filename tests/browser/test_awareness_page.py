"""The awareness page in Chromium: the headline follows the filters and the language, a chart's
table opens, the breakdown's tab goes into the URL and the table behind the page downloads.

What the page must say comes from the query layer on the same demo warehouse; the texts of the
page itself are tested as plain functions in tests/test_awareness_page.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard import ids
from dashboard.queries.base import STAFF, Filters
from tests.browser.conftest import choose

PATH = "/sensibilisation"
FIRST_DRAW_MS = 15_000  # the first visit loads plotly.js and draws six charts
CONTRACT_HEADER = ("item,analysis,n_pre,n_post,n_matched,pre_pct,post_pct,diff_pp,ci_low_pp,"
                   "ci_high_pp,p_value,suppressed")


@pytest.fixture(scope="module")
def expected(live_settings):
    """The national headline, and the headline of the school with the most matched students.

    The tiny demo has a few students per school and edition: no school is a publication unit
    of its own (docs/disclosure.md), so the school's headline says there are too few answers,
    which still tells it apart from the national one."""
    from dashboard.queries.awareness import breakdown, headline, sentence
    from dashboard.queries.overview import filter_options

    k = live_settings.min_cell
    options = filter_options(STAFF)["school"]
    matched = {o["value"]: headline(Filters.of(schools=[o["value"]]), STAFF, k)["paired"][
        "n_matched"] or 0 for o in options}  # staff see the n's
    school = max(matched, key=matched.get)
    label = next(o["label"] for o in options if o["value"] == school)
    region = breakdown("region", Filters.of(schools=[school]), STAFF, k)["label"].iloc[0]
    national = headline(Filters(), STAFF, k)
    one = headline(Filters.of(schools=[school]), STAFF, k)
    assert sentence(one) != sentence(national), "the demo should tell schools apart"
    return {"school": school, "label": label, "region": region, "fr": sentence(national, "fr"),
            "school_fr": sentence(one, "fr"), "school_en": sentence(one, "en")}



@pytest.mark.browser
def test_the_headline_follows_the_school_filter_and_a_table_and_a_tab_open(page, expected):
    page.goto(PATH)
    headline = page.locator(f"#{ids.AWARENESS_HEADLINE}")
    expect(headline).to_have_text(expected["fr"], timeout=FIRST_DRAW_MS)

    choose(page, f"#{ids.FILTER_SCHOOL}", expected["label"])

    expect(page).to_have_url(re.compile(rf"[?&]school={expected['school']}(&|$)"))
    expect(headline).to_have_text(expected["school_fr"])

    table = page.locator(f"#{ids.table_panel_dom_id(ids.AWARENESS_ITEMS_GRAPH)} table")
    expect(table).to_be_hidden()
    page.locator(f"#{ids.AWARENESS_ITEMS_GRAPH}").locator("xpath=..").get_by_role(
        "button", name="Voir le tableau").click()
    expect(table).to_be_visible()
    expect(table).to_contain_text("Connaît précisément l'ESS")

    page.get_by_role("button", name="Par région").click()

    expect(page).to_have_url(re.compile(r"[?&]tab=region(&|$)"))
    expect(page).to_have_url(re.compile(rf"school={expected['school']}"))
    expect(page.get_by_role("button", name="Par région")).to_have_attribute("aria-pressed",
                                                                           "true")
    expect(page.locator(f"#{ids.AWARENESS_BREAKDOWN_GRAPH}")).to_contain_text(
        expected["region"])


@pytest.mark.browser
def test_the_page_speaks_english_and_downloads_the_contract_csv(page, expected):
    page.goto(f"{PATH}?school={expected['school']}")
    expect(page.locator(f"#{ids.AWARENESS_HEADLINE}")).to_have_text(expected["school_fr"],
                                                                    timeout=FIRST_DRAW_MS)

    page.locator(f"#{ids.LANG_SWITCH} label", has_text="EN").click()

    expect(page).to_have_url(re.compile(r"[?&]lang=en(&|$)"))
    expect(page.locator(f"#{ids.AWARENESS_HEADLINE}")).to_have_text(expected["school_en"])
    expect(page.locator("h1")).to_have_text("Awareness of the SSE")
    expect(page.locator(f"#{ids.AWARENESS_DOWNLOAD_TITLE}")).to_have_text(
        "Download the figures of this page")

    with page.expect_download() as download:
        page.get_by_role("button", name="CSV", exact=True).click()

    assert download.value.suggested_filename == "latitudes-impact-sensibilisation-ess.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == CONTRACT_HEADER
    assert len(lines) == 1 + 14  # 6 items paired and unpaired, 2 post-only items

"""The Tour de France and project-outcome pages in Chromium, on the tiny demo warehouse.

What only a browser shows: the choropleth drawn from the GeoJSON with the base map served by
the app itself (the `page` fixture fails a test on any request outside 127.0.0.1 and on any
console error), a click on a region turning into `?region=` in the URL, the map's measure kept
in the URL, a chart's table view, and the staff-only grid of projects. Expected values come
from the query layer on the same warehouse.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dashboard import ids
from dashboard.i18n import fmt_int
from dashboard.queries.base import STAFF, Filters

pytestmark = pytest.mark.browser

MAP_PATHS = ".choroplethlayer path"
LOADED = 20_000  # ms: a render with a server round trip (plotly.js, the map), on a busy machine
REGION = "84"  # Auvergne-Rhône-Alpes: large, convex enough to click in the middle


@pytest.fixture(scope="module")
def figures(live_settings):
    from dashboard.queries import guide, outcomes, reach

    k = live_settings.min_cell
    return {"reach": reach.reach_kpis(Filters(), STAFF, k),
            "reach_region": reach.reach_kpis(Filters.of(regions=[REGION]), STAFF, k),
            "guide": guide.guide_kpis(Filters(), STAFF, k),
            "outcomes": outcomes.outcomes_kpis(Filters(), STAFF, k)}


def kpi_value(page, name: str):
    return page.locator(f"#{ids.kpi(name)} .kpi-value")


def click_region(page, graph_id: str, code: str) -> None:
    """Click the middle of a region's shape (plotly keeps each path's location in its datum)."""
    page.locator(f"#{graph_id}").scroll_into_view_if_needed()
    box = page.evaluate("""([graph, code]) => {
        const paths = document.querySelectorAll(`#${graph} .choroplethlayer path`);
        for (const path of paths) {
            const datum = path.__data__;
            if (datum && datum.loc === code) {
                const r = path.getBoundingClientRect();
                return {x: r.x + r.width / 2, y: r.y + r.height / 2};
            }
        }
        return null;
    }""", [graph_id, code])
    assert box, f"no path for region {code}"
    page.mouse.click(box["x"], box["y"])


def test_tour_map_renders_offline_and_a_click_filters_the_page(page, figures):
    page.goto("/tour")
    expect(page.locator(f"#{ids.TOUR_MAP} {MAP_PATHS}")).to_have_count(18, timeout=LOADED)
    expect(kpi_value(page, "events")).to_have_text(fmt_int(figures["reach"]["events"], "fr"))
    expect(kpi_value(page, "regions")).to_have_text(
        f"{figures['reach']['regions_covered']} / 18")
    expect(kpi_value(page, "guide-copies")).to_have_text(fmt_int(figures["guide"]["copies"],
                                                                 "fr"))
    expect(page.locator(f"#{ids.TOUR_MAP}")).to_contain_text("Contours : IGN")

    click_region(page, ids.TOUR_MAP, REGION)

    expect(page).to_have_url(re.compile(rf"[?&]region={REGION}(&|$)"), timeout=LOADED)
    expect(page.locator(f"#{ids.FILTER_REGION}")).to_contain_text("Auvergne-Rhône-Alpes")
    expect(kpi_value(page, "events")).to_have_text(
        fmt_int(figures["reach_region"]["events"], "fr"), timeout=LOADED)


def test_tour_measure_lives_in_the_url_and_the_map_has_a_table(page, figures):
    page.goto("/tour?lang=en&measure=attendees")  # a bookmark opens on its measure
    colorbar = page.locator(f"#{ids.TOUR_MAP} .cbtitle")
    expect(colorbar).to_contain_text("Attendees", timeout=LOADED)
    expect(page.get_by_role("radio", name="Attendees")).to_have_attribute("aria-checked",
                                                                          "true")

    page.get_by_role("radio", name="Guide").click()

    expect(page).to_have_url(re.compile(r"[?&]measure=guide(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]lang=en(&|$)"))
    expect(colorbar).to_contain_text("Guide copies", timeout=LOADED)
    expect(page.get_by_role("radio", name="Guide")).to_have_attribute("aria-checked", "true")

    table = page.locator(f"#{ids.table_panel_dom_id(ids.TOUR_MAP)} table")
    expect(table).to_be_hidden()
    page.locator(f"[aria-controls='{ids.table_panel_dom_id(ids.TOUR_MAP)}']").click()
    expect(table).to_be_visible()
    expect(table).to_contain_text("Auvergne-Rhône-Alpes")
    expect(table.locator("tbody tr")).to_have_count(18)


def test_outcomes_page_shows_kpis_the_map_and_the_projects_to_staff(page, figures):
    page.goto("/resultats")
    expect(page.locator(f"#{ids.OUTCOMES_MAP} {MAP_PATHS}")).to_have_count(18, timeout=LOADED)
    expect(kpi_value(page, "projects")).to_have_text(
        fmt_int(figures["outcomes"]["projects"], "fr"))
    expect(kpi_value(page, "organisations")).to_have_text(
        fmt_int(figures["outcomes"]["organisations"], "fr"))
    grid = page.locator(f"#{ids.OUTCOMES_PROJECTS_GRID}")
    expect(grid).to_be_visible(timeout=LOADED)
    # AG Grid's paging, in French: "1 à 15 sur 60" (every project of the selection)
    expect(grid).to_contain_text(f"sur {figures['outcomes']['projects']}", timeout=LOADED)
    expect(grid.locator(".ag-header-cell-text").first).to_have_text("Titre")

    page.get_by_role("radio", name="Taux de livraison").click()

    expect(page).to_have_url(re.compile(r"[?&]measure=delivery(&|$)"))
    expect(page.locator(f"#{ids.OUTCOMES_MAP} .cbtitle")).to_contain_text("Taux de livraison",
                                                                          timeout=LOADED)


def test_projects_grid_pages_from_the_server_and_follows_a_filter_change(page, figures,
                                                                        live_settings):
    from dashboard.queries import outcomes

    k = live_settings.min_cell
    in_region = outcomes.outcomes_kpis(Filters.of(regions=[REGION]), STAFF, k)["projects"]
    assert 15 < figures["outcomes"]["projects"] and in_region < figures["outcomes"]["projects"]
    page.goto("/resultats")
    grid = page.locator(f"#{ids.OUTCOMES_PROJECTS_GRID}")
    expect(grid).to_contain_text(f"sur {figures['outcomes']['projects']}", timeout=LOADED)
    expect(grid.locator(".ag-center-cols-container .ag-row")).to_have_count(15,
                                                                               timeout=LOADED)
    grid.locator(".ag-icon-next").click()  # the next page: asked for
    expect(grid).to_contain_text("16 à 30", timeout=LOADED)

    click_region(page, ids.OUTCOMES_MAP, REGION)  # a filter change without a page load

    expect(page).to_have_url(re.compile(rf"[?&]region={REGION}(&|$)"))
    expect(grid).to_contain_text(f"sur {in_region}", timeout=LOADED)
    regions = grid.locator(".ag-center-cols-container [col-id='region']")
    expect(regions.first).to_have_text("Auvergne-Rhône-Alpes", timeout=LOADED)
    assert set(regions.all_inner_texts()) == {"Auvergne-Rhône-Alpes"}

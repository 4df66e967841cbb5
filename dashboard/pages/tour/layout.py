"""The Tour de France page laid out: the shell Dash serves, and the body drawn from the
figures of a view (a pure function: the tests call it without a browser).
"""

from __future__ import annotations

from dash import html

from dashboard import ids
from dashboard.components.commentary import commentary_slot
from dashboard.components.kpi import kpi_card, kpi_grid
from dashboard.components.page import page_header, section_title
from dashboard.i18n import fmt_int, t
from dashboard.map_pages import export_bar, map_page_layout, row, styled_sections
from dashboard.pages.tour.base import GUIDE_COLOUR, measure_of, stack
from dashboard.pages.tour.conversion import (
    conversion_edition_card, conversion_region_card, funnel_card)
from dashboard.pages.tour.guide import (
    guide_audience_card, guide_conversion_card, guide_summary, guide_timeline_card)
from dashboard.pages.tour.regions import map_section
from dashboard.pages.tour.timeline import timeline_card, timeline_table


def layout(**_query) -> html.Div:
    return map_page_layout("page-tour", ids.TOUR_BODY, ids.TOUR_EXPORT_DOWNLOAD, ids.TOUR_VIEW)


def body(figures: dict, lang: str, k: int, *, measure: str | None = None,
         selected: tuple[str, ...] = ()) -> list:
    """The page's content for what `collect` returned."""
    measure = measure_of(measure)
    timeline = figures["timeline"]
    table = timeline_table(timeline, lang)  # both timeline cards show it
    return styled_sections([
        page_header(t("tour.title", lang), t("tour.lede", lang)),
        kpi_grid(kpi_cards(figures, lang)),
        row((html.Div(map_section(figures, lang, measure, selected), id=ids.TOUR_MAP_SLOT),
             "col-xl-7"),
            (stack(timeline_card(timeline, "events", lang, table),
                    timeline_card(timeline, "attendees", lang, table)), "col-xl-5")),
        commentary_slot("tour"),
        section_title(t("tour.conversion.section", lang), id="tour-conversion-section"),
        row((funnel_card(figures, lang), "col-lg-4"),
            (conversion_edition_card(figures, lang), "col-lg-4"),
            (conversion_region_card(figures, lang), "col-lg-4")),
        section_title(t("tour.guide.section", lang), id="tour-guide-section"),
        commentary_slot("guide"),
        row((guide_timeline_card(figures, lang), "col-lg-7"),
            (guide_summary(figures, lang), "col-lg-5")),
        row((guide_audience_card(figures, lang), "col-lg-6"),
            (guide_conversion_card(figures, lang), "col-lg-6")),
        export_bar("tour", ids.TOUR_EXPORT, lang),
    ])


# ---- KPI cards -------------------------------------------------------------------------------

def kpi_cards(figures: dict, lang: str) -> list:
    kpis = figures["kpis"]
    cards = [kpi_card("events", t("tour.kpi.events", lang), fmt_int(kpis["events"], lang),
                      detail=t("tour.kpi.events.detail", lang), lang=lang),
             kpi_card("regions", t("tour.kpi.regions", lang),
                      f"{fmt_int(kpis['regions_covered'], lang)} / {kpis['regions_total']}",
                      detail=t("tour.kpi.regions.detail", lang), lang=lang)]
    for name, key in (("cities", "cities"), ("schools", "schools_reached"),
                      ("attendees", "attendees"), ("students", "students_attending"),
                      ("organisations", "organisations_attending")):
        cards.append(kpi_card(name, t(f"tour.kpi.{name}", lang), fmt_int(kpis[key], lang),
                              detail=t(f"tour.kpi.{name}.detail", lang), lang=lang))
    guide = kpi_card("guide-copies", t("tour.kpi.guide", lang),
                     fmt_int(figures["guide"]["copies"], lang),
                     detail=t("tour.kpi.guide.detail", lang), lang=lang)
    guide.style = {"borderTopColor": GUIDE_COLOUR}
    cards.append(guide)
    return cards

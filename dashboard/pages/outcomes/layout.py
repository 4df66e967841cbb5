"""The outcomes page laid out: the shell Dash serves, and the body drawn from the figures of
a view (a pure function: the tests call it without a browser).
"""

from __future__ import annotations

from dash import html

from dashboard import ids
from dashboard.components.commentary import commentary_slot
from dashboard.components.kpi import kpi_grid
from dashboard.components.page import page_header, section_title
from dashboard.i18n import t
from dashboard.map_pages import export_bar, map_page_layout, row, styled_sections
from dashboard.pages.outcomes.base import measure_of
from dashboard.pages.outcomes.breakdowns import (
    breakdown_card, edition_card, in_use_card, satisfaction_card)
from dashboard.pages.outcomes.kpis import kpi_cards
from dashboard.pages.outcomes.projects import projects_section
from dashboard.pages.outcomes.regions import map_section


def layout(**_query) -> html.Div:
    return map_page_layout("page-outcomes", ids.OUTCOMES_BODY, ids.OUTCOMES_EXPORT_DOWNLOAD, ids.OUTCOMES_VIEW)


def body(figures: dict, lang: str, k: int, *, measure: str | None = None,
         selected: tuple[str, ...] = ()) -> list:
    """The page's content for what `collect` returned (a pure function of its arguments)."""
    measure = measure_of(measure)
    children = [
        page_header(t("outcomes.title", lang), t("outcomes.lede", lang)),
        kpi_grid(kpi_cards(figures["kpis"], lang, k)),
        row((html.Div(map_section(figures, lang, k, measure, selected),
                      id=ids.OUTCOMES_MAP_SLOT), "col-xl-7"),
            (html.Div([breakdown_card(figures, "status", lang),
                       edition_card(figures, lang)],
                      className="d-flex flex-column gap-3"), "col-xl-5")),
        commentary_slot("outcomes"),
        section_title(t("outcomes.breakdown.section", lang), id="outcomes-breakdown-section"),
        row((breakdown_card(figures, "tech_type", lang), "col-lg-6"),
            (breakdown_card(figures, "cause", lang), "col-lg-6")),
        section_title(t("outcomes.quality.section", lang), id="outcomes-quality-section"),
        row((satisfaction_card(figures, lang, k), "col-lg-6"),
            (in_use_card(figures, lang, k), "col-lg-6")),
    ]
    if figures.get("projects") is not None:
        children.append(projects_section(figures["projects"], lang))
    children.append(export_bar("outcomes", ids.OUTCOMES_EXPORT, lang))
    return styled_sections(children)

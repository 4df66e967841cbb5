"""What the two map pages (the Tour de France and the outcomes) share: their shell, the render
that redraws the whole page unless only the map's measure changed, their rows of cards and
their download bar. Each page keeps its own figures, cards and texts (`<page>.*` messages).
"""

from __future__ import annotations

import logging

from dash import dcc, html, no_update

from dashboard.components.page import page_error, page_header
from dashboard.i18n import t
from dashboard.maps import EXPORT_FORMATS, MEASURE_PARAM, view_key

log = logging.getLogger(__name__)

SECTION_STYLE = {"fontSize": "1.3rem", "fontWeight": 700, "color": "#14213d",
                 "margin": "2rem 0 0.9rem"}
ROW = "row g-3 mb-3 align-items-start"


def map_page_layout(page_class: str, body_id: str, download_id: str, view_id: str) -> html.Div:
    """The shell Dash serves: the body (drawn per view), the download, the view it shows."""
    return html.Div(className=f"page {page_class}", children=[
        dcc.Loading(html.Div(id=body_id), type="circle", delay_show=400,
                    overlay_style={"visibility": "visible", "opacity": 0.55}),
        dcc.Download(id=download_id),
        dcc.Store(id=view_id),
    ])


def render_map_page(page: str, search: str | None, shown: str | None, context, collect, body):
    """(body, view key) of the whole page for `search`, or no_update twice when only the map's
    measure changed since the view `shown` (the page's `redraw_map` redraws the map alone)."""
    from sqlalchemy.exc import SQLAlchemyError

    key = view_key(search)
    if shown is not None and key == shown:
        return no_update, no_update
    view = context(search)
    try:
        figures = collect(view.filters, view.scope, view.k)
    except SQLAlchemyError:
        log.exception("%s: a query failed for %s", page, search)
        return [page_header(t(f"{page}.title", view.lang)), page_error(view.lang)], None
    return body(figures, view.lang, view.k, measure=view.params.get(MEASURE_PARAM),
                selected=view.filters.regions), key


def only_the_map_changed(search: str | None, shown: str | None) -> bool:
    """The view shown differs from `search` by its map's measure alone."""
    return shown is not None and view_key(search) == shown


def row(*cells) -> html.Div:
    """Cards side by side on wide screens, stacked on narrow ones: (card, column class)."""
    return html.Div([html.Div(card, className=f"col-12 {width}") for card, width in cells],
                    className=ROW)


def styled_sections(children: list) -> list:
    """The page's children, its section titles in the map pages' style."""
    for child in children:
        if isinstance(child, html.H2) and "section-title" in (child.className or ""):
            child.style = SECTION_STYLE
    return children


def export_bar(page: str, export_type: str, lang: str) -> html.Section:
    """The buttons that download the page's contract table (`<page>.export.*` texts)."""
    buttons = [html.Button(t(f"{page}.export.{fmt}", lang), type="button", n_clicks=0,
                           id={"type": export_type, "format": fmt},
                           className="btn btn-sm btn-outline-secondary")
               for fmt in EXPORT_FORMATS]
    title_id = f"{page}-export-title"
    return html.Section(
        className="summary-card d-flex flex-wrap align-items-center gap-3 mt-2",
        **{"aria-labelledby": title_id}, children=[
            html.Div([html.H2(t(f"{page}.export.title", lang), id=title_id,
                              className="chart-title mb-0"),
                      html.Span(t(f"{page}.export.detail", lang), className="text-muted small")],
                     className="me-auto"),
            html.Div(buttons, className="d-flex gap-2", role="group",
                     **{"aria-label": t(f"{page}.export.title", lang)})])

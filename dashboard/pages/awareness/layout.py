"""The awareness page laid out: the empty shell Dash serves, and the body drawn from the
figures of a view (a pure function: the tests call it without a browser).
"""

from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.components.commentary import commentary_slot
from dashboard.components.page import page_header
from dashboard.i18n import t
from dashboard.pages.awareness.base import EXPORT_FORMATS, has_answers, item_rows, two_columns
from dashboard.pages.awareness.headline import attrition_card, comparison_card, headline_section
from dashboard.pages.awareness.items import (
    items_card, likert_card, post_only_card, summary_table_section)


def layout(**_query) -> html.Div:
    loading = {"type": "circle", "delay_show": 400,
               "overlay_style": {"visibility": "visible", "opacity": 0.55}}
    return html.Div(className="page page-awareness", children=[
        dcc.Store(id=ids.AWARENESS_VIEW),
        dcc.Loading(html.Div(id=ids.AWARENESS_BODY), **loading),
        dcc.Loading(html.Div(id=ids.AWARENESS_BREAKDOWN_BODY), **loading),
        dcc.Download(id=ids.AWARENESS_DOWNLOAD),
    ])


# ---- download -------------------------------------------------------------------------------

def download_section(lang: str, k: int) -> html.Section:
    buttons = [html.Button(t(label, lang), type="button", n_clicks=0,
                           id={"type": ids.AWARENESS_DOWNLOAD_BUTTON, "format": fmt},
                           className="btn btn-outline-primary btn-sm")
               for fmt, (_ending, label) in EXPORT_FORMATS.items()]
    return html.Section(
        className="chart-card", **{"aria-labelledby": ids.AWARENESS_DOWNLOAD_TITLE},
        children=[
            html.H2(t("awareness.download.title", lang), id=ids.AWARENESS_DOWNLOAD_TITLE,
                    className="chart-title"),
            html.P(t("awareness.download.text", lang, k=k), className="chart-summary"),
            html.Div(buttons, role="group", className="d-flex flex-wrap gap-2 mb-2",
                     **{"aria-label": t("awareness.download.label", lang)}),
        ])


def body(figures: dict, lang: str, k: int) -> list:
    """The page's content for `page_figures` (a pure function of the figures)."""
    headline = figures["headline"]
    header = page_header(t("awareness.title", lang), t("awareness.lede", lang))
    if not has_answers(headline):
        return [header, html.Div(t("awareness.empty", lang), role="status",
                                 className="alert alert-info"), download_section(lang, k)]
    analysis, rows = headline["analysis"], item_rows(figures["items"])
    spaced = {"marginBottom": "1.25rem"}
    return [
        header,
        headline_section(headline, lang, k),
        commentary_slot("awareness"),
        two_columns(comparison_card(headline, lang, k), attrition_card(headline, lang, k)),
        html.Div(items_card(rows, analysis, lang, k), style=spaced),
        html.Div(summary_table_section(rows, figures["structures"], analysis, lang, k),
                 style=spaced),
        html.Div(likert_card(figures["distribution"], lang, k), style=spaced),
        two_columns(post_only_card(rows, lang, k), download_section(lang, k),
                 ratio="minmax(0, 1.3fr) minmax(0, 1fr)"),
    ]

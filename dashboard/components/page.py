"""A page's heading block, the same on every page."""

from __future__ import annotations

from dash import html

from dashboard.i18n import t


def page_header(title: str, lede: str | None = None) -> html.Header:
    return html.Header(className="page-header", children=[
        html.H1(title, className="page-title"),
        html.P(lede, className="page-lede") if lede else None,
    ])


def section_title(text: str, id: str | None = None) -> html.H2:
    return html.H2(text, id=id, className="section-title")


def page_error(lang: str) -> html.Div:
    """What a page shows when its figures could not be computed (the details go to the log)."""
    return html.Div(t("shell.page_error", lang), role="alert", className="alert alert-warning")

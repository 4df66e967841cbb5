"""The awareness page's callbacks: the view without its tab, the body, the breakdown, the tab
and the download; the figures they ask the query layer for. `register_callbacks` hands them
to Dash.
"""

from __future__ import annotations

import logging

from dash import ALL, Input, Output, State, callback, ctx, dcc, no_update

from dashboard import ids
from dashboard.components.page import page_error, page_header
from dashboard.i18n import t
from dashboard.pages import context
from dashboard.pages.awareness.base import DEFAULT_TAB, EXPORT_FILE, EXPORT_FORMATS, TABS, tab_of
from dashboard.pages.awareness.breakdown import breakdown_body
from dashboard.pages.awareness.layout import body
from dashboard.view import TAB_PARAM, with_params


log = logging.getLogger(__name__)


# The breakdown's tab changes only the breakdown: the rest of the page follows the view
# without its tab (AWARENESS_VIEW), so a tab click redraws one chart, not six.
def view_without_tab(search: str | None, current: str | None):
    key = with_params(search, **{TAB_PARAM: None})
    return no_update if key == current else key


def render(search: str | None) -> list:
    from sqlalchemy.exc import SQLAlchemyError

    view = context(search)
    try:
        figures = main_figures(view.filters, view.scope, view.k)
    except SQLAlchemyError:
        log.exception("awareness: the figures could not be computed for %s", search)
        return [page_header(t("awareness.title", view.lang)), page_error(view.lang)]
    return body(figures, view.lang, view.k)


def render_breakdown(search: str | None) -> list:
    from sqlalchemy.exc import SQLAlchemyError

    view = context(search)
    try:
        figures = breakdown_figures(view.filters, view.scope, view.k, tab_of(view.tab))
    except SQLAlchemyError:
        log.exception("awareness: the breakdown could not be computed for %s", search)
        return []  # the body says so already
    return breakdown_body(figures, view.lang, view.k)


def choose_tab(_clicks, search: str | None):
    """The breakdown's tab goes into the URL, so that it can be bookmarked too."""
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update  # buttons drawn again, not a click
    return tab_search(trigger.get("tab"), search)


def tab_search(tab: str | None, search: str | None):
    """The query string with the breakdown's `tab`; no_update for the tab already shown."""
    view = context(search)
    if tab not in TABS or tab_of(view.tab) == tab:
        return no_update
    return view.search(tab=tab)


def download(_clicks, search: str | None):
    """The table behind the page, for the URL's filters within the account's scope.

    Nothing else is taken from the browser: the format is one of the buttons' fixed ids, and
    the scope and K are the server's.
    """
    trigger = ctx.triggered_id
    if not trigger or not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update  # buttons drawn again after a filter change, not a click
    fmt = trigger.get("format")
    if fmt not in EXPORT_FORMATS:
        from werkzeug.exceptions import BadRequest

        raise BadRequest("no such export format")  # a forged request: no button has it
    data, filename = export_file(search, fmt)
    from dashboard.auth import audit_download  # a file leaving the system is logged

    audit_download("awareness", fmt, context(search).filters)
    return dcc.send_bytes(data, filename)


def export_file(search: str | None, fmt: str) -> tuple[bytes, str]:
    """(bytes, file name) of the page's table in `fmt`, for the view of `search`."""
    from dashboard.exports import page_export

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format '{fmt}' ({', '.join(EXPORT_FORMATS)})")
    view = context(search)
    data = page_export("awareness", view.filters, view.scope, view.k, fmt)
    return data, EXPORT_FILE + EXPORT_FORMATS[fmt][0]


# ---- figures of the page --------------------------------------------------------------------

def main_figures(filters, scope, k: int, engine=None) -> dict:
    """What `body` draws, from the query layer (cached, suppressed, scope-aware)."""
    from dashboard.queries import awareness

    return {
        "headline": awareness.headline(filters, scope, k, engine),
        "items": awareness.items_table(filters, scope, k, engine),
        "distribution": awareness.likert_distribution(filters, scope, k, engine),
        "structures": awareness.structures_named(filters, scope, k, engine),
    }


def breakdown_figures(filters, scope, k: int, tab: str = DEFAULT_TAB, engine=None) -> dict:
    """What `breakdown_body` draws: the change per group of the tab's dimension."""
    from dashboard.queries import awareness

    tab = tab_of(tab)
    return {"answered": awareness.answered(filters, scope, engine), "tab": tab,
            "breakdown": awareness.breakdown(tab, filters, scope, k, engine)}


def page_figures(filters, scope, k: int, tab: str = DEFAULT_TAB, engine=None) -> dict:
    """Every figure of the page (`body` and `breakdown_body` take it whole)."""
    return (main_figures(filters, scope, k, engine)
            | breakdown_figures(filters, scope, k, tab, engine))


def register_callbacks() -> None:
    """Hand this page's callbacks to Dash. The page module calls it each time Dash executes it
    (once per app created), as Dash then expects every callback again."""
    callback(Output(ids.AWARENESS_VIEW, "data"), Input(ids.URL, "search"),
             State(ids.AWARENESS_VIEW, "data"))(view_without_tab)
    callback(Output(ids.AWARENESS_BODY, "children"), Input(ids.AWARENESS_VIEW, "data"))(render)
    callback(Output(ids.AWARENESS_BREAKDOWN_BODY, "children"),
             Input(ids.URL, "search"))(render_breakdown)
    callback(Output(ids.URL, "search", allow_duplicate=True),
             Input({"type": ids.AWARENESS_TAB, "tab": ALL}, "n_clicks"), State(ids.URL, "search"),
             prevent_initial_call=True)(choose_tab)
    callback(Output(ids.AWARENESS_DOWNLOAD, "data"),
             Input({"type": ids.AWARENESS_DOWNLOAD_BUTTON, "format": ALL}, "n_clicks"),
             State(ids.URL, "search"), prevent_initial_call=True)(download)

"""The header: brand, page links built from `dash.page_registry`, freshness and language.

A page appears in the navbar when it registers with `nav_key` (the i18n key of its label);
`nav=False` keeps a page (404, login) out. Links carry the filters and the language, not the
page's own parameters (its tab).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components.fold import fold_button
from dashboard.i18n import t
from dashboard.view import FILTER_PARAMS, LANG_PARAM, build_search, parse_search

LANG_OPTIONS = [{"label": "FR", "value": "fr"}, {"label": "EN", "value": "en"}]


def nav_pages() -> list[dict]:
    return [page for page in dash.page_registry.values() if page.get("nav", True)]


def page_label(page: dict, lang: str) -> str:
    key = page.get("nav_key")
    return t(key, lang) if key else page["name"]


def shared_search(search: str | None) -> str:
    """The part of a view's query string that follows the user from page to page."""
    params = parse_search(search)
    return build_search({k: params.get(k) for k in (*FILTER_PARAMS, LANG_PARAM)})


def _is_active(page: dict, pathname: str | None) -> bool:
    path = page["relative_path"]
    pathname = pathname or "/"
    return pathname == path or (path != "/" and pathname.startswith(path + "/"))


def nav_links(lang: str, pathname: str | None, search: str | None) -> list:
    carried = shared_search(search)
    links = []
    for page in nav_pages():
        active = _is_active(page, pathname)
        links.append(html.Li(className="nav-item", children=dcc.Link(
            page_label(page, lang), href=page["relative_path"] + carried,
            className="nav-link" + (" active" if active else ""))))
    return links


def header(lang: str, pathname: str | None = None, search: str | None = None, *,
           account=None, visible=None) -> html.Header:
    """The header; `account` is the account menu, `visible(links)` keeps the links the account
    may open. Under 992 px the links and the tools fold into a "Menu" button
    (`components.fold`); above, they are always shown."""
    brand = dcc.Link(href="/", id=ids.BRAND, className="brand", children=[
        html.Span("L", className="brand-mark", **{"aria-hidden": "true"}),
        html.Span([html.Span("Latitudes", className="brand-name"),
                   html.Span(" Impact", className="brand-product")]),
    ])
    links = nav_links(lang, pathname, search)
    nav = html.Nav(**{"aria-label": t("shell.nav_label", lang)}, className="main-nav",
                   children=html.Ul(visible(links) if visible else links, id=ids.NAV_LINKS,
                                    className="nav"))
    language = html.Div(className="lang-switch", role="group",
                        **{"aria-label": t("shell.lang_label", lang)}, children=dbc.RadioItems(
                            id=ids.LANG_SWITCH, options=LANG_OPTIONS, value=lang, inline=True,
                            className="btn-group", inputClassName="btn-check",
                            labelClassName="btn btn-sm btn-outline-light",
                            labelCheckedClassName="active"))
    freshness = html.Div(id=ids.FRESHNESS_BADGE, className="freshness-badge",
                         title=t("shell.freshness_title", lang))
    tools = html.Div([freshness, language, account], className="header-tools")
    return html.Header(className="app-header", children=html.Div(
        className="container-xxl app-header-inner",
        children=[brand, fold_button(ids.NAV_TOGGLE, ids.NAV_COLLAPSE, t("shell.menu", lang),
                                     "nav-toggle"),
                  dbc.Collapse([nav, tools], id=ids.NAV_COLLAPSE, is_open=False,
                               className="header-collapse")]))

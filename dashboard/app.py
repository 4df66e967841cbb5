"""The Dash application: a factory, the shell every page shares, and the shell's callbacks.

The shell: a header (brand, the navbar built from `dash.page_registry`, the freshness badge, the
FR/EN switch), the demo banner, the global filters, `dash.page_container`, a footer.

The URL is the state of a view (`?edition=...&school=...&region=...&lang=en&tab=...`). The
shell's `ids.URL` location keeps it in sync with the controls both ways: loading a URL sets the
dropdowns and the switch; changing a control rewrites the query string (`refresh=False`: no
reload, and Dash's page router does not re-render the page). Pages read the view from
`Input(ids.URL, "search")` through `dashboard.pages.context` and redraw their content.

Importing this module builds the app but touches no database: the layout is a function, run
per page load (filter choices, freshness), and pages query in their callbacks.
"""

from __future__ import annotations

import gc

from pathlib import Path

import dash
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.dependencies import ClientsideFunction

from dashboard import auth, ids, security
from dashboard.components import commentary as commentary_component
from dashboard.components import filters as filter_components
from dashboard.components import fold, table_toggle
from dashboard.components.badges import demo_banner, freshness_badge
from dashboard.components.navbar import header, nav_links, nav_pages, page_label
from dashboard.i18n import t
from dashboard.pages import current_scope
from dashboard.queries.base import Filters
from dashboard.view import (
    FILTER_PARAMS, LANG_PARAM, default_lang, lang_of, parse_search, search_lang, with_params,
)

DASHBOARD_DIR = Path(__file__).resolve().parent
PAGES_DIR = DASHBOARD_DIR / "pages"
ASSETS_DIR = DASHBOARD_DIR / "assets"
TITLE = "Latitudes Impact"

INDEX_STRING = """<!DOCTYPE html>
<html lang="{lang}">
    <head>
        {{%metas%}}
        <title>{{%title%}}</title>
        {{%favicon%}}
        {{%css%}}
    </head>
    <body>
        {{%app_entry%}}
        {{%config%}}
        {{%scripts%}}
        {{%renderer%}}
    </body>
</html>"""

NO_OPTIONS = {param: [] for param in FILTER_PARAMS}


def create_app(settings=None) -> Dash:
    """A new dashboard application; `settings` replaces the settings in force (tests)."""
    from etl.settings import configure, get_settings

    if settings is not None:
        configure(settings)
    _forget_global_callbacks()
    app = Dash(
        "dashboard", use_pages=True, pages_folder=str(PAGES_DIR),
        assets_folder=str(ASSETS_DIR), title=TITLE, update_title=None,
        serve_locally=True, suppress_callback_exceptions=True,
        external_stylesheets=[], external_scripts=[],
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"},
                   {"name": "description", "content": t("app.tagline", "fr")}],
    )
    app.index_string = INDEX_STRING.format(lang=get_settings().default_lang)
    app.layout = shell_layout
    _register_shell_callbacks(app)
    table_toggle.register_callbacks(app)
    fold.register_callbacks(app)
    commentary_component.register_callbacks(app)
    _install_access_control(app)
    __import__("dashboard.uploads").uploads.register(app.server)  # POST /upload, load jobs
    __import__("dashboard.public").public.register(app.server)  # GET /public, no sign-in

    # The figure cache (dashboard/cache.py): the query layer's results for this app's
    # requests, in Redis when REDIS_URL is set (shared by every worker), else in memory.
    from dashboard import cache

    cache.init_app(app.server, get_settings())
    # Everything built so far (modules, layouts, the page registry) lives as long as the
    # process: out of the collector's sight, a full collection no longer pauses a request for
    # 60 to 75 ms scanning it.
    gc.freeze()
    return app


def _install_access_control(app: Dash) -> None:
    """Sessions, roles and scopes (dashboard/auth/), the sign-in routes (pages/login.py);
    headers, CSRF, origin checks, size limit and error pages (dashboard/security.py).
    Production refuses to start without SECRET_KEY."""
    from etl.settings import get_settings

    from dashboard.pages import login

    settings = get_settings()
    security.install(app, settings)
    auth.init_app(app, settings)
    login.add_routes(app.server, auth.make_limiter(app.server, settings))


def _forget_global_callbacks() -> None:
    """Drop page callbacks registered for an app created earlier in this process.

    Dash re-executes every page module when an app is created, and `dash.callback` adds the
    page's callbacks to a process-wide list that the first app to serve a request takes. A
    second app (tests; `impact serve` after importing this module) would otherwise receive
    each page callback twice.
    """
    from dash import _callback

    _callback.GLOBAL_CALLBACK_LIST.clear()
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_INLINE_SCRIPTS.clear()


# ---- layout ----

def _warehouse_state(scope) -> tuple[dict, dict]:
    """Filter choices and freshness, or empty ones and `ok: False` if the warehouse is down."""
    from sqlalchemy.exc import SQLAlchemyError

    from dashboard.queries.base import freshness
    from dashboard.queries.overview import filter_options

    try:
        options = filter_options(scope)
        fresh = freshness()
    except SQLAlchemyError:
        return NO_OPTIONS, {"as_of": None, "is_demo": False, "ok": False}
    as_of = fresh.as_of.isoformat() if fresh.as_of else None
    return options, {"as_of": as_of, "is_demo": fresh.is_demo, "ok": True}


def shell_layout() -> html.Div:
    """The page around every page, in the default language until the URL says otherwise."""
    from etl.settings import get_settings

    settings = get_settings()
    lang = settings.default_lang
    options, state = _warehouse_state(current_scope())
    return html.Div(className="impact-app", children=[
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.FRESHNESS_STORE, data=state),
        dcc.Store(id=ids.LANG_STORE),
        html.A(t("shell.skip", lang), href=f"#{ids.MAIN}", id=ids.SKIP_LINK,
               className="skip-link"),
        _header_with_account(lang),
        html.Aside(demo_banner(state["is_demo"], lang), id=ids.DEMO_BANNER,
                   className="demo-banner", hidden=not state["is_demo"]),
        html.Main(id=ids.MAIN, className="container-xxl app-main", tabIndex="-1", children=[
            filter_components.filter_bar(options, lang),
            html.Div(t("shell.warehouse_down", lang), id=ids.WAREHOUSE_ALERT, role="alert",
                     className="alert alert-danger", hidden=state["ok"]),
            dash.page_container,
        ]),
        html.Footer(_footer(lang, settings.min_cell), id=ids.FOOTER, className="app-footer"),
    ])


def _header_with_account(lang: str) -> html.Header:
    """The shared header, with only the pages the account may open and its account menu."""
    return header(lang, account=auth.account_menu(lang), visible=auth.visible_links)


def _footer(lang: str, k: int) -> html.Div:
    return html.Div(className="container-xxl app-footer-inner", children=[
        html.Span(t("app.name", lang), className="footer-brand"),
        html.Span(t("app.tagline", lang)),
        html.Span(t("shell.footer", lang, k=k)),
    ])


# ---- callbacks: URL <-> controls, and the shell's language ----

def controls_from_search(search: str | None, options: dict[str, list] | None = None) -> tuple:
    """(editions, schools, regions, lang) for the controls, from a query string.

    Values missing from the dropdowns' choices (an old bookmark, a choice outside the
    account's scope) are left out of the dropdowns; the query layer ignores them anyway.
    """
    params = parse_search(search)
    chosen = Filters.from_query(params)
    values = []
    for param, picked in zip(FILTER_PARAMS, (chosen.editions, chosen.schools, chosen.regions)):
        known = None if options is None else {o["value"] for o in options.get(param) or []}
        values.append([v for v in picked if known is None or v in known])
    return (*values, lang_of(params.get(LANG_PARAM)))


def search_from_controls(search: str | None, editions, schools, regions, lang: str) -> str:
    """The query string after a control changed; other parameters (a page's tab) are kept."""
    lang = lang_of(lang)
    changes = {param: ",".join(values or []) or None
               for param, values in zip(FILTER_PARAMS, (editions, schools, regions))}
    changes[LANG_PARAM] = None if lang == default_lang() else lang
    return with_params(search, **changes)


def shell_texts(search: str | None, pathname: str | None, state: dict | None) -> dict:
    """Every text of the shell, in the view's language."""
    from etl.settings import get_settings

    lang = search_lang(search)
    state = state or {"as_of": None, "is_demo": False, "ok": True}
    page = _current_page(pathname)
    texts = {
        "nav": auth.visible_links(nav_links(lang, pathname, search)),
        "filter_title": t("filters.title", lang),
        "filter_toggle": t("filters.title", lang),
        "reset": t("filters.reset", lang),
        "reset_title": t("filters.reset_title", lang),
        "freshness": freshness_badge(state.get("as_of"), lang),
        "freshness_title": t("shell.freshness_title", lang),
        "demo": demo_banner(bool(state.get("is_demo")), lang),
        "alert": t("shell.warehouse_down", lang),
        "footer": _footer(lang, get_settings().min_cell),
        "skip": t("shell.skip", lang),
        "lang_store": {"lang": lang, "title": _document_title(page, lang)},
    }
    for param, _dropdown, _label, label_key, placeholder_key in filter_components.FILTERS:
        texts[f"{param}_label"] = t(label_key, lang)
        texts[f"{param}_placeholder"] = t(placeholder_key, lang)
        texts[f"{param}_labels"] = filter_components.dropdown_labels(lang)
    return texts


def _current_page(pathname: str | None) -> dict | None:
    path = (pathname or "/").rstrip("/") or "/"
    return next((p for p in nav_pages() if p["relative_path"] == path), None)


def _document_title(page: dict | None, lang: str) -> str:
    return f"{page_label(page, lang)} · {TITLE}" if page else TITLE


def _register_shell_callbacks(app: Dash) -> None:
    dropdowns = [dropdown for _param, dropdown, *_ in filter_components.FILTERS]

    @app.callback(
        Output(ids.URL, "search"),
        *[Output(dropdown, "value") for dropdown in dropdowns],
        Output(ids.LANG_SWITCH, "value"),
        Input(ids.URL, "search"),
        *[Input(dropdown, "value") for dropdown in dropdowns],
        Input(ids.LANG_SWITCH, "value"),
        Input(ids.FILTER_RESET, "n_clicks"),
        *[State(dropdown, "options") for dropdown in dropdowns],
    )
    def sync_url_and_controls(search, editions, schools, regions, lang, _reset,
                              edition_options, school_options, region_options):
        trigger = ctx.triggered_id
        if trigger in (None, ids.URL):  # a page load, back or forward: the URL wins
            options = dict(zip(FILTER_PARAMS, (edition_options, school_options,
                                               region_options)))
            return no_update, *controls_from_search(search, options)
        if trigger == ids.FILTER_RESET:
            return search_from_controls(search, [], [], [], lang), [], [], [], no_update
        new_search = search_from_controls(search, editions, schools, regions, lang)
        if new_search == (search or ""):
            return (no_update,) * 5
        return new_search, no_update, no_update, no_update, no_update

    outputs = {
        "nav": Output(ids.NAV_LINKS, "children"),
        "filter_title": Output(ids.FILTER_TITLE, "children"),
        "filter_toggle": Output(ids.FILTER_TOGGLE, "children"),
        "reset": Output(ids.FILTER_RESET, "children"),
        "reset_title": Output(ids.FILTER_RESET, "title"),
        "freshness": Output(ids.FRESHNESS_BADGE, "children"),
        "freshness_title": Output(ids.FRESHNESS_BADGE, "title"),
        "demo": Output(ids.DEMO_BANNER, "children"),
        "alert": Output(ids.WAREHOUSE_ALERT, "children"),
        "footer": Output(ids.FOOTER, "children"),
        "skip": Output(ids.SKIP_LINK, "children"),
        "lang_store": Output(ids.LANG_STORE, "data"),
    }
    for param, dropdown, label, _label_key, _placeholder_key in filter_components.FILTERS:
        outputs[f"{param}_label"] = Output(label, "children")
        outputs[f"{param}_placeholder"] = Output(dropdown, "placeholder")
        outputs[f"{param}_labels"] = Output(dropdown, "labels")

    @app.callback(output=outputs, inputs={
        "search": Input(ids.URL, "search"), "pathname": Input(ids.URL, "pathname"),
        "state": State(ids.FRESHNESS_STORE, "data")})
    def translate_shell(search, pathname, state):
        return shell_texts(search, pathname, state)

    app.clientside_callback(
        ClientsideFunction(namespace="impact", function_name="setLanguage"),
        Input(ids.LANG_STORE, "data"),
    )


server = create_app().server

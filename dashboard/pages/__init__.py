"""What every page shares: the state of a view, read from the URL's query string.

A view is its URL (DESIGN.md section 8): `?edition=2024-2025,2025-2026&school=insa-lyon&region=84
&lang=en&tab=paired`. The shell keeps the query string and the filter dropdowns in sync; a page
never reads the dropdowns, it reads the URL:

    @callback(Output(ids.MY_BODY, "children"), Input(ids.URL, "search"))
    def render(search):
        view = context(search)          # filters, scope, lang, k, tab
        figures = my_query(view.filters, view.scope, view.k)
        return my_body(figures, view)   # a pure function: testable without a browser

A page module registers itself with `dash.register_page(__name__, path=..., order=...,
name=<French name>, nav_key=<i18n key of its navbar label>)`. Dash imports every module of this
folder whose name does not start with "_" (this file is skipped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote

from dashboard.i18n import normalise_lang
from dashboard.queries.base import STAFF, Filters, Scope

FILTER_PARAMS = ("edition", "school", "region")
LANG_PARAM = "lang"
TAB_PARAM = "tab"


def parse_search(search: str | None) -> dict[str, str]:
    """'?edition=a,b&lang=en' -> {'edition': 'a,b', 'lang': 'en'} (a repeated key: the last)."""
    return dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=False))


def build_search(params: dict[str, str | None]) -> str:
    """The inverse of parse_search; empty values are dropped, commas stay readable."""
    kept = [(k, v) for k, v in params.items() if v not in (None, "")]
    if not kept:
        return ""
    return "?" + "&".join(f"{quote(k)}={quote(str(v), safe=',-_.~')}" for k, v in kept)


def with_params(search: str | None, **changes: str | None) -> str:
    """The query string with some parameters changed (None removes one); order is kept."""
    params = parse_search(search)
    params.update(changes)
    return build_search(params)


def default_lang() -> str:
    from etl.settings import get_settings

    return get_settings().default_lang


def current_scope() -> Scope:
    """The signed-in account's scope; the full staff view until `dashboard.auth` provides one.

    Every page asks here (never in its layout only), so the scope is enforced on the server.
    """
    try:
        from dashboard import auth
    except ImportError:
        return STAFF
    return auth.current_scope()


@dataclass(frozen=True)
class PageContext:
    """Everything a page callback needs to compute a view."""

    filters: Filters
    scope: Scope
    lang: str
    k: int
    params: dict[str, str] = field(default_factory=dict)

    @property
    def tab(self) -> str | None:
        return self.params.get(TAB_PARAM)

    def search(self, **changes: str | None) -> str:
        """This view's query string, with some parameters changed (for links and tabs)."""
        return with_params(build_search(self.params), **changes)


def context(search: str | None) -> PageContext:
    from etl.settings import get_settings

    params = parse_search(search)
    settings = get_settings()
    return PageContext(filters=Filters.from_query(params), scope=current_scope(),
                       lang=normalise_lang(params.get(LANG_PARAM), settings.default_lang),
                       k=settings.min_cell, params=params)

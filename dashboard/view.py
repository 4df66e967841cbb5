"""The state of a view, read from the URL's query string: what every layer above the queries
needs (pages, the shell, the account menu, error pages, uploads, maps).

A view is its URL (DESIGN.md section 8): `?edition=2024-2025,2025-2026&school=insa-lyon&region=84
&lang=en&tab=paired`. The shell keeps the query string and the filter dropdowns in sync; a page
never reads the dropdowns, it reads the URL. `ViewState` is what a page callback computes a view
for; `dashboard.pages.context(search)` builds one with the signed-in account's scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote

from dashboard.i18n import normalise_lang
from dashboard.queries.base import Filters, Scope

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


def lang_of(asked: str | None) -> str:
    """The language asked for ('en', 'fr'), or the deployment's default for anything else."""
    return normalise_lang(asked, default_lang())


def search_lang(search: str | None) -> str:
    """The language of a view, from its query string."""
    return lang_of(parse_search(search).get(LANG_PARAM))


@dataclass(frozen=True)
class ViewState:
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


def view_state(search: str | None, scope: Scope) -> ViewState:
    """The view a query string asks for, as `scope` may see it."""
    from etl.settings import get_settings

    params = parse_search(search)
    settings = get_settings()
    return ViewState(filters=Filters.from_query(params), scope=scope,
                     lang=normalise_lang(params.get(LANG_PARAM), settings.default_lang),
                     k=settings.min_cell, params=params)

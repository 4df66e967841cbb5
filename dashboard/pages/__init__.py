"""The pages. Each registers itself with `dash.register_page(..., path=..., order=...,
name=<French name>, nav_key=<i18n key of its navbar label>)`, lays itself out and holds its own
callbacks; Dash executes every module of this folder that mentions register_page and whose name
does not start with "_" (this file is skipped). A small page is one module (`overview`,
`report`); a larger one is a package whose `page.py` registers it (`awareness`, `data`,
`outcomes`, `tour`, `admin`: docs/dashboard.md). `login` is no Dash page: the app adds its
Flask routes.

A page reads its view from the URL, never from the dropdowns (`dashboard.view`):

    @callback(Output(ids.MY_BODY, "children"), Input(ids.URL, "search"))
    def render(search):
        view = context(search)          # filters, scope, lang, k, tab
        figures = my_query(view.filters, view.scope, view.k)
        return my_body(figures, view)   # a pure function: testable without a browser
"""

from __future__ import annotations

from dashboard import auth
from dashboard.queries.base import Scope
from dashboard.view import ViewState, view_state


def current_scope() -> Scope:
    """The signed-in account's scope. Every page asks here (never in its layout only), so the
    scope is enforced on the server."""
    return auth.current_scope()


def context(search: str | None) -> ViewState:
    """The view of a query string, for the signed-in account."""
    return view_state(search, current_scope())

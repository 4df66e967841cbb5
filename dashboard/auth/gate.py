"""Who may reach which page and callback: the before-request gate (session, then roles), the
roles of a page and of a callback, and the guard of the page router's layouts.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import dash
from dash import html
from flask import abort, has_request_context, redirect, request

from dashboard.auth.account import current_account
from dashboard.auth.roles import (
    ALL_ROLES, DEFAULT_PAGE_ROLES, callback_rules, checked_roles, path_rules)
from dashboard.i18n import t
from dashboard.queries.base import STAFF
from dashboard.security import callback_body_problem


log = logging.getLogger(__name__)

LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
CALLBACK_PATH = "/_dash-update-component"
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
# "/public": the public impact page (dashboard.public), published figures only.
PUBLIC_PATHS = (LOGIN_PATH, LOGOUT_PATH, "/_favicon.ico", "/favicon.ico", "/public")


def page_roles(page: dict) -> tuple[str, ...]:
    declared = page.get("roles")
    if declared is None:
        path = (page.get("path") or "/").rstrip("/") or "/"
        declared = DEFAULT_PAGE_ROLES.get(path, ALL_ROLES)
    return checked_roles(declared, f"roles of page {page.get('module')}")


def page_for_path(dash_app, path: str) -> dict | None:
    from dash._pages import _path_to_page  # Dash's own matching of paths and templates

    page, _variables = _path_to_page(dash_app.strip_relative_path(path) or "")
    return page or None


def may_open(page: dict | None, account=None) -> bool:
    """May the account (the signed-in one by default; staff outside a request) open it?"""
    if page is None:
        return True
    if account is None and not has_request_context():
        return STAFF.role in page_roles(page)
    account = account if account is not None else current_account()
    return account is not None and account.role in page_roles(page)


def visible_links(links: list) -> list:
    """The navbar's links without the pages the account may not open (the server refuses
    them anyway; this keeps them out of sight)."""
    app = dash.get_app()
    kept = []
    for link in links:
        href = getattr(getattr(link, "children", None), "href", None)
        page = page_for_path(app, href.split("?")[0]) if isinstance(href, str) else None
        if may_open(page):
            kept.append(link)
    return kept


def _output_ids(output_key: str) -> list[str]:
    """'..a.children...b.value..' or 'a.children' -> ['a', 'b']; a pattern-matching id gives
    its "type"."""
    parts = output_key[2:-2].split("...") if output_key.startswith("..") else [output_key]
    found = []
    for part in parts:
        component = part.rsplit(".", 1)[0]
        if component.startswith("{"):
            try:
                component = str(json.loads(component).get("type", ""))
            except (ValueError, AttributeError):
                pass
        found.append(component)
    return found


def page_of_module(module: str | None) -> dict | None:
    """The page a module belongs to: the page's own module, or any module of its package (a
    page that outgrew one module keeps its layout, figures and callbacks side by side)."""
    while module:
        page = dash.page_registry.get(module)
        if page is not None:
            return page
        module = module.rpartition(".")[0]
    return None


def callback_roles(dash_app, output_key: str) -> tuple[str, ...] | None:
    """The roles that may run the callback answering `output_key`; None: any account.
    Raises KeyError for a callback the app does not have."""
    entry = dash_app.callback_map[output_key]
    allowed = set(ALL_ROLES)
    page = page_of_module(getattr(entry.get("callback"), "__module__", None))
    if page is not None:
        allowed &= set(page_roles(page))
    for component in _output_ids(output_key):
        for prefix, roles in callback_rules:
            if component.startswith(prefix):
                allowed &= set(roles)
    return None if allowed == set(ALL_ROLES) else tuple(r for r in ALL_ROLES if r in allowed)


def forbidden_layout(lang: str | None = None) -> html.Div:
    from dashboard.view import default_lang

    lang = lang if lang in ("fr", "en") else default_lang()
    return html.Div(className="page page-forbidden", role="alert", children=[
        html.H1(t("auth.forbidden.title", lang), className="page-title"),
        html.P(t("auth.forbidden.text", lang)),
        dash.dcc.Link(t("auth.forbidden.back", lang), href="/"),
    ])


def _guarded(layout, roles: tuple[str, ...]):
    # A closure, not default arguments: the router passes the URL's query parameters as
    # keyword arguments, and a URL must not be able to replace the roles.
    def guarded(**query):
        account = current_account()
        if account is None or account.role not in roles:
            return forbidden_layout(query.get("lang"))
        return layout(**query) if callable(layout) else layout

    guarded.impact_roles = roles
    return guarded


def guard_page_layouts() -> None:
    """Dash's page router renders a page's layout in a callback: check the roles there too."""
    for page in dash.page_registry.values():
        roles = page_roles(page)
        layout = page.get("layout")
        if roles != ALL_ROLES and getattr(layout, "impact_roles", None) is None:
            page["layout"] = _guarded(layout, roles)


class Gate:
    """The before-request check of every route: session first, then roles."""

    def __init__(self, dash_app):
        self.dash_app = dash_app

    @staticmethod
    def is_public(path: str) -> bool:
        return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)

    def __call__(self):
        path = request.path
        if self.is_public(path):
            return None
        account = current_account()
        if account is None:
            if request.method in ("GET", "HEAD") and not path.startswith("/_"):
                return redirect(f"{LOGIN_PATH}?next={quote(request.full_path.rstrip('?'))}")
            abort(401)
        roles = self.required_roles(path)
        if roles is not None and account.role not in roles:
            log.info("403: role %s refused %s %s", account.role, request.method, path)
            abort(403)
        if path == CALLBACK_PATH and request.method == "POST":
            self.check_callback_body()
        return None

    def check_callback_body(self) -> None:
        """400 for a callback body the renderer never sends (`security.callback_body_problem`),
        before page code meets it."""
        body = request.get_json(silent=True)
        problem = callback_body_problem(body, self.dash_app.callback_map[body["output"]])
        if problem:
            log.info("400: callback %s refused: %s", body["output"], problem)
            abort(400)

    def required_roles(self, path: str) -> tuple[str, ...] | None:
        allowed = set(ALL_ROLES)
        for prefix, roles in path_rules:
            if path.startswith(prefix):
                allowed &= set(roles)
        if path == CALLBACK_PATH and request.method == "POST":
            body = request.get_json(silent=True)
            output = body.get("output") if isinstance(body, dict) else None
            if not isinstance(output, str):
                abort(400)
            try:
                roles = callback_roles(self.dash_app, output)
            except KeyError:
                abort(400)
            if roles is not None:
                allowed &= set(roles)
        elif request.method in ("GET", "HEAD") and not path.startswith("/_"):
            page = page_for_path(self.dash_app, path)
            if page is not None:
                allowed &= set(page_roles(page))
        return None if allowed == set(ALL_ROLES) else tuple(allowed)

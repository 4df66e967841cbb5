"""Who is signed in, what they may open, and what they may see: enforced on the server.

How the scope flows. A signed-in browser holds one cookie: Flask's session, signed with
SECRET_KEY (HttpOnly, SameSite=Lax, Secure in production), holding a random session id. The
warehouse keeps the open sessions (`app_session`, `etl.users`); on every request Flask-Login
looks the id up and reloads the account, so signing out, a new password, disabling or removing
the account, and `impact users end-sessions` end the session everywhere at the next request,
copies of the cookie included, whichever worker or machine serves it and across restarts; a new
role or scope applies at the next request too. `current_scope()`
turns that account into a `Scope`; `dashboard.pages.context(search)` calls it, so every page
callback computes its figures for the server's idea of the account, whatever the browser sends
in the URL: the queries intersect the URL's filters with the scope (`queries.base.effective`).

What is public: the sign-in page (`/login`, `/logout`), the public impact page (`/public`,
published figures only, see dashboard/public/) and static files (`/assets/`,
`/_dash-component-suites/`, the favicon). Everything else needs a session: a page opened
without one redirects to /login?next=...; Dash's own routes (`/_dash-layout`,
`/_dash-dependencies`, `/_dash-update-component`) and any other request answer 401.

Who may open what (403 otherwise):
- a page declares its roles: `dash.register_page(__name__, path="/donnees", ...,
  roles=("admin", "staff"))`; without `roles`, every signed-in account may open it, except the
  paths of `DEFAULT_PAGE_ROLES` (/donnees, /admin), staff-only even if a page forgets to say so.
  The roles are checked for the page's URL, for the page router's rendering of its layout
  (another account gets an "access denied" block) and for every callback defined in the page's
  module: a callback POST crafted outside the UI answers 403.
- a callback defined elsewhere (a shared component) whose outputs belong to a restricted page:
  `restrict_callbacks("data-", ("admin", "staff"))` restricts every callback with an output id
  (or a pattern-matching id's "type") starting with "data-".
- a Flask route (upload, download): decorate it with `@require_roles("admin", "staff")`, or
  `restrict_path("/upload", ("admin", "staff"))`.

Code that runs outside a request (the `impact` command line, reports built by a command,
tests calling page functions) gets the staff scope: it runs with the server's own credentials.
Dash background callbacks would run outside the request too: pass them the scope explicitly.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import secrets
from collections.abc import Callable, Iterable
from urllib.parse import quote

import dash
from dash import Input, Output, html
from flask import abort, has_request_context, redirect, request
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user

from dashboard.i18n import t
from dashboard.queries.base import NOTHING, STAFF, Scope
from dashboard.security import callback_body_problem
from etl.schema import ROLES

log = logging.getLogger(__name__)

ALL_ROLES: tuple[str, ...] = ROLES
STAFF_ROLES = ("admin", "staff")
ADMIN_ROLES = ("admin",)
# Staff-only whatever the page module says (a page that forgets its roles stays closed).
DEFAULT_PAGE_ROLES = {"/donnees": STAFF_ROLES, "/admin": ADMIN_ROLES}

SESSION_COOKIE = "impact_session"
SESSION_LIFETIME = dt.timedelta(hours=8)  # a working day after signing in: sign in again
LOGIN_PATH = "/login"
LOGOUT_PATH = "/logout"
CALLBACK_PATH = "/_dash-update-component"
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
# "/public": the public impact page (dashboard.public), published figures only.
PUBLIC_PATHS = (LOGIN_PATH, LOGOUT_PATH, "/_favicon.ico", "/favicon.ico", "/public")

# component ids of the account menu (shell header)
ACCOUNT_MENU = "account-menu"
ACCOUNT_EMAIL = "account-email"
LOGOUT_BUTTON = "logout-button"

_callback_rules: list[tuple[str, tuple[str, ...]]] = []
_path_rules: list[tuple[str, tuple[str, ...]]] = []
_dev_secret_key: str | None = None


# ---- declarations ----

def _roles(roles: Iterable[str] | str, where: str) -> tuple[str, ...]:
    roles = (roles,) if isinstance(roles, str) else tuple(roles)
    unknown = [r for r in roles if r not in ALL_ROLES]
    if unknown or not roles:
        raise ValueError(f"{where}: unknown role '{unknown[0] if unknown else ''}' "
                         f"(roles are {', '.join(ALL_ROLES)})")
    return roles


def restrict_callbacks(prefix: str, roles: Iterable[str]) -> None:
    """Callbacks with an output id starting with `prefix` answer 403 to other roles."""
    rule = (prefix, _roles(roles, f"restrict_callbacks('{prefix}')"))
    if rule not in _callback_rules:
        _callback_rules.append(rule)


def restrict_path(prefix: str, roles: Iterable[str]) -> None:
    """Any request under the URL path `prefix` answers 403 to other roles."""
    rule = (prefix, _roles(roles, f"restrict_path('{prefix}')"))
    if rule not in _path_rules:
        _path_rules.append(rule)


def require_roles(*roles: str) -> Callable:
    """For a Flask view: 401 without a session, 403 for another role."""
    allowed = _roles(roles, "require_roles")

    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            account = current_account()
            if account is None:
                abort(401)
            if account.role not in allowed:
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorate


# ---- the signed-in account ----

class SignedIn(UserMixin):
    """Flask-Login's user: an account of `etl.users` in one open session (`session_id`, the
    only thing the cookie holds), reloaded at every request."""

    def __init__(self, account, session_id: str):
        self.account = account
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id

    @property
    def is_active(self) -> bool:
        return self.account.is_active


def _load_user(session_id: str) -> SignedIn | None:
    from etl.db import get_engine
    from etl.users import session_account

    if not isinstance(session_id, str):
        return None
    account = session_account(get_engine(), session_id)
    return None if account is None else SignedIn(account, session_id)


def sign_in(account) -> None:
    """Open a session for `account` (in the warehouse, then in the cookie)."""
    from flask_login import login_user

    from etl.db import get_engine
    from etl.users import start_session

    login_user(SignedIn(account, start_session(get_engine(), account, SESSION_LIFETIME)))


def sign_out() -> None:
    """End the request's session in the warehouse: copies of the cookie die with it."""
    from flask_login import logout_user

    from etl.db import get_engine
    from etl.users import end_session

    user = current_user
    if isinstance(user, SignedIn):
        end_session(get_engine(), user.session_id)
    logout_user()


def current_account():
    """The signed-in `etl.users.Account`, or None (anonymous, or outside a request)."""
    if not has_request_context():
        return None
    user = current_user
    if user is None or isinstance(user, AnonymousUserMixin) or not user.is_authenticated:
        return None
    return user.account


def scope_of(account) -> Scope:
    return Scope(role=account.role, editions=tuple(account.editions),
                 regions=tuple(account.regions), schools=tuple(account.schools),
                 user=account.email)


# What a request without a session sees, should any page code run for one: nothing. The gate
# answers 401 before page code runs; but Dash renders the shell's layout once on the first
# request the process receives, whoever sends it (a visitor of /login), to validate it.
NOBODY = Scope(role="anonymous", editions=(NOTHING,), regions=(NOTHING,), schools=(NOTHING,))


def current_scope() -> Scope:
    """The signed-in account's scope; the staff scope outside a request (command line, tests);
    `NOBODY` (no edition, region or school) for a request without a session."""
    if not has_request_context():
        return STAFF
    account = current_account()
    return NOBODY if account is None else scope_of(account)


# ---- pages and callbacks: who may reach them ----

def page_roles(page: dict) -> tuple[str, ...]:
    declared = page.get("roles")
    if declared is None:
        path = (page.get("path") or "/").rstrip("/") or "/"
        declared = DEFAULT_PAGE_ROLES.get(path, ALL_ROLES)
    return _roles(declared, f"roles of page {page.get('module')}")


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


def callback_roles(dash_app, output_key: str) -> tuple[str, ...] | None:
    """The roles that may run the callback answering `output_key`; None: any account.
    Raises KeyError for a callback the app does not have."""
    entry = dash_app.callback_map[output_key]
    allowed = set(ALL_ROLES)
    module = getattr(entry.get("callback"), "__module__", None)
    page = dash.page_registry.get(module) if module else None
    if page is not None:
        allowed &= set(page_roles(page))
    for component in _output_ids(output_key):
        for prefix, roles in _callback_rules:
            if component.startswith(prefix):
                allowed &= set(roles)
    return None if allowed == set(ALL_ROLES) else tuple(r for r in ALL_ROLES if r in allowed)


def forbidden_layout(lang: str | None = None) -> html.Div:
    from dashboard.pages import default_lang

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


def _guard_page_layouts() -> None:
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
        for prefix, roles in _path_rules:
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


# ---- audit ----

def audit(action: str, detail: dict | None = None, actor: str | None = None) -> None:
    """One row of the audit log, by the signed-in account unless `actor` is given."""
    from etl.audit import record
    from etl.db import get_engine

    if actor is None:
        account = current_account()
        actor = account.email if account is not None else None
    with get_engine().begin() as conn:
        record(conn, actor=actor, action=action, detail=detail)


def audit_download(figure: str, fmt: str, filters=None) -> None:
    """Record a file leaving the system; pages call it from their download callbacks."""
    account = current_account()
    query = filters.to_query() if hasattr(filters, "to_query") else dict(filters or {})
    audit_later("download", {"figure": figure, "format": fmt, "filters": query,
                             "role": account.role if account is not None else "staff"})


def audit_later(action: str, detail: dict | None = None) -> None:
    """`audit` for a download: the row is written after the answer, by the process's audit
    writer (`etl.audit.record_later`), so that the download never waits for a load's write
    lock on the warehouse."""
    from etl.audit import record_later
    from etl.db import get_engine

    account = current_account()
    record_later(get_engine(), actor=account.email if account is not None else None,
                 action=action, detail=detail)


# ---- the account menu of the shell ----

def account_menu(lang: str):
    """E-mail, role and a sign-out button (a form POST with the session's CSRF token)."""
    from dashboard.security import CSRF_FIELD, csrf_token

    account = current_account()
    if account is None:
        return None
    return html.Form(id=ACCOUNT_MENU, action=LOGOUT_PATH, method="POST", className="account-menu",
                     **{"aria-label": t("auth.account_label", lang)}, children=[
        html.Span([account.email, html.Span(f" · {t(f'auth.role.{account.role}', lang)}",
                                            className="account-role")],
                  id=ACCOUNT_EMAIL, className="account-email"),
        html.Button(t("auth.logout", lang), id=LOGOUT_BUTTON, type="submit", name=CSRF_FIELD,
                    value=csrf_token(), className="btn btn-sm btn-outline-light"),
    ])


def register_callbacks(app) -> None:
    from dashboard import ids
    from dashboard.i18n import normalise_lang
    from dashboard.pages import LANG_PARAM, default_lang, parse_search

    @app.callback(Output(LOGOUT_BUTTON, "children"), Output(ACCOUNT_EMAIL, "children"),
                  Input(ids.URL, "search"))
    def translate_account_menu(search):
        lang = normalise_lang(parse_search(search).get(LANG_PARAM), default_lang())
        account = current_account()
        role = f" · {t(f'auth.role.{account.role}', lang)}" if account else ""
        return t("auth.logout", lang), [account.email if account else "",
                                        html.Span(role, className="account-role")]


# ---- wiring ----

def secret_key(settings) -> str:
    """SECRET_KEY; production refuses to start without one, development makes one up."""
    from etl.settings import SettingsError

    global _dev_secret_key
    if settings.secret_key:
        if settings.is_production and len(settings.secret_key) < 32:
            log.warning("SECRET_KEY is shorter than 32 characters: use a long random value")
        return settings.secret_key
    if settings.is_production:
        raise SettingsError("SECRET_KEY is not set: IMPACT_ENV=production refuses to start "
                            "without it (python -c 'import secrets; "
                            "print(secrets.token_hex(32))' makes one)")
    if _dev_secret_key is None:
        _dev_secret_key = secrets.token_hex(32)
        log.warning("SECRET_KEY is not set: using a random key for this process (sessions end "
                    "when it stops; several workers need one shared SECRET_KEY)")
    return _dev_secret_key


@functools.cache
def _warehouse_storage_class():
    """Flask-Limiter's counts in the warehouse (`login_failure`), for deployments without
    Redis: every worker and machine of the deployment shares the warehouse, so they share the
    counts. A `limits` storage (moving window only, the strategy `make_limiter` uses), found by
    its URI scheme `impact-warehouse://`. Keys are stored as digests; entries older than their
    window are deleted as the key is counted again."""
    import hashlib
    import time

    from limits.storage import MovingWindowSupport, Storage
    from sqlalchemy import delete, func, select
    from sqlalchemy.exc import SQLAlchemyError

    from etl.schema import login_failure

    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def engine():
        from etl.db import get_engine

        return get_engine()

    class WarehouseLimitStorage(Storage, MovingWindowSupport):
        STORAGE_SCHEME = ["impact-warehouse"]

        @property
        def base_exceptions(self):
            return SQLAlchemyError

        @staticmethod
        def _window(conn, key: str, expiry: int, now: float) -> tuple[float | None, int]:
            oldest, count = conn.execute(
                select(func.min(login_failure.c.at), func.count())
                .where(login_failure.c.limit_key == digest(key),
                       login_failure.c.at > now - expiry)).one()
            return oldest, count

        def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
            now = time.time()
            with engine().begin() as conn:
                conn.execute(delete(login_failure).where(
                    login_failure.c.limit_key == digest(key), login_failure.c.at <= now - expiry))
                if self._window(conn, key, expiry, now)[1] + amount > limit:
                    return False
                conn.execute(login_failure.insert(),
                             [{"limit_key": digest(key), "at": now}] * amount)
            return True

        def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
            now = time.time()
            with engine().connect() as conn:
                oldest, count = self._window(conn, key, expiry, now)
            return (oldest if oldest is not None else now), count

        def incr(self, key: str, expiry: int, amount: int = 1) -> int:
            self.acquire_entry(key, 2**31, expiry, amount)
            return self.get_moving_window(key, 0, expiry)[1]

        def get(self, key: str) -> int:
            with engine().connect() as conn:
                return conn.execute(select(func.count()).where(
                    login_failure.c.limit_key == digest(key))).scalar_one()

        def get_expiry(self, key: str) -> float:
            return time.time()

        def check(self) -> bool:
            try:
                with engine().connect() as conn:
                    conn.execute(select(func.count()).select_from(login_failure))
                return True
            except SQLAlchemyError:
                return False

        def reset(self) -> int | None:
            with engine().begin() as conn:
                return conn.execute(delete(login_failure)).rowcount

        def clear(self, key: str) -> None:
            with engine().begin() as conn:
                conn.execute(delete(login_failure).where(
                    login_failure.c.limit_key == digest(key)))

    return WarehouseLimitStorage


WAREHOUSE_LIMITS = "impact-warehouse://"


def limiter_storage_uri(settings) -> str:
    """Where failed sign-ins are counted: Redis when REDIS_URL is set, else the warehouse.
    Both are shared by every worker of a deployment (a worker's memory is not)."""
    if settings.redis_url:
        return settings.redis_url
    _warehouse_storage_class()  # registers its URI scheme with `limits`
    return WAREHOUSE_LIMITS


def make_limiter(server, settings):
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    return Limiter(key_func=get_remote_address, app=server, default_limits=[],
                   storage_uri=limiter_storage_uri(settings), strategy="moving-window",
                   key_prefix="impact", headers_enabled=False,
                   in_memory_fallback_enabled=bool(settings.redis_url))


def init_app(dash_app, settings) -> None:
    """Sessions, the sign-in routes, the request gate and the page guards."""
    from dashboard.pages import login

    server = dash_app.server
    server.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookies_secure,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # The cookie is sent again only when the session changes, never with a static file
        # (a shared cache must not keep one account's cookie with a file served to all).
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    manager = LoginManager()
    manager.session_protection = "basic"
    manager.user_loader(_load_user)
    manager.init_app(server)
    for page in dash.page_registry.values():
        page_roles(page)  # a typo in a page's roles stops the start, not a request
    _guard_page_layouts()
    login.add_routes(server, make_limiter(server, settings))
    server.before_request(Gate(dash_app))
    register_callbacks(dash_app)

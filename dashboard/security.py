"""Hardening of every response and every state-changing request.

- Security headers on every response (`add_headers`): a content security policy under which
  Dash and plotly work, nosniff, same-origin referrer, no framing. Dash runs a few inline
  scripts (its renderer, inline clientside callbacks): they are allowed by their hashes,
  `Dash.csp_hashes()`, never by 'unsafe-inline'. plotly.js writes inline styles, hence
  style-src 'unsafe-inline' (styles cannot run code). Image exports build data: and blob: URLs.
- Cross-site requests: an unsafe request (POST...) whose Origin (or, without one, Referer) is
  another site is refused with 403 (`check_origin`). Dash callbacks are JSON POSTs, so this and
  the SameSite=Lax session cookie protect them; HTML forms (login, logout, upload) also carry a
  token tied to the session (`csrf_token()` in the form, `check_csrf(request)` in the view).
- Request size: MAX_CONTENT_LENGTH from IMPACT_MAX_UPLOAD_MB (plus 1 MB for the form around the
  file); a larger body gets 413.
- Callback bodies the renderer never sends (inputs or state that are not the callback's, a URL
  that is not text, a click count that is not a whole number) answer 400 before page code runs
  (`callback_body_problem`, called by `dashboard.auth.Gate` once the roles are checked); a
  path under /_dash-component-suites/ that Dash does not serve answers 404.
- Errors: plain pages without a stack trace (Dash's debug mode stays off); the details go to
  the server log, which holds no password and no person's identifier.

For an upload route (a dedicated Flask route, not a callback):

    from dashboard.security import check_csrf, csrf_token
    # in the page layout: html.Input(type="hidden", name=CSRF_FIELD, value=csrf_token())
    #   or send it from JavaScript as the X-CSRF-Token header
    @server.post("/upload")
    @require_roles("admin", "staff")          # dashboard.auth
    def upload():
        check_csrf(request)                   # 403 when the token is missing or wrong
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from urllib.parse import urlsplit

from dash.exceptions import DependencyException
from flask import Flask, Request, Response, request, session
from werkzeug.exceptions import Forbidden, HTTPException

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_SESSION_KEY = "_csrf"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# Answers that hold an account's figures or forms: never kept by a browser or a proxy. (Dash's
# scripts and the assets stay cacheable: they are the same for everybody.)
NO_STORE_PATHS = ("/_dash-layout", "/_dash-dependencies", "/_dash-update-component", "/login",
                  "/logout")
FORM_ENVELOPE_BYTES = 1024 * 1024  # the multipart form around an uploaded file

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

ERROR_TEXT = {
    400: ("Requête invalide.", "Bad request."),
    401: ("Connexion requise.", "Sign-in required."),
    403: ("Accès refusé.", "Access denied."),
    404: ("Page introuvable.", "Page not found."),
    405: ("Méthode non autorisée.", "Method not allowed."),
    413: ("Fichier ou requête trop volumineux.", "File or request too large."),
    429: ("Trop de tentatives : réessayez dans quelques minutes.",
          "Too many attempts: try again in a few minutes."),
    500: ("Une erreur est survenue. Elle a été enregistrée ; réessayez plus tard.",
          "Something went wrong. It has been logged; please try again later."),
}


class CSRFError(Forbidden):
    description = "The form has expired or did not come from this site: reload the page."


class CrossOriginError(Forbidden):
    description = "Cross-site request refused."


# ---- content security policy ----

def content_security_policy(script_hashes: list[str]) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class HeaderPolicy:
    """The headers of one Dash app; the CSP is recomputed until Dash has registered its last
    inline script (its page router adds one on the first request), then kept. In production,
    HSTS too: browsers then refuse plain HTTP for the site (they ignore it over HTTP)."""

    def __init__(self, dash_app, production: bool = False):
        self.dash_app = dash_app
        self.production = production
        self._csp: str | None = None

    def csp(self) -> str:
        if self._csp is not None:
            return self._csp
        csp = content_security_policy(self.dash_app.csp_hashes())
        if all(self.dash_app._got_first_request.values()):
            self._csp = csp
        return csp

    def add_headers(self, response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", self.csp())
        for name, value in STATIC_HEADERS.items():
            if name == "X-Frame-Options" and getattr(response, "frameable", False):
                continue  # a page others may frame says so in its CSP (dashboard.public)
            response.headers.setdefault(name, value)
        if self.production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path in NO_STORE_PATHS or response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


# ---- CSRF ----

def csrf_token() -> str:
    """The session's anti-forgery token (created on first use); put it in every HTML form."""
    token = session.get(CSRF_SESSION_KEY)
    if not token:
        token = session[CSRF_SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def csrf_valid(req: Request) -> bool:
    expected = session.get(CSRF_SESSION_KEY)
    sent = req.form.get(CSRF_FIELD) or req.headers.get(CSRF_HEADER) or ""
    return bool(expected) and hmac.compare_digest(str(sent), str(expected))


def check_csrf(req: Request) -> None:
    """Refuse (403) a form whose token is missing or not the session's."""
    if not csrf_valid(req):
        raise CSRFError()


# ---- origin ----

def same_origin(req: Request) -> bool:
    """False when the browser says the request comes from another site.

    Browsers send Origin with every cross-site POST (and with same-site fetches); without it,
    Referer. A request with neither comes from a program (curl, the tests), not from a page a
    victim visits, so it is let through (the session still decides). Only the host and port
    are compared: behind a reverse proxy serving HTTPS the app itself sees http.
    """
    source = req.headers.get("Origin")
    if source is None:
        source = req.headers.get("Referer")
        if not source:
            return True
    if source == "null":
        return False
    return urlsplit(source).netloc.lower() == (req.host or "").lower()


def check_origin() -> None:
    if request.method not in SAFE_METHODS and not same_origin(request):
        log.warning("cross-origin %s to %s refused", request.method, request.path)
        raise CrossOriginError()


# ---- callback requests ----

# Properties whose type the renderer never varies: dcc.Location's and dcc.Link's URL parts are
# text, click counters whole numbers. A page calls string methods on the first and arithmetic
# on the second; a forged body giving a list or a number is refused before it gets there.
TEXT_PROPERTIES = ("search", "pathname", "hash", "href")
COUNT_PROPERTIES = ("n_clicks", "submit_n_clicks", "cancel_n_clicks", "n_submit", "n_blur")
WILDCARDS = (["ALL"], ["MATCH"], ["ALLSMALLER"])
ID_VALUE_TYPES = (str, int, float, bool)  # what Dash accepts in a pattern-matching id


def _value_problem(item: dict, prop: str) -> str | None:
    if "value" not in item or item["value"] is None:
        return None
    value = item["value"]
    if prop in TEXT_PROPERTIES and not isinstance(value, str):
        return f"{prop} is not text"
    if prop in COUNT_PROPERTIES and (isinstance(value, bool) or not isinstance(value, int)):
        return f"{prop} is not a whole number"
    return None


def _pattern_problem(sent, pattern: dict) -> str | None:
    if not isinstance(sent, dict) or set(sent) != set(pattern):
        return "an id that does not match the callback's pattern"
    for key, expected in pattern.items():
        if expected in WILDCARDS:
            if not isinstance(sent[key], ID_VALUE_TYPES):
                return f"an id whose '{key}' is not a plain value"
        elif sent[key] != expected:
            return "an id that does not match the callback's pattern"
    return None


def _item_problem(item, declared: dict) -> str | None:
    """One entry of `inputs` or `state` against the callback's declaration of it."""
    declared_id, prop = declared["id"], declared["property"]
    pattern = json.loads(declared_id) if declared_id.startswith("{") else None
    entries = item if pattern is not None and isinstance(item, list) else [item]
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("property") != prop:
            return f"an entry that is not the callback's {prop}"
        if pattern is None:
            if entry.get("id") != declared_id:
                return f"an entry that is not the callback's {declared_id}"
        else:
            problem = _pattern_problem(entry.get("id"), pattern)
            if problem:
                return problem
        problem = _value_problem(entry, prop)
        if problem:
            return problem
    return None


def callback_body_problem(body: dict, declared: dict) -> str | None:
    """What is wrong with a callback request as Dash's renderer never sends it (None: nothing):
    its inputs and state must be the ones the callback declares, in order, with values of the
    right type where the type is known. `declared`: the callback's entry in
    `Dash.callback_map`."""
    if not isinstance(body.get("outputs"), (dict, list)):
        return "outputs are not an object or a list"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds is not a list of text"
    for key in ("inputs", "state"):
        sent = body.get(key, [])
        expected = declared.get(key, [])
        if not isinstance(sent, list) or len(sent) != len(expected):
            return f"{key} are not the callback's {len(expected)}"
        for item, spec in zip(sent, expected):
            problem = _item_problem(item, spec)
            if problem:
                return f"{key}: {problem}"
    return None


# ---- errors ----

def _lang() -> str:
    from dashboard.view import default_lang

    asked = request.args.get("lang") if request else None
    return asked if asked in ("fr", "en") else default_lang()


def error_page(code: int, lang: str | None = None) -> str:
    lang = lang or _lang()
    fr, en = ERROR_TEXT.get(code, ERROR_TEXT[500])
    text = fr if lang == "fr" else en
    back = "Retour à l'accueil" if lang == "fr" else "Back to the home page"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{code} · Latitudes Impact</title></head><body>"
            f'<main style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;'
            f'padding:0 1rem;color:#1f2937"><h1>{text}</h1>'
            f'<p><a href="/" style="color:#005a8c">{back}</a></p></main></body></html>')


def _wants_html() -> bool:
    return not request.path.startswith("/_") and request.accept_mimetypes.accept_html


def _error_response(code: int) -> Response:
    if _wants_html():
        return Response(error_page(code), status=code, mimetype="text/html")
    fr, en = ERROR_TEXT.get(code, ERROR_TEXT[500])
    return Response(fr if _lang() == "fr" else en, status=code, mimetype="text/plain")


ERROR_VIEWS = "impact_error_views"


def answer_error_with(server: Flask, code: int, path: str, view) -> None:
    """Answer the error `code` on the URL path `path` with `view()` rather than the plain error
    page (the sign-in form answers its own 429)."""
    server.extensions.setdefault(ERROR_VIEWS, {})[(code, path.rstrip("/"))] = view


def register_error_handlers(server: Flask) -> None:
    @server.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400 or error.response is not None:
            return error
        view = server.extensions.get(ERROR_VIEWS, {}).get((error.code, request.path.rstrip("/")))
        return view() if view is not None else _error_response(error.code)

    @server.errorhandler(DependencyException)
    def no_such_file(_error: DependencyException):
        # Dash's answer to a /_dash-component-suites/ path it does not serve: a 404, not a bug.
        log.info("404: no Dash file at %s", request.path)
        return _error_response(404)

    @server.errorhandler(Exception)
    def unexpected(error: Exception):
        # Dash's PreventUpdate and friends have their own handlers, more specific than this.
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _error_response(500)


def install(dash_app, settings) -> HeaderPolicy:
    """Headers, origin check, size limit and error pages for the app's Flask server."""
    server = dash_app.server
    server.config["MAX_CONTENT_LENGTH"] = (settings.max_upload_mb * 1024 * 1024
                                           + FORM_ENVELOPE_BYTES)
    policy = HeaderPolicy(dash_app, production=settings.is_production)
    server.before_request(check_origin)
    server.after_request(policy.add_headers)
    register_error_handlers(server)
    trust_proxies(server, settings.trusted_proxies)
    return policy


def trust_proxies(server, count: int) -> None:
    """Behind `count` reverse proxies, take the visitor's address, scheme and host from their
    X-Forwarded-* headers (werkzeug's ProxyFix), so that the sign-in limit per address counts
    visitors and the origin check sees the public host. With no proxy (0) those headers are
    ignored: anybody could send them."""
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count, x_proto=count, x_host=count)

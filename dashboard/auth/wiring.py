"""Sessions, the request gate and the page guards installed on the app's server (the app adds
the sign-in routes), with the key that signs the session cookie.
"""

from __future__ import annotations

import logging
import secrets

import dash
from flask_login import LoginManager

from dashboard.auth.account import SESSION_COOKIE, SESSION_LIFETIME, load_user
from dashboard.auth.gate import Gate, guard_page_layouts, page_roles
from dashboard.auth.menu import register_callbacks


log = logging.getLogger(__name__)

_dev_secret_key: str | None = None


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


def init_app(dash_app, settings) -> None:
    """Sessions, the request gate and the page guards (the app adds the sign-in routes)."""
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
    manager.user_loader(load_user)
    manager.init_app(server)
    for page in dash.page_registry.values():
        page_roles(page)  # a typo in a page's roles stops the start, not a request
    guard_page_layouts()
    server.before_request(Gate(dash_app))
    register_callbacks(dash_app)

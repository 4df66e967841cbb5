"""The sign-in page (/login) and sign-out (/logout): plain Flask views, not a Dash page.

A visitor without a session may not reach Dash's layout and callback routes at all
(`dashboard.auth`), so this page is HTML rendered on the server: one form POST, no JavaScript,
the shell's look (vendored Bootstrap and impact.css). Dash only imports the modules of this
folder that declare a Dash page, so it leaves this one alone; the app adds its routes
(`add_routes`).

- One message for every failure, "E-mail ou mot de passe incorrect": it does not say whether
  the account exists (a disabled account gets it too); the reason goes to the audit log only,
  with the e-mail typed (accounts are not people's data), never the password.
- Failed sign-ins are limited per account and per address (`ACCOUNT_LIMIT`, `ADDRESS_LIMIT`,
  Flask-Limiter), counted for every worker of the deployment: in Redis when REDIS_URL is set,
  else in the warehouse (`dashboard.auth.limiter_storage_uri`); over the limit the form answers
  429 and does not check the password. Successful sign-ins do not count.
- Signing in opens a session in the warehouse, signing out ends it there (`dashboard.auth`):
  a copy of the cookie dies with it.
- The form carries the session's CSRF token; signing in starts a new session (and a new token).
- `next` brings the user back to the page they asked for, only ever a path of this site.
"""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlencode, urlsplit

from flask import Response, g, redirect, render_template_string, request, session

from dashboard.i18n import t
from dashboard.security import answer_error_with
from dashboard.view import default_lang, lang_of, parse_search, with_params

log = logging.getLogger(__name__)

ACCOUNT_LIMIT = "5 per 15 minutes"   # failed sign-ins for one e-mail, from anywhere
ADDRESS_LIMIT = "20 per 15 minutes"  # failed sign-ins from one address, whatever the e-mail

PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>{{ t("login.title") }} · Latitudes Impact</title>
  <link rel="icon" href="/assets/favicon.ico">
  <link rel="stylesheet" href="/assets/vendor/bootstrap.min.css">
  <link rel="stylesheet" href="/assets/impact.css">
</head>
<body>
<div class="impact-app login-page">
  <a class="skip-link" href="#main">{{ t("login.skip") }}</a>
  <header class="app-header">
    <div class="container-xxl app-header-inner">
      <span class="brand"><span class="brand-mark" aria-hidden="true">L</span><span>
        <span class="brand-name">Latitudes</span><span class="brand-product"> Impact</span>
      </span></span>
      <nav class="login-lang" aria-label="{{ t('login.lang_label') }}">
        <a href="{{ other_lang_url }}" lang="{{ other_lang }}" hreflang="{{ other_lang }}"
           class="btn btn-sm btn-outline-light">{{ t("login.other_lang") }}</a>
      </nav>
    </div>
  </header>
  <main id="main" class="container-xxl app-main login-main" tabindex="-1">
    <section class="login-card" aria-labelledby="login-title">
      <h1 id="login-title" class="page-title">{{ t("login.title") }}</h1>
      <p class="page-lede">{{ t("login.lede") }}</p>
      {% if message %}
      <div id="login-message" class="alert {{ 'alert-danger' if is_error else 'alert-info' }}"
           role="{{ 'alert' if is_error else 'status' }}">{{ message }}</div>
      {% endif %}
      <form method="post" action="/login" class="login-form">
        <input type="hidden" name="csrf_token" value="{{ csrf }}">
        <input type="hidden" name="next" value="{{ next }}">
        <input type="hidden" name="lang" value="{{ lang }}">
        <div class="mb-3">
          <label class="form-label" for="login-email">{{ t("login.email") }}</label>
          <input class="form-control" id="login-email" name="email" type="email"
                 autocomplete="username" required spellcheck="false" value="{{ email }}"
                 {% if is_error %}aria-invalid="true" aria-describedby="login-message"{% endif %}
                 {% if not email %}autofocus{% endif %}>
        </div>
        <div class="mb-3">
          <label class="form-label" for="login-password">{{ t("login.password") }}</label>
          <input class="form-control" id="login-password" name="password" type="password"
                 autocomplete="current-password" required
                 {% if is_error %}aria-invalid="true" aria-describedby="login-message"{% endif %}
                 {% if email %}autofocus{% endif %}>
        </div>
        <button class="btn btn-primary login-submit" type="submit">{{ t("login.submit") }}</button>
      </form>
      <p class="login-help">{{ t("login.forgot") }}</p>
    </section>
  </main>
</div>
</body>
</html>"""


def _lang() -> str:
    return lang_of(request.values.get("lang"))


def safe_next(value: str | None) -> str:
    """A path of this site to go back to after signing in; anything else gives '/'."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if (not value.startswith("/") or value.startswith("//") or "\\" in value
            or parts.scheme or parts.netloc
            or parts.path.rstrip("/") in ("/login", "/logout")):
        return "/"
    return value


def _with_lang(path: str, lang: str) -> str:
    if lang == default_lang():
        return path
    parts = urlsplit(path)
    if "lang" in parse_search(parts.query):
        return path
    return parts.path + with_params("?" + parts.query, lang=lang)


def render(message_key: str | None = None, *, is_error: bool = True, status: int = 200,
           email: str = "") -> Response:
    from dashboard.security import csrf_token

    lang = _lang()
    next_path = safe_next(request.values.get("next"))
    other = "en" if lang == "fr" else "fr"
    query = {"lang": other, **({"next": next_path} if next_path != "/" else {})}
    html = render_template_string(
        PAGE, lang=lang, t=lambda key: t(key, lang), csrf=csrf_token(), next=next_path,
        email=email, message=t(message_key, lang) if message_key else None, is_error=is_error,
        other_lang=other, other_lang_url="/login?" + urlencode(query))
    return Response(html, status=status, mimetype="text/html")


def account_key() -> str:
    """The rate-limit key of the e-mail typed: a digest, so logs and Redis never hold it."""
    email = (request.form.get("email") or "").strip().lower()
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def _failed(_response) -> bool:
    return bool(g.get("login_failed"))


def login_view():
    from dashboard.auth import audit, current_account, sign_in
    from dashboard.security import csrf_token, csrf_valid
    from etl.db import get_engine
    from etl.users import authenticate

    if request.method in ("GET", "HEAD"):  # HEAD: the GET's answer without its body
        if current_account() is not None:
            return redirect(_with_lang(safe_next(request.args.get("next")), _lang()))
        return render("login.signed_out" if request.args.get("bye") else None, is_error=False)
    email = (request.form.get("email") or "").strip()
    if not csrf_valid(request):
        return render("login.expired", status=400, email=email)
    account, reason = authenticate(get_engine(), email, request.form.get("password") or "")
    if account is None:
        g.login_failed = True
        audit("login_failed", {"email": email.lower()[:254], "reason": reason}, actor=None)
        log.info("sign-in refused (%s)", reason)
        return render("login.error", email=email)
    session.clear()  # a new session: nothing carried over from before signing in
    sign_in(account)
    session.permanent = True
    csrf_token()
    audit("login", {"role": account.role}, actor=account.email)
    return redirect(_with_lang(safe_next(request.form.get("next")), _lang()))


def logout_view():
    from dashboard.auth import audit, current_account, sign_out
    from dashboard.security import check_csrf

    account = current_account()
    if account is not None:
        check_csrf(request)
        sign_out()  # ends it in the warehouse: a copy of the cookie opens nothing any more
        audit("logout", actor=account.email)
    session.clear()
    lang = _lang()
    return redirect("/login?bye=1" + (f"&lang={lang}" if lang == "en" else ""))


def throttled_response() -> Response:
    """The form again, with 429, when a limit of failed sign-ins is reached."""
    from dashboard.auth import audit

    email = (request.form.get("email") or "").strip()
    audit("login_throttled", {"email": email.lower()[:254]}, actor=None)
    log.warning("sign-in throttled")
    return render("login.throttled", status=429, email=email)


def add_routes(server, limiter) -> None:
    """Add /login (GET, POST: rate-limited on failures) and /logout (POST) to the server;
    over a limit, the form answers 429 itself."""
    view = login_view
    for limit, key in ((ACCOUNT_LIMIT, account_key), (ADDRESS_LIMIT, None)):
        view = limiter.limit(limit, key_func=key, methods=["POST"], deduct_when=_failed)(view)
    server.add_url_rule("/login", "login", view, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout_view, methods=["POST"])
    answer_error_with(server, 429, "/login", throttled_response)

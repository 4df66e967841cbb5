"""Hardening: headers, cookies, throttled sign-ins, CSRF, cross-origin requests, request size,
error pages, and production refusing to start without SECRET_KEY."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner

from dashboard import security
from etl import settings as etl_settings
from etl.settings import SettingsError
from tests.auth_helpers import (
    ACCOUNTS,
    PASSWORD,
    client_for,
    csrf_of,
    demo_warehouse,
    sign_in,
    url_callback,
)
from tests.conftest import make_settings

SITE = "http://localhost"  # the test client's origin


@pytest.fixture(scope="module")
def warehouse_url(tmp_path_factory):
    yield demo_warehouse(tmp_path_factory, "security")
    etl_settings.configure(None)


@pytest.fixture
def make_app(warehouse_url):
    """A new app for each test, failed sign-ins counted from zero (they are kept in the
    warehouse, shared by every app of this module), with optional settings changes."""
    from dashboard.app import create_app

    def make(**changes):
        app = create_app(make_settings(warehouse_url).replace(**changes))
        forget_failed_sign_ins()
        return app
    return make


def forget_failed_sign_ins() -> None:
    from sqlalchemy import delete

    from etl.db import get_engine
    from etl.schema import login_failure

    with get_engine().begin() as conn:
        conn.execute(delete(login_failure))


@pytest.fixture(scope="module")
def app(warehouse_url):
    """One app for the tests that change nothing in it."""
    from dashboard.app import create_app

    return create_app(make_settings(warehouse_url))


@pytest.fixture(scope="module")
def clients(app):
    return {role: client_for(app, role) for role in ("anonymous", *ACCOUNTS)}


@pytest.fixture
def fresh_app(make_app):
    """An app of its own: rate limits counted from zero."""
    return make_app()


# ---- headers ----

@pytest.mark.parametrize("role, path", [
    ("anonymous", "/login"), ("anonymous", "/"), ("anonymous", "/_dash-layout"),
    ("anonymous", "/assets/impact.css"), ("staff", "/"), ("staff", "/_dash-layout"),
    ("staff", "/no-such-page"), ("funder", "/admin"),
])
def test_every_response_carries_the_security_headers(clients, role, path):
    answer = clients[role].get(path)
    headers = answer.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    csp = dict(part.strip().split(" ", 1) for part in
               headers["Content-Security-Policy"].split(";"))
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'" and csp["connect-src"] == "'self'"
    assert csp["img-src"] == "'self' data: blob:"
    assert csp["style-src"] == "'self' 'unsafe-inline'"
    assert "'unsafe-inline'" not in csp["script-src"] and "unsafe-eval" not in csp["script-src"]


def test_the_script_policy_allows_dash_inline_scripts_by_hash(app, clients):
    page = clients["staff"].get("/")
    policy = page.headers["Content-Security-Policy"]
    for digest in app.csp_hashes():
        assert digest in policy
    assert "var renderer = new DashRenderer();" in page.get_data(as_text=True)


def test_pages_and_data_are_not_cached_but_static_files_are(clients):
    client = clients["staff"]
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/_dash-layout").headers["Cache-Control"] == "no-store"
    assert url_callback("overview-body", "").post(client).headers["Cache-Control"] == "no-store"
    for static in ("/assets/impact.css", "/_dash-component-suites/dash/dcc/async-graph.js",
                   "/_dash-component-suites/plotly/package_data/plotly.min.js"):
        answer = client.get(static)
        assert answer.status_code == 200
        assert "no-store" not in answer.headers.get("Cache-Control", "")
        assert "Set-Cookie" not in answer.headers  # a shared cache never keeps a session


# ---- cookies and keys ----

def _session_cookie(answer) -> str:
    return next(c for c in answer.headers.getlist("Set-Cookie")
                if c.startswith("impact_session="))


def test_the_session_cookie_is_httponly_and_samesite_lax(app):
    cookie = _session_cookie(sign_in(app.server.test_client(), ACCOUNTS["staff"][0]))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_production_cookies_are_secure_and_https_is_required(make_app, clients):
    app = make_app(env="production", secret_key="x" * 40)
    answer = sign_in(app.server.test_client(), ACCOUNTS["staff"][0])
    cookie = _session_cookie(answer)
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in clients["anonymous"].get("/login").headers


def test_a_cookie_signed_with_another_key_is_no_session(make_app):
    first = make_app(secret_key="first-key-" * 4)
    cookie = _session_cookie(sign_in(first.server.test_client(), ACCOUNTS["staff"][0]))
    second = make_app(secret_key="second-key-" * 4)
    client = second.server.test_client()
    client.set_cookie("impact_session", cookie.split(";")[0].split("=", 1)[1])
    assert client.get("/_dash-layout").status_code == 401


def test_production_refuses_to_start_without_a_secret_key(make_app):
    with pytest.raises(SettingsError, match="^SECRET_KEY is not set: IMPACT_ENV=production "
                                            "refuses to start without it"):
        make_app(env="production", secret_key="")


def test_impact_serve_says_so_in_one_line(warehouse_url, monkeypatch):
    from impact.cli import cli

    monkeypatch.setenv("DATABASE_URL", warehouse_url)
    monkeypatch.setenv("IMPACT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "")
    etl_settings.configure(None)
    import dashboard.app  # noqa: F401 - imported before, as in a process that serves
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 1
    assert result.output.startswith("impact: SECRET_KEY is not set")
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_development_without_a_key_makes_one_up_and_warns(make_app, caplog):
    from dashboard.auth import wiring

    wiring._dev_secret_key = None
    with caplog.at_level(logging.WARNING, logger="dashboard.auth"):
        app = make_app(secret_key="")
    assert len(app.server.secret_key) == 64
    assert "SECRET_KEY is not set" in caplog.text and "several workers" in caplog.text
    assert make_app(secret_key="").server.secret_key == app.server.secret_key  # one per process


# ---- throttling ----

def test_failed_sign_ins_are_limited_per_account(fresh_app):
    email = ACCOUNTS["funder"][0]
    for attempt in range(5):
        answer = sign_in(fresh_app.server.test_client(), email, "wrong-password",
                         address=f"10.0.0.{attempt}")
        assert answer.status_code == 200
    blocked = sign_in(fresh_app.server.test_client(), email, PASSWORD,  # even the right one
                      address="10.0.1.1")
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.get_data(as_text=True)
    other = sign_in(fresh_app.server.test_client(), ACCOUNTS["staff"][0])
    assert other.status_code == 302  # other accounts are not locked out


def test_failed_sign_ins_are_limited_per_address(fresh_app):
    address = "10.9.9.9"
    for attempt in range(20):
        answer = sign_in(fresh_app.server.test_client(), f"nobody{attempt}@example.org",
                         "wrong-password", address=address)
        assert answer.status_code == 200
    blocked = sign_in(fresh_app.server.test_client(), ACCOUNTS["staff"][0], address=address)
    assert blocked.status_code == 429
    assert sign_in(fresh_app.server.test_client(), ACCOUNTS["staff"][0],
                   address="10.9.9.10").status_code == 302


def test_without_redis_the_counts_are_in_the_warehouse_for_every_worker(make_app):
    """Two apps on one warehouse stand for two gunicorn workers (tests/test_multiworker.py
    runs the real thing): failures counted by one are counted by the other."""
    from sqlalchemy import select

    from etl.db import get_engine
    from etl.schema import login_failure

    first, second = make_app(), make_app()
    email = ACCOUNTS["funder"][0]
    for attempt in range(5):
        worker = (first, second)[attempt % 2]
        assert sign_in(worker.server.test_client(), email, "wrong-password",
                       address="10.7.7.7").status_code == 200
    for worker in (first, second):
        assert sign_in(worker.server.test_client(), email, PASSWORD,
                       address="10.7.7.8").status_code == 429
    with get_engine().connect() as conn:
        stored = conn.execute(select(login_failure.c.limit_key)).scalars().all()
    assert len(stored) == 5 + 5  # each failure counts once for the account, once for the address
    assert not any(email in key or "10.7.7.7" in key for key in stored)  # digests only


def _fail_twenty_times_behind_a_proxy(app, visitor_prefix: str) -> None:
    """20 failed sign-ins, all through one proxy (10.0.0.1), each from its own visitor."""
    for attempt in range(20):
        client = app.server.test_client()
        headers = {"X-Forwarded-For": f"{visitor_prefix}.{attempt}"}
        token = csrf_of(client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                                   headers=headers).get_data(as_text=True))
        answer = client.post("/login", data={"email": f"nobody{attempt}@example.org",
                                             "password": "wrong-password", "csrf_token": token},
                             environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers=headers)
        assert answer.status_code == 200


def test_behind_a_trusted_proxy_the_limit_counts_each_visitor(make_app):
    app = make_app(trusted_proxies=1)
    _fail_twenty_times_behind_a_proxy(app, "198.51.100")
    # The proxy's own address was used 20 times, but each visitor failed once: not locked.
    assert sign_in(app.server.test_client(), ACCOUNTS["staff"][0],
                   address="10.0.0.1").status_code == 302


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(make_app):
    app = make_app()  # IMPACT_TRUSTED_PROXIES=0: X-Forwarded-For cannot dodge the limit
    _fail_twenty_times_behind_a_proxy(app, "203.0.113")
    assert sign_in(app.server.test_client(), ACCOUNTS["staff"][0],
                   address="10.0.0.1").status_code == 429


def test_a_negative_proxy_count_is_refused():
    with pytest.raises(SettingsError, match="IMPACT_TRUSTED_PROXIES"):
        etl_settings.from_environment({"IMPACT_TRUSTED_PROXIES": "-1"}, dotenv=False)


def test_successful_sign_ins_do_not_count(fresh_app):
    for _ in range(8):
        assert sign_in(fresh_app.server.test_client(), ACCOUNTS["school"][0]).status_code == 302


def test_a_throttled_attempt_is_audited(fresh_app):
    from tests.test_auth import audit_rows

    email = ACCOUNTS["admin"][0]
    for _ in range(6):
        sign_in(fresh_app.server.test_client(), email, "wrong-password")
    from etl.db import get_engine

    assert audit_rows(get_engine(), "login_throttled")[-1][2] == {"email": email}


# ---- CSRF ----

def test_the_sign_in_form_needs_its_token(app):
    client = app.server.test_client()
    client.get("/login")
    for token in (None, "forged"):
        data = {"email": ACCOUNTS["staff"][0], "password": PASSWORD}
        if token:
            data["csrf_token"] = token
        answer = client.post("/login", data=data)
        assert answer.status_code == 400
        assert "Le formulaire a expiré" in answer.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_signing_out_needs_the_token(fresh_app):
    client = client_for(fresh_app, "staff")
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/_dash-layout").status_code == 200  # still signed in


def test_check_csrf_takes_the_form_field_or_the_header(app):
    server = app.server
    with server.test_request_context("/upload", method="POST"):
        token = security.csrf_token()
        assert security.csrf_token() == token  # stable within the session
    for kwargs in ({"data": {"csrf_token": token}}, {"headers": {"X-CSRF-Token": token}}):
        with server.test_request_context("/upload", method="POST", **kwargs):
            from flask import session

            session[security.CSRF_SESSION_KEY] = token
            security.check_csrf(__import__("flask").request)
    with server.test_request_context("/upload", method="POST", data={"csrf_token": "forged"}):
        from flask import request, session

        session[security.CSRF_SESSION_KEY] = token
        with pytest.raises(security.CSRFError):
            security.check_csrf(request)


# ---- origin ----

@pytest.mark.parametrize("headers, status", [
    ({}, 200),                                              # a program: no Origin, no Referer
    ({"Origin": SITE}, 200),
    ({"Referer": f"{SITE}/?region=84"}, 200),
    ({"Origin": "https://evil.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Referer": "https://evil.example/page"}, 403),
    ({"Origin": "http://localhost.evil.example"}, 403),
])
def test_cross_origin_callback_posts_are_refused(clients, headers, status):
    assert url_callback("overview-body", "").post(clients["staff"], **headers).status_code == \
        status


def test_a_cross_origin_sign_in_is_refused(app):
    client = app.server.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"email": ACCOUNTS["staff"][0], "password": PASSWORD,
                                         "csrf_token": token},
                         headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403


# ---- size and errors ----

def test_a_request_over_the_upload_limit_gets_413(make_app):
    app = make_app(max_upload_mb=1)
    client = client_for(app, "staff")
    assert app.server.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    answer = client.post("/_dash-update-component", data=b"x" * (3 * 1024 * 1024),
                         content_type="application/json")
    assert answer.status_code == 413


def test_errors_show_no_stack_trace(app, clients, caplog, monkeypatch):
    from dashboard.queries import overview

    def broken(*_args, **_kwargs):  # a bug in the server's code, not a bad request
        raise RuntimeError("a bug")

    monkeypatch.setattr(overview, "headline", broken)
    with caplog.at_level(logging.ERROR, logger="dashboard.security"):
        answer = url_callback("overview-body", "?edition=2023-2024").post(clients["staff"])
    assert answer.status_code == 500
    text = answer.get_data(as_text=True)
    assert text == "Une erreur est survenue. Elle a été enregistrée ; réessayez plus tard."
    assert "Traceback" in caplog.text  # the details go to the server log only
    assert not app.server.debug and not app._dev_tools.ui


def test_error_pages_are_plain_html_for_browsers(clients):
    answer = clients["funder"].get("/admin", headers={"Accept": "text/html"})
    assert answer.status_code == 403
    assert '<html lang="fr">' in answer.get_data(as_text=True)
    assert "Accès refusé" in answer.get_data(as_text=True)


def test_the_warehouse_counts_a_moving_window(warehouse):
    """The storage of the counts without Redis, on SQLite and PostgreSQL: at most `limit`
    entries within `expiry` seconds, entries of another key apart, a cleared key from zero."""
    from limits.storage import storage_from_string

    from dashboard.auth import limiter_storage_uri

    storage = storage_from_string(limiter_storage_uri(etl_settings.get_settings()))
    assert storage.check()
    for _ in range(3):
        assert storage.acquire_entry("account:a", 3, 900)
    assert not storage.acquire_entry("account:a", 3, 900)  # a 4th within 15 minutes
    assert storage.get_moving_window("account:a", 3, 900)[1] == 3
    assert storage.acquire_entry("account:b", 3, 900)  # another key counts apart
    assert storage.acquire_entry("account:a", 3, 0)  # nothing left in a window of 0 s
    storage.clear("account:a")
    assert storage.get_moving_window("account:a", 3, 900)[1] == 0
    assert storage.get_moving_window("account:b", 3, 900)[1] == 1

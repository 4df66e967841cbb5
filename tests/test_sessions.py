"""Sessions end on the server: a copy of the session cookie taken before signing out (or before
a new password, or `impact users end-sessions`, or the admin's button) opens nothing afterwards,
on any route, also in a new process serving the same warehouse."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from etl import settings as etl_settings
from etl import users
from etl.db import get_engine
from tests.auth_helpers import ACCOUNTS, PASSWORD, client_for, demo_warehouse, url_callback
from tests.conftest import make_settings
from tests.test_auth import _logout_token, audit_rows

COOKIE = "impact_session"


@pytest.fixture(scope="module")
def warehouse_url(tmp_path_factory):
    yield demo_warehouse(tmp_path_factory, "sessions")
    etl_settings.configure(None)


@pytest.fixture(scope="module")
def app(warehouse_url):
    from dashboard.app import create_app

    return create_app(make_settings(warehouse_url))


@pytest.fixture
def engine(app):
    return get_engine()


def copy_of_cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def replay(app, cookie: str):
    """A new browser holding only the copied cookie."""
    client = app.server.test_client()
    client.set_cookie(COOKIE, cookie)
    return client


def assert_refused(client) -> None:
    page = client.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert client.get("/_dash-layout").status_code == 401
    assert url_callback("overview-body", "").post(client).status_code == 401


def assert_open(client) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    assert url_callback("overview-body", "").post(client).status_code == 200


def test_a_copy_of_the_cookie_dies_when_its_owner_signs_out(app, engine):
    client = client_for(app, "staff")
    copy = copy_of_cookie(client)
    assert_open(replay(app, copy))
    token = _logout_token(client.get("/_dash-layout").get_json())
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert_refused(replay(app, copy))


def test_other_sessions_of_the_account_stay_open_after_one_signs_out(app):
    laptop, phone = client_for(app, "funder"), client_for(app, "funder")
    token = _logout_token(laptop.get("/_dash-layout").get_json())
    laptop.post("/logout", data={"csrf_token": token})
    assert_open(phone)


def test_a_session_ended_stays_ended_in_a_new_process(app, warehouse_url):
    """A restart: a new app on the same warehouse and SECRET_KEY knows the ended session."""
    from dashboard.app import create_app

    client = client_for(app, "school")
    copy = copy_of_cookie(client)
    client.post("/logout", data={"csrf_token": _logout_token(
        client.get("/_dash-layout").get_json())})
    restarted = create_app(make_settings(warehouse_url))
    assert_refused(replay(restarted, copy))
    fresh = client_for(restarted, "school")  # and signing in again works there
    assert_open(fresh)


def test_a_new_password_ends_every_session_of_the_account(app, engine):
    first, second = client_for(app, "funder"), client_for(app, "funder")
    copies = [copy_of_cookie(first), copy_of_cookie(second)]
    users.set_password(engine, ACCOUNTS["funder"][0], "a-brand-new-password", actor="tests")
    try:
        for copy in copies:
            assert_refused(replay(app, copy))
    finally:
        users.set_password(engine, ACCOUNTS["funder"][0], PASSWORD, actor="tests")


def test_disabling_or_removing_an_account_ends_its_sessions(app, engine):
    users.add_account(engine, "temp@example.org", PASSWORD, "staff", actor="tests")
    from tests.auth_helpers import sign_in

    client = app.server.test_client()
    assert sign_in(client, "temp@example.org").status_code == 302
    copy = copy_of_cookie(client)
    users.update_account(engine, "temp@example.org", is_active=False, actor="tests")
    users.update_account(engine, "temp@example.org", is_active=True, actor="tests")
    assert_refused(replay(app, copy))  # enabling again does not bring the session back

    assert sign_in(client, "temp@example.org").status_code == 302
    copy = copy_of_cookie(client)
    users.remove_account(engine, "temp@example.org", actor="tests")
    users.add_account(engine, "temp@example.org", PASSWORD, "staff", actor="tests")
    try:
        assert_refused(replay(app, copy))  # a new account of the same e-mail neither
    finally:
        users.remove_account(engine, "temp@example.org", actor="tests")


def impact(*args):
    from impact.cli import cli

    etl_settings.configure(None)  # a new process reads its settings again
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        etl_settings.configure(None)


def test_impact_users_end_sessions(app, engine, warehouse_url, monkeypatch):
    users.end_sessions(engine, ACCOUNTS["school"][0], actor="tests")  # from earlier tests
    clients = [client_for(app, "school") for _ in range(2)]
    copies = [copy_of_cookie(c) for c in clients]
    monkeypatch.setenv("DATABASE_URL", warehouse_url)
    ended = impact("users", "end-sessions", ACCOUNTS["school"][0].upper())
    etl_settings.configure(make_settings(warehouse_url))
    assert ended.exit_code == 0, ended.output
    assert ended.output == f"2 sessions ended for {ACCOUNTS['school'][0]}\n"
    for copy in copies:
        assert_refused(replay(app, copy))
    actor, _, detail = audit_rows(engine, "sessions_end")[-1]
    assert actor.startswith("cli") and detail == {"email": ACCOUNTS["school"][0], "sessions": 2}

    again = impact("users", "end-sessions", ACCOUNTS["school"][0])
    etl_settings.configure(make_settings(warehouse_url))
    assert again.output == f"0 sessions ended for {ACCOUNTS['school'][0]}\n"


def test_impact_users_end_sessions_of_nobody_says_so_in_one_line(app, warehouse_url,
                                                                 monkeypatch):
    monkeypatch.setenv("DATABASE_URL", warehouse_url)
    result = impact("users", "end-sessions", "nobody@example.org")
    etl_settings.configure(make_settings(warehouse_url))
    assert result.exit_code == 1
    assert result.output == "impact: no account 'nobody@example.org'\n"


def test_the_admin_page_ends_an_account_sessions_and_audits_it(app, engine):
    from dashboard.pages import admin

    users.end_sessions(engine, ACCOUNTS["staff"][0], actor="tests")  # from earlier tests
    victim = client_for(app, "staff")
    copy = copy_of_cookie(victim)
    admin_client = client_for(app, "admin")
    request = {
        "output": "..admin-create-status.children...admin-edit-status.children..."
                  "admin-version.data...admin-new-password.value...admin-edit-password.value..",
        "outputs": [{"id": i, "property": p} for i, p in (
            ("admin-create-status", "children"), ("admin-edit-status", "children"),
            ("admin-version", "data"), ("admin-new-password", "value"),
            ("admin-edit-password", "value"))],
        "inputs": [{"id": admin.CREATE, "property": "n_clicks", "value": 0},
                   {"id": admin.SAVE, "property": "n_clicks", "value": 0},
                   {"id": admin.TOGGLE, "property": "n_clicks", "value": 0},
                   {"id": admin.RESET, "property": "n_clicks", "value": 0},
                   {"id": admin.END_SESSIONS, "property": "n_clicks", "value": 1},
                   {"id": admin.REMOVE_CONFIRM, "property": "submit_n_clicks", "value": None}],
        "state": [{"id": i, "property": "value", "value": v} for i, v in (
            (admin.NEW_EMAIL, None), (admin.NEW_ROLE, "funder"), (admin.NEW_EDITIONS, []),
            (admin.NEW_REGIONS, []), (admin.NEW_SCHOOLS, []), (admin.NEW_PASSWORD, None),
            (admin.EDIT_ACCOUNT, ACCOUNTS["staff"][0]), (admin.EDIT_ROLE, "staff"),
            (admin.EDIT_EDITIONS, []), (admin.EDIT_REGIONS, []), (admin.EDIT_SCHOOLS, []),
            (admin.EDIT_PASSWORD, None))]
        + [{"id": admin.VERSION, "property": "data", "value": 0},
           {"id": "url", "property": "search", "value": "?lang=en"}],
        "changedPropIds": [f"{admin.END_SESSIONS}.n_clicks"],
    }
    answer = admin_client.post("/_dash-update-component", json=request)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    message = answer.get_json()["response"]["admin-edit-status"]["children"]
    assert "Open sessions of staff@example.org ended: 1." in str(message)
    assert_refused(replay(app, copy))
    actor, _, detail = audit_rows(engine, "sessions_end")[-1]
    assert actor == ACCOUNTS["admin"][0] and detail["email"] == ACCOUNTS["staff"][0]
    # other roles never reach the button's callback
    assert client_for(app, "staff").post("/_dash-update-component",
                                         json=request).status_code == 403


# ---- the session store itself, on SQLite and PostgreSQL ----

def test_sessions_in_the_warehouse(warehouse):
    account = users.add_account(warehouse, "s@example.org", PASSWORD, "staff", actor="tests")
    first = users.start_session(warehouse, account, dt.timedelta(hours=8))
    second = users.start_session(warehouse, account, dt.timedelta(hours=8))
    expired = users.start_session(warehouse, account, dt.timedelta(seconds=-1))
    assert users.session_account(warehouse, first).email == "s@example.org"
    assert users.session_account(warehouse, expired) is None
    assert users.session_account(warehouse, "forged") is None
    with warehouse.connect() as conn:  # the id itself is never stored
        stored = conn.exec_driver_sql("select session_key from app_session").scalars().all()
    assert first not in stored and second not in stored
    assert users.end_session(warehouse, first) is True
    assert users.session_account(warehouse, first) is None
    assert users.session_account(warehouse, second) is not None
    # one open session left (the expired one is not counted)
    assert users.end_sessions(warehouse, "s@example.org", actor="tests") == 1
    assert users.session_account(warehouse, second) is None

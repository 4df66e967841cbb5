"""Accounts, signing in and out, and the scope of the session.

- `etl.users`: roles and scopes checked against the reference data, hashed passwords, the
  last admin kept, every change in the audit log without a password;
- `impact users ...` and the demo account of `impact demo`;
- the sign-in form: the generic message, the audit log, `next`, a session that ends when the
  account is disabled or its password reset, `current_scope()` from the session.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dashboard.queries.base import STAFF, Scope
from etl import settings as etl_settings
from etl import users
from etl.db import get_engine
from etl.schema import app_user, audit_log
from tests.auth_helpers import ACCOUNTS, PASSWORD, client_for, demo_warehouse, sign_in
from tests.conftest import make_settings


def audit_rows(engine, action: str | None = None) -> list[tuple]:
    """The audit log, once the rows queued by downloads (`etl.audit.record_later`) are in."""
    from etl.audit import flush

    assert flush(timeout=60), "queued audit rows not written within a minute"
    with engine.connect() as conn:
        query = select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail)
        if action:
            query = query.where(audit_log.c.action == action)
        return [(actor, act, json.loads(detail)) for actor, act, detail in
                conn.execute(query.order_by(audit_log.c.audit_id))]


# ---- accounts ----

def test_an_account_is_stored_with_a_hash_and_its_scope(sqlite_warehouse):
    account = users.add_account(sqlite_warehouse, " Funder@Example.ORG ", "un mot de passe",
                                "funder", {"regions": ["84", "Bretagne"],
                                           "editions": ["2024/25"]}, actor="tests")
    assert (account.email, account.regions, account.editions) == (
        "funder@example.org", ("53", "84"), ("2024-2025",))
    with sqlite_warehouse.connect() as conn:
        row = conn.execute(select(app_user)).one()
    assert row.password_hash.startswith("scrypt:") and "un mot de passe" not in row.password_hash
    assert json.loads(row.scope) == {"editions": ["2024-2025"], "regions": ["53", "84"]}
    assert "scrypt" not in repr(account)  # the hash stays out of logs


@pytest.mark.parametrize("role, scope, code", [
    ("funder", {}, "funder_scope"),
    ("funder", {"schools": ["insa-lyon"]}, "funder_scope"),
    ("school", {}, "school_scope"),
    ("school", {"schools": ["insa-lyon"], "regions": ["84"]}, "school_scope"),
    ("staff", {"regions": ["84"]}, "full_view_scope"),
    ("funder", {"regions": ["99"]}, "region"),
    ("funder", {"editions": ["2024"]}, "edition"),
    ("school", {"schools": ["École imaginaire"]}, "school"),
    ("boss", {}, "role"),
])
def test_roles_need_their_kind_of_scope(sqlite_warehouse, role, scope, code):
    with pytest.raises(users.AccountError) as refused:
        users.add_account(sqlite_warehouse, "x@example.org", PASSWORD, role, scope,
                          actor="tests")
    assert refused.value.code == code
    assert users.list_accounts(sqlite_warehouse) == []


def test_a_school_is_found_by_its_name(sqlite_warehouse):
    account = users.add_account(sqlite_warehouse, "ecole@example.org", PASSWORD, "school",
                                {"schools": ["INSA de Lyon"]}, actor="tests")
    assert account.schools == ("insa-lyon",)


@pytest.mark.parametrize("email, password, code", [
    ("not-an-email", PASSWORD, "email"),
    ("a@example.org", "short", "password_short"),
    ("a@example.org", " spaces around ", "password_space"),
])
def test_bad_emails_and_passwords_are_refused(sqlite_warehouse, email, password, code):
    with pytest.raises(users.AccountError) as refused:
        users.add_account(sqlite_warehouse, email, password, "staff", actor="tests")
    assert refused.value.code == code


def test_changes_are_audited_without_the_password(sqlite_warehouse):
    engine = sqlite_warehouse
    users.add_account(engine, "admin@example.org", PASSWORD, "admin", actor="cli:ops")
    users.add_account(engine, "f@example.org", PASSWORD, "funder", {"regions": ["84"]},
                      actor="admin@example.org")
    users.update_account(engine, "f@example.org", role="school",
                         scope={"schools": ["insa-lyon"]}, actor="admin@example.org")
    users.update_account(engine, "f@example.org", is_active=False, actor="admin@example.org")
    users.set_password(engine, "f@example.org", "another-password", actor="admin@example.org")
    users.remove_account(engine, "f@example.org", actor="admin@example.org")
    rows = audit_rows(engine)
    assert [action for _, action, _ in rows] == [
        "user_add", "user_add", "user_update", "user_disable", "user_password", "user_remove"]
    assert rows[2][2] == {"email": "f@example.org", "role": "school",
                          "scope": {"schools": ["insa-lyon"]}}
    text = json.dumps(rows)
    assert PASSWORD not in text and "another-password" not in text and "scrypt" not in text


def test_the_last_active_admin_stays(sqlite_warehouse):
    engine = sqlite_warehouse
    users.add_account(engine, "admin@example.org", PASSWORD, "admin", actor="tests")
    for change in (lambda: users.remove_account(engine, "admin@example.org", actor="t"),
                   lambda: users.update_account(engine, "admin@example.org", is_active=False,
                                                actor="t"),
                   lambda: users.update_account(engine, "admin@example.org", role="staff",
                                                actor="t")):
        with pytest.raises(users.AccountError) as refused:
            change()
        assert refused.value.code == "last_admin"
    users.add_account(engine, "admin2@example.org", PASSWORD, "admin", actor="tests")
    users.update_account(engine, "admin@example.org", is_active=False, actor="t")
    assert not users.get_account(engine, "admin@example.org").is_active


def test_authenticate_says_why_to_the_audit_log_only(sqlite_warehouse):
    engine = sqlite_warehouse
    users.add_account(engine, "s@example.org", PASSWORD, "staff", actor="tests")
    assert users.authenticate(engine, "S@example.org ", PASSWORD)[1] == "ok"
    assert users.authenticate(engine, "s@example.org", "wrong-password") == (None,
                                                                            "bad_password")
    assert users.authenticate(engine, "who@example.org", PASSWORD) == (None, "unknown")
    users.add_account(engine, "admin@example.org", PASSWORD, "admin", actor="tests")
    users.update_account(engine, "s@example.org", is_active=False, actor="tests")
    assert users.authenticate(engine, "s@example.org", PASSWORD) == (None, "disabled")


# ---- the command line ----

@pytest.fixture
def cli_env(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.delenv("IMPACT_ENV", raising=False)
    yield sqlite_url
    etl_settings.configure(None)


def impact(*args, input: str | None = None):
    from impact.cli import cli

    etl_settings.configure(None)  # a new process reads its settings again
    result = CliRunner().invoke(cli, list(args), input=input)
    assert "Traceback" not in result.output
    return result


def test_users_commands(cli_env):
    assert impact("init").exit_code == 0
    added = impact("users", "add", "Funder@Example.org", "--role", "funder", "--scope",
                   "region=84", "--scope", "edition=2024-2025", input="a-long-password\n")
    assert added.exit_code == 0, added.output
    assert "funder@example.org added: funder, sees editions 2024-2025; regions 84" in \
        added.output
    assert "a-long-password" not in added.output
    listed = impact("users", "list")
    assert "funder@example.org" in listed.output and "regions 84" in listed.output

    engine = get_engine(cli_env)
    assert users.authenticate(engine, "funder@example.org", "a-long-password")[1] == "ok"
    changed = impact("users", "passwd", "funder@example.org", input="a-new-password\n")
    assert changed.exit_code == 0
    assert users.authenticate(engine, "funder@example.org", "a-new-password")[1] == "ok"
    assert impact("users", "remove", "funder@example.org").exit_code == 0
    assert "no account yet" in impact("users", "list").output
    actors = {actor for actor, _, _ in audit_rows(engine)}
    assert all(actor.startswith("cli") for actor in actors)


@pytest.mark.parametrize("args, input, message", [
    (["users", "add", "x@example.org", "--role", "school"], "a-long-password\n",
     "a school account needs one or more schools"),
    (["users", "add", "x@example.org", "--role", "funder", "--scope", "region"], "x\n",
     "'region' is not a scope such as edition=2024-2025"),
    (["users", "add", "x@example.org", "--role", "staff"], "", "no password"),
    (["users", "add", "x@example.org", "--role", "staff"], "short\n",
     "the password must have at least 10 characters"),
    (["users", "passwd", "nobody@example.org"], "a-long-password\n", "no account"),
    (["users", "remove", "nobody@example.org"], None, "no account"),
])
def test_users_commands_refuse_in_one_line(cli_env, args, input, message):
    impact("init")
    result = impact(*args, input=input)
    assert result.exit_code == 1
    assert result.output.startswith("impact: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_password_is_never_an_argument(cli_env):
    impact("init")
    result = impact("users", "add", "x@example.org", "--role", "staff", "--password", "p")
    assert result.exit_code == 2  # no such option


def test_demo_creates_the_demo_account_and_says_its_password(cli_env):
    result = impact("demo", "--scale", "tiny", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert f"demo account: {users.DEMO_EMAIL}, password: {users.DEMO_PASSWORD}" in result.output
    assert "warning: this password is public" in result.output
    again = impact("demo", "--if-empty")
    assert "already there" in again.output
    engine = get_engine(cli_env)
    assert users.get_account(engine, users.DEMO_EMAIL).role == "staff"


# ---- signing in and the session ----

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from dashboard.app import create_app

    app = create_app(make_settings(demo_warehouse(tmp_path_factory, "auth")))
    yield app
    etl_settings.configure(None)


@pytest.fixture
def engine(app):
    return get_engine()


def test_signing_in_starts_a_session_and_is_audited(app, engine):
    client = app.server.test_client()
    answer = sign_in(client, ACCOUNTS["staff"][0].upper(), next="/tour?edition=2024-2025")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/tour?edition=2024-2025"
    assert client.get("/_dash-layout").status_code == 200
    actor, _, detail = audit_rows(engine, "login")[-1]
    assert (actor, detail) == (ACCOUNTS["staff"][0], {"role": "staff"})


@pytest.mark.parametrize("email, password", [
    (ACCOUNTS["staff"][0], "wrong-password"),     # a known account
    ("nobody@example.org", "wrong-password"),     # an unknown one: the same answer
])
def test_a_failed_sign_in_says_the_same_thing_and_is_audited(app, engine, email, password):
    client = app.server.test_client()
    answer = sign_in(client, email, password)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "E-mail ou mot de passe incorrect" in page and 'role="alert"' in page
    assert client.get("/_dash-layout").status_code == 401
    actor, _, detail = audit_rows(engine, "login_failed")[-1]
    assert actor is None and detail["email"] == email
    assert password not in json.dumps(audit_rows(engine))


def test_a_disabled_account_cannot_sign_in_and_its_session_ends(app, engine):
    client = client_for(app, "school")
    assert client.get("/_dash-layout").status_code == 200
    users.update_account(engine, ACCOUNTS["school"][0], is_active=False, actor="tests")
    try:
        assert client.get("/_dash-layout").status_code == 401
        answer = sign_in(app.server.test_client(), ACCOUNTS["school"][0])
        assert "E-mail ou mot de passe incorrect" in answer.get_data(as_text=True)
        assert audit_rows(engine, "login_failed")[-1][2]["reason"] == "disabled"
    finally:
        users.update_account(engine, ACCOUNTS["school"][0], is_active=True, actor="tests")


def test_a_password_reset_ends_the_sessions_opened_before(app, engine):
    client = client_for(app, "funder")
    users.set_password(engine, ACCOUNTS["funder"][0], "a-brand-new-password", actor="tests")
    try:
        assert client.get("/").status_code == 302
        assert client.get("/_dash-layout").status_code == 401
    finally:
        users.set_password(engine, ACCOUNTS["funder"][0], PASSWORD, actor="tests")


def test_a_new_role_applies_at_the_next_request(app, engine):
    client = client_for(app, "staff")
    assert client.get("/donnees").status_code == 200
    users.update_account(engine, ACCOUNTS["staff"][0], role="funder",
                         scope={"regions": ["84"]}, actor="tests")
    try:
        assert client.get("/donnees").status_code == 403
    finally:
        users.update_account(engine, ACCOUNTS["staff"][0], role="staff", scope={},
                             actor="tests")


def test_signing_out_ends_the_session_and_is_audited(app, engine):
    client = client_for(app, "staff")
    token = _logout_token(client.get("/_dash-layout").get_json())
    answer = client.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login?bye=1"
    assert client.get("/_dash-layout").status_code == 401
    assert audit_rows(engine, "logout")[-1][0] == ACCOUNTS["staff"][0]


def _logout_token(layout) -> str:
    """The CSRF token the shell's sign-out button carries (its name/value pair)."""
    from dashboard import auth

    found = []

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") == auth.LOGOUT_BUTTON:
                found.append(props["value"])
            for value in props.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(layout)
    return found[0]


@pytest.mark.parametrize("asked", ["//evil.example/x", "https://evil.example/", "/\\evil",
                                   "/login", "javascript:alert(1)"])
def test_next_never_leaves_the_site(app, asked):
    answer = sign_in(app.server.test_client(), ACCOUNTS["staff"][0], next=asked)
    assert answer.headers["Location"] == "/"


def test_an_english_sign_in_opens_the_english_view(app):
    answer = sign_in(app.server.test_client(), ACCOUNTS["staff"][0], next="/?region=84",
                     lang="en")
    assert answer.headers["Location"] == "/?region=84&lang=en"


def test_current_scope_comes_from_the_session(app):
    from dashboard.auth import NOBODY, current_scope

    assert current_scope() == STAFF  # outside a request: the command line, with staff rights
    with app.server.test_client() as client:
        client.get("/login")
        assert current_scope() == NOBODY
        sign_in(client, ACCOUNTS["funder"][0])
        client.get("/")
        assert current_scope() == Scope(role="funder", editions=("2024-2025",),
                                        regions=("84",), user=ACCOUNTS["funder"][0])


def test_the_account_menu_names_the_account(app):
    client = client_for(app, "funder")
    layout = json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert ACCOUNTS["funder"][0] in layout and "Se déconnecter" in layout
    assert '"action": "/logout"' in layout


def test_audit_download_records_the_file_and_the_filters(app, engine):
    from dashboard.auth import audit_download
    from dashboard.queries.base import Filters

    with app.server.test_client() as client:
        sign_in(client, ACCOUNTS["funder"][0])
        client.get("/")
        audit_download("reach", "csv", Filters.of(regions=["84"]))
    actor, _, detail = audit_rows(engine, "download")[-1]
    assert actor == ACCOUNTS["funder"][0]
    assert detail == {"figure": "reach", "format": "csv", "filters": {"region": "84"},
                      "role": "funder"}


# ---- the accounts page's actions, without a browser ----

def test_the_accounts_page_actions(app, engine):
    from dashboard.pages.admin import AccountForm, perform

    created, ok = perform("create", AccountForm("new.funder@example.org", "funder",
                                                regions=("53",), password="long-enough-1"),
                          ACCOUNTS["admin"][0], "fr", engine)
    assert ok and created == "Compte new.funder@example.org créé."
    refused, ok = perform("save", AccountForm("new.funder@example.org", "school"),
                          ACCOUNTS["admin"][0], "en", engine)
    assert not ok and refused == ("A school account needs one or more schools, and nothing "
                                  "else.")
    message, ok = perform("reset", AccountForm("new.funder@example.org"), ACCOUNTS["admin"][0],
                          "fr", engine)
    password = message.split(" : ")[1].split(" — ")[0]
    assert ok and users.authenticate(engine, "new.funder@example.org", password)[1] == "ok"
    assert perform("toggle", AccountForm("new.funder@example.org"), ACCOUNTS["admin"][0], "fr",
                   engine) == ("Compte new.funder@example.org désactivé.", True)
    assert perform("remove", AccountForm("new.funder@example.org"), ACCOUNTS["admin"][0], "fr",
                   engine)[1]
    alone, ok = perform("toggle", AccountForm(ACCOUNTS["admin"][0]), ACCOUNTS["admin"][0], "fr",
                        engine)
    assert not ok and "dernier administrateur actif" in alone
    changes = [(actor, action) for actor, action, detail in audit_rows(engine)
               if detail.get("email") == "new.funder@example.org"]
    assert changes == [(ACCOUNTS["admin"][0], action) for action in
                       ("user_add", "user_password", "user_disable", "user_remove")]

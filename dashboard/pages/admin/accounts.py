"""Accounts: the page's component ids, the form an action reads, and `perform`, the whole of
an action (`etl.users`'s operations, the same as `impact users ...`), testable without a
browser.
"""

from __future__ import annotations

from typing import NamedTuple

from dash import html

from dashboard.i18n import t


# component ids (this page only)
BODY = "admin-body"
VERSION = "admin-version"  # bumped by every change: redraws the table and the account list
TABLE = "admin-accounts"
NEW_EMAIL, NEW_ROLE, NEW_PASSWORD = "admin-new-email", "admin-new-role", "admin-new-password"
NEW_EDITIONS, NEW_REGIONS, NEW_SCHOOLS = ("admin-new-editions", "admin-new-regions",
                                          "admin-new-schools")
CREATE, CREATE_STATUS = "admin-create", "admin-create-status"
EDIT_ACCOUNT, EDIT_ROLE = "admin-edit-account", "admin-edit-role"
EDIT_EDITIONS, EDIT_REGIONS, EDIT_SCHOOLS = ("admin-edit-editions", "admin-edit-regions",
                                             "admin-edit-schools")
EDIT_PASSWORD = "admin-edit-password"
SAVE, TOGGLE, RESET, REMOVE, REMOVE_CONFIRM = ("admin-save", "admin-toggle", "admin-reset",
                                               "admin-remove", "admin-remove-confirm")
END_SESSIONS = "admin-end-sessions"
EDIT_STATUS = "admin-edit-status"
ROLES = ("admin", "staff", "funder", "school")


class AccountForm(NamedTuple):
    """What the admin typed or chose; empty values are absent. (A NamedTuple, not a dataclass:
    Dash executes page modules before registering them in sys.modules, which dataclasses
    need.)"""

    email: str = ""
    role: str = ""
    editions: tuple = ()
    regions: tuple = ()
    schools: tuple = ()
    password: str = ""

    def scope(self) -> dict[str, list[str]]:
        if self.role in ("admin", "staff"):
            return {}
        return {k: list(v) for k, v in (("editions", self.editions), ("regions", self.regions),
                                        ("schools", self.schools)) if v}


def perform(action: str, form: AccountForm, actor: str, lang: str, engine=None) -> tuple[str, bool]:
    """Run one action of the page; (message in `lang`, succeeded)."""
    from etl import users
    from etl.db import get_engine

    engine = engine or get_engine()
    if action != "create" and not form.email:
        return t("admin.select_first", lang), False
    try:
        if action == "create":
            account = users.add_account(engine, form.email, form.password, form.role,
                                        form.scope(), actor=actor)
            return t("admin.done.create", lang, email=account.email), True
        if action == "save":
            users.update_account(engine, form.email, role=form.role, scope=form.scope(),
                                 actor=actor)
            return t("admin.done.save", lang, email=form.email), True
        if action == "toggle":
            current = users.get_account(engine, form.email)
            if current is None:
                raise users.AccountError("no account", "no_account", email=form.email)
            users.update_account(engine, form.email, is_active=not current.is_active,
                                 actor=actor)
            done = "admin.done.enable" if not current.is_active else "admin.done.disable"
            return t(done, lang, email=form.email), True
        if action == "reset":
            password = form.password or users.random_password()
            users.set_password(engine, form.email, password, actor=actor)
            if form.password:
                return t("admin.done.reset", lang, email=form.email), True
            return t("admin.done.reset_random", lang, email=form.email, password=password), True
        if action == "end_sessions":
            ended = users.end_sessions(engine, form.email, actor=actor)
            return t("admin.done.end_sessions", lang, email=form.email, n=ended), True
        if action == "remove":
            users.remove_account(engine, form.email, actor=actor)
            return t("admin.done.remove", lang, email=form.email), True
    except users.AccountError as error:
        return error_text(error, lang), False
    raise ValueError(f"unknown action {action}")


def error_text(error, lang: str) -> str:
    key = f"admin.err.{error.code}"
    try:
        return t(key, lang, **error.fields)
    except (KeyError, IndexError):
        return t("admin.err.invalid", lang, message=str(error))


def labelled_field(label: str, control, control_id: str) -> html.Div:
    return html.Div(className="admin-field", children=[
        html.Label(label, htmlFor=control_id, className="form-label"), control])

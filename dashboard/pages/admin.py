"""Accounts (/admin, admins only): create an account, change its role and scope, disable or
enable it, reset its password, end its open sessions, remove it; and who receives the
published report by e-mail (the subscriptions of `impact subscriptions ...`, sent by
`impact deliver`).

The operations are `etl.users`'s, the same as `impact users ...`, with the same rules (a
funder's scope is editions and/or regions, a school account's one or more schools; the last
active admin stays) and the same audit log entries, by the signed-in admin. The page declares
`roles=("admin",)`: `dashboard.auth` refuses the page and every callback of this module to
other accounts (403), whatever the browser sends.

`perform(action, form, actor)` is the whole of an action, testable without a browser; the
callbacks only gather the form and show its message.
"""

from __future__ import annotations

from typing import NamedTuple

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import ids
from dashboard.components.page import page_header, section_title
from dashboard.components.table_toggle import scroll_region
from dashboard.i18n import fmt_date, t
from dashboard.pages import context

dash.register_page(
    __name__, path="/admin", order=90, name="Comptes", nav_key="admin.nav",
    title="Comptes · Latitudes Impact", description="Gestion des comptes", roles=("admin",),
)

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


# ---- layout ----

def layout(**_query) -> html.Div:
    return html.Div(className="page page-admin", children=[
        dcc.Store(id=VERSION, data=0),
        html.Div(id=BODY),
        dcc.Store(id=SUB_VERSION, data=0),
        html.Div(id=SUB_BODY),
    ])


def _field(label: str, control, control_id: str) -> html.Div:
    return html.Div(className="admin-field", children=[
        html.Label(label, htmlFor=control_id, className="form-label"), control])


def _scope_fields(prefix: str, options: dict, lang: str) -> list:
    ids_ = {"new": (NEW_EDITIONS, NEW_REGIONS, NEW_SCHOOLS),
            "edit": (EDIT_EDITIONS, EDIT_REGIONS, EDIT_SCHOOLS)}[prefix]
    return [
        _field(t(f"admin.{name}", lang), dcc.Dropdown(
            id=control_id, options=options[param], multi=True, value=[],
            placeholder=t("admin.none_chosen", lang), className="admin-dropdown"), control_id)
        for control_id, name, param in zip(ids_, ("editions", "regions", "schools"),
                                           ("edition", "region", "school"))
    ]


def _role_options(lang: str) -> list[dict]:
    return [{"label": t(f"admin.role.{role}", lang), "value": role} for role in ROLES]


def body(options: dict, lang: str) -> list:
    """The page's forms, labelled in `lang`; the account table fills in by itself."""
    role_options = _role_options(lang)
    create = html.Section(className="admin-card", **{"aria-labelledby": "admin-create-title"},
                          children=[
        section_title(t("admin.create", lang), id="admin-create-title"),
        html.Div(className="admin-grid", children=[
            _field(t("admin.email", lang), dcc.Input(
                id=NEW_EMAIL, type="email", autoComplete="off", className="form-control",
                debounce=False), NEW_EMAIL),
            _field(t("admin.role", lang), dcc.Dropdown(
                id=NEW_ROLE, options=role_options, value="funder", clearable=False,
                className="admin-dropdown"), NEW_ROLE),
            _field(t("admin.password", lang), dcc.Input(
                id=NEW_PASSWORD, type="password", autoComplete="new-password",
                className="form-control"), NEW_PASSWORD),
            *_scope_fields("new", options, lang),
        ]),
        html.P(t("admin.scope_help", lang), className="admin-help"),
        html.Button(t("admin.submit_create", lang), id=CREATE, n_clicks=0, type="button",
                    className="btn btn-primary"),
        html.Div(id=CREATE_STATUS, role="status", className="admin-status"),
    ])
    edit = html.Section(className="admin-card", **{"aria-labelledby": "admin-edit-title"},
                        children=[
        section_title(t("admin.edit", lang), id="admin-edit-title"),
        html.Div(className="admin-grid", children=[
            _field(t("admin.choose", lang), dcc.Dropdown(
                id=EDIT_ACCOUNT, options=[], placeholder=t("admin.choose_placeholder", lang),
                className="admin-dropdown"), EDIT_ACCOUNT),
            _field(t("admin.role", lang), dcc.Dropdown(
                id=EDIT_ROLE, options=role_options, clearable=False,
                className="admin-dropdown"), EDIT_ROLE),
            _field(t("admin.new_password", lang), dcc.Input(
                id=EDIT_PASSWORD, type="password", autoComplete="new-password",
                className="form-control"), EDIT_PASSWORD),
            *_scope_fields("edit", options, lang),
        ]),
        html.P(t("admin.scope_help", lang), className="admin-help"),
        html.Div(className="admin-actions", children=[
            html.Button(t("admin.save", lang), id=SAVE, n_clicks=0, type="button",
                        className="btn btn-primary"),
            html.Button(t("admin.toggle", lang), id=TOGGLE, n_clicks=0, type="button",
                        className="btn btn-outline-secondary"),
            html.Button(t("admin.reset", lang), id=RESET, n_clicks=0, type="button",
                        className="btn btn-outline-secondary"),
            html.Button(t("admin.end_sessions", lang), id=END_SESSIONS, n_clicks=0,
                        type="button", title=t("admin.end_sessions_title", lang),
                        className="btn btn-outline-secondary"),
            dcc.ConfirmDialogProvider(
                id=REMOVE_CONFIRM, message=t("admin.remove_confirm", lang),
                children=html.Button(t("admin.remove", lang), id=REMOVE, type="button",
                                     className="btn btn-outline-danger")),
        ]),
        html.Div(id=EDIT_STATUS, role="status", className="admin-status"),
    ])
    listing = html.Section(className="admin-card", **{"aria-labelledby": "admin-list-title"},
                           children=[section_title(t("admin.list", lang), id="admin-list-title"),
                                     html.Div(id=TABLE)])
    return [page_header(t("admin.title", lang), t("admin.lede", lang)), listing, create, edit]


def describe_scope(account, labels: dict, lang: str) -> str:
    parts = [t(f"admin.scope.{key}", lang,
               v=", ".join(labels.get(key, {}).get(v, v) for v in values))
             for key, values in account.scope_dict.items()]
    return (" ; " if lang == "fr" else "; ").join(parts) or t("admin.everything", lang)


def accounts_table(accounts: list, labels: dict, lang: str):
    if not accounts:
        return html.P(t("admin.none", lang))
    head = html.Thead(html.Tr([html.Th(t(f"admin.col.{c}", lang), scope="col")
                               for c in ("email", "role", "scope", "state", "created")]))
    rows = [html.Tr([
        html.Td(a.email), html.Td(t(f"admin.role.{a.role}", lang).split(" (")[0]),
        html.Td(describe_scope(a, labels, lang)),
        html.Td(t("admin.active" if a.is_active else "admin.disabled", lang),
                className="" if a.is_active else "admin-disabled"),
        html.Td(fmt_date(a.created_at, lang) if a.created_at else ""),
    ]) for a in accounts]
    return scroll_region(html.Table(
        className="table table-sm data-table admin-table",
        children=[html.Caption(t("admin.list", lang), className="visually-hidden"),
                  head, html.Tbody(rows)]), t("admin.list", lang))


def _options():
    from dashboard.queries.overview import filter_options

    return filter_options(context(None).scope)


def _labels(options: dict) -> dict:
    return {key: {o["value"]: o["label"] for o in options[param]}
            for key, param in (("editions", "edition"), ("regions", "region"),
                               ("schools", "school"))}


# ---- callbacks ----

@callback(Output(BODY, "children"), Input(ids.URL, "search"))
def render(search):
    view = context(search)
    return body(_options(), view.lang)


@callback(Output(TABLE, "children"), Output(EDIT_ACCOUNT, "options"),
          Input(VERSION, "data"), Input(ids.URL, "search"))
def list_accounts(_version, search):
    from etl.db import get_engine
    from etl.users import list_accounts as accounts_of

    view = context(search)
    accounts = accounts_of(get_engine())
    choices = [{"label": a.email + ("" if a.is_active else f" ({t('admin.disabled', view.lang)})"),
                "value": a.email} for a in accounts]
    return accounts_table(accounts, _labels(_options()), view.lang), choices


@callback(Output(EDIT_ROLE, "value"), Output(EDIT_EDITIONS, "value"),
          Output(EDIT_REGIONS, "value"), Output(EDIT_SCHOOLS, "value"),
          Input(EDIT_ACCOUNT, "value"), prevent_initial_call=True)
def load_account(email):
    from etl.db import get_engine
    from etl.users import get_account

    account = get_account(get_engine(), email) if email else None
    if account is None:
        return None, [], [], []
    return account.role, list(account.editions), list(account.regions), list(account.schools)


@callback(Output(CREATE_STATUS, "children"), Output(EDIT_STATUS, "children"),
          Output(VERSION, "data"), Output(NEW_PASSWORD, "value"), Output(EDIT_PASSWORD, "value"),
          Input(CREATE, "n_clicks"), Input(SAVE, "n_clicks"), Input(TOGGLE, "n_clicks"),
          Input(RESET, "n_clicks"), Input(END_SESSIONS, "n_clicks"),
          Input(REMOVE_CONFIRM, "submit_n_clicks"),
          State(NEW_EMAIL, "value"), State(NEW_ROLE, "value"), State(NEW_EDITIONS, "value"),
          State(NEW_REGIONS, "value"), State(NEW_SCHOOLS, "value"), State(NEW_PASSWORD, "value"),
          State(EDIT_ACCOUNT, "value"), State(EDIT_ROLE, "value"), State(EDIT_EDITIONS, "value"),
          State(EDIT_REGIONS, "value"), State(EDIT_SCHOOLS, "value"),
          State(EDIT_PASSWORD, "value"), State(VERSION, "data"), State(ids.URL, "search"),
          prevent_initial_call=True)
def act(_create, _save, _toggle, _reset, _end_sessions, _remove, new_email, new_role, new_editions,
        new_regions, new_schools, new_password, edit_email, edit_role, edit_editions,
        edit_regions, edit_schools, edit_password, version, search):
    from dashboard.auth import current_account

    trigger = ctx.triggered_id
    if trigger is None or not (ctx.triggered and ctx.triggered[0]["value"]):
        return (no_update,) * 5
    action = {CREATE: "create", SAVE: "save", TOGGLE: "toggle", RESET: "reset",
              END_SESSIONS: "end_sessions", REMOVE_CONFIRM: "remove"}[trigger]
    if action == "create":
        form = AccountForm(new_email or "", new_role or "", tuple(new_editions or ()),
                           tuple(new_regions or ()), tuple(new_schools or ()), new_password or "")
    else:
        form = AccountForm(edit_email or "", edit_role or "", tuple(edit_editions or ()),
                           tuple(edit_regions or ()), tuple(edit_schools or ()),
                           edit_password or "")
    lang = context(search).lang
    message, ok = perform(action, form, current_account().email, lang)
    status = html.Div(message, className="alert " + ("alert-success" if ok else "alert-danger"))
    new_version = (version or 0) + 1 if ok else no_update
    if action == "create":
        return status, no_update, new_version, "" if ok else no_update, no_update
    return no_update, status, new_version, no_update, "" if ok else no_update


# ---- reports by e-mail: subscriptions (`etl.subscriptions`, the same as the command line) ----

SUB_BODY, SUB_VERSION, SUB_TABLE = "admin-sub-body", "admin-sub-version", "admin-sub-table"
SUB_ACCOUNT, SUB_EVERY, SUB_EDITIONS, SUB_LANG = ("admin-sub-account", "admin-sub-every",
                                                  "admin-sub-editions", "admin-sub-lang")
SUB_ADD, SUB_REMOVE, SUB_REMOVE_CONFIRM, SUB_STATUS = ("admin-sub-add", "admin-sub-remove",
                                                       "admin-sub-remove-confirm",
                                                       "admin-sub-status")
RHYTHMS = ("month", "quarter", "publication")


class SubscriptionForm(NamedTuple):
    email: str = ""
    every: str = "quarter"
    editions: tuple = ()
    lang: str = "fr"


def perform_subscription(action: str, form: SubscriptionForm, actor: str, lang: str,
                         engine=None) -> tuple[str, bool]:
    """Subscribe ("add") or unsubscribe ("remove") an account; (message in `lang`, done)."""
    from etl import subscriptions
    from etl.db import get_engine

    engine = engine or get_engine()
    if not form.email:
        return t("admin.select_first", lang), False
    try:
        if action == "add":
            found = subscriptions.add_subscription(engine, form.email, form.every,
                                                   form.editions, form.lang, actor=actor)
            return t("admin.sub.done.add", lang, email=found.email), True
        if action == "remove":
            subscriptions.remove_subscription(engine, form.email, actor=actor)
            return t("admin.sub.done.remove", lang, email=form.email), True
    except subscriptions.SubscriptionError as error:
        try:
            return t(f"admin.sub.err.{error.code}", lang, **error.fields), False
        except (KeyError, IndexError):
            return t("admin.sub.err.invalid", lang, message=str(error)), False
    raise ValueError(f"unknown action {action}")


def subscriptions_body(options: dict, lang: str) -> html.Section:
    """The section's form, labelled in `lang`; the table of subscriptions fills in by itself."""
    return html.Section(className="admin-card", **{"aria-labelledby": "admin-sub-title"},
                        children=[
        section_title(t("admin.sub.title", lang), id="admin-sub-title"),
        html.P(t("admin.sub.lede", lang), className="admin-help"),
        html.Div(id=SUB_TABLE),
        html.Div(className="admin-grid", children=[
            _field(t("admin.sub.account", lang), dcc.Dropdown(
                id=SUB_ACCOUNT, options=[], placeholder=t("admin.choose_placeholder", lang),
                className="admin-dropdown"), SUB_ACCOUNT),
            _field(t("admin.sub.every", lang), dcc.Dropdown(
                id=SUB_EVERY, value="quarter", clearable=False, className="admin-dropdown",
                options=[{"label": t(f"admin.sub.every.{r}", lang), "value": r}
                         for r in RHYTHMS]), SUB_EVERY),
            _field(t("admin.sub.editions", lang), dcc.Dropdown(
                id=SUB_EDITIONS, options=options["edition"], multi=True, value=[],
                placeholder=t("admin.sub.all_editions", lang), className="admin-dropdown"),
                SUB_EDITIONS),
            _field(t("admin.sub.lang", lang), dcc.Dropdown(
                id=SUB_LANG, value=lang, clearable=False, className="admin-dropdown",
                options=[{"label": t(f"admin.sub.lang.{code}", lang), "value": code}
                         for code in ("fr", "en")]), SUB_LANG),
        ]),
        html.Div(className="admin-actions", children=[
            html.Button(t("admin.sub.add", lang), id=SUB_ADD, n_clicks=0, type="button",
                        className="btn btn-primary"),
            dcc.ConfirmDialogProvider(
                id=SUB_REMOVE_CONFIRM, message=t("admin.sub.remove_confirm", lang),
                children=html.Button(t("admin.sub.remove", lang), id=SUB_REMOVE,
                                     type="button", className="btn btn-outline-danger")),
        ]),
        html.Div(id=SUB_STATUS, role="status", className="admin-status"),
    ])


def subscriptions_table(found: list, lang: str):
    if not found:
        return html.P(t("admin.sub.none", lang))
    head = html.Thead(html.Tr([html.Th(t(f"admin.sub.col.{c}", lang), scope="col")
                               for c in ("email", "every", "editions", "lang", "last")]))
    rows = [html.Tr([
        html.Td(s.email + ("" if s.is_active else f" ({t('admin.disabled', lang)})")),
        html.Td(t(f"admin.sub.every.{s.every}", lang)),
        html.Td(", ".join(s.editions) or t("admin.sub.all_editions", lang)),
        html.Td(t(f"admin.sub.lang.{s.lang}", lang)),
        html.Td(fmt_date(s.last_sent_at, lang) if s.last_sent_at else t("admin.sub.never", lang)),
    ]) for s in found]
    return scroll_region(html.Table(className="table table-sm data-table admin-table", children=[
        html.Caption(t("admin.sub.title", lang), className="visually-hidden"), head,
        html.Tbody(rows)]), t("admin.sub.title", lang))


@callback(Output(SUB_BODY, "children"), Input(ids.URL, "search"))
def render_subscriptions(search):
    return subscriptions_body(_options(), context(search).lang)


@callback(Output(SUB_TABLE, "children"), Output(SUB_ACCOUNT, "options"),
          Input(SUB_VERSION, "data"), Input(ids.URL, "search"), Input(VERSION, "data"))
def list_subscriptions(_version, search, _accounts_version):
    from etl.db import get_engine
    from etl.subscriptions import list_subscriptions as subscriptions_of
    from etl.users import list_accounts as accounts_of

    lang = context(search).lang
    engine = get_engine()
    choices = [{"label": a.email, "value": a.email} for a in accounts_of(engine)
               if a.is_active]
    return subscriptions_table(subscriptions_of(engine), lang), choices


@callback(Output(SUB_STATUS, "children"), Output(SUB_VERSION, "data"),
          Input(SUB_ADD, "n_clicks"), Input(SUB_REMOVE_CONFIRM, "submit_n_clicks"),
          State(SUB_ACCOUNT, "value"), State(SUB_EVERY, "value"), State(SUB_EDITIONS, "value"),
          State(SUB_LANG, "value"), State(SUB_VERSION, "data"), State(ids.URL, "search"),
          prevent_initial_call=True)
def act_on_subscription(_add, _remove, email, every, editions, sub_lang, version, search):
    from dashboard.auth import current_account

    if ctx.triggered_id is None or not (ctx.triggered and ctx.triggered[0]["value"]):
        return no_update, no_update
    action = "add" if ctx.triggered_id == SUB_ADD else "remove"
    form = SubscriptionForm(email or "", every or "quarter", tuple(editions or ()),
                            sub_lang or "fr")
    message, ok = perform_subscription(action, form, current_account().email,
                                       context(search).lang)
    status = html.Div(message, className="alert " + ("alert-success" if ok else "alert-danger"))
    return status, (version or 0) + 1 if ok else no_update

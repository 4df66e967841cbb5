"""The accounts page's callbacks: they gather a form, call `perform` or
`perform_subscription`, and show the message; `register_callbacks` hands them to Dash.
"""

from __future__ import annotations

from dash import Input, Output, State, callback, ctx, html, no_update

from dashboard import ids
from dashboard.i18n import t
from dashboard.pages import context
from dashboard.pages.admin.accounts import (
    BODY, CREATE, CREATE_STATUS, EDIT_ACCOUNT, EDIT_EDITIONS, EDIT_PASSWORD, EDIT_REGIONS,
    EDIT_ROLE, EDIT_SCHOOLS, EDIT_STATUS, END_SESSIONS, NEW_EDITIONS, NEW_EMAIL, NEW_PASSWORD,
    NEW_REGIONS, NEW_ROLE, NEW_SCHOOLS, REMOVE_CONFIRM, RESET, SAVE, TABLE, TOGGLE, VERSION,
    AccountForm, perform)
from dashboard.pages.admin.layout import account_labels, account_options, accounts_table, body
from dashboard.pages.admin.subscriptions import (
    SUB_ACCOUNT, SUB_ADD, SUB_BODY, SUB_EDITIONS, SUB_EVERY, SUB_LANG, SUB_REMOVE_CONFIRM,
    SUB_STATUS, SUB_TABLE, SUB_VERSION, SubscriptionForm, perform_subscription, subscriptions_body,
    subscriptions_table)


# ---- callbacks ----

def render(search):
    view = context(search)
    return body(account_options(), view.lang)


def list_accounts(_version, search):
    from etl.db import get_engine
    from etl.users import list_accounts as accounts_of

    view = context(search)
    accounts = accounts_of(get_engine())
    choices = [{"label": a.email + ("" if a.is_active else f" ({t('admin.disabled', view.lang)})"),
                "value": a.email} for a in accounts]
    return accounts_table(accounts, account_labels(account_options()), view.lang), choices


def load_account(email):
    from etl.db import get_engine
    from etl.users import get_account

    account = get_account(get_engine(), email) if email else None
    if account is None:
        return None, [], [], []
    return account.role, list(account.editions), list(account.regions), list(account.schools)


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


def render_subscriptions(search):
    return subscriptions_body(account_options(), context(search).lang)


def list_subscriptions(_version, search, _accounts_version):
    from etl.db import get_engine
    from etl.subscriptions import list_subscriptions as subscriptions_of
    from etl.users import list_accounts as accounts_of

    lang = context(search).lang
    engine = get_engine()
    choices = [{"label": a.email, "value": a.email} for a in accounts_of(engine)
               if a.is_active]
    return subscriptions_table(subscriptions_of(engine), lang), choices


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


def register_callbacks() -> None:
    """Hand this page's callbacks to Dash. The page module calls it each time Dash executes it
    (once per app created), as Dash then expects every callback again."""
    callback(Output(BODY, "children"), Input(ids.URL, "search"))(render)
    callback(Output(TABLE, "children"), Output(EDIT_ACCOUNT, "options"), Input(VERSION, "data"),
             Input(ids.URL, "search"))(list_accounts)
    callback(Output(EDIT_ROLE, "value"), Output(EDIT_EDITIONS, "value"),
             Output(EDIT_REGIONS, "value"), Output(EDIT_SCHOOLS, "value"),
             Input(EDIT_ACCOUNT, "value"), prevent_initial_call=True)(load_account)
    callback(Output(CREATE_STATUS, "children"), Output(EDIT_STATUS, "children"),
             Output(VERSION, "data"), Output(NEW_PASSWORD, "value"), Output(EDIT_PASSWORD, "value"),
             Input(CREATE, "n_clicks"), Input(SAVE, "n_clicks"), Input(TOGGLE, "n_clicks"),
             Input(RESET, "n_clicks"), Input(END_SESSIONS, "n_clicks"),
             Input(REMOVE_CONFIRM, "submit_n_clicks"), State(NEW_EMAIL, "value"),
             State(NEW_ROLE, "value"), State(NEW_EDITIONS, "value"), State(NEW_REGIONS, "value"),
             State(NEW_SCHOOLS, "value"), State(NEW_PASSWORD, "value"),
             State(EDIT_ACCOUNT, "value"), State(EDIT_ROLE, "value"), State(EDIT_EDITIONS, "value"),
             State(EDIT_REGIONS, "value"), State(EDIT_SCHOOLS, "value"),
             State(EDIT_PASSWORD, "value"), State(VERSION, "data"), State(ids.URL, "search"),
             prevent_initial_call=True)(act)
    callback(Output(SUB_BODY, "children"), Input(ids.URL, "search"))(render_subscriptions)
    callback(Output(SUB_TABLE, "children"), Output(SUB_ACCOUNT, "options"),
             Input(SUB_VERSION, "data"), Input(ids.URL, "search"),
             Input(VERSION, "data"))(list_subscriptions)
    callback(Output(SUB_STATUS, "children"), Output(SUB_VERSION, "data"),
             Input(SUB_ADD, "n_clicks"), Input(SUB_REMOVE_CONFIRM, "submit_n_clicks"),
             State(SUB_ACCOUNT, "value"), State(SUB_EVERY, "value"), State(SUB_EDITIONS, "value"),
             State(SUB_LANG, "value"), State(SUB_VERSION, "data"), State(ids.URL, "search"),
             prevent_initial_call=True)(act_on_subscription)

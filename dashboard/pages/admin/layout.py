"""The accounts page laid out: the create and edit forms, the table of accounts, in the view's
language.
"""

from __future__ import annotations

from dash import dcc, html

from dashboard.components.filters import dropdown_labels
from dashboard.components.page import page_header, section_title
from dashboard.components.table_toggle import scroll_region
from dashboard.i18n import fmt_date, t
from dashboard.pages import context
from dashboard.pages.admin.accounts import (
    BODY, CREATE, CREATE_STATUS, EDIT_ACCOUNT, EDIT_EDITIONS, EDIT_PASSWORD, EDIT_REGIONS,
    EDIT_ROLE, EDIT_SCHOOLS, EDIT_STATUS, END_SESSIONS, NEW_EDITIONS, NEW_EMAIL, NEW_PASSWORD,
    NEW_REGIONS, NEW_ROLE, NEW_SCHOOLS, REMOVE, REMOVE_CONFIRM, RESET, ROLES, SAVE, TABLE, TOGGLE,
    VERSION, labelled_field)
from dashboard.pages.admin.subscriptions import SUB_BODY, SUB_VERSION


# ---- layout ----

def layout(**_query) -> html.Div:
    return html.Div(className="page page-admin", children=[
        dcc.Store(id=VERSION, data=0),
        html.Div(id=BODY),
        dcc.Store(id=SUB_VERSION, data=0),
        html.Div(id=SUB_BODY),
    ])


def _scope_fields(prefix: str, options: dict, lang: str) -> list:
    ids_ = {"new": (NEW_EDITIONS, NEW_REGIONS, NEW_SCHOOLS),
            "edit": (EDIT_EDITIONS, EDIT_REGIONS, EDIT_SCHOOLS)}[prefix]
    return [
        labelled_field(t(f"admin.{name}", lang), dcc.Dropdown(
            id=control_id, options=options[param], multi=True, value=[],
            placeholder=t("admin.none_chosen", lang), className="admin-dropdown",
            labels=dropdown_labels(lang)), control_id)
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
            labelled_field(t("admin.email", lang), dcc.Input(
                id=NEW_EMAIL, type="email", autoComplete="off", className="form-control",
                debounce=False), NEW_EMAIL),
            labelled_field(t("admin.role", lang), dcc.Dropdown(
                id=NEW_ROLE, options=role_options, value="funder", clearable=False,
                className="admin-dropdown", labels=dropdown_labels(lang)), NEW_ROLE),
            labelled_field(t("admin.password", lang), dcc.Input(
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
            labelled_field(t("admin.choose", lang), dcc.Dropdown(
                id=EDIT_ACCOUNT, options=[], placeholder=t("admin.choose_placeholder", lang),
                className="admin-dropdown", labels=dropdown_labels(lang)), EDIT_ACCOUNT),
            labelled_field(t("admin.role", lang), dcc.Dropdown(
                id=EDIT_ROLE, options=role_options, clearable=False,
                className="admin-dropdown", labels=dropdown_labels(lang)), EDIT_ROLE),
            labelled_field(t("admin.new_password", lang), dcc.Input(
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


def account_options():
    from dashboard.queries.overview import filter_options

    return filter_options(context(None).scope)


def account_labels(options: dict) -> dict:
    return {key: {o["value"]: o["label"] for o in options[param]}
            for key, param in (("editions", "edition"), ("regions", "region"),
                               ("schools", "school"))}

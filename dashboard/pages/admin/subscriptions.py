"""Who receives the published report by e-mail (`etl.subscriptions`, the same as `impact
subscriptions ...`): the form, `perform_subscription`, and the section of the page.
"""

from __future__ import annotations

from typing import NamedTuple

from dash import dcc, html

from dashboard.components.filters import dropdown_labels
from dashboard.components.page import section_title
from dashboard.components.table_toggle import scroll_region
from dashboard.i18n import fmt_date, t
from dashboard.pages.admin.accounts import labelled_field


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
            labelled_field(t("admin.sub.account", lang), dcc.Dropdown(
                id=SUB_ACCOUNT, options=[], placeholder=t("admin.choose_placeholder", lang),
                className="admin-dropdown", labels=dropdown_labels(lang)), SUB_ACCOUNT),
            labelled_field(t("admin.sub.every", lang), dcc.Dropdown(
                id=SUB_EVERY, value="quarter", clearable=False, className="admin-dropdown",
                labels=dropdown_labels(lang),
                options=[{"label": t(f"admin.sub.every.{r}", lang), "value": r}
                         for r in RHYTHMS]), SUB_EVERY),
            labelled_field(t("admin.sub.editions", lang), dcc.Dropdown(
                id=SUB_EDITIONS, options=options["edition"], multi=True, value=[],
                placeholder=t("admin.sub.all_editions", lang), className="admin-dropdown",
                labels=dropdown_labels(lang)),
                SUB_EDITIONS),
            labelled_field(t("admin.sub.lang", lang), dcc.Dropdown(
                id=SUB_LANG, value=lang, clearable=False, className="admin-dropdown",
                labels=dropdown_labels(lang),
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

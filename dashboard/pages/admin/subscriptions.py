"""Who receives the published report by e-mail (`etl.subscriptions`, the same as `impact
subscriptions ...`): the form, `perform_subscription`, and the section of the page.
"""

from __future__ import annotations

from typing import NamedTuple

from dash import dcc, html

from dashboard.components.page import section_title
from dashboard.i18n import fmt_date, register, t
from dashboard.pages.admin.accounts import labelled_field


# ---- reports by e-mail: subscriptions (`etl.subscriptions`, the same as the command line) ----

SUB_BODY, SUB_VERSION, SUB_TABLE = "admin-sub-body", "admin-sub-version", "admin-sub-table"
SUB_ACCOUNT, SUB_EVERY, SUB_EDITIONS, SUB_LANG = ("admin-sub-account", "admin-sub-every",
                                                  "admin-sub-editions", "admin-sub-lang")
SUB_ADD, SUB_REMOVE, SUB_REMOVE_CONFIRM, SUB_STATUS = ("admin-sub-add", "admin-sub-remove",
                                                       "admin-sub-remove-confirm",
                                                       "admin-sub-status")
RHYTHMS = ("month", "quarter", "publication")

register({
    "admin.sub.title": {"fr": "Rapports envoyés par e-mail", "en": "Reports sent by e-mail"},
    "admin.sub.lede": {
        "fr": "Les comptes abonnés reçoivent le rapport publié de leur périmètre, en PDF, "
              "envoyé par la commande « impact deliver » (à lancer chaque jour). Le rôle et le "
              "périmètre du compte décident de ce qu'il reçoit.",
        "en": "Subscribed accounts receive the published report of their scope as a PDF, "
              "sent by the `impact deliver` command (run daily). The account's role and "
              "scope decide what it receives."},
    "admin.sub.col.email": {"fr": "Compte", "en": "Account"},
    "admin.sub.col.every": {"fr": "Rythme", "en": "Rhythm"},
    "admin.sub.col.editions": {"fr": "Éditions", "en": "Editions"},
    "admin.sub.col.lang": {"fr": "Langue", "en": "Language"},
    "admin.sub.col.last": {"fr": "Dernier envoi", "en": "Last sent"},
    "admin.sub.every.month": {"fr": "chaque mois (dernière édition publiée)",
                              "en": "every month (latest published edition)"},
    "admin.sub.every.quarter": {"fr": "chaque trimestre (dernière édition publiée)",
                                "en": "every quarter (latest published edition)"},
    "admin.sub.every.publication": {"fr": "à chaque publication d'une édition",
                                    "en": "each time an edition is published"},
    "admin.sub.all_editions": {"fr": "toutes celles du périmètre",
                               "en": "every edition of the scope"},
    "admin.sub.never": {"fr": "aucun", "en": "none yet"},
    "admin.sub.none": {"fr": "Aucun abonnement.", "en": "No subscription."},
    "admin.sub.account": {"fr": "Compte", "en": "Account"},
    "admin.sub.every": {"fr": "Rythme", "en": "Rhythm"},
    "admin.sub.editions": {"fr": "Éditions (aucune : toutes celles du périmètre)",
                           "en": "Editions (none: every edition of the scope)"},
    "admin.sub.lang": {"fr": "Langue du message et du rapport",
                       "en": "Language of the mail and report"},
    "admin.sub.lang.fr": {"fr": "français", "en": "French"},
    "admin.sub.lang.en": {"fr": "anglais", "en": "English"},
    "admin.sub.add": {"fr": "Abonner le compte", "en": "Subscribe the account"},
    "admin.sub.remove": {"fr": "Désabonner le compte", "en": "Unsubscribe the account"},
    "admin.sub.remove_confirm": {"fr": "Ne plus envoyer le rapport à ce compte ?",
                                 "en": "Stop sending the report to this account?"},
    "admin.sub.done.add": {"fr": "{email} recevra le rapport publié par e-mail.",
                           "en": "{email} will receive the published report by e-mail."},
    "admin.sub.done.remove": {"fr": "{email} ne recevra plus le rapport.",
                              "en": "{email} will no longer receive the report."},
    "admin.sub.err.no_account": {"fr": "Aucun compte {email}.", "en": "No account {email}."},
    "admin.sub.err.disabled": {"fr": "Le compte {email} est désactivé.",
                               "en": "The account {email} is disabled."},
    "admin.sub.err.exists": {"fr": "{email} est déjà abonné : désabonnez-le d'abord.",
                             "en": "{email} is already subscribed: unsubscribe it first."},
    "admin.sub.err.no_subscription": {"fr": "{email} n'est pas abonné.",
                                      "en": "{email} has no subscription."},
    "admin.sub.err.edition": {"fr": "Édition inconnue : {value}.",
                              "en": "Unknown edition: {value}."},
    "admin.sub.err.invalid": {"fr": "Opération refusée : {message}",
                              "en": "Operation refused: {message}"},
})


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
                className="admin-dropdown"), SUB_ACCOUNT),
            labelled_field(t("admin.sub.every", lang), dcc.Dropdown(
                id=SUB_EVERY, value="quarter", clearable=False, className="admin-dropdown",
                options=[{"label": t(f"admin.sub.every.{r}", lang), "value": r}
                         for r in RHYTHMS]), SUB_EVERY),
            labelled_field(t("admin.sub.editions", lang), dcc.Dropdown(
                id=SUB_EDITIONS, options=options["edition"], multi=True, value=[],
                placeholder=t("admin.sub.all_editions", lang), className="admin-dropdown"),
                SUB_EDITIONS),
            labelled_field(t("admin.sub.lang", lang), dcc.Dropdown(
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
    return html.Table(className="table table-sm data-table admin-table", children=[
        html.Caption(t("admin.sub.title", lang), className="visually-hidden"), head,
        html.Tbody(rows)])

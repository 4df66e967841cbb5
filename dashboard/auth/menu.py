"""The account menu of the shell: e-mail, role and a sign-out button, in the view's language.
"""

from __future__ import annotations

from dash import Input, Output, html

from dashboard.auth.account import current_account
from dashboard.auth.gate import LOGOUT_PATH
from dashboard.i18n import t


# component ids of the account menu (shell header)
ACCOUNT_MENU = "account-menu"
ACCOUNT_EMAIL = "account-email"
LOGOUT_BUTTON = "logout-button"


def account_menu(lang: str):
    """E-mail, role and a sign-out button (a form POST with the session's CSRF token)."""
    from dashboard.security import CSRF_FIELD, csrf_token

    account = current_account()
    if account is None:
        return None
    return html.Form(id=ACCOUNT_MENU, action=LOGOUT_PATH, method="POST", className="account-menu",
                     **{"aria-label": t("auth.account_label", lang)}, children=[
        html.Span([account.email, html.Span(f" · {t(f'auth.role.{account.role}', lang)}",
                                            className="account-role")],
                  id=ACCOUNT_EMAIL, className="account-email"),
        html.Button(t("auth.logout", lang), id=LOGOUT_BUTTON, type="submit", name=CSRF_FIELD,
                    value=csrf_token(), className="btn btn-sm btn-outline-light"),
    ])


def register_callbacks(app) -> None:
    from dashboard import ids
    from dashboard.view import search_lang

    @app.callback(Output(LOGOUT_BUTTON, "children"), Output(ACCOUNT_EMAIL, "children"),
                  Input(ids.URL, "search"))
    def translate_account_menu(search):
        lang = search_lang(search)
        account = current_account()
        role = f" · {t(f'auth.role.{account.role}', lang)}" if account else ""
        return t("auth.logout", lang), [account.email if account else "",
                                        html.Span(role, className="account-role")]

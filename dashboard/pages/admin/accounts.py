"""Accounts: the page's component ids, the form an action reads, and `perform`, the whole of
an action (`etl.users`'s operations, the same as `impact users ...`), testable without a
browser.
"""

from __future__ import annotations

from typing import NamedTuple

from dash import html

from dashboard.i18n import register, t


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

register({
    "admin.nav": {"fr": "Comptes", "en": "Accounts"},
    "admin.title": {"fr": "Comptes", "en": "Accounts"},
    "admin.lede": {
        "fr": "Qui peut se connecter, avec quel rôle et sur quel périmètre. Les mêmes "
              "opérations que la commande « impact users ».",
        "en": "Who can sign in, with which role and scope. The same operations as the "
              "`impact users` command."},
    "admin.list": {"fr": "Comptes existants", "en": "Existing accounts"},
    "admin.col.email": {"fr": "E-mail", "en": "E-mail"},
    "admin.col.role": {"fr": "Rôle", "en": "Role"},
    "admin.col.scope": {"fr": "Périmètre", "en": "Scope"},
    "admin.col.state": {"fr": "État", "en": "State"},
    "admin.col.created": {"fr": "Créé le", "en": "Created"},
    "admin.active": {"fr": "actif", "en": "active"},
    "admin.disabled": {"fr": "désactivé", "en": "disabled"},
    "admin.everything": {"fr": "tout", "en": "everything"},
    "admin.scope.editions": {"fr": "éditions {v}", "en": "editions {v}"},
    "admin.scope.regions": {"fr": "régions {v}", "en": "regions {v}"},
    "admin.scope.schools": {"fr": "écoles {v}", "en": "schools {v}"},
    "admin.none": {"fr": "Aucun compte.", "en": "No account."},
    "admin.none_chosen": {"fr": "Aucune", "en": "None"},
    "admin.create": {"fr": "Créer un compte", "en": "Create an account"},
    "admin.edit": {"fr": "Modifier un compte", "en": "Change an account"},
    "admin.email": {"fr": "Adresse e-mail", "en": "E-mail address"},
    "admin.role": {"fr": "Rôle", "en": "Role"},
    "admin.role.admin": {"fr": "Administration (tout, et les comptes)",
                         "en": "Admin (everything, and accounts)"},
    "admin.role.staff": {"fr": "Équipe Latitudes (tout)", "en": "Latitudes staff (everything)"},
    "admin.role.funder": {"fr": "Financeur (éditions et/ou régions)",
                          "en": "Funder (editions and/or regions)"},
    "admin.role.school": {"fr": "École (une ou plusieurs écoles)",
                          "en": "School (one or more schools)"},
    "admin.editions": {"fr": "Éditions du périmètre", "en": "Editions of the scope"},
    "admin.regions": {"fr": "Régions du périmètre", "en": "Regions of the scope"},
    "admin.schools": {"fr": "Écoles du périmètre", "en": "Schools of the scope"},
    "admin.scope_help": {
        "fr": "Financeur : des éditions et/ou des régions (les deux : leur intersection). "
              "École : une ou plusieurs écoles. Administration et équipe : aucun périmètre "
              "(les champs sont ignorés).",
        "en": "Funder: editions and/or regions (both: their intersection). School: one or "
              "more schools. Admin and staff: no scope (the fields are ignored)."},
    "admin.password": {"fr": "Mot de passe (10 caractères au moins)",
                       "en": "Password (at least 10 characters)"},
    "admin.new_password": {
        "fr": "Nouveau mot de passe (vide : un mot de passe aléatoire)",
        "en": "New password (empty: a random one)"},
    "admin.choose": {"fr": "Compte", "en": "Account"},
    "admin.choose_placeholder": {"fr": "Choisir un compte", "en": "Choose an account"},
    "admin.submit_create": {"fr": "Créer le compte", "en": "Create the account"},
    "admin.save": {"fr": "Enregistrer le rôle et le périmètre",
                   "en": "Save the role and scope"},
    "admin.disable": {"fr": "Désactiver", "en": "Disable"},
    "admin.enable": {"fr": "Réactiver", "en": "Enable"},
    "admin.toggle": {"fr": "Désactiver ou réactiver", "en": "Disable or enable"},
    "admin.reset": {"fr": "Réinitialiser le mot de passe", "en": "Reset the password"},
    "admin.end_sessions": {"fr": "Fermer ses sessions", "en": "End its sessions"},
    "admin.end_sessions_title": {
        "fr": "Déconnecte le compte partout : chaque navigateur connecté devra se reconnecter.",
        "en": "Signs the account out everywhere: every signed-in browser must sign in again."},
    "admin.remove": {"fr": "Supprimer le compte", "en": "Remove the account"},
    "admin.remove_confirm": {"fr": "Supprimer définitivement ce compte ?",
                             "en": "Remove this account for good?"},
    "admin.select_first": {"fr": "Choisissez d'abord un compte.",
                           "en": "Choose an account first."},
    "admin.done.create": {"fr": "Compte {email} créé.", "en": "Account {email} created."},
    "admin.done.save": {"fr": "Rôle et périmètre de {email} enregistrés.",
                        "en": "Role and scope of {email} saved."},
    "admin.done.disable": {"fr": "Compte {email} désactivé.", "en": "Account {email} disabled."},
    "admin.done.enable": {"fr": "Compte {email} réactivé.", "en": "Account {email} enabled."},
    "admin.done.reset": {"fr": "Mot de passe de {email} changé.",
                         "en": "Password of {email} changed."},
    "admin.done.reset_random": {
        "fr": "Nouveau mot de passe de {email} : {password} — transmettez-le par un canal "
              "sûr ; il ne sera plus affiché.",
        "en": "New password of {email}: {password} — pass it on securely; it will not be "
              "shown again."},
    "admin.done.end_sessions": {
        "fr": "Sessions ouvertes de {email} fermées : {n}.",
        "en": "Open sessions of {email} ended: {n}."},
    "admin.done.remove": {"fr": "Compte {email} supprimé.", "en": "Account {email} removed."},
    "admin.err.email": {"fr": "« {value} » n'est pas une adresse e-mail.",
                        "en": "'{value}' is not an e-mail address."},
    "admin.err.password_short": {"fr": "Le mot de passe doit avoir {n} caractères au moins.",
                                 "en": "The password needs at least {n} characters."},
    "admin.err.password_space": {
        "fr": "Le mot de passe ne doit ni commencer ni finir par une espace.",
        "en": "The password must not start or end with a space."},
    "admin.err.exists": {"fr": "Un compte {email} existe déjà.",
                         "en": "An account {email} already exists."},
    "admin.err.no_account": {"fr": "Aucun compte {email}.", "en": "No account {email}."},
    "admin.err.funder_scope": {
        "fr": "Un compte financeur a besoin d'éditions et/ou de régions, sans écoles.",
        "en": "A funder account needs editions and/or regions, and no schools."},
    "admin.err.school_scope": {
        "fr": "Un compte école a besoin d'une ou plusieurs écoles, et de rien d'autre.",
        "en": "A school account needs one or more schools, and nothing else."},
    "admin.err.last_admin": {
        "fr": "{email} est le dernier administrateur actif : nommez-en un autre d'abord.",
        "en": "{email} is the last active admin: make another admin first."},
    "admin.err.invalid": {"fr": "Opération refusée : {message}",
                          "en": "Operation refused: {message}"},
})


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

"""The signed-in account: its session (in the warehouse, the cookie holding only its id),
its scope, and the audit log of what it does.
"""

from __future__ import annotations

import datetime as dt

from flask import has_request_context
from flask_login import AnonymousUserMixin, UserMixin, current_user

from dashboard.queries.base import NOTHING, STAFF, Scope


SESSION_COOKIE = "impact_session"
SESSION_LIFETIME = dt.timedelta(hours=8)  # a working day after signing in: sign in again


class SignedIn(UserMixin):
    """Flask-Login's user: an account of `etl.users` in one open session (`session_id`, the
    only thing the cookie holds), reloaded at every request."""

    def __init__(self, account, session_id: str):
        self.account = account
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id

    @property
    def is_active(self) -> bool:
        return self.account.is_active


def load_user(session_id: str) -> SignedIn | None:
    from etl.db import get_engine
    from etl.users import session_account

    if not isinstance(session_id, str):
        return None
    account = session_account(get_engine(), session_id)
    return None if account is None else SignedIn(account, session_id)


def sign_in(account) -> None:
    """Open a session for `account` (in the warehouse, then in the cookie)."""
    from flask_login import login_user

    from etl.db import get_engine
    from etl.users import start_session

    login_user(SignedIn(account, start_session(get_engine(), account, SESSION_LIFETIME)))


def sign_out() -> None:
    """End the request's session in the warehouse: copies of the cookie die with it."""
    from flask_login import logout_user

    from etl.db import get_engine
    from etl.users import end_session

    user = current_user
    if isinstance(user, SignedIn):
        end_session(get_engine(), user.session_id)
    logout_user()


def current_account():
    """The signed-in `etl.users.Account`, or None (anonymous, or outside a request)."""
    if not has_request_context():
        return None
    user = current_user
    if user is None or isinstance(user, AnonymousUserMixin) or not user.is_authenticated:
        return None
    return user.account


def scope_of(account) -> Scope:
    return Scope(role=account.role, editions=tuple(account.editions),
                 regions=tuple(account.regions), schools=tuple(account.schools),
                 user=account.email)


# What a request without a session sees, should any page code run for one: nothing. The gate
# answers 401 before page code runs; but Dash renders the shell's layout once on the first
# request the process receives, whoever sends it (a visitor of /login), to validate it.
NOBODY = Scope(role="anonymous", editions=(NOTHING,), regions=(NOTHING,), schools=(NOTHING,))


def current_scope() -> Scope:
    """The signed-in account's scope; the staff scope outside a request (command line, tests);
    `NOBODY` (no edition, region or school) for a request without a session."""
    if not has_request_context():
        return STAFF
    account = current_account()
    return NOBODY if account is None else scope_of(account)


# ---- audit ----

def audit(action: str, detail: dict | None = None, actor: str | None = None) -> None:
    """One row of the audit log, by the signed-in account unless `actor` is given."""
    from etl.audit import record
    from etl.db import get_engine

    if actor is None:
        account = current_account()
        actor = account.email if account is not None else None
    with get_engine().begin() as conn:
        record(conn, actor=actor, action=action, detail=detail)


def audit_download(figure: str, fmt: str, filters=None) -> None:
    """Record a file leaving the system; pages call it from their download callbacks."""
    account = current_account()
    query = filters.to_query() if hasattr(filters, "to_query") else dict(filters or {})
    audit_later("download", {"figure": figure, "format": fmt, "filters": query,
                             "role": account.role if account is not None else "staff"})


def audit_later(action: str, detail: dict | None = None) -> None:
    """`audit` for a download: the row is written after the answer, by the process's audit
    writer (`etl.audit.record_later`), so that the download never waits for a load's write
    lock on the warehouse."""
    from etl.audit import record_later
    from etl.db import get_engine

    account = current_account()
    record_later(get_engine(), actor=account.email if account is not None else None,
                 action=action, detail=detail)

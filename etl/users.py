"""Dashboard accounts: create, list, change, disable, remove, check a password.

One module for the command line (`impact users ...`) and the admin page (`/admin`), so both
apply the same rules:

- roles: admin and staff see everything; a funder sees a set of editions and/or regions (both
  given: their intersection); a school account sees one or more schools. Admin and staff
  accounts carry no scope; a funder needs at least one edition or region, a school account at
  least one school.
- the scope is stored as JSON in `app_user.scope`: {"editions": [...], "regions": [...],
  "schools": [...]}, each value checked against the reference data (an edition such as
  2024-2025, an INSEE region code, a known school id or name).
- passwords are hashed with werkzeug's scrypt (salted, memory-hard); the password itself is
  never stored, logged or written to the audit log. At least `MIN_PASSWORD_LENGTH` characters.
- every change is written to the audit log in the same transaction, with the acting account;
  the last active admin can be neither disabled, demoted nor removed (nobody could manage
  accounts any more).
- sessions live in `app_session`, one row per signed-in browser, keyed by a digest of the
  random id its signed cookie carries: a cookie opens pages only while its row is there. Signing
  out deletes the row; a new password, disabling or removing the account delete all of its
  rows, and `end_sessions` does so on request. State in the warehouse, not in a process: every
  worker and machine sees an ended session at its next request, also after a restart.

Accounts are not people's data in DESIGN.md's sense: they are identified by their e-mail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection, Engine
from werkzeug.security import check_password_hash, generate_password_hash

from etl import audit
from etl.db import reading
from etl.rules import RuleError
from etl.schema import ROLES, app_session, app_user
from etl.schema import school as school_table

FULL_VIEW_ROLES = ("admin", "staff")
SCOPE_KEYS = ("editions", "regions", "schools")
MIN_PASSWORD_LENGTH = 10
PASSWORD_METHOD = "scrypt"  # werkzeug's default: salted, memory-hard (n=2**15, r=8, p=1)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "demo-latitudes"  # demo data only: `impact demo` prints it with a warning

# Checked against when the e-mail is unknown, so that a wrong e-mail costs the same time as a
# wrong password and the response time does not say whether an account exists.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)


class AccountError(RuleError):
    """A request the account rules refuse."""


@dataclass(frozen=True)
class Account:
    user_id: int
    email: str
    role: str
    editions: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()
    is_active: bool = True
    created_at: dt.datetime | None = None
    password_hash: str = ""

    @property
    def scope_dict(self) -> dict[str, list[str]]:
        return {key: list(getattr(self, key)) for key in SCOPE_KEYS if getattr(self, key)}

    def describe_scope(self) -> str:
        """'regions 84; editions 2024-2025', or 'everything' for staff and admins."""
        parts = [f"{key} {', '.join(values)}" for key, values in self.scope_dict.items()]
        return "; ".join(parts) or "everything"

    def __repr__(self) -> str:  # the hash stays out of logs and tracebacks
        return f"Account({self.email!r}, role={self.role!r}, active={self.is_active})"


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise AccountError(f"'{email}' is not an e-mail address", "email", value=email)
    return email


def check_password(password: str) -> str:
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
                           "password_short", n=MIN_PASSWORD_LENGTH)
    if password.strip() != password:
        raise AccountError("the password must not start or end with a space", "password_space")
    return password


def hash_password(password: str) -> str:
    return generate_password_hash(check_password(password), method=PASSWORD_METHOD)


def random_password() -> str:
    """A password for a reset made by an admin: 16 URL-safe characters (about 96 bits)."""
    return secrets.token_urlsafe(12)


# ---- scopes ----

def parse_scope_options(values: Iterable[str]) -> dict[str, list[str]]:
    """['edition=2024-2025', 'region=84', 'school=insa-lyon'] -> {'editions': [...], ...}.

    The command line's `--scope` form; values are checked later by `clean_scope`.
    """
    scope: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        key = {"edition": "editions", "region": "regions", "school": "schools"}.get(
            name.strip().lower().rstrip("s"))
        if not sep or key is None or not value.strip():
            raise AccountError(f"'{item}' is not a scope such as edition=2024-2025, region=84 "
                               "or school=insa-lyon", "scope_syntax", value=item)
        scope.setdefault(key, []).extend(v.strip() for v in value.split(",") if v.strip())
    return scope


def clean_scope(conn: Connection, role: str, scope: dict | None) -> dict[str, list[str]]:
    """The scope checked against the role and the reference data, values normalised."""
    from etl import reference
    from etl.transform.common import parse_edition_value, parse_region

    if role not in ROLES:
        raise AccountError(f"unknown role '{role}' (one of {', '.join(ROLES)})", "role",
                           value=role)
    scope = {key: list(values) for key, values in (scope or {}).items() if values}
    unknown = set(scope) - set(SCOPE_KEYS)
    if unknown:
        first = min(unknown)
        raise AccountError(f"unknown scope '{first}' (editions, regions, schools)",
                           "scope_syntax", value=first)
    cleaned: dict[str, list[str]] = {}
    for value in scope.get("editions", []):
        edition = parse_edition_value(value)
        if edition is None:
            raise AccountError(f"'{value}' is not an edition such as 2024-2025", "edition",
                               value=value)
        cleaned.setdefault("editions", []).append(edition)
    names = reference.regions()
    for value in scope.get("regions", []):
        code = parse_region(value, names)
        if code is None:
            raise AccountError(f"unknown region '{value}' (an INSEE code such as 84)", "region",
                               value=value)
        cleaned.setdefault("regions", []).append(code)
    if scope.get("schools"):
        known = set(conn.scalars(select(school_table.c.school_id)))
        resolver = reference.SchoolResolver.from_engine(conn.engine)
        for value in scope["schools"]:
            school_id = value if value in known else resolver.resolve(value)
            if school_id is None:
                raise AccountError(f"unknown school '{value}'", "school", value=value)
            cleaned.setdefault("schools", []).append(school_id)
    cleaned = {key: sorted(set(values)) for key, values in cleaned.items()}
    _check_role_scope(role, cleaned)
    return cleaned


def _check_role_scope(role: str, scope: dict[str, list[str]]) -> None:
    if role in FULL_VIEW_ROLES and scope:
        raise AccountError(f"a {role} account sees everything: give it no scope", "full_view_scope")
    if role == "funder" and (scope.get("schools") or not (scope.get("editions")
                                                          or scope.get("regions"))):
        raise AccountError("a funder account needs a scope of editions and/or regions "
                           "(e.g. --scope region=84 --scope edition=2024-2025), no schools",
                           "funder_scope")
    if role == "school" and (scope.get("editions") or scope.get("regions")
                             or not scope.get("schools")):
        raise AccountError("a school account needs one or more schools "
                           "(e.g. --scope school=insa-lyon), and nothing else", "school_scope")


# ---- reading ----

def _account(row) -> Account:
    scope = json.loads(row.scope or "{}")
    return Account(user_id=row.user_id, email=row.email, role=row.role,
                   editions=tuple(scope.get("editions", ())),
                   regions=tuple(scope.get("regions", ())),
                   schools=tuple(scope.get("schools", ())),
                   is_active=bool(row.is_active), created_at=row.created_at,
                   password_hash=row.password_hash)


def list_accounts(engine: Engine) -> list[Account]:
    with engine.connect() as conn:
        return [_account(row) for row in conn.execute(select(app_user).order_by(app_user.c.email))]


def get_account(engine: Engine, email: str) -> Account | None:
    with engine.connect() as conn:
        return _find(conn, email)


def get_account_by_id(engine: Engine, user_id: int) -> Account | None:
    with engine.connect() as conn:
        row = conn.execute(select(app_user).where(app_user.c.user_id == user_id)).first()
    return _account(row) if row else None


def _find(conn: Connection, email: str) -> Account | None:
    row = conn.execute(select(app_user).where(
        app_user.c.email == (email or "").strip().lower())).first()
    return _account(row) if row else None


def _require(conn: Connection, email: str) -> Account:
    account = _find(conn, email)
    if account is None:
        email = (email or "").strip().lower()
        raise AccountError(f"no account '{email}'", "no_account", email=email)
    return account


def authenticate(engine: Engine, email: str, password: str) -> tuple[Account | None, str]:
    """(the account, "ok") when the e-mail and password match an active account, else
    (None, reason): "unknown", "bad_password" or "disabled" (for the audit log only: users
    get one message whatever the reason)."""
    account = get_account(engine, email or "")
    if account is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None, "unknown"
    if not check_password_hash(account.password_hash, password or ""):
        return None, "bad_password"
    if not account.is_active:
        return None, "disabled"
    return account, "ok"


# ---- changes ----

def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _active_admins(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(app_user).where(
        app_user.c.role == "admin", app_user.c.is_active == True)).scalar_one()


def _keep_an_admin(conn: Connection, account: Account) -> None:
    if account.role == "admin" and account.is_active and _active_admins(conn) <= 1:
        raise AccountError(f"{account.email} is the last active admin: "
                           "make another admin first", "last_admin", email=account.email)


def add_account(engine: Engine, email: str, password: str, role: str,
                scope: dict | None = None, *, actor: str | None) -> Account:
    email = normalise_email(email)
    password_hash = hash_password(password)
    with engine.begin() as conn:
        cleaned = clean_scope(conn, role, scope)
        if _find(conn, email) is not None:
            raise AccountError(f"an account '{email}' already exists", "exists", email=email)
        conn.execute(app_user.insert().values(
            email=email, password_hash=password_hash, role=role, scope=json.dumps(cleaned),
            is_active=True, created_at=_now()))
        audit.record(conn, actor=actor, action="user_add",
                     detail={"email": email, "role": role, "scope": cleaned})
        return _find(conn, email)


def update_account(engine: Engine, email: str, *, role: str | None = None,
                   scope: dict | None = None, is_active: bool | None = None,
                   actor: str | None) -> Account:
    """Change the role and scope (given together: a new role needs its own scope), or
    enable/disable the account."""
    with engine.begin() as conn:
        account = _require(conn, email)
        changes: dict = {}
        if role is not None or scope is not None:
            new_role = role or account.role
            cleaned = clean_scope(conn, new_role, scope if scope is not None
                                  else account.scope_dict)
            if new_role != "admin":
                _keep_an_admin(conn, account)
            changes.update(role=new_role, scope=json.dumps(cleaned))
        if is_active is not None and bool(is_active) != account.is_active:
            if not is_active:
                _keep_an_admin(conn, account)
            changes["is_active"] = bool(is_active)
        if not changes:
            return account
        conn.execute(app_user.update().where(app_user.c.user_id == account.user_id)
                     .values(**changes))
        if changes.get("is_active") is False:
            _end_sessions(conn, account.user_id)
        detail = {"email": account.email, **{k: v for k, v in changes.items() if k != "scope"}}
        if "scope" in changes:
            detail["scope"] = json.loads(changes["scope"])
        action = "user_update" if "role" in changes else (
            "user_enable" if changes.get("is_active") else "user_disable")
        audit.record(conn, actor=actor, action=action, detail=detail)
        return _find(conn, account.email)


def set_password(engine: Engine, email: str, password: str, *, actor: str | None) -> Account:
    password_hash = hash_password(password)
    with engine.begin() as conn:
        account = _require(conn, email)
        conn.execute(app_user.update().where(app_user.c.user_id == account.user_id)
                     .values(password_hash=password_hash))
        _end_sessions(conn, account.user_id)  # a stolen cookie dies with the old password
        audit.record(conn, actor=actor, action="user_password", detail={"email": account.email})
        return _find(conn, account.email)


def remove_account(engine: Engine, email: str, *, actor: str | None) -> None:
    with engine.begin() as conn:
        account = _require(conn, email)
        _keep_an_admin(conn, account)
        _end_sessions(conn, account.user_id)
        conn.execute(app_user.delete().where(app_user.c.user_id == account.user_id))
        audit.record(conn, actor=actor, action="user_remove", detail={"email": account.email})


# ---- sessions ----

def _session_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(engine: Engine, account: Account, lifetime: dt.timedelta) -> str:
    """A new session of `account` ending after `lifetime`; returns its id, for the signed
    cookie only (the warehouse keeps a digest of it). Expired rows are swept on the way."""
    session_id = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        conn.execute(delete(app_session).where(app_session.c.expires_at <= now))
        conn.execute(app_session.insert().values(
            session_key=_session_key(session_id), user_id=account.user_id, started_at=now,
            expires_at=now + lifetime))
    return session_id


def session_account(engine: Engine, session_id: str) -> Account | None:
    """The active account of an open session, or None (ended, expired, disabled, unknown):
    one indexed look-up, made on every request."""
    if not session_id:
        return None
    with reading(engine) as conn:
        row = conn.execute(
            select(app_user).join(app_session, app_session.c.user_id == app_user.c.user_id)
            .where(app_session.c.session_key == _session_key(session_id),
                   app_session.c.expires_at > _now(), app_user.c.is_active == True)  # noqa: E712
        ).first()
    return _account(row) if row else None


def end_session(engine: Engine, session_id: str) -> bool:
    """Sign-out: this session only. True when it was open."""
    with engine.begin() as conn:
        return conn.execute(delete(app_session).where(
            app_session.c.session_key == _session_key(session_id))).rowcount > 0


def _end_sessions(conn: Connection, user_id: int) -> int:
    """Every session of the account; how many were still open."""
    open_ = conn.execute(select(func.count()).select_from(app_session).where(
        app_session.c.user_id == user_id, app_session.c.expires_at > _now())).scalar_one()
    conn.execute(delete(app_session).where(app_session.c.user_id == user_id))
    return open_


def end_sessions(engine: Engine, email: str, *, actor: str | None) -> int:
    """End every open session of the account (a lost laptop, a shared cookie), audited;
    returns how many were open."""
    with engine.begin() as conn:
        account = _require(conn, email)
        ended = _end_sessions(conn, account.user_id)
        audit.record(conn, actor=actor, action="sessions_end",
                     detail={"email": account.email, "sessions": ended})
        return ended


def ensure_demo_account(engine: Engine, *, actor: str = "impact demo") -> bool:
    """The demo staff account `DEMO_EMAIL` with `DEMO_PASSWORD`; True when it was created.

    For demo data only: the caller checks that the warehouse holds nothing else.
    """
    if get_account(engine, DEMO_EMAIL) is not None:
        return False
    add_account(engine, DEMO_EMAIL, DEMO_PASSWORD, "staff", actor=actor)
    return True

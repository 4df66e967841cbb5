"""The roles, and the declarations that restrict callbacks, URL paths and Flask views to some
of them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from flask import abort

from dashboard.auth.account import current_account
from etl.schema import ROLES


ALL_ROLES: tuple[str, ...] = ROLES
STAFF_ROLES = ("admin", "staff")
ADMIN_ROLES = ("admin",)
# Staff-only whatever the page module says (a page that forgets its roles stays closed).
DEFAULT_PAGE_ROLES = {"/donnees": STAFF_ROLES, "/admin": ADMIN_ROLES}

callback_rules: list[tuple[str, tuple[str, ...]]] = []
path_rules: list[tuple[str, tuple[str, ...]]] = []


def checked_roles(roles: Iterable[str] | str, where: str) -> tuple[str, ...]:
    roles = (roles,) if isinstance(roles, str) else tuple(roles)
    unknown = [r for r in roles if r not in ALL_ROLES]
    if unknown or not roles:
        raise ValueError(f"{where}: unknown role '{unknown[0] if unknown else ''}' "
                         f"(roles are {', '.join(ALL_ROLES)})")
    return roles


def restrict_callbacks(prefix: str, roles: Iterable[str]) -> None:
    """Callbacks with an output id starting with `prefix` answer 403 to other roles."""
    rule = (prefix, checked_roles(roles, f"restrict_callbacks('{prefix}')"))
    if rule not in callback_rules:
        callback_rules.append(rule)


def restrict_path(prefix: str, roles: Iterable[str]) -> None:
    """Any request under the URL path `prefix` answers 403 to other roles."""
    rule = (prefix, checked_roles(roles, f"restrict_path('{prefix}')"))
    if rule not in path_rules:
        path_rules.append(rule)


def require_roles(*roles: str) -> Callable:
    """For a Flask view: 401 without a session, 403 for another role."""
    allowed = checked_roles(roles, "require_roles")

    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            account = current_account()
            if account is None:
                abort(401)
            if account.role not in allowed:
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorate

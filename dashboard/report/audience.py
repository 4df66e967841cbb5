"""Whose report it is: the scope of an account or of a school, its key, and its name in words.

A report is computed for an audience (a `Scope`: staff, a funder's regions or editions, a
school) and a selection (`Filters`). Two reports with the same edition and the same
`scope_key` hold the same figures, so a published snapshot is found again by (edition,
scope_key): the key names the view (staff see unsuppressed counts, funders and schools do not)
and the regions and schools the figures are restricted to, after intersecting the selection
with the scope. Editions are not part of the key: a snapshot is one edition, and a view finds
it only for an edition its account may see (`snapshots.for_view`).
"""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from dashboard.queries.base import NOTHING, Filters, Scope, effective
from etl import reference
from etl.schema import app_user, edition, school


# The public page's audience (dashboard.public): the national report computed as for a funder.
# "public" is no account's role (etl.schema.ROLES) and its key no account's key.
PUBLIC = Scope(role="public")
PUBLIC_KEY = "public"  # scope_key(PUBLIC, any edition)


class UnknownAccount(ValueError):
    """No active account has that e-mail."""


def _tuple(values) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in values or () if v not in (None, "")}))


def scope_from_json(role: str, text: str | None, user: str | None = None) -> Scope:
    """An account's Scope from `app_user.scope`: {"editions": [...], "regions": [...],
    "schools": [...]}, each optional."""
    try:
        raw = json.loads(text or "{}")
    except json.JSONDecodeError:
        raise UnknownAccount(f"the account '{user}' has a scope that is not valid JSON")
    if not isinstance(raw, dict):
        raw = {}
    return Scope(role=role, editions=_tuple(raw.get("editions")),
                 regions=_tuple(str(r).zfill(2) for r in raw.get("regions") or ()),
                 schools=_tuple(raw.get("schools")), user=user)


def account_scope(email: str, engine: Engine) -> Scope:
    """The scope of the active account `email` (case-insensitive), read from `app_user`."""
    wanted = (email or "").strip().lower()
    with engine.connect() as conn:
        row = conn.execute(select(app_user.c.email, app_user.c.role, app_user.c.scope,
                                  app_user.c.is_active)
                           .where(func.lower(app_user.c.email) == wanted)).first()
    if row is None:
        raise UnknownAccount(f"no account '{email}' (see `impact users list`)")
    if not row.is_active:
        raise UnknownAccount(f"the account '{email}' is disabled")
    return scope_from_json(row.role, row.scope, user=row.email)


def school_scope(school_id: str) -> Scope:
    """A school's own report: its students, its projects, the events it hosted."""
    return Scope(role="school", schools=(school_id,))


def scope_key(scope: Scope, filters: Filters) -> str:
    """'staff', 'funder|regions=84,93', 'school|schools=insa-lyon': the view and the regions
    and schools the figures are restricted to (editions excluded, see the module)."""
    chosen = effective(Filters(schools=filters.schools, regions=filters.regions), scope)
    parts = ["staff" if scope.full_view else scope.role]
    for name, values in (("regions", chosen.regions), ("schools", chosen.schools)):
        if values:
            parts.append(f"{name}={','.join(sorted(values))}")
    return "|".join(parts)


def editions_covered(filters: Filters, scope: Scope, engine: Engine) -> list[str]:
    """The editions a report covers: the chosen ones within the scope, else every edition the
    scope allows, oldest first."""
    chosen = effective(filters, scope).editions
    if chosen:
        return [e for e in chosen if e != NOTHING]
    with engine.connect() as conn:
        return list(conn.scalars(select(edition.c.edition).order_by(edition.c.edition)))


def school_names(school_ids, engine: Engine) -> dict[str, str]:
    ids = [s for s in school_ids if s != NOTHING]
    if not ids:
        return {}
    with engine.connect() as conn:
        return dict(conn.execute(select(school.c.school_id, school.c.name)
                                 .where(school.c.school_id.in_(ids))).all())


def describe(filters: Filters, scope: Scope, engine: Engine) -> dict:
    """The audience in data, for the first page: its kind (national, funder, school, regions),
    the region and school names it is restricted to, and the account."""
    chosen = effective(Filters(schools=filters.schools, regions=filters.regions), scope)
    names = reference.regions()
    regions = [names.get(code, code) for code in sorted(chosen.regions) if code != NOTHING]
    schools = list(school_names(chosen.schools, engine).values())
    if scope.role == "school":
        kind = "school"
    elif scope.role == "funder":
        kind = "funder"
    elif chosen.regions or chosen.schools:
        kind = "selection"
    else:
        kind = "national"
    return {"kind": kind, "role": scope.role, "regions": regions, "schools": sorted(schools),
            "account": scope.user}

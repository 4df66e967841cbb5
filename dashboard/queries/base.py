"""Filters, scopes and what every query shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import ColumnElement

from etl.db import get_engine, reading
from etl.schema import load_batch
from etl.settings import get_settings

NOTHING = "__none__"  # a filter value that matches nothing (a choice outside the scope)
ROLES_WITH_FULL_VIEW = ("admin", "staff")


def _clean(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [v for v in values.split(",") if v]
    return tuple(sorted({str(v) for v in values if v not in (None, "")}))


@dataclass(frozen=True)
class Filters:
    """The global filters: editions, schools (school_id) and regions (INSEE code); empty = all."""

    editions: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    @classmethod
    def of(cls, editions=None, schools=None, regions=None) -> "Filters":
        return cls(_clean(editions), _clean(schools), _clean(regions))

    @classmethod
    def from_query(cls, args: Mapping[str, str]) -> "Filters":
        """From a URL query string: ?edition=2024-2025,2025-2026&school=insa-lyon&region=84."""
        return cls.of(args.get("edition"), args.get("school"), args.get("region"))

    def to_query(self) -> dict[str, str]:
        return {name: ",".join(values) for name, values in
                (("edition", self.editions), ("school", self.schools), ("region", self.regions))
                if values}

    @property
    def key(self) -> tuple:
        return (self.editions, self.schools, self.regions)


@dataclass(frozen=True)
class Scope:
    """What an account may see: empty tuples mean no restriction on that dimension."""

    role: str = "staff"
    editions: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()
    user: str | None = None

    @property
    def full_view(self) -> bool:
        return self.role in ROLES_WITH_FULL_VIEW

    @property
    def suppress_org_answers(self) -> bool:
        """Organisation follow-up opinions are hidden under K for funders and schools only."""
        return not self.full_view

    @property
    def key(self) -> tuple:
        return (self.role, self.editions, self.regions, self.schools)


STAFF = Scope()


def _intersect(chosen: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not allowed:
        return chosen
    if not chosen:
        return allowed
    kept = tuple(v for v in chosen if v in allowed)
    return kept or (NOTHING,)


def effective(filters: Filters, scope: Scope) -> Filters:
    """The filters a query really applies: the user's choice within the account's scope."""
    return Filters(_intersect(filters.editions, scope.editions),
                   _intersect(filters.schools, scope.schools),
                   _intersect(filters.regions, scope.regions))


def where(filters: Filters, *, edition: ColumnElement | None = None,
          school: ColumnElement | None = None, region: ColumnElement | None = None) -> list:
    """WHERE clauses for the dimensions a table has (a dimension it lacks is not filtered)."""
    clauses = []
    for values, column in ((filters.editions, edition), (filters.schools, school),
                           (filters.regions, region)):
        if values and column is not None:
            clauses.append(column.in_(values))
    return clauses


def min_cell() -> int:
    return get_settings().min_cell


@dataclass(frozen=True)
class Freshness:
    as_of: dt.datetime | None
    last_batch: int | None
    is_demo: bool = False
    batches: tuple[int, ...] = field(default_factory=tuple)


def freshness(engine: Engine | None = None) -> Freshness:
    """Date of the last successful load, and whether the warehouse holds demo data."""
    engine = engine or get_engine()
    demo = case((load_batch.c.is_demo == True, 1), else_=0)  # noqa: E712
    with reading(engine) as conn:  # one statement: one snapshot
        row = conn.execute(select(func.max(load_batch.c.finished_at),
                                  func.max(load_batch.c.batch_id), func.sum(demo))
                           .where(load_batch.c.status == "loaded")).first()
    return Freshness(as_of=row[0], last_batch=row[1], is_demo=bool(row[2]))


# ---- columns as small integer codes (the in-memory structures kept per warehouse version) ----

def encoded(values) -> tuple[np.ndarray, dict]:
    """A column as small integer codes, and the code of each value."""
    codes: dict = {}
    return np.fromiter((codes.setdefault(v, len(codes)) for v in values), dtype=np.int32,
                       count=len(values)), codes


def among(column: tuple[np.ndarray, dict], values) -> np.ndarray:
    """The rows of an `encoded` column holding one of `values`: a look-up of small integers
    (np.isin on Python strings sorts them at every call)."""
    codes, of = column
    wanted = np.zeros(len(of) + 1, dtype=bool)  # the last code: a value not in the column
    wanted[[of.get(value, len(of)) for value in values]] = True
    return wanted[codes]

"""Every figure of a report, gathered once into one JSON-ready dict.

The figures are those of the query layer's `snapshot_figures` (reach, guide, awareness,
outcomes) and the overview's headline, under the keys that each query's `snapshot=` argument
reads. So a renderer rebuilds any table with the query function itself:
`reach.export_table(None, None, None, snapshot=data["figures"])` gives back the DataFrame that
was collected (the query layer returns a stored figure without touching the warehouse).

The dict also says what it is: the editions covered, the filters, the audience (scope, its key
and its name), K, the data's as-of date, the load batches behind it, the methodology version,
and how many survey answers of the selection are set aside (labels no one could read yet,
counted in no figure), and staff's comments of the view (`commentary`: section, edition,
region and texts, frozen with a published report; a report published before comments existed
has none). It holds no render time: collecting twice the same warehouse gives
equal dicts, which is what a published snapshot is compared with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.engine import Engine

from dashboard.cache import cached
from dashboard.exports import METHODOLOGY_VERSION
from dashboard.queries import (
    awareness, commentary, guide, outcomes, overview, reach, set_aside)
from dashboard.queries.base import Filters, Scope, effective, freshness, min_cell
from dashboard.report import audience
from etl.db import get_engine
from etl.schema import load_batch

REPORT_FORMAT = 1  # the layout of this dict; a renderer refuses a format it does not know
HEADLINE = "headline"  # the key `overview.headline(snapshot=...)` reads


def loaded_batches(engine: Engine) -> list[int]:
    """The load batches the warehouse's figures come from (status loaded), in order."""
    with engine.connect() as conn:
        return list(conn.scalars(select(load_batch.c.batch_id)
                                 .where(load_batch.c.status == "loaded")
                                 .order_by(load_batch.c.batch_id)))


# The figures the report itself shows (the page "Rapport" and its PDF): `render` and `charts`
# read these and no other. A publication, the pack, the public page and the comparison of a
# published report with the live one take every figure.
SHOWN = "shown"
SHOWN_FIGURES = frozenset({reach.SNAPSHOT_EXPORT, reach.SNAPSHOT_KPIS, guide.SNAPSHOT_KPIS,
                           awareness.SNAPSHOT_EXPORT, awareness.SNAPSHOT_HEADLINE,
                           outcomes.SNAPSHOT_EXPORT, outcomes.SNAPSHOT_KPIS})


def collect(filters: Filters, scope: Scope, k: int | None = None,
            engine: Engine | None = None, figures: str = "all") -> dict:
    """The report of `filters` (one edition, a range, or all) within `scope`, as plain data.
    `figures`: "all", or SHOWN for only the figures the report shows (the page's and the PDF's
    live view: a third of the work); the rest of the dict is the same.

    Served from the figure cache when one is in force (a request of the app, `cache.enabled`):
    one collection per selection, scope, K, warehouse version and `figures`, shared by the
    page and the PDF (and by the workers, on Redis), and warmed after a load
    (`dashboard.warm`). The cached collection names no account (two accounts of the same
    scope share it): the account is the caller's, set last."""
    engine = engine or get_engine()
    data = collected(filters, replace(scope, user=None), k or min_cell(), engine, figures)
    return {**data, "audience": {**data["audience"], "account": scope.user}}


@cached
def collected(filters: Filters, scope: Scope, k: int, engine: Engine | None = None,
              figures: str = "all") -> dict:
    """`collect` without the account (what the figure cache keeps)."""
    engine = engine or get_engine()
    if figures not in ("all", SHOWN):
        raise ValueError(f"unknown figures '{figures}' (all, {SHOWN})")
    keys = SHOWN_FIGURES if figures == SHOWN else None
    found = {}
    for module in (reach, guide, awareness, outcomes):
        found.update(module.snapshot_figures(filters, scope, k, engine, keys=keys))
    if keys is None:
        found[HEADLINE] = overview.headline(filters, scope, k, engine)
    fresh = freshness(engine)
    chosen = effective(filters, scope)
    return plain({
        "format": REPORT_FORMAT,
        "editions": audience.editions_covered(filters, scope, engine),
        "filters": {"editions": list(filters.editions), "schools": sorted(chosen.schools),
                    "regions": sorted(chosen.regions)},
        "scope": {"role": scope.role, "editions": sorted(scope.editions),
                  "regions": sorted(scope.regions), "schools": sorted(scope.schools)},
        "scope_key": audience.scope_key(scope, filters),
        "audience": audience.describe(filters, scope, engine),
        "k": k,
        "as_of": fresh.as_of,
        "is_demo": fresh.is_demo,
        "batch_ids": loaded_batches(engine),
        "set_aside_answers": set_aside.set_aside_count(chosen, engine),
        "methodology_version": METHODOLOGY_VERSION,
        "figures": found,
        "commentary": commentary.frozen(filters, scope, engine),
    })


_AS_IS = frozenset({str, int, bool, type(None)})


def plain(value):
    """JSON-ready: numpy and Decimal numbers as Python numbers, NaN as None, dates as ISO text,
    sets as sorted lists, tuples as lists."""
    kind = type(value)
    if kind in _AS_IS:  # most leaves: checked by exact type first (a report has thousands)
        return value
    if kind is dict:
        return {str(key): plain(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [plain(item) for item in value]
    return _plain_other(value)


def _plain_other(value):
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(plain(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalars
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is not None and type(value).__name__ == "NAType":
        return None
    return value


def canonical_json(data: dict) -> str:
    """One text per content: sorted keys, no spaces, UTF-8 characters as they are."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


def content_hash(data: dict) -> str:
    """SHA-256 of the canonical JSON: what a published snapshot is checked against."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def frozen_filters(data: dict) -> Filters:
    return Filters.of(data["filters"]["editions"], data["filters"]["schools"],
                      data["filters"]["regions"])

"""The comments a view shows: those of its editions and regions, within the account's scope.

A comment is about an edition and, optionally, a region. A view shows it when the edition is
one of the view's (every edition when none is chosen) and it is national or about a region of
the view. The view's regions are its filters within the scope (`base.effective`): a funder
limited to regions sees the comments of its regions and the national ones; a school account
sees those of its schools' regions and the national ones; an account limited to editions sees
every comment of its editions. So a funder or a school never reads a comment about an edition
or a region it may not see.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine

from dashboard.queries.base import NOTHING, Filters, Scope, effective
from etl.db import get_engine
from etl.schema import commentary, region, school

FROZEN_FIELDS = ("section", "edition", "region_code", "text_fr", "text_en")


def _view_regions(chosen: Filters, conn) -> tuple[str, ...] | None:
    """The regions of a view (None: every region): its regions, else its schools' regions."""
    if chosen.regions:
        return chosen.regions
    if chosen.schools:
        return tuple(conn.scalars(select(school.c.region_code).distinct()
                                  .where(school.c.school_id.in_(chosen.schools))))
    return None


def for_view(filters: Filters | None, scope: Scope, sections=None,
             engine: Engine | None = None) -> list[dict]:
    """The comments the view shows, by edition then national before regional, each with its
    region's name."""
    chosen = effective(filters or Filters(), scope)
    if NOTHING in chosen.editions:
        return []
    query = (select(commentary, region.c.name.label("region_name"))
             .outerjoin(region, region.c.region_code == commentary.c.region_code)
             .order_by(commentary.c.edition, commentary.c.section,
                       commentary.c.region_code.is_not(None), region.c.name))
    if chosen.editions:
        query = query.where(commentary.c.edition.in_(chosen.editions))
    if sections:
        query = query.where(commentary.c.section.in_(list(sections)))
    with (engine or get_engine()).connect() as conn:
        regions = _view_regions(chosen, conn)
        if regions is not None:
            query = query.where(commentary.c.region_code.is_(None)
                                | commentary.c.region_code.in_(regions))
        return [dict(row._mapping) for row in conn.execute(query)]


def frozen(filters: Filters | None, scope: Scope, engine: Engine | None = None) -> list[dict]:
    """What a report keeps of the view's comments (`collect`): the text, not who wrote it."""
    return [{name: item[name] for name in FROZEN_FIELDS}
            for item in for_view(filters, scope, engine=engine)]

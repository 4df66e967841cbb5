"""How many survey answers of a selection are set aside (labels no one could read yet, counted
in no figure): the report's and the exports' note. Summed from the warehouse's cells
(`etl.labels.set_aside_cells`), kept in memory until the warehouse version changes: a
selection costs no query.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from dashboard.queries.versioned import versioned
from etl import labels
from etl.db import get_engine


def set_aside_count(filters, engine: Engine | None = None) -> int:
    """`filters`: the selection already narrowed to the account's scope (`effective`)."""
    engine = engine or get_engine()
    cells = versioned(engine, "set_aside_cells", labels.set_aside_cells)
    return sum(n for edition, school_id, region_code, n in cells
               if (not filters.editions or edition in filters.editions)
               and (not filters.schools or school_id in filters.schools)
               and (not filters.regions or region_code in filters.regions))

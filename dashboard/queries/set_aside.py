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
    return labels.count_in(versioned(engine, "set_aside_cells", labels.set_aside_cells), filters)

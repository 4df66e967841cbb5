"""Rows as the drivers take them, converted a column at a time (None for missing, Python
scalars, a digest of each row's values), and the bulk insert: COPY on PostgreSQL, multi-row
INSERTs on SQLite.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from itertools import chain

import pandas as pd
from sqlalchemy.engine import Connection

from etl.load.base import LoadError


def clean_value(value):
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalars
    return value


def row_hashes(columns: list[list]) -> list[str]:
    """Each row's digest (row_hash): MD5 of its values as text ('' for None) joined by \\x1f,
    from its values given column by column."""
    texts = [_texts(cells) for cells in columns]
    return [hashlib.md5("\x1f".join(parts).encode("utf-8")).hexdigest() for parts in zip(*texts)]


def _texts(cells: list) -> list[str]:
    """str() of each value, '' for None."""
    if set(map(type, cells)) <= {str, type(None)}:
        return [cell or "" for cell in cells]
    return ["" if cell is None else str(cell) for cell in cells]


# Values clean_value leaves as they are: a column holding only these needs no per-cell work.
_DRIVER_READY = frozenset({str, int, bool, type(None), dt.date, dt.datetime})


def driver_column(values: pd.Series) -> list:
    """A column's cells as clean_value makes them (None for missing, Python scalars), converted a
    column at a time: the per-cell call was the load's main cost at national scale."""
    if values.dtype.kind == "M" and getattr(values.dtype, "tz", None) is None:
        # Naive datetimes: converted by pandas at once (clean_value's to_pydatetime, per cell).
        return values.dt.to_pydatetime().where(values.notna(), None).tolist()
    cells = values.to_numpy(dtype=object).tolist()  # Python scalars, without pandas' iteration
    kinds = set(map(type, cells))
    if kinds <= _DRIVER_READY:
        return cells
    if kinds <= _DRIVER_READY | {float}:
        return [None if cell != cell else cell for cell in cells]  # only NaN differs from itself
    return [clean_value(cell) for cell in cells]


def bulk_insert(conn: Connection, table, columns: list[str], records: list[tuple]) -> None:
    """COPY on PostgreSQL, executemany of multi-row INSERTs on SQLite."""
    if not records:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        import psycopg

        cursor = conn.connection.driver_connection.cursor()
        try:
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
        except psycopg.Error as error:
            # The driver's own cursor: SQLAlchemy does not wrap its errors, so say it here.
            first = (str(error).splitlines() or [type(error).__name__])[0]
            raise LoadError(f"the warehouse refused the data ({first})") from error
        return
    kinds = set(map(type, chain.from_iterable(records)))
    if any(issubclass(kind, (dt.date, bool)) for kind in kinds):
        rows = list(zip(*(_sqlite_column(cells) for cells in zip(*records))))
    else:
        rows = records
    _sqlite_insert(conn, table, columns, rows)


def bulk_insert_columns(conn: Connection, table, columns: list[str], cells: list[list]) -> None:
    """bulk_insert of values given a column at a time (a frame's writer has them so): on
    SQLite each column is converted as it is and the rows are built once, rather than rows
    taken apart into columns and put together again (0.1 s per 100,000 rows)."""
    if not cells or not cells[0]:
        return
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, columns, list(zip(*map(_sqlite_column, cells))))
    else:
        bulk_insert(conn, table, columns, list(zip(*cells)))


def _sqlite_insert(conn: Connection, table, columns: list[str], rows: list[tuple]) -> None:
    names = ", ".join(columns)
    one_row = f"({', '.join('?' for _ in columns)})"
    # Many rows per INSERT: sqlite3 pays its per-statement cost once per hundred rows. 999 is
    # the bound-parameter limit of older SQLite builds.
    per_statement = max(1, min(100, 999 // len(columns)))
    grouped = len(rows) // per_statement * per_statement
    if grouped:
        values = ", ".join([one_row] * per_statement)
        cells = chain.from_iterable(rows[:grouped])
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES {values}",
                             list(zip(*[cells] * (per_statement * len(columns)))))
    if rows[grouped:]:
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES {one_row}",
                             rows[grouped:])


def _sqlite_column(cells: tuple) -> tuple:
    """sqlite3 stores text for dates and 0/1 for booleans; only columns holding them are
    converted (a million answers hold none)."""
    kinds = set(map(type, cells))
    if kinds <= {dt.datetime, type(None)}:  # a survey's times: _sqlite_value, without the calls
        if all(v.tzinfo is None for v in cells if v is not None):
            # The same text as strftime's, in a quarter of its time.
            return tuple(None if v is None else v.isoformat(" ", "microseconds") for v in cells)
        return tuple(None if v is None else v.strftime("%Y-%m-%d %H:%M:%S.%f") for v in cells)
    if any(issubclass(kind, (dt.date, bool)) for kind in kinds):
        return tuple(_sqlite_value(v) for v in cells)
    return cells


def _sqlite_value(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value

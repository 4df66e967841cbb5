"""Rows written by the loader's bulk insert (COPY on PostgreSQL, multi-row INSERTs on SQLite)
read back exactly as given, whatever their text holds: tabs, line breaks, backslashes,
COPY's own end marker, quotes and formulas, accents; NULLs, booleans, dates and times."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (Boolean, Column, Date, DateTime, Float, Integer, MetaData, Table, Text,
                        select)

from etl.load import bulk_insert

HOSTILE = ["plain", "tab\there", "line\nbreak", "carriage\rreturn", "back\\slash", "\\.",
           "\\N", "", "=HYPERLINK(\"http://example.org\")", "'; DROP TABLE school; --",
           "élève à l’école", None]


def _table() -> Table:
    return Table("copy_check", MetaData(), Column("n", Integer, primary_key=True),
                 Column("label", Text), Column("value", Float), Column("flag", Boolean),
                 Column("day", Date), Column("at", DateTime))


def test_bulk_insert_reads_back_every_value_exactly(warehouse):
    table = _table()
    records = [(n, label, [1.5, None, 3.0, -0.25][n % 4], [True, False, None][n % 3],
                [dt.date(2026, 5, 12), None][n % 2],
                [dt.datetime(2026, 5, 12, 15, 4, 5), dt.datetime(2026, 5, 12, 15, 4, 5, 120),
                 None][n % 3])
               for n, label in enumerate(HOSTILE * 3)]
    with warehouse.connect() as conn, conn.begin():
        table.create(conn)
        bulk_insert(conn, table, [c.name for c in table.columns], records)
        read = [tuple(row) for row in conn.execute(select(table).order_by(table.c.n))]
        table.drop(conn)
    assert read == records


"""Upserts of transformed rows: compared with the warehouse through their natural key and a
digest of their values (new, changed, unchanged), each write recorded in the lineage; rejected
rows recorded once.
"""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import and_, bindparam, select, text, update

from etl.load.bulk import bulk_insert, driver_column, row_hashes
from etl.load.lineage import LINEAGE_COLUMNS, record_upsert_lineage
from etl.schema import load_batch, rejected_row, row_lineage


def upsert(conn, report, table, keys, rows: pd.DataFrame, batch_id: int) -> None:
    columns = [c.name for c in table.columns if c.name not in ("batch_id", "row_hash")]
    cells = [driver_column(rows[c]) for c in columns] if len(rows) else []
    records = list(zip(*cells))
    key_positions = [columns.index(k) for k in keys]
    existing = {tuple(r[:-1]): r[-1] for r in conn.execute(
        select(*[table.c[k] for k in keys], table.c.row_hash))}
    new, changed, held = [], [], []
    for record, digest in zip(records, row_hashes(cells)):
        key = tuple(record[p] for p in key_positions)
        if key not in existing:
            new.append(record + (batch_id, digest))
        elif existing[key] != digest:
            changed.append(record + (batch_id, digest))
        else:
            report.rows_unchanged += 1
            held.append(key)
    record_upsert_lineage(conn, table, keys, batch_id,
                           [tuple(r[p] for p in key_positions) for r in new],
                           [tuple(r[p] for p in key_positions) for r in changed], held)
    bulk_insert(conn, table, columns + ["batch_id", "row_hash"], new)
    if changed:
        all_columns = columns + ["batch_id", "row_hash"]
        statement = update(table).where(and_(*[table.c[k] == bindparam(f"key_{k}") for k in keys]))
        statement = statement.values({c: bindparam(f"v_{c}") for c in all_columns if c not in keys})
        conn.execute(statement, [
            {**{f"key_{k}": r[all_columns.index(k)] for k in keys},
             **{f"v_{c}": r[i] for i, c in enumerate(all_columns) if c not in keys}}
            for r in changed])
    report.rows_new += len(new)
    report.rows_updated += len(changed)


def write_rejected(conn, rejected: list[dict], batch_id: int) -> None:
    """The file's rejected rows, except those already recorded, with the same reason and
    content, for a loaded batch of a file of the same name and kind: a file saved again with
    other bytes (CRLF for LF) would otherwise add its rejected rows once more at each load.
    The batch then holds the recorded row (row_lineage), so that it outlives its first batch."""
    records = [(batch_id, int(r["row_number"]), r["reason"], r["reason_code"],
                json.dumps(r.get("data") or {}, ensure_ascii=False, default=str))
               for r in sorted(rejected, key=lambda r: r["row_number"])]
    recorded = _rejected_already_recorded(conn, batch_id) if records else {}
    fresh = [r for r in records if (r[1], r[2], r[4]) not in recorded]
    held = sorted({recorded[key] for key in ((r[1], r[2], r[4]) for r in records)
                   if key in recorded})
    bulk_insert(conn, rejected_row, ["batch_id", "row_number", "reason", "reason_code", "data"],
                fresh)
    if fresh:
        conn.execute(text(
            "INSERT INTO row_lineage (batch_id, table_name, row_key, action) "
            "SELECT batch_id, 'rejected_row', CAST(rejected_id AS VARCHAR(20)), 'added' "
            "FROM rejected_row WHERE batch_id = :batch"), {"batch": batch_id})
    bulk_insert(conn, row_lineage, LINEAGE_COLUMNS,
                [(batch_id, "rejected_row", str(rid), "unchanged", None) for rid in held])


def _rejected_already_recorded(conn, batch_id: int) -> dict[tuple, int]:
    """(row number, reason, data) -> rejected_id, for the rows recorded for loaded batches of
    a file of this batch's name and kind (the earliest when several)."""
    this = conn.execute(select(load_batch.c.file_name, load_batch.c.kind)
                        .where(load_batch.c.batch_id == batch_id)).one()
    recorded = {}
    for rid, number, reason, data in conn.execute(
            select(rejected_row.c.rejected_id, rejected_row.c.row_number, rejected_row.c.reason,
                   rejected_row.c.data)
            .join(load_batch, load_batch.c.batch_id == rejected_row.c.batch_id)
            .where(load_batch.c.file_name == this.file_name, load_batch.c.kind == this.kind,
                   load_batch.c.status == "loaded")
            .order_by(rejected_row.c.rejected_id)):
        recorded.setdefault((number, reason, data), rid)
    return recorded

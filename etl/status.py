"""What the warehouse holds: load batches, row counts, rejected rows, answers set aside
(`impact status`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from etl.labels import set_aside_by_label, set_aside_per_batch
from etl.schema import load_batch, metadata, rejected_row, row_lineage


def warehouse_status(engine: Engine, tables: tuple[str, ...] | None = None) -> dict:
    """Batches, rejected rows and the row count of each table (of `tables` only when given:
    counting the 1.3 million answers of a national warehouse takes 70 ms on PostgreSQL)."""
    with engine.connect() as conn:
        batches = [dict(r._mapping) for r in conn.execute(
            select(load_batch).order_by(load_batch.c.batch_id.desc()))]
        counts = {name: conn.execute(select(func.count()).select_from(table)).scalar()
                  for name, table in sorted(metadata.tables.items())
                  if tables is None or name in tables}
        per_batch = dict(conn.execute(select(rejected_row.c.batch_id, func.count())
                                      .group_by(rejected_row.c.batch_id)).all())
        # A file saved again had the rejected rows an earlier batch recorded once for both.
        also_held = dict(conn.execute(
            select(row_lineage.c.batch_id, func.count())
            .where(row_lineage.c.table_name == rejected_row.name,
                   row_lineage.c.action == "unchanged")
            .group_by(row_lineage.c.batch_id)).all())
        by_reason = dict(conn.execute(select(rejected_row.c.reason_code, func.count())
                                      .group_by(rejected_row.c.reason_code)
                                      .order_by(func.count().desc())).all())
        set_aside = set_aside_per_batch(conn)
        set_aside_labels = set_aside_by_label(conn=conn)
    return {
        "batches": [{
            "batch_id": b["batch_id"], "file": b["file_name"], "kind": b["kind"],
            "tool": b["tool"], "sha256": b["sha256"], "rows_read": b["rows_read"],
            "rows_loaded": b["rows_loaded"],
            "rows_rejected": per_batch.get(b["batch_id"], 0) + also_held.get(b["batch_id"], 0),
            "status": b["status"], "started_at": b["started_at"].isoformat(sep=" ")
            if b["started_at"] else None, "is_demo": bool(b["is_demo"]),
            "answers_set_aside": set_aside.get(b["batch_id"], 0),
        } for b in batches],
        "counts": counts,
        "rejected_total": sum(per_batch.values()),
        "rejected_by_reason": by_reason,
        "answers_set_aside_by_label": set_aside_labels,
    }

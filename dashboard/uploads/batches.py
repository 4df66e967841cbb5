"""The warehouse as the data page sees it: load batches, their rejected rows (as a CSV to
download; those re-run leave their first batch), and undoing a batch.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections import Counter

from flask import current_app, has_app_context


log = logging.getLogger(__name__)


def warehouse_engine():
    from etl.db import get_engine

    return get_engine()


def batch_info(batch_id: int, engine=None) -> dict | None:
    from sqlalchemy import select

    from etl.schema import load_batch

    with (engine or warehouse_engine()).connect() as conn:
        row = conn.execute(select(load_batch).where(load_batch.c.batch_id == batch_id)).first()
    return dict(row._mapping) if row else None


def rejected_records(batch_id: int, engine=None, *, limit: int | None = None,
                     reason_code: str | None = None) -> list[dict]:
    """The batch's rejected rows in file order: rejected_id, row_number, reason, reason_code,
    data (a dict)."""
    from sqlalchemy import select

    from etl.schema import rejected_row

    query = (select(rejected_row.c.rejected_id, rejected_row.c.row_number, rejected_row.c.reason,
                    rejected_row.c.reason_code, rejected_row.c.data)
             .where(rejected_row.c.batch_id == batch_id)
             .order_by(rejected_row.c.row_number, rejected_row.c.rejected_id))
    if reason_code:
        query = query.where(rejected_row.c.reason_code == reason_code)
    if limit:
        query = query.limit(limit)
    with (engine or warehouse_engine()).connect() as conn:
        rows = conn.execute(query).all()
    return [{**row._mapping, "data": json.loads(row.data or "{}")} for row in rows]


def rejected_reasons(batch_id: int, engine=None) -> Counter:
    from sqlalchemy import func, select

    from etl.schema import rejected_row

    with (engine or warehouse_engine()).connect() as conn:
        return Counter(dict(conn.execute(
            select(rejected_row.c.reason_code, func.count())
            .where(rejected_row.c.batch_id == batch_id)
            .group_by(rejected_row.c.reason_code)).all()))


def data_columns(records: list[dict]) -> list[str]:
    """The rows' own columns, in the order the file had them."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record["data"]))
    return list(columns)


def rejected_csv(batch_id: int, *, excel_fr: bool = False, engine=None) -> str:
    """row_number, reason, then the row's columns: fix the cells, then load the file again.

    The extra columns row_number and reason are reported as ignored when the file is
    reloaded. `excel_fr`: semicolons and a BOM, for a French Excel. The cells came from an
    uploaded file, headers included: those a spreadsheet would run as a formula are
    neutralised (`dashboard.exports.neutralise`).
    """
    from dashboard.exports import neutralise

    records = rejected_records(batch_id, engine)
    columns = data_columns(records)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel_fr else ",", lineterminator="\r\n")
    writer.writerow(["row_number", "reason", *(neutralise(c) for c in columns)])
    for record in records:
        writer.writerow([record["row_number"], neutralise(record["reason"]),
                         *[neutralise(cell_text(record["data"].get(c))) for c in columns]])
    return ("\ufeff" if excel_fr else "") + out.getvalue()


def cell_text(value) -> str:
    return "" if value is None else str(value)


def retire_rerun_rows(rerun: dict, reports, engine) -> None:
    """Rows re-run into a loaded batch leave the first batch's rejected rows."""
    from sqlalchemy import delete

    from etl.schema import rejected_row

    if not any(r.status == "loaded" for r in reports):
        return
    ids = rerun["rejected_ids"]
    with engine.begin() as conn:
        for start in range(0, len(ids), 500):
            conn.execute(delete(rejected_row).where(
                rejected_row.c.batch_id == rerun["batch_id"],
                rejected_row.c.rejected_id.in_(ids[start:start + 500])))


# ---- undo ----

def unload_batch(batch_id: int, engine=None) -> dict[str, int]:
    """`impact unload`: the batch's rows out of the warehouse (LoadError says why not)."""
    from etl.load import unload

    removed = unload(batch_id, engine or warehouse_engine())
    audit_action("unload", {"batch_id": batch_id, "rows_deleted": removed})
    if has_app_context():  # the new version's figures, built in the background
        from dashboard import warm

        warm.start(current_app._get_current_object())
    return removed


def audit_action(action: str, detail: dict) -> None:
    """A line of the audit log, by the signed-in account (no person's identifier in it)."""
    from sqlalchemy.exc import SQLAlchemyError

    from dashboard import auth

    try:
        auth.audit(action, detail)
    except SQLAlchemyError:
        log.exception("could not record %s in the audit log", action)

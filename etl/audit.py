"""The audit log: who did what and when, never a password or a person's identifier."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.engine import Connection

from etl.schema import audit_log

ERASURE = "forget"                  # a person erased (etl.load.forget)
LABEL_MAP = "answer_label_map"      # an answer label mapped to a value (etl.labels)
LABEL_UNMAP = "answer_label_unmap"  # a mapping removed (etl.labels)
# The audited actions that change figures: the dashboard's caches watch the latest of them.
# Sign-ins, downloads and account changes change none.
FIGURE_ACTIONS = (ERASURE, LABEL_MAP, LABEL_UNMAP)


def record(conn: Connection, *, actor: str | None, action: str, detail: dict | None = None) -> None:
    conn.execute(audit_log.insert().values(
        at=dt.datetime.now(dt.UTC).replace(tzinfo=None), actor=actor, action=action,
        detail=json.dumps(detail or {}, ensure_ascii=False, default=str)))

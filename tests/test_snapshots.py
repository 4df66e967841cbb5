"""Frozen editions: a published report keeps its figures whatever is loaded afterwards.

The scenario of an annual report: staff publish edition 2024-2025, quote its figures, then new
events of that edition arrive. The published snapshot must not move, re-rendering it must give
the quoted numbers and sentences, and the page must say which figures the live data now give
differently.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, update

from dashboard.queries import reach
from dashboard.queries.base import STAFF, Filters, Scope
from dashboard.report import collect, render, snapshots
from dashboard.report.view import view_data
from etl.load import load_paths
from etl.schema import audit_log, load_batch, published_snapshot
from tests.test_report import (
    EDITION,
    FUNDER_EMAIL,
    K,
    add_funder,
    demo_copy,
    flat,
    impact,
    pdf_text,
    requires_pdf_tools,
)

NEW_EVENTS = """\
event_id,date,city,region_code,event_type,attendees,students_attending,organisations_attending
SNAP-1,2025-03-12,Rennes,53,conference,120,80,10
SNAP-2,2025-04-02,Brest,53,workshop,35,30,2
"""


@pytest.fixture
def report_db(tmp_path, monkeypatch):
    """A copy of the tiny demo warehouse (see tests/test_report.py)."""
    yield from demo_copy(tmp_path, monkeypatch)


def load_new_events(engine, tmp_path) -> None:
    path = tmp_path / "events_after_publication.csv"
    path.write_text(NEW_EVENTS, encoding="utf-8")
    reports = load_paths([path], engine=engine)
    assert all(r.ok for r in reports), [r.message for r in reports]


def events_of(data: dict) -> int:
    return int(reach.export_table(None, None, None, snapshot=data["figures"])["events"].sum())


def test_publish_stores_hash_batches_scope_and_audit(report_db):
    data = collect.collect(Filters.of([EDITION]), STAFF, K, report_db)
    snapshot = snapshots.publish(data, actor="staff@example.org", engine=report_db)
    with report_db.connect() as conn:
        row = conn.execute(select(published_snapshot)).one()
        loaded = list(conn.scalars(select(load_batch.c.batch_id)
                                   .where(load_batch.c.status == "loaded")
                                   .order_by(load_batch.c.batch_id)))
        audits = conn.execute(select(audit_log.c.actor, audit_log.c.detail)
                              .where(audit_log.c.action == "publish_report")).all()
    assert row.edition == EDITION and row.scope_key == "staff"
    assert row.content_hash == hashlib.sha256(row.figures.encode("utf-8")).hexdigest()
    assert row.content_hash == snapshot.content_hash == collect.content_hash(data)
    assert json.loads(row.batch_ids) == loaded == data["batch_ids"]
    assert row.published_by == "staff@example.org"
    assert json.loads(row.figures) == data
    [(actor, detail)] = audits
    assert actor == "staff@example.org"
    assert json.loads(detail)["snapshot_id"] == snapshot.snapshot_id


def test_a_snapshot_survives_a_new_load_unchanged(report_db, tmp_path):
    filters = Filters.of([EDITION])
    published = snapshots.publish(collect.collect(filters, STAFF, K, report_db),
                                  actor="staff", engine=report_db)
    with report_db.connect() as conn:
        stored_before = conn.execute(select(published_snapshot.c.figures)).scalar_one()
    load_new_events(report_db, tmp_path)
    with report_db.connect() as conn:
        assert conn.execute(select(published_snapshot.c.figures)).scalar_one() == stored_before
    again = snapshots.latest(EDITION, "staff", report_db)
    assert again.data == published.data and again.content_hash == published.content_hash
    live = collect.collect(filters, STAFF, K, report_db)
    assert events_of(live) == events_of(again.data) + 2
    changes = snapshots.diff(again.data, live)
    events = next(c for c in changes.changes if c.figure == "reach_kpis.events")
    assert (events.published, events.live) == (events_of(again.data), events_of(live))
    assert changes.batches_added == [max(live["batch_ids"])]


def test_rerendered_figures_equal_the_stored_ones(report_db, tmp_path):
    filters = Filters.of([EDITION])
    data = collect.collect(filters, STAFF, K, report_db)
    snapshot = snapshots.publish(data, actor="staff", engine=report_db)
    model_then = render.report_model(data, "fr", published=snapshot.stamp())
    load_new_events(report_db, tmp_path)
    stored = snapshots.latest(EDITION, "staff", report_db)
    model_now = render.report_model(stored.data, "fr", published=stored.stamp())
    assert model_now == model_then  # every number and sentence of the report
    # The query layer gives the stored figures back as they were computed.
    assert collect.plain(reach.reach_kpis(None, None, None, snapshot=stored.data["figures"])) \
        == data["figures"]["reach_kpis"]


@requires_pdf_tools
def test_published_pdf_keeps_its_numbers_after_new_data(report_db, tmp_path):
    first = tmp_path / "published.pdf"
    result = impact("report", "--edition", EDITION, "--publish", "--out", first)
    assert result.exit_code == 0, result.output
    assert "published as snapshot #1" in result.output
    load_new_events(report_db, tmp_path)
    again = tmp_path / "again.pdf"
    result = impact("report", "--edition", EDITION, "--published", "--out", again)
    assert result.exit_code == 0, result.output
    live = tmp_path / "live.pdf"
    assert impact("report", "--edition", EDITION, "--out", live).exit_code == 0
    published_text, again_text = pdf_text(first), pdf_text(again)
    assert again_text == published_text  # same numbers, same words, same footer
    assert "Version publiée le" in again_text
    stored = snapshots.latest(EDITION, "staff", report_db)
    assert flat(f"{events_of(stored.data)} événements dans") in again_text
    assert flat(f"{events_of(stored.data) + 2} événements dans") in pdf_text(live)


def test_publishing_again_adds_a_row_and_the_latest_counts(report_db, tmp_path):
    filters = Filters.of([EDITION])
    first = snapshots.publish(collect.collect(filters, STAFF, K, report_db), actor="a",
                              engine=report_db)
    load_new_events(report_db, tmp_path)
    second = snapshots.publish(collect.collect(filters, STAFF, K, report_db), actor="b",
                               engine=report_db)
    assert second.snapshot_id > first.snapshot_id
    assert snapshots.latest(EDITION, "staff", report_db).snapshot_id == second.snapshot_id
    assert [row["snapshot_id"] for row in snapshots.history(EDITION, report_db)] == \
        [second.snapshot_id, first.snapshot_id]
    assert snapshots.by_id(first.snapshot_id, report_db).data == first.data  # still there


def test_an_altered_snapshot_is_refused(report_db):
    snapshot = snapshots.publish(collect.collect(Filters.of([EDITION]), STAFF, K, report_db),
                                 actor="staff", engine=report_db)
    tampered = json.loads(collect.canonical_json(snapshot.data))
    tampered["figures"]["reach_kpis"]["events"] += 10
    with report_db.begin() as conn:
        conn.execute(update(published_snapshot).values(
            figures=collect.canonical_json(tampered)))
    with pytest.raises(snapshots.SnapshotError, match="altered after publication"):
        snapshots.latest(EDITION, "staff", report_db)


def test_only_one_edition_can_be_published(report_db):
    data = collect.collect(Filters.of([EDITION, "2023-2024"]), STAFF, K, report_db)
    with pytest.raises(snapshots.SnapshotError, match="exactly one edition"):
        snapshots.publish(data, actor="staff", engine=report_db)


def test_publishing_an_edition_freezes_every_audience(report_db):
    add_funder(report_db)  # regions 32 and 93
    add_funder(report_db, "other@example.org", {"regions": ["93", "32"]})  # same audience
    add_funder(report_db, "past@example.org", {"editions": ["2019-2020"]})  # another edition
    add_funder(report_db, "insa@example.org", {"schools": ["insa-lyon"]}, role="school")
    published = snapshots.publish_edition(EDITION, actor="staff", engine=report_db, k=K)
    assert sorted(s.scope_key for s in published) == [
        "funder|regions=32,93", "public", "school|schools=insa-lyon", "staff"]


def test_funders_see_the_published_version_and_what_changed(report_db, tmp_path):
    add_funder(report_db)
    snapshots.publish_edition(EDITION, actor="staff", engine=report_db, k=K)
    load_new_events(report_db, tmp_path)
    funder = Scope(role="funder", regions=("32", "93"), user=FUNDER_EMAIL)
    filters = Filters.of([EDITION])
    view = view_data(filters, funder, K, report_db)
    assert view.shows_published and view.data == view.snapshot.data
    # The new events are in Bretagne, outside this funder's regions: nothing changed for it.
    assert snapshots.diff(view.snapshot.data, view.live).same
    staff = view_data(filters, STAFF, K, report_db)
    assert not staff.shows_published and staff.data == staff.live
    assert not snapshots.diff(staff.snapshot.data, staff.live).same


def test_page_status_lists_the_changed_figures(report_db, tmp_path):
    from dashboard.app import create_app

    create_app()
    from dashboard.pages import report as page
    from tests.test_report import _strings

    snapshots.publish_edition(EDITION, actor="staff", engine=report_db, k=K)
    load_new_events(report_db, tmp_path)
    filters = Filters.of([EDITION])
    view = view_data(filters, STAFF, K, report_db)
    text = _strings(page.status_block(view, "fr", filters))
    before = events_of(view.snapshot.data)
    assert "Édition publiée le" in text
    assert f"Événements {before} {before + 2}" in text


def test_a_stored_table_reads_back_as_it_was_written():
    """A published figure's table comes back with its types, blanks and hidden cells: counts
    as nullable integers, rates as floats, text as text, whether it has a blank or not."""
    import numpy as np
    import pandas as pd

    from dashboard.queries.frames import SUPPRESSED_MASK, Mask, frame_from_json, frame_to_json

    table = pd.DataFrame({"region_code": ["84", "27", "53"],
                          "projects": pd.array([12, None, 3], dtype="Int64"),
                          "in_use_rate_pct": np.array([41.5, np.nan, 100.0]),
                          "note": ["a", None, "c"]})
    table.attrs[SUPPRESSED_MASK] = Mask(np.array([[False, False, False, False],
                                                  [False, True, True, False],
                                                  [False, False, False, False]]),
                                        columns=table.columns)
    stored = json.loads(json.dumps(frame_to_json(table)))

    back = frame_from_json(stored, {"projects": "Int64", "in_use_rate_pct": "float64"})

    pd.testing.assert_frame_equal(back, table, check_exact=True)
    assert back.attrs[SUPPRESSED_MASK].equals(table.attrs[SUPPRESSED_MASK])
    assert frame_from_json({"columns": ["projects"], "rows": [], "hidden": []},
                           {"projects": "Int64"})["projects"].dtype == "Int64"

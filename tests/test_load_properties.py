"""Property: whatever mix of valid and invalid event rows a file holds, the warehouse keeps exactly
the valid ones, rejected_row holds exactly the others, and loading again changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from etl.load import load_paths
from etl.schema import load_batch, rejected_row, tour_event

HEADER = ["event_id", "date", "city", "region_code", "event_type", "attendees",
          "students_attending"]
EVENT_TYPES = {"workshop": "workshop", "Atelier": "workshop", "Conférence": "conference",
               "forum": "forum", "webinaire": "webinar", "hackathon": "hackathon"}
REGIONS = {"84": "84", "11": "11", "1": "01", "Bretagne": "53"}
CITIES = ["Lyon", "Saint-Étienne", "Aix, centre", 'Le "Hub"', "  Lille  "]


@st.composite
def event_rows(draw):
    """A cell per column, with what the loader should make of it (None: the row is invalid)."""
    day = draw(st.dates(dt.date(2001, 1, 1), dt.date(2099, 12, 31)))
    date = draw(st.sampled_from([
        (day.isoformat(), day), (day.strftime("%d/%m/%Y"), day),
        ("1999-12-31", None), ("31/02/2026", None), ("", None)]))
    city = draw(st.sampled_from([(c, c.strip()) for c in CITIES] + [("", None)]))
    region = draw(st.sampled_from(list(REGIONS.items()) + [("99", None), ("", None)]))
    kind = draw(st.sampled_from(list(EVENT_TYPES.items()) + [("barbecue", None)]))
    attendees = draw(st.one_of(
        st.integers(-3, 200).map(lambda n: (str(n), n if n >= 0 else None)),
        st.sampled_from([("12,5", None), ("", None), ("douze", None)])))
    students = draw(st.one_of(st.none(), st.integers(0, 250)))
    return {
        "cells": [draw(st.sampled_from([f"EVT-{n}" for n in range(1, 9)])), date[0], city[0],
                  region[0], kind[0], attendees[0], "" if students is None else str(students)],
        "values": (date[1], city[1], region[1], kind[1], attendees[1], students),
    }


def expected(rows):
    """Event id -> stored values for the valid rows (first valid row of an id wins), and the
    file rows (header = 1) that must be rejected."""
    kept, rejected = {}, []
    for line, row in enumerate(rows, start=2):
        date, city, region, kind, attendees, students = row["values"]
        event_id = row["cells"][0]
        valid = None not in (date, city, region, kind, attendees) and (
            students is None or students <= attendees)
        if valid and event_id not in kept:
            kept[event_id] = (event_id, date, city, region, kind, attendees, students)
        else:
            rejected.append(line)
    return kept, rejected


def write_csv(path, rows, trailer=""):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(row["cells"] for row in rows)
    path.write_text(out.getvalue() + trailer, encoding="utf-8")


def read_back(engine):
    with engine.connect() as conn:
        events = {r[0]: tuple(r) for r in conn.execute(select(
            tour_event.c.event_id, tour_event.c.date, tour_event.c.city, tour_event.c.region_code,
            tour_event.c.event_type, tour_event.c.attendees, tour_event.c.students_attending))}
        rejected = sorted(conn.scalars(select(rejected_row.c.row_number)))
    return events, rejected


def empty(engine):
    with engine.begin() as conn:
        for table in (rejected_row, tour_event, load_batch):
            conn.execute(delete(table))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(event_rows(), min_size=1, max_size=12))
def test_the_warehouse_holds_exactly_the_valid_rows(warehouse, tmp_path, rows):
    empty(warehouse)
    kept, rejected = expected(rows)
    path = tmp_path / "events.csv"
    write_csv(path, rows)

    [report] = load_paths([path], engine=warehouse)
    events, rejected_rows = read_back(warehouse)
    [same_file] = load_paths([path], engine=warehouse)
    write_csv(path, rows, trailer="\n")                # same rows, other bytes
    [same_rows] = load_paths([path], engine=warehouse)

    assert report.status == "loaded", report.message
    assert events == kept
    assert rejected_rows == rejected
    assert (report.rows_read, report.rows_new, report.rows_rejected) == (
        len(rows), len(kept), len(rejected))
    assert same_file.status == "skipped"
    assert (same_rows.rows_new, same_rows.rows_updated, same_rows.rows_unchanged) == (
        0, 0, len(kept))
    assert read_back(warehouse)[0] == kept

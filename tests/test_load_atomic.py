"""A load killed in the middle of writing leaves the warehouse exactly as it was.

`impact load` runs in a subprocess on a big generated file and gets SIGKILL once it is writing:
on SQLite when the write-ahead log has grown past what anything but the big insert writes, on
PostgreSQL when the server shows the process's COPY into tour_event. Nothing is timed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from etl import db, migrate, settings
from etl.load import load_paths
from etl.schema import FACT_TABLES, load_batch, metadata, rejected_row

from conftest import make_settings

IMPACT = Path(sys.executable).parent / "impact"
BIG_ROWS = 25_000
SQLITE_WRITING_BYTES = 1_000_000    # the big insert's WAL ends near 3.5 MB; setup writes < 100 kB
SMALL = """\
event_id,date,city,region_code,event_type,attendees,students_attending
EVT-1,2026-10-05,Lyon,84,workshop,30,20
EVT-2,2026-10-06,Lyon,84,workshop,10,12
"""


def big_events(path: Path) -> None:
    lines = ["event_id,date,city,region_code,event_type,attendees,students_attending"]
    lines += [f"BIG-{n:06d},2026-10-{1 + n % 28:02d},Lyon,84,workshop,{10 + n % 50},{n % 10}"
              for n in range(BIG_ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def snapshot(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {name: conn.execute(select(func.count()).select_from(metadata.tables[name])).scalar()
                  for name in (*FACT_TABLES, "load_batch", "rejected_row", "edition")}
        batches = [tuple(r) for r in conn.execute(
            select(load_batch.c.batch_id, load_batch.c.file_name, load_batch.c.status))]
    engine.dispose()
    return {"counts": counts, "batches": batches}


def _sqlite_writing(url: str):
    wal = Path(url.split("///", 1)[1] + "-wal")
    return lambda: wal.exists() and wal.stat().st_size > SQLITE_WRITING_BYTES


def _postgres_writing(url: str):
    engine = create_engine(url, isolation_level="AUTOCOMMIT")

    def writing() -> bool:
        with engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND query LIKE 'COPY tour_event%' "
                "AND backend_xid IS NOT NULL")).scalar())
    return writing


def _postgres_rolled_back(url: str) -> None:
    """Wait until the server has noticed the dead client and rolled its transaction back."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while time.monotonic() < deadline and conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL")).scalar():
            time.sleep(0.02)
    engine.dispose()


def test_a_load_killed_while_writing_leaves_the_warehouse_as_it_was(database_url, tmp_path):
    settings.configure(make_settings(database_url))
    engine = db.get_engine(database_url)
    migrate.upgrade(engine)
    (tmp_path / "small.csv").write_text(SMALL, encoding="utf-8")
    load_paths([tmp_path / "small.csv"], engine=engine)
    settings.configure(None)                      # closes this process's connections
    big = tmp_path / "big_events.csv"
    big_events(big)
    before = snapshot(database_url)
    writing = (_sqlite_writing if database_url.startswith("sqlite") else _postgres_writing)(
        database_url)
    env = {**os.environ, "DATABASE_URL": database_url, "IMPACT_PSEUDONYM_KEY": "atomic-test"}

    process = subprocess.Popen([str(IMPACT), "load", str(big)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while not writing():
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.communicate()
                pytest.fail(f"the load ended or stalled before it was seen writing: {output}")
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    if not database_url.startswith("sqlite"):
        _postgres_rolled_back(database_url)
    after = snapshot(database_url)

    assert process.returncode == -signal.SIGKILL
    assert after == before
    assert (before["counts"]["tour_event"], before["counts"]["rejected_row"]) == (1, 1)
    # No batch of the big file, not even a 'running' one: it would be taken for loaded or stuck.
    assert all(status == "loaded" for _, _, status in after["batches"])


def test_the_batch_row_is_written_in_the_file_transaction(sqlite_warehouse, tmp_path,
                                                          monkeypatch):
    """A failure after the batch row is inserted leaves neither the batch nor any row."""
    from etl.load import LoadError, batches

    def fail_after_writing(conn, report, batch_id):
        raise LoadError("the disk is full (simulated)")

    monkeypatch.setattr(batches, "_finish_batch", fail_after_writing)
    path = tmp_path / "events.csv"
    path.write_text(SMALL, encoding="utf-8")

    [report] = load_paths([path], engine=sqlite_warehouse)

    assert report.status == "failed"
    assert report.message == "events.csv: the disk is full (simulated)"
    with sqlite_warehouse.connect() as conn:
        assert conn.execute(select(func.count()).select_from(load_batch)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(rejected_row)).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM tour_event")).scalar() == 0


def test_the_cycle_collector_runs_again_after_every_load(sqlite_warehouse, tmp_path, monkeypatch):
    """The load pauses Python's cycle collector (etl.load.base.collector_paused); a web worker
    that ran an upload must get it back, whether the load ended well, failed, or raised."""
    import gc

    from etl.load import LoadError, batches

    path = tmp_path / "events.csv"
    path.write_text(SMALL, encoding="utf-8")
    seen_during = []
    real_load_table = batches.load_table

    def watched(*args, **kwargs):
        seen_during.append(gc.isenabled())
        return real_load_table(*args, **kwargs)

    monkeypatch.setattr(batches, "load_table", watched)
    assert gc.isenabled()
    [report] = load_paths([path], engine=sqlite_warehouse)
    assert report.status == "loaded" and seen_during == [False]
    assert gc.isenabled()

    def broken(*args, **kwargs):
        raise LoadError("the warehouse went away (simulated)")

    monkeypatch.setattr(batches, "load_table", broken)
    with pytest.raises(LoadError):
        load_paths([path], engine=sqlite_warehouse)
    assert gc.isenabled()


def test_loads_at_once_share_the_collector_pause():
    """The collector comes back when the last of two overlapping loads ends, and stays off
    after them when something else had turned it off before."""
    import gc

    from etl.load.base import collector_paused

    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()

    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()

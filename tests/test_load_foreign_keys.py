"""A large survey load checks its foreign keys once per batch on PostgreSQL, with the same
guarantees as the per-row checks: a response naming a missing school is refused with the very
message PostgreSQL gives, whether the loader may turn the per-row checks off (a superuser) or
not (the fallback), and the constraints stay for every later writer.

The bulk path (a large file) is also loaded end to end on both engines, small: the threshold is
lowered for the test so that a few hundred responses take it.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from etl import demo, load
from etl.load import LoadError, bulk_insert, foreign_keys_checked_per_batch, load_paths, unload
from etl.schema import load_batch, mart_response, row_lineage, survey_answer, survey_response

MISSING_SCHOOL = ('the warehouse refused the data (insert or update on table "survey_response" '
                  'violates foreign key constraint "fk_survey_response_school_id_school")')
COLUMNS = ["respondent_key", "pseudonym", "edition", "wave", "school_id", "tool", "batch_id",
           "row_hash"]


def _a_school(conn) -> str:
    return conn.execute(text("SELECT school_id FROM school ORDER BY school_id LIMIT 1")).scalar()


def _batch(conn) -> int:
    conn.execute(text("INSERT INTO edition (edition, start_date, end_date) "
                      "VALUES ('2025-2026', '2025-09-01', '2026-08-31') ON CONFLICT DO NOTHING"))
    return conn.execute(load_batch.insert().values(
        file_name="forms.csv", sha256="0" * 64, kind="survey", status="running", rows_read=2,
        started_at=dt.datetime(2026, 5, 12))
        .returning(load_batch.c.batch_id)).scalar_one()


def _write(engine, school_ids: list[str]) -> tuple[str | None, str]:
    """Two responses written in one batch as a large load writes them; returns the error
    message (None when accepted) and the per-row checks' setting inside the block."""
    with engine.connect() as conn, conn.begin() as transaction:
        batch_id = _batch(conn)
        rows = [(f"key-{n}", None, "2025-2026", "post", school_id, "google_forms", batch_id,
                 "digest") for n, school_id in enumerate(school_ids)]
        try:
            with foreign_keys_checked_per_batch(conn, (survey_response, row_lineage), batch_id):
                role = conn.execute(text("SHOW session_replication_role")).scalar()
                bulk_insert(conn, survey_response, COLUMNS, rows)
        except LoadError as error:
            transaction.rollback()
            return str(error), role
        transaction.commit()
        return None, role


@pytest.fixture
def postgres_warehouse(warehouse):
    if warehouse.dialect.name != "postgresql":
        pytest.skip("foreign keys checked per batch on PostgreSQL only")
    return warehouse


@pytest.fixture
def loader_role(postgres_warehouse):
    """An engine on the same warehouse for a role that may write but is not a superuser."""
    role = f"impact_loader_{uuid.uuid4().hex[:8]}"
    with postgres_warehouse.connect() as conn, conn.begin():
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER'))
        conn.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"'))
        conn.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    engine = create_engine(make_url(postgres_warehouse.url).set(username=role))
    yield engine
    engine.dispose()
    with postgres_warehouse.connect() as conn, conn.begin():
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE "{role}"'))


@pytest.mark.postgres
def test_missing_school_found_by_the_batch_check_with_postgresql_message(postgres_warehouse):
    with postgres_warehouse.connect() as conn:
        school = _a_school(conn)
    message, role = _write(postgres_warehouse, [school, "NO-SUCH-SCHOOL"])
    assert role == "replica"  # the per-row checks were off: the batch check found it
    assert message == MISSING_SCHOOL
    with postgres_warehouse.connect() as conn:
        assert conn.execute(select(func.count()).select_from(survey_response)).scalar() == 0


@pytest.mark.postgres
def test_fallback_without_the_right_to_turn_checks_off_gives_the_same_message(
        postgres_warehouse, loader_role):
    with postgres_warehouse.connect() as conn:
        school = _a_school(conn)
    message, role = _write(loader_role, [school, "NO-SUCH-SCHOOL"])
    assert role == "origin"  # checked row by row, by PostgreSQL itself
    assert message == MISSING_SCHOOL
    accepted, _ = _write(loader_role, [school])
    assert accepted is None


@pytest.mark.postgres
def test_constraints_stay_for_later_writers(postgres_warehouse):
    with postgres_warehouse.connect() as conn:
        school = _a_school(conn)
    assert _write(postgres_warehouse, [school]) == (None, "replica")
    with pytest.raises(Exception, match="fk_survey_response_school_id_school"):
        with postgres_warehouse.begin() as conn:
            assert conn.execute(text("SHOW session_replication_role")).scalar() == "origin"
            conn.execute(text("UPDATE survey_response SET school_id = 'NO-SUCH-SCHOOL'"))


def test_large_load_path_loads_reloads_and_unloads_exactly(warehouse, tmp_path, monkeypatch):
    """The bulk path (indexes rebuilt, keys checked per batch) on a small export."""
    monkeypatch.setattr(load.surveys, "BULK_LOAD_RESPONSES", 50)
    schools = demo.Generator(42, "national").schools
    demo.add_synthetic_schools(warehouse, schools[schools["is_synthetic"] == True])  # noqa: E712
    export = demo.write_national_export(tmp_path / "forms.csv", responses=400)
    [report] = load_paths([export.path], wave="post", engine=warehouse)
    assert report.status == "loaded", report.message
    with warehouse.connect() as conn:
        responses = conn.execute(select(func.count()).select_from(survey_response)).scalar()
        answers = conn.execute(select(func.count()).select_from(survey_answer)).scalar()
        marts = conn.execute(select(func.count()).select_from(mart_response)).scalar()
        lineage = conn.execute(select(func.count()).select_from(row_lineage).where(
            row_lineage.c.table_name == "survey_response")).scalar()
    assert responses == report.rows_new == marts == lineage
    assert responses + report.rows_rejected == 400
    assert answers == 8 * responses
    # The same answers saved again (another file): nothing new, nothing duplicated.
    again = tmp_path / "again.csv"
    again.write_bytes(export.path.read_bytes() + b"\r\n")
    [second] = load_paths([again], wave="post", engine=warehouse)
    assert second.status == "loaded", second.message
    assert (second.rows_new, second.rows_unchanged) == (0, responses)
    unload(second.batch_id, engine=warehouse)
    unload(report.batch_id, engine=warehouse)
    with warehouse.connect() as conn:
        assert conn.execute(select(func.count()).select_from(survey_response)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(survey_answer)).scalar() == 0

"""The migrations build exactly the declared schema, on SQLite and on PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from etl.schema import FACT_TABLES, metadata


def test_migrations_produce_the_declared_schema(warehouse):
    with warehouse.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_every_table_and_column_is_described():
    for table in metadata.tables.values():
        assert table.comment, f"table {table.name} has no comment"
        for column in table.columns:
            assert column.comment, f"{table.name}.{column.name} has no comment"


def test_fact_tables_carry_their_lineage():
    for name in FACT_TABLES:
        columns = metadata.tables[name].columns
        assert "batch_id" in columns and "row_hash" in columns, name


def test_reference_data_is_in_the_warehouse(warehouse):
    with warehouse.connect() as conn:
        regions = dict(conn.execute(text("select region_code, name from region")).all())
        insa = conn.execute(text(
            "select school_id from school_alias where alias_key = 'centralesupelec'")).scalar()
    assert len(regions) == 18 and regions["04"] == "La Réunion" and regions["84"].startswith("Auvergne")
    assert insa == "centralesupelec"


def test_init_is_idempotent(warehouse):
    from etl import migrate

    migrate.upgrade(warehouse)
    assert "load_batch" in inspect(warehouse).get_table_names()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_warehouse):
    with sqlite_warehouse.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000

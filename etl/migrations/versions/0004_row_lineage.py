"""row lineage: which batches hold which row, so that an unload is exact

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The natural key of each table as etl.load writes it into row_lineage.row_key (parts joined
# by '|'); spelled out here so that this migration keeps meaning what it meant when written.
ROW_KEYS = {
    "organisation": ("org_id",),
    "project": ("project_id",),
    "student": ("pseudonym", "edition"),
    "tour_event": ("event_id",),
    "guide_record": ("record_id",),
    "survey_response": ("respondent_key", "edition", "wave"),
    "org_followup": ("project_id", "wave"),
}


def upgrade() -> None:
    op.create_table(
        "row_lineage",
        sa.Column("batch_id", sa.Integer(), nullable=False,
                  comment="Batch whose file held the row."),
        sa.Column("table_name", sa.String(length=30), nullable=False,
                  comment="Table of the row: a fact table, or rejected_row."),
        sa.Column("row_key", sa.String(length=200), nullable=False,
                  comment="The row's natural key, its parts joined by '|' (rejected_row: "
                          "rejected_id); a pseudonym at most, as the row itself stores it."),
        sa.Column("action", sa.String(length=10), nullable=False,
                  comment="added, changed (replaced an earlier version), unchanged (found as it "
                          "was) or superseded (the file's older survey response was set aside)."),
        sa.Column("previous", sa.Text(), nullable=True,
                  comment="For 'changed': the version the batch replaced, as JSON (a survey "
                          "response's answers too), brought back if the batch is unloaded."),
        sa.CheckConstraint("action IN ('added', 'changed', 'unchanged', 'superseded')",
                           name=op.f("ck_row_lineage_action_allowed")),
        sa.ForeignKeyConstraint(["batch_id"], ["load_batch.batch_id"],
                                name=op.f("fk_row_lineage_batch_id_load_batch"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("batch_id", "table_name", "row_key", name=op.f("pk_row_lineage")),
        comment="Per batch and row: what the batch's file did to it (lineage for exact unloads).",
    )
    with op.batch_alter_table("row_lineage", schema=None) as batch_op:
        batch_op.create_index("ix_row_lineage_row", ["table_name", "row_key", "batch_id"],
                              unique=False)
    # Rows loaded before: each is held by the batch that last wrote it, as far as can be known
    # (which later files found it unchanged was not recorded).
    for table, keys in ROW_KEYS.items():
        key = " || '|' || ".join(keys)
        op.execute(f"INSERT INTO row_lineage (batch_id, table_name, row_key, action) "
                   f"SELECT batch_id, '{table}', {key}, 'added' FROM {table}")
    op.execute("INSERT INTO row_lineage (batch_id, table_name, row_key, action) "
               "SELECT batch_id, 'rejected_row', CAST(rejected_id AS VARCHAR(20)), 'added' "
               "FROM rejected_row")


def downgrade() -> None:
    with op.batch_alter_table("row_lineage", schema=None) as batch_op:
        batch_op.drop_index("ix_row_lineage_row")
    op.drop_table("row_lineage")

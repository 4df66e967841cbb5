"""answers set aside one by one (answer_set_aside) and the staff's answer mappings

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_set_aside",
        sa.Column("set_aside_id", sa.Integer(), autoincrement=True, nullable=False,
                  comment="Surrogate key."),
        sa.Column("batch_id", sa.Integer(), nullable=False,
                  comment="Load batch that wrote the answer's response."),
        sa.Column("response_id", sa.Integer(), nullable=False,
                  comment="Response the answer belongs to (kept with its other answers)."),
        sa.Column("row_number", sa.Integer(), nullable=False,
                  comment="Row number in the file (1 = header)."),
        sa.Column("item", sa.String(length=30), nullable=False,
                  comment="Questionnaire item of the answer."),
        sa.Column("scale", sa.String(length=20), nullable=False,
                  comment="Answer scale the label was looked up in (agreement, knows_ess, "
                          "ess_option...)."),
        sa.Column("question", sa.Text(), nullable=False,
                  comment="The column header, as written in the file."),
        sa.Column("label", sa.Text(), nullable=True,
                  comment="The answer as written; empty when it looked like a person's "
                          "identifier (never stored)."),
        sa.Column("label_key", sa.String(length=200), nullable=True,
                  comment="Normalised label (etl.answers.answer_key); empty when the label is "
                          "not stored."),
        sa.Column("option", sa.String(length=30), nullable=True,
                  comment="For a tick of one option column of the multi-select item: that "
                          "column's option."),
        sa.Column("known_choices", sa.Text(), nullable=True,
                  comment="For the multi-select item: the options read from the rest of the "
                          "answer, joined with ';'."),
        sa.ForeignKeyConstraint(["batch_id"], ["load_batch.batch_id"],
                                name=op.f("fk_answer_set_aside_batch_id_load_batch"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["response_id"], ["survey_response.response_id"],
                                name=op.f("fk_answer_set_aside_response_id_survey_response"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("set_aside_id", name=op.f("pk_answer_set_aside")),
        comment="Answers the vocabulary cannot read. One is set aside (counted as not answered) "
                "while it has no survey_answer row; a staff mapping (answer_label_map) reads it.",
    )
    with op.batch_alter_table("answer_set_aside") as batch_op:
        batch_op.create_index("ix_answer_set_aside_batch", ["batch_id"], unique=False)
        batch_op.create_index("ix_answer_set_aside_response", ["response_id", "item"],
                              unique=False)
        batch_op.create_index("ix_answer_set_aside_scale_label", ["scale", "label_key"],
                              unique=False)
    op.create_table(
        "answer_label_map",
        sa.Column("scale", sa.String(length=20), nullable=False,
                  comment="Answer scale of the label."),
        sa.Column("label_key", sa.String(length=200), nullable=False,
                  comment="Normalised label (etl.answers.answer_key)."),
        sa.Column("label", sa.Text(), nullable=False, comment="The label as staff typed it."),
        sa.Column("value", sa.String(length=30), nullable=False,
                  comment="Value it stands for, as text (etl.labels.SCALES)."),
        sa.Column("created_by", sa.Text(), nullable=True,
                  comment="Account or command that mapped it."),
        sa.Column("created_at", sa.DateTime(), nullable=False,
                  comment="When it was mapped (UTC)."),
        sa.PrimaryKeyConstraint("scale", "label_key", name=op.f("pk_answer_label_map")),
        comment="Answer labels staff mapped to a value of their scale; read by every later load.",
    )


def downgrade() -> None:
    op.drop_table("answer_label_map")
    with op.batch_alter_table("answer_set_aside") as batch_op:
        batch_op.drop_index("ix_answer_set_aside_scale_label")
        batch_op.drop_index("ix_answer_set_aside_response")
        batch_op.drop_index("ix_answer_set_aside_batch")
    op.drop_table("answer_set_aside")

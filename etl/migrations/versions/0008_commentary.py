"""staff's comments on figures (commentary), shown beside them and frozen with reports

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commentary",
        sa.Column("commentary_id", sa.Integer(), autoincrement=True, nullable=False,
                  comment="Surrogate key."),
        sa.Column("section", sa.String(length=12), nullable=False,
                  comment="Figure it explains: tour (the map), awareness (the headline), "
                          "outcomes (by region) or guide."),
        sa.Column("edition", sa.String(length=9), nullable=False,
                  comment="Edition it is about."),
        sa.Column("region_code", sa.String(length=2), nullable=True,
                  comment="Region it is about; empty for a national comment."),
        sa.Column("text_fr", sa.Text(), nullable=False,
                  comment="The comment in French: plain text or a small safe subset of "
                          "Markdown."),
        sa.Column("text_en", sa.Text(), nullable=True,
                  comment="The comment in English; empty: English readers see the French "
                          "text."),
        sa.Column("created_by", sa.Text(), nullable=True,
                  comment="Account or command that wrote it."),
        sa.Column("created_at", sa.DateTime(), nullable=False,
                  comment="When it was written (UTC)."),
        sa.Column("updated_by", sa.Text(), nullable=True,
                  comment="Account or command that last changed it."),
        sa.Column("updated_at", sa.DateTime(), nullable=False,
                  comment="When it last changed (UTC)."),
        sa.CheckConstraint("section IN ('tour', 'awareness', 'outcomes', 'guide')",
                           name=op.f("ck_commentary_section_allowed")),
        sa.ForeignKeyConstraint(["edition"], ["edition.edition"],
                                name=op.f("fk_commentary_edition_edition")),
        sa.ForeignKeyConstraint(["region_code"], ["region.region_code"],
                                name=op.f("fk_commentary_region_code_region")),
        sa.PrimaryKeyConstraint("commentary_id", name=op.f("pk_commentary")),
        comment="Staff's comments on a figure for an edition (and a region): shown beside it, "
                "printed in the report under its section, frozen with a published report.",
    )
    with op.batch_alter_table("commentary") as batch_op:
        batch_op.create_index("ix_commentary_edition", ["edition", "section"], unique=False)


def downgrade() -> None:
    op.drop_table("commentary")

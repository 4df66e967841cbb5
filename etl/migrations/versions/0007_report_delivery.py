"""subscriptions to published reports, and the deliveries made (impact deliver)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscription",
        sa.Column("subscription_id", sa.Integer(), autoincrement=True, nullable=False,
                  comment="Surrogate key."),
        sa.Column("user_id", sa.Integer(), nullable=False,
                  comment="Account that receives the reports; its scope decides what they "
                          "hold."),
        sa.Column("every", sa.String(length=12), nullable=False,
                  comment="month, quarter (the latest published edition at the start of each "
                          "period) or publication (each edition as it is published)."),
        sa.Column("editions", sa.Text(), nullable=False,
                  comment="JSON list of the editions wanted (empty: every edition of the "
                          "scope)."),
        sa.Column("lang", sa.String(length=2), nullable=False,
                  comment="Language of the mail and report."),
        sa.Column("created_at", sa.DateTime(), nullable=False,
                  comment="When it was added (UTC)."),
        sa.Column("first_snapshot_id", sa.Integer(), nullable=False,
                  comment="Highest snapshot id when it was added: publications up to it "
                          "were there before the subscription and are not sent as new."),
        sa.Column("created_by", sa.Text(), nullable=True,
                  comment="Account or command that added it."),
        sa.CheckConstraint("every IN ('month', 'quarter', 'publication')",
                           name=op.f("ck_subscription_every_allowed")),
        sa.CheckConstraint("lang IN ('fr', 'en')", name=op.f("ck_subscription_lang_allowed")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.user_id"], ondelete="CASCADE",
                                name=op.f("fk_subscription_user_id_app_user")),
        sa.PrimaryKeyConstraint("subscription_id", name=op.f("pk_subscription")),
        sa.UniqueConstraint("user_id", name=op.f("uq_subscription_user_id")),
        comment="Accounts that receive the published report by e-mail (impact deliver).",
    )
    op.create_table(
        "delivery",
        sa.Column("delivery_id", sa.Integer(), autoincrement=True, nullable=False,
                  comment="Surrogate key."),
        sa.Column("subscription_id", sa.Integer(), nullable=False,
                  comment="Subscription it was sent for."),
        sa.Column("edition", sa.String(length=9), nullable=False,
                  comment="Edition of the report sent."),
        sa.Column("period", sa.String(length=20), nullable=False,
                  comment="'2026-01' (month), '2026-Q1' (quarter) or 'snapshot-17' "
                          "(publication)."),
        sa.Column("snapshot_id", sa.Integer(), nullable=True,
                  comment="Published snapshot the attached PDF was rendered from."),
        sa.Column("status", sa.String(length=10), nullable=False,
                  comment="claimed (being sent), sent, or failed (sent again at the next "
                          "run)."),
        sa.Column("claimed_at", sa.DateTime(), nullable=False,
                  comment="When a run claimed it (UTC)."),
        sa.Column("sent_at", sa.DateTime(), nullable=True,
                  comment="When the mail server accepted it (UTC)."),
        sa.Column("error", sa.Text(), nullable=True, comment="Why the last attempt failed."),
        sa.CheckConstraint("status IN ('claimed', 'sent', 'failed')",
                           name=op.f("ck_delivery_status_allowed")),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscription.subscription_id"],
                                ondelete="CASCADE",
                                name=op.f("fk_delivery_subscription_id_subscription")),
        sa.PrimaryKeyConstraint("delivery_id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("subscription_id", "edition", "period",
                            name=op.f("uq_delivery_subscription_id_edition_period")),
        comment="One row per report mailed (or being mailed) to a subscriber: never twice the "
                "same subscription, edition and period.",
    )


def downgrade() -> None:
    op.drop_table("delivery")
    op.drop_table("subscription")

"""server-side sessions (app_session) and failed sign-ins shared by the workers (login_failure)

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_session",
        sa.Column("session_key", sa.String(64), nullable=False,
                  comment="SHA-256 of the random id the signed cookie carries (never the id "
                          "itself)."),
        sa.Column("user_id", sa.Integer(), nullable=False, comment="Account signed in."),
        sa.Column("started_at", sa.DateTime(), nullable=False,
                  comment="When the account signed in (UTC)."),
        sa.Column("expires_at", sa.DateTime(), nullable=False,
                  comment="When the session ends by itself (UTC), unless ended before."),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.user_id"], ondelete="CASCADE",
                                name="fk_app_session_user_id_app_user"),
        sa.PrimaryKeyConstraint("session_key", name="pk_app_session"),
        comment="Open dashboard sessions: a cookie opens pages only while its row is here; "
                "signing out, a new password, disabling or removing the account delete it.",
    )
    with op.batch_alter_table("app_session") as batch_op:
        batch_op.create_index("ix_app_session_user", ["user_id"], unique=False)
    op.create_table(
        "login_failure",
        sa.Column("failure_id", sa.Integer(), autoincrement=True, nullable=False,
                  comment="Surrogate key."),
        sa.Column("limit_key", sa.String(64), nullable=False,
                  comment="SHA-256 of the limit's key (an e-mail digest or an address): "
                          "neither is stored."),
        sa.Column("at", sa.Float(), nullable=False,
                  comment="When it was counted (seconds since 1970, UTC)."),
        sa.PrimaryKeyConstraint("failure_id", name="pk_login_failure"),
        comment="Failed sign-ins of the last minutes, counted for every worker of the "
                "deployment when no Redis is configured (entries older than the limit's "
                "window are deleted).",
    )
    with op.batch_alter_table("login_failure") as batch_op:
        batch_op.create_index("ix_login_failure_key", ["limit_key", "at"], unique=False)


def downgrade() -> None:
    op.drop_table("login_failure")
    op.drop_table("app_session")

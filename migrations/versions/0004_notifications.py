"""Confirmed addresses, follower-email settings, notices, and extra headers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

``user``: when the address was confirmed (no mail but the confirmation goes
to an unconfirmed one), when a confirmation was last sent, whether the user
wants follower emails, and one account per address in any letter case.
``follow_notice``: each follower a user was told about, by email or in a
digest. ``outbox.headers``: extra headers (List-Unsubscribe), as JSON.
Existing users start unconfirmed: they confirm before they get mail.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("user", sa.Column("email_confirmed_at", sa.Float(), nullable=True))
    op.add_column("user", sa.Column("confirmation_sent_at", sa.Float(), nullable=True))
    op.add_column(
        "user",
        sa.Column(
            "notify_followers", sa.Boolean(), server_default=sa.true(), nullable=False
        ),
    )
    op.create_index(
        "uq_user_email_lower", "user", [sa.text("lower(email)")], unique=True
    )
    op.create_table(
        "follow_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("follower_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("in_digest", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("emailed_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["follower_id"],
            ["user.id"],
            name=op.f("fk_follow_notice_follower_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["user.id"],
            name=op.f("fk_follow_notice_recipient_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_notice")),
    )
    op.create_index(
        "ix_follow_notice_recipient",
        "follow_notice",
        ["recipient_id", "created_at"],
        unique=False,
    )
    op.add_column("outbox", sa.Column("headers", sa.Text(), nullable=True))


# Columns are dropped in place (SQLite 3.35+ and PostgreSQL alike): a batch
# copy of "user" would lose its lower() indexes, which SQLite cannot reflect.
def downgrade():
    op.drop_column("outbox", "headers")
    op.drop_index("ix_follow_notice_recipient", table_name="follow_notice")
    op.drop_table("follow_notice")
    op.drop_index("uq_user_email_lower", table_name="user")
    op.drop_column("user", "notify_followers")
    op.drop_column("user", "confirmation_sent_at")
    op.drop_column("user", "email_confirmed_at")

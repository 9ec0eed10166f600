"""The outbox counts takeovers, and remembers when a message was retried by hand.

``takeovers``: claims taken over from a sender that died while it held the
message. ``retried_at``: when an admin last retried it; the retry window
starts again then (else at ``created_at``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "outbox",
        sa.Column("takeovers", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("outbox", sa.Column("retried_at", sa.Float(), nullable=True))


def downgrade():
    op.drop_column("outbox", "retried_at")
    op.drop_column("outbox", "takeovers")

"""Rename outbox.sender to from_address: "sender" named three things.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# A rename in place on both backends (SQLite has RENAME COLUMN since 3.25):
# no copy of the table, so nothing of it is lost, named or not.
def upgrade():
    op.alter_column("outbox", "sender", new_column_name="from_address")


def downgrade():
    op.alter_column("outbox", "from_address", new_column_name="sender")

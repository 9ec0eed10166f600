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


def upgrade():
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("sender", new_column_name="from_address")


def downgrade():
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("from_address", new_column_name="sender")

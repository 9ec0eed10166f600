"""Keep each message's finished bytes: every retry sends exactly the same.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

Messages written before it have none and are built when sent.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("outbox", sa.Column("raw", sa.LargeBinary(), nullable=True))


def downgrade():
    op.drop_column("outbox", "raw")

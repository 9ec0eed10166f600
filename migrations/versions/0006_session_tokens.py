"""Session tokens: a copied session cookie dies with the logout.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

``user.session_token`` and ``admin_login.session_token`` are part of each
session's id and are replaced at logout. Sessions from before this revision
have none and must log in again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "user", sa.Column("session_token", sa.String(length=64), nullable=True)
    )
    op.create_table(
        "admin_login",
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("session_token", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_admin_login")),
    )


def downgrade():
    op.drop_table("admin_login")
    op.drop_column("user", "session_token")

"""Account keys: one form of each nickname and address, computed in Python.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

``user.nickname_key`` and ``user.email_key`` replace the unique indexes on
``lower(nickname)`` and ``lower(email)``: ``lower()`` folded ASCII only on
SQLite and followed the locale on PostgreSQL, so ``victim@ｅxample.com``
was a second account of ``victim@example.com``. Each address is stored
normalized (``core.accounts.names``, the code the site compares with).

Accounts whose keys collide are all kept: the oldest keeps the key, each
later one gets ``key#id`` and its address as it was (it still logs in by
its nickname), and the upgrade logs them as warnings for the operator to
settle.
"""

import logging

import sqlalchemy as sa
from alembic import op

from core.accounts import names

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
USER = sa.table(
    "user",
    sa.column("id", sa.Integer),
    sa.column("nickname", sa.String),
    sa.column("email", sa.String),
    sa.column("nickname_key", sa.String),
    sa.column("email_key", sa.String),
)


def stored_address(email):
    """``email`` normalized, or as it is if the mail path cannot take it."""
    try:
        return names.address(email)
    except names.EmailNotValidError:
        return email


def fill_keys(connection):
    """Give every user its keys; log the accounts that collide."""
    taken = {"nickname_key": {}, "email_key": {}}
    rows = connection.execute(sa.select(USER.c.id, USER.c.nickname, USER.c.email))
    for user_id, nickname, email in rows.all():
        values = {
            "email": stored_address(email),
            "nickname_key": names.nickname_key(nickname),
            "email_key": names.email_key(email),
        }
        for column, owners in taken.items():
            key = values[column]
            if key in owners:
                log.warning(
                    "user %s (%s, %s) has the %s %r of user %s: stored as %r",
                    user_id, nickname, email, column, key, owners[key],
                    f"{key}#{user_id}",
                )  # fmt: skip
                values[column] = f"{key}#{user_id}"
                values["email"] = email  # as it was: a downgrade restores it
            owners.setdefault(key, user_id)
        connection.execute(USER.update().where(USER.c.id == user_id).values(values))


def upgrade():
    op.add_column("user", sa.Column("nickname_key", sa.String(32), nullable=True))
    op.add_column("user", sa.Column("email_key", sa.String(254), nullable=True))
    fill_keys(op.get_bind())
    # Dropped before the batch: SQLite cannot reflect an expression index,
    # so a batch copy of "user" would keep neither. A file adopted from the
    # hand-written schema (see core.schema) never had the nickname's.
    op.drop_index("uq_user_nickname_lower", table_name="user", if_exists=True)
    op.drop_index("uq_user_email_lower", table_name="user")
    with op.batch_alter_table("user") as batch:
        batch.alter_column("nickname_key", nullable=False)
        batch.alter_column("email_key", nullable=False)
    op.create_index("uq_user_nickname_key", "user", ["nickname_key"], unique=True)
    op.create_index("uq_user_email_key", "user", ["email_key"], unique=True)


def downgrade():
    op.drop_index("uq_user_email_key", table_name="user")
    op.drop_index("uq_user_nickname_key", table_name="user")
    op.drop_column("user", "email_key")
    op.drop_column("user", "nickname_key")
    op.create_index(
        "uq_user_nickname_lower", "user", [sa.text("lower(nickname)")], unique=True
    )
    op.create_index(
        "uq_user_email_lower", "user", [sa.text("lower(email)")], unique=True
    )

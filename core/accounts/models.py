"""The accounts tables: users and who follows whom."""

import time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class User(db.Model):
    """A registered user; nicknames and addresses are unique by their keys
    (``core.accounts.names``), computed in Python, never by ``lower()``."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    nickname: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254))
    nickname_key: Mapped[str] = mapped_column(String(32))
    email_key: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[float] = mapped_column(Float, default=time.time)
    # Nothing but the confirmation is mailed to an unconfirmed address.
    email_confirmed_at: Mapped[float | None] = mapped_column(Float)
    confirmation_sent_at: Mapped[float | None] = mapped_column(Float)
    notify_followers: Mapped[bool] = mapped_column(Boolean, server_default=true())
    # Part of the session id; a new one at logout ends every copy of a cookie.
    session_token: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("uq_user_nickname_key", nickname_key, unique=True),
        Index("uq_user_email_key", email_key, unique=True),
    )


class Follow(db.Model):
    """``follower`` follows ``followed`` (never themselves)."""

    __tablename__ = "follow"

    follower_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    followed_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[float] = mapped_column(Float, default=time.time)

    __table_args__ = (CheckConstraint("follower_id != followed_id", name="not_self"),)


class FollowNotice(db.Model):
    """A user was told that ``follower`` follows them: by email, or in a digest."""

    __tablename__ = "follow_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    follower_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[float] = mapped_column(Float, default=time.time)
    # Over the hourly limit: kept for the next digest instead of its own email.
    in_digest: Mapped[bool] = mapped_column(Boolean, server_default=false())
    emailed_at: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_follow_notice_recipient", recipient_id, created_at),)


class AdminLogin(db.Model):
    """The admin's session token (the admin has no user row of its own)."""

    __tablename__ = "admin_login"

    username: Mapped[str] = mapped_column(String(150), primary_key=True)
    session_token: Mapped[str] = mapped_column(String(64))

"""The accounts tables: users and who follows whom."""

import time

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class User(db.Model):
    """A registered user; nicknames are unique in any letter case."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    nickname: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[float] = mapped_column(Float, default=time.time)

    __table_args__ = (
        # An expression index: the same rule on SQLite and PostgreSQL.
        Index("uq_user_nickname_lower", func.lower(nickname), unique=True),
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

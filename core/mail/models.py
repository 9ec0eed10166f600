"""The outbox table: each email the site has written, and what became of it."""

from sqlalchemy import CheckConstraint, Float, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db

STATUSES = ("pending", "sending", "sent", "failed")


class OutboxMessage(db.Model):
    """One email: written with the change it reports, delivered later."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID header, stable across retries.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    from_address: Mapped[str] = mapped_column(Text)
    recipient: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    headers: Mapped[str | None] = mapped_column(Text)  # extra headers, as JSON
    # The finished message (RFC 5322 bytes), built when it is written.
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    attempts: Mapped[int] = mapped_column(server_default="0")
    # Claims taken over from a sender that died while it held the message.
    takeovers: Mapped[int] = mapped_column(server_default="0")
    # When an admin last retried it by hand: its retry window starts again.
    retried_at: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    next_attempt_at: Mapped[float] = mapped_column(Float)
    # The delivery thread that holds it while 'sending', and until when.
    claimed_by: Mapped[str | None] = mapped_column(Text)
    claimed_until: Mapped[float | None] = mapped_column(Float)
    sent_at: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

"""The counters of the rate limits and the login lockout."""

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db


class RateCounter(db.Model):
    """Hits on one limit's key in its current window; the window ends at
    ``expires_at`` (an epoch time), and the next hit starts a new one."""

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)

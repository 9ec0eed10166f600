"""Looking after the outbox: the admin's pages and retries, and pruning.

Sent messages are pruned after ``MAIL_KEEP_SENT_DAYS``; failed ones stay
until an admin retries them.
"""

import logging
import time

from flask import current_app
from sqlalchemy import delete, func, select, update

from core.db import run, transaction
from core.mail.models import OutboxMessage as Message
from core.mail.outbox import mail_is_due

log = logging.getLogger(__name__)


def retry_failed(message_id=None):
    """Make a failed message (or every one) due now, with a fresh count of
    attempts and a fresh retry window; return how many there were."""
    now = time.time()
    statement = (
        update(Message)
        .where(Message.status == "failed")
        .values(status="pending", attempts=0, takeovers=0, next_attempt_at=now)
        .values(retried_at=now)
    )
    if message_id is not None:
        statement = statement.where(Message.id == message_id)
    with transaction():
        count = run(statement).rowcount
        if count:
            mail_is_due()
        return count


def count_failed():
    """How many messages have failed (and wait for an admin)."""
    failed = select(func.count()).where(Message.status == "failed")
    return run(failed).scalar()


def prune_sent(before):
    """Delete the messages sent before the time ``before``; return how many."""
    with transaction():
        statement = delete(Message).where(
            Message.status == "sent", Message.sent_at < before
        )
        return run(statement).rowcount


def page(number, size):
    """The ``number``-th page (from 1) of messages, newest first, and the total."""
    total = run(select(func.count()).select_from(Message)).scalar()
    rows = run(
        select(Message)
        .order_by(Message.id.desc())
        .limit(size)
        .offset((number - 1) * size)
    ).all()
    return rows, total


def prune_sent_mail():
    """Delete sent mail older than ``MAIL_KEEP_SENT_DAYS`` (a periodic job)."""
    keep = current_app.config["MAIL_KEEP_SENT_DAYS"] * 86400
    if count := prune_sent(time.time() - keep):
        log.info("pruned %s sent messages", count)

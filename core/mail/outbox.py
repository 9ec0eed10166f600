"""The outbox: messages waiting to be sent, and what became of them.

A message is added in the caller's transaction (with the change it reports),
claimed atomically by one delivery thread of one process, then marked sent,
due again later, or failed. Nothing is ever deleted.
"""

import time
from email.utils import make_msgid, parseaddr

from sqlalchemy import and_, or_, select, update

from core.db import transaction
from core.extensions import db
from core.mail.models import OutboxMessage as Message

CLAIMED = (
    Message.id,
    Message.message_id,
    Message.from_address,
    Message.recipient,
    Message.subject,
    Message.body,
    Message.html,
    Message.attempts,
    Message.next_attempt_at,
)


def message_id(from_address):
    """A new Message-ID at the From address's domain (never the Host header)."""
    domain = parseaddr(from_address)[1].rpartition("@")[2]
    return make_msgid(domain=domain or "localhost")


def enqueue(from_address, recipient, subject, body, html):
    """Add a message, due now, in the session's open transaction; return its id."""
    now = time.time()
    message = Message(
        message_id=message_id(from_address),
        from_address=from_address,
        recipient=recipient,
        subject=subject,
        body=body,
        html=html,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(message)
    db.session.flush()  # assigns the id
    return message.id


def claim(worker, limit, lease):
    """Take up to ``limit`` due messages for ``worker`` for ``lease`` seconds.

    One UPDATE statement, so two threads or processes never claim the same
    message; on PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``, so
    senders on many machines never wait on each other. A message whose claim
    has expired (its sender died mid-send) is due again.
    """
    now = time.time()
    due = (
        select(Message.id)
        .where(
            or_(
                and_(Message.status == "pending", Message.next_attempt_at <= now),
                and_(Message.status == "sending", Message.claimed_until <= now),
            )
        )
        .order_by(Message.next_attempt_at, Message.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Message)
        .where(Message.id.in_(due))
        .values(status="sending", claimed_by=worker, claimed_until=now + lease)
        .returning(*CLAIMED)
        .execution_options(synchronize_session=False)
    )
    with transaction() as session:
        rows = session.execute(statement).all()
    return sorted(rows, key=lambda row: (row.next_attempt_at, row.id))


def _finish(message_id, worker, **values):
    """Update a message this worker still holds; tell whether it did."""
    statement = (
        update(Message)
        .where(Message.id == message_id, Message.claimed_by == worker)
        .values(
            attempts=Message.attempts + 1, claimed_by=None, claimed_until=None, **values
        )
        .execution_options(synchronize_session=False)
    )
    with transaction() as session:
        return session.execute(statement).rowcount == 1


def mark_sent(message_id, worker):
    """Record a delivery."""
    return _finish(message_id, worker, status="sent", sent_at=time.time())


def mark_retry(message_id, worker, error, delay):
    """Record a temporary failure: due again in ``delay`` seconds."""
    due = time.time() + delay
    return _finish(
        message_id, worker, status="pending", last_error=error, next_attempt_at=due
    )


def mark_failed(message_id, worker, error):
    """Record a permanent failure: kept, shown, retried only by hand."""
    return _finish(message_id, worker, status="failed", last_error=error)


def release(message_id, worker):
    """Hand back a claimed message not yet tried (the sender is stopping)."""
    statement = (
        update(Message)
        .where(Message.id == message_id, Message.claimed_by == worker)
        .values(status="pending", claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    with transaction() as session:
        session.execute(statement)


def retry_failed(message_id):
    """Make a failed message due now, with a fresh count; tell whether it was."""
    statement = (
        update(Message)
        .where(Message.id == message_id, Message.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=time.time())
        .execution_options(synchronize_session=False)
    )
    with transaction() as session:
        return session.execute(statement).rowcount == 1


def list_messages():
    """Every message, newest first."""
    return db.session.scalars(select(Message).order_by(Message.id.desc())).all()

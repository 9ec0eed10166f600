"""The outbox: messages waiting to be sent, and what became of them.

A message is added in the caller's transaction (with the change it reports),
claimed atomically by one delivery thread of one process, held while that
thread works through its batch, then marked sent, due again later, or failed.
Sent messages are pruned after a while; failed ones stay until handled.
"""

import json
import time
from email.utils import make_msgid, parseaddr

from sqlalchemy import and_, bindparam, case, delete, func, or_, select, update

from core.db import run, transaction
from core.extensions import db
from core.mail.models import OutboxMessage as Message
from core.mail.smtp import build_message

CLAIMED = (
    Message.id,
    Message.message_id,
    Message.from_address,
    Message.recipient,
    Message.subject,
    Message.body,
    Message.html,
    Message.headers,
    Message.raw,
    Message.attempts,
    Message.takeovers,
    Message.created_at,
    Message.retried_at,
    Message.next_attempt_at,
)
MINE = and_(Message.claimed_by == bindparam("worker"), Message.status == "sending")
RELEASED = {"claimed_by": None, "claimed_until": None}


def message_id(from_address):
    """A new Message-ID at the From address's domain (never the Host header)."""
    domain = parseaddr(from_address)[1].rpartition("@")[2]
    return make_msgid(domain=domain or "localhost")


def enqueue(from_address, recipient, subject, body, html, headers=None):
    """Add a message, due now, in the session's open transaction; return its id.

    ``headers`` are extra headers (a dict), such as List-Unsubscribe. The
    finished message is built here, once: delivery only sends its bytes, and
    every retry sends exactly the same ones.
    """
    now = time.time()
    identity = message_id(from_address)
    fields = (from_address, recipient, subject, body, html, headers)
    message = Message(
        message_id=identity,
        from_address=from_address,
        recipient=recipient,
        subject=subject,
        body=body,
        html=html,
        headers=json.dumps(headers) if headers else None,
        raw=build_message(identity, *fields).as_bytes(),
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
    ran out (its sender died) is taken over: that counts as an attempt.
    """
    now = time.time()
    expired = Message.status == "sending"
    due = (
        select(Message.id)
        .where(
            or_(
                and_(Message.status == "pending", Message.next_attempt_at <= now),
                and_(expired, Message.claimed_until <= now),
            )
        )
        .order_by(Message.next_attempt_at, Message.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    taken_over = case((expired, 1), else_=0)
    statement = (
        update(Message)
        .where(Message.id.in_(due))
        .values(
            status="sending",
            claimed_by=worker,
            claimed_until=now + lease,
            attempts=Message.attempts + taken_over,
            takeovers=Message.takeovers + taken_over,
        )
        .returning(*CLAIMED)
    )
    with transaction():
        rows = run(statement).all()
    return sorted(rows, key=lambda row: (row.next_attempt_at, row.id))


SENT = (
    update(Message)
    .where(Message.id.in_(bindparam("ids", expanding=True)), MINE)
    .values(status="sent", sent_at=bindparam("now"), attempts=Message.attempts + 1)
    .values(RELEASED)
    .returning(Message.id)
)
HOLD = update(Message).where(MINE).values(claimed_until=bindparam("until"))
HOLD = HOLD.returning(Message.id)


def record(worker, sent, hold_until):
    """Mark ``sent`` ids as sent and hold ``worker``'s other claims until
    ``hold_until``, in one transaction; return (ids marked, ids still held).

    A sent id missing from the first set was no longer ``worker``'s.
    """
    with transaction():
        marked = set()
        if sent:
            marked = set(
                run(SENT, ids=list(sent), worker=worker, now=time.time()).scalars()
            )
        held = set(run(HOLD, worker=worker, until=hold_until).scalars())
    return marked, held


def _finish(message_id, worker, **values):
    """Update a message this worker still holds; tell whether it did."""
    statement = (
        update(Message)
        .where(Message.id == message_id, MINE)
        .values(attempts=Message.attempts + 1, **RELEASED, **values)
    )
    with transaction():
        return run(statement, worker=worker).rowcount == 1


def mark_retry(message_id, worker, error, due):
    """Record a temporary failure: due again at the time ``due``."""
    return _finish(
        message_id, worker, status="pending", last_error=error, next_attempt_at=due
    )


def mark_failed(message_id, worker, error):
    """Record a permanent failure: kept, shown, retried only by hand."""
    return _finish(message_id, worker, status="failed", last_error=error)


RELEASE = (
    update(Message)
    .where(Message.id.in_(bindparam("ids", expanding=True)), MINE)
    .values(status="pending", **RELEASED)
)


def release(message_ids, worker):
    """Hand back claimed messages not yet tried (the sender is stopping)."""
    if message_ids:
        with transaction():
            run(RELEASE, ids=list(message_ids), worker=worker)


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
        return run(statement).rowcount


def next_due():
    """When a message is next due (a retry, or a claim running out), or None."""
    pending = select(func.min(Message.next_attempt_at)).where(
        Message.status == "pending"
    )
    claimed = select(func.min(Message.claimed_until)).where(Message.status == "sending")
    times = [run(pending).scalar(), run(claimed).scalar()]
    return min((t for t in times if t is not None), default=None)


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

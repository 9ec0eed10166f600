"""Claims on outbox messages: taking due ones, holding them, recording what
became of each, and handing back the rest.

Every change is one statement in a transaction, and each names the worker
that must still hold the message, so two senders never act on one message.
"""

import time

from sqlalchemy import and_, bindparam, case, exists, func, or_, select, update

from core.db import run, transaction
from core.mail.models import OutboxMessage as Message

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
    Message.last_error,
    Message.created_at,
    Message.retried_at,
    Message.next_attempt_at,
)
MINE = and_(Message.claimed_by == bindparam("worker"), Message.status == "sending")
RELEASED = {"claimed_by": None, "claimed_until": None}


def claim(worker, limit, lease):
    """Take up to ``limit`` due messages for ``worker`` for ``lease`` seconds.

    One UPDATE statement, so two threads or processes never claim the same
    message; on PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``, so
    senders on many machines never wait on each other. A message whose claim
    ran out (its sender died) is taken over: that counts as an attempt.
    """
    now = time.time()
    expired = Message.status == "sending"
    is_due = or_(
        and_(Message.status == "pending", Message.next_attempt_at <= now),
        and_(expired, Message.claimed_until <= now),
    )
    # A read first: it takes no lock, so threads woken with nothing to do
    # never queue for SQLite's one write lock (nor block a request's write).
    if not run(select(exists().where(is_due))).scalar():
        return []
    due = (
        select(Message.id)
        .where(is_due)
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


def record(worker, sent, hold_until=None):
    """Mark ``sent`` ids as sent and, given ``hold_until``, hold ``worker``'s
    other claims until then, in one transaction; return (ids marked, ids
    still held, or None without ``hold_until``).

    A sent id missing from the first set was no longer ``worker``'s.
    """
    with transaction():
        marked, held = set(), None
        if sent:
            marked = set(
                run(SENT, ids=list(sent), worker=worker, now=time.time()).scalars()
            )
        if hold_until is not None:
            held = set(run(HOLD, worker=worker, until=hold_until).scalars())
    return marked, held


def renew(prefix, until):
    """Hold every claim of the senders named ``prefix...`` (one process)
    until ``until``; return how many there are."""
    statement = (
        update(Message)
        .where(
            Message.status == "sending",
            Message.claimed_by.startswith(prefix, autoescape=True),
        )
        .values(claimed_until=until)
    )
    with transaction():
        return run(statement).rowcount


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


def next_due():
    """When a message is next due (a retry, or a claim running out), or None."""
    pending = select(func.min(Message.next_attempt_at)).where(
        Message.status == "pending"
    )
    claimed = select(func.min(Message.claimed_until)).where(Message.status == "sending")
    times = [run(pending).scalar(), run(claimed).scalar()]
    return min((t for t in times if t is not None), default=None)

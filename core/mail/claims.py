"""Claims on outbox messages: taking due ones, holding them, recording what
became of each, and handing back the rest.

Every change is one statement in a transaction, and each names the worker
that must still hold the message, so two senders never act on one message.
"""

import time

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    update,
)

from core.db import run, separate_transaction, transaction
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

# A message is due when it is pending and its time has come, or its claim
# ran out (its sender died): then taking it over counts as an attempt.
EXPIRED = Message.status == "sending"
IS_DUE = or_(
    and_(Message.status == "pending", Message.next_attempt_at <= bindparam("now")),
    and_(EXPIRED, Message.claimed_until <= bindparam("now")),
)
ANY_DUE = select(exists().where(IS_DUE))
DUE = (
    select(Message.id)
    .where(IS_DUE)
    .order_by(Message.next_attempt_at, Message.id)
    .limit(bindparam("limit", type_=Integer))
    .with_for_update(skip_locked=True)
)
TAKEN_OVER = case((EXPIRED, 1), else_=0)
CLAIM = (
    update(Message)
    .where(Message.id.in_(DUE))
    .values(
        status="sending",
        claimed_by=bindparam("worker"),
        claimed_until=bindparam("until"),
        attempts=Message.attempts + TAKEN_OVER,
        takeovers=Message.takeovers + TAKEN_OVER,
    )
    .returning(*CLAIMED)
)


def claim(worker, limit, lease):
    """Take up to ``limit`` due messages for ``worker`` for ``lease`` seconds.

    One UPDATE statement, so two threads or processes never claim the same
    message; on PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``, so
    senders on many machines never wait on each other.
    """
    now = time.time()
    # A read first: it takes no lock, so threads woken with nothing to do
    # never queue for SQLite's one write lock (nor block a request's write).
    if not run(ANY_DUE, now=now).scalar():
        return []
    with transaction():
        params = {"now": now, "limit": limit, "worker": worker, "until": now + lease}
        rows = run(CLAIM, **params).all()
    return sorted(rows, key=lambda row: (row.next_attempt_at, row.id))


SENT = (
    update(Message)
    .where(Message.id == bindparam("message"), MINE)
    .values(status="sent", sent_at=bindparam("now"), attempts=Message.attempts + 1)
    .values(RELEASED)
)
HOLD = update(Message).where(MINE).values(claimed_until=bindparam("until"))
HOLD = HOLD.returning(Message.id)


def record(worker, sent, hold_until=None):
    """Mark ``sent`` ids as sent and, given ``hold_until``, hold ``worker``'s
    other claims until then, in one transaction; return (ids marked, ids
    still held, or None without ``hold_until``).

    A sent id missing from the first set was no longer ``worker``'s. The
    transaction is a separate one: a delivery thread records each message
    it sent, and through the session that took nearly half its time.
    """
    with separate_transaction() as connection:
        now, marked, held = time.time(), set(), None
        for message_id in sent:
            params = {"message": message_id, "worker": worker, "now": now}
            if connection.execute(SENT, params).rowcount == 1:
                marked.add(message_id)
        if hold_until is not None:
            params = {"worker": worker, "until": hold_until}
            held = set(connection.execute(HOLD, params).scalars())
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

"""The outbox table: messages waiting to be sent, and what became of them.

A message is added in the caller's transaction (with the change it reports),
claimed atomically by one sending thread of one process, then marked sent,
due again later, or failed. Nothing is ever deleted.
"""

import time
from email.utils import make_msgid

from core.db import get_db

COLUMNS = "id, message_id, sender, recipient, subject, body, html, attempts"


def enqueue(db, sender, recipient, subject, body, html, domain="localhost"):
    """Add a message, due now, in the caller's open transaction; return its id."""
    now = time.time()
    cursor = db.execute(
        "INSERT INTO outbox (message_id, sender, recipient, subject, body, html,"
        " created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (make_msgid(domain=domain), sender, recipient, subject, body, html, now, now),
    )
    return cursor.lastrowid


def claim(db, worker, limit, lease):
    """Take up to ``limit`` due messages for ``worker`` for ``lease`` seconds.

    One UPDATE statement, so two threads or processes never claim the same
    message. A message whose claim has expired (its sender died mid-send) is
    due again.
    """
    now = time.time()
    return db.execute(
        "UPDATE outbox SET status = 'sending', claimed_by = ?, claimed_until = ?"
        " WHERE id IN (SELECT id FROM outbox"
        "  WHERE (status = 'pending' AND next_attempt_at <= ?)"
        "     OR (status = 'sending' AND claimed_until <= ?)"
        "  ORDER BY next_attempt_at LIMIT ?)"
        f" RETURNING {COLUMNS}",
        (worker, now + lease, now, now, limit),
    ).fetchall()


def _finish(db, message_id, worker, assignments, values):
    """Update a message this worker still holds; tell whether it did."""
    cursor = db.execute(
        f"UPDATE outbox SET {assignments}, attempts = attempts + 1,"
        " claimed_by = NULL, claimed_until = NULL"
        " WHERE id = ? AND claimed_by = ?",
        (*values, message_id, worker),
    )
    return cursor.rowcount == 1


def mark_sent(db, message_id, worker):
    """Record a delivery."""
    values = ("sent", time.time())
    return _finish(db, message_id, worker, "status = ?, sent_at = ?", values)


def mark_retry(db, message_id, worker, error, delay):
    """Record a temporary failure: due again in ``delay`` seconds."""
    values = ("pending", error, time.time() + delay)
    assignments = "status = ?, last_error = ?, next_attempt_at = ?"
    return _finish(db, message_id, worker, assignments, values)


def mark_failed(db, message_id, worker, error):
    """Record a permanent failure: kept, shown, retried only by hand."""
    return _finish(
        db, message_id, worker, "status = ?, last_error = ?", ("failed", error)
    )


def release(db, message_id, worker):
    """Hand back a claimed message not yet tried (the sender is stopping)."""
    db.execute(
        "UPDATE outbox SET status = 'pending', claimed_by = NULL,"
        " claimed_until = NULL WHERE id = ? AND claimed_by = ?",
        (message_id, worker),
    )


def retry_failed(message_id):
    """Make a failed message due now, with a fresh count; tell whether it was."""
    cursor = get_db().execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?"
        " WHERE id = ? AND status = 'failed'",
        (time.time(), message_id),
    )
    return cursor.rowcount == 1


def list_messages():
    """Every message, newest first."""
    return get_db().execute("SELECT * FROM outbox ORDER BY id DESC").fetchall()
